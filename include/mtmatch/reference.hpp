#pragma once
/// @file reference.hpp
/// The revised Cambridge Reference Sequence (rCRS, NC_012920.1), embedded at build time.

#include <string_view>

namespace mtmatch {

/// Number of positions of the rCRS; positions run 1..16569 and the molecule is circular.
inline constexpr int rcrs_length = 16569;

/// A read-only view of a reference sequence with 1-based, bounds-checked accessors.
class reference {
 public:
  constexpr reference(std::string_view name, std::string_view bases) noexcept : name_(name), bases_(bases) {}

  /// Accession, e.g. "NC_012920.1".
  [[nodiscard]] std::string_view name() const noexcept { return name_; }
  /// Number of positions (16569 for the rCRS).
  [[nodiscard]] int length() const noexcept { return static_cast<int>(bases_.size()); }
  /// All bases, upper case; index 0 holds position 1.
  [[nodiscard]] std::string_view bases() const noexcept { return bases_; }

  /// The base at a 1-based position. Throws mtmatch::error outside 1..length().
  /// Example: `rcrs().base(73) == 'A'`, `rcrs().base(3107) == 'N'` (the placeholder).
  [[nodiscard]] char base(int position) const;
  /// Unchecked 1-based access for hot paths; `position` must be in 1..length().
  [[nodiscard]] char operator[](int position) const noexcept { return bases_[static_cast<std::size_t>(position - 1)]; }
  /// Bases first..last inclusive (1-based, first <= last, no wrap). Throws mtmatch::error when out of range.
  [[nodiscard]] std::string_view slice(int first, int last) const;
  /// True when 1 <= position <= length().
  [[nodiscard]] bool contains(int position) const noexcept { return position >= 1 && position <= length(); }

 private:
  std::string_view name_;
  std::string_view bases_;
};

/// The rCRS (NC_012920.1, 16,569 bp, 'N' at 3107), checked for length and checksum at build time.
[[nodiscard]] const reference& rcrs() noexcept;

}  // namespace mtmatch
