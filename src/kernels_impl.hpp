#pragma once
// Bodies of the kernels declared in mtmatch/detail/kernels.hpp. Included only by
// src/kernels_<isa>.cpp, each compiled with its own -m flags, which instantiate them for one Arch.
//
// Shape of every build: take 4 queries at a time (their words come from L1 as broadcasts), stream
// the block-interleaved rows once per query group (the caller sizes the run of blocks to stay in
// L2), and keep one accumulator per query whose lanes are the 8 rows of the block. The popcount is
// the only part that differs per ISA: VPOPCNTDQ on AVX-512, Mula's nibble table + PSADBW on AVX2,
// and std::popcount on 64-bit words in the portable build.

#include <bit>
#include <cstddef>
#include <cstdint>

#include "mtmatch/detail/kernels.hpp"

#include <emmintrin.h>  // SSE2: part of x86-64 itself
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace mtmatch::detail {
namespace impl {

inline constexpr std::size_t query_group = 4;

// count_tile counts differing bits (XOR); count_shared_tile bits both have (AND).
template <bool Shared, class T>
inline T combine(T rows, T query) noexcept {
  if constexpr (Shared) return rows & query;
  else return rows ^ query;
}

// ------------------------------------------------------------------------------------------------
// Portable build.
template <bool Shared, std::size_t Q>
void count_group(scalar_arch, const std::uint64_t* queries, std::size_t words, const std::uint64_t* blocks,
                 std::size_t n_blocks, const word_plan& plan, std::uint16_t* out, std::size_t out_stride) noexcept {
  for (std::size_t b = 0; b < n_blocks; ++b) {
    const std::uint64_t* base = blocks + b * words * block_rows;
    std::uint32_t acc[Q][block_rows] = {};
    for (std::size_t i = 0; i < plan.n_full; ++i) {
      const std::uint64_t* rows = base + std::size_t{plan.full[i]} * block_rows;
      for (std::size_t q = 0; q < Q; ++q) {
        const std::uint64_t qw = queries[q * words + plan.full[i]];
        for (std::size_t r = 0; r < block_rows; ++r) acc[q][r] += static_cast<std::uint32_t>(std::popcount(combine<Shared>(rows[r], qw)));
      }
    }
    for (std::size_t i = 0; i < plan.n_edge; ++i) {
      const std::uint64_t* rows = base + std::size_t{plan.edge[i]} * block_rows;
      const std::uint64_t m = plan.edge_mask[i];
      for (std::size_t q = 0; q < Q; ++q) {
        const std::uint64_t qw = queries[q * words + plan.edge[i]];
        for (std::size_t r = 0; r < block_rows; ++r)
          acc[q][r] += static_cast<std::uint32_t>(std::popcount(combine<Shared>(rows[r], qw) & m));
      }
    }
    for (std::size_t q = 0; q < Q; ++q)
      for (std::size_t r = 0; r < block_rows; ++r) out[q * out_stride + b * block_rows + r] = static_cast<std::uint16_t>(acc[q][r]);
  }
}

// link_bound: a block of rows whose counts are above skip_above + the row's allowance for every
// query of the group is not read; its counts are passed on as they are. The 8 rows of a query are
// one SSE2 vector (every x86-64 build has SSE2): no branch per row.
template <std::size_t Q>
bool skip_block(const std::uint16_t* counts, const std::uint16_t* skip_above, const std::uint16_t* allowance,
                std::size_t stride, std::size_t row, std::uint16_t* out) noexcept {
  static_assert(block_rows == 8, "one 128-bit vector of 16-bit counts per query");
  const __m128i allowed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(allowance + row));
  const __m128i zero = _mm_setzero_si128();
  __m128i c[Q];
  for (std::size_t q = 0; q < Q; ++q) {
    c[q] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(counts + q * stride + row));
    // count - (skip_above + allowance), saturating at 0: zero where the row is within reach
    const __m128i limit = _mm_adds_epu16(allowed, _mm_set1_epi16(static_cast<short>(skip_above[q])));
    if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_subs_epu16(c[q], limit), zero)) != 0) return false;
  }
  for (std::size_t q = 0; q < Q; ++q) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + q * stride + row), c[q]);
  return true;
}

// link_bound, portable build.
template <std::size_t Q>
void links_group(scalar_arch, const link_side& qs, const link_side& rs, std::size_t n_blocks, std::size_t words,
                 const word_plan& plan, const std::uint16_t* counts, const std::uint16_t* skip_above,
                 const std::uint16_t* allowance, std::uint64_t sig_mask, std::uint16_t* out, std::size_t stride) noexcept {
  for (std::size_t b = 0; b < n_blocks; ++b) {
    if (skip_block<Q>(counts, skip_above, allowance, stride, b * block_rows, out)) continue;
    const std::size_t offset = b * words * block_rows;
    std::uint32_t core[Q][block_rows] = {};
    std::uint64_t near[Q][block_rows] = {};
    for (std::size_t i = 0; i < plan.n_edge; ++i) {
      const std::size_t w = plan.edge[i];
      const std::uint64_t* rows = rs.codes + offset + w * block_rows;
      const std::uint64_t* links = rs.links + offset + w * block_rows;
      const std::uint64_t* reach = rs.tail_reach + offset + w * block_rows;
      const std::uint64_t m = plan.edge_mask[i];
      for (std::size_t q = 0; q < Q; ++q) {
        const std::uint64_t qw = qs.codes[q * words + w];
        const std::uint64_t ql = qs.links[q * words + w];
        const std::uint64_t qr = qs.tail_reach[q * words + w];
        for (std::size_t r = 0; r < block_rows; ++r) {
          core[q][r] += static_cast<std::uint32_t>(std::popcount((rows[r] ^ qw) & m & (links[r] | ql)));
          near[q][r] |= (rows[r] | qw) & (reach[r] | qr);
        }
      }
    }
    for (std::size_t q = 0; q < Q; ++q)
      for (std::size_t r = 0; r < block_rows; ++r) {
        const std::size_t row = b * block_rows + r;
        const bool linked = near[q][r] != 0 || (qs.tail_reached[q] & rs.tail_touched[row]) != 0 ||
                            (rs.tail_reached[row] & qs.tail_touched[q]) != 0;
        const std::uint32_t links = core[q][r] + (linked ? std::uint32_t{qs.tail_weight[q]} + rs.tail_weight[row] : 0U);
        const std::uint32_t saving = links > 1 ? links - 1 : 0;
        const std::size_t at = q * stride + row;
        const auto term = static_cast<std::uint32_t>(std::popcount((qs.tail_sig[q] ^ rs.tail_sig[row]) & sig_mask));
        out[at] = static_cast<std::uint16_t>(counts[at] > saving ? counts[at] - saving + term : 0);
      }
  }
}

#if defined(__AVX2__)
// ------------------------------------------------------------------------------------------------
// AVX2: a block word is two 256-bit halves (rows 0-3, rows 4-7). Byte counts from the nibble table
// are summed in bytes for up to 31 words (8 bits per byte per word: 31 * 8 = 248 < 256), then
// widened with PSADBW into 64-bit lanes, one lane per row.
inline __m256i popcount_bytes(__m256i x) noexcept {
  // (constants: the compiler keeps them in registers across the callers' loops)
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(x, low);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
}

// counts - max(links - 1, 0), saturating, plus the tail signature term where that is above 0, for
// the 8 rows of a block (links, term: 16-bit lanes).
inline void store_link_bound(__m128i links, __m128i term, const std::uint16_t* counts, std::uint16_t* out) noexcept {
  const __m128i saving = _mm_subs_epu16(links, _mm_set1_epi16(1));
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(counts));
  const __m128i lowered = _mm_subs_epu16(c, saving);
  const __m128i above_zero_term = _mm_andnot_si128(_mm_cmpeq_epi16(lowered, _mm_setzero_si128()), term);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_add_epi16(lowered, above_zero_term));
}

// 8 per-row 64-bit sums (rows 0-3 | rows 4-7) as 8 16-bit lanes (sums < 2^16).
inline __m128i pack_rows(__m256i rows0123, __m256i rows4567) noexcept {
  // packus_epi32 works per 128-bit lane: [r0 0 r1 0 r4 0 r5 0 | r2 0 r3 0 r6 0 r7 0] as 16-bit;
  // reorder the 64-bit pieces to rows 0-3 | 4-7, then pack the 32-bit values to 16 bits.
  const __m256i packed32 = _mm256_permute4x64_epi64(_mm256_packus_epi32(rows0123, rows4567), 0xD8);
  return _mm_packus_epi32(_mm256_castsi256_si128(packed32), _mm256_extracti128_si256(packed32, 1));
}

template <bool Shared, std::size_t Q>
void count_group(xsimd::avx2, const std::uint64_t* queries, std::size_t words, const std::uint64_t* blocks,
                 std::size_t n_blocks, const word_plan& plan, std::uint16_t* out, std::size_t out_stride) noexcept {
  using batch = xsimd::batch<std::uint64_t, xsimd::avx2>;
  const __m256i zero = _mm256_setzero_si256();
  constexpr std::size_t chunk = 31;
  const std::size_t n_total = plan.n_full + plan.n_edge;
  for (std::size_t b = 0; b < n_blocks; ++b) {
    const std::uint64_t* base = blocks + b * words * block_rows;
    __m256i wide[Q][2];
    for (std::size_t q = 0; q < Q; ++q) wide[q][0] = wide[q][1] = zero;
    for (std::size_t start = 0; start < n_total; start += chunk) {
      const std::size_t stop = start + chunk < n_total ? start + chunk : n_total;
      __m256i bytes[Q][2];
      for (std::size_t q = 0; q < Q; ++q) bytes[q][0] = bytes[q][1] = zero;
      // whole words first (no mask to apply), then the edge words
      const std::size_t stop_full = stop < plan.n_full ? stop : plan.n_full;
      for (std::size_t i = start; i < stop_full; ++i) {
        const std::uint64_t* rows = base + std::size_t{plan.full[i]} * block_rows;
        const batch r0 = batch::load_aligned(rows);
        const batch r1 = batch::load_aligned(rows + 4);
        for (std::size_t q = 0; q < Q; ++q) {
          const batch qw(queries[q * words + plan.full[i]]);
          bytes[q][0] = _mm256_add_epi8(bytes[q][0], popcount_bytes(combine<Shared>(r0, qw)));
          bytes[q][1] = _mm256_add_epi8(bytes[q][1], popcount_bytes(combine<Shared>(r1, qw)));
        }
      }
      for (std::size_t i = start > plan.n_full ? start : plan.n_full; i < stop; ++i) {
        const std::uint32_t w = plan.edge[i - plan.n_full];
        const std::uint64_t* rows = base + std::size_t{w} * block_rows;
        const batch r0 = batch::load_aligned(rows);
        const batch r1 = batch::load_aligned(rows + 4);
        const batch m(plan.edge_mask[i - plan.n_full]);
        for (std::size_t q = 0; q < Q; ++q) {
          const batch qw(queries[q * words + w]);
          bytes[q][0] = _mm256_add_epi8(bytes[q][0], popcount_bytes(combine<Shared>(r0, qw) & m));
          bytes[q][1] = _mm256_add_epi8(bytes[q][1], popcount_bytes(combine<Shared>(r1, qw) & m));
        }
      }
      for (std::size_t q = 0; q < Q; ++q) {
        wide[q][0] = _mm256_add_epi64(wide[q][0], _mm256_sad_epu8(bytes[q][0], zero));
        wide[q][1] = _mm256_add_epi64(wide[q][1], _mm256_sad_epu8(bytes[q][1], zero));
      }
    }
    for (std::size_t q = 0; q < Q; ++q)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + q * out_stride + b * block_rows), pack_rows(wide[q][0], wide[q][1]));
  }
}

template <std::size_t Q>
void links_group(xsimd::avx2, const link_side& qs, const link_side& rs, std::size_t n_blocks, std::size_t words,
                 const word_plan& plan, const std::uint16_t* counts, const std::uint16_t* skip_above,
                 const std::uint16_t* allowance, std::uint64_t sig_mask, std::uint16_t* out, std::size_t stride) noexcept {
  using batch = xsimd::batch<std::uint64_t, xsimd::avx2>;
  const __m256i zero = _mm256_setzero_si256();
  constexpr std::size_t chunk = 31;
  for (std::size_t b = 0; b < n_blocks; ++b) {
    if (skip_block<Q>(counts, skip_above, allowance, stride, b * block_rows, out)) continue;
    const std::size_t offset = b * words * block_rows;
    __m256i wide[Q][2];
    batch near[Q][2];
    for (std::size_t q = 0; q < Q; ++q) {
      wide[q][0] = wide[q][1] = zero;
      near[q][0] = near[q][1] = batch(std::uint64_t{0});
    }
    for (std::size_t start = 0; start < plan.n_edge; start += chunk) {
      const std::size_t stop = start + chunk < plan.n_edge ? start + chunk : plan.n_edge;
      __m256i bytes[Q][2];
      for (std::size_t q = 0; q < Q; ++q) bytes[q][0] = bytes[q][1] = zero;
      for (std::size_t i = start; i < stop; ++i) {
        const std::size_t w = plan.edge[i];
        const std::size_t at = offset + w * block_rows;
        const batch m(plan.edge_mask[i]);
        const batch r0 = batch::load_aligned(rs.codes + at);
        const batch r1 = batch::load_aligned(rs.codes + at + 4);
        const batch l0 = batch::load_aligned(rs.links + at);
        const batch l1 = batch::load_aligned(rs.links + at + 4);
        const batch t0 = batch::load_aligned(rs.tail_reach + at);
        const batch t1 = batch::load_aligned(rs.tail_reach + at + 4);
        for (std::size_t q = 0; q < Q; ++q) {
          const batch qw(qs.codes[q * words + w]);
          const batch ql(qs.links[q * words + w]);
          const batch qr(qs.tail_reach[q * words + w]);
          bytes[q][0] = _mm256_add_epi8(bytes[q][0], popcount_bytes((r0 ^ qw) & m & (l0 | ql)));
          bytes[q][1] = _mm256_add_epi8(bytes[q][1], popcount_bytes((r1 ^ qw) & m & (l1 | ql)));
          near[q][0] = near[q][0] | ((r0 | qw) & (t0 | qr));
          near[q][1] = near[q][1] | ((r1 | qw) & (t1 | qr));
        }
      }
      for (std::size_t q = 0; q < Q; ++q) {
        wide[q][0] = _mm256_add_epi64(wide[q][0], _mm256_sad_epu8(bytes[q][0], zero));
        wide[q][1] = _mm256_add_epi64(wide[q][1], _mm256_sad_epu8(bytes[q][1], zero));
      }
    }
    const std::size_t row = b * block_rows;
    const batch touched[2] = {batch::load_unaligned(rs.tail_touched + row), batch::load_unaligned(rs.tail_touched + row + 4)};
    const batch reached[2] = {batch::load_unaligned(rs.tail_reached + row), batch::load_unaligned(rs.tail_reached + row + 4)};
    const __m256i weight[2] = {_mm256_cvtepu16_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(rs.tail_weight + row))),
                               _mm256_cvtepu16_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(rs.tail_weight + row + 4)))};
    const batch sig[2] = {batch::load_unaligned(rs.tail_sig + row), batch::load_unaligned(rs.tail_sig + row + 4)};
    const batch mask(sig_mask);
    for (std::size_t q = 0; q < Q; ++q) {
      const __m256i query_weight = _mm256_set1_epi64x(static_cast<long long>(qs.tail_weight[q]));
      for (std::size_t h = 0; h < 2; ++h) {
        const batch any = near[q][h] | (batch(qs.tail_reached[q]) & touched[h]) | (reached[h] & batch(qs.tail_touched[q]));
        const __m256i unlinked = _mm256_cmpeq_epi64(any, zero);
        wide[q][h] = _mm256_add_epi64(wide[q][h], _mm256_andnot_si256(unlinked, _mm256_add_epi64(weight[h], query_weight)));
      }
      const batch qsig(qs.tail_sig[q]);
      const __m256i term0 = _mm256_sad_epu8(popcount_bytes((sig[0] ^ qsig) & mask), zero);
      const __m256i term1 = _mm256_sad_epu8(popcount_bytes((sig[1] ^ qsig) & mask), zero);
      store_link_bound(pack_rows(wide[q][0], wide[q][1]), pack_rows(term0, term1), counts + q * stride + row,
                       out + q * stride + row);
    }
  }
}
#endif

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
// ------------------------------------------------------------------------------------------------
// AVX-512: a block word is one register; VPOPCNTDQ gives the 8 per-row counts in its 8 lanes.
template <bool Shared, std::size_t Q>
void count_group(xsimd::avx512bw, const std::uint64_t* queries, std::size_t words, const std::uint64_t* blocks,
                 std::size_t n_blocks, const word_plan& plan, std::uint16_t* out, std::size_t out_stride) noexcept {
  using batch = xsimd::batch<std::uint64_t, xsimd::avx512bw>;
  for (std::size_t b = 0; b < n_blocks; ++b) {
    const std::uint64_t* base = blocks + b * words * block_rows;
    __m512i acc[Q];
    for (std::size_t q = 0; q < Q; ++q) acc[q] = _mm512_setzero_si512();
    for (std::size_t i = 0; i < plan.n_full; ++i) {
      const std::uint32_t w = plan.full[i];
      const batch rows = batch::load_aligned(base + std::size_t{w} * block_rows);
      for (std::size_t q = 0; q < Q; ++q) {
        const batch x = combine<Shared>(rows, batch(queries[q * words + w]));
        acc[q] = _mm512_add_epi64(acc[q], _mm512_popcnt_epi64(x));
      }
    }
    for (std::size_t i = 0; i < plan.n_edge; ++i) {
      const std::uint32_t w = plan.edge[i];
      const batch rows = batch::load_aligned(base + std::size_t{w} * block_rows);
      const batch m(plan.edge_mask[i]);
      for (std::size_t q = 0; q < Q; ++q) {
        const batch x = combine<Shared>(rows, batch(queries[q * words + w])) & m;
        acc[q] = _mm512_add_epi64(acc[q], _mm512_popcnt_epi64(x));
      }
    }
    for (std::size_t q = 0; q < Q; ++q)
      _mm512_mask_cvtepi64_storeu_epi16(out + q * out_stride + b * block_rows, 0xFF, acc[q]);
  }
}

template <std::size_t Q>
void links_group(xsimd::avx512bw, const link_side& qs, const link_side& rs, std::size_t n_blocks, std::size_t words,
                 const word_plan& plan, const std::uint16_t* counts, const std::uint16_t* skip_above,
                 const std::uint16_t* allowance, std::uint64_t sig_mask, std::uint16_t* out, std::size_t stride) noexcept {
  using batch = xsimd::batch<std::uint64_t, xsimd::avx512bw>;
  const __m128i one = _mm_set1_epi16(1);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    if (skip_block<Q>(counts, skip_above, allowance, stride, b * block_rows, out)) continue;
    const std::size_t offset = b * words * block_rows;
    __m512i acc[Q];
    batch near[Q];
    for (std::size_t q = 0; q < Q; ++q) {
      acc[q] = _mm512_setzero_si512();
      near[q] = batch(std::uint64_t{0});
    }
    for (std::size_t i = 0; i < plan.n_edge; ++i) {
      const std::size_t at = offset + std::size_t{plan.edge[i]} * block_rows;
      const std::size_t w = plan.edge[i];
      const batch m(plan.edge_mask[i]);
      const batch rows = batch::load_aligned(rs.codes + at);
      const batch links = batch::load_aligned(rs.links + at);
      const batch reach = batch::load_aligned(rs.tail_reach + at);
      for (std::size_t q = 0; q < Q; ++q) {
        const batch qw(qs.codes[q * words + w]);
        const batch x = (rows ^ qw) & m & (links | batch(qs.links[q * words + w]));
        acc[q] = _mm512_add_epi64(acc[q], _mm512_popcnt_epi64(x));
        near[q] = near[q] | ((rows | qw) & (reach | batch(qs.tail_reach[q * words + w])));
      }
    }
    const std::size_t row = b * block_rows;
    const __m512i touched = _mm512_loadu_si512(rs.tail_touched + row);
    const __m512i reached = _mm512_loadu_si512(rs.tail_reached + row);
    const __m512i weight = _mm512_maskz_cvtepu16_epi64(0xFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rs.tail_weight + row)));
    const __m512i sig = _mm512_loadu_si512(rs.tail_sig + row);
    const __m512i mask = _mm512_set1_epi64(static_cast<long long>(sig_mask));
    for (std::size_t q = 0; q < Q; ++q) {
      const __mmask8 linked =
          static_cast<__mmask8>(_mm512_test_epi64_mask(near[q], near[q]) |
                                _mm512_test_epi64_mask(_mm512_set1_epi64(static_cast<long long>(qs.tail_reached[q])), touched) |
                                _mm512_test_epi64_mask(reached, _mm512_set1_epi64(static_cast<long long>(qs.tail_touched[q]))));
      const __m512i total = _mm512_mask_add_epi64(
          acc[q], linked, acc[q], _mm512_add_epi64(weight, _mm512_set1_epi64(static_cast<long long>(qs.tail_weight[q]))));
      const std::size_t at = q * stride + row;
      // (the maskz form: GCC 12 warns on the unmasked one's undefined source)
      const __m128i saving = _mm_subs_epu16(_mm512_maskz_cvtepi64_epi16(0xFF, total), one);
      const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(counts + at));
      const __m128i lowered = _mm_subs_epu16(c, saving);
      const __m512i differ = _mm512_and_si512(_mm512_xor_si512(sig, _mm512_set1_epi64(static_cast<long long>(qs.tail_sig[q]))), mask);
      const __m128i term = _mm512_maskz_cvtepi64_epi16(0xFF, _mm512_popcnt_epi64(differ));
      const __m128i above_zero_term = _mm_andnot_si128(_mm_cmpeq_epi16(lowered, _mm_setzero_si128()), term);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + at), _mm_add_epi16(lowered, above_zero_term));
    }
  }
}
#endif

// ------------------------------------------------------------------------------------------------
// select_rows: compare 16-bit counts with 16-bit limits, turn the comparison into a bit mask, and
// write the indices of its set bits.
inline std::size_t select_tail(std::size_t i, const std::uint16_t* counts, const std::uint16_t* allowance, std::size_t n,
                               std::uint16_t limit, std::uint32_t* out, std::size_t k) noexcept {
  for (; i < n; ++i) {
    const unsigned cap = static_cast<unsigned>(limit) + allowance[i];
    out[k] = static_cast<std::uint32_t>(i);
    k += counts[i] <= (cap > 0xFFFFU ? 0xFFFFU : cap) ? 1 : 0;
  }
  return k;
}

inline std::size_t select(scalar_arch, const std::uint16_t* counts, const std::uint16_t* allowance, std::size_t n,
                          std::uint16_t limit, std::uint32_t* out) noexcept {
  return select_tail(0, counts, allowance, n, limit, out, 0);
}

#if defined(__AVX2__)
inline std::size_t select(xsimd::avx2, const std::uint16_t* counts, const std::uint16_t* allowance, std::size_t n,
                          std::uint16_t limit, std::uint32_t* out) noexcept {
  const __m256i lim = _mm256_set1_epi16(static_cast<short>(limit));
  std::size_t k = 0;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(counts + i));
    const __m256i cap = _mm256_adds_epu16(lim, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(allowance + i)));
    // c <= cap (unsigned) <=> max(c, cap) == cap; movemask gives two bits per 16-bit lane
    auto bits = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi16(_mm256_max_epu16(c, cap), cap))) &
                0x55555555U;
    while (bits != 0) {
      out[k++] = static_cast<std::uint32_t>(i + static_cast<std::size_t>(std::countr_zero(bits)) / 2);
      bits &= bits - 1;
    }
  }
  return select_tail(i, counts, allowance, n, limit, out, k);
}
#endif

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
inline std::size_t select(xsimd::avx512bw, const std::uint16_t* counts, const std::uint16_t* allowance, std::size_t n,
                          std::uint16_t limit, std::uint32_t* out) noexcept {
  const __m512i lim = _mm512_set1_epi16(static_cast<short>(limit));
  std::size_t k = 0;
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512i c = _mm512_loadu_si512(counts + i);
    const __m512i cap = _mm512_adds_epu16(lim, _mm512_loadu_si512(allowance + i));
    std::uint32_t bits = _mm512_cmple_epu16_mask(c, cap);
    while (bits != 0) {
      out[k++] = static_cast<std::uint32_t>(i + static_cast<std::size_t>(std::countr_zero(bits)));
      bits &= bits - 1;
    }
  }
  return select_tail(i, counts, allowance, n, limit, out, k);
}
#endif

}  // namespace impl

template <class Arch>
void link_bound::operator()(Arch arch, const link_side& queries, std::size_t n_queries, const link_side& rows,
                            std::size_t n_blocks, std::size_t words, const word_plan& plan, const std::uint16_t* counts,
                            const std::uint16_t* skip_above, const std::uint16_t* allowance, std::uint64_t tail_sig_mask,
                            std::uint16_t* out, std::size_t stride) const noexcept {
  auto from = [&](std::size_t q) {
    return link_side{queries.codes + q * words,   queries.links + q * words,   queries.tail_reach + q * words,
                     queries.tail_weight + q,     queries.tail_touched + q,    queries.tail_reached + q,
                     queries.tail_sig + q};
  };
  std::size_t q = 0;
  for (; q + impl::query_group <= n_queries; q += impl::query_group)
    impl::links_group<impl::query_group>(arch, from(q), rows, n_blocks, words, plan, counts + q * stride, skip_above + q,
                                         allowance, tail_sig_mask, out + q * stride, stride);
  for (; q < n_queries; ++q)
    impl::links_group<1>(arch, from(q), rows, n_blocks, words, plan, counts + q * stride, skip_above + q, allowance,
                         tail_sig_mask, out + q * stride, stride);
}

template <class Arch>
std::size_t select_rows::operator()(Arch arch, const std::uint16_t* counts, const std::uint16_t* allowance, std::size_t n,
                                    std::uint16_t limit, std::uint32_t* out) const noexcept {
  return impl::select(arch, counts, allowance, n, limit, out);
}

namespace impl {
// Every query of a tile against the run of blocks, 4 queries at a time.
template <bool Shared, class Arch>
void count_queries(Arch arch, const std::uint64_t* queries, std::size_t n_queries, std::size_t words,
                   const std::uint64_t* blocks, std::size_t n_blocks, const word_plan& plan, std::uint16_t* out,
                   std::size_t out_stride) noexcept {
  std::size_t q = 0;
  for (; q + query_group <= n_queries; q += query_group)
    count_group<Shared, query_group>(arch, queries + q * words, words, blocks, n_blocks, plan, out + q * out_stride, out_stride);
  for (; q < n_queries; ++q)
    count_group<Shared, 1>(arch, queries + q * words, words, blocks, n_blocks, plan, out + q * out_stride, out_stride);
}
}  // namespace impl

template <class Arch>
void count_tile::operator()(Arch arch, const std::uint64_t* queries, std::size_t n_queries, std::size_t words,
                            const std::uint64_t* blocks, std::size_t n_blocks, const word_plan& plan,
                            std::uint16_t* out, std::size_t out_stride) const noexcept {
  impl::count_queries<false>(arch, queries, n_queries, words, blocks, n_blocks, plan, out, out_stride);
}

template <class Arch>
void count_shared_tile::operator()(Arch arch, const std::uint64_t* queries, std::size_t n_queries, std::size_t words,
                                   const std::uint64_t* blocks, std::size_t n_blocks, const word_plan& plan,
                                   std::uint16_t* out, std::size_t out_stride) const noexcept {
  impl::count_queries<true>(arch, queries, n_queries, words, blocks, n_blocks, plan, out, out_stride);
}

}  // namespace mtmatch::detail
