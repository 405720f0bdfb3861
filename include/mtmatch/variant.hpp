#pragma once
/// @file variant.hpp
/// One difference of a profile from the rCRS: a substitution (possibly a point heteroplasmy written
/// as an IUPAC code), a deletion of a block of bases, or an insertion of bases after a position.

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace mtmatch {

/// What a variant does to the reference.
enum class variant_kind : std::uint8_t {
  substitution = 0,  ///< the base at `position` is `bases[0]` (ACGT, or an IUPAC code for a heteroplasmy)
  deletion = 1,      ///< bases position .. position+length-1 are absent
  insertion = 2,     ///< `bases` are inserted between `position` and position+1
};

/// A variant against the rCRS. Positions are 1-based rCRS coordinates.
///
/// Examples (text → fields): `16223T` → {16223, substitution, "T"}; `16093Y` → {16093, substitution, "Y"};
/// `249d` → {249, deletion, length 1}; `8281-8289d` → {8281, deletion, length 9};
/// `309.1C 309.2C` → {309, insertion, "CC"}; `573.XC` → {573, insertion, "C", any_length}.
struct variant {
  std::int32_t position = 0;
  variant_kind kind = variant_kind::substitution;
  /// Deletion: number of deleted bases. Substitution and insertion: bases.size().
  std::int32_t length = 1;
  /// Substitution: one base (upper case ACGT or IUPAC RYKMSWBDHV). Insertion: the inserted bases.
  /// Deletion: empty.
  std::string bases;
  /// Insertion of unspecified length (PhyloTree's `573.XC`): `bases` holds the repeated unit.
  bool any_length = false;

  /// Last rCRS position the variant touches (insertions: their anchor `position`).
  [[nodiscard]] std::int32_t last() const noexcept {
    return kind == variant_kind::deletion ? position + length - 1 : position;
  }
  [[nodiscard]] bool is_indel() const noexcept { return kind != variant_kind::substitution; }
  /// True for a substitution written with an IUPAC ambiguity code (a point heteroplasmy).
  [[nodiscard]] bool is_heteroplasmy() const noexcept;

  /// Variants sort by position, then substitution < deletion < insertion, then the rest.
  friend auto operator<=>(const variant& a, const variant& b) = default;
  friend bool operator==(const variant& a, const variant& b) = default;
};

static_assert(variant_kind::substitution < variant_kind::deletion && variant_kind::deletion < variant_kind::insertion);

/// Forensic (EMPOP / ISFG) text of one variant: `16223T`, `16093Y`, `249d`, `523d 524d` (a block is
/// one token per base), `309.1C 309.2C`, `573.XC`. Parsing this text gives the variant back.
[[nodiscard]] std::string to_string(const variant& v);

/// Writes to_compact_string(v) (also what GoogleTest prints for a variant).
std::ostream& operator<<(std::ostream& out, const variant& v);

/// Compact (PhyloTree / HaploGrep 3) text: `8281-8289d`, `309.1CC`; single-base ones as above.
[[nodiscard]] std::string to_compact_string(const variant& v);

namespace iupac {
/// Bit set of the bases an IUPAC code stands for: A=1, C=2, G=4, T=8; 0 for anything else.
[[nodiscard]] constexpr std::uint8_t bases_of(char code) noexcept {
  switch (code) {
    case 'A': return 1; case 'C': return 2; case 'G': return 4; case 'T': return 8;
    case 'R': return 1 | 4; case 'Y': return 2 | 8; case 'M': return 1 | 2; case 'K': return 4 | 8;
    case 'S': return 2 | 4; case 'W': return 1 | 8;
    case 'B': return 2 | 4 | 8; case 'D': return 1 | 4 | 8; case 'H': return 1 | 2 | 8; case 'V': return 1 | 2 | 4;
    case 'N': return 1 | 2 | 4 | 8;
    default: return 0;
  }
}
/// True for a code that stands for two or more bases other than N (R Y M K S W B D H V).
[[nodiscard]] constexpr bool is_ambiguous(char code) noexcept {
  std::uint8_t b = bases_of(code);
  return code != 'N' && b != 0 && (b & (b - 1)) != 0;
}
}  // namespace iupac

inline bool variant::is_heteroplasmy() const noexcept {
  return kind == variant_kind::substitution && bases.size() == 1 && iupac::is_ambiguous(bases[0]);
}

}  // namespace mtmatch
