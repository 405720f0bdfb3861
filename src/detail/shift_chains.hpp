#pragma once
/// @file detail/shift_chains.hpp
/// A per-pair bound, cheap enough for every pair near the threshold, on how many events compare()
/// can save by reading differing substitutions as a shifted stretch (an insertion at one end, a
/// deletion at the other) instead of one substitution each.
///
/// Why it holds. Shift a stretch by L bases (L = 1 or 2: a larger shift changes 2L >= 6 bases and
/// would need more than the shift margin of match.cpp). Base i of one sequence then faces base i+L
/// of the other. Where neither profile has a variant at i or i+L, the two bases are the rCRS's, so
/// they mismatch exactly where the rCRS has a *break* (rcrs[i] != rcrs[i+L]). Take the positions
/// where either profile has a variant, in order; call the gap between two neighbours p < q *tight*
/// when no break of period 1 or 2 lies wholly inside it (q <= p + reach(p)); a run of positions
/// joined by tight gaps is a *chain*. Every non-tight gap the stretch spans costs at least one
/// mismatch, so the shifted reading costs at least 2 + g events over a stretch that holds d
/// differing substitution sites in g + 1 chains, against d for the direct reading: it saves at most
/// d - 2 - g = sum over chains (d_i - 1) - 1. Every differing site of a chain but its last has a
/// tight right neighbour, so with `links` = the differing substitutions that have a variant of
/// either profile within their reach, the saving over all windows is at most links - 1 (and none
/// when links < 2). Indels are not re-read here: an indel next to other variants carries slack of
/// its own (encode.hpp), which the engine subtracts before this bound.
///
/// How it is evaluated. Per haplotype h, over the dense core: `links(h)` marks the core
/// substitutions with a variant of h in their reach. For a pair, popcount((a XOR b) AND
/// substitutions AND (links(a) OR links(b))) counts the differing core substitutions with a tight
/// right neighbour in either profile. Tail (rare) substitutions are charged in bulk: when one of
/// them has any variant of the pair in its reach (`tail_reach`, `tail_self`, or the other's tail),
/// all tail columns of both count as links. The engine's kernel (detail::link_bound) evaluates this
/// for whole tiles; there the tail-against-tail test is a 63-bit hash of positions (a false hit
/// only loosens the bound).

#include <cstdint>
#include <span>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "mtmatch/detail/kernels.hpp"
#include "mtmatch/encode.hpp"

namespace mtmatch::detail {

/// How far a shifted stretch can run from each rCRS position without meeting a break of period 1
/// or 2: a variant at q is a tight right neighbour of one at p when q is within reach(p) bases
/// after p (circularly). 'N' (3107) breaks nothing.
class tight_reach {
 public:
  [[nodiscard]] static const tight_reach& rcrs();
  /// True when position t lies in p + 1 .. p + reach(p) (positions 1-based, circular).
  [[nodiscard]] bool reaches(std::int32_t p, std::int32_t t) const noexcept;
  [[nodiscard]] std::int32_t reach(std::int32_t p) const noexcept;

 private:
  tight_reach();
  std::vector<std::int32_t> reach_;  // index = position, 1-based
};

/// The per-haplotype masks of one store (see the file comment). The word masks are block-interleaved
/// like profile_store::blocks() and the per-haplotype values padded to whole blocks, so that
/// detail::link_bound reads a run of rows as it reads their codes.
class chain_masks {
 public:
  chain_masks() = default;
  /// Builds the masks of every haplotype of `store` (in parallel).
  chain_masks(const variant_dictionary& dictionary, const profile_store& store);

  /// Word w of links(h) (w < dense_words()).
  [[nodiscard]] std::uint64_t link(std::uint32_t h, std::size_t w) const noexcept { return links_[at(h, w)]; }
  /// Word w of the core columns within the reach of h's tail substitutions (0 without any).
  [[nodiscard]] std::uint64_t tail_reach(std::uint32_t h, std::size_t w) const noexcept { return tail_reach_[at(h, w)]; }
  [[nodiscard]] bool has_tail_substitution(std::uint32_t h) const noexcept { return (tail_reached_[h] | tail_self_[h]) != 0; }
  /// h has a tail substitution with another variant of h within its reach.
  [[nodiscard]] bool tail_self(std::uint32_t h) const noexcept { return tail_self_[h] != 0; }

  /// What detail::link_bound reads of the rows from `first` on (a multiple of block_rows), whose
  /// codes are `codes` (profile_store::blocks() at that row).
  [[nodiscard]] link_side rows(const std::uint64_t* codes, std::uint32_t first) const noexcept;
  /// Haplotype h as query `slot` of `buffers` (see query_buffers).
  struct query_buffers {
    explicit query_buffers(std::size_t slots, std::size_t words)
        : links(slots * words), tail_reach(slots * words), tail_weight(slots), tail_touched(slots), tail_reached(slots) {}
    std::vector<std::uint64_t> links, tail_reach;
    std::vector<std::uint16_t> tail_weight;
    std::vector<std::uint64_t> tail_touched, tail_reached;
    [[nodiscard]] link_side side(const std::uint64_t* codes) const noexcept {
      return {codes, links.data(), tail_reach.data(), tail_weight.data(), tail_touched.data(), tail_reached.data()};
    }
  };
  void copy_query(std::uint32_t h, std::size_t slot, query_buffers& out) const noexcept;

 private:
  [[nodiscard]] std::size_t at(std::uint32_t h, std::size_t w) const noexcept {
    return (std::size_t{h} / block_rows * words_ + w) * block_rows + h % block_rows;
  }
  std::size_t words_ = 0;
  // 64-byte aligned: the kernels load whole lines
  std::vector<std::uint64_t, xsimd::aligned_allocator<std::uint64_t, 64>> links_;
  std::vector<std::uint64_t, xsimd::aligned_allocator<std::uint64_t, 64>> tail_reach_;
  std::vector<std::uint16_t> tail_weight_;   // tail size, at most 255
  std::vector<std::uint64_t> tail_touched_;  // see link_side
  std::vector<std::uint64_t> tail_reached_;
  std::vector<std::uint8_t> tail_self_;
};

/// True when a tail substitution of one list has a variant of the other list within its reach.
[[nodiscard]] bool tails_linked(const variant_dictionary& dictionary, std::span<const std::uint32_t> ta,
                                std::span<const std::uint32_t> tb) noexcept;

}  // namespace mtmatch::detail
