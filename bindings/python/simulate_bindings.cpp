// Python view of the simulator: options, the streaming writer, founders, ground-truth site changes and
// haplotype sharing. The facade mtmatch.simulate(out, *, seed=…, martyrs=…, …) lives in __init__.py.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "mtmatch/simulate.hpp"

namespace py = pybind11;

namespace mtmatch::python {
namespace {

py::dict summary_dict(const simulation_summary& s) {
  py::dict d;
  d["martyrs"] = s.martyrs;
  d["remains"] = s.remains;
  d["remains_unregistered"] = s.remains_unregistered;
  d["remains_without_family"] = s.remains_without_family;
  d["families_sampled"] = s.families_sampled;
  d["families_sampled_no_remains"] = s.families_sampled_no_remains;
  d["relatives_listed"] = s.relatives_listed;
  d["relative_profiles"] = s.relative_profiles;
  d["nonmaternal_profiles"] = s.nonmaternal_profiles;
  return d;
}

py::dict sharing_dict(const haplotype_sharing& s) {
  py::dict d;
  d["profiles"] = s.profiles;
  d["haplotypes"] = s.haplotypes;
  d["unique_profiles"] = s.unique_profiles;
  d["unique_share"] = s.unique_share;
  d["largest_group"] = s.largest_group;
  d["random_match_probability"] = s.random_match_probability;
  d["haplotype_diversity"] = s.haplotype_diversity;
  if (s.subsample > 0) {
    d["subsample"] = s.subsample;
    d["subsample_random_match_probability"] = s.subsample_random_match_probability;
    d["subsample_haplotypes"] = s.subsample_haplotypes;
  }
  return d;
}

}  // namespace

void bind_simulate(py::module_& m) {
  py::class_<coverage_mix>(m, "CoverageMix", "Shares of HVS-I, HVS-I+II, control-region and mitogenome samples.")
      .def(py::init<double, double, double, double>(), py::arg("hvs1") = 0.0, py::arg("hvs1_hvs2") = 0.0,
           py::arg("control_region") = 0.0, py::arg("mitogenome") = 0.0)
      .def_readwrite("hvs1", &coverage_mix::hvs1)
      .def_readwrite("hvs1_hvs2", &coverage_mix::hvs1_hvs2)
      .def_readwrite("control_region", &coverage_mix::control_region)
      .def_readwrite("mitogenome", &coverage_mix::mitogenome);

  py::class_<simulate_options> options(m, "SimulateOptions",
                                       "Everything the simulator can be told (see include/mtmatch/simulate.hpp).");
  options.def(py::init<>())
      .def_readwrite("seed", &simulate_options::seed)
      .def_readwrite("martyrs", &simulate_options::martyrs)
      .def_property(
          "population", [](const simulate_options& o) { return o.population ? o.population->name : std::string(); },
          [](simulate_options& o, const std::string& path) {
            if (path.empty()) {
              o.population.reset();
            } else {
              o.population = population_table::load(path);
            }
          },
          "Path of a population table (TSV); '' = the bundled Vietnamese composite.")
      .def("validate", &simulate_options::validate);
#define MTMATCH_OPTION(name) options.def_readwrite(#name, &simulate_options::name)
  MTMATCH_OPTION(private_mutations);
  MTMATCH_OPTION(control_region_boost);
  MTMATCH_OPTION(founder_heteroplasmy);
  MTMATCH_OPTION(hidden_kinship);
  MTMATCH_OPTION(mutation_rate);
  MTMATCH_OPTION(new_heteroplasmy_share);
  MTMATCH_OPTION(heteroplasmy_persistence);
  MTMATCH_OPTION(length_change_rate);
  MTMATCH_OPTION(transition_odds);
  MTMATCH_OPTION(remains_share);
  MTMATCH_OPTION(unregistered_remains);
  MTMATCH_OPTION(family_sampled);
  MTMATCH_OPTION(extra_samples);
  MTMATCH_OPTION(nonmaternal_sampled);
  MTMATCH_OPTION(unsampled_listed);
  MTMATCH_OPTION(women_share);
  MTMATCH_OPTION(remains_coverage);
  MTMATCH_OPTION(relative_coverage);
  MTMATCH_OPTION(missing_stretches);
  MTMATCH_OPTION(artefacts);
  MTMATCH_OPTION(notation_variety);
  MTMATCH_OPTION(provinces);
  MTMATCH_OPTION(shuffle_window);
#undef MTMATCH_OPTION

  m.def("_simulate_to_directory",
        [](const simulate_options& o, const std::string& out, const std::string& province) {
          std::vector<profile> genomes;
          std::function<void(const simulated_family&)> collect;
          if (!province.empty()) {
            collect = [&](const simulated_family& f) {
              if (f.home_province == province) genomes.push_back(f.genome);
            };
          }
          simulation_summary s;
          {
            py::gil_scoped_release release;
            s = simulate_to_directory(o, out, collect);
          }
          return py::make_tuple(summary_dict(s), genomes);
        },
        py::arg("options"), py::arg("out"), py::arg("province") = "",
        "Write a simulated set into `out`; returns (summary, true genomes of the martyrs of `province`).");

  m.def("_simulate_founders",
        [](const simulate_options& o, std::size_t n, std::uint64_t stream) {
          const simulator sim(o);
          std::vector<simulated_founder> founders;
          {
            py::gil_scoped_release release;
            founders = sim.founders(n, stream);
          }
          const phylotree& tree = phylotree17();
          py::list out;
          for (const auto& f : founders) {
            profile p;
            p.variants = f.variants;
            py::dict d;
            d["row"] = sim.population().rows[f.row].haplogroup;
            d["haplogroup"] = tree.name(f.haplogroup);
            d["variants"] = p.canonical();
            out.append(d);
          }
          return out;
        },
        py::arg("options"), py::arg("n"), py::arg("stream") = 0,
        "n fresh founders: dicts with the population row, the PhyloTree node and canonical variants.");

  m.def("population_table",
        [](const std::string& path) {
          const population_table t = path.empty() ? population_table::vietnam() : population_table::load(path);
          py::list out;
          for (const auto& row : t.rows) {
            py::dict d;
            d["haplogroup"] = row.haplogroup;
            d["percent"] = row.percent;
            d["draw"] = row.whole_clade ? "subtree" : "node";
            d["class"] = row.group;
            d["published"] = row.published;
            out.append(d);
          }
          return out;
        },
        py::arg("path") = "", "Rows of a population table (default: the bundled Vietnamese composite).");

  py::class_<site_change>(m, "SiteChange", "A ground-truth change: martyr's (or true) state -> relative's (or observed).")
      .def_readonly("position", &site_change::position)
      .def_readonly("insertion_count", &site_change::insertion_count)
      .def_readonly("before", &site_change::from)
      .def_readonly("after", &site_change::to)
      .def_property_readonly("kind", [](const site_change& c) { return to_string(c.expected); },
                             "What compare() makes of it: 'difference', 'heteroplasmy_compatible', 'length_variant'.")
      .def("visible_in", [](const site_change& c, const std::string& r) { return c.visible_in(range::parse(r)); },
           py::arg("range"), "True when compare() can see it in a profile covering `range`.")
      .def("__str__", &site_change::to_string)
      .def("__repr__", [](const site_change& c) { return "SiteChange('" + c.to_string() + "')"; });
  m.def("parse_site_changes", [](const std::string& text) { return parse_site_changes(text); }, py::arg("text"),
        "Parse a truth-file list such as '16311:T>C=d 309.ins:1>2=l'.");

  m.def("measure_sharing",
        [](const std::vector<profile>& profiles, const std::string& over, bool ignore_length_variants,
           std::size_t subsample) {
          return sharing_dict(measure_sharing(profiles, range::parse(over), ignore_length_variants, subsample));
        },
        py::arg("profiles"), py::arg("range"), py::kw_only(), py::arg("ignore_length_variants") = true,
        py::arg("subsample") = 0,
        "Haplotype sharing over a range: unique share, largest identical group, random-match probability,\n"
        "diversity; with subsample=m also the expected figures for a random study of m profiles.");
}

}  // namespace mtmatch::python
