#pragma once
/// @file phylotree.hpp
/// The human mtDNA phylogeny (PhyloTree Build 17, or its forensic update) as an immutable tree:
/// every haplogroup with the mutations of its branch, its full expected profile against the rCRS,
/// parent/children/depth, LCA, and the per-variant phylogenetic weights and hotspots HaploGrep uses.
///
/// Orientation. The XML files are rooted at the rCRS (H2a2a1) so that each `<poly>` is written against
/// the rCRS; this class re-roots the tree at its true root (`mt-MRCA`), so `parent()`, `depth()`,
/// `lca()` and `is_ancestor()` follow the phylogeny (`is_ancestor(find("H"), find("H2a2a1"))` is true).
/// Expected profiles do not depend on the orientation.
///
/// Example:
/// @code
///   const mtmatch::phylotree& tree = mtmatch::phylotree17();
///   mtmatch::node_id m7 = tree.at("M7b1a1");
///   for (const mtmatch::tree_poly& p : tree.expected(m7)) std::cout << p.to_string() << ' ';
///   mtmatch::node_id both = tree.lca(m7, tree.at("B5a"));  // "L3": M and N both descend from it
/// @endcode

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtmatch/error.hpp"
#include "mtmatch/variant.hpp"

namespace mtmatch {

/// Index of a haplogroup in a phylotree: 0 .. size()-1 in pre-order, 0 is the root (`mt-MRCA`).
using node_id = std::int32_t;
/// "No node": the parent of the root, the result of find() for an unknown name.
inline constexpr node_id no_node = -1;

/// One polymorphism as HaploGrep and PhyloTree write it: a substitution `16223T` (an IUPAC code in
/// the forensic-update tree: `16311Y`), a one-base deletion `523d`, or an insertion `315.1C` — the
/// bases inserted after `position`, starting at insertion index `index`. PhyloTree writes most
/// insertions base by base (`455.1T`, `455.2T`) but some whole (`8289.1CCCCCTCTA`, `60.1TT`);
/// `573.XC` (a C-insertion of any length) has index 0. HaploGrep merges a sample's `309.1C 309.2C`
/// into one poly `309.1CC`; split_variant() does the same.
struct tree_poly {
  std::int32_t position = 0;     ///< 1-based rCRS position (insertions: the base they follow)
  variant_kind kind = variant_kind::substitution;
  std::int32_t index = 0;        ///< insertions: k of `p.kX` (0 for `p.XC`); otherwise 0
  std::string bases;             ///< substitution: one base; insertion: inserted bases; deletion: ""

  /// PhyloTree / HaploGrep text: `16223T`, `523d`, `315.1C`, `8289.1CCCCCTCTA`, `573.XC`.
  [[nodiscard]] std::string to_string() const;
  /// Parses one PhyloTree token without `!`: `16223T`, `523d`, `315.1C`, `573.XC`, and a bare
  /// position `8289` (the transition from the rCRS base, as HaploGrep reads it). Throws
  /// mtmatch::error naming `where` and the token.
  [[nodiscard]] static tree_poly parse(std::string_view token, const source_location& where = {});

  friend auto operator<=>(const tree_poly&, const tree_poly&) = default;
  friend bool operator==(const tree_poly&, const tree_poly&) = default;
};

/// A profile variant as HaploGrep sample polys: a substitution is one poly, a block deletion one
/// `Nd` per base, an insertion one poly with all its bases (`309.1CC`), an any-length one `p.XC`.
[[nodiscard]] std::vector<tree_poly> split_variant(const variant& v);

/// A change on the branch from a node's parent to the node.
struct branch_change {
  tree_poly poly;
  /// True: the node carries `poly` and its parent does not. False: the parent carries it and the
  /// node does not (the node has the rCRS state there — e.g. H's `2706A` is the loss of `2706G`).
  bool gained = true;
  friend bool operator==(const branch_change&, const branch_change&) = default;
};

/// A poly as written on a branch of the tree file: `back` for a back-mutation `X!`.
struct path_poly {
  tree_poly poly;
  bool back = false;
};

/// Where the default trees come from and how a weights file is laid out.
struct phylotree_options {
  /// 1-based column of weights.txt holding the occurrence count; 0 = detect (column 3 in
  /// phylotree-rcrs-17, column 6 in phylotree-fu-rcrs, where columns 2-5 all repeat the weight).
  int occurrence_column = 0;
  /// Rename the three basal nodes that phylotree-rcrs-17's tree.xml mislabels
  /// (`L1'2'3'4'5'6`→`mt-MRCA`, `L2'3'4'5'6`→`L1'2'3'4'5'6`, `L2'3'4'6+`→`L2'3'4'5'6`) when the file has
  /// no `mt-MRCA`; the other copies of the tree name them so.
  bool fix_basal_names = true;
  /// Name shown by name() and in messages, e.g. "phylotree-rcrs@17.3".
  std::string name;
};

/// An immutable, loaded haplogroup tree. Cheap to share (`std::shared_ptr<const phylotree>`); all
/// member functions are thread-safe.
class phylotree {
 public:
  /// Loads a tree from the text of its files: tree.xml (HaploGrep XML), weights.txt (tab separated:
  /// variant, weight, …, occurrence count) and the hotspot list (one poly per line, `#` comments).
  /// `*_name` are used in error messages. Throws mtmatch::error naming file, line, column and token.
  [[nodiscard]] static std::shared_ptr<const phylotree> parse(std::string_view xml, std::string_view weights,
                                                              std::string_view hotspots,
                                                              const phylotree_options& options = {},
                                                              std::string_view xml_name = "tree.xml",
                                                              std::string_view weights_name = "weights.txt",
                                                              std::string_view hotspots_name = "hotspots.txt");
  /// Reads the three files and calls parse(). Throws mtmatch::error when a file cannot be read.
  [[nodiscard]] static std::shared_ptr<const phylotree> load(const std::string& xml_path,
                                                             const std::string& weights_path,
                                                             const std::string& hotspots_path,
                                                             const phylotree_options& options = {});

  // --- the nodes ---------------------------------------------------------------------------------
  /// Number of haplogroups (5,435 for PhyloTree 17; 6,380 for the forensic update 1.2).
  [[nodiscard]] std::int32_t size() const noexcept;
  [[nodiscard]] node_id root() const noexcept { return 0; }
  /// Name as in the tree, e.g. "H2a2a1", "L2'3'4'5'6", "M7b1a1+(16192)".
  [[nodiscard]] const std::string& name(node_id node) const;
  /// The node called `name`, or no_node.
  [[nodiscard]] node_id find(std::string_view name) const noexcept;
  /// The node called `name`; throws mtmatch::error when there is none.
  [[nodiscard]] node_id at(std::string_view name) const;
  /// Phylogenetic parent (no_node for the root).
  [[nodiscard]] node_id parent(node_id node) const;
  [[nodiscard]] std::span<const node_id> children(node_id node) const;
  /// Number of edges from the root (root: 0).
  [[nodiscard]] std::int32_t depth(node_id node) const;
  /// Nodes of the subtree of `node` are exactly `node` .. subtree_end(node)-1 (pre-order).
  [[nodiscard]] node_id subtree_end(node_id node) const;
  /// Deepest common ancestor of a and b.
  [[nodiscard]] node_id lca(node_id a, node_id b) const;
  /// True when `ancestor` is `node` or lies on the path from the root to `node`.
  [[nodiscard]] bool is_ancestor(node_id ancestor, node_id node) const;
  /// The node of the rCRS (H2a2a1 in PhyloTree 17): its expected profile is empty.
  [[nodiscard]] node_id rcrs_node() const noexcept;

  // --- polys -------------------------------------------------------------------------------------
  /// Changes on the branch from parent(node) to node, as gains and losses of per-base polys.
  [[nodiscard]] std::span<const branch_change> branch(node_id node) const;
  /// The branch in PhyloTree-like text, gains as polys and losses as the rCRS-state substitution or a
  /// `!` back-mutation: H → "2706A 7028C", L0 → "263G 1048T …".
  [[nodiscard]] std::string branch_string(node_id node) const;
  /// The node's full expected profile against the rCRS, sorted, in canonical form: the polys written
  /// along the path from the rCRS node (a poly replaces what its site held, `X!` removes X), then
  /// rewritten as mtmatch profiles write the same sequence (normalize.hpp: canonicalize), so that a
  /// profile and a haplogroup are compared in one alignment. `573.XC` counts as one inserted C.
  /// Mostly the PhyloTree notation itself; e.g. `16188T 16189C` becomes `16188d 16193.1C`.
  [[nodiscard]] std::span<const tree_poly> expected(node_id node) const;
  /// The expected profile as canonical variants (inserted bases after one position merged into one
  /// insertion, adjacent deleted bases into one deletion), ready to build a mtmatch::profile.
  [[nodiscard]] std::vector<variant> expected_variants(node_id node) const;

  /// The polys written in the tree file on every branch from the file's root (the rCRS node) down to
  /// `node`, in the file's orientation and order, as written, back-mutations (`X!`) included: what
  /// HaploGrep sums for the node.
  [[nodiscard]] std::vector<path_poly> file_path(node_id node) const;
  /// Position of `node` in the tree file (document order, 0 = the rCRS node). HaploGrep lists
  /// equally scored haplogroups in this order.
  [[nodiscard]] std::int32_t file_rank(node_id node) const;

  // --- weights and hotspots ----------------------------------------------------------------------
  /// HaploGrep's phylogenetic weight of a poly: weights.txt column 2 (1.0 = fastest … 10.0) of the row
  /// written like the poly, else of the row HaploGrep would use (it tells insertions after one position
  /// apart by nothing else); 0 for a poly that is not in the file, as in HaploGrep. A poly that only
  /// the canonical rewrite of a node brings in (T2f's `8270-8278d` for `8270T 8281-8289d`) has the mean
  /// weight of the written polys it replaced.
  [[nodiscard]] double weight(const tree_poly& poly) const noexcept;
  /// How often the poly arises independently in the tree (the weights file's occurrence column);
  /// 0 when it is not in the file.
  [[nodiscard]] std::int32_t occurrences(const tree_poly& poly) const noexcept;
  /// Largest occurrence count in the file (197 for PhyloTree 17, 275 for the forensic update).
  [[nodiscard]] std::int32_t max_occurrences() const noexcept;
  /// Occurrences of all polys at `position` summed (any base, deletion or insertion there).
  [[nodiscard]] std::int32_t site_occurrences(std::int32_t position) const noexcept;
  /// True for a HaploGrep hotspot (315.1C, 309.1C, 16519C, …), which classification ignores.
  [[nodiscard]] bool is_hotspot(const tree_poly& poly) const noexcept;
  [[nodiscard]] std::span<const tree_poly> hotspots() const noexcept;
  /// True when `poly` is expected at some node of the tree (appears on any branch).
  [[nodiscard]] bool in_tree(const tree_poly& poly) const noexcept;
  /// Name given in phylotree_options::name.
  [[nodiscard]] const std::string& tree_name() const noexcept;

  ~phylotree();
  phylotree(const phylotree&) = delete;
  phylotree& operator=(const phylotree&) = delete;

  struct impl;
  /// Internal: the loaded data, for classify.cpp and score.cpp.
  [[nodiscard]] const impl& internals() const noexcept { return *impl_; }

 private:
  explicit phylotree(std::unique_ptr<impl> data);
  std::unique_ptr<impl> impl_;
};

/// PhyloTree Build 17 (phylotree-rcrs@17.3, basal names fixed), embedded in the library at build
/// time: no file is read. Built on first use, then shared.
[[nodiscard]] const phylotree& phylotree17();
[[nodiscard]] std::shared_ptr<const phylotree> phylotree17_shared();
/// The PhyloTree 17 forensic update (phylotree-fu-rcrs@1.2, Dür et al. 2021), also embedded.
[[nodiscard]] const phylotree& phylotree17_fu();
[[nodiscard]] std::shared_ptr<const phylotree> phylotree17_fu_shared();

}  // namespace mtmatch
