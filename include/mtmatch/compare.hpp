#pragma once
/// @file compare.hpp
/// The reference comparison of two profiles — slow and obviously right. Every fast path of the
/// library is tested against it.

#include <cstdint>
#include <string>
#include <vector>

#include "mtmatch/profile.hpp"

namespace mtmatch {

/// How to compare. The defaults are forensic practice (EMPOP, SWGDAM).
struct compare_policy {
  /// Length variants (normalize.hpp: is_length_variant — C's or AC units more or fewer in the
  /// length-variable stretches) are not differences; they are listed in comparison::ignored. Off:
  /// each counts as one event.
  bool ignore_length_variants = true;
  /// A heteroplasmy matches either of its bases (`16093Y` vs `16093C`): EMPOP's pattern match.
  /// Off = literal: Y matches only Y.
  bool pattern_match_heteroplasmy = true;
  /// Verdict thresholds on the number of differences: below `inconclusive_at` → match,
  /// from `exclusion_at` on → exclusion, in between → inconclusive.
  int inconclusive_at = 1;
  int exclusion_at = 2;
  /// Throws mtmatch::error when the thresholds are not 0 <= inconclusive_at <= exclusion_at.
  void validate() const;
};

/// Outcome of a comparison.
enum class verdict : std::uint8_t {
  match = 0,         ///< cannot exclude
  inconclusive = 1,
  exclusion = 2,
  no_overlap = 3,    ///< the two ranges share no position: nothing was compared
};
[[nodiscard]] const char* to_string(verdict v) noexcept;

/// One site (or event) where the two profiles were seen to differ, or where a difference was excused.
struct site_difference {
  enum class kind : std::uint8_t {
    difference = 0,               ///< counted
    heteroplasmy_compatible = 1,  ///< not counted: a heteroplasmy includes the other profile's base
    length_variant = 2,           ///< not counted under ignore_length_variants
  };

  std::int32_t position = 0;  ///< first rCRS position of the event
  std::string a;              ///< what profile a has there, as variant text ("" = as rCRS)
  std::string b;              ///< what profile b has there
  kind what = kind::difference;
};

/// "difference", "heteroplasmy_compatible" or "length_variant".
[[nodiscard]] const char* to_string(site_difference::kind k) noexcept;

/// Result of compare().
struct comparison {
  std::int32_t compared_length = 0;  ///< bases covered by both profiles (3107 excluded)
  int differences = 0;               ///< counted events
  std::vector<site_difference> differing;  ///< the counted events, by position
  std::vector<site_difference> ignored;    ///< excused sites (compatible heteroplasmy, length variants)
  mtmatch::verdict verdict = mtmatch::verdict::no_overlap;
  // Haplogroup-aware part, filled by score.hpp (compare(a, b, tree) or score()); empty here.
  /// Σ w/10 over the counted differences, w = 10 − 9·ln(occ)/ln(occ_max) from the tree's weights:
  /// a fast site (16519, 152) counts ≈ 0.1, a site never seen to recur 1 (score.hpp).
  double weighted_differences = 0;
  std::string haplogroup_a;  ///< best haplogroup of a ("" when not classified)
  std::string haplogroup_b;
  /// The two haplogroups sit on different branches of the tree at a stable site inside the common
  /// range: the profiles are very unlikely to share a maternal line (score.hpp).
  bool discordant = false;
  int discordant_sites = 0;  ///< tree-defining sites (weight ≥ the policy's threshold) that separate them
};

/// Compares two profiles over the range both cover (3107 excluded). Differences are counted per
/// site/event: a 9-bp deletion is one, `16093C` vs `16093A` is one; see compare_policy.
///
/// How: both sequences are reconstructed over the common range and aligned to each other with the
/// rule of normalize.hpp (fewest changed bases, then fewest events, slippage indels in the
/// length-variable stretches before substitutions, gaps 3'), on windows around the variants the two
/// write differently; each event of that alignment is one difference. So the notation never matters
/// (`309T 310C` vs `309d 315.1C`: none), and one real change is one difference even next to indels
/// whose canonical places it shifts. An indel is a length variant when it adds or removes copies of
/// the repeat unit before it (C's, AC units) and, moved 3', lies in a length-variable stretch
/// (is_length_variant, judged in either sequence). A length variant is one slippage event however
/// many units it adds or removes: where two profiles differ in a stretch only by the lengths of its
/// runs, they are aligned there with each length variant at one changed base, so two C-tracts of
/// other lengths (`309.1C 309.2C` vs `315.1C`) read as their two length variants, not as a moved T
/// (a substitution and a deletion, fewer bases), and never differ; where a real change sits in the
/// same stretch too, a T moved as well may still read as a substitution. A substitution where one
/// side's IUPAC code includes the other's base is compatible under pattern matching. `differing[i].a`/`.b` list each profile's
/// variants at the event's rCRS positions (for an event where neither writes one, such as an rCRS
/// base read as moved, those of its stretch or the tandem repeats beside it). Windows too wide to
/// align (indels of thousands of bases, normalize.hpp) count each variant written differently as one
/// difference, or length variant.
/// Example: compare(profile::parse("16093Y 16223T 8281-8289d"), profile::parse("16093C 16223T"))
/// → 1 difference (the 9-bp deletion), 16093Y/C ignored as compatible, verdict inconclusive.
/// Throws mtmatch::error when the policy is invalid.
[[nodiscard]] comparison compare(const profile& a, const profile& b, const compare_policy& policy = {});

}  // namespace mtmatch
