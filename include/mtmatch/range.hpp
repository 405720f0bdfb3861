#pragma once
/// @file range.hpp
/// The stretch of the rCRS a profile covers: a sorted set of disjoint intervals on the linear
/// 1..16569 axis. Origin-wrapping ranges such as the control region `16024-576` become two intervals.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mtmatch/error.hpp"

namespace mtmatch {

/// Closed interval of 1-based rCRS positions, first <= last, no wrap.
struct interval {
  std::int32_t first = 1;
  std::int32_t last = 16569;
  [[nodiscard]] std::int32_t length() const noexcept { return last - first + 1; }
  friend bool operator==(const interval&, const interval&) = default;
};

/// A covered range. Always normalised: sorted, disjoint, adjacent intervals merged.
class range {
 public:
  /// The empty range.
  range() = default;
  /// From intervals in any order, overlapping or not; each must lie in 1..16569 with first <= last.
  explicit range(std::vector<interval> pieces);

  /// The whole molecule, 1-16569.
  [[nodiscard]] static range whole();
  /// Parses HaploGrep (`16024-16569;1-576;`), EMPOP (`16024-16365 73-340`, `16024-576`, `ALL`) and
  /// comma-separated forms; single positions (`2092`) allowed; `a-b` with a > b wraps the origin.
  /// Throws mtmatch::error naming `where` (file, line, column of the range text) and the bad piece.
  [[nodiscard]] static range parse(std::string_view text, const source_location& where = {});

  [[nodiscard]] const std::vector<interval>& intervals() const noexcept { return intervals_; }
  [[nodiscard]] bool empty() const noexcept { return intervals_.empty(); }
  /// Number of positions covered.
  [[nodiscard]] std::int32_t length() const noexcept;
  [[nodiscard]] bool contains(std::int32_t position) const noexcept;
  /// An insertion after `anchor` is inside the range iff anchor and anchor+1 both are (EMPOP's rule:
  /// an insertion between 489 and 490 is not inside range `489`). 16569 is followed by 1.
  [[nodiscard]] bool contains_insertion(std::int32_t anchor) const noexcept;
  /// True when every position of first..last is covered.
  [[nodiscard]] bool contains_all(std::int32_t first, std::int32_t last) const noexcept;

  /// Positions covered by both.
  [[nodiscard]] range intersect(const range& other) const;
  /// The same into `out` (neither of the two), reusing its storage (for loops that intersect range
  /// after range).
  void intersect(const range& other, range& out) const;
  /// This range without first..last (used for `N` / missing stretches).
  [[nodiscard]] range without(std::int32_t first, std::int32_t last) const;

  /// HaploGrep form, e.g. `16024-16569;1-576`, single positions as `2092`; "" for the empty range.
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const range&, const range&) = default;

 private:
  std::vector<interval> intervals_;
};

}  // namespace mtmatch
