#pragma once
// Internal layout of a loaded phylotree, shared by phylotree.cpp, classify.cpp and score.cpp.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "mtmatch/phylotree.hpp"

namespace mtmatch {

namespace detail {

/// Index of a distinct tree poly ("token"), 0 .. tokens.size()-1.
using token_id = std::int32_t;

/// One HaploGrep scoring step on an XML branch: `token` gained, or lost when `back` (`X!`).
struct walk_op {
  token_id token;
  bool back;
};

/// Where a token is written in the tree file: its slot (XML document order) and its signed weight in
/// thousandths (negative for a back-mutation).
struct token_op {
  std::int32_t slot;
  std::int64_t weight_milli;
};

/// Weights are summed as integers in thousandths: sums are then exact and independent of their order.
inline constexpr double weight_scale = 1000.0;

struct weight_entry {
  double weight = 0;
  std::int32_t occurrences = 0;
};

/// Site of a poly: substitutions and deletions at one position share it; insertions have one per index.
[[nodiscard]] std::uint64_t site_key(const tree_poly& p) noexcept;
/// Key of a substitution (base) or deletion (base 'd') for exact lookups.
[[nodiscard]] std::uint64_t exact_key(std::int32_t position, variant_kind kind, char base) noexcept;
/// HaploGrep's identity of a poly (haplogrep-core Polymorphism.equals/hashCode): position and kind,
/// plus the base of a substitution. All insertions after one position are the same poly to it.
[[nodiscard]] std::uint64_t haplogrep_key(const tree_poly& p) noexcept;

}  // namespace detail

struct phylotree::impl {
  std::string name;

  // Nodes, numbered in phylogenetic pre-order from mt-MRCA.
  std::vector<std::string> names;
  std::vector<node_id> parent;
  std::vector<std::int32_t> depth;
  std::vector<node_id> subtree_end;
  std::vector<std::int32_t> child_begin;  // CSR into child_list
  std::vector<node_id> child_list;
  std::unordered_map<std::string, node_id> by_name;
  node_id rcrs_node = 0;

  // Tokens: the distinct polys of the tree (indels at their canonical 3'-most place).
  std::vector<tree_poly> tokens;
  std::vector<double> token_weight;  // weights.txt column 2 of the poly as written; 0 if absent
  std::unordered_map<std::string, detail::token_id> token_by_text;
  [[nodiscard]] detail::token_id find_token(const tree_poly& p) const noexcept {
    auto it = token_by_text.find(p.to_string());
    return it == token_by_text.end() ? -1 : it->second;
  }

  // Expected profiles (sorted), CSR by node id; the same as token ids and as polys.
  std::vector<std::uint32_t> expected_begin;
  std::vector<detail::token_id> expected_ids;
  std::vector<tree_poly> expected_polys;
  std::vector<std::uint32_t> branch_begin;
  std::vector<branch_change> branch_changes;

  // HaploGrep's walk: XML document pre-order (the order of its results, which breaks ties).
  std::vector<node_id> xml_order;              // slot -> node id
  std::vector<std::int32_t> xml_parent_slot;  // slot -> slot of the XML parent, -1 for the XML root
  std::vector<std::int32_t> xml_rank;          // node id -> slot
  std::vector<std::uint32_t> op_begin;         // slot -> CSR into ops
  std::vector<detail::walk_op> ops;            // scoring operations of each branch (see phylotree.cpp)
  std::vector<std::uint32_t> raw_op_begin;     // slot -> CSR into raw_path
  std::vector<path_poly> raw_path;             // the polys as written on each branch
  std::vector<std::int64_t> op_weight_milli;   // per op: signed weight of its token, thousandths
  std::vector<std::int32_t> xml_subtree_end;   // slot -> one past the last slot of its XML subtree
  std::vector<std::int64_t> token_weight_milli;
  std::vector<std::uint32_t> token_op_begin;   // token -> CSR into token_ops
  std::vector<detail::token_op> token_ops;
  std::uint64_t serial = 0;                    // unique per loaded tree (keys per-thread caches)

  // Weights and hotspots.
  std::unordered_map<std::string, detail::weight_entry> weights;  // by the text in weights.txt
  // By HaploGrep's identity of the (forward) poly; a later row replaces an earlier one, as in HaploGrep.
  std::unordered_map<std::uint64_t, detail::weight_entry> weights_by_key;
  [[nodiscard]] const detail::weight_entry* weight_of(const tree_poly& p) const noexcept {
    auto it = weights_by_key.find(detail::haplogrep_key(p));
    return it == weights_by_key.end() ? nullptr : &it->second;
  }
  std::int32_t max_occurrences = 0;
  std::vector<std::int32_t> site_occurrences;      // [position]: all rows at the position summed
  std::vector<std::int32_t> site_max_occurrences;  // [position]: the largest count of a forward row
  std::unordered_set<std::string> hotspot_texts;
  std::vector<tree_poly> hotspot_list;

  // Matching sample polys to tokens.
  std::unordered_map<std::uint64_t, detail::token_id> exact_index;               // substitutions, deletions
  std::unordered_map<std::int32_t, std::vector<detail::token_id>> substitutions_at;  // for heteroplasmies
  std::unordered_map<std::int32_t, std::vector<detail::token_id>> insertions_at;
};

namespace detail {
using phylotree_impl = phylotree::impl;
/// Weight of a poly: weights.txt by its text, else by HaploGrep's identity of it, else 0.
[[nodiscard]] double poly_weight(const phylotree_impl& t, const tree_poly& p) noexcept;
}  // namespace detail

}  // namespace mtmatch
