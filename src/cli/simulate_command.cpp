// `mtmatch simulate --seed N --martyrs N --out DIR`: a simulated national registry — remains and
// relatives' profiles, registry CSVs and the ground truth kept apart in DIR/truth.
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "mtmatch/simulate.hpp"

namespace mtmatch::cli {
namespace {

void print_sharing(const char* label, const haplotype_sharing& s) {
  std::cout << "  " << std::left << std::setw(12) << label << std::right << " profiles " << s.profiles
            << ", haplotypes " << s.haplotypes << ", unique " << std::fixed << std::setprecision(1)
            << 100.0 * s.unique_share << " %, largest group " << s.largest_group << ", RMP "
            << std::setprecision(3) << 100.0 * s.random_match_probability << " %, diversity "
            << std::setprecision(4) << s.haplotype_diversity;
  if (s.subsample > 0) {
    std::cout << "; in " << s.subsample << " of them: " << std::setprecision(1) << s.subsample_haplotypes
              << " haplotypes, RMP " << std::setprecision(3) << 100.0 * s.subsample_random_match_probability << " %";
  }
  std::cout << '\n';
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  struct options {
    simulate_options sim;
    std::string out;
    std::string population;
    std::string sharing_province;
  };
  auto opt = std::make_shared<options>();
  auto* cmd = app.add_subcommand("simulate", "Simulate martyrs, families, remains and relatives' profiles (seeded)");
  cmd->add_option("--out", opt->out, "Output directory (created); the ground truth goes to OUT/truth")->required();
  cmd->add_option("--seed", opt->sim.seed, "Random seed: the same seed and options give byte-identical files")
      ->capture_default_str();
  cmd->add_option("--martyrs", opt->sim.martyrs, "Martyrs in the registry (one family each)")->capture_default_str();
  cmd->add_option("--population", opt->population,
                  "Founder haplogroup table (TSV as data/populations/vietnam.tsv); default: the bundled one");
  cmd->add_option("--mutation-rate", opt->sim.mutation_rate,
                  "New point mutations per transmission, whole molecule (incl. new heteroplasmies)")
      ->capture_default_str();
  cmd->add_option("--private-mutations", opt->sim.private_mutations,
                  "Mean private mutations of a founder below its PhyloTree node")->capture_default_str();
  cmd->add_option("--control-region-boost", opt->sim.control_region_boost,
                  "Rate multiplier of control-region sites")->capture_default_str();
  cmd->add_option("--hidden-kinship", opt->sim.hidden_kinship,
                  "Share of founders that are unrecorded distant maternal kin of another founder")->capture_default_str();
  cmd->add_option("--remains-share", opt->sim.remains_share, "Share of martyrs whose remains are in the set")
      ->capture_default_str();
  cmd->add_option("--family-sampled", opt->sim.family_sampled, "Share of families that gave samples")
      ->capture_default_str();
  cmd->add_option("--extra-samples", opt->sim.extra_samples, "Mean samples per sampled family beyond the first")
      ->capture_default_str();
  cmd->add_option("--artefacts", opt->sim.artefacts, "Share of remains samples with a sequencing artefact")
      ->capture_default_str();
  cmd->add_option("--notation-variety", opt->sim.notation_variety,
                  "Share of profiles written in a non-canonical equivalent notation")->capture_default_str();
  cmd->add_option("--provinces", opt->sim.provinces, "Number of home provinces")->capture_default_str();
  cmd->add_option("--sharing-province", opt->sharing_province,
                  "Also report haplotype sharing among the martyrs of this province (e.g. P01)");
  cmd->callback([opt] {
    if (!opt->population.empty()) opt->sim.population = population_table::load(opt->population);
    std::vector<profile> province;
    std::function<void(const simulated_family&)> collect;
    if (!opt->sharing_province.empty()) {
      collect = [&](const simulated_family& f) {
        if (f.home_province == opt->sharing_province) province.push_back(f.genome);
      };
    }
    const auto start = std::chrono::steady_clock::now();
    const simulation_summary s = simulate_to_directory(opt->sim, opt->out, collect);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "martyrs                " << s.martyrs << '\n'
              << "remains                " << s.remains << " (" << s.remains_unregistered
              << " of people not in the registry, " << s.remains_without_family
              << " of martyrs with no sampled maternal relative)\n"
              << "families sampled       " << s.families_sampled << " (" << s.families_sampled_no_remains
              << " whose remains are not in the set)\n"
              << "relatives listed       " << s.relatives_listed << '\n'
              << "relative profiles      " << s.relative_profiles << " (" << s.nonmaternal_profiles
              << " non-maternal: never to be used)\n"
              << "written to             " << opt->out << " (ground truth in " << opt->out << "/truth) in "
              << std::fixed << std::setprecision(1) << seconds << " s\n";
    if (!opt->sharing_province.empty()) {
      std::cout << "haplotype sharing among the martyrs of " << opt->sharing_province << " (true genomes):\n";
      print_sharing("HVS-I", measure_sharing(province, coverage_range(coverage_class::hvs1), true, 173));
      print_sharing("HVS-I/II", measure_sharing(province, coverage_range(coverage_class::hvs1_hvs2), true, 173));
      print_sharing("CR", measure_sharing(province, coverage_range(coverage_class::control_region), true, 173));
      print_sharing("mitogenome", measure_sharing(province, range::whole(), true, 173));
    }
  });
}

}  // namespace mtmatch::cli
