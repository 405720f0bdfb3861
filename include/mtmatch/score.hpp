#pragma once
/// @file score.hpp
/// The haplogroup-aware part of a comparison. Two profiles that differ at a fast site (16519, 152,
/// 16189 …) may well be mother and son; two that differ at a stable site defining a branch of the
/// human mtDNA tree are almost surely not related. Two signals (DOMAIN.md §5.3):
///
/// - **Weighted differences** `D_w = Σ w/10` over the counted differences of compare(), with
///   `w = 10 − 9·ln(occ)/ln(occ_max)` from the tree's weights file (occ = how often the variant arises
///   independently in the tree): a 16519/152 difference counts ≈ 0.1, a variant never seen to recur
///   (or absent from the tree) 1. Hotspots weigh 0; heteroplasmy-compatible and length-variant sites
///   are not counted differences in the first place.
/// - **Clade discordance**: both profiles are classified (classify.hpp); unless one haplogroup is an
///   ancestor of the other, the tree-defining variants that separate them inside the common range
///   and weigh at least `score_policy::diagnostic_weight` are counted; at least
///   `score_policy::discordant_at` of them make the pair discordant. Each side uses the common
///   ancestor of its tied best haplogroups, so a range that cannot tell clades apart never accuses.
///
/// Example:
/// @code
///   auto a = mtmatch::profile::parse("16140C 16189C 16266A 73G 210G 263G", "16024-576");   // B5a
///   auto b = mtmatch::profile::parse("16129A 16162G 16172C 16304C 73G 249d 263G", "16024-576");  // F1a1
///   mtmatch::comparison c = mtmatch::compare(a, b, mtmatch::phylotree17());
///   // c.differences == 9, c.weighted_differences ≈ 4.4, c.discordant == true
/// @endcode

#include "mtmatch/classify.hpp"
#include "mtmatch/compare.hpp"
#include "mtmatch/phylotree.hpp"
#include "mtmatch/profile.hpp"

namespace mtmatch {

/// How to score.
struct score_policy {
  compare_policy compare;          ///< the plain comparison's rules
  double diagnostic_weight = 5.0;  ///< a separating site counts when its weight w (1-10) is at least this
  int discordant_at = 1;           ///< discordant from this many separating sites on
  /// Throws mtmatch::error for a weight outside 0-10 or discordant_at < 1 (and compare's checks).
  void validate() const;
};

/// Weight 0-10 of a difference in `poly`: 0 for a hotspot; else `10 − 9·ln(occ)/ln(occ_max)` with occ
/// its occurrence count in the tree (for a substitution absent from the tree, the count of the most
/// recurrent variant at its position); 10 when the position never varies in the tree.
[[nodiscard]] double stability_weight(const tree_poly& poly, const phylotree& tree) noexcept;

/// Weight 0-10 of one site_difference of a comparison: the smallest stability_weight of the polys that
/// differ between its two sides (the fastest explanation); 0 unless it is a counted difference.
[[nodiscard]] double difference_weight(const site_difference& d, const phylotree& tree);

/// Tree-defining polys that separate haplogroups `a` and `b` inside `common`: those in one expected
/// profile and not the other, not hotspots, with stability_weight >= `min_weight`; none when one is an
/// ancestor of the other.
[[nodiscard]] std::vector<tree_poly> separating_polys(node_id a, node_id b, const range& common,
                                                      const phylotree& tree, double min_weight = 5.0);

/// Fills the haplogroup-aware fields of `c`, the comparison of the profiles classified as `a` and `b`.
void score(comparison& c, const classification& a, const classification& b, const phylotree& tree,
           const score_policy& policy = {});

/// compare(a, b) plus classification of both and score(): all fields of the comparison filled.
[[nodiscard]] comparison compare(const profile& a, const profile& b, const phylotree& tree,
                                 const score_policy& policy = {});

}  // namespace mtmatch
