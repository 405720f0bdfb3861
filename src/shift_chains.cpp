#include "detail/shift_chains.hpp"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "mtmatch/reference.hpp"

namespace mtmatch::detail {
namespace {

constexpr std::int32_t genome = rcrs_length;

std::int32_t wrap(std::int32_t p) noexcept { return ((p - 1) % genome + genome) % genome + 1; }

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
  links_.assign((n + block_rows - 1) / block_rows * block_rows * words_, 0);
  tail_index_.assign(n, none);
  tail_self_.assign(n, 0);
  std::uint32_t with_tail = 0;
  for (std::uint32_t h = 0; h < n; ++h) {
    const auto tail = store.tail(static_cast<std::uint32_t>(h));
    if (std::any_of(tail.begin(), tail.end(), [&](std::uint32_t id) { return !dictionary.column(id).value.is_indel(); }))
      tail_index_[h] = with_tail++;
  }
  tail_reach_.assign(std::size_t{with_tail} * words_, 0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1024), [&](const tbb::blocked_range<std::size_t>& hs) {
    for (std::size_t h = hs.begin(); h != hs.end(); ++h) {
      const auto hap = static_cast<std::uint32_t>(h);
      const std::vector<std::uint32_t> cols = store.columns(hap);
      // row h's word w sits at (h / 8 * words + w) * 8 + h % 8 (detail/kernels.hpp)
      std::uint64_t* links = links_.data() + h / block_rows * words_ * block_rows + h % block_rows;
      for (std::uint32_t v : cols) {
        for_each_touched(dictionary.column(v), [&](std::int32_t t) {
          for (std::uint32_t c : reached_from[static_cast<std::size_t>(t)])
            links[std::size_t{c / 64} * block_rows] |= std::uint64_t{1} << (c % 64);
        });
      }
      if (tail_index_[h] == none) continue;
      std::uint64_t* tail_reach = tail_reach_.data() + std::size_t{tail_index_[h]} * words_;
      for (std::uint32_t x : store.tail(hap)) {
        const column_info& cx = dictionary.column(x);
        if (cx.value.is_indel()) continue;
        for (std::int32_t step = 1; step <= reach.reach(cx.first); ++step)
          for (std::uint32_t c : touching[static_cast<std::size_t>(wrap(cx.first + step))])
            tail_reach[c / 64] |= std::uint64_t{1} << (c % 64);
        for (std::uint32_t v : cols) {
          if (v == x) continue;
          for_each_touched(dictionary.column(v), [&](std::int32_t t) {
            if (reach.reaches(cx.first, t)) tail_self_[h] = 1;
          });
        }
      }
    }
  });
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
