#pragma once
/// @file normalize.hpp
/// One canonical form for every spelling of the same sequence: reconstruct the sequence over the
/// covered range, then re-derive the variants with one deterministic alignment rule.
///
/// **The alignment rule.** Among all ways of writing the reconstructed sequence as variants against
/// the rCRS, the canonical one is the alignment that is smallest in this order (each key breaks the
/// ties of the keys before it):
///  1. fewest changed bases (a substitution is 1, an indel of k bases is k) — the "least number of
///     differences" rule of forensic nomenclature (Wilson et al. 2002, SWGDAM), so that B4's
///     `16182C 16183C 16189C` stays three substitutions instead of `16182-16183d 16189C 16193.1CC`;
///  2. fewest events: contiguous deleted (inserted) bases are one deletion (insertion), `523-524d`,
///     `8281-8289d`, `524.1AC`, `8289.1CCCCCTCTA`;
///  3. fewest indels that are not slippage in a length-variable stretch. An indel is slippage when
///     its bases equal the rCRS bases right before it (5', inside the covered interval) — one C more
///     or less in a C-tract, one AC in the AC repeat — and its run ends in one of the stretches where
///     forensic phylogenetic notation writes length variation as indels (detail::slippage_stretches:
///     the C-tracts 16180-16193, 303-315, 568-573, the AC repeat 515-524, EMPOP's "disregard indels"
///     regions 451-456, 460-464, 955-961, 5894-5900, 8271-8277, 8280-8286 and the 9-bp repeat
///     8272-8289): moved to its 3'-most place (within the interval), a deletion lies wholly in one
///     stretch, an insertion follows a base of one. Counting only the places with a 5' copy, and
///     judging the stretch at the 3' end of the run, keeps a lone indel's 3'-most place its best;
///  4. fewest substitutions. So inside those stretches the tie between substitutions and slippage
///     indels goes to the indels — a shifted C-tract boundary `309T 310C` reads as the length
///     variants `309d 315.1C` — and everywhere else to the substitutions, which rule 3 prefers to any
///     indel there: `16223T 16224C` (16223T marks haplogroup M) and `748A 750G` stay as written, not
///     `16223d 16225.1C` and `747.1A 751d`;
///  5. gaps as far 3' as possible (`309.1C`, `315.1C`, `16193.1C`, `573.1C`, `523-524d`): the
///     alignment is traced back from the 3' end taking a gap whenever one is optimal.
///
/// **How.** The rule is applied by a banded dynamic programme on windows around clusters of nearby
/// variants, not on the whole molecule: a variant's window covers every place it can slide to and
/// the tandem-repeat blocks of the rCRS there (periods 1-10, so the 9-bp CCCCCTCTA pair too), plus
/// flanks; neighbouring clusters are solved together when an alignment could cross the unchanged
/// stretch between them at a shifted offset for no more than the bases they change (checked with
/// tables of where the rCRS differs from itself shifted by 1-32), and a window is widened over any
/// stretch beyond it that could be crossed so. A result whose indels reach outside their window is
/// solved again from itself. A lone substitution, a lone indel (slid 3'), substitutions that no
/// alignment with a gap can match, and two substitutions whose only rival reading (a deletion and an
/// insertion) lies away from the stretches of rule 3 skip the programme; solved windows are
/// memoised per thread. The property tests check the result against one banded alignment of the
/// whole interval.
/// Cost: about 2 µs for a control-region profile of 20 variants with private mutations (see
/// bench/bench_normalize.cpp); windows needing more than max_alignment_work steps (indels of
/// thousands of bases beside other variants) are left as written.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtmatch/range.hpp"
#include "mtmatch/variant.hpp"

namespace mtmatch {

/// The sequence a profile spells over each interval of its range (one string per interval, in the
/// order of range::intervals()): rCRS with the variants applied; IUPAC codes kept as written.
/// Insertions after the last position of an interval are not part of it (range::contains_insertion).
/// Position 3107 always reads `N` (the placeholder; variants there are dropped). An insertion of
/// unspecified length (`573.XC`) is spelled with one copy of its unit.
/// This is the slow, obviously right oracle that the canonical form is tested against.
/// Throws mtmatch::error as canonicalize() does.
[[nodiscard]] std::vector<std::string> reconstruct(const range& coverage, std::span<const variant> variants);

/// The canonical variants of a raw spelling: a function of reconstruct(coverage, raw) alone, so that
/// equivalent spellings give identical results (see the rule at the top of this file). Indels in
/// repeats sit at their 3'-most place (forensic phylogenetic notation), a repeat unit inserted or
/// deleted once is one variant, contiguous deleted bases are one deletion, and variants at 3107 (the
/// placeholder) are dropped. Variants outside `coverage` are dropped (deletions are clipped to it).
/// Insertions of unspecified length (`573.XC`) are kept apart from the alignment and only moved to
/// the 3' end of their repeat.
/// Throws mtmatch::error for spellings that do not describe a sequence (overlapping deletions, a
/// substitution inside a deletion, one site written twice, two insertions after one base, `N` as a
/// variant, a base that is not an upper-case IUPAC code, positions outside 1-16569).
/// Example: canonicalize(range::whole(), {302.1C, 310.1C}) → {309.1C, 315.1C}.
[[nodiscard]] std::vector<variant> canonicalize(const range& coverage, std::span<const variant> raw);

/// True for a length variant: an indel that adds or removes copies of a repeat unit of the rCRS
/// (its bases repeat the unit of 1-10 bases right before it: one or more C's of a C-tract, AC units)
/// and, moved to its 3'-most place, lies inside a length-variable stretch — the C-tracts
/// 16184-16193, 303-315, 568-573 and the AC repeat 515-524 (detail::length_variant_stretches), which
/// forensic comparison ignores by default. A deletion must lie wholly inside the stretch, an insertion
/// follow a base of it: `16193.1C`, `309.1CC`, `302.1C` (= `309.1C`), `573.1C`, `524.1AC`,
/// `16185-16188d`, `523-524d`; not `16192.1A` (an A put into a C-tract), `310d` (the T between the
/// tracts), `16183d` or `960.1C` (outside).
[[nodiscard]] bool is_length_variant(const variant& v) noexcept;

namespace detail {

/// First and last position of a stretch of the rCRS.
struct stretch {
  std::int32_t first = 0;
  std::int32_t last = 0;
};

/// The length-variable stretches whose length variants compare() ignores by default (is_length_variant).
inline constexpr std::array<stretch, 4> length_variant_stretches{{{16184, 16193}, {303, 315}, {568, 573}, {515, 524}}};

/// The length-variable stretches of rule 3 (top of this file): where a tie between substitutions and
/// slippage indels goes to the indels. The C-tracts (EMPOP's note covers 16180-16193), the AC repeat,
/// and EMPOP's "disregard indels" regions 455, 463, 960, 5899, 8276, 8285 with the 9-bp repeat
/// 8272-8289 (overlapping entries are one stretch). Wider than is_length_variant()'s list, which says
/// what compare() ignores.
inline constexpr std::array<stretch, 11> slippage_stretches{{{16180, 16193},
                                                             {303, 315},
                                                             {568, 573},
                                                             {515, 524},
                                                             {451, 456},
                                                             {460, 464},
                                                             {955, 961},
                                                             {5894, 5900},
                                                             {8271, 8277},
                                                             {8280, 8286},
                                                             {8272, 8289}}};

/// The tandem-repeat block of the rCRS around `position`: the union of all overlapping runs of
/// period 1-10 with at least two copies (`AA`, `ACAC`, the 9-bp `CCCCCTCTA` pair …) that contain it;
/// {position, position} when none does. Positions outside 1..16569 return themselves.
[[nodiscard]] stretch repeat_block(std::int32_t position) noexcept;

/// Footprint of a variant: every place it or an equivalent placement could sit (an indel slid 5'
/// and 3' through its repeat), widened to the tandem-repeat blocks at both ends plus `flank` bases,
/// clipped to first..last. compare() aligns within such windows; the engine groups variants by them.
[[nodiscard]] stretch variant_window(const variant& v, std::int32_t first, std::int32_t last, std::int32_t flank);

/// The raw variants checked (throws mtmatch::error like canonicalize), sorted, with no-op
/// substitutions and variants at 3107 dropped and everything clipped to `coverage`.
[[nodiscard]] std::vector<variant> prepare_variants(const range& coverage, std::span<const variant> raw);

/// Appends to `out` the sequence of rCRS positions first..last with `sorted` variants applied
/// (sorted as prepare_variants leaves them; variants reaching outside first..last are cut).
/// Insertions anchored at `last` are included only when `with_last_insertion`. When `origin` is not
/// null it receives, per appended base, its rCRS position, or minus the anchor for inserted bases.
void spell(std::int32_t first, std::int32_t last, std::span<const variant> sorted, bool with_last_insertion,
           std::string& out, std::vector<std::int32_t>* origin = nullptr);

/// One non-matching step of an alignment of `query` against `ref` (indexes into those strings).
struct alignment_step {
  enum class kind : std::uint8_t { substitution, compatible, deletion, insertion };
  kind what = kind::substitution;
  std::int32_t ref_index = 0;    ///< first ref base (deletion, substitution) or the ref base after an insertion
  std::int32_t query_index = 0;  ///< first query base (insertion, substitution)
  std::int32_t length = 1;       ///< bases deleted or inserted; 1 for (compatible) substitutions
  bool length_variant = false;   ///< an indel read as a length variant (alignment_problem::length_variants)
};

/// What best_alignment() aligns and how.
struct alignment_problem {
  std::string_view ref;          ///< the reference side of the window
  std::string_view query;        ///< the other side
  std::string_view context;      ///< text around `ref` for the slippage test: ref == context.substr(offset, ref.size())
  std::size_t offset = 0;
  /// rCRS position of each context base, for the stretch test of rule 3 (an inserted base carries
  /// minus its anchor, as spell()'s `origin`); empty when the context is the rCRS itself from
  /// `context_first` on.
  std::span<const std::int32_t> context_origin;
  std::int32_t context_first = 1;
  /// An indel's 3'-most place (rule 3) may be an insertion after the last context base.
  bool insert_after_context = false;
  /// For compare(): mark the steps that are length variants (alignment_step::length_variant): an
  /// indel that is one in the context, or read the other way round in the query (is_length_variant:
  /// it repeats the unit before it and, moved 3'-most, lies in one of length_variant_stretches;
  /// `query_origin` gives the query's rCRS positions).
  bool mark_length_variants = false;
  /// For compare(), and marking as above: a length variant is one event costing one changed base
  /// however many units it adds or removes, and counts as slippage for rule 3. Tract lengths change
  /// by several units in one slippage event: charged per base, two tracts changed at once
  /// (`309.1C 309.2C` against `315.1C`, C9·T·C5 against C7·T·C6) read cheaper as a moved T (a
  /// substitution and a deletion of the T) than as their two length variants.
  bool length_variants = false;
  std::span<const std::int32_t> query_origin;  ///< rCRS positions of the query's bases (as context_origin)
  /// Above 0: a gap that is not a length variant has at most this many bases (the best cost bounds
  /// them when max_bases was raised to let length variants stray further).
  std::int32_t plain_gap_bases = 0;
  std::int32_t max_bases = 0;    ///< an upper bound of the best cost in changed bases (bounds the band)
  bool compatible_iupac = false; ///< IUPAC codes sharing a base align at no cost (kind::compatible)
  bool insert_at_start = false;  ///< allow an insertion before ref[0]
  bool insert_at_end = false;    ///< allow an insertion after the last ref base
};

/// Turns the per-thread memo of solved windows on (the default) or off, and empties it. The memo
/// changes no result, only speed; benchmarks turn it off to measure the alignment itself.
void use_window_memo(bool on) noexcept;

/// Steps best_alignment() takes for `problem`: (|ref| + 1) · band², band = the offsets a path within
/// `max_bases` can reach (every cell tries each gap length that stays in the band).
[[nodiscard]] std::size_t alignment_work(const alignment_problem& problem) noexcept;

/// Most work best_alignment() takes on (2^24 steps, some tens of milliseconds); bigger windows — indels of
/// thousands of bases — are left as they are by canonicalize() and counted per variant by compare().
inline constexpr std::size_t max_alignment_work = std::size_t{1} << 24;

/// The best alignment under the rule at the top of this file, as its non-matching steps from 5' to
/// 3'. `N` in `ref` (3107) only ever matches `N`. Deterministic; O(|ref| · band²). Throws
/// mtmatch::error when alignment_work(problem) > max_alignment_work.
[[nodiscard]] std::vector<alignment_step> best_alignment(const alignment_problem& problem);

}  // namespace detail

}  // namespace mtmatch
