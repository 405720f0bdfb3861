// Python view of the haplogroup tree, classification and the haplogroup-aware score: Tree,
// Classification, _classify/_classify_best, and compare(a, b, tree).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "mtmatch/classify.hpp"
#include "mtmatch/score.hpp"

namespace py = pybind11;

namespace mtmatch::python {
namespace {

// pybind11 holds the tree through a non-const shared_ptr; the tree itself is immutable.
using tree_ptr = std::shared_ptr<phylotree>;
tree_ptr held(std::shared_ptr<const phylotree> t) { return std::const_pointer_cast<phylotree>(std::move(t)); }

node_id node_of(const phylotree& t, const std::string& name) { return t.at(name); }

std::vector<std::string> poly_texts(std::span<const tree_poly> polys) {
  std::vector<std::string> out;
  out.reserve(polys.size());
  for (const auto& p : polys) out.push_back(p.to_string());
  return out;
}

// Adds a read-only property to a class bound in another file (Comparison lives in profile_bindings).
template <class T, class F>
void add_property(py::handle cls, const char* name, F&& getter, const char* doc) {
  py::object property = py::module_::import("builtins").attr("property");
  py::setattr(cls, name, property(py::cpp_function(std::forward<F>(getter)), py::none(), py::none(), doc));
}

}  // namespace

void bind_tree(py::module_& m) {
  py::class_<phylotree, tree_ptr>(m, "Tree",
                                  "A haplogroup tree (PhyloTree 17 or its forensic update), rooted at mt-MRCA.\n"
                                  "Haplogroups are addressed by name, e.g. tree.parent('H2a2a1') == 'H2a2a'.")
      .def_static("phylotree17", [] { return held(phylotree17_shared()); }, "PhyloTree Build 17 (phylotree-rcrs@17.3), embedded.")
      .def_static("forensic_update", [] { return held(phylotree17_fu_shared()); },
                  "PhyloTree 17 forensic update 1.2 (Dür et al. 2021), embedded.")
      .def_static(
          "load",
          [](const std::string& xml, const std::string& weights, const std::string& hotspots, int occurrence_column,
             bool fix_basal_names, const std::string& name) {
            phylotree_options options;
            options.occurrence_column = occurrence_column;
            options.fix_basal_names = fix_basal_names;
            options.name = name;
            return held(phylotree::load(xml, weights, hotspots, options));
          },
          py::arg("xml"), py::arg("weights"), py::arg("hotspots"), py::kw_only(), py::arg("occurrence_column") = 0,
          py::arg("fix_basal_names") = true, py::arg("name") = "",
          "Load a HaploGrep tree.xml, weights.txt and hotspot list (occurrence_column 0 = detect: 3 or 6).")
      .def_property_readonly("name", &phylotree::tree_name)
      .def_property_readonly("root", [](const phylotree& t) { return t.name(t.root()); })
      .def_property_readonly("rcrs_haplogroup", [](const phylotree& t) { return t.name(t.rcrs_node()); })
      .def_property_readonly("max_occurrences", &phylotree::max_occurrences)
      .def("__len__", &phylotree::size)
      .def("__contains__", [](const phylotree& t, const std::string& name) { return t.find(name) != no_node; })
      .def("names", [](const phylotree& t) {
        std::vector<std::string> out;
        for (node_id n = 0; n < t.size(); ++n) out.push_back(t.name(n));
        return out;
      }, "All haplogroup names, in pre-order from mt-MRCA.")
      .def("parent", [](const phylotree& t, const std::string& name) -> py::object {
        const node_id p = t.parent(node_of(t, name));
        return p == no_node ? py::object(py::none()) : py::object(py::str(t.name(p)));
      }, py::arg("name"))
      .def("children", [](const phylotree& t, const std::string& name) {
        std::vector<std::string> out;
        for (node_id c : t.children(node_of(t, name))) out.push_back(t.name(c));
        return out;
      }, py::arg("name"))
      .def("depth", [](const phylotree& t, const std::string& name) { return t.depth(node_of(t, name)); }, py::arg("name"))
      .def("lca", [](const phylotree& t, const std::string& a, const std::string& b) {
        return t.name(t.lca(node_of(t, a), node_of(t, b)));
      }, py::arg("a"), py::arg("b"), "Deepest common ancestor of two haplogroups.")
      .def("is_ancestor", [](const phylotree& t, const std::string& a, const std::string& b) {
        return t.is_ancestor(node_of(t, a), node_of(t, b));
      }, py::arg("ancestor"), py::arg("node"), "True when `ancestor` is `node` or above it.")
      .def("expected", [](const phylotree& t, const std::string& name) { return poly_texts(t.expected(node_of(t, name))); },
           py::arg("name"), "The haplogroup's expected polys against the rCRS, canonical form, sorted.")
      .def("expected_profile", [](const phylotree& t, const std::string& name) {
        profile p;
        p.id = name;
        p.variants = t.expected_variants(node_of(t, name));
        return p;
      }, py::arg("name"), "The haplogroup's expected profile as a whole-genome Profile.")
      .def("branch", [](const phylotree& t, const std::string& name) { return t.branch_string(node_of(t, name)); },
           py::arg("name"), "Mutations from the parent, e.g. tree.branch('H') == '2706A 7028C'.")
      .def("weight", [](const phylotree& t, const std::string& poly) { return t.weight(tree_poly::parse(poly)); },
           py::arg("poly"), "HaploGrep's weight of a poly (1 = fastest … 10; 0 when not in the tree's file).")
      .def("occurrences", [](const phylotree& t, const std::string& poly) { return t.occurrences(tree_poly::parse(poly)); },
           py::arg("poly"), "How often the poly arises independently in the tree.")
      .def("stability_weight", [](const phylotree& t, const std::string& poly) { return stability_weight(tree_poly::parse(poly), t); },
           py::arg("poly"), "Weight 0-10 of a difference in the poly (score.hpp).")
      .def("is_hotspot", [](const phylotree& t, const std::string& poly) { return t.is_hotspot(tree_poly::parse(poly)); },
           py::arg("poly"))
      .def_property_readonly("hotspots", [](const phylotree& t) { return poly_texts(t.hotspots()); })
      .def("__repr__", [](const phylotree& t) {
        return "Tree('" + t.tree_name() + "', " + std::to_string(t.size()) + " haplogroups)";
      });

  py::class_<classification>(m, "Classification", "The haplogroup of one profile, HaploGrep style.")
      .def_readonly("id", &classification::id)
      .def_readonly("haplogroup", &classification::name)
      .def_readonly("quality", &classification::quality, "Kulczynski measure 0-1 (HaploGrep's Quality)")
      .def_readonly("runner_up", &classification::runner_up_name)
      .def_readonly("runner_up_quality", &classification::runner_up_quality)
      .def_property_readonly("hits", [](const classification& c) {
        std::vector<std::pair<std::string, double>> out;
        for (const auto& h : c.hits) out.emplace_back(h.name, h.quality);
        return out;
      }, "(haplogroup, quality) best first")
      .def_readonly("ties", &classification::ties, "haplogroups sharing the best quality")
      .def_readonly("common_ancestor", &classification::common_ancestor_name,
                    "deepest common ancestor of the haplogroups sharing the best quality")
      .def_property_readonly("range", [](const classification& c) { return c.coverage.to_string(); })
      .def_property_readonly("found", [](const classification& c) { return poly_texts(c.found); })
      .def_property_readonly("not_found", [](const classification& c) { return poly_texts(c.not_found); })
      .def_property_readonly("remaining", [](const classification& c) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& r : c.remaining) out.emplace_back(r.poly.to_string(), to_string(r.kind));
        return out;
      }, "(poly, 'hotspot' | 'localPrivateMutation' | 'globalPrivateMutation')")
      .def("__repr__", [](const classification& c) {
        return "Classification(id='" + c.id + "', haplogroup='" + c.name + "', quality=" + std::to_string(c.quality) + ")";
      });

  m.def("_classify",
        [](const std::vector<profile>& profiles, const tree_ptr& tree, int hits, bool details, unsigned threads) {
          classify_options options;
          options.hits = hits;
          options.details = details;
          options.threads = threads;
          options.validate();
          py::gil_scoped_release release;
          return classify(profiles, *tree, options);
        },
        py::arg("profiles"), py::arg("tree"), py::arg("hits"), py::arg("details"), py::arg("threads"));

  m.def("_classify_best",
        [](const std::vector<profile>& profiles, const tree_ptr& tree, unsigned threads) {
          std::vector<node_id> best(profiles.size());
          py::array_t<double> quality(static_cast<py::ssize_t>(profiles.size()));
          {
            std::span<double> q(quality.mutable_data(), profiles.size());
            py::gil_scoped_release release;
            classify_best(profiles, *tree, best, q, threads);
          }
          std::vector<std::string> names;
          names.reserve(best.size());
          for (node_id n : best) names.push_back(tree->name(n));
          return py::make_tuple(names, quality);
        },
        py::arg("profiles"), py::arg("tree"), py::arg("threads"));

  // compare(a, b, tree): the plain comparison plus the haplogroup-aware fields.
  m.def("compare",
        [](const profile& a, const profile& b, const tree_ptr& tree, double diagnostic_weight, int discordant_at,
           bool ignore_length_variants, bool pattern_match_heteroplasmy, int inconclusive_at, int exclusion_at) {
          score_policy policy;
          policy.compare = {ignore_length_variants, pattern_match_heteroplasmy, inconclusive_at, exclusion_at};
          policy.diagnostic_weight = diagnostic_weight;
          policy.discordant_at = discordant_at;
          policy.validate();
          return compare(a, b, *tree, policy);
        },
        py::arg("a"), py::arg("b"), py::arg("tree"), py::kw_only(), py::arg("diagnostic_weight") = 5.0,
        py::arg("discordant_at") = 1, py::arg("ignore_length_variants") = true, py::arg("pattern_match_heteroplasmy") = true,
        py::arg("inconclusive_at") = 1, py::arg("exclusion_at") = 2,
        "Comparison with a tree: also weighted_differences, haplogroup_a/b and discordant (score.hpp).");

  const py::handle comparison_type = py::type::of<comparison>();
  add_property<comparison>(comparison_type, "weighted_differences", [](const comparison& c) { return c.weighted_differences; },
                           "Σ w/10 over the counted differences (0 without a tree)");
  add_property<comparison>(comparison_type, "haplogroup_a", [](const comparison& c) { return c.haplogroup_a; }, "best haplogroup of a");
  add_property<comparison>(comparison_type, "haplogroup_b", [](const comparison& c) { return c.haplogroup_b; }, "best haplogroup of b");
  add_property<comparison>(comparison_type, "discordant", [](const comparison& c) { return c.discordant; },
                           "the haplogroups sit on different branches at a stable site in the common range");
  add_property<comparison>(comparison_type, "discordant_sites", [](const comparison& c) { return c.discordant_sites; },
                           "number of such sites");
}

}  // namespace mtmatch::python
