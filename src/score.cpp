#include "mtmatch/score.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>

#include "detail/phylotree_impl.hpp"
#include "mtmatch/notation.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {

void score_policy::validate() const {
  compare.validate();
  if (!(diagnostic_weight >= 0 && diagnostic_weight <= 10)) {
    throw error("score_policy: diagnostic_weight must be within 0-10, not " + std::to_string(diagnostic_weight));
  }
  if (discordant_at < 1) throw error("score_policy: discordant_at must be at least 1, not " + std::to_string(discordant_at));
}

double stability_weight(const tree_poly& poly, const phylotree& tree) noexcept {
  if (tree.is_hotspot(poly)) return 0.0;
  std::int32_t occ = tree.occurrences(poly);
  if (occ <= 0 && poly.kind == variant_kind::substitution && poly.position >= 1 && poly.position <= rcrs_length) {
    occ = tree.internals().site_max_occurrences[static_cast<std::size_t>(poly.position)];
  }
  const std::int32_t most = tree.max_occurrences();
  if (occ <= 1 || most <= 1) return 10.0;
  const double w = 10.0 - 9.0 * std::log(static_cast<double>(occ)) / std::log(static_cast<double>(most));
  return std::clamp(w, 1.0, 10.0);
}

namespace {

// The polys a side of a site_difference spells ("" = as the rCRS).
std::set<tree_poly> polys_of(const std::string& text) {
  std::set<tree_poly> out;
  if (text.empty()) return out;
  notation_options options;
  options.check_range = false;
  std::vector<error> errors;
  parsed_variants parsed = parse_variants(text, range::whole(), {}, &errors, options);
  for (const variant& v : parsed.variants) {
    for (tree_poly& p : split_variant(v)) out.insert(std::move(p));
  }
  return out;
}

}  // namespace

double difference_weight(const site_difference& d, const phylotree& tree) {
  if (d.what != site_difference::kind::difference) return 0.0;
  const std::set<tree_poly> a = polys_of(d.a);
  const std::set<tree_poly> b = polys_of(d.b);
  std::vector<tree_poly> differ;
  std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(differ));
  if (differ.empty()) return 10.0;  // the texts did not parse into polys: treat as a stable change
  double w = 10.0;
  for (const tree_poly& p : differ) w = std::min(w, stability_weight(p, tree));
  return w;
}

std::vector<tree_poly> separating_polys(node_id a, node_id b, const range& common, const phylotree& tree,
                                        double min_weight) {
  std::vector<tree_poly> out;
  if (tree.is_ancestor(a, b) || tree.is_ancestor(b, a)) return out;
  std::span<const tree_poly> ea = tree.expected(a);
  std::span<const tree_poly> eb = tree.expected(b);
  std::vector<tree_poly> differ;
  std::set_symmetric_difference(ea.begin(), ea.end(), eb.begin(), eb.end(), std::back_inserter(differ));
  for (tree_poly& p : differ) {
    const bool inside = p.kind == variant_kind::insertion ? common.contains_insertion(p.position) : common.contains(p.position);
    if (!inside || tree.is_hotspot(p)) continue;
    if (stability_weight(p, tree) < min_weight) continue;
    out.push_back(std::move(p));
  }
  return out;
}

void score(comparison& c, const classification& a, const classification& b, const phylotree& tree,
           const score_policy& policy) {
  policy.validate();
  double total = 0;
  for (const site_difference& d : c.differing) total += difference_weight(d, tree) / 10.0;
  c.weighted_differences = total;
  c.haplogroup_a = a.name;
  c.haplogroup_b = b.name;
  c.discordant = false;
  c.discordant_sites = 0;
  const node_id na = a.common_ancestor != no_node ? a.common_ancestor : a.haplogroup;
  const node_id nb = b.common_ancestor != no_node ? b.common_ancestor : b.haplogroup;
  if (na == no_node || nb == no_node) return;
  const range common = a.coverage.intersect(b.coverage);
  std::vector<tree_poly> separating = separating_polys(na, nb, common, tree, policy.diagnostic_weight);
  // Count sites, not polys: 8281d … 8289d is one deletion, and one site can hold two alleles.
  std::set<std::int32_t> sites;
  for (const tree_poly& p : separating) sites.insert(p.position);
  c.discordant_sites = static_cast<int>(sites.size());
  c.discordant = c.discordant_sites >= policy.discordant_at;
}

comparison compare(const profile& a, const profile& b, const phylotree& tree, const score_policy& policy) {
  policy.validate();
  comparison c = compare(a, b, policy.compare);
  classify_options options;
  options.hits = 1;
  options.details = false;
  const classification ca = classify(a, tree, options);
  const classification cb = classify(b, tree, options);
  score(c, ca, cb, tree, policy);
  return c;
}

}  // namespace mtmatch
