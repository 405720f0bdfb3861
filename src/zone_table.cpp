#include "detail/zone_table.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <unordered_map>

#include "mtmatch/normalize.hpp"

namespace mtmatch::detail {
namespace {

// How far a zone boundary may move out from the windows of its own columns, looking for the cut
// that the fewest windows cross. Wider zones hold more distinct states (more table entries to
// compute); a few bases find a quiet cut in most places.
constexpr std::int32_t search_width = 10;

struct zone_span {
  std::int32_t lo;
  std::int32_t hi;
};

// Occurrences of the columns whose windows hold both position c - 1 and c (they cross a cut
// just before c), plus one per column so that rare columns count too.
std::uint64_t crossing_before(const variant_dictionary& d, std::int32_t c) {
  std::uint64_t weight = 0;
  for (std::uint32_t id = 0; id < d.size(); ++id) {
    const column_info& col = d.column(id);
    if (col.window_first < c && c <= col.window_last) weight += std::uint64_t{col.count} + 1;
  }
  return weight;
}

// Cuts [lo, hi] where the fewest windows cross, moving each end out by at most search_width.
zone_span cut(const variant_dictionary& d, zone_span z) {
  std::int32_t best_lo = z.lo;
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  for (std::int32_t c = z.lo; c >= z.lo - search_width; --c) {  // nearest first: ties keep the zone small
    const std::uint64_t w = crossing_before(d, c);
    if (w < best) best = w, best_lo = c;
  }
  std::int32_t best_hi = z.hi;
  best = std::numeric_limits<std::uint64_t>::max();
  for (std::int32_t c = z.hi; c <= z.hi + search_width; ++c) {
    const std::uint64_t w = crossing_before(d, c + 1);
    if (w < best) best = w, best_hi = c;
  }
  return {best_lo, best_hi};
}

std::vector<zone_span> choose_zones(const variant_dictionary& d) {
  // The length-variable stretches with the windows of the columns next to them. (Zones around other
  // columns with slack — second alleles, heteroplasmies, indels — were tried: in the dense control
  // region every cut is crossed by windows of common markers, so they blocked more pairs than they
  // took in.)
  std::vector<zone_span> zones;
  for (const stretch& st : length_variant_stretches) {
    zone_span z{repeat_block(st.first).first, repeat_block(st.last).last};
    for (std::uint32_t id = 0; id < d.size(); ++id) {
      const column_info& col = d.column(id);
      if (!near_length_stretch(col.first, col.last) || col.last < st.first - 3 || col.first > st.last + 3) continue;
      z.lo = std::min(z.lo, col.window_first);
      z.hi = std::max(z.hi, col.window_last);
    }
    zones.push_back(z);
  }
  auto touch = [](const zone_span& x, const zone_span& y) { return x.lo <= y.hi + 1 && y.lo <= x.hi + 1; };
  auto join = [](zone_span x, const zone_span& y) {
    x.lo = std::min(x.lo, y.lo);
    x.hi = std::max(x.hi, y.hi);
    return x;
  };
  for (bool merged = true; merged;) {  // stretches whose zones touch (515-524 and 568-573) share one
    merged = false;
    for (auto& z : zones) z = cut(d, z);
    for (std::size_t i = 0; i < zones.size() && !merged; ++i)
      for (std::size_t j = i + 1; j < zones.size() && !merged; ++j)
        if (touch(zones[i], zones[j])) {
          zones[i] = join(zones[i], zones[j]);
          zones.erase(zones.begin() + static_cast<std::ptrdiff_t>(j));
          merged = true;
        }
  }
  std::sort(zones.begin(), zones.end(), [](const zone_span& x, const zone_span& y) { return x.lo < y.lo; });
  return zones;
}

}  // namespace

zone_table::zone_table(const variant_dictionary& dictionary, const profile_store& a, const profile_store& b,
                       const compare_policy& policy)
    : policy_(policy) {
  const std::size_t n_dense = dictionary.dense_columns();
  inner_dense_.assign(dictionary.dense_words(), 0);
  edge_dense_.assign(dictionary.dense_words(), 0);
  zone_of_.assign(dictionary.size(), outside);
  for (const zone_span& s : choose_zones(dictionary)) {
    zone z;
    z.lo = s.lo;
    z.hi = s.hi;
    zones_.push_back(std::move(z));
  }
  reached_.assign(dictionary.size(), 0);
  tables_ = std::make_unique<std::unique_ptr<table>[]>(max_tables);
  for (std::uint32_t id = 0; id < dictionary.size(); ++id) {
    const column_info& c = dictionary.column(id);
    for (std::size_t z = 0; z < zones_.size(); ++z) {
      if (c.window_last < zones_[z].lo || c.window_first > zones_[z].hi) continue;
      const bool inside = zones_[z].lo <= c.window_first && c.window_last <= zones_[z].hi;
      zone_of_[id] = inside && zone_of_[id] == outside ? static_cast<std::uint8_t>(z) : edge;
      reached_[id] |= std::uint64_t{1} << z;
    }
    if (id < n_dense && zone_of_[id] < edge) inner_dense_[id / 64] |= std::uint64_t{1} << (id % 64);
    if (id < n_dense && zone_of_[id] == edge) edge_dense_[id / 64] |= std::uint64_t{1} << (id % 64);
  }
  for (zone& z : zones_) z.states.emplace_back();  // state 0: nothing in the zone
  assign_states(dictionary, a, true);
  assign_states(dictionary, b, false);
  assign_shapes(a, true);
  assign_shapes(b, false);
  for (zone& z : zones_) {
    const std::size_t n = z.shapes.size() * z.shapes.size();
    z.table_of = std::make_unique<std::atomic<std::uint32_t>[]>(n);
    for (std::size_t i = 0; i < n; ++i) z.table_of[i].store(unset, std::memory_order_relaxed);
  }
}

// State ids, shared by both stores: the columns a haplotype has that touch the zone.
void zone_table::assign_states(const variant_dictionary& dictionary, const profile_store& s, bool remains) {
  std::vector<std::unordered_map<std::string, std::uint16_t>> ids(zones_.size());
  for (std::size_t z = 0; z < zones_.size(); ++z) {
    (remains ? zones_[z].state_a : zones_[z].state_b).assign(s.haplotypes(), 0);
    // ids carry over from the remains: rebuild the map from the states already named
    for (std::size_t st = 1; st < zones_[z].states.size(); ++st) {
      std::string key;
      for (const variant& v : zones_[z].states[st]) {
        const std::uint32_t id = *dictionary.find(v);
        key.append(reinterpret_cast<const char*>(&id), sizeof id);
      }
      ids[z].emplace(std::move(key), static_cast<std::uint16_t>(st));
    }
  }
  std::vector<std::string> keys(zones_.size());
  std::vector<std::size_t> touched;
  for (std::uint32_t h = 0; h < s.haplotypes(); ++h) {
    touched.clear();
    for (std::uint32_t id : s.columns(h)) {  // ascending ids: each key lists its columns in order
      const column_info& c = dictionary.column(id);
      for (std::size_t z = 0; z < zones_.size(); ++z) {
        if (c.last < zones_[z].lo || c.first > zones_[z].hi) continue;
        if (keys[z].empty()) touched.push_back(z);
        keys[z].append(reinterpret_cast<const char*>(&id), sizeof id);
      }
    }
    for (std::size_t z : touched) {
      zone& zn = zones_[z];
      auto [it, added] = ids[z].emplace(keys[z], std::uint16_t{0xFFFF});
      if (added && zn.states.size() < max_states) {
        it->second = static_cast<std::uint16_t>(zn.states.size());
        std::vector<variant> vs;
        for (std::size_t i = 0; i < keys[z].size(); i += sizeof(std::uint32_t)) {
          std::uint32_t id = 0;
          std::copy_n(keys[z].data() + i, sizeof id, reinterpret_cast<char*>(&id));
          vs.push_back(dictionary.column(id).value);
        }
        std::sort(vs.begin(), vs.end());
        zn.states.push_back(std::move(vs));
      }
      (remains ? zn.state_a : zn.state_b)[h] = it->second;  // 0xFFFF: beyond the table
      keys[z].clear();
    }
  }
}

// What compare() sees of a range around the zone: the pieces there, and whether an insertion after
// a piece's end is covered where a window inside the zone could end there (as engine::count_window
// keys a cluster cut by an edge).
std::string zone_table::shape_of(const zone& z, const range& r) const {
  std::string shape;
  auto put = [&](std::int32_t x) { shape.append(reinterpret_cast<const char*>(&x), sizeof x); };
  for (const interval& piece : r.intervals()) {
    if (piece.last < z.lo - 1 || piece.first > z.hi + 1) continue;
    put(std::max(piece.first, z.lo - 1));
    put(std::min(piece.last, z.hi + 1));
    put(piece.last <= z.hi ? (r.contains_insertion(piece.last) ? 1 : 0) : 2);
  }
  return shape;
}

void zone_table::assign_shapes(const profile_store& s, bool remains) {
  for (zone& z : zones_) {
    std::unordered_map<std::string, std::uint16_t> ids;
    for (std::uint16_t i = 0; i < z.shapes.size(); ++i) ids.emplace(shape_of(z, z.shapes[i]), i);
    auto& out = remains ? z.shape_a : z.shape_b;
    out.assign(s.haplotypes(), 0);
    std::uint32_t last_index = 0xFFFFFFFFU;
    std::uint16_t last_id = 0;
    for (std::uint32_t h = 0; h < s.haplotypes(); ++h) {
      if (s.coverage_index(h) != last_index) {  // rows of a coverage are mostly together
        last_index = s.coverage_index(h);
        auto [it, added] = ids.emplace(shape_of(z, s.coverage(h)), std::uint16_t{0xFFFF});
        if (added && z.shapes.size() < max_shapes) {
          it->second = static_cast<std::uint16_t>(z.shapes.size());
          z.shapes.push_back(s.coverage(h));
        }
        last_id = it->second;  // 0xFFFF: beyond the tables
      }
      out[h] = last_id;
    }
  }
}

std::uint32_t zone_table::add_table(std::size_t z, const range& common) const {
  const zone& zn = zones_[z];
  std::string shape = shape_of(zn, common);
  for (std::uint32_t t = 0; t < n_tables_; ++t)
    if (tables_[t]->zone == z && tables_[t]->shape == shape) return t;
  const std::size_t n = zn.states.size();
  if (n_tables_ == max_tables || table_bytes_ + n * n > max_table_bytes) return none;
  table_bytes_ += n * n;
  auto t = std::make_unique<table>();
  t->zone = z;
  t->shape = std::move(shape);
  t->common = common;
  t->counts = std::make_unique<std::atomic<std::int8_t>[]>(n * n);
  for (std::size_t i = 0; i < n * n; ++i) t->counts[i].store(-1, std::memory_order_relaxed);
  tables_[n_tables_] = std::move(t);
  return static_cast<std::uint32_t>(n_tables_++);
}

int zone_table::lookup(const table& t, std::uint16_t sa, std::uint16_t sb) const {
  const zone& z = zones_[t.zone];
  std::atomic<std::int8_t>& cell = t.counts[std::size_t{sa} * z.states.size() + sb];
  int v = cell.load(std::memory_order_relaxed);
  if (v < 0) {
    // two threads may both compute it: the same number
    profile pa;
    profile pb;
    pa.coverage = t.common;
    pb.coverage = t.common;
    pa.variants = z.states[sa];
    pb.variants = z.states[sb];
    v = std::min(compare(pa, pb, policy_).differences, 127);
    cell.store(static_cast<std::int8_t>(v), std::memory_order_relaxed);
  }
  return v;
}

int zone_table::share(std::uint32_t ha, std::uint32_t hb, std::size_t zone_index) const {
  const zone& z = zones_[zone_index];
  const std::uint16_t sa = z.state_a[ha];
  const std::uint16_t sb = z.state_b[hb];
  const std::uint16_t ca = z.shape_a[ha];
  const std::uint16_t cb = z.shape_b[hb];
  const std::size_t n_shapes = z.shapes.size();
  if (sa >= z.states.size() || sb >= z.states.size() || ca >= n_shapes || cb >= n_shapes) return -1;
  std::atomic<std::uint32_t>& slot = z.table_of[std::size_t{ca} * n_shapes + cb];
  std::uint32_t t = slot.load(std::memory_order_acquire);
  if (t == unset) {
    std::lock_guard<std::mutex> lock(mutex_);
    t = slot.load(std::memory_order_relaxed);
    if (t == unset) {
      t = add_table(zone_index, z.shapes[ca].intersect(z.shapes[cb]));
      slot.store(t, std::memory_order_release);
    }
  }
  if (t == none) return -1;
  return lookup(*tables_[t], sa, sb);
}

int zone_table::share(std::uint32_t ha, std::uint32_t hb, std::size_t zone_index, row_cache& cache) const {
  const zone& z = zones_[zone_index];
  row_cache::entry& e = cache.entries_[zone_index];
  const std::uint16_t sb = z.state_b[hb];
  if (e.ha == ha && e.shape == z.shape_b[hb] && sb < z.states.size()) {
    const int v = e.row[sb].load(std::memory_order_relaxed);
    if (v >= 0) return v;
  }
  const int v = share(ha, hb, zone_index);  // finds (or adds) the table and fills the cell
  if (v < 0) return v;
  // share() found the table: remember the row
  const std::uint16_t ca = z.shape_a[ha];
  const std::uint32_t t = z.table_of[std::size_t{ca} * z.shapes.size() + z.shape_b[hb]].load(std::memory_order_acquire);
  e = {ha, z.shape_b[hb], tables_[t]->counts.get() + std::size_t{z.state_a[ha]} * z.states.size()};
  return v;
}

int zone_table::count(std::uint32_t ha, std::uint32_t hb, std::uint64_t zones) const {
  int total = 0;
  for (; zones != 0; zones &= zones - 1) {
    const int n = share(ha, hb, static_cast<std::size_t>(std::countr_zero(zones)));
    if (n < 0) return -1;
    total += n;
  }
  return total;
}

}  // namespace mtmatch::detail
