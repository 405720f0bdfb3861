#include "detail/shift_chains.hpp"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "mtmatch/reference.hpp"

namespace mtmatch::detail {
namespace {

constexpr std::int32_t genome = rcrs_length;

std::int32_t wrap(std::int32_t p) noexcept { return ((p - 1) % genome + genome) % genome + 1; }

// A position's bit in the hashed position sets of link_side: one of bits 1-63 (bit 0 is reserved).
std::uint64_t position_bit(std::int32_t t) noexcept {
  return std::uint64_t{2} << ((static_cast<std::uint32_t>(t) * 2654435761U >> 16) % 63);
}

// rCRS positions a variant changes: its bases, and for an insertion both bases around it.
template <class F>
void for_each_touched(const column_info& c, F&& f) {
  const std::int32_t last = c.value.kind == variant_kind::insertion ? c.first + 1 : c.last;
  for (std::int32_t t = c.first; t <= last; ++t) f(wrap(t));
}

}  // namespace

tight_reach::tight_reach() : reach_(static_cast<std::size_t>(genome) + 1, 0) {
  const reference& r = mtmatch::rcrs();
  auto breaks = [&](std::int32_t i, std::int32_t period) {
    const char x = r[wrap(i)];
    const char y = r[wrap(i + period)];
    return x != y && x != 'N' && y != 'N';
  };
  for (std::int32_t p = 1; p <= genome; ++p) {
    std::int32_t reach = 0;
    for (std::int32_t period = 1; period <= 2; ++period) {
      // the first break i >= p + 1 bounds a tight gap: q <= i + period
      std::int32_t i = p + 1;
      while (!breaks(i, period) && i < p + genome) ++i;
      reach = std::max(reach, i + period - p);
    }
    reach_[static_cast<std::size_t>(p)] = reach;
  }
}

const tight_reach& tight_reach::rcrs() {
  static const tight_reach instance;
  return instance;
}

std::int32_t tight_reach::reach(std::int32_t p) const noexcept { return reach_[static_cast<std::size_t>(wrap(p))]; }

bool tight_reach::reaches(std::int32_t p, std::int32_t t) const noexcept {
  const std::int32_t ahead = ((t - p - 1) % genome + genome) % genome;  // 0 for t = p + 1
  return ahead < reach(p);
}

chain_masks::chain_masks(const variant_dictionary& dictionary, const profile_store& store)
    : words_(dictionary.dense_words()) {
  const tight_reach& reach = tight_reach::rcrs();
  const std::size_t n_dense = dictionary.dense_columns();
  const std::size_t n = store.haplotypes();
  // Per rCRS position t: the core substitutions with t in their reach, and the core columns touching t.
  std::vector<std::vector<std::uint32_t>> reached_from(static_cast<std::size_t>(genome) + 1);
  std::vector<std::vector<std::uint32_t>> touching(static_cast<std::size_t>(genome) + 1);
  for (std::uint32_t id = 0; id < n_dense; ++id) {
    const column_info& c = dictionary.column(id);
    for_each_touched(c, [&](std::int32_t t) { touching[static_cast<std::size_t>(t)].push_back(id); });
    if (c.value.is_indel()) continue;
    for (std::int32_t x = 1; x <= reach.reach(c.first); ++x)
      reached_from[static_cast<std::size_t>(wrap(c.first + x))].push_back(id);
  }
  const std::size_t padded = (n + block_rows - 1) / block_rows * block_rows;
  links_.assign(padded * words_, 0);
  tail_reach_.assign(padded * words_, 0);
  tail_weight_.assign(padded, 0);
  tail_touched_.assign(padded, 1);  // bit 0: see link_side
  tail_reached_.assign(padded, 0);
  tail_self_.assign(n, 0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1024), [&](const tbb::blocked_range<std::size_t>& hs) {
    for (std::size_t h = hs.begin(); h != hs.end(); ++h) {
      const auto hap = static_cast<std::uint32_t>(h);
      const std::vector<std::uint32_t> cols = store.columns(hap);
      for (std::uint32_t v : cols) {
        for_each_touched(dictionary.column(v), [&](std::int32_t t) {
          for (std::uint32_t c : reached_from[static_cast<std::size_t>(t)]) links_[at(hap, c / 64)] |= std::uint64_t{1} << (c % 64);
        });
      }
      const auto tail = store.tail(hap);
      tail_weight_[h] = static_cast<std::uint16_t>(std::min<std::size_t>(tail.size(), 255));
      for (std::uint32_t x : tail) {
        const column_info& cx = dictionary.column(x);
        for_each_touched(cx, [&](std::int32_t t) { tail_touched_[h] |= position_bit(t); });
        if (cx.value.is_indel()) continue;
        for (std::int32_t step = 1; step <= reach.reach(cx.first); ++step) {
          const std::int32_t t = wrap(cx.first + step);
          tail_reached_[h] |= position_bit(t);
          for (std::uint32_t c : touching[static_cast<std::size_t>(t)]) tail_reach_[at(hap, c / 64)] |= std::uint64_t{1} << (c % 64);
        }
        for (std::uint32_t v : cols) {
          if (v == x) continue;
          for_each_touched(dictionary.column(v), [&](std::int32_t t) {
            if (reach.reaches(cx.first, t)) tail_self_[h] = 1;
          });
        }
      }
      tail_reached_[h] |= tail_self_[h];  // bit 0: see link_side
    }
  });
}

link_side chain_masks::rows(const std::uint64_t* codes, std::uint32_t first) const noexcept {
  const std::size_t offset = std::size_t{first} * words_;  // first is a multiple of block_rows
  return {codes, links_.data() + offset, tail_reach_.data() + offset, tail_weight_.data() + first,
          tail_touched_.data() + first, tail_reached_.data() + first};
}

void chain_masks::copy_query(std::uint32_t h, std::size_t slot, query_buffers& out) const noexcept {
  for (std::size_t w = 0; w < words_; ++w) {
    out.links[slot * words_ + w] = link(h, w);
    out.tail_reach[slot * words_ + w] = tail_reach(h, w);
  }
  out.tail_weight[slot] = tail_weight_[h];
  out.tail_touched[slot] = tail_touched_[h];
  out.tail_reached[slot] = tail_reached_[h];
}

bool tails_linked(const variant_dictionary& dictionary, std::span<const std::uint32_t> ta,
                  std::span<const std::uint32_t> tb) noexcept {
  const tight_reach& reach = tight_reach::rcrs();
  auto linked = [&](std::span<const std::uint32_t> from, std::span<const std::uint32_t> to) {
    for (std::uint32_t x : from) {
      const column_info& cx = dictionary.column(x);
      if (cx.value.is_indel()) continue;
      for (std::uint32_t v : to) {
        bool hit = false;
        for_each_touched(dictionary.column(v), [&](std::int32_t t) { hit = hit || reach.reaches(cx.first, t); });
        if (hit) return true;
      }
    }
    return false;
  };
  return linked(ta, tb) || linked(tb, ta);
}

}  // namespace mtmatch::detail
