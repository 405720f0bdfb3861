#pragma once
/// @file match.hpp
/// Many-to-many matching: every remains profile against every relative profile, returning exactly
/// what compare() (compare.hpp) would say for each reported pair, without an N×M matrix.
///
/// How it stays exact and fast. Each side is encoded (encode.hpp) with one shared dictionary; a
/// SIMD kernel (detail/kernels.hpp, one build per ISA) counts differing core bits over the two
/// profiles' common coverage (the missing stretches of a remains or a relative, inside its coverage
/// class, are taken out by a second count, detail::count_shared_tile). That bit count,
/// minus the slack of the two haplotypes (heteroplasmies that pattern-match, two alleles of one
/// site, deletions whose events compare() merges) and minus what a shifted reading could save (a
/// second kernel, detail::link_bound, below; it also adds the firm columns of the sparse tail that
/// one of the two has, as far as hashed per-haplotype signatures tell them apart), is a lower bound
/// of compare()'s count; a SIMD pass
/// (detail::select_rows) keeps the pairs whose bound is within the threshold, so a pair that exceeds
/// it is skipped with no false negative and without a branch. A kept pair's bound is then taken
/// again with only the slack it can use: a column with slack lowers compare()'s count below the
/// differing firm columns only where it differs itself and another differing column's window meets
/// its own (a heteroplasmy that pattern-matches a firm column of its site, a variant read into a
/// length variant beside it); a heteroplasmy both profiles have, or one whose window no other
/// differing column's window meets, takes nothing off (engine::pair_excess in src/match.cpp).
/// Surviving pairs get compare()'s exact count. Most get it without aligning anything: outside a few
/// *zones* around the length-variable stretches, a differing firm column (no slack) is one event
/// unless a shifted reading applies, a differing column with slack alone in its window counts as
/// compare() counts it there (kept in the dictionary), and a heteroplasmy among substitutions only
/// counts at its site (its bases against the other profile's, pattern-matched or not); inside each
/// zone the count is looked up in a table keyed by the two haplotypes' states there, filled
/// lazily by compare() (src/detail/zone_table.hpp). The rest are settled per site from their
/// differing bits (and, for clusters of variants that share a window — indels, two alleles of a
/// site, three or more substitutions — by compare() itself on the cut-down profiles, remembered for
/// the run; the clusters that need compare() last, and none once the count passes what may be
/// kept), unless a second bound already exceeds the threshold: the zones' table counts where no
/// differing column reaches into them from outside, plus the firm columns elsewhere (core and tail)
/// and one per site of plain second alleles, less the slack and the shift bound (taken first from the
/// core words alone, which stops most pairs above the threshold). Identical haplotypes are compared once and expanded
/// afterwards, or not at all (match_options::group_identical). For threshold queries the fast search
/// also skips, before the kernel, relatives whose variant count differs by more than the bound
/// allows (count filter). Not built: the prefix filter (Mann et al., PVLDB 2016) — on realistic
/// control-region data the kernels are about a quarter of the run at national scale; the per-pair
/// work on the pairs near the threshold is the rest.
///
/// What the bound rests on. compare() aligns windows around the differing variants and may need
/// fewer events than there are differing sites. The slack covers the cases that happen: a
/// heteroplasmy that pattern-matches (2; an insertion of IUPAC bases too), a second allele of a
/// site, an indel (compare() may pair it with a neighbour), a substitution within 3 bases of a
/// C-tract (it may join an ignored length variant), a one-sided length variant (1 each). Pairs
/// within 3 of the bound may still be re-read as a shifted stretch (an insertion plus a deletion
/// instead of >= 3 substitutions), or their substitutions read into the indels one of them has
/// (127C 128T against 126.1C 129d: one event); such a reading needs differing substitutions whose
/// neighbours sit within a run of the rCRS that a shift by one or two bases leaves unchanged, and
/// saves at most (those substitutions - 1) events — a bound the kernels evaluate for whole tiles
/// from per-haplotype masks (src/detail/shift_chains.hpp, derived there); pairs it lets through
/// above the slack bound are checked exactly (the same links, then the windows: >= 3 differing
/// substitutions, or firm substitutions beside a differing indel). A pair that needs more than 3
/// such re-readings beyond its slack (four notation differences of this kind between two
/// profiles) is out of the kernels' reach. These rules are checked, not proved: the tests (among
/// them pairs built to be re-read, in the dense core and in the sparse tail, and the swap of two
/// bases written both ways) and stress runs compare every pair with compare() (simulated
/// profiles — control regions and mixed degraded coverages —, three policies, thresholds 1-4).
/// Checking is how the two indel cases above were found, after about 590 million pairs had passed:
/// the simulated national set (bench/README.md) held six haplotype pairs within 2 differences that
/// the engine missed — 127C 128T against 127d 129.1Y (a swap of two bases written both ways),
/// 16163G 16166d against 16164G. With the shift checks and the pair's slack loosened, it returns
/// the same pairs there.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "mtmatch/compare.hpp"
#include "mtmatch/encode.hpp"
#include "mtmatch/isa.hpp"
#include "mtmatch/profile.hpp"

namespace mtmatch {

/// What to compute, and how.
struct match_options {
  /// Report pairs with at most this many differences (compare()'s count). Unset: no threshold,
  /// which needs top_k (otherwise every pair would be reported).
  std::optional<int> max_differences = 2;
  /// Keep only the best `top_k` relatives per remains, ordered by differences, then longer
  /// compared length, then relative index (see rank_key for a finer order). Unset: every pair
  /// within max_differences.
  std::optional<std::size_t> top_k;
  /// Instead of pairs, count per remains how many relatives have 0, 1, …, max_differences
  /// differences (match_result::counts).
  bool counts_only = false;
  /// Threshold queries (no top_k, not counts_only), store overload only: report each distinct pair
  /// of haplotypes (identical profiles of a side, profile_store::members) once instead of every
  /// profile pair; match_result::grouped. A national search (300,000 remains × 600,000 relatives,
  /// control regions, k <= 2) has billions of profile pairs within the threshold — more rows than
  /// memory holds — but several times fewer haplotype pairs; for_each_profile_pair() streams the
  /// profile pairs, expand() materialises them.
  bool group_identical = false;
  /// Worker threads; 0 = all cores.
  std::size_t threads = 0;
  /// How compare() counts: heteroplasmy pattern matching, length variants, verdict thresholds.
  compare_policy policy;
  /// Use the count and prefix filters for threshold queries. Off = every pair goes through the
  /// kernel (same result; for tests and benchmarks).
  bool fast_search = true;
  /// Run the kernels at this level instead of active_isa() (must be supported by the CPU).
  std::optional<isa> force_isa;
  /// Called now and then with (distinct pairs done, distinct pairs in total), from one thread at
  /// a time; returning false cancels the run (match_result::cancelled).
  std::function<bool(std::uint64_t done, std::uint64_t total)> progress;
  /// top_k only: a finer order among relatives with the same number of differences, applied before
  /// the compared length: `rank_key(remains haplotype, relatives haplotype, differences)` (rows of the
  /// two stores, profile_store::haplotype_of, and the pair's count), lower first; the order becomes
  /// (differences, key, longer compared length, relative index). The engine then keeps every
  /// relative tied on differences with the k-th until the end and asks for the key once per distinct
  /// haplotype pair that may be reported (the pairs with at most the k-th's differences). Called
  /// after the scan, from several threads at once; all calls for one remains haplotype come from one
  /// thread. report.hpp ranks by weighted differences.
  std::function<double(std::uint32_t remains_haplotype, std::uint32_t relative_haplotype, int differences)> rank_key;

  /// Throws mtmatch::error for a negative threshold, no threshold and no top_k, top_k == 0,
  /// counts_only without a threshold, threshold above 60000, an unsupported force_isa, a rank_key
  /// without top_k, group_identical with top_k or counts_only, or an invalid policy.
  void validate() const;
};

/// Counters of one run, for benchmarks and the curious.
struct match_stats {
  std::uint64_t distinct_pairs = 0;    ///< haplotype pairs with overlapping coverage
  std::uint64_t kernel_pairs = 0;      ///< of those, counted by the SIMD kernel
  std::uint64_t candidates = 0;        ///< passed the lower bound
  std::uint64_t settled = 0;           ///< of those, settled per site (the rest: counted from the kernel's count and the zone tables, or ruled out by a second bound)
  std::uint64_t reference_calls = 0;   ///< settled by compare() itself
};

/// Results as columns, sorted by remains index then relative index (top_k: by rank).
struct match_result {
  std::vector<std::uint32_t> remains;          ///< index into the remains given
  std::vector<std::uint32_t> relative;         ///< index into the relatives given
  std::vector<std::uint16_t> differences;      ///< compare()'s count
  std::vector<std::int32_t> compared_length;   ///< compare()'s compared_length
  std::vector<mtmatch::verdict> verdicts;      ///< compare()'s verdict
  /// counts_only: `counts[r * (max_differences + 1) + d]` relatives with d differences for remains r.
  std::vector<std::uint32_t> counts;
  bool cancelled = false;  ///< the progress callback stopped the run; results are partial
  /// match_options::group_identical: `remains` and `relative` hold haplotype rows of the two stores
  /// (sorted by remains row, then relatives row), each standing for members(a) × members(b).
  bool grouped = false;
  /// The number of profile pairs the rows stand for (= size() unless grouped).
  std::uint64_t profile_pairs = 0;
  isa level = isa::scalar; ///< the kernels that ran
  match_stats stats;
  [[nodiscard]] std::size_t size() const noexcept { return remains.size(); }
};

/// Matches two encoded stores (built on the same dictionary, e.g. by encode()).
/// Throws mtmatch::error when the stores use different dictionaries or the options are invalid.
[[nodiscard]] match_result match(const profile_store& remains, const profile_store& relatives,
                                 const match_options& options = {});

/// Calls `f(remains index, relative index, row)` for every profile pair a result stands for: a
/// grouped result's rows expanded to their members (by row, then remains member, then relatives
/// member), or an ungrouped result's rows as they are. `row` indexes the result's columns. Memory
/// stays at the grouped result's size however many profile pairs it stands for.
template <class F>
void for_each_profile_pair(const match_result& result, const profile_store& remains, const profile_store& relatives,
                           F&& f) {
  for (std::size_t i = 0; i < result.size(); ++i) {
    if (!result.grouped) {
      f(result.remains[i], result.relative[i], i);
      continue;
    }
    for (std::uint32_t a : remains.members(result.remains[i]))
      for (std::uint32_t b : relatives.members(result.relative[i])) f(a, b, i);
  }
}

/// A grouped result expanded to profile pairs, sorted by remains index then relative index: what
/// match() returns without group_identical. The stores must be the ones matched. An ungrouped
/// result is returned as it is.
[[nodiscard]] match_result expand(const match_result& result, const profile_store& remains,
                                  const profile_store& relatives);

/// Encodes both sides (encode.hpp) and matches them.
/// Example: `auto m = mtmatch::match(remains, relatives, {.max_differences = 1});`
[[nodiscard]] match_result match(std::span<const profile> remains, std::span<const profile> relatives,
                                 const match_options& options = {}, const encode_options& encoding = {});

}  // namespace mtmatch
