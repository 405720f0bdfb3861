#include "mtmatch/match.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <xxhash.h>

#include "detail/shift_chains.hpp"
#include "detail/zone_table.hpp"
#include "mtmatch/detail/kernels.hpp"
#include "mtmatch/error.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {

void match_options::validate() const {
  policy.validate();
  if (max_differences && *max_differences < 0) throw error("match: max_differences must be >= 0");
  if (max_differences && *max_differences > 60000) throw error("match: max_differences must be <= 60000");
  if (!max_differences && !top_k) throw error("match: give max_differences, top_k or both");
  if (top_k && *top_k == 0) throw error("match: top_k must be >= 1");
  if (counts_only && !max_differences) throw error("match: counts_only needs max_differences");
  if (counts_only && top_k) throw error("match: counts_only and top_k cannot be combined");
  if (rank_key && !top_k) throw error("match: rank_key orders top_k lists; give top_k");
  if (group_identical && (top_k || counts_only))
    throw error("match: group_identical groups threshold results; it cannot be combined with top_k or counts_only");
  if (force_isa && !cpu_supports(*force_isa))
    throw error(std::string("match: this CPU cannot run the ") + to_string(*force_isa) + " kernels");
}

namespace {

using detail::block_rows;
constexpr int unbounded = std::numeric_limits<int>::max() / 4;
// compare()'s alignment may read a run of substitutions inside one window as a shifted stretch:
// an insertion plus a deletion (2 events) instead of m >= 3 substitutions. Pairs whose slack bound
// exceeds the threshold by at most this much, and whose chain bound (detail/shift_chains.hpp, in the
// kernels: detail::link_bound) does not rule them out, are checked: the links exactly, then the
// crowded windows; larger re-readings would need a tandem stretch with more than 5 differing
// substitutions in one window, which mtDNA profiles do not have (see match.hpp).
constexpr int shift_margin = 3;

// This file is built for the x86-64 baseline (no POPCNT instruction): a branch-free popcount beats
// the libgcc call std::popcount becomes there. The kernels have their own.
inline int popcount64(std::uint64_t x) noexcept {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
}

// Everything about one (remains class, relatives class) pair, computed once per run.
struct class_pair {
  std::uint16_t ca = 0;
  std::uint16_t cb = 0;
  std::int32_t compared_length = 0;
  bool cb_within_ca = false;
  range common;           // relatives' coverage inside the remains': their counts are exact
  std::vector<std::uint32_t> full;     // words read whole
  std::vector<std::uint32_t> edge;     // words read through a mask
  std::vector<std::uint64_t> edge_mask;
  std::vector<std::uint64_t> count_mask_b;  // ordinary core columns inside cb (for the count filter)
  std::vector<std::uint32_t> cover_word;    // words with columns inside both coverages (for settling)
  std::vector<std::uint64_t> cover_mask;
  std::vector<std::uint64_t> substitution_mask;  // cover_mask without indels (for shift_relief)
  std::vector<std::uint64_t> kernel_mask;   // per word, what the kernel plan reads (0 = skipped)
  // The zone path (detail/zone_table.hpp), per cover word: differing columns it looks at one by one
  // (neither counted by the kernel nor inside a zone, or at a zone edge), substitutions outside the
  // zones (their shifted readings are not in a table); and per zone, the words holding its inner
  // columns (the table counts them, in place of what the kernel counted there).
  std::vector<std::uint64_t> zone_special;
  std::vector<std::uint64_t> outside_substitutions;
  struct zone_word {
    std::uint32_t zone;
    std::uint32_t cover;     // index into cover_word
    std::uint64_t inner;     // the zone's inner columns in that word
    std::uint64_t counted;   // of those, what the kernel counts
  };
  std::vector<zone_word> zone_words;
  std::vector<std::int32_t> cover_of_word;  // index into cover_word, or -1
  // For the first bound of engine::zone_count, per cover word: the edge columns reaching each zone (in `inner`),
  // and the plain second alleles outside the zones whose windows both coverages hold.
  std::vector<zone_word> zone_edges;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> plain_words;  // (index into cover_word, mask)
  // The hash bits of the tail signatures (engine::tail_sig_a_) whose columns both coverages hold.
  std::uint64_t tail_sig_safe = 0;
  [[nodiscard]] detail::word_plan plan() const noexcept {
    return {full.data(), full.size(), edge.data(), edge_mask.data(), edge.size()};
  }
  // What detail::link_bound reads: the substitutions both coverages hold.
  [[nodiscard]] detail::word_plan link_plan() const noexcept {
    return {nullptr, 0, cover_word.data(), substitution_mask.data(), cover_word.size()};
  }
};

// One haplotype pair being settled: its class pair and, when a missing stretch makes either side
// ragged, the exact common range (nullptr until ragged_commons::resolve: most pairs never need it).
struct pair_view {
  const class_pair* cp = nullptr;
  const range* common = nullptr;
  std::int32_t compared_length = 0;
  bool ragged = false;
  std::uint32_t ha = 0;
  std::uint32_t hb = 0;
};

// The common ranges of ragged pairs, remembered per pair of coverages in a small direct-mapped
// cache (a query meets the same few hundred coverages of a tile's ragged rows again and again; a
// remembered range is reused in place). One per worker; pv.common points into it until the next
// resolve().
class ragged_commons {
 public:
  void resolve(const profile_store& a, const profile_store& b, pair_view& pv) {
    const std::uint64_t key = std::uint64_t{a.coverage_index(pv.ha)} << 32 | b.coverage_index(pv.hb);
    slot& s = slots_[(key * 0x9E3779B97F4A7C15ULL) >> (64 - slot_bits)];
    if (s.key != key) {
      s.key = key;
      a.coverage(pv.ha).intersect(b.coverage(pv.hb), s.common);
      s.length = s.common.length() - (s.common.contains(3107) ? 1 : 0);
    }
    pv.common = &s.common;
    pv.compared_length = s.length;
  }

 private:
  static constexpr unsigned slot_bits = 9;
  struct slot {
    std::uint64_t key = ~std::uint64_t{0};
    range common;
    std::int32_t length = 0;
  };
  std::vector<slot> slots_ = std::vector<slot>(std::size_t{1} << slot_bits);
};

struct pair_record {
  std::uint32_t a;  // remains haplotype
  std::uint32_t b;  // relatives haplotype
  std::int32_t length;
  std::uint16_t d;
};

// A pair a work item found, as the item keeps it until the run's end: its rows as offsets from the
// item's first rows (an item spans < 65536 rows of each side), so that a record takes 8 bytes. A
// national threshold run keeps hundreds of millions of them, and on a virtual machine the first
// touch of fresh memory costs more than the writes.
struct found_pair {
  std::uint16_t a;       // remains row - work_item::q_begin
  std::uint16_t b;       // relatives row - work_item::r_begin
  std::uint16_t d;
  std::uint16_t length;  // compared length (<= the rCRS length)
};
static_assert(sizeof(found_pair) == 8);

// One profile pair of a result, before it goes into the columns.
struct row {
  std::uint32_t a, b;
  std::uint16_t d;
  std::int32_t length;
  verdict v;
};

// Expands haplotype pairs to profile pairs sorted by remains index, then relative index.
// `each(f)` calls f(pair_record, verdict) for every haplotype pair.
template <class Each>
std::vector<row> expand_rows(const profile_store& a, const profile_store& b, Each&& each) {
  // Bucket by remains index, then sort each (short) bucket by relative index.
  std::vector<std::size_t> start(a.size() + 1, 0);
  each([&](const pair_record& p, verdict) {
    for (std::uint32_t ma : a.members(p.a)) start[ma + 1] += b.members(p.b).size();
  });
  for (std::size_t i = 0; i < a.size(); ++i) start[i + 1] += start[i];
  std::vector<row> rows(start.back());
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  each([&](const pair_record& p, verdict v) {
    for (std::uint32_t ma : a.members(p.a))
      for (std::uint32_t mb : b.members(p.b)) rows[fill[ma]++] = {ma, mb, p.d, p.length, v};
  });
  for (std::size_t i = 0; i < a.size(); ++i)
    std::sort(rows.begin() + static_cast<std::ptrdiff_t>(start[i]), rows.begin() + static_cast<std::ptrdiff_t>(start[i + 1]),
              [](const row& x, const row& y) { return x.b < y.b; });
  return rows;
}

void fill_columns(match_result& result, const std::vector<row>& rows) {
  result.remains.resize(rows.size());
  result.relative.resize(rows.size());
  result.differences.resize(rows.size());
  result.compared_length.resize(rows.size());
  result.verdicts.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    result.remains[i] = rows[i].a;
    result.relative[i] = rows[i].b;
    result.differences[i] = rows[i].d;
    result.compared_length[i] = rows[i].length;
    result.verdicts[i] = rows[i].v;
  }
  result.profile_pairs = rows.size();
}

struct top_entry {
  int d;
  std::int32_t length;
  std::uint32_t b;
  std::uint32_t first_member;  // smallest relative index of the haplotype: tie-break
  std::uint32_t multiplicity;
};

bool top_before(const top_entry& x, const top_entry& y) noexcept {
  if (x.d != y.d) return x.d < y.d;
  if (x.length != y.length) return x.length > y.length;
  return x.first_member < y.first_member;
}

// One unit of parallel work: a run of remains rows × a run of relatives rows of one class pair.
struct work_item {
  std::uint32_t pair;
  std::uint32_t q_begin, q_end;
  std::uint32_t r_begin, r_end;
  [[nodiscard]] pair_record record(const found_pair& p) const noexcept {
    return {q_begin + p.a, r_begin + p.b, p.length, p.d};
  }
};

struct item_output {
  std::vector<found_pair> pairs;
  std::vector<std::vector<top_entry>> top;  // per query row of the item
  std::vector<std::uint32_t> counts;        // per query row × (k+1)
  std::uint64_t kernel_pairs = 0;
  std::uint64_t candidates = 0;
  std::uint64_t settled = 0;
  std::uint64_t reference_calls = 0;
};

// Memo of cluster counts (count_window), shared by the worker threads of one run: clusters repeat
// across pairs (haplogroup motifs, C-tract lengths), and compare() on a cluster costs microseconds.
// Sharded by key hash so that two threads rarely wait for each other; each shard is an open-addressing
// table (a slot holds the hash, the key's place in the shard's arena and the count; keys are compared
// in full, so a hash collision costs a probe, never a wrong count). At most ~14 MB per shard.
class window_memo {
 public:
  std::optional<int> find(std::string_view key) const {
    const std::uint64_t h = XXH3_64bits(key.data(), key.size());
    const shard& s = shards_[h % shards];
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.slots.empty()) return std::nullopt;
    for (std::size_t i = (h >> 8) & (s.slots.size() - 1);; i = (i + 1) & (s.slots.size() - 1)) {
      const slot& x = s.slots[i];
      if (x.length == 0) return std::nullopt;
      if (x.hash == h && x.length == key.size() && std::memcmp(s.keys.data() + x.offset, key.data(), key.size()) == 0)
        return x.count;
    }
  }
  void insert(std::string_view key, int count) {
    const std::uint64_t h = XXH3_64bits(key.data(), key.size());
    shard& s = shards_[h % shards];
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.used >= max_per_shard || s.keys.size() + key.size() > max_key_bytes) {  // bounds memory on pathological inputs
      s.slots.clear();
      s.keys.clear();
      s.used = 0;
    }
    if (s.slots.empty()) s.slots.assign(initial_slots, slot{});
    if (2 * (s.used + 1) > s.slots.size()) grow(s);
    put(s, {h, static_cast<std::uint32_t>(s.keys.size()), static_cast<std::uint32_t>(key.size()), count});
    s.keys.append(key);
    ++s.used;
  }

 private:
  static constexpr std::size_t shards = 64;
  static constexpr std::size_t max_per_shard = std::size_t{1} << 17;
  static constexpr std::size_t max_key_bytes = std::size_t{8} << 20;
  static constexpr std::size_t initial_slots = 1024;
  struct slot {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;  // 0: empty (keys are never empty)
    int count = 0;
  };
  struct shard {
    mutable std::mutex mutex;
    std::vector<slot> slots;  // a power of two, at most half full
    std::string keys;
    std::size_t used = 0;
  };
  static void put(shard& s, const slot& x) {
    std::size_t i = (x.hash >> 8) & (s.slots.size() - 1);
    while (s.slots[i].length != 0) i = (i + 1) & (s.slots.size() - 1);
    s.slots[i] = x;
  }
  static void grow(shard& s) {
    std::vector<slot> old(s.slots.size() * 2);
    old.swap(s.slots);
    for (const slot& x : old)
      if (x.length != 0) put(s, x);
  }
  mutable std::array<shard, shards> shards_;
};

// The core columns in each ragged haplotype's missing stretches (profile_store::missing_dense) as
// dense words, for the per-pair paths: nullptr for a haplotype without any.
class missing_masks {
 public:
  missing_masks(const profile_store& s, std::size_t words) : words_(words), index_(s.haplotypes(), none) {
    for (std::uint32_t h = 0; h < s.haplotypes(); ++h) {
      if (s.missing_dense(h).empty()) continue;
      index_[h] = static_cast<std::uint32_t>(masks_.size() / words_);
      masks_.resize(masks_.size() + words_, 0);
      std::uint64_t* m = masks_.data() + masks_.size() - words_;
      for (std::uint32_t id : s.missing_dense(h)) m[id / 64] |= std::uint64_t{1} << (id % 64);
    }
  }
  [[nodiscard]] const std::uint64_t* of(std::uint32_t h) const noexcept {
    return index_[h] == none ? nullptr : masks_.data() + std::size_t{index_[h]} * words_;
  }

 private:
  static constexpr std::uint32_t none = 0xFFFFFFFFU;
  std::size_t words_;
  std::vector<std::uint32_t> index_;
  std::vector<std::uint64_t> masks_;
};

struct diff_column {
  std::uint32_t id;
  std::int32_t window_first;
  std::uint8_t owner;  // 0 = remains, 1 = relative
};

class engine {
 public:
  engine(const profile_store& a, const profile_store& b, const match_options& options)
      : a_(a), b_(b), opt_(options), dict_(a.dictionary()), words_(dict_.dense_words()) {
    level_ = options.force_isa ? *options.force_isa : active_isa();
    threshold_ = options.max_differences ? *options.max_differences : unbounded;
    brief_.resize(dict_.size());
    for (std::uint32_t id = 0; id < dict_.size(); ++id) {
      const column_info& c = dict_.column(id);
      // plain: a substitution compare() can only count as one event, whatever differs beside it
      // (no IUPAC code, away from the length-variable stretches, not cut by a coverage edge)
      const bool plain = !c.value.is_indel() && !c.is(column_heteroplasmy) && !c.is(column_coverage_boundary) &&
                         !near_length_stretch(c.first, c.last);
      const bool counting_length = !options.policy.ignore_length_variants;
      const bool firm = (counting_length ? c.slack_counted : c.slack) == 0 && !c.is(column_length_variant);
      auto alone = [&](int owner) {
        return static_cast<std::uint8_t>(c.alone(owner, options.policy.ignore_length_variants, options.policy.pattern_match_heteroplasmy));
      };
      const bool simple = !c.value.is_indel() && !c.is(column_coverage_boundary) && !c.is(column_length_variant) &&
                          !near_length_stretch(c.first, c.last);
      brief_[id] = {c.window_first, c.window_last, static_cast<std::uint8_t>(c.value.is_indel() ? 1 : 0),
                    static_cast<std::uint8_t>(plain ? 1 : 0), static_cast<std::uint8_t>(firm ? 1 : 0), {alone(0), alone(1)},
                    static_cast<std::uint8_t>(simple ? 1 : 0), c.site, c.first, c.last};
    }
    // the positions and windows each dense word's columns span, at most (the per-pair paths skip
    // words off a cluster or a window)
    word_first_.assign(words_, std::numeric_limits<std::int32_t>::max());
    word_last_.assign(words_, std::numeric_limits<std::int32_t>::min());
    word_window_first_ = word_first_;
    word_window_last_ = word_last_;
    for (std::uint32_t id = 0; id < dict_.dense_columns(); ++id) {
      word_first_[id / 64] = std::min(word_first_[id / 64], brief_[id].first);
      word_last_[id / 64] = std::max(word_last_[id / 64], brief_[id].last);
      word_window_first_[id / 64] = std::min(word_window_first_[id / 64], brief_[id].window_first);
      word_window_last_[id / 64] = std::max(word_window_last_[id / 64], brief_[id].window_last);
    }
    // each column's window neighbours: dense ones as word masks, tail ones sorted
    neighbour_begin_.push_back(0);
    tail_neighbour_begin_.push_back(0);
    for (std::uint32_t id = 0; id < dict_.size(); ++id) {
      std::vector<std::uint32_t> ns(dict_.window_neighbours(id).begin(), dict_.window_neighbours(id).end());
      std::sort(ns.begin(), ns.end());
      for (std::uint32_t n : ns) {
        if (n >= dict_.dense_columns()) {
          tail_neighbours_.push_back(n);
        } else if (neighbour_words_.size() > neighbour_begin_.back() && neighbour_words_.back().first == n / 64) {
          neighbour_words_.back().second |= std::uint64_t{1} << (n % 64);
        } else {
          neighbour_words_.push_back({n / 64, std::uint64_t{1} << (n % 64)});
        }
      }
      neighbour_begin_.push_back(static_cast<std::uint32_t>(neighbour_words_.size()));
      tail_neighbour_begin_.push_back(static_cast<std::uint32_t>(tail_neighbours_.size()));
    }
    const std::uint8_t* slack_b = b_.slacks(!options.policy.ignore_length_variants);
    allowance_.assign((b_.haplotypes() + block_rows - 1) / block_rows * block_rows, 0);  // whole blocks
    for (std::uint32_t r = 0; r < b_.haplotypes(); ++r)
      allowance_[r] = slack_b[r];
    missing_blocks_b_.assign((b_.haplotypes() + block_rows - 1) / block_rows * block_rows * words_, 0);
    for (std::uint32_t r = 0; r < b_.haplotypes(); ++r)
      for (std::uint32_t id : b_.missing_dense(r))
        missing_blocks_b_[(std::size_t{r} / block_rows * words_ + id / 64) * block_rows + r % block_rows] |= std::uint64_t{1} << (id % 64);
    substitution_dense_.assign(words_, 0);
    for (std::uint32_t id = 0; id < dict_.dense_columns(); ++id)
      if (brief_[id].is_indel == 0) substitution_dense_[id / 64] |= std::uint64_t{1} << (id % 64);
    zones_ = std::make_unique<detail::zone_table>(dict_, a_, b_, options.policy);
    zone_inner_.assign(zones_->zones() * words_, 0);
    for (std::uint32_t id = 0; id < dict_.dense_columns(); ++id)
      if (const std::uint8_t z = zones_->zone_of(id); z < detail::zone_table::edge)
        zone_inner_[z * words_ + id / 64] |= std::uint64_t{1} << (id % 64);
    std::unordered_map<std::int32_t, std::vector<std::uint32_t>> firm_of_site;
    for (std::uint32_t id = 0; id < dict_.dense_columns(); ++id)
      if (brief_[id].firm != 0) firm_of_site[brief_[id].site].push_back(id);
    site_firm_.resize(dict_.size());
    for (std::uint32_t id = 0; id < dict_.size(); ++id) {
      site_columns& sc = site_firm_[id];
      const auto it = firm_of_site.find(brief_[id].site);
      if (it == firm_of_site.end()) continue;  // none: word 0, empty masks
      sc.word = it->second.front() / 64;
      for (std::uint32_t o : it->second) {
        if (o == id) continue;
        if (o / 64 > sc.word + 1) sc.word = scattered;
        if (sc.word == scattered) break;
        (o / 64 == sc.word ? sc.first : sc.second) |= std::uint64_t{1} << (o % 64);
      }
    }
    missing_a_ = std::make_unique<missing_masks>(a_, words_);
    missing_b_ = std::make_unique<missing_masks>(b_, words_);
    build_excess_lists();
    build_pairs();
    build_items();
    chains_a_ = detail::chain_masks(dict_, a_);
    chains_b_ = detail::chain_masks(dict_, b_);
    for (const auto& [store, reach] : {std::pair{&a_, &tail_reach_a_}, std::pair{&b_, &tail_reach_b_}}) {
      reach->assign(store->haplotypes(), 0);
      for (std::uint32_t h = 0; h < store->haplotypes(); ++h)
        for (std::uint32_t id : store->tail(h))
          if (zones_->zone_of(id) >= detail::zone_table::edge) (*reach)[h] |= zones_->zones_reached(id);
    }
    for (const auto& [store, sig] : {std::pair{&a_, &tail_sig_a_}, std::pair{&b_, &tail_sig_b_}}) {
      sig->assign((store->haplotypes() + block_rows - 1) / block_rows * block_rows, 0);
      for (std::uint32_t h = 0; h < store->haplotypes(); ++h)
        for (std::uint32_t id : store->tail(h))
          if (firm_outside_zones(id)) (*sig)[h] |= tail_sig_bit(id);
    }
  }

  match_result run();

 private:
  void build_pairs();
  void build_items();
  void run_item(const work_item& item, item_output& out) const;
  // compare()'s count for the pair; once the count passes `stop_above`, any count above it (a
  // lower bound: the rest is not looked at).
  int settle(const std::uint64_t* qa, const pair_view& pv, int stop_above, std::vector<diff_column>& scratch,
             bool& used_reference) const;
  [[nodiscard]] bool covered(const pair_view& pv, std::uint32_t id) const noexcept {
    if (!dict_.class_covers(pv.cp->ca, id) || !dict_.class_covers(pv.cp->cb, id)) return false;
    if (!pv.ragged) return true;
    if (id < dict_.dense_columns()) {  // inside the classes: covered unless in a missing stretch
      const std::uint64_t bit = std::uint64_t{1} << (id % 64);
      const std::uint64_t* ma = missing_a_->of(pv.ha);
      const std::uint64_t* mb = missing_b_->of(pv.hb);
      return (ma == nullptr || (ma[id / 64] & bit) == 0) && (mb == nullptr || (mb[id / 64] & bit) == 0);
    }
    return a_.covers(pv.ha, id) && b_.covers(pv.hb, id);
  }
  bool neighbour_present(const std::uint64_t* qa, const std::uint64_t* rb, std::span<const std::uint32_t> ta,
                         std::span<const std::uint32_t> tb, const pair_view& pv, std::uint32_t id) const;
  int shift_relief(const std::uint64_t* qa, std::uint32_t ha, std::uint32_t hb, const class_pair& cp, int needed) const;
  int chain_links(const std::uint64_t* qa, std::uint32_t ha, std::uint32_t hb, const class_pair& cp,
                  const std::uint64_t* substitutions) const noexcept;
  int tail_chain_links(const std::uint64_t* qa, std::uint32_t ha, std::uint32_t hb, const class_pair& cp) const noexcept;
  int firm_tail_differences(const pair_view& pv) const noexcept;
  struct zone_outcome {
    int count;   // compare()'s count, or when not exact a lower bound on it
    bool exact;  // else the pair needs settling (unless the bound exceeds what is kept)
  };
  zone_outcome zone_count(const std::uint64_t* qa, pair_view& pv, int kernel_count, int links, int firm_tail,
                          int excess_slack, int keep_at_most, ragged_commons& commons, detail::zone_table::row_cache& rows) const;
  int count_window(std::int32_t lo, std::int32_t hi, const std::uint64_t* qa, std::span<const std::uint32_t> ta,
                   const std::uint64_t* rb, std::span<const std::uint32_t> tb, const pair_view& pv,
                   std::span<const diff_column> cluster) const;
  void collect(match_result& result, std::vector<item_output>& outputs) const;
  // f(i) for i in [0, n), on the run's threads (one thread: in order).
  template <class F>
  void parallel(std::size_t n, F&& f) const {
    if (opt_.threads == 1 || n < 2) {
      for (std::size_t i = 0; i < n; ++i) f(i);
      return;
    }
    tbb::task_arena arena(opt_.threads == 0 ? tbb::task_arena::automatic : static_cast<int>(opt_.threads));
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) f(i);
      });
    });
  }
  std::vector<std::pair<top_entry, std::uint32_t>> rank_by_key(std::uint32_t ha, std::vector<top_entry>& list) const;
  [[nodiscard]] verdict verdict_of(int d, std::int32_t length) const noexcept {
    if (length == 0) return verdict::no_overlap;
    if (d < opt_.policy.inconclusive_at) return verdict::match;
    if (d < opt_.policy.exclusion_at) return verdict::inconclusive;
    return verdict::exclusion;
  }

  const profile_store& a_;
  const profile_store& b_;
  const match_options& opt_;
  const variant_dictionary& dict_;
  std::size_t words_;
  isa level_ = isa::scalar;
  int threshold_ = 0;
  // What the hot loops need of each column, packed (column_info is large and scattered).
  struct column_brief {
    std::int32_t window_first;
    std::int32_t window_last;
    std::uint8_t is_indel;
    std::uint8_t plain;
    std::uint8_t firm;      // one event whenever it differs, under this policy (no slack, not a length variant)
    std::uint8_t alone[2];  // compare()'s count when it is the only difference in its window: the remains have it, the relative
    std::uint8_t simple;    // a substitution (IUPAC codes too) away from the length-variable stretches and coverage edges
    std::int32_t site;
    std::int32_t first;  // rCRS positions it touches (column_info::first, last)
    std::int32_t last;
  };
  std::vector<column_brief> brief_;
  std::vector<std::int32_t> word_first_;
  std::vector<std::int32_t> word_last_;
  std::vector<std::int32_t> word_window_first_;
  std::vector<std::int32_t> word_window_last_;
  // dictionary::window_neighbours(id), per id: the dense ones as (word, mask), the tail ones sorted
  std::vector<std::uint32_t> neighbour_begin_;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> neighbour_words_;
  std::vector<std::uint32_t> tail_neighbour_begin_;
  std::vector<std::uint32_t> tail_neighbours_;
  std::vector<std::uint64_t> substitution_dense_;  // core columns that are not indels
  std::vector<std::uint64_t> zone_inner_;          // per zone, its inner core columns (words_ words each)
  // Per haplotype, the zones its tail columns outside the zones reach (zone_count's first bound
  // takes them as differing: it does not read the tails).
  std::vector<std::uint64_t> tail_reach_a_;
  std::vector<std::uint64_t> tail_reach_b_;
  // Per haplotype, its firm tail columns outside the zones hashed to one bit each (tail_sig_bit):
  // the link kernel adds the bits the two signatures do not share to its bound, a lower bound of
  // firm_tail_differences() where both coverages hold the columns (class_pair::tail_sig_safe).
  // The relatives' array is padded to whole blocks of rows.
  std::vector<std::uint64_t> tail_sig_a_;
  std::vector<std::uint64_t> tail_sig_b_;
  // Columns with excess slack (column_info::slack - 1 > 0 under the policy: heteroplasmies, mostly)
  // and, per such column, the core columns whose windows meet its own (not itself) as (word, mask);
  // per haplotype of each side, its columns with excess slack (for pair_excess).
  struct excess_lists {
    std::vector<std::uint32_t> begin{0};
    std::vector<std::uint32_t> ids;
    [[nodiscard]] std::span<const std::uint32_t> of(std::uint32_t h) const noexcept {
      return {ids.data() + begin[h], ids.data() + begin[h + 1]};
    }
  };
  std::vector<std::uint8_t> column_excess_;
  std::vector<std::uint32_t> meets_begin_;  // per column, into meets_ (empty for columns without excess slack)
  std::vector<std::pair<std::uint32_t, std::uint64_t>> meets_;
  excess_lists excess_a_;
  excess_lists excess_b_;
  void build_excess_lists();
  int pair_excess(const std::uint64_t* qa, std::uint32_t ha, std::uint32_t hb) const;
  // Relatives haplotype hb's core words in the block-interleaved rows: word w at [w * block_rows].
  [[nodiscard]] const std::uint64_t* row_b(std::uint32_t hb) const noexcept {
    return b_.blocks() + (std::size_t{hb} / block_rows * words_) * block_rows + hb % block_rows;
  }
  [[nodiscard]] bool firm_outside_zones(std::uint32_t id) const noexcept {
    return brief_[id].firm != 0 && zones_->zone_of(id) >= detail::zone_table::edge;
  }
  static std::uint64_t tail_sig_bit(std::uint32_t id) noexcept {
    return std::uint64_t{1} << ((std::uint64_t{id} * 0x9E3779B97F4A7C15ULL) >> 58);
  }
  // Per column (core and tail), the other firm core columns of its site (contiguous ids: the dictionary orders
  // ordinary columns by site), as masks over words `word` and `word + 1`.
  struct site_columns {
    std::uint32_t word = 0;  // `scattered`: more than two words apart (look one by one)
    std::uint64_t first = 0;
    std::uint64_t second = 0;
  };
  static constexpr std::uint32_t scattered = 0xFFFFFFFFU;
  std::vector<site_columns> site_firm_;
  // Per relatives row, how far its link-bounded count (detail::link_bound) may exceed the remains'
  // limit and still need a look: its slack.
  std::vector<std::uint16_t> allowance_;
  // The relatives' missing stretches (profile_store::missing_dense) block-interleaved like their rows
  // (zero for clean rows), for detail::count_shared_tile.
  std::vector<std::uint64_t, xsimd::aligned_allocator<std::uint64_t, 64>> missing_blocks_b_;
  std::vector<class_pair> pairs_;
  std::vector<work_item> items_;
  // The relatives' and the remains' shift-chain masks (detail/shift_chains.hpp).
  detail::chain_masks chains_a_;
  detail::chain_masks chains_b_;
  std::unique_ptr<detail::zone_table> zones_;
  std::unique_ptr<missing_masks> missing_a_;
  std::unique_ptr<missing_masks> missing_b_;
  std::uint64_t total_pairs_ = 0;
  mutable window_memo memo_;
  // Top-k runs: per remains haplotype, the smallest k-th difference count any item's list has
  // reached (`unbounded` until one fills). Each item keeps its own list, but the relatives rows of
  // different items are different profiles, so a bound one item reached holds for the others.
  std::unique_ptr<std::atomic<int>[]> top_bound_;
};

std::vector<std::uint16_t> classes_of(const profile_store& s) {
  std::vector<std::uint16_t> out;
  for (std::uint32_t h = 0; h < s.haplotypes(); h = s.class_end(s.coverage_class(h))) out.push_back(s.coverage_class(h));
  return out;
}

void engine::build_excess_lists() {
  const bool counting_length = !opt_.policy.ignore_length_variants;
  column_excess_.resize(dict_.size());
  for (std::uint32_t id = 0; id < dict_.size(); ++id) column_excess_[id] = dict_.excess_of({&id, 1}, counting_length);
  std::vector<std::uint32_t> by_window(dict_.dense_columns());
  std::iota(by_window.begin(), by_window.end(), 0U);
  std::sort(by_window.begin(), by_window.end(), [&](std::uint32_t x, std::uint32_t y) { return brief_[x].window_first < brief_[y].window_first; });
  std::int32_t widest = 0;
  for (std::uint32_t id : by_window) widest = std::max(widest, brief_[id].window_last - brief_[id].window_first);
  meets_begin_.assign(1, 0);
  meets_.clear();
  for (std::uint32_t c = 0; c < dict_.size(); ++c) {
    if (column_excess_[c] == 0) {
      meets_begin_.push_back(static_cast<std::uint32_t>(meets_.size()));
      continue;
    }
    const auto first = static_cast<std::ptrdiff_t>(meets_.size());
    auto it = std::lower_bound(by_window.begin(), by_window.end(), brief_[c].window_first - widest,
                               [&](std::uint32_t id, std::int32_t at) { return brief_[id].window_first < at; });
    for (; it != by_window.end() && brief_[*it].window_first <= brief_[c].window_last; ++it) {
      if (*it == c || brief_[*it].window_last < brief_[c].window_first) continue;
      const std::uint32_t w = *it / 64;
      const std::uint64_t bit = std::uint64_t{1} << (*it % 64);
      auto at = std::find_if(meets_.begin() + first, meets_.end(), [&](const auto& e) { return e.first == w; });
      if (at == meets_.end()) meets_.push_back({w, bit});
      else at->second |= bit;
    }
    meets_begin_.push_back(static_cast<std::uint32_t>(meets_.size()));
  }
  std::vector<std::uint64_t> row(words_);
  for (const auto& [store, out] : {std::pair{&a_, &excess_a_}, std::pair{&b_, &excess_b_}}) {
    out->begin.assign(1, 0);
    out->ids.clear();
    for (std::uint32_t h = 0; h < store->haplotypes(); ++h) {
      if (store->slack(h, counting_length) != 0) {
        store->copy_row(h, row.data());
        for (std::size_t w = 0; w < words_; ++w)
          for (std::uint64_t bits = row[w]; bits != 0; bits &= bits - 1) {
            const auto id = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
            if (id < dict_.dense_columns() && column_excess_[id] != 0) out->ids.push_back(id);
          }
        for (std::uint32_t id : store->tail(h))
          if (column_excess_[id] != 0) out->ids.push_back(id);
      }
      out->begin.push_back(static_cast<std::uint32_t>(out->ids.size()));
    }
  }
}

// The excess slack of a pair that can take anything off its count. A column with excess slack lowers
// compare()'s count below the pair's differing firm columns only where it differs itself and
// another differing column's window meets its own (a heteroplasmy pattern-matching a firm column of
// its site, a variant read into a length variant beside it): compare() counts the two profiles'
// sequences, which a variant both have does not tell apart, and a differing one alone in its window
// counts as itself, which the firm count leaves out. Columns are taken as differing where one of the
// two has them, whatever the coverages (more columns, never less slack).
int engine::pair_excess(const std::uint64_t* qa, std::uint32_t ha, std::uint32_t hb) const {
  const std::uint64_t* rb = row_b(hb);
  const auto ta = a_.tail(ha);
  const auto tb = b_.tail(hb);
  auto differs = [&](std::uint32_t id) {
    if (id < dict_.dense_columns()) return (((qa[id / 64] ^ rb[std::size_t{id / 64} * block_rows]) >> (id % 64)) & 1U) != 0;
    return std::binary_search(ta.begin(), ta.end(), id) != std::binary_search(tb.begin(), tb.end(), id);
  };
  int excess = 0;
  for (const auto ids : {excess_a_.of(ha), excess_b_.of(hb)})
    for (std::uint32_t c : ids) {
      if (!differs(c)) continue;
      bool met = false;
      for (std::uint32_t i = meets_begin_[c]; i < meets_begin_[c + 1] && !met; ++i)
        met = ((qa[meets_[i].first] ^ rb[std::size_t{meets_[i].first} * block_rows]) & meets_[i].second) != 0;
      for (const auto tail : {ta, tb})
        for (std::uint32_t t : tail)
          met = met || (t != c && brief_[t].window_first <= brief_[c].window_last &&
                        brief_[c].window_first <= brief_[t].window_last && differs(t));
      excess += met ? column_excess_[c] : 0;
    }
  return excess;
}

void engine::build_pairs() {
  const std::uint64_t* length_mask = dict_.length_variant_mask();
  for (std::uint16_t ca : classes_of(a_)) {
    for (std::uint16_t cb : classes_of(b_)) {
      const range common = dict_.class_range(ca).intersect(dict_.class_range(cb));
      class_pair cp;
      cp.ca = ca;
      cp.cb = cb;
      cp.compared_length = common.length() - (common.contains(3107) ? 1 : 0);
      cp.common = common;
      if (cp.compared_length <= 0) continue;  // nothing compared: never reported
      const range& rb = dict_.class_range(cb);
      cp.cb_within_ca = rb.intersect(dict_.class_range(ca)) == rb;
      const std::uint64_t* ma = dict_.class_dense_mask(ca);
      const std::uint64_t* mb = dict_.class_dense_mask(cb);
      cp.count_mask_b.resize(words_);
      const std::uint64_t* firm = dict_.firm_mask(!opt_.policy.ignore_length_variants);
      const std::uint64_t* firm_default = dict_.firm_mask(false);
      for (std::uint32_t w = 0; w < words_; ++w) {
        std::uint64_t m = ma[w] & mb[w] & firm[w];
        if (opt_.policy.ignore_length_variants) m &= ~length_mask[w];
        cp.count_mask_b[w] = mb[w] & ~length_mask[w] & firm_default[w];
        cp.kernel_mask.push_back(m);
        if ((ma[w] & mb[w]) != 0) {
          cp.cover_word.push_back(w);
          cp.cover_mask.push_back(ma[w] & mb[w]);
          cp.substitution_mask.push_back(ma[w] & mb[w] & substitution_dense_[w]);
        }
        if (m == ~std::uint64_t{0}) {
          cp.full.push_back(w);
        } else if (m != 0) {
          cp.edge.push_back(w);
          cp.edge_mask.push_back(m);
        }
      }
      const std::uint64_t* inner = zones_->inner_mask();
      const std::uint64_t* edge = zones_->edge_mask();
      cp.cover_of_word.assign(words_, -1);
      for (std::size_t i = 0; i < cp.cover_word.size(); ++i) cp.cover_of_word[cp.cover_word[i]] = static_cast<std::int32_t>(i);
      for (std::size_t i = 0; i < cp.cover_word.size(); ++i) {
        const std::uint32_t w = cp.cover_word[i];
        cp.zone_special.push_back(~((cp.kernel_mask[w] | inner[w]) & ~edge[w]));
        cp.outside_substitutions.push_back(cp.substitution_mask[i] & ~inner[w]);
        for (std::uint32_t z = 0; z < zones_->zones(); ++z)
          if (const std::uint64_t m = zone_inner_[z * words_ + w] & cp.cover_mask[i]; m != 0)
            cp.zone_words.push_back({z, static_cast<std::uint32_t>(i), m, m & cp.kernel_mask[w]});
        std::uint64_t reaching[detail::zone_table::max_zones] = {};
        std::uint64_t plain = 0;
        for (std::uint64_t bits = cp.cover_mask[i]; bits != 0; bits &= bits - 1) {
          const std::uint32_t id = w * 64 + static_cast<std::uint32_t>(std::countr_zero(bits));
          if (id >= dict_.dense_columns()) break;
          const std::uint64_t bit = std::uint64_t{1} << (id % 64);
          if ((edge[w] & bit) != 0)
            for (std::uint64_t zs = zones_->zones_reached(id); zs != 0; zs &= zs - 1) reaching[std::countr_zero(zs)] |= bit;
          if (brief_[id].plain != 0 && brief_[id].firm == 0 && (inner[w] & bit) == 0 &&
              common.contains_all(brief_[id].window_first, brief_[id].window_last))
            plain |= bit;
        }
        for (std::uint32_t z = 0; z < zones_->zones(); ++z)
          if (reaching[z] != 0) cp.zone_edges.push_back({z, static_cast<std::uint32_t>(i), reaching[z], 0});
        if (plain != 0) cp.plain_words.push_back({static_cast<std::uint32_t>(i), plain});
      }
      std::uint64_t unsafe = 0;
      for (auto id = static_cast<std::uint32_t>(dict_.dense_columns()); id < dict_.size(); ++id)
        if (firm_outside_zones(id) && !(dict_.class_covers(ca, id) && dict_.class_covers(cb, id))) unsafe |= tail_sig_bit(id);
      cp.tail_sig_safe = ~unsafe;
      pairs_.push_back(std::move(cp));
    }
  }
}

void engine::build_items() {
  // A relatives tile stays in L2 while the item's remains stream over it in groups of four: what
  // the kernels read of a row — its code, link and tail-reach words (detail::link_side) plus its
  // tail fields — kept to ~512 KB, half of a 1 MB L2, leaving room for the counts and the zone
  // tables. Many remains per item, so that a tile, once loaded, serves a thousand of them (with 64,
  // reloading the tiles cost ~10 % of a national run).
  const std::size_t row_bytes = 3 * words_ * sizeof(std::uint64_t) + sizeof(std::uint16_t) + 2 * sizeof(std::uint64_t);
  // (found_pair keeps rows as 16-bit offsets into the item: tiles stay far below 65536 rows)
  const std::size_t tile_rows = std::max<std::size_t>(64, (std::size_t{512} * 1024 / row_bytes) / 8 * 8);
  const std::uint32_t query_rows = 1024;
  for (std::uint32_t p = 0; p < pairs_.size(); ++p) {
    const class_pair& cp = pairs_[p];
    const std::uint32_t qa = a_.class_begin(cp.ca), qe = a_.class_end(cp.ca);
    const std::uint32_t ra = b_.class_begin(cp.cb), re = b_.class_end(cp.cb);
    total_pairs_ += std::uint64_t{qe - qa} * (re - ra);
    for (std::uint32_t q = qa; q < qe; q += query_rows)
      for (std::uint32_t r = ra; r < re; r += static_cast<std::uint32_t>(tile_rows))
        items_.push_back({p, q, std::min(qe, q + query_rows), r, std::min<std::uint32_t>(re, r + static_cast<std::uint32_t>(tile_rows))});
  }
}

// compare()'s count for one pair of haplotypes. The differing columns over the common coverage
// (length variants included: compare() aligns them with their neighbours) are grouped into the
// clusters compare() would align together (overlapping windows). A cluster of one variant, or of
// two substitutions at one site, is settled here exactly as compare()'s alignment settles it: one
// event, unless a heteroplasmy pattern-matches or an indel is an ignored length variant. Anything
// else (two sites in one window, interacting indels, deletions cut by a coverage edge) is rare
// enough to hand to compare() itself.
int engine::settle(const std::uint64_t* qa, const pair_view& pv, int stop_above, std::vector<diff_column>& diffs,
                   bool& used_reference) const {
  const class_pair& cp = *pv.cp;
  const std::uint32_t ha = pv.ha;
  const std::uint32_t hb = pv.hb;
  used_reference = false;
  auto reference = [&] {
    used_reference = true;
    return compare(a_.decode_haplotype(ha), b_.decode_haplotype(hb), opt_.policy).differences;
  };
  if (a_.needs_reference(ha) || b_.needs_reference(hb)) return reference();
  // a missing stretch of one may cut a long deletion of the other: compare() clips it
  if (pv.ragged && (a_.has_long_deletion(ha) || b_.has_long_deletion(hb))) return reference();
  diffs.clear();
  const std::uint64_t* base = row_b(hb);
  for (std::size_t i = 0; i < cp.cover_word.size(); ++i) {
    const std::uint32_t w = cp.cover_word[i];
    std::uint64_t x = (qa[w] ^ base[std::size_t{w} * block_rows]) & cp.cover_mask[i];
    while (x != 0) {
      const auto bit = static_cast<std::uint32_t>(std::countr_zero(x));
      const std::uint32_t id = w * 64 + bit;
      x &= x - 1;
      if (pv.ragged && !covered(pv, id)) continue;
      diffs.push_back({id, brief_[id].window_first, static_cast<std::uint8_t>(((qa[w] >> bit) & 1U) ? 0 : 1)});
    }
  }
  auto ta = a_.tail(ha);
  auto tb = b_.tail(hb);
  auto add_tail = [&](std::uint32_t id, std::uint8_t owner) {
    if (!covered(pv, id)) return;
    diffs.push_back({id, dict_.column(id).window_first, owner});
  };
  for (std::size_t i = 0, j = 0; i < ta.size() || j < tb.size();) {
    if (j == tb.size() || (i < ta.size() && ta[i] < tb[j])) add_tail(ta[i++], 0);
    else if (i == ta.size() || tb[j] < ta[i]) add_tail(tb[j++], 1);
    else ++i, ++j;
  }
  if (diffs.empty()) return 0;
  int count = 0;
  {
    // Zones where the two differ at inner columns and at no column whose window reaches into the
    // zone from outside: their share comes from the zone tables (detail/zone_table.hpp), and their
    // columns leave the list (no other window reaches them).
    std::uint64_t inner = 0;
    std::uint64_t edged = 0;
    for (const diff_column& d : diffs) {
      const std::uint8_t z = zones_->zone_of(d.id);
      if (z == detail::zone_table::edge) edged |= zones_->zones_reached(d.id);
      else if (z != detail::zone_table::outside) inner |= std::uint64_t{1} << z;
    }
    inner &= ~edged;
    if (inner != 0) {
      const int zoned = zones_->count(ha, hb, inner);
      if (zoned >= 0) {
        count += zoned;
        std::erase_if(diffs, [&](const diff_column& d) {
          const std::uint8_t z = zones_->zone_of(d.id);
          return z < detail::zone_table::edge && (inner >> z & 1U) != 0;
        });
      }
    }
  }
  std::sort(diffs.begin(), diffs.end(), [](const diff_column& x, const diff_column& y) {
    return x.window_first != y.window_first ? x.window_first < y.window_first : x.id < y.id;
  });

  const bool pattern = opt_.policy.pattern_match_heteroplasmy;
  const bool ignore_length = opt_.policy.ignore_length_variants;
  // Clusters for count_window (a memo lookup, on a miss compare() itself: microseconds) come last,
  // so a pair whose cheap clusters already pass stop_above never gets there (most settled pairs end
  // above the threshold). Every cluster's count is >= 0.
  struct general_cluster {
    std::size_t s, e;
    std::int32_t lo, hi;
  };
  thread_local std::vector<general_cluster> generals;
  generals.clear();
  for (std::size_t s = 0; s < diffs.size();) {
    std::int32_t reach = brief_[diffs[s].id].window_last;
    std::size_t e = s + 1;
    while (e < diffs.size() && diffs[e].window_first <= reach) {
      reach = std::max(reach, brief_[diffs[e].id].window_last);
      ++e;
    }
    const column_info& c0 = dict_.column(diffs[s].id);
    const std::int32_t lo = diffs[s].window_first;
    bool general = e - s > 2 || !pv.common->contains_all(lo, reach);
    if (!general && e - s == 1) {
      if (c0.value.is_indel()) {
        // Where compare() puts the gap (hence "length variant or not") depends on what else sits
        // in the window: only an indel alone there has the outcome computed with the dictionary.
        for (std::uint32_t n : dict_.window_neighbours(diffs[s].id)) {
          const bool present = n < dict_.dense_columns() ? ((qa[n / 64] >> (n % 64)) & 1U) != 0
                                                         : std::binary_search(ta.begin(), ta.end(), n);
          if (present && covered(pv, n)) general = true;
        }
      }
      if (!general) count += c0.alone(diffs[s].owner, ignore_length, pattern);
    } else if (!general) {
      const column_info& c1 = dict_.column(diffs[s + 1].id);
      if (c0.first != c1.first && brief_[diffs[s].id].plain != 0 && brief_[diffs[s + 1].id].plain != 0) {
        count += 2;  // two plain substitutions at two sites: an insertion and a deletion would tie, and lose
      } else if (c0.value.is_indel() || c1.value.is_indel() || c0.first != c1.first || diffs[s].owner == diffs[s + 1].owner) {
        general = true;
      } else if (!(pattern && (c0.is(column_heteroplasmy) || c1.is(column_heteroplasmy)) && (c0.bases & c1.bases) != 0)) {
        ++count;  // two bases at one position: one substitution, unless the heteroplasmy pattern-matches
      }
    }
    if (general) generals.push_back({s, e, lo, reach});
    s = e;
  }
  for (const general_cluster& g : generals) {
    if (count > stop_above) break;
    count += count_window(g.lo, g.hi, qa, ta, base, tb, pv, std::span<const diff_column>(diffs.data() + g.s, g.e - g.s));
  }
  return count;
}

// compare()'s count over one cluster lo..hi: compare() itself on the two profiles cut down to the
// variants that touch the cluster. compare() sums independent alignments of windows around the
// differing variants; the cluster holds whole windows (its windows are a superset of compare()'s),
// so the cut-down profiles give exactly the cluster's share. Clusters repeat (haplogroup motifs),
// so results are remembered for the run (window_memo).
int engine::count_window(std::int32_t lo, std::int32_t hi, const std::uint64_t* qa, std::span<const std::uint32_t> ta,
                         const std::uint64_t* rb, std::span<const std::uint32_t> tb, const pair_view& pv,
                         std::span<const diff_column> cluster) const {
  const class_pair& cp = *pv.cp;
  thread_local std::string key;
  thread_local std::vector<std::uint32_t> ids_a;
  thread_local std::vector<std::uint32_t> ids_b;
  key.clear();
  auto put = [&](std::uint32_t x) { key.append(reinterpret_cast<const char*>(&x), sizeof x); };
  ids_a.clear();
  ids_b.clear();
  // Everything of the two profiles that touches the cluster: its differing columns, and the shared
  // columns there (few: found from the AND of the two rows). Both go into the key; clusters repeat
  // across a run (haplogroup motifs, C-tract lengths), so most lookups hit.
  const bool inside = pv.common->contains_all(lo, hi);
  if (!inside) {
    // Cut by the edge of the common range: compare() sees the range only inside the cluster (its
    // windows lie within lo..hi and are clipped to the range's pieces), so the pieces there and
    // whether an insertion after a piece's end is covered complete the key.
    put(0xFFFFFFFDU);
    put(static_cast<std::uint32_t>(lo));
    put(static_cast<std::uint32_t>(hi));
    for (const interval& piece : pv.common->intervals()) {
      if (piece.last < lo - 1 || piece.first > hi + 1) continue;
      put(static_cast<std::uint32_t>(std::max(piece.first, lo - 1)));
      put(static_cast<std::uint32_t>(std::min(piece.last, hi + 1)));
      put(pv.common->contains_insertion(piece.last) ? 1U : 0U);
    }
  }
  for (const auto& d : cluster) {
    put(d.id * 2 + d.owner);
    (d.owner == 0 ? ids_a : ids_b).push_back(d.id);
  }
  put(0xFFFFFFFFU);
  auto touches = [&](std::uint32_t id) { return brief_[id].first <= hi && brief_[id].last >= lo; };
  auto add_shared = [&](std::uint32_t id) {
    put(id);
    ids_a.push_back(id);
    ids_b.push_back(id);
  };
  for (std::size_t i = 0; i < cp.cover_word.size(); ++i) {
    const std::uint32_t w = cp.cover_word[i];
    if (word_first_[w] > hi || word_last_[w] < lo) continue;  // none of its columns touches the cluster
    std::uint64_t shared = qa[w] & rb[std::size_t{w} * block_rows] & cp.cover_mask[i];
    while (shared != 0) {
      const std::uint32_t id = w * 64 + static_cast<std::uint32_t>(std::countr_zero(shared));
      if (touches(id) && (!pv.ragged || covered(pv, id))) add_shared(id);
      shared &= shared - 1;
    }
  }
  for (std::size_t i = 0, j = 0; i < ta.size() && j < tb.size();) {
    if (ta[i] < tb[j]) ++i;
    else if (tb[j] < ta[i]) ++j;
    else {
      if (covered(pv, ta[i]) && touches(ta[i])) add_shared(ta[i]);
      ++i, ++j;
    }
  }
  if (auto known = memo_.find(key)) return *known;
  std::sort(ids_a.begin(), ids_a.end());
  std::sort(ids_b.begin(), ids_b.end());
  profile pa;
  profile pb;
  pa.coverage = inside ? range::whole() : *pv.common;  // inside the common range, clamping changes nothing
  pb.coverage = pa.coverage;
  for (std::uint32_t id : ids_a) pa.variants.push_back(dict_.column(id).value);
  for (std::uint32_t id : ids_b) pb.variants.push_back(dict_.column(id).value);
  std::sort(pa.variants.begin(), pa.variants.end());
  std::sort(pb.variants.begin(), pb.variants.end());
  const int n = compare(pa, pb, opt_.policy).differences;
  memo_.insert(key, n);
  return n;
}

// The links of the pair (detail/shift_chains.hpp): differing substitutions with a variant of either
// profile within their tight reach. A shifted reading saves at most links - 1 events.
int engine::chain_links(const std::uint64_t* qa, std::uint32_t ha, std::uint32_t hb, const class_pair& cp,
                        const std::uint64_t* substitutions) const noexcept {
  const std::uint64_t* rb = row_b(hb);
  int n = 0;
  for (std::size_t i = 0; i < cp.cover_word.size(); ++i) {
    const std::uint32_t w = cp.cover_word[i];
    const std::uint64_t linked =
        (qa[w] ^ rb[std::size_t{w} * block_rows]) & substitutions[i] & (chains_a_.link(ha, w) | chains_b_.link(hb, w));
    if (linked != 0) n += popcount64(linked);  // mostly zero
  }
  return n + tail_chain_links(qa, ha, hb, cp);
}

// The tail part of chain_links(): when a tail substitution of either has any variant of the pair
// within its reach, every tail column of both counts as a link; else none.
int engine::tail_chain_links(const std::uint64_t* qa, std::uint32_t ha, std::uint32_t hb, const class_pair& cp) const noexcept {
  const std::uint64_t* rb = row_b(hb);
  if (!chains_a_.has_tail_substitution(ha) && !chains_b_.has_tail_substitution(hb)) return 0;
  // a tail substitution of either: are any of the pair's variants within its reach?
  bool tail_linked = chains_a_.tail_self(ha) || chains_b_.tail_self(hb);
  for (std::size_t i = 0; i < cp.cover_word.size() && !tail_linked; ++i) {
    const std::uint32_t w = cp.cover_word[i];
    const std::uint64_t reach = chains_a_.tail_reach(ha, w) | chains_b_.tail_reach(hb, w);
    tail_linked = ((qa[w] | rb[std::size_t{w} * block_rows]) & reach) != 0;
  }
  const auto ta = a_.tail(ha);
  const auto tb = b_.tail(hb);
  if (!tail_linked && !ta.empty() && !tb.empty()) tail_linked = detail::tails_linked(dict_, ta, tb);
  return tail_linked ? static_cast<int>(ta.size() + tb.size()) : 0;
}

// Tail columns one of the two has, both cover, firm and not inside a zone: one event each (zone_count).
int engine::firm_tail_differences(const pair_view& pv) const noexcept {
  const auto ta = a_.tail(pv.ha);
  const auto tb = b_.tail(pv.hb);
  int n = 0;
  auto take = [&](std::uint32_t id) {
    n += firm_outside_zones(id) && covered(pv, id) ? 1 : 0;
  };
  for (std::size_t i = 0, j = 0; i < ta.size() || j < tb.size();) {
    if (j == tb.size() || (i < ta.size() && ta[i] < tb[j])) take(ta[i++]);
    else if (i == ta.size() || tb[j] < ta[i]) take(tb[j++]);
    else ++i, ++j;
  }
  return n;
}

// compare()'s count for a pair without settling it (exact), or, when it needs settling, a lower
// bound on that count (not exact), so that pairs that provably exceed the threshold are not settled.
//
// Exact: outside the zones each differing firm column is one event (the kernel counted it), unless
// a shifted reading saves some, which needs two links (detail/shift_chains.hpp); a column with slack
// there counts as compare() counts it alone in its window (column_info::alone) when no other
// differing column's window meets its own; a heteroplasmy whose window meets substitutions only
// (none next to a length-variable stretch) is aligned base by base when no shifted reading applies,
// so its site counts as its base set against the other profile's there. Inside each zone the table
// has the count (detail/zone_table.hpp); a pair that differs at a zone's edge and inside it is settled.
//
// The bound: compare()'s count is the zones' shares where the pair differs at no edge column
// reaching them (their windows merge with nothing else), plus compare()'s count on the two profiles
// without those zones; on the latter, the firm columns and one per site of plain substitutions,
// less the excess slack of the two haplotypes and less (links - 1), are a lower bound, as for the
// kernel (encode.hpp, detail/shift_chains.hpp); the other columns with slack count at least nothing.
// It is taken twice: first from the core words and the firm tail columns outside the zones
// (`firm_tail`, counted by run_item; the tails' other columns taken as differing wherever they
// reach), which most pairs above the threshold do not get past, then whole.
engine::zone_outcome engine::zone_count(const std::uint64_t* qa, pair_view& pv, int kernel_count, int links,
                                        int firm_tail, int excess_slack, int keep_at_most, ragged_commons& commons,
                                        detail::zone_table::row_cache& rows) const {
  constexpr zone_outcome unknown{-unbounded, false};
  const class_pair& cp = *pv.cp;
  const std::uint32_t ha = pv.ha;
  const std::uint32_t hb = pv.hb;
  // what settle() hands to compare() (a deletion a coverage edge cuts: compare() clips it)
  if (a_.needs_reference(ha) || b_.needs_reference(hb)) return unknown;
  if (pv.ragged && (a_.has_long_deletion(ha) || b_.has_long_deletion(hb))) return unknown;
  const std::uint64_t* rb = row_b(hb);
  constexpr std::size_t max_words = 128;  // dense cores up to 8192 bits
  std::uint64_t x[max_words];
  const std::size_t n_cover = cp.cover_word.size();
  if (n_cover > max_words) return unknown;
  for (std::size_t i = 0; i < n_cover; ++i) {
    const std::uint32_t w = cp.cover_word[i];
    x[i] = (qa[w] ^ rb[std::size_t{w} * block_rows]) & cp.cover_mask[i];
  }
  if (pv.ragged) {
    for (const std::uint64_t* missing : {missing_a_->of(ha), missing_b_->of(hb)})
      if (missing != nullptr)
        for (std::size_t i = 0; i < n_cover; ++i) x[i] &= ~missing[cp.cover_word[i]];
  }
  bool exact = true;
  // The pair's differing bits in dense word w (0 outside both coverages), and the differing firm
  // core columns at a column's site (site_firm_; its word must not be `scattered`).
  auto differing = [&](std::uint32_t w) {
    return w < words_ && cp.cover_of_word[w] >= 0 ? x[cp.cover_of_word[w]] : std::uint64_t{0};
  };
  auto site_firm_differing = [&](const site_columns& sc) {
    return std::pair{differing(sc.word) & sc.first, sc.second != 0 ? differing(sc.word + 1) & sc.second : 0};
  };
  // Firm differing columns not inside a zone (the kernel's count is over what both cover; run_item
  // took a ragged side's missing stretches out), and the firm ones inside each zone.
  int firm = kernel_count;
  int firm_in_zone[detail::zone_table::max_zones];
  std::fill_n(firm_in_zone, zones_->zones(), 0);
  struct special {
    std::uint32_t id;
    std::uint8_t owner;
  };
  special specials[8];
  std::size_t n_special = 0;
  std::uint64_t differing_zones = 0;
  std::uint64_t edged_zones = 0;  // zones a differing edge column reaches into
  for (const class_pair::zone_word& zw : cp.zone_words) {  // (no branch: whether a word differs is a coin toss)
    const std::uint64_t in = x[zw.cover] & zw.inner;
    differing_zones |= std::uint64_t{in != 0} << zw.zone;
    firm_in_zone[zw.zone] += popcount64(in & zw.counted);
  }
  // First, the bound from the core words and firm_tail (most pairs that end above the threshold stop here):
  // the zones' shares where no differing core column at their edge and no tail column outside the
  // zones (differing or not) reaches, and one per site where only a plain second allele differs.
  int shares[detail::zone_table::max_zones];  // the zones' shares it looked up (bit z of `shared`)
  std::uint64_t shared = 0;
  if (links < unbounded) {
    std::uint64_t edged = tail_reach_a_[ha] | tail_reach_b_[hb];
    for (const class_pair::zone_word& ze : cp.zone_edges) edged |= std::uint64_t{(x[ze.cover] & ze.inner) != 0} << ze.zone;
    int bound = kernel_count + firm_tail - (links - 1) - excess_slack;
    for (std::uint64_t zs = differing_zones & ~edged; zs != 0; zs &= zs - 1) {
      const auto z = static_cast<std::size_t>(std::countr_zero(zs));
      shares[z] = zones_->share(ha, hb, z, rows);
      shared |= std::uint64_t{1} << z;
      if (shares[z] >= 0) bound += shares[z] - firm_in_zone[z];
    }
    if (!pv.ragged) {  // (a ragged pair's plain columns may have a missing stretch in their window)
      std::int32_t last_site = -1;
      for (const auto& [i, mask] : cp.plain_words) {
        for (std::uint64_t bits = x[i] & mask; bits != 0; bits &= bits - 1) {
          const std::uint32_t id = cp.cover_word[i] * 64 + static_cast<std::uint32_t>(std::countr_zero(bits));
          if (brief_[id].site == last_site) continue;  // two alleles of one site: one event
          last_site = brief_[id].site;
          if (site_firm_[id].word == scattered) continue;
          const auto [first, second] = site_firm_differing(site_firm_[id]);
          if ((first | second) == 0) ++bound;
        }
      }
    }
    if (bound > keep_at_most) return {bound, false};
  }
  if (pv.common == nullptr) commons.resolve(a_, b_, pv);
  for (std::size_t i = 0; i < n_cover; ++i) {
    const std::uint32_t w = cp.cover_word[i];
    for (std::uint64_t sp = x[i] & cp.zone_special[i]; sp != 0; sp &= sp - 1) {
      const auto bit = static_cast<std::uint32_t>(std::countr_zero(sp));
      edged_zones |= zones_->zones_reached(w * 64 + bit);
      if (n_special == std::size(specials)) exact = false;
      else specials[n_special++] = {w * 64 + bit, static_cast<std::uint8_t>(((qa[w] >> bit) & 1U) ? 0 : 1)};
    }
  }
  // Tail columns one of the two has: inside a zone (the table counts them), firm outside (one event
  // each), or looked at one by one.
  const auto ta = a_.tail(ha);
  const auto tb = b_.tail(hb);
  std::uint32_t tail_diff[8];
  std::size_t n_tail_diff = 0;
  auto take = [&](std::uint32_t id, std::uint8_t owner) {
    if (!covered(pv, id)) return;
    if (n_tail_diff == std::size(tail_diff)) exact = false;
    else tail_diff[n_tail_diff++] = id;
    const std::uint8_t zone = zones_->zone_of(id);
    if (zone < detail::zone_table::edge) {
      differing_zones |= std::uint64_t{1} << zone;
      return;
    }
    const bool is_firm = brief_[id].firm != 0;
    firm += is_firm ? 1 : 0;
    edged_zones |= zones_->zones_reached(id);
    if (zone == detail::zone_table::edge || !is_firm) {
      if (n_special == std::size(specials)) exact = false;
      else specials[n_special++] = {id, owner};
    }
  };
  for (std::size_t i = 0, j = 0; i < ta.size() || j < tb.size();) {
    if (j == tb.size() || (i < ta.size() && ta[i] < tb[j])) take(ta[i++], 0);
    else if (i == ta.size() || tb[j] < ta[i]) take(tb[j++], 1);
    else ++i, ++j;
  }
  if ((edged_zones & differing_zones) != 0) exact = false;
  // Columns at a zone edge (where the pair differs nowhere inside that zone) and columns with slack:
  // a firm one is one event (counted above), a plain substitution one event per site (in the bound
  // too), any other must be alone in its window, where compare() counts it as the dictionary says
  // (column_info::alone).
  int plain_count = 0;
  int slack_count = 0;
  // A differing heteroplasmy aligned base by base (substitutions only around it, links < 2): its
  // site is one event unless its bases pattern-match the other profile's there — that profile's firm
  // column at the site (counted with the firm ones already: taken back here) or the rCRS base;
  // `no_site_rule` when the site holds something else (a second column with slack) or its columns are
  // scattered.
  constexpr int no_site_rule = -unbounded;
  auto heteroplasmy_site = [&](std::uint32_t id) {
    const column_brief& c = brief_[id];
    const site_columns& sc = site_firm_[id];
    if (sc.word == scattered) return no_site_rule;
    std::uint8_t other = iupac::bases_of(rcrs()[c.first]);
    int counted = 0;
    const auto [first, second] = site_firm_differing(sc);
    for (const auto& [f, w] : {std::pair{first, sc.word}, std::pair{second, sc.word + 1}}) {
      if (f == 0) continue;
      other = dict_.column(w * 64 + static_cast<std::uint32_t>(std::countr_zero(f))).bases;
      counted = 1;
    }
    for (std::size_t t = 0; t < n_tail_diff; ++t) {
      if (tail_diff[t] == id || brief_[tail_diff[t]].site != c.site) continue;
      if (brief_[tail_diff[t]].firm == 0) return no_site_rule;
      other = dict_.column(tail_diff[t]).bases;
      counted = 1;
    }
    const bool compatible = opt_.policy.pattern_match_heteroplasmy && (dict_.column(id).bases & other) != 0;
    return (compatible ? 0 : 1) - counted;
  };
  for (std::size_t s = 0; s < n_special; ++s) {
    const std::uint32_t id = specials[s].id;
    const column_brief& c = brief_[id];
    if (c.firm != 0) continue;
    if (!pv.common->contains_all(c.window_first, c.window_last)) {
      exact = false;
      continue;
    }
    if (c.plain != 0) {
      // A plain substitution (a second allele, say) is one event per site whatever else differs
      // beside it, short of a shifted reading (links < 2, checked below): one unless a firm column
      // of its site (counted already) or an earlier special of its site differs too. (Against a
      // heteroplasmy of its site it may be none: the bound subtracts the haplotypes' excess slack.)
      bool counted = false;
      if (id < dict_.dense_columns() && site_firm_[id].word != scattered) {
        const auto [first, second] = site_firm_differing(site_firm_[id]);
        counted = (first | second) != 0;
      } else {
        for (std::size_t i = 0; i < n_cover && !counted; ++i)
          for (std::uint64_t d = x[i]; d != 0 && !counted; d &= d - 1) {
            const std::uint32_t other = cp.cover_word[i] * 64 + static_cast<std::uint32_t>(std::countr_zero(d));
            counted = other != id && brief_[other].site == c.site && brief_[other].firm != 0;
          }
      }
      for (std::size_t t = 0; t < n_tail_diff && !counted; ++t)
        counted = tail_diff[t] != id && brief_[tail_diff[t]].site == c.site && brief_[tail_diff[t]].firm != 0;
      for (std::size_t e = 0; e < s && !counted; ++e) counted = brief_[specials[e].id].site == c.site;
      plain_count += counted ? 0 : 1;
      continue;
    }
    if (!exact) continue;
    // A heteroplasmy whose window meets substitutions only, where no shifted reading applies, is
    // counted at its site (heteroplasmy_site); any other column with slack must be alone in its window.
    // (no shifted reading: checked below for every exact count, with the links outside the zones)
    const bool site_rule = c.simple != 0 && dict_.column(id).is(column_heteroplasmy);
    bool met = false;
    bool substitutions_only = true;
    auto meets = [&](std::uint32_t other) {
      if (other == id || brief_[other].window_first > c.window_last || c.window_first > brief_[other].window_last) return;
      met = true;
      // (the other profile's firm column at the site is part of the site's count)
      if (brief_[other].simple == 0 || (brief_[other].site == c.site && brief_[other].firm == 0)) substitutions_only = false;
    };
    for (std::size_t i = 0; i < n_cover && !(met && !(site_rule && substitutions_only)); ++i) {
      const std::uint32_t w = cp.cover_word[i];
      if (word_window_first_[w] > c.window_last || word_window_last_[w] < c.window_first) continue;  // none meets
      for (std::uint64_t d = x[i]; d != 0; d &= d - 1) meets(w * 64 + static_cast<std::uint32_t>(std::countr_zero(d)));
    }
    for (std::size_t t = 0; t < n_tail_diff; ++t) meets(tail_diff[t]);
    if (met) {
      const int n = site_rule && substitutions_only ? heteroplasmy_site(id) : no_site_rule;
      if (n == no_site_rule) exact = false;
      else slack_count += n;
      continue;
    }
    // where compare() puts the gap depends on what else sits in the window (see settle)
    if (c.is_indel != 0 && neighbour_present(qa, rb, ta, tb, pv, id)) {
      exact = false;
      continue;
    }
    slack_count += c.alone[specials[s].owner];
  }
  // (`links` bounds the pair's links over all substitutions, outside the zones too)
  if (exact && links >= 2 && chain_links(qa, ha, hb, cp, cp.outside_substitutions.data()) >= 2) exact = false;
  // The zones where the pair differs and no differing edge column reaches: their shares replace the
  // firm columns the kernel counted there.
  int zone_sum = 0;
  for (std::uint64_t zs = differing_zones & ~edged_zones; zs != 0; zs &= zs - 1) {
    const auto z = static_cast<std::size_t>(std::countr_zero(zs));
    const int n = (shared >> z & 1U) != 0 ? shares[z] : zones_->share(ha, hb, z, rows);
    if (n < 0) {
      exact = false;  // beyond the tables: the zone's firm columns stay in the bound
      continue;
    }
    firm -= firm_in_zone[z];
    zone_sum += n;
  }
  if (exact) return {firm + zone_sum + plain_count + slack_count, true};
  const int saved = links < unbounded ? links - 1 : chain_links(qa, ha, hb, cp, cp.substitution_mask.data()) - 1;
  return {firm + zone_sum + plain_count - excess_slack - std::max(saved, 0), false};
}

// How many events compare() could save on this pair by re-reading differing substitutions, over the
// clusters of overlapping windows of its differing columns: in a cluster of substitutions only, a
// shifted stretch (an insertion plus a deletion) in place of m >= 3 of them saves m - 2; where the
// cluster holds a differing indel of either profile (length variants too), the substitutions may be
// read into it (127C 128T against 126.1C 129d is one event, against 127d 129.1Y none), so all the
// firm ones (the kernel counts no other; next to a C-tract there are none).
// Called for every pair whose bound lies just above the threshold (on realistic data a sixth of all
// pairs), so it works on the stack and sorts nothing but the rare tail columns into place.
int engine::shift_relief(const std::uint64_t* qa, std::uint32_t ha, std::uint32_t hb, const class_pair& cp,
                         int needed) const {
  const std::uint64_t* rb = row_b(hb);
  const std::size_t n_cover = cp.cover_word.size();
  const auto ta = a_.tail(ha);
  const auto tb = b_.tail(hb);
  constexpr std::size_t cap = 96;
  std::int32_t first[cap];
  std::int32_t last[cap];
  bool indel[cap];
  bool firm[cap];
  std::size_t m = 0;
  int substitutions = 0;
  bool any_indel = false;
  bool overflow = false;
  auto add = [&](std::uint32_t id) {
    if (m == cap) {
      overflow = true;
      return;
    }
    const bool is_indel = brief_[id].is_indel != 0;
    substitutions += is_indel ? 0 : 1;
    any_indel = any_indel || is_indel;
    // keep the list ordered by window start (core ids come in position order: an insertion step)
    std::size_t at = m++;
    while (at > 0 && first[at - 1] > brief_[id].window_first) {
      first[at] = first[at - 1];
      last[at] = last[at - 1];
      indel[at] = indel[at - 1];
      firm[at] = firm[at - 1];
      --at;
    }
    first[at] = brief_[id].window_first;
    last[at] = brief_[id].window_last;
    indel[at] = is_indel;
    firm[at] = brief_[id].firm != 0;
  };
  for (std::size_t i = 0; i < n_cover; ++i) {
    const std::uint32_t w = cp.cover_word[i];
    std::uint64_t x = (qa[w] ^ rb[std::size_t{w} * block_rows]) & cp.cover_mask[i];
    while (x != 0) {
      add(w * 64 + static_cast<std::uint32_t>(std::countr_zero(x)));
      x &= x - 1;
    }
  }
  for (std::size_t i = 0, j = 0; i < ta.size() || j < tb.size();) {  // tail columns one of the two has
    if (j == tb.size() || (i < ta.size() && ta[i] < tb[j])) add(ta[i++]);
    else if (i == ta.size() || tb[j] < ta[i]) add(tb[j++]);
    else ++i, ++j;
  }
  if (overflow) return unbounded;  // never on real profiles: assume the worst
  if ((any_indel ? substitutions : substitutions - 2) < needed) return 0;  // it cannot reach `needed`
  int relief = 0;
  for (std::size_t s = 0; s < m;) {
    std::int32_t reach = last[s];
    int subs = 0;
    int firm_subs = 0;
    bool with_indel = false;
    std::size_t e = s;
    for (; e < m && (e == s || first[e] <= reach); ++e) {
      reach = std::max(reach, last[e]);
      subs += indel[e] ? 0 : 1;
      firm_subs += firm[e] ? 1 : 0;
      with_indel = with_indel || indel[e];
    }
    relief += with_indel ? firm_subs : std::max(subs - 2, 0);
    s = e;
  }
  return relief;
}

// Whether either profile has a column in id's window (dictionary::window_neighbours) that both cover.
bool engine::neighbour_present(const std::uint64_t* qa, const std::uint64_t* rb, std::span<const std::uint32_t> ta,
                               std::span<const std::uint32_t> tb, const pair_view& pv, std::uint32_t id) const {
  for (std::uint32_t k = neighbour_begin_[id]; k < neighbour_begin_[id + 1]; ++k) {
    const auto [w, mask] = neighbour_words_[k];
    for (std::uint64_t bits = (qa[w] | rb[std::size_t{w} * block_rows]) & mask; bits != 0; bits &= bits - 1)
      if (covered(pv, w * 64 + static_cast<std::uint32_t>(std::countr_zero(bits)))) return true;
  }
  const auto first = tail_neighbours_.begin() + tail_neighbour_begin_[id];
  const auto last = tail_neighbours_.begin() + tail_neighbour_begin_[id + 1];
  for (std::span<const std::uint32_t> tail : {ta, tb})
    for (std::uint32_t t : tail)
      if (std::binary_search(first, last, t) && covered(pv, t)) return true;
  return false;
}

void engine::run_item(const work_item& item, item_output& out) const {
  const class_pair& cp = pairs_[item.pair];
  const bool top = opt_.top_k.has_value();
  const int k = threshold_;
  const std::size_t n_q = item.q_end - item.q_begin;
  if (top) out.top.assign(n_q, {});
  if (opt_.counts_only) out.counts.assign(n_q * static_cast<std::size_t>(k + 1), 0);
  // The pairs found, gathered in a buffer the thread keeps (its memory touched once), then copied
  // to the item's output at its exact size: growing each item's own vector touched twice the
  // memory, fresh, and moved it on the way.
  thread_local std::vector<found_pair> found;
  found.clear();

  const bool counting_length = !opt_.policy.ignore_length_variants;
  const std::uint8_t* slack_b = b_.slacks(counting_length);
  // Rows of a class: clean ones sorted by ordinary count (the count filter bisects them), then
  // ragged ones (missing stretches), which are always read.
  const std::uint32_t ragged_begin = std::clamp(b_.class_ragged_begin(cp.cb), item.r_begin, item.r_end);
  std::uint8_t max_slack_b = 0;
  for (std::uint32_t r = item.r_begin; r < ragged_begin; ++r) max_slack_b = std::max(max_slack_b, slack_b[r]);

  constexpr std::size_t group = 4;
  std::vector<std::uint64_t> queries(group * words_);
  detail::chain_masks::query_buffers query_masks(group, words_);
  const std::size_t tile = item.r_end - item.r_begin + 2 * block_rows;
  std::vector<std::uint16_t> counts(group * tile);
  std::vector<std::uint16_t> bounded(group * tile);  // counts lowered by detail::link_bound (with its tail term)
  std::uint64_t query_sig[group] = {};
  std::vector<std::uint32_t> selected(tile);
  std::vector<diff_column> scratch;
  const auto zone_rows = std::make_unique<detail::zone_table::row_cache>();
  ragged_commons commons;
  // Ragged remains (a missing stretch inside the class) go in groups of their own: their missing
  // stretches (less anything they have there) are counted against the rows and taken out, as a
  // relative's are, so that the kernel's count is exact on their side too.
  const std::uint32_t ragged_queries = std::clamp(a_.class_ragged_begin(cp.ca), item.q_begin, item.q_end);
  std::vector<std::uint64_t> query_missing(group * words_);
  const detail::word_plan plan = cp.plan();
  // For a group of ragged remains, the plan's words where one of them has a missing stretch (the
  // count of a relative's variants there reads only those: a stretch spans a few words).
  std::vector<std::uint32_t> missing_words;
  std::vector<std::uint64_t> missing_word_masks;

  for (std::uint32_t q0 = item.q_begin, nq = 0; q0 < item.q_end; q0 += nq) {
    const bool ragged_group = q0 >= ragged_queries;
    nq = std::min<std::uint32_t>(group, (ragged_group ? item.q_end : ragged_queries) - q0);
    int limit[group] = {};
    std::uint32_t lo = ragged_begin, hi = item.r_begin;
    for (std::size_t g = 0; g < nq; ++g) {
      const std::uint32_t ha = q0 + static_cast<std::uint32_t>(g);
      a_.copy_row(ha, queries.data() + g * words_);
      chains_a_.copy_query(ha, g, query_masks);
      query_sig[g] = tail_sig_a_[ha];
      if (ragged_group) {
        const std::uint64_t* missing = missing_a_->of(ha);
        for (std::size_t w = 0; w < words_; ++w)
          query_missing[g * words_ + w] = missing == nullptr ? 0 : missing[w] & ~queries[g * words_ + w];
      }
      int bound = k;
      if (top) {
        // current k-th best of this query in this item (ties kept) or in an item done before,
        // or unbounded until a list fills
        bound = std::min(bound, top_bound_[ha].load(std::memory_order_relaxed));
        const auto& list = out.top[ha - item.q_begin];
        std::uint64_t seen = 0;
        for (const auto& e : list) {
          seen += e.multiplicity;
          if (seen >= *opt_.top_k) {
            bound = std::min(bound, e.d);
            break;
          }
        }
      }
      limit[g] = bound >= unbounded ? unbounded : bound + a_.slack(ha, counting_length);
      // Count filter over the clean rows: |n_a - n_b| <= bound + slack_a + slack_b + shift margin.
      std::uint32_t qlo = item.r_begin, qhi = ragged_begin;
      if (opt_.fast_search && bound < unbounded && qlo < qhi && !counting_length) {
        const std::uint64_t* row = queries.data() + g * words_;
        int n_a = 0;
        for (std::size_t w = 0; w < words_; ++w) n_a += popcount64(row[w] & cp.count_mask_b[w]);
        for (std::uint32_t id : a_.tail(ha)) {
          const column_info& c = dict_.column(id);
          if (!c.is(column_length_variant) && dict_.class_covers(cp.cb, id)) ++n_a;
        }
        const int reach = limit[g] + max_slack_b + shift_margin;
        std::uint32_t left = qlo, right = qhi;
        while (left < right) {  // first row with n_b >= n_a - reach
          const std::uint32_t mid = left + (right - left) / 2;
          if (static_cast<int>(b_.ordinary_count(mid)) < n_a - reach) left = mid + 1;
          else right = mid;
        }
        qlo = left;
        if (cp.cb_within_ca && !a_.ragged(ha)) {  // then the relatives' counts are exact
          right = qhi;
          while (left < right) {  // first row with n_b > n_a + reach
            const std::uint32_t mid = left + (right - left) / 2;
            if (static_cast<int>(b_.ordinary_count(mid)) <= n_a + reach) left = mid + 1;
            else right = mid;
          }
          qhi = left;
        }
      }
      lo = std::min(lo, qlo);
      hi = std::max(hi, qhi);
    }
    const std::pair<std::uint32_t, std::uint32_t> segments[2] = {{lo, hi}, {ragged_begin, item.r_end}};
    for (const auto& [seg_lo, seg_hi] : segments) {
      // Rows more than the shift margin above the bound (with their allowance) are rejected
      // whatever their links (below).
      const bool ragged_rows = seg_lo == ragged_begin;
      std::uint16_t skip_above[group];
      for (std::size_t g = 0; g < nq; ++g) skip_above[g] = static_cast<std::uint16_t>(std::min(limit[g] + shift_margin, 0xFFFF));
      if (seg_lo >= seg_hi) continue;
      const auto block_lo = static_cast<std::uint32_t>(seg_lo / block_rows);
      const auto block_hi = static_cast<std::uint32_t>((seg_hi + block_rows - 1) / block_rows);
      const std::size_t stride = (block_hi - block_lo) * block_rows;
      const std::size_t block_offset = std::size_t{block_lo} * words_ * block_rows;
      detail::dispatch(level_, detail::count_tile{}, queries.data(), nq, words_, b_.blocks() + block_offset,
                       block_hi - block_lo, plan, counts.data(), stride);
      if (ragged_rows) {
        // The remains' variants in a relative's missing stretches are no difference: out of the counts.
        detail::dispatch(level_, detail::count_shared_tile{}, queries.data(), nq, words_,
                         missing_blocks_b_.data() + block_offset, block_hi - block_lo, plan, bounded.data(), stride);
        for (std::size_t i = 0; i < nq * stride; ++i) counts[i] = static_cast<std::uint16_t>(counts[i] - bounded[i]);
      }
      if (ragged_group) {
        // A relative's variants in a remains' missing stretches are no difference either.
        missing_words.clear();
        missing_word_masks.clear();
        auto take = [&](std::uint32_t w, std::uint64_t mask) {
          std::uint64_t any = 0;
          for (std::size_t g = 0; g < nq; ++g) any |= query_missing[g * words_ + w];
          if ((any & mask) == 0) return;
          missing_words.push_back(w);
          missing_word_masks.push_back(mask);
        };
        for (std::size_t i = 0; i < plan.n_full; ++i) take(plan.full[i], ~std::uint64_t{0});
        for (std::size_t i = 0; i < plan.n_edge; ++i) take(plan.edge[i], plan.edge_mask[i]);
        const detail::word_plan missing_plan{nullptr, 0, missing_words.data(), missing_word_masks.data(), missing_words.size()};
        detail::dispatch(level_, detail::count_shared_tile{}, query_missing.data(), nq, words_, b_.blocks() + block_offset,
                         block_hi - block_lo, missing_plan, bounded.data(), stride);
        for (std::size_t i = 0; i < nq * stride; ++i) counts[i] = static_cast<std::uint16_t>(counts[i] - bounded[i]);
      }
      // A shifted reading saves at most links - 1 events (detail/shift_chains.hpp): rows are selected
      // on the count lowered by that, so pairs above the threshold that no shift could bring back
      // never reach the row loop.
      // It also adds the firm tail columns the two signatures tell apart (where both coverages hold
      // them, so not for ragged pairs), which the tail test below would count anyway.
      detail::link_side query_side = query_masks.side(queries.data());
      query_side.tail_sig = query_sig;
      detail::link_side row_side = chains_b_.rows(b_.blocks() + block_offset, block_lo * static_cast<std::uint32_t>(block_rows));
      row_side.tail_sig = tail_sig_b_.data() + std::size_t{block_lo} * block_rows;
      const std::uint64_t sig_mask = ragged_group || ragged_rows ? 0 : cp.tail_sig_safe;
      detail::dispatch(level_, detail::link_bound{}, query_side, nq, row_side, block_hi - block_lo, words_, cp.link_plan(),
                       counts.data(), skip_above, allowance_.data() + std::size_t{block_lo} * block_rows, sig_mask,
                       bounded.data(), stride);
      out.kernel_pairs += std::uint64_t{nq} * (seg_hi - seg_lo);
      const std::uint32_t first_row = block_lo * static_cast<std::uint32_t>(block_rows);
      for (std::size_t g = 0; g < nq; ++g) {
        const std::uint32_t ha = q0 + static_cast<std::uint32_t>(g);
        const std::uint64_t* qa = queries.data() + g * words_;
        const std::uint16_t* cnt = counts.data() + g * stride;
        const std::uint16_t* low = bounded.data() + g * stride;
        const bool ragged_a = a_.ragged(ha);
        // Rows whose link-bounded count is within the bound; the rest provably exceed the threshold.
        const std::uint16_t cap = static_cast<std::uint16_t>(std::min(limit[g], 0xFFFF));
        const std::size_t n_selected = detail::dispatch(level_, detail::select_rows{}, low + (seg_lo - first_row),
                                                        allowance_.data() + seg_lo, seg_hi - seg_lo, cap, selected.data());
        for (std::size_t pick = 0; pick < n_selected; ++pick) {
          const std::uint32_t r = seg_lo + selected[pick];
          // limit[g] is re-read: in top-k mode it tightens as the list fills
          const int kernel_count = cnt[r - first_row];
          int excess = kernel_count - (limit[g] + slack_b[r]);
          const bool ragged = ragged_a || b_.ragged(r);
          // The pair's links, at most: kernel_count - lowered = links - 1 when links >= 2 (0 or 1
          // links leave the count as it is); unknown when the lowered count saturated at 0.
          const int lowered = low[r - first_row] == 0 ? 0 : low[r - first_row] - popcount64((query_sig[g] ^ tail_sig_b_[r]) & sig_mask);
          const int links = lowered == 0 ? unbounded : kernel_count - lowered + 1;
          // Above the bound: only a shifted reading of crowded substitutions could bring it back,
          // saving at most links - 1.
          if (excess > 0 && (excess > shift_margin || links - 1 < excess)) continue;
          pair_view pv{&cp, ragged ? nullptr : &cp.common, cp.compared_length, ragged, ha, r};
          // The kernel counts the core only: firm tail columns one of the two has raise its bound
          // (each is one event, short of the shifted readings the lowered count allows for).
          const int firm_tail = lowered > 0 && (!a_.tail(ha).empty() || !b_.tail(r).empty()) ? firm_tail_differences(pv) : 0;
          if (lowered + firm_tail > limit[g] + slack_b[r]) continue;
          // The same with the excess slack that can apply to this pair, where the two have any.
          int excess_slack = a_.slack(ha, counting_length) + slack_b[r];
          if (excess_slack > 0 && lowered > 0) {
            excess_slack = pair_excess(qa, ha, r);
            if (lowered + firm_tail > limit[g] - a_.slack(ha, counting_length) + excess_slack) continue;
          }
          // Still above it: the links counted exactly (the kernel's tail test can err high), then
          // the crowded windows themselves — after the tail test, which is cheaper.
          if (excess > 0 && (chain_links(qa, ha, r, cp, cp.substitution_mask.data()) - 1 < excess ||
                             shift_relief(qa, ha, r, cp, excess) < excess))
            continue;
          ++out.candidates;
          // settle only what may be kept: at most k, and in top-k mode within the list's bound
          const int keep_at_most = std::min(k, limit[g] - a_.slack(ha, counting_length));
          const zone_outcome zoned = zone_count(qa, pv, kernel_count, links, firm_tail, excess_slack, keep_at_most, commons, *zone_rows);
          int d = zoned.count;
          if (!zoned.exact && d > keep_at_most) continue;
          if (pv.common == nullptr) commons.resolve(a_, b_, pv);
          if (pv.compared_length <= 0) continue;  // nothing compared: never reported
          if (!zoned.exact) {
            bool used_reference = false;
            ++out.settled;
            d = settle(qa, pv, keep_at_most, scratch, used_reference);
            out.reference_calls += used_reference ? 1 : 0;
            if (d > keep_at_most) continue;  // (a count above it may stand for a larger one)
          }
          if (d > k) continue;
          if (opt_.counts_only) {
            out.counts[(ha - item.q_begin) * static_cast<std::size_t>(k + 1) + static_cast<std::size_t>(d)] +=
                static_cast<std::uint32_t>(b_.members(r).size());
          } else if (top) {
            auto& list = out.top[ha - item.q_begin];
            const auto members = b_.members(r);
            top_entry entry{d, pv.compared_length, r, members.front(), static_cast<std::uint32_t>(members.size())};
            list.insert(std::upper_bound(list.begin(), list.end(), entry, top_before), entry);
            // Trim: keep everything up to the entry that completes top_k, plus ties with it on (d, length)
            // — on d alone with a rank_key, whose order among them is not known yet.
            std::uint64_t seen = 0;
            const bool keyed = static_cast<bool>(opt_.rank_key);
            for (std::size_t i = 0; i < list.size(); ++i) {
              seen += list[i].multiplicity;
              if (seen >= *opt_.top_k) {
                std::size_t keep = i + 1;
                while (keep < list.size() && list[keep].d == list[i].d && (keyed || list[keep].length == list[i].length)) ++keep;
                list.resize(keep);
                limit[g] = std::min(limit[g], list[i].d + a_.slack(ha, counting_length));
                std::atomic<int>& shared = top_bound_[ha];
                for (int known = shared.load(std::memory_order_relaxed);
                     list[i].d < known && !shared.compare_exchange_weak(known, list[i].d, std::memory_order_relaxed);) {
                }
                break;
              }
            }
          } else {
            found.push_back({static_cast<std::uint16_t>(ha - item.q_begin), static_cast<std::uint16_t>(r - item.r_begin),
                             static_cast<std::uint16_t>(d), static_cast<std::uint16_t>(pv.compared_length)});
          }
        }
      }
    }
  }
  if (!found.empty()) out.pairs.assign(found.begin(), found.end());
}

// The top_k profiles of one remains haplotype under rank_key: every relatives haplotype with at most
// the differences of the k-th profile (the lists kept all ties on d) gets its key; then the order is
// (d, key, longer length, relative index). Members of haplotypes tied on all three are interleaved by
// index, so each tied group is expanded, sorted and cut.
std::vector<std::pair<top_entry, std::uint32_t>> engine::rank_by_key(std::uint32_t ha, std::vector<top_entry>& list) const {
  const std::size_t k = *opt_.top_k;
  std::sort(list.begin(), list.end(), top_before);
  std::size_t keep = list.size();
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    seen += list[i].multiplicity;
    if (seen >= k) {
      keep = i + 1;
      while (keep < list.size() && list[keep].d == list[i].d) ++keep;
      break;
    }
  }
  struct keyed_entry {
    top_entry e;
    double key;
  };
  std::vector<keyed_entry> keyed;
  keyed.reserve(keep);
  for (std::size_t i = 0; i < keep; ++i) keyed.push_back({list[i], opt_.rank_key(ha, list[i].b, list[i].d)});
  auto same_rank = [](const keyed_entry& x, const keyed_entry& y) {
    return x.e.d == y.e.d && x.key == y.key && x.e.length == y.e.length;
  };
  std::sort(keyed.begin(), keyed.end(), [](const keyed_entry& x, const keyed_entry& y) {
    if (x.e.d != y.e.d) return x.e.d < y.e.d;
    if (x.key != y.key) return x.key < y.key;
    if (x.e.length != y.e.length) return x.e.length > y.e.length;
    return x.e.first_member < y.e.first_member;
  });
  std::vector<std::pair<top_entry, std::uint32_t>> out;
  std::vector<std::pair<top_entry, std::uint32_t>> group;
  for (std::size_t s = 0; s < keyed.size() && out.size() < k;) {
    std::size_t e = s + 1;
    while (e < keyed.size() && same_rank(keyed[s], keyed[e])) ++e;
    const std::size_t need = k - out.size();
    group.clear();
    for (std::size_t i = s; i < e; ++i) {
      const auto members = b_.members(keyed[i].e.b);  // ascending: the first `need` are enough
      for (std::size_t m = 0; m < members.size() && m < need; ++m) group.push_back({keyed[i].e, members[m]});
    }
    if (e - s > 1) std::sort(group.begin(), group.end(), [](const auto& x, const auto& y) { return x.second < y.second; });
    if (group.size() > need) group.resize(need);
    out.insert(out.end(), group.begin(), group.end());
    s = e;
  }
  return out;
}

void engine::collect(match_result& result, std::vector<item_output>& outputs) const {
  for (const auto& o : outputs) {
    result.stats.kernel_pairs += o.kernel_pairs;
    result.stats.candidates += o.candidates;
    result.stats.settled += o.settled;
    result.stats.reference_calls += o.reference_calls;
  }
  const int k = threshold_;
  if (opt_.counts_only) {
    const std::size_t width = static_cast<std::size_t>(k + 1);
    std::vector<std::uint32_t> per_hap(a_.haplotypes() * width, 0);
    for (std::size_t i = 0; i < items_.size(); ++i) {
      const auto& o = outputs[i];
      for (std::size_t q = 0; q < o.counts.size() / width; ++q)
        for (std::size_t d = 0; d < width; ++d) per_hap[(items_[i].q_begin + q) * width + d] += o.counts[q * width + d];
    }
    result.counts.assign(a_.size() * width, 0);
    for (std::size_t p = 0; p < a_.size(); ++p)
      std::copy_n(per_hap.begin() + static_cast<std::ptrdiff_t>(a_.haplotype_of(p) * width), width,
                  result.counts.begin() + static_cast<std::ptrdiff_t>(p * width));
    return;
  }
  std::vector<row> rows;
  if (opt_.top_k) {
    // Merge the per-item lists of each remains haplotype, expand members, keep top_k profiles.
    std::vector<std::vector<top_entry>> merged(a_.haplotypes());
    for (std::size_t i = 0; i < items_.size(); ++i)
      for (std::size_t q = 0; q < outputs[i].top.size(); ++q) {
        auto& dst = merged[items_[i].q_begin + q];
        dst.insert(dst.end(), outputs[i].top[q].begin(), outputs[i].top[q].end());
      }
    if (opt_.rank_key) {
      std::vector<std::vector<std::pair<top_entry, std::uint32_t>>> keyed(a_.haplotypes());
      parallel(a_.haplotypes(), [&](std::size_t ha) {
        keyed[ha] = rank_by_key(static_cast<std::uint32_t>(ha), merged[ha]);
      });
      for (std::uint32_t ha = 0; ha < a_.haplotypes(); ++ha)
        for (std::uint32_t ma : a_.members(ha))
          for (const auto& [e, mb] : keyed[ha])
            rows.push_back({ma, mb, static_cast<std::uint16_t>(e.d), e.length, verdict_of(e.d, e.length)});
    }
    if (!opt_.rank_key) {
      // each remains haplotype's list expanded to profiles, sorted, cut (on the run's threads)
      std::vector<std::vector<std::pair<top_entry, std::uint32_t>>> best(a_.haplotypes());
      parallel(a_.haplotypes(), [&](std::size_t ha) {
        // (a scratch list per thread: ties expand to every member of a common haplotype)
        thread_local std::vector<std::pair<top_entry, std::uint32_t>> ranked;
        ranked.clear();
        for (const auto& e : merged[ha])
          for (std::uint32_t m : b_.members(e.b)) ranked.push_back({e, m});
        const std::size_t keep = std::min(ranked.size(), *opt_.top_k);
        std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end(),
                          [](const auto& x, const auto& y) {
                            if (x.first.d != y.first.d) return x.first.d < y.first.d;
                            if (x.first.length != y.first.length) return x.first.length > y.first.length;
                            return x.second < y.second;
                          });
        best[ha].assign(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep));
        std::vector<top_entry>().swap(merged[ha]);
        if (ranked.capacity() > (std::size_t{1} << 16)) std::vector<std::pair<top_entry, std::uint32_t>>().swap(ranked);
      });
      for (std::uint32_t ha = 0; ha < a_.haplotypes(); ++ha)
        for (std::uint32_t ma : a_.members(ha))
          for (const auto& [e, mb] : best[ha])
            rows.push_back({ma, mb, static_cast<std::uint16_t>(e.d), e.length, verdict_of(e.d, e.length)});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const row& x, const row& y) { return x.a < y.a; });
  } else if (opt_.group_identical) {
    // Straight into the columns, bucketed by remains haplotype (memory: the columns, not a copy of
    // every pair per stage — at national scale these are hundreds of millions of rows). Items with
    // the same query rows fill the same buckets, in item order (relatives rows ascending); items of
    // other query rows fill other buckets: each set of query rows is one task.
    std::vector<std::size_t> by_query(items_.size());
    std::iota(by_query.begin(), by_query.end(), std::size_t{0});
    std::stable_sort(by_query.begin(), by_query.end(),
                     [&](std::size_t x, std::size_t y) { return items_[x].q_begin < items_[y].q_begin; });
    std::vector<std::size_t> task_begin;  // into by_query
    for (std::size_t i = 0; i < by_query.size(); ++i)
      if (i == 0 || items_[by_query[i]].q_begin != items_[by_query[i - 1]].q_begin) task_begin.push_back(i);
    task_begin.push_back(by_query.size());
    const std::size_t tasks = task_begin.size() - 1;
    auto for_items = [&](std::size_t t, auto&& f) {
      for (std::size_t i = task_begin[t]; i < task_begin[t + 1]; ++i) f(items_[by_query[i]], outputs[by_query[i]]);
    };
    std::vector<std::size_t> start(a_.haplotypes() + 1, 0);
    parallel(tasks, [&](std::size_t t) {
      for_items(t, [&](const work_item& item, const item_output& o) {
        for (const found_pair& p : o.pairs) ++start[item.q_begin + p.a + 1];
      });
    });
    for (std::size_t i = 0; i < a_.haplotypes(); ++i) start[i + 1] += start[i];
    const std::size_t n = start.back();
    // (the columns' first touch costs page faults — seconds for gigabytes on a virtual machine —,
    // so each is sized on its own thread)
    parallel(5, [&](std::size_t column) {
      switch (column) {
        case 0: result.remains.resize(n); break;
        case 1: result.relative.resize(n); break;
        case 2: result.differences.resize(n); break;
        case 3: result.compared_length.resize(n); break;
        default: result.verdicts.resize(n); break;
      }
    });
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    std::vector<std::uint64_t> profile_pairs(tasks, 0);
    parallel(tasks, [&](std::size_t t) {
      for_items(t, [&](const work_item& item, item_output& o) {
        for (const found_pair& f : o.pairs) {
          const pair_record p = item.record(f);
          const std::size_t i = fill[p.a]++;
          result.remains[i] = p.a;
          result.relative[i] = p.b;
          result.differences[i] = p.d;
          result.compared_length[i] = p.length;
          result.verdicts[i] = verdict_of(p.d, p.length);
          profile_pairs[t] += std::uint64_t{a_.members(p.a).size()} * b_.members(p.b).size();
        }
        std::vector<found_pair>().swap(o.pairs);
      });
    });
    result.profile_pairs = std::accumulate(profile_pairs.begin(), profile_pairs.end(), std::uint64_t{0});
    parallel(a_.haplotypes(), [&](std::size_t h) {  // each bucket by relatives row (already, as a rule)
      const std::size_t lo = start[h], hi = start[h + 1];
      if (std::is_sorted(result.relative.begin() + static_cast<std::ptrdiff_t>(lo), result.relative.begin() + static_cast<std::ptrdiff_t>(hi)))
        return;
      std::vector<std::uint32_t> order(hi - lo);
      std::iota(order.begin(), order.end(), static_cast<std::uint32_t>(lo));
      std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return result.relative[x] < result.relative[y]; });
      auto permute = [&](auto& column) {
        using T = typename std::decay_t<decltype(column)>::value_type;
        std::vector<T> tmp(order.size());
        for (std::size_t i = 0; i < order.size(); ++i) tmp[i] = column[order[i]];
        std::copy(tmp.begin(), tmp.end(), column.begin() + static_cast<std::ptrdiff_t>(lo));
      };
      permute(result.relative);
      permute(result.differences);
      permute(result.compared_length);
      permute(result.verdicts);
    });
    result.grouped = true;
    return;
  } else {
    rows = expand_rows(a_, b_, [&](auto&& f) {
      for (std::size_t i = 0; i < items_.size(); ++i)
        for (const found_pair& p : outputs[i].pairs) {
          const pair_record full = items_[i].record(p);
          f(full, verdict_of(full.d, full.length));
        }
    });
  }
  fill_columns(result, rows);
}

match_result engine::run() {
  match_result result;
  result.level = level_;
  result.stats.distinct_pairs = total_pairs_;
  std::vector<item_output> outputs(items_.size());
  if (opt_.top_k) {
    top_bound_ = std::make_unique<std::atomic<int>[]>(a_.haplotypes());
    for (std::uint32_t h = 0; h < a_.haplotypes(); ++h) top_bound_[h].store(unbounded, std::memory_order_relaxed);
  }
  std::atomic<bool> cancelled{false};
  std::atomic<std::uint64_t> done{0};
  std::mutex progress_mutex;
  auto body = [&](std::size_t i) {
    if (cancelled.load(std::memory_order_relaxed)) return;
    run_item(items_[i], outputs[i]);
    const auto& it = items_[i];
    const std::uint64_t now = done.fetch_add(std::uint64_t{it.q_end - it.q_begin} * (it.r_end - it.r_begin)) +
                              std::uint64_t{it.q_end - it.q_begin} * (it.r_end - it.r_begin);
    if (opt_.progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      if (!cancelled.load() && !opt_.progress(now, total_pairs_)) cancelled.store(true);
    }
  };
  const int threads = opt_.threads == 0 ? tbb::task_arena::automatic : static_cast<int>(opt_.threads);
  if (opt_.threads == 1 || total_pairs_ < 4096) {
    for (std::size_t i = 0; i < items_.size(); ++i) body(i);
  } else {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, items_.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
      });
    });
  }
  result.cancelled = cancelled.load();
  collect(result, outputs);
  return result;
}

}  // namespace

match_result match(const profile_store& remains, const profile_store& relatives, const match_options& options) {
  options.validate();
  if (remains.dictionary_ptr() != relatives.dictionary_ptr() || !remains.dictionary_ptr())
    throw error("match: the two stores must be encoded with the same dictionary (use mtmatch::encode)");
  engine e(remains, relatives, options);
  return e.run();
}

match_result expand(const match_result& result, const profile_store& remains, const profile_store& relatives) {
  if (!result.grouped) return result;
  for (std::size_t i = 0; i < result.size(); ++i)
    if (result.remains[i] >= remains.haplotypes() || result.relative[i] >= relatives.haplotypes())
      throw error("expand: the result's haplotype rows do not belong to these stores");
  match_result out;
  out.cancelled = result.cancelled;
  out.level = result.level;
  out.stats = result.stats;
  fill_columns(out, expand_rows(remains, relatives, [&](auto&& f) {
                 for (std::size_t i = 0; i < result.size(); ++i)
                   f(pair_record{result.remains[i], result.relative[i], result.compared_length[i], result.differences[i]},
                     result.verdicts[i]);
               }));
  return out;
}

match_result match(std::span<const profile> remains, std::span<const profile> relatives, const match_options& options,
                   const encode_options& encoding) {
  options.validate();
  if (options.group_identical)
    throw error("match: group_identical refers to haplotype rows of the stores; encode() and match the stores");
  encoded_sides sides = encode(remains, relatives, encoding);
  return match(sides.remains, sides.relatives, options);
}

}  // namespace mtmatch
