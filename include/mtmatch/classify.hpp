#pragma once
/// @file classify.hpp
/// Haplogroup classification as HaploGrep 2/3 does it: every haplogroup of the tree is scored with
/// the weighted Kulczynski measure between its expected polys and the profile's polys, counting only
/// polys inside the profile's range; the best score wins, ties going to the haplogroup HaploGrep lists
/// first (XML document order of the tree file).
///
/// `K = 0.5·w(F)/w(S) + 0.5·w(F)/w(E)` with E the expected polys of the haplogroup inside the range
/// (a back-mutation `X!` takes X out again), S the profile's polys, F the expected polys the profile
/// has, and w the phylogenetic weights of weights.txt (0 for polys that are not in the file, which is
/// how hotspots and private mutations drop out of the score).
///
/// Profile polys are compared in HaploGrep's form (phylotree.hpp: split_variant): a block deletion is
/// one poly per base, an insertion one poly with all its bases (`309.1CC`). As in HaploGrep
/// (haplogrep-core 2.x), an insertion matches every tree insertion after the same position, whatever
/// its bases (`573.1C` and `573.1CCC` both match `573.XC`). Tree indels are moved to the canonical
/// 3'-most place that mtmatch profiles use, so both sides are compared in one alignment.
/// A heteroplasmy (IUPAC code) matches an expected substitution to either of its bases and adds nothing
/// to w(S) — HaploGrep does this for Y and R; mtmatch does it for every IUPAC code.
/// Length heteroplasmy in the C-tracts 16184-16193 and 303-315 (HaploGrep's hotspots 16193.1C, 309.1C,
/// 315.1C) is taken out of the sequence before its polys are written, so that the canonical alignment
/// of the extra Cs cannot swallow a neighbouring tree variant (`16187T 16189C 16193.1C` is canonically
/// `16186.1T 16189C`); the Cs taken out are listed as hotspots.
///
/// Where HaploGrep's bookkeeping is accidental, mtmatch scores what the haplogroup expects: a poly the
/// path carries twice in HaploGrep's eyes (C4a1a1's `2232.1A 2232.2A`, L3x1a1's `5899.1C … 5899.XC`)
/// counts once, so that every node of the tree classifies to itself (HaploGrep's own test lets C4a1a
/// fail); a substitution replaces an earlier one at its site, and `X!` removes only an X the node has.
///
/// Example:
/// @code
///   auto p = mtmatch::profile::parse("16129A 16223T 16297C 73G 150T 199C 263G 489C", "16024-576");
///   mtmatch::classification c = mtmatch::classify(p);  // c.name == "M7b1a1" (or a node it cannot tell apart)
/// @endcode

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mtmatch/phylotree.hpp"
#include "mtmatch/profile.hpp"

namespace mtmatch {

/// How to classify.
struct classify_options {
  /// How many ranked haplogroups to report (1 = best only; 2 adds the runner-up). At least 1.
  int hits = 2;
  /// Fill found / not_found / remaining for the best haplogroup (costs a little time).
  bool details = true;
  /// Worker threads for batches; 0 = all cores.
  unsigned threads = 0;
  /// Throws mtmatch::error when hits < 1.
  void validate() const;
};

/// Why a profile poly is not explained by the best haplogroup.
enum class remaining_kind : std::uint8_t {
  hotspot = 0,         ///< a HaploGrep hotspot (315.1C, 16519C, 309.1C, …): ignored by classification
  local_private = 1,   ///< in the tree, but elsewhere (a recurrent mutation, or a hint of a wrong call)
  global_private = 2,  ///< not in the tree at all: a private mutation
};
[[nodiscard]] const char* to_string(remaining_kind k) noexcept;

/// A profile poly the best haplogroup does not expect.
struct remaining_poly {
  tree_poly poly;
  remaining_kind kind = remaining_kind::global_private;
};

/// One ranked haplogroup.
struct haplogroup_hit {
  node_id node = no_node;
  std::string name;
  double quality = 0;  ///< Kulczynski measure, 0 … 1
};

/// The result of classifying one profile.
struct classification {
  std::string id;                 ///< the profile's id
  node_id haplogroup = no_node;   ///< best haplogroup
  std::string name;               ///< its name
  double quality = 0;             ///< its Kulczynski measure, 0 … 1 (HaploGrep's "Quality")
  node_id runner_up = no_node;    ///< second best (no_node when hits < 2)
  std::string runner_up_name;
  double runner_up_quality = 0;
  std::vector<haplogroup_hit> hits;  ///< the best `options.hits`, best first
  /// Haplogroups sharing the best score (1 when the best is unique). A partial range often cannot
  /// tell a haplogroup from its sub-haplogroups or from a parallel clade with the same motif there.
  std::int32_t ties = 0;
  /// Deepest common ancestor of the haplogroups sharing the best score: the most specific
  /// haplogroup the data support without guessing (HaploGrep reports the first of them instead).
  node_id common_ancestor = no_node;
  std::string common_ancestor_name;
  range coverage;                    ///< the range the profile was classified over
  // Details (classify_options::details):
  std::vector<tree_poly> found;      ///< expected polys of the best haplogroup the profile has, in range
  std::vector<tree_poly> not_found;  ///< expected polys of the best haplogroup in range the profile lacks
  std::vector<remaining_poly> remaining;  ///< profile polys the best haplogroup does not expect
};

/// Classifies one profile. Example: `classify(profile::parse("263G 315.1C", "16024-576")).name`.
[[nodiscard]] classification classify(const profile& p, const phylotree& tree = phylotree17(),
                                      const classify_options& options = {});

/// Classifies many profiles (in parallel; results in input order).
[[nodiscard]] std::vector<classification> classify(std::span<const profile> profiles,
                                                   const phylotree& tree = phylotree17(),
                                                   const classify_options& options = {});

/// The fast path: only the best haplogroup and its quality per profile, into caller-provided spans of
/// profiles.size() (no strings, no details). Throws mtmatch::error when the spans are too short.
void classify_best(std::span<const profile> profiles, const phylotree& tree, std::span<node_id> best,
                   std::span<double> quality, unsigned threads = 0);

}  // namespace mtmatch
