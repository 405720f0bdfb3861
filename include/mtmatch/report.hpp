#pragma once
/// @file report.hpp
/// What `mtmatch match` prints, as one C++ call: the engine's pairs (match.hpp) with the
/// haplogroup-aware columns of score.hpp — for every reported pair exactly what
/// `compare(a, b, tree)` (score.hpp) returns, without comparing every pair.
///
/// How. Each side is classified once, per distinct haplotype (classify.hpp, the same options
/// compare(a, b, tree) uses); the engine finds the pairs; only those are compared and scored, once
/// per distinct haplotype pair (identical haplotypes of a side give identical comparisons). For
/// top_k the order is (differences, weighted differences, longer compared length, relative index):
/// the engine keeps every relative tied on differences with the k-th, scores those and cuts
/// (match_options::rank_key), so the list is the one sorting compare(a, b, tree) over all pairs gives.
///
/// Example:
/// @code
///   auto remains = mtmatch::read_hsd("remains.hsd").profiles;
///   auto relatives = mtmatch::read_hsd("relatives.hsd").profiles;
///   mtmatch::report_options o;
///   o.match.max_differences = 2;
///   o.match.top_k = 5;
///   mtmatch::match_report r = mtmatch::report_matches(remains, relatives, o);
///   mtmatch::write_tsv(std::cout, r);
///   // remains_id  relative_id  compared_length  differences  verdict  weighted_differences  haplogroup_a …
/// @endcode

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mtmatch/compare.hpp"
#include "mtmatch/encode.hpp"
#include "mtmatch/isa.hpp"
#include "mtmatch/match.hpp"
#include "mtmatch/phylotree.hpp"
#include "mtmatch/profile.hpp"
#include "mtmatch/score.hpp"

namespace mtmatch {

/// The stages of report_matches(), in order, as the progress callback names them.
enum class report_stage : std::uint8_t {
  classify = 0,  ///< classifying the distinct haplotypes of both sides (done/total: haplotypes)
  match = 1,     ///< the engine (done/total: distinct haplotype pairs, match_options::progress)
  score = 2,     ///< comparing and scoring the reported pairs (done/total: remains haplotypes)
};
/// "classify", "match" or "score".
[[nodiscard]] const char* to_string(report_stage stage) noexcept;

/// What to compute.
struct report_options {
  /// Threshold, top_k, counts_only, threads, compare policy, ISA (match.hpp). Its `progress` and
  /// `rank_key` are set by report_matches() (use `progress` below).
  match_options match;
  /// Fill the haplogroup-aware columns (weighted differences, haplogroups, discordance) and order
  /// top_k lists by weighted differences. Off: only compare()'s columns, top_k in the engine's order
  /// (differences, longer compared length, relative index); no classification.
  bool scores = true;
  /// The tree to classify and weigh on; null = PhyloTree 17 (phylotree17()).
  std::shared_ptr<const phylotree> tree;
  /// score_policy::diagnostic_weight and discordant_at (the compare rules are match.policy).
  double diagnostic_weight = 5.0;
  int discordant_at = 1;
  /// Called now and then with the stage and its progress, from one thread at a time; returning
  /// false cancels (match_report::cancelled; rows are then partial, scores may be missing: NaN).
  std::function<bool(report_stage stage, std::uint64_t done, std::uint64_t total)> progress;
  /// Throws mtmatch::error when match or the score policy is invalid.
  void validate() const;
  /// The score policy these options describe.
  [[nodiscard]] score_policy scoring() const;
};

/// Results as columns, one entry per reported pair, in the engine's order: by remains index, then
/// relative index (threshold), or by rank (top_k). Haplogroups are kept per profile.
/// With match_options::group_identical (`grouped`), a row is a pair of distinct haplotypes — identical
/// profiles of a side, listed in `remains_members` / `relative_members` — standing for every pair of
/// their members, ordered by remains haplotype then relatives haplotype; write_tsv() writes the
/// member pairs of each row.
struct match_report {
  std::vector<std::uint32_t> remains;          ///< index into the remains given
  std::vector<std::uint32_t> relative;         ///< index into the relatives given
  std::vector<std::uint16_t> differences;      ///< compare()'s count
  std::vector<std::int32_t> compared_length;   ///< compare()'s compared_length
  std::vector<mtmatch::verdict> verdicts;      ///< compare()'s verdict
  // Haplogroup-aware columns (empty unless `scored`): compare(a, b, tree)'s fields.
  std::vector<double> weighted_differences;        ///< comparison::weighted_differences (NaN if cancelled first)
  std::vector<std::uint8_t> discordant;            ///< comparison::discordant (0/1)
  std::vector<std::uint16_t> discordant_sites;     ///< comparison::discordant_sites
  std::vector<std::string> remains_ids;            ///< id of every remains profile given
  std::vector<std::string> relative_ids;           ///< id of every relative profile given
  std::vector<std::string> remains_haplogroups;    ///< best haplogroup of every remains profile (scored)
  std::vector<std::string> relative_haplogroups;   ///< best haplogroup of every relative profile (scored)
  /// counts_only: `counts[r * (max_differences + 1) + d]` relatives with d differences for remains r.
  std::vector<std::uint32_t> counts;
  std::size_t counts_width = 0;  ///< counts_only: max_differences + 1; 0 otherwise
  bool scored = false;      ///< the haplogroup-aware columns are filled
  bool cancelled = false;   ///< the progress callback stopped the run
  isa level = isa::scalar;  ///< the kernels that ran
  match_stats stats;
  std::uint64_t scored_pairs = 0;  ///< distinct haplotype pairs compared and scored
  std::string tree_name;           ///< the tree classified on (scored)
  bool grouped = false;            ///< rows are haplotype pairs (see above)
  std::uint64_t profile_pairs = 0; ///< the profile pairs the rows stand for (= size() unless grouped)
  /// grouped: the profiles (indices into the remains given) of remains haplotype h are
  /// `remains_members[remains_members_begin[h] .. remains_members_begin[h + 1])`, ascending.
  std::vector<std::uint32_t> remains_members_begin;
  std::vector<std::uint32_t> remains_members;
  std::vector<std::uint32_t> relative_members_begin;  ///< the same for the relatives
  std::vector<std::uint32_t> relative_members;

  [[nodiscard]] std::size_t size() const noexcept { return remains.size(); }
  /// The profiles of remains haplotype h (grouped), ascending.
  [[nodiscard]] std::span<const std::uint32_t> remains_of(std::uint32_t h) const noexcept {
    return {remains_members.data() + remains_members_begin[h], remains_members.data() + remains_members_begin[h + 1]};
  }
  /// The profiles of relatives haplotype h (grouped), ascending.
  [[nodiscard]] std::span<const std::uint32_t> relatives_of(std::uint32_t h) const noexcept {
    return {relative_members.data() + relative_members_begin[h], relative_members.data() + relative_members_begin[h + 1]};
  }
  /// comparison::haplogroup_a of row i ("" unless scored).
  [[nodiscard]] const std::string& haplogroup_a(std::size_t i) const;
  /// comparison::haplogroup_b of row i ("" unless scored).
  [[nodiscard]] const std::string& haplogroup_b(std::size_t i) const;
};

/// Matches two encoded stores (same dictionary, see encode.hpp) and scores the reported pairs.
/// Throws mtmatch::error for invalid options or stores of different dictionaries.
[[nodiscard]] match_report report_matches(const profile_store& remains, const profile_store& relatives,
                                          const report_options& options = {});

/// Encodes both sides, matches and scores. Example: see the file comment.
[[nodiscard]] match_report report_matches(std::span<const profile> remains, std::span<const profile> relatives,
                                          const report_options& options = {}, const encode_options& encoding = {});

/// The TSV header `mtmatch match` writes: `remains_id relative_id compared_length differences verdict`
/// then, when `scored`, `weighted_differences haplogroup_a haplogroup_b discordant`.
[[nodiscard]] std::string tsv_header(bool scored);

/// Writes the header and one line per row (grouped: per member pair of each row): ids, compared length, differences, verdict (to_string),
/// weighted differences with 4 decimals, the two haplogroups, discordant as 0/1. counts_only
/// reports are written as `remains_id d0 d1 …` (relatives with 0, 1, … differences).
void write_tsv(std::ostream& out, const match_report& report);

}  // namespace mtmatch
