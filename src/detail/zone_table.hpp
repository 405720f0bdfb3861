#pragma once
/// @file detail/zone_table.hpp
/// Exact counts for the crowded stretches of a profile, by table lookup.
///
/// Most pairs the engine must settle differ around a length-variable stretch (the C-tracts at
/// 16184-16193 and 303-315, the AC repeat and the C-tract at 515-573): length variants, a
/// substitution next to a tract. compare() aligns those windows as a whole, so the kernel cannot
/// count them per bit. But around each stretch a *zone* [lo, hi] holds them, and a haplotype's
/// *state* there (the columns it has that touch the zone) takes only a few hundred distinct values
/// among hundreds of thousands of profiles.
///
/// A column is *inner* when its compare() window (column_info::window_first..window_last, taken a
/// little wider than compare() does) lies inside a zone, and *edge* when its window crosses a zone
/// boundary. For a pair with no differing edge column, compare()'s windows around the differing
/// inner columns of a zone lie inside it and merge with no other, and every variant they spell is
/// in the two states: the zone's share of compare()'s count is compare() on the two states alone,
/// a function of the two state ids, computed once (lazily) and kept in a table. Boundaries are cut
/// where the windows that cross them are rarest, so that pairs seldom differ at an edge column.
///
/// A coverage edge inside a zone changes what compare() sees there, so the tables are kept per zone
/// and per shape of the common range around the zone (its pieces there, and whether an insertion
/// after a piece's end is covered); each table's counts are compare() on the two states over a
/// common range of that shape.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mtmatch/compare.hpp"
#include "mtmatch/encode.hpp"

namespace mtmatch::detail {

class zone_table {
 public:
  /// A pair's differing zones fit a 64-bit mask.
  static constexpr std::size_t max_zones = 64;
  static constexpr std::uint32_t none = 0xFFFFFFFFU;

  /// Zones of the dictionary and state ids of every haplotype of both stores; the tables start empty.
  zone_table(const variant_dictionary& dictionary, const profile_store& a, const profile_store& b,
             const compare_policy& policy);

  [[nodiscard]] std::size_t zones() const noexcept { return zones_.size(); }
  [[nodiscard]] std::int32_t first(std::size_t z) const noexcept { return zones_[z].lo; }
  [[nodiscard]] std::int32_t last(std::size_t z) const noexcept { return zones_[z].hi; }
  /// Dense words: core columns inside a zone, and core columns at a zone edge.
  [[nodiscard]] const std::uint64_t* inner_mask() const noexcept { return inner_dense_.data(); }
  [[nodiscard]] const std::uint64_t* edge_mask() const noexcept { return edge_dense_.data(); }
  /// The zone an inner column lies in, `edge` for an edge column, `outside` otherwise.
  static constexpr std::uint8_t edge = 0xFE;
  static constexpr std::uint8_t outside = 0xFF;
  [[nodiscard]] std::uint8_t zone_of(std::uint32_t id) const noexcept { return zone_of_[id]; }

  /// The table of zone z for pairs compared over `common` (which meets the zone). Not thread-safe:
  /// call before counting.
  [[nodiscard]] std::uint32_t table_for(std::size_t z, const range& common);

  /// The share of compare()'s count of the zones in `zones` (bit z: zone z; the pair differs there)
  /// for haplotype ha (remains) against hb (relatives); `tables[z]` is table_for(z, their common
  /// range), or `none` for a zone the range misses. -1 when a state is beyond the tables (then
  /// settle the pair otherwise). Thread-safe.
  [[nodiscard]] int count(std::uint32_t ha, std::uint32_t hb, std::uint64_t zones, const std::uint32_t* tables) const;

 private:
  static constexpr std::uint32_t max_states = 4096;
  struct zone {
    std::int32_t lo = 0;
    std::int32_t hi = 0;
    std::vector<std::uint16_t> state_a;         // per remains haplotype
    std::vector<std::uint16_t> state_b;         // per relatives haplotype
    std::vector<std::vector<variant>> states;  // the variants of each state id (state 0: none)
  };
  struct table {
    std::size_t zone = 0;
    std::string shape;  // the common range around the zone (see table_for)
    range common;
    std::unique_ptr<std::atomic<std::int8_t>[]> counts;  // n x n, -1 = not computed yet
  };
  int lookup(const table& t, std::uint16_t sa, std::uint16_t sb) const;
  void assign_states(const variant_dictionary& dictionary, const profile_store& s, bool remains);

  compare_policy policy_;
  std::vector<zone> zones_;
  std::vector<table> tables_;
  std::vector<std::uint64_t> inner_dense_;
  std::vector<std::uint64_t> edge_dense_;
  std::vector<std::uint8_t> zone_of_;
};

}  // namespace mtmatch::detail
