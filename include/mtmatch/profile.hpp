#pragma once
/// @file profile.hpp
/// An mtDNA profile: who it is, which stretch of the rCRS was read, and its canonical variants.

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "mtmatch/range.hpp"
#include "mtmatch/variant.hpp"

namespace mtmatch {

/// A profile in canonical form: `variants` is sorted, each event is one variant, indels sit at their
/// 3'-most equivalent place, and every variant is inside `coverage`. Two profiles that spell the same
/// sequence over the same range have equal `variants`.
struct profile {
  std::string id;
  range coverage = range::whole();
  std::vector<variant> variants;
  /// Haplogroup as written in the input file ("" when absent or `?`); not used for matching.
  std::string declared_haplogroup;

  /// Canonical forensic text, e.g. `16223T 16093Y 73G 263G 309.1C 309.2C 315.1C`, sorted by
  /// position; parsing it again yields an equal profile.
  [[nodiscard]] std::string canonical() const;

  /// Parses and canonicalises. Throws mtmatch::error naming the bad token and why.
  /// Example: `profile::parse("263G 309.1C 315.1C", "16024-576", "R-001")`.
  [[nodiscard]] static profile parse(std::string_view variants, std::string_view coverage = "1-16569",
                                     std::string id = "");

  friend bool operator==(const profile&, const profile&) = default;
};

/// Writes `id [range] canonical variants` (also what GoogleTest prints for a profile).
std::ostream& operator<<(std::ostream& out, const profile& p);

}  // namespace mtmatch
