#pragma once
/// @file detail/kernels.hpp
/// The hot kernel of the matching engine, one build per instruction set (xsimd recipe): a functor
/// whose `operator()(Arch, ...)` is defined in src/kernels_impl.hpp, declared `extern template`
/// here and instantiated in src/kernels_<isa>.cpp, the only files compiled with -mavx2/-mavx512*.
/// Callers go through detail::dispatch() once per call, outside loops.
///
/// Code layout (block-interleaved). Codes are `words` 64-bit words long (the dense core of the
/// variant dictionary, see encode.hpp). Rows are grouped in blocks of 8; inside a block, word `w` of
/// the 8 rows is 8 consecutive uint64 — one 64-byte cache line, one AVX-512 register. A block is
/// therefore `words * 64` bytes, 64-byte aligned, and row r's word w sits at
/// `blocks[(r / 8 * words + w) * 8 + r % 8]`. With this layout a kernel broadcasts one query word
/// against 8 rows at once and the 8 counts end up in 8 lanes: no horizontal sums.

#include <cstddef>
#include <cstdint>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "mtmatch/isa.hpp"

namespace mtmatch::detail {

/// Rows per interleaved block.
inline constexpr std::size_t block_rows = 8;

/// The words a comparison looks at, and how. Words outside both coverages are left out entirely;
/// words fully inside are read as they are (`full`); the few words a coverage edge cuts through are
/// masked (`edge` with `edge_mask`). Because variant ids are ordered by position, a coverage is a
/// few runs of ids and there are only a handful of edge words.
struct word_plan {
  const std::uint32_t* full = nullptr;       ///< word indices read unmasked
  std::size_t n_full = 0;
  const std::uint32_t* edge = nullptr;       ///< word indices read through a mask
  const std::uint64_t* edge_mask = nullptr;  ///< mask of each edge word
  std::size_t n_edge = 0;
};

/// Counts differing bits of every query against every row of a run of blocks:
/// `out[q * out_stride + r] = popcount over the plan of (query_q XOR row_r) [AND mask]`
/// for q < n_queries, r < 8 * n_blocks.
/// @param queries row-major query codes, `words` uint64 each (any alignment)
/// @param blocks  block-interleaved rows, 64-byte aligned, `n_blocks * words * 8` uint64
/// @param out     `n_queries` rows of at least `8 * n_blocks` counts, `out_stride` apart
/// Counts fit 16 bits because words < 1024.
struct count_tile {
  template <class Arch>
  void operator()(Arch, const std::uint64_t* queries, std::size_t n_queries, std::size_t words,
                  const std::uint64_t* blocks, std::size_t n_blocks, const word_plan& plan,
                  std::uint16_t* out, std::size_t out_stride) const noexcept;
};

/// One side of detail::link_bound: codes, and the masks of src/detail/shift_chains.hpp.
/// For queries every array is row-major (`words` uint64 per query, or one value per query); for rows
/// the word arrays are block-interleaved like the codes and the per-row arrays start at the run's
/// first row.
struct link_side {
  const std::uint64_t* codes = nullptr;
  const std::uint64_t* links = nullptr;         ///< substitutions with a variant of the profile in reach
  const std::uint64_t* tail_reach = nullptr;    ///< core columns within reach of its tail substitutions
  const std::uint16_t* tail_weight = nullptr;   ///< links its tail adds when linked (its tail size)
  const std::uint64_t* tail_touched = nullptr;  ///< hashed positions its tail columns touch (bit 0 always)
  const std::uint64_t* tail_reached = nullptr;  ///< hashed positions its tail substitutions reach (bit 0: self-linked)
  const std::uint64_t* tail_sig = nullptr;      ///< hashed ids of its firm tail columns outside the zones
};

/// Like count_tile, counting the bits a query and a row both have:
/// `out[q * out_stride + r] = popcount over the plan of (query_q AND row_r) [AND mask]`. The engine
/// runs it against the relatives' missing stretches (a query's variants there are no difference).
struct count_shared_tile {
  template <class Arch>
  void operator()(Arch, const std::uint64_t* queries, std::size_t n_queries, std::size_t words,
                  const std::uint64_t* blocks, std::size_t n_blocks, const word_plan& plan,
                  std::uint16_t* out, std::size_t out_stride) const noexcept;
};

/// Lowers kernel counts by what a shifted reading of crowded substitutions could save
/// (src/detail/shift_chains.hpp). With, over the plan's words (all read through their mask: the
/// substitutions both coverages hold),
///   core   = popcount((q XOR r) AND mask AND (q.links OR r.links)),
///   linked = any((q OR r) AND (q.tail_reach OR r.tail_reach)) over the same words, unmasked,
///            or (q.tail_reached AND r.tail_touched) or (r.tail_reached AND q.tail_touched) != 0,
///   links  = core + (linked ? q.tail_weight + r.tail_weight : 0),
/// `lowered = counts[q * stride + r] - max(links - 1, 0)`, saturating at 0, and
/// `out[q * stride + r] = lowered == 0 ? 0 : lowered + popcount((q.tail_sig XOR r.tail_sig) AND tail_sig_mask)`
/// for q < n_queries, r < 8 * n_blocks — except that where
/// `counts[q * stride + r] > skip_above[q] + allowance[r]` out may be counts itself: blocks of rows
/// where that holds for every query are not read (most rows of a tile are far above the threshold,
/// where no shifted reading matters). The signature term is a lower bound on the firm tail columns
/// one of the two has (a bit set on one side only stands for a column of that side the other lacks)
/// where `tail_sig_mask` keeps only hash bits whose columns both coverages hold; the caller takes it
/// back to recover `lowered`.
struct link_bound {
  template <class Arch>
  void operator()(Arch, const link_side& queries, std::size_t n_queries, const link_side& rows, std::size_t n_blocks,
                  std::size_t words, const word_plan& plan, const std::uint16_t* counts, const std::uint16_t* skip_above,
                  const std::uint16_t* allowance, std::uint64_t tail_sig_mask, std::uint16_t* out,
                  std::size_t stride) const noexcept;
};

/// Picks the rows a bound does not rule out: writes the index `r` of every row with
/// `counts[r] <= limit + allowance[r]` (the sum saturating at 65535) to `out`, in increasing order, and
/// returns how many. `out` has room for `n` indices. On realistic data most rows are ruled out, so
/// this compare-and-compress pass replaces a branch per row in the caller.
struct select_rows {
  template <class Arch>
  std::size_t operator()(Arch, const std::uint16_t* counts, const std::uint16_t* allowance, std::size_t n,
                         std::uint16_t limit, std::uint32_t* out) const noexcept;
};

/// Arch tag of the portable build (no SIMD instructions beyond the x86-64 baseline).
using scalar_arch = xsimd::generic;

extern template void count_shared_tile::operator()<scalar_arch>(scalar_arch, const std::uint64_t*, std::size_t, std::size_t,
                                                        const std::uint64_t*, std::size_t, const word_plan&,
                                                        std::uint16_t*, std::size_t) const noexcept;
extern template void count_tile::operator()<scalar_arch>(scalar_arch, const std::uint64_t*, std::size_t,
                                                         std::size_t, const std::uint64_t*, std::size_t,
                                                         const word_plan&, std::uint16_t*, std::size_t) const noexcept;
extern template void count_shared_tile::operator()<xsimd::avx2>(xsimd::avx2, const std::uint64_t*, std::size_t, std::size_t,
                                                        const std::uint64_t*, std::size_t, const word_plan&,
                                                        std::uint16_t*, std::size_t) const noexcept;
extern template void count_tile::operator()<xsimd::avx2>(xsimd::avx2, const std::uint64_t*, std::size_t,
                                                         std::size_t, const std::uint64_t*, std::size_t,
                                                         const word_plan&, std::uint16_t*, std::size_t) const noexcept;
extern template void count_shared_tile::operator()<xsimd::avx512bw>(xsimd::avx512bw, const std::uint64_t*, std::size_t, std::size_t,
                                                        const std::uint64_t*, std::size_t, const word_plan&,
                                                        std::uint16_t*, std::size_t) const noexcept;
extern template void count_tile::operator()<xsimd::avx512bw>(xsimd::avx512bw, const std::uint64_t*, std::size_t,
                                                             std::size_t, const std::uint64_t*, std::size_t,
                                                             const word_plan&, std::uint16_t*, std::size_t) const noexcept;

extern template std::size_t select_rows::operator()<scalar_arch>(scalar_arch, const std::uint16_t*, const std::uint16_t*,
                                                                 std::size_t, std::uint16_t, std::uint32_t*) const noexcept;
extern template std::size_t select_rows::operator()<xsimd::avx2>(xsimd::avx2, const std::uint16_t*, const std::uint16_t*,
                                                                 std::size_t, std::uint16_t, std::uint32_t*) const noexcept;
extern template std::size_t select_rows::operator()<xsimd::avx512bw>(xsimd::avx512bw, const std::uint16_t*,
                                                                     const std::uint16_t*, std::size_t, std::uint16_t,
                                                                     std::uint32_t*) const noexcept;

extern template void link_bound::operator()<scalar_arch>(scalar_arch, const link_side&, std::size_t, const link_side&, std::size_t,
                                                 std::size_t, const word_plan&, const std::uint16_t*, const std::uint16_t*, const std::uint16_t*,
                                                 std::uint64_t, std::uint16_t*, std::size_t) const noexcept;
extern template void link_bound::operator()<xsimd::avx2>(xsimd::avx2, const link_side&, std::size_t, const link_side&, std::size_t,
                                                 std::size_t, const word_plan&, const std::uint16_t*, const std::uint16_t*, const std::uint16_t*,
                                                 std::uint64_t, std::uint16_t*, std::size_t) const noexcept;
extern template void link_bound::operator()<xsimd::avx512bw>(xsimd::avx512bw, const link_side&, std::size_t, const link_side&, std::size_t,
                                                 std::size_t, const word_plan&, const std::uint16_t*, const std::uint16_t*, const std::uint16_t*,
                                                 std::uint64_t, std::uint16_t*, std::size_t) const noexcept;

/// Calls `f(Arch{}, args...)` for the Arch of `level`. The caller has checked cpu_supports(level)
/// (active_isa() does); kernels are noexcept, so validate inputs before dispatching.
template <class F, class... Args>
decltype(auto) dispatch(isa level, F&& f, Args&&... args) noexcept {
  switch (level) {
    case isa::avx512: return std::forward<F>(f)(xsimd::avx512bw{}, std::forward<Args>(args)...);
    case isa::avx2: return std::forward<F>(f)(xsimd::avx2{}, std::forward<Args>(args)...);
    case isa::scalar: break;
  }
  return std::forward<F>(f)(scalar_arch{}, std::forward<Args>(args)...);
}

}  // namespace mtmatch::detail
