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
/// common range of that shape. Each haplotype's own coverage has a shape id per zone too, so that a
/// pair finds its table from the two ids.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
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

  /// The zones an edge column's window reaches into (bit z: zone z).
  [[nodiscard]] std::uint64_t zones_reached(std::uint32_t id) const noexcept { return reached_[id]; }

  /// The share of compare()'s count of the zones in `zones` (bit z: zone z; the pair differs there)
  /// for haplotype ha (remains) against hb (relatives), over their common range; -1 when a state or
  /// a coverage shape is beyond the tables (then settle the pair otherwise). Thread-safe.
  [[nodiscard]] int count(std::uint32_t ha, std::uint32_t hb, std::uint64_t zones) const;
  /// The same for one zone.
  [[nodiscard]] int share(std::uint32_t ha, std::uint32_t hb, std::size_t zone) const;

  /// Each zone's table row for one remains haplotype against relatives of one coverage shape: a
  /// query's pairs read their shares from it (one byte each) instead of finding the table anew.
  /// Owned by one thread; valid for this zone_table only.
  class row_cache {
    friend class zone_table;
    struct entry {
      std::uint32_t ha = 0xFFFFFFFFU;
      std::uint16_t shape = 0;
      const std::atomic<std::int8_t>* row = nullptr;
    };
    entry entries_[max_zones];
  };
  /// share() through a row_cache.
  [[nodiscard]] int share(std::uint32_t ha, std::uint32_t hb, std::size_t zone, row_cache& cache) const;

 private:
  static constexpr std::uint32_t max_states = 4096;
  static constexpr std::uint32_t max_shapes = 256;
  struct zone {
    std::int32_t lo = 0;
    std::int32_t hi = 0;
    std::vector<std::uint16_t> state_a;         // per remains haplotype
    std::vector<std::uint16_t> state_b;         // per relatives haplotype
    std::vector<std::vector<variant>> states;  // the variants of each state id (state 0: none)
    std::vector<std::uint16_t> shape_a;         // per remains haplotype: its coverage's shape id
    std::vector<std::uint16_t> shape_b;
    std::vector<range> shapes;                  // a coverage of each shape id
    std::unique_ptr<std::atomic<std::uint32_t>[]> table_of;  // shape x shape -> table, `unset` until needed
  };
  static constexpr std::uint32_t unset = 0xFFFFFFFEU;
  static constexpr std::uint32_t none = 0xFFFFFFFFU;  // no room for another table
  [[nodiscard]] std::string shape_of(const zone& z, const range& r) const;
  struct table {
    std::size_t zone = 0;
    std::string shape;  // the common range around the zone (see shape_of)
    range common;
    std::unique_ptr<std::atomic<std::int8_t>[]> counts;  // n x n, -1 = not computed yet
  };
  int lookup(const table& t, std::uint16_t sa, std::uint16_t sb) const;
  void assign_states(const variant_dictionary& dictionary, const profile_store& s, bool remains);
  void assign_shapes(const profile_store& s, bool remains);
  std::uint32_t add_table(std::size_t z, const range& common) const;

  compare_policy policy_;
  std::vector<zone> zones_;
  // Tables are added (under the mutex) while other threads read them: a fixed array, so they never move.
  static constexpr std::size_t max_tables = 4096;
  // and at most this many bytes of counts in all (one table is at most max_states^2 = 16 MB): past
  // it, pairs that would need another table are settled instead
  static constexpr std::size_t max_table_bytes = std::size_t{1} << 30;
  std::unique_ptr<std::unique_ptr<table>[]> tables_;
  mutable std::size_t n_tables_ = 0;
  mutable std::size_t table_bytes_ = 0;
  mutable std::mutex mutex_;  // guards adding tables
  std::vector<std::uint64_t> reached_;
  std::vector<std::uint64_t> inner_dense_;
  std::vector<std::uint64_t> edge_dense_;
  std::vector<std::uint8_t> zone_of_;
};

}  // namespace mtmatch::detail
