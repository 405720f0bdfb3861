// `mtmatch classify FILE [-o out.tsv]` (.hsd, VCF/BCF, CSV/TSV): HaploGrep-style haplogroups, one row per sample and rank.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "mtmatch/classify.hpp"
#include "mtmatch/profile_io.hpp"
#include "mtmatch/vcf.hpp"

namespace mtmatch::cli {
namespace {

// HaploGrep 3 quotes every field of its tab-separated output.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string join(const std::vector<tree_poly>& polys) {
  std::string out;
  for (const auto& p : polys) {
    if (!out.empty()) out += ' ';
    out += p.to_string();
  }
  return out;
}

std::string join(const std::vector<remaining_poly>& polys) {
  std::string out;
  for (const auto& p : polys) {
    if (!out.empty()) out += ' ';
    out += p.poly.to_string() + " (" + to_string(p.kind) + ")";
  }
  return out;
}

void write_table(std::ostream& out, const std::vector<classification>& results) {
  out << "\"SampleID\"\t\"Haplogroup\"\t\"Rank\"\t\"Quality\"\t\"Range\"\t\"Not_Found_Polys\"\t\"Found_Polys\"\t"
         "\"Remaining_Polys\"\t\"Ties\"\t\"Common_Ancestor\"\n";
  for (const classification& c : results) {
    for (std::size_t rank = 0; rank < c.hits.size(); ++rank) {
      std::ostringstream quality;
      quality << std::fixed << std::setprecision(4) << c.hits[rank].quality;
      const bool best = rank == 0;
      out << quoted(c.id) << '\t' << quoted(c.hits[rank].name) << '\t' << quoted(std::to_string(rank + 1)) << '\t'
          << quoted(quality.str()) << '\t' << quoted(c.coverage.to_string()) << '\t'
          << quoted(best ? join(c.not_found) : "") << '\t' << quoted(best ? join(c.found) : "") << '\t'
          << quoted(best ? join(c.remaining) : "") << '\t' << quoted(best ? std::to_string(c.ties) : "") << '\t'
          << quoted(best ? c.common_ancestor_name : "") << '\n';
    }
  }
}

}  // namespace

void add_classify_command(CLI::App& app) {
  struct options {
    std::string input;
    std::string output;
    std::string tree = "17";
    int hits = 1;
    unsigned threads = 0;
    bool strict = false;
    bool table = false;
  };
  auto opt = std::make_shared<options>();
  auto* cmd = app.add_subcommand(
      "classify",
      "Assign haplogroups as HaploGrep does (weighted Kulczynski on PhyloTree 17): SampleID, Haplogroup, Rank, "
      "Quality, Range, Not_Found_Polys, Found_Polys, Remaining_Polys; bad records go to stderr with file:line:column");
  cmd->add_option("file", opt->input, "Input profiles (.hsd; .vcf, .vcf.gz, .bcf: one profile per sample; CSV/TSV with --table)")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", opt->output, "Output TSV (default: standard output)");
  cmd->add_option("--tree", opt->tree, "Tree: 17 (PhyloTree 17, phylotree-rcrs@17.3) or 17-fu (forensic update 1.2)")
      ->check(CLI::IsMember({"17", "17-fu"}))
      ->capture_default_str();
  cmd->add_option("--hits", opt->hits, "Ranked haplogroups per sample")->check(CLI::Range(1, 100))->capture_default_str();
  cmd->add_option("--threads", opt->threads, "Worker threads (0 = all cores)")->capture_default_str();
  cmd->add_flag("--strict", opt->strict, "Stop at the first bad record");
  cmd->add_flag("--table", opt->table, "Input is a CSV/TSV table with columns id, range, variants");
  cmd->callback([opt] {
    read_options ro{.strict = opt->strict};
    profile_file file = read_profiles(opt->input, opt->table ? profile_format::table : profile_format::detect, ro);
    const phylotree& tree = opt->tree == "17-fu" ? phylotree17_fu() : phylotree17();
    classify_options co;
    co.hits = opt->hits;
    co.threads = opt->threads;
    const std::vector<classification> results = classify(file.profiles, tree, co);
    if (opt->output.empty()) {
      write_table(std::cout, results);
    } else {
      std::ofstream out(opt->output);
      if (!out) throw error(source_location{opt->output, 0, 0, ""}, "cannot write file");
      write_table(out, results);
    }
    for (const auto& e : file.errors) std::cerr << e.what() << '\n';
    std::cerr << results.size() << " of " << file.records << " records classified on " << tree.tree_name();
    if (!file.rejected.empty()) std::cerr << ", " << file.rejected.size() << " rejected";
    std::cerr << '\n';
    if (!file.ok()) throw CLI::RuntimeError(1);
  });
}

}  // namespace mtmatch::cli
