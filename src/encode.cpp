#include "mtmatch/encode.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <numeric>

#include "mtmatch/compare.hpp"
#include "mtmatch/error.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {

namespace {

constexpr std::int32_t rotation_origin = 16024;  // start of the control region: CR is one run of ids

std::int32_t rotated(std::int32_t position) noexcept {
  return (position - rotation_origin + rcrs_length) % rcrs_length;
}

// Sort key of a site: rotated position, an insertion right after its anchor's base.
std::int64_t site_key(const variant& v) noexcept {
  return std::int64_t{rotated(v.position)} * 2 + (v.kind == variant_kind::insertion ? 1 : 0);
}

std::string variant_key(const variant& v) {
  std::string key = std::to_string(v.position);
  key += static_cast<char>('0' + static_cast<int>(v.kind));
  key += std::to_string(v.length);
  key += ':';
  key += v.bases;
  if (v.any_length) key += '*';
  return key;
}

std::string range_key(const range& r) {
  std::string key;
  for (const auto& piece : r.intervals()) key += std::to_string(piece.first) + '-' + std::to_string(piece.last) + ';';
  return key;
}

bool covers(const range& r, const column_info& c) noexcept {
  switch (c.value.kind) {
    case variant_kind::substitution: return r.contains(c.first);
    case variant_kind::deletion: return r.contains_all(c.first, c.last);
    case variant_kind::insertion: return r.contains_insertion(c.first);
  }
  return false;
}

bool touches_any(const range& r, const column_info& c) noexcept {
  for (std::int32_t p = c.first; p <= c.last; ++p)
    if (r.contains(p)) return true;
  return false;
}

// compare()'s window over the whole molecule (no interval clamp): the stretch aligned around a
// differing variant. Unclamped it can only be wider, which is the safe side here.
void window_of(column_info& c) {
  constexpr std::int32_t flank = 8;  // compare.cpp uses 6: a wider stretch only merges more
  const detail::stretch w = detail::variant_window(c.value, 1, rcrs_length, flank);
  c.window_first = w.first;
  c.window_last = w.last;
}

// compare() on this variant alone (whole molecule, the other profile = rCRS), both ways round, for
// each policy switch: what a pair gets from this column when nothing else sits in its window.
void alone_counts(column_info& c) {
  profile with;
  with.variants.push_back(c.value);
  const profile without;
  for (int owner = 0; owner < 2; ++owner)
    for (int ignore = 0; ignore < 2; ++ignore)
      for (int pattern = 0; pattern < 2; ++pattern) {
        compare_policy policy;
        policy.ignore_length_variants = ignore != 0;
        policy.pattern_match_heteroplasmy = pattern != 0;
        const int n = owner == 0 ? compare(with, without, policy).differences : compare(without, with, policy).differences;
        c.alone_[owner * 4 + ignore * 2 + pattern] = static_cast<std::uint8_t>(std::clamp(n, 0, 255));
      }
  if (c.value.is_indel()) {
    // ignored as a length variant, held by the first / the second profile
    if (c.alone(0, true, true) < c.alone(0, false, true)) c.flags |= column_length_if_first;
    if (c.alone(1, true, true) < c.alone(1, false, true)) c.flags |= column_length_if_second;
    if ((c.flags & column_length_if_first) && (c.flags & column_length_if_second)) c.flags |= column_length_variant;
  }
}

// Everything about a column that depends on its variant alone.
column_info make_column(const variant& v) {
  column_info c;
  c.value = v;
  c.first = v.position;
  c.last = v.last();
  if (v.kind == variant_kind::substitution && v.bases.size() == 1) c.bases = iupac::bases_of(v.bases[0]);
  if (v.is_heteroplasmy()) c.flags |= column_heteroplasmy;
  if (v.kind == variant_kind::deletion) c.flags |= column_deletion;
  window_of(c);
  alone_counts(c);
  return c;
}

void set_bit(std::uint64_t* words, std::size_t bit) noexcept { words[bit / 64] |= std::uint64_t{1} << (bit % 64); }

}  // namespace

// Shared with store_io.cpp (declared there): keys and per-variant column facts.
std::string variant_key_of(const variant& v) { return variant_key(v); }
std::string range_key_of(const range& r) { return range_key(r); }
column_info make_column_info(const variant& v) { return make_column(v); }

bool near_length_stretch(std::int32_t first, std::int32_t last) noexcept {
  constexpr std::int32_t reach = 3;
  constexpr std::int32_t stretches[4][2] = {{16184, 16193}, {303, 315}, {568, 573}, {515, 524}};
  for (const auto& s : stretches)
    if (first <= s[1] + reach && last >= s[0] - reach) return true;
  return false;
}

void encode_options::validate() const {
  if (dense_bits % 512 != 0 || dense_bits > 32768)
    throw error("encode_options.dense_bits must be a multiple of 512 and at most 32768 (0 = automatic), got " +
                std::to_string(dense_bits));
  if (max_dense_bits < 512 || max_dense_bits % 512 != 0 || max_dense_bits > 32768)
    throw error("encode_options.max_dense_bits must be a multiple of 512 in 512..32768, got " +
                std::to_string(max_dense_bits));
  if (!(max_tail_per_profile >= 0)) throw error("encode_options.max_tail_per_profile must be >= 0");
  if (fill_gaps < 0) throw error("encode_options.fill_gaps must be >= 0, got " + std::to_string(fill_gaps));
}

std::shared_ptr<const variant_dictionary> variant_dictionary::build(std::span<const std::span<const profile>> sets,
                                                                    const encode_options& options) {
  options.validate();
  auto dict = std::shared_ptr<variant_dictionary>(new variant_dictionary());
  static std::atomic<std::uint64_t> serials{0};
  dict->serial_ = ++serials;
  dict->fill_gaps_ = options.fill_gaps;

  // 1. Distinct variants with their counts, distinct coverages.
  std::vector<column_info> found;
  std::unordered_map<std::string, std::uint32_t> index;
  std::size_t n_profiles = 0;
  std::size_t occurrences = 0;
  for (auto set : sets) {
    for (const profile& p : set) {
      ++n_profiles;
      range family = dict->class_of_range(p.coverage);
      std::string ck = range_key(family);
      if (dict->class_by_key_.find(ck) == dict->class_by_key_.end()) {
        if (dict->classes_.size() >= 65535) throw error("more than 65535 distinct coverage classes");
        dict->class_by_key_.emplace(ck, static_cast<std::uint16_t>(dict->classes_.size()));
        dict->classes_.push_back(std::move(family));
      }
      for (const variant& v : p.variants) {
        ++occurrences;
        auto [it, inserted] = index.try_emplace(variant_key(v), static_cast<std::uint32_t>(found.size()));
        if (inserted) found.push_back(make_column(v));
        ++found[it->second].count;
      }
    }
  }

  // 2. Size of the dense core: the smallest multiple of 512 that leaves few tail variants.
  std::vector<std::uint32_t> by_count(found.size());
  std::iota(by_count.begin(), by_count.end(), 0U);
  std::sort(by_count.begin(), by_count.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (found[a].count != found[b].count) return found[a].count > found[b].count;
    return site_key(found[a].value) < site_key(found[b].value) ||
           (site_key(found[a].value) == site_key(found[b].value) && found[a].value < found[b].value);
  });
  std::size_t dense_bits = options.dense_bits;
  if (dense_bits == 0) {
    dense_bits = 512;
    std::size_t covered = 0;
    std::size_t taken = 0;
    for (;; dense_bits += 512) {
      while (taken < by_count.size() && taken < dense_bits) covered += found[by_count[taken++]].count;
      const double tail = n_profiles == 0 ? 0.0 : static_cast<double>(occurrences - covered) / static_cast<double>(n_profiles);
      if (tail <= options.max_tail_per_profile || taken == by_count.size() || dense_bits >= options.max_dense_bits) break;
    }
  }
  const std::size_t n_dense = std::min(dense_bits, by_count.size());
  std::vector<char> is_dense(found.size(), 0);
  for (std::size_t i = 0; i < n_dense; ++i) is_dense[by_count[i]] = 1;

  // 3. Column order: core then tail; inside each, ordinary variants then length variants, each by site.
  std::vector<std::uint32_t> order(found.size());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    auto rank = [&](std::uint32_t i) { return (is_dense[i] ? 0 : 2) + (found[i].is(column_length_variant) ? 1 : 0); };
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (site_key(found[a].value) != site_key(found[b].value)) return site_key(found[a].value) < site_key(found[b].value);
    return found[a].value < found[b].value;
  });
  dict->columns_.reserve(found.size());
  for (std::uint32_t i : order) {
    dict->by_key_.emplace(variant_key(found[i].value), static_cast<std::uint32_t>(dict->columns_.size()));
    dict->columns_.push_back(std::move(found[i]));
  }
  dict->n_dense_ = n_dense;
  dict->dense_words_ = std::max<std::size_t>(8, (n_dense + 511) / 512 * 8);
  if (options.dense_bits != 0) dict->dense_words_ = std::max(dict->dense_words_, options.dense_bits / 64);
  dict->finish();
  return dict;
}

// Steps 4-8 of build(): everything that follows from the ordered columns and the classes. Also how
// a saved dictionary is restored (profile_store::load).
void variant_dictionary::finish() {
  variant_dictionary* dict = this;
  auto& cols = columns_;
  const std::size_t n_dense = n_dense_;
  for (auto& c : cols) c.flags &= static_cast<std::uint8_t>(~(column_minor_allele | column_indel_context | column_coverage_boundary));
  // 4. Sites, ordered by site key.
  std::map<std::int64_t, std::int32_t> site_of_key;
  for (const auto& c : cols) site_of_key.emplace(site_key(c.value), 0);
  for (auto& [key, id] : site_of_key) {
    id = static_cast<std::int32_t>(dict->site_position_.size());
    const bool insertion = (key % 2) != 0;
    dict->site_position_.push_back(static_cast<std::int32_t>((key / 2 + rotation_origin - 1) % rcrs_length + 1));
    dict->site_insertion_.push_back(insertion ? 1 : 0);
  }
  std::vector<std::vector<std::uint32_t>> site_columns(site_of_key.size());
  for (std::uint32_t id = 0; id < cols.size(); ++id) {
    cols[id].site = site_of_key[site_key(cols[id].value)];
    site_columns[cols[id].site].push_back(id);
  }

  // 5. Minor alleles: every column of a site but its most frequent one.
  for (auto& ids : site_columns) {
    if (ids.size() < 2) continue;
    std::uint32_t major = ids[0];
    for (std::uint32_t id : ids)
      if (cols[id].count > cols[major].count) major = id;
    for (std::uint32_t id : ids)
      if (id != major) cols[id].flags |= column_minor_allele;
  }

  std::vector<std::uint32_t> by_position(cols.size());
  std::iota(by_position.begin(), by_position.end(), 0U);
  std::sort(by_position.begin(), by_position.end(), [&](std::uint32_t x, std::uint32_t y) {
    return cols[x].first != cols[y].first ? cols[x].first < cols[y].first : x < y;
  });

  // 6. For every column, the other columns that touch its compare() window (match.cpp settles a
  //    cluster from its differing columns alone when the two profiles share nothing there).
  //    Deletions longer than 64 bases are kept apart so that position scans stay short.
  std::int32_t longest = 1;
  for (std::uint32_t id = 0; id < cols.size(); ++id) {
    const std::int32_t span = cols[id].last - cols[id].first + 1;
    if (span > 64) dict->long_columns_.push_back(id);
    else longest = std::max(longest, span);
  }
  dict->longest_ = longest;
  dict->by_position_ = by_position;
  dict->neighbour_begin_.assign(cols.size() + 1, 0);
  for (std::uint32_t id = 0; id < cols.size(); ++id) {
    const std::int32_t lo = cols[id].window_first;
    const std::int32_t hi = cols[id].window_last;
    dict->for_each_touching(lo, hi, [&](std::uint32_t other) {
      if (other == id) return;
      dict->neighbours_.push_back(other);
      if (cols[id].value.is_indel()) {
        cols[other].flags |= column_indel_context;
        cols[id].flags |= column_indel_context;
      }
    });
    dict->neighbour_begin_[id + 1] = static_cast<std::uint32_t>(dict->neighbours_.size());
  }

  // 7. Coverage classes: masks over the core and over all columns; deletions a class cuts.
  const std::size_t n_classes = dict->classes_.size();
  dict->all_words_ = (cols.size() + 63) / 64 + 1;
  dict->class_dense_.assign(n_classes * dict->dense_words_, 0);
  dict->class_all_.assign(n_classes * dict->all_words_, 0);
  for (std::size_t c = 0; c < n_classes; ++c) {
    const range& r = dict->classes_[c];
    std::uint64_t* dense = dict->class_dense_.data() + c * dict->dense_words_;
    std::uint64_t* all = dict->class_all_.data() + c * dict->all_words_;
    for (std::size_t bit = n_dense; bit < dict->dense_words_ * 64; ++bit) set_bit(dense, bit);  // padding
    for (std::uint32_t id = 0; id < cols.size(); ++id) {
      if (covers(r, cols[id])) {
        set_bit(all, id);
        if (id < n_dense) set_bit(dense, id);
      } else if (cols[id].is(column_deletion) && cols[id].last > cols[id].first && touches_any(r, cols[id])) {
        cols[id].flags |= column_coverage_boundary;
      }
    }
  }
  dict->length_dense_.assign(dict->dense_words_, 0);
  for (std::uint32_t id = 0; id < n_dense; ++id)
    if (cols[id].is(column_length_variant)) set_bit(dict->length_dense_.data(), id);

  // 8. Slack: how far the bit count of a pair may exceed the per-site count through this column.
  for (auto& c : cols) {
    int s = 0;
    if (c.is(column_heteroplasmy)) s = 2;
    else if (c.is(column_minor_allele)) s = 1;
    // An insertion with IUPAC bases pattern-matches what it is aligned against, as a heteroplasmy
    // does: 127d 129.1Y against 127C 128T (the same swap of two bases) is four columns and no event.
    if (c.value.kind == variant_kind::insertion &&
        std::any_of(c.value.bases.begin(), c.value.bases.end(), [](char b) { return iupac::is_ambiguous(b); }))
      s = std::max(s, 2);
    // compare() aligns a differing indel together with the differences around it and may need
    // fewer events for the lot (an insertion and a deletion against one substitution): one unit
    // per indel that is not always ignored; and a substitution next to a C-tract can be read as
    // part of an ignored length variant (16189C against 16193.1C).
    if (!c.is(column_length_variant) &&
        (c.value.is_indel() || (c.flags & (column_length_if_first | column_length_if_second)) ||
         near_length_stretch(c.first, c.last)))
      s += 1;
    if (c.is(column_coverage_boundary)) s += 1;
    c.slack = static_cast<std::uint8_t>(s);
    // Counted length variants are read by the kernel too, and compare() merges them with their neighbours.
    c.slack_counted = static_cast<std::uint8_t>(s + (c.is(column_length_variant) ? 1 : 0));
  }
  // Core columns without slack: a differing one is a difference compare() cannot explain away.
  // Padding bits are set (rows are zero there) so that whole words stay whole.
  for (int counted = 0; counted < 2; ++counted) {
    auto& mask = counted ? dict->firm_counted_dense_ : dict->firm_dense_;
    mask.assign(dict->dense_words_, 0);
    for (std::size_t bit = n_dense; bit < dict->dense_words_ * 64; ++bit) set_bit(mask.data(), bit);
    for (std::uint32_t id = 0; id < n_dense; ++id)
      if ((counted ? cols[id].slack_counted : cols[id].slack) == 0) set_bit(mask.data(), id);
  }
}

std::optional<std::uint32_t> variant_dictionary::find(const variant& v) const {
  auto it = by_key_.find(variant_key(v));
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

range variant_dictionary::class_of_range(const range& r) const {
  const auto& pieces = r.intervals();
  if (pieces.empty() || fill_gaps_ <= 0) return r;
  std::vector<interval> out;
  for (const auto& piece : pieces) {
    if (!out.empty() && piece.first - out.back().last - 1 <= fill_gaps_) out.back().last = piece.last;
    else out.push_back(piece);
  }
  // the gap across the origin (16569 is followed by 1), e.g. a control region with 1-10 missing
  const std::int32_t around = (rcrs_length - out.back().last) + (out.front().first - 1);
  if (around > 0 && around <= fill_gaps_ && (out.size() > 1 || out.front().first > 1 || out.back().last < rcrs_length)) {
    out.front().first = 1;
    out.back().last = rcrs_length;
  }
  return range(std::move(out));
}

std::optional<std::uint16_t> variant_dictionary::find_class(const range& r) const {
  auto it = class_by_key_.find(range_key(class_of_range(r)));
  if (it == class_by_key_.end()) return std::nullopt;
  return it->second;
}

std::uint8_t variant_dictionary::slack_of(std::span<const std::uint32_t> ids, bool counting_length) const noexcept {
  unsigned s = 0;
  for (std::uint32_t id : ids) s += counting_length ? columns_[id].slack_counted : columns_[id].slack;
  return static_cast<std::uint8_t>(std::min(s, 255U));
}

std::uint8_t variant_dictionary::excess_of(std::span<const std::uint32_t> ids, bool counting_length) const noexcept {
  unsigned s = 0;
  for (std::uint32_t id : ids) {
    const unsigned c = counting_length ? columns_[id].slack_counted : columns_[id].slack;
    s += c > 1 ? c - 1 : 0;
  }
  return static_cast<std::uint8_t>(std::min(s, 255U));
}

// --------------------------------------------------------------------------------------------------

// The arrays of a store built in memory (the constructor); the spans of profile_store view them.
struct profile_store::owned_arrays final : profile_store::backing {
  struct aligned_free {
    void operator()(std::uint64_t* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::unique_ptr<std::uint64_t[], aligned_free> blocks;
  std::size_t block_words = 0;
  std::vector<std::uint16_t> class_;
  std::vector<std::uint32_t> exact_;
  std::vector<std::uint8_t> ragged_;
  std::vector<std::uint32_t> missing_begin_;
  std::vector<std::uint32_t> missing_list_;
  std::vector<std::uint8_t> slack_;
  std::vector<std::uint8_t> slack_counted_;
  std::vector<std::uint8_t> needs_reference_;
  std::vector<std::uint16_t> ordinary_count_;
  std::vector<std::uint32_t> tail_begin_;
  std::vector<std::uint32_t> tail_list_;
  std::vector<std::uint32_t> member_begin_;
  std::vector<std::uint32_t> member_list_;
  std::vector<std::uint32_t> haplotype_of_;
};

void profile_store::adopt(std::shared_ptr<owned_arrays> owned) {
  const owned_arrays& o = *owned;
  blocks_ = {o.blocks.get(), o.block_words};
  class_ = o.class_;
  exact_ = o.exact_;
  ragged_ = o.ragged_;
  missing_begin_ = o.missing_begin_;
  missing_list_ = o.missing_list_;
  slack_ = o.slack_;
  slack_counted_ = o.slack_counted_;
  needs_reference_ = o.needs_reference_;
  ordinary_count_ = o.ordinary_count_;
  tail_begin_ = o.tail_begin_;
  tail_list_ = o.tail_list_;
  member_begin_ = o.member_begin_;
  member_list_ = o.member_list_;
  haplotype_of_ = o.haplotype_of_;
  backing_ = std::move(owned);
  mapped_ = false;
}

profile_store::profile_store(std::shared_ptr<const variant_dictionary> dictionary, std::span<const profile> profiles)
    : dictionary_(std::move(dictionary)) {
  if (!dictionary_) throw error("profile_store: no dictionary");
  const variant_dictionary& dict = *dictionary_;
  words_ = dict.dense_words();
  if (profiles.size() >= 0xFFFFFFFFULL) throw error("profile_store: too many profiles");
  // Built into vectors owned by `owned`, which the spans then view (adopt()).
  auto owned = std::make_shared<owned_arrays>();
  owned_arrays& o = *owned;
  auto ranges_owned = std::make_shared<std::vector<range>>();
  std::vector<range>& ranges = *ranges_owned;
  auto id_table = std::make_shared<id_strings>();

  // Encode every profile: class and sorted column ids; identical ones share a haplotype.
  struct draft {
    std::uint16_t cls;
    std::uint32_t exact;
    bool ragged;
    std::vector<std::uint32_t> ids;
    std::vector<std::uint32_t> members;
  };
  std::unordered_map<std::string, std::uint32_t> range_index;
  std::vector<draft> drafts;
  std::unordered_map<std::string, std::uint32_t> seen;
  std::vector<std::uint32_t> draft_of(profiles.size());
  id_table->strings.reserve(profiles.size());
  std::string key;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const profile& p = profiles[i];
    id_table->strings.push_back(p.id);
    auto cls = dict.find_class(p.coverage);
    if (!cls) {
      source_location where;
      where.token = p.id;
      throw error(where, "coverage " + p.coverage.to_string() + " is not in the variant dictionary");
    }
    std::vector<std::uint32_t> ids;
    ids.reserve(p.variants.size());
    for (const variant& v : p.variants) {
      auto id = dict.find(v);
      if (!id) {
        source_location where;
        where.token = p.id;
        throw error(where, "variant at " + std::to_string(v.position) + " is not in the variant dictionary");
      }
      ids.push_back(*id);
    }
    std::sort(ids.begin(), ids.end());
    auto [rit, new_range] = range_index.try_emplace(range_key(p.coverage), static_cast<std::uint32_t>(ranges.size()));
    if (new_range) ranges.push_back(p.coverage);
    const std::uint32_t exact = rit->second;
    key.assign(reinterpret_cast<const char*>(&exact), sizeof exact);
    key.append(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(std::uint32_t));
    auto [it, inserted] = seen.try_emplace(key, static_cast<std::uint32_t>(drafts.size()));
    if (inserted) drafts.push_back({*cls, exact, !(p.coverage == dict.class_range(*cls)), std::move(ids), {}});
    drafts[it->second].members.push_back(static_cast<std::uint32_t>(i));
    draft_of[i] = it->second;
  }

  auto ordinary = [&](const draft& d) {
    std::size_t n = 0;
    for (std::uint32_t id : d.ids) n += dict.column(id).is(column_length_variant) || dict.column(id).slack != 0 ? 0 : 1;
    return n;
  };
  // Rows by class, then by variant count (the count bound skips runs of rows), then by columns.
  std::vector<std::uint32_t> order(drafts.size());
  std::iota(order.begin(), order.end(), 0U);
  std::vector<std::size_t> n_ordinary(drafts.size());
  for (std::size_t i = 0; i < drafts.size(); ++i) n_ordinary[i] = ordinary(drafts[i]);
  // Rows by class, clean before ragged (the count filter works on the clean run), then by count.
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (drafts[a].cls != drafts[b].cls) return drafts[a].cls < drafts[b].cls;
    if (drafts[a].ragged != drafts[b].ragged) return drafts[b].ragged;
    if (n_ordinary[a] != n_ordinary[b]) return n_ordinary[a] < n_ordinary[b];
    if (drafts[a].exact != drafts[b].exact) return drafts[a].exact < drafts[b].exact;
    return drafts[a].ids < drafts[b].ids;
  });
  std::vector<std::uint32_t> row_of(drafts.size());
  for (std::uint32_t r = 0; r < order.size(); ++r) row_of[order[r]] = r;

  const std::size_t n = drafts.size();
  const std::size_t n_padded = (n + 7) / 8 * 8;
  const std::size_t total_words = std::max<std::size_t>(n_padded * words_, 8);
  o.blocks.reset(static_cast<std::uint64_t*>(::operator new[](total_words * 8, std::align_val_t{64})));
  owned->block_words = total_words;
  std::memset(o.blocks.get(), 0, total_words * 8);
  o.class_.resize(n);
  o.exact_.resize(n);
  o.ragged_.resize(n);
  o.missing_begin_.assign(n + 1, 0);
  o.slack_.resize(n);
  o.slack_counted_.resize(n);
  o.needs_reference_.resize(n);
  o.ordinary_count_.resize(n);
  o.tail_begin_.assign(n + 1, 0);
  o.member_begin_.assign(n + 1, 0);
  for (std::uint32_t r = 0; r < n; ++r) {
    const draft& d = drafts[order[r]];
    o.class_[r] = d.cls;
    o.exact_[r] = d.exact;
    std::uint8_t rag = d.ragged ? 1 : 0;
    for (std::uint32_t id : d.ids) {
      const column_info& c = dict.column(id);
      if (c.is(column_deletion) && c.last > c.first) rag |= 2;
    }
    o.ragged_[r] = rag;
    if (d.ragged) {
      // core columns the class range has and this range lacks: its missing stretches
      const range gaps_of = dict.class_range(d.cls);
      const range& own = ranges[d.exact];
      for (const auto& piece : gaps_of.intervals()) {
        std::int32_t p = piece.first;
        while (p <= piece.last) {
          if (own.contains(p)) {
            ++p;
            continue;
          }
          std::int32_t q = p;
          while (q + 1 <= piece.last && !own.contains(q + 1)) ++q;
          dict.for_each_touching(p - 1, q + 1, [&](std::uint32_t id) {
            if (id < dict.dense_columns() && dict.class_covers(d.cls, id) && !mtmatch::covers(own, dict.column(id)))
              o.missing_list_.push_back(id);
          });
          p = q + 1;
        }
      }
      std::sort(o.missing_list_.begin() + o.missing_begin_[r], o.missing_list_.end());
      o.missing_list_.erase(std::unique(o.missing_list_.begin() + o.missing_begin_[r], o.missing_list_.end()), o.missing_list_.end());
    }
    o.missing_begin_[r + 1] = static_cast<std::uint32_t>(o.missing_list_.size());
    o.slack_[r] = dict.excess_of(d.ids, false);
    o.slack_counted_[r] = dict.excess_of(d.ids, true);
    o.ordinary_count_[r] = static_cast<std::uint16_t>(std::min<std::size_t>(n_ordinary[order[r]], 0xFFFF));
    std::uint8_t risky = 0;
    for (std::uint32_t id : d.ids) {
      if (dict.column(id).is(column_coverage_boundary)) risky = 1;
      if (id < dict.dense_columns()) {
        o.blocks[(std::size_t{r} / 8 * words_ + id / 64) * 8 + r % 8] |= std::uint64_t{1} << (id % 64);
      } else {
        o.tail_list_.push_back(id);
      }
    }
    o.needs_reference_[r] = risky;
    o.tail_begin_[r + 1] = static_cast<std::uint32_t>(o.tail_list_.size());
    o.member_list_.insert(o.member_list_.end(), d.members.begin(), d.members.end());
    o.member_begin_[r + 1] = static_cast<std::uint32_t>(o.member_list_.size());
  }
  o.haplotype_of_.resize(profiles.size());
  for (std::size_t i = 0; i < profiles.size(); ++i) o.haplotype_of_[i] = row_of[draft_of[i]];
  std::call_once(id_table->once, [] {});  // the strings are there already
  id_strings_ = std::move(id_table);
  ranges_ = std::move(ranges_owned);
  adopt(std::move(owned));
}

const std::string& profile_store::id(std::size_t profile) const {
  // A mapped store builds its strings on first use; for a built one the flag is already set.
  id_strings& ids = *id_strings_;
  std::call_once(ids.once, [&] {
    ids.strings.reserve(size());
    for (std::size_t p = 0; p < size(); ++p) ids.strings.emplace_back(id_view(p));
  });
  return ids.strings[profile];
}

std::string_view profile_store::id_view(std::size_t profile) const noexcept {
  if (id_offsets_.empty()) return id_strings_->strings[profile];
  return {id_blob_.data() + id_offsets_[profile], static_cast<std::size_t>(id_offsets_[profile + 1] - id_offsets_[profile])};
}

std::vector<std::uint32_t> profile_store::columns(std::uint32_t h) const {
  std::vector<std::uint32_t> out;
  const std::size_t n_dense = dictionary_->dense_columns();
  for (std::size_t w = 0; w < words_; ++w) {
    std::uint64_t bits = blocks_[(std::size_t{h} / 8 * words_ + w) * 8 + h % 8];
    while (bits != 0) {
      const auto bit = static_cast<std::uint32_t>(std::countr_zero(bits));
      const auto id = static_cast<std::uint32_t>(w * 64 + bit);
      if (id < n_dense) out.push_back(id);
      bits &= bits - 1;
    }
  }
  auto t = tail(h);
  out.insert(out.end(), t.begin(), t.end());
  return out;
}

void profile_store::copy_row(std::uint32_t h, std::uint64_t* out) const noexcept {
  const std::uint64_t* base = blocks_.data() + (std::size_t{h} / 8 * words_) * 8 + h % 8;
  for (std::size_t w = 0; w < words_; ++w) out[w] = base[w * 8];
}

std::uint32_t profile_store::class_begin(std::uint16_t c) const noexcept {
  return static_cast<std::uint32_t>(std::lower_bound(class_.begin(), class_.end(), c) - class_.begin());
}

std::uint32_t profile_store::class_ragged_begin(std::uint16_t c) const noexcept {
  std::uint32_t lo = class_begin(c), hi = class_end(c);
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (ragged(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

bool profile_store::covers(std::uint32_t h, std::uint32_t id) const noexcept {
  if (!dictionary_->class_covers(class_[h], id)) return false;
  return !ragged(h) || mtmatch::covers((*ranges_)[exact_[h]], dictionary_->column(id));
}

std::uint32_t profile_store::class_end(std::uint16_t c) const noexcept {
  return static_cast<std::uint32_t>(std::upper_bound(class_.begin(), class_.end(), c) - class_.begin());
}

profile profile_store::decode_haplotype(std::uint32_t h) const {
  profile p;
  p.id = member_begin_[h] == member_begin_[h + 1] ? std::string() : std::string(id_view(member_list_[member_begin_[h]]));
  p.coverage = (*ranges_)[exact_[h]];
  for (std::uint32_t id : columns(h)) p.variants.push_back(dictionary_->column(id).value);
  std::sort(p.variants.begin(), p.variants.end());
  return p;
}

profile profile_store::decode(std::size_t i) const {
  profile p = decode_haplotype(haplotype_of_[i]);
  p.id = id_view(i);
  return p;
}

std::size_t profile_store::bytes(bool with_ids) const noexcept {
  std::size_t b = (class_.size() + 7) / 8 * 8 * words_ * 8;
  b += class_.size() * (sizeof(std::uint16_t) * 2 + 2 + sizeof(std::uint32_t) * 2);
  b += tail_list_.size() * 4 + member_list_.size() * 4 + haplotype_of_.size() * 4;
  b += exact_.size() * 5 + missing_list_.size() * 4 + missing_begin_.size() * 4;
  if (ranges_)
    for (const auto& r : *ranges_) b += sizeof(range) + r.intervals().size() * sizeof(interval);
  if (with_ids) {
    b += id_blob_.size() + id_offsets_.size() * sizeof(std::uint64_t);
    if (id_strings_)
      for (const auto& id : id_strings_->strings) b += sizeof(std::string) + (id.size() > 15 ? id.size() + 1 : 0);
  }
  return b;
}

encoded_sides encode(std::span<const profile> remains, std::span<const profile> relatives, const encode_options& options) {
  const std::span<const profile> sets[2] = {remains, relatives};
  encoded_sides out;
  out.dictionary = variant_dictionary::build(sets, options);
  out.remains = profile_store(out.dictionary, remains);
  out.relatives = profile_store(out.dictionary, relatives);
  return out;
}

}  // namespace mtmatch
