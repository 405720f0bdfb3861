// `mtmatch match --remains R.hsd --relatives Q.hsd [--max-differences 2] [--top K] [-o matches.tsv]`
// (or `--relatives-store Q.mtm [--no-verify]`, a store saved by --save-store):
// every remains against every relative with the engine, the reported pairs scored against the tree
// (report.hpp), as TSV. Bad records go to stderr with file:line:column, like `mtmatch normalize`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "mtmatch/encode.hpp"
#include "mtmatch/profile_io.hpp"
#include "mtmatch/report.hpp"
#include "mtmatch/vcf.hpp"

namespace mtmatch::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// .csv/.tsv (or --table) are profile tables (profile_io.hpp); .vcf, .vcf.gz, .bcf are VCF/BCF
// (vcf.hpp: one profile per sample); anything else is HaploGrep .hsd.
profile_file read_side(const std::string& path, bool table, const read_options& ro) {
  if (table || ends_with(path, ".tsv")) return read_profiles(path, profile_format::table, ro);
  return read_profiles(path, profile_format::detect, ro);
}

// A one-line progress bar on stderr, redrawn at most ten times a second.
class progress_bar {
 public:
  explicit progress_bar(bool enabled) : enabled_(enabled) {}
  bool operator()(report_stage stage, std::uint64_t done, std::uint64_t total) {
    if (!enabled_) return true;
    const auto now = std::chrono::steady_clock::now();
    if (stage == stage_ && done < total && now - last_ < std::chrono::milliseconds(100)) return true;
    stage_ = stage;
    last_ = now;
    const double share = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    constexpr int width = 30;
    const int filled = static_cast<int>(share * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%-9s [%s] %5.1f%%", to_string(stage), bar.c_str(), 100.0 * share);
    std::fflush(stderr);
    drawn_ = true;
    return true;
  }
  void finish() {
    if (drawn_) std::fprintf(stderr, "\r%*s\r", 60, "");
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  report_stage stage_ = report_stage::score;
  std::chrono::steady_clock::time_point last_{};
};

void report_errors(const profile_file& file, const std::string& what) {
  for (const auto& e : file.errors) std::cerr << e.what() << '\n';
  if (!file.rejected.empty())
    std::cerr << what << ": " << file.profiles.size() << " of " << file.records << " records read, "
              << file.rejected.size() << " rejected\n";
}

}  // namespace

void add_match_command(CLI::App& app) {
  struct options {
    std::string remains;
    std::string relatives;
    std::string relatives_store;
    std::string save_store;
    std::string output;
    int max_differences = 2;
    std::size_t top = 0;
    bool counts = false;
    bool grouped = false;
    std::size_t threads = 0;
    std::string tree = "17";
    bool no_scores = false;
    bool strict = false;
    bool table = false;
    bool count_length = false;
    bool literal = false;
    bool quiet = false;
    bool no_verify = false;
  };
  auto opt = std::make_shared<options>();
  auto* cmd = app.add_subcommand(
      "match",
      "Match every remains profile against every relative profile: TSV with remains_id, relative_id, compared_length, "
      "differences, verdict, weighted_differences, haplogroup_a, haplogroup_b, discordant (exactly what "
      "`compare` and the tree say for each pair); bad records go to stderr with file:line:column");
  cmd->add_option("--remains", opt->remains, "Remains profiles (.hsd; .vcf, .vcf.gz, .bcf: one profile per sample; CSV/TSV table: .csv/.tsv or --table)")
      ->required()
      ->check(CLI::ExistingFile);
  auto* relatives = cmd->add_option("--relatives", opt->relatives, "Relatives' profiles (.hsd, VCF/BCF or CSV/TSV, as --remains)")
                        ->check(CLI::ExistingFile);
  auto* store = cmd->add_option("--relatives-store", opt->relatives_store,
                                "Relatives as an encoded store written by --save-store (instead of --relatives)")
                    ->check(CLI::ExistingFile);
  relatives->excludes(store);
  cmd->add_flag("--no-verify", opt->no_verify,
                "Load --relatives-store without reading its payload first (faster for a large store): the header, "
                "section table, dictionary and coverages are still checked, but not the payload checksum nor the "
                "indexes in the rows and lists, so bytes damaged on disk since the file was written go unnoticed "
                "and can give wrong matches or crash. Only for a store this program wrote and has loaded verified")
      ->needs(store);
  cmd->add_option("--save-store", opt->save_store,
                  "Also save the relatives, encoded, to this file (load it later with --relatives-store)")
      ->needs(relatives);
  cmd->add_option("-o,--output", opt->output, "Output TSV (default: standard output)");
  cmd->add_option("--max-differences", opt->max_differences,
                  "Report pairs with at most this many differences (-1: no threshold, needs --top)")
      ->check(CLI::Range(-1, 60000))
      ->capture_default_str();
  cmd->add_option("--top", opt->top,
                  "Keep the best K relatives per remains: fewest differences, then lowest weighted differences, "
                  "then longest compared length")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  cmd->add_flag("--counts", opt->counts,
                "Instead of pairs, count per remains the relatives with 0, 1, … max-differences differences");
  cmd->add_flag("--grouped", opt->grouped,
                "Threshold searches: hold and score each pair of distinct haplotypes once and write its member "
                "pairs as it goes (lines ordered by haplotype, not by input order); for outputs of many millions of "
                "lines");
  cmd->add_option("--threads", opt->threads, "Worker threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--tree", opt->tree, "Tree: 17 (PhyloTree 17) or 17-fu (forensic update 1.2)")
      ->check(CLI::IsMember({"17", "17-fu"}))
      ->capture_default_str();
  cmd->add_flag("--no-scores", opt->no_scores, "Leave out the haplogroup-aware columns (faster; top K by differences, length)");
  cmd->add_flag("--count-length-variants", opt->count_length, "Count C-tract/AC-repeat length variants");
  cmd->add_flag("--literal-heteroplasmy", opt->literal, "A heteroplasmy matches only the same code");
  cmd->add_flag("--strict", opt->strict, "Stop at the first bad record");
  cmd->add_flag("--table", opt->table, "Inputs are CSV/TSV tables with columns id, range, variants");
  cmd->add_flag("-q,--quiet", opt->quiet, "No progress bar and no summary on stderr");
  cmd->callback([opt] {
    if (opt->relatives.empty() && opt->relatives_store.empty())
      throw CLI::ValidationError("--relatives", "give --relatives or --relatives-store");
    if (opt->counts && opt->top != 0) throw CLI::ValidationError("--counts", "cannot be combined with --top");
    if (opt->grouped && (opt->counts || opt->top != 0))
      throw CLI::ValidationError("--grouped", "groups threshold searches; it cannot be combined with --top or --counts");
    if (opt->max_differences < 0 && opt->top == 0)
      throw CLI::ValidationError("--max-differences", "-1 (no threshold) needs --top");
    if (opt->max_differences < 0 && opt->counts) throw CLI::ValidationError("--counts", "needs --max-differences >= 0");
    const auto started = std::chrono::steady_clock::now();
    const read_options ro{.strict = opt->strict};

    report_options o;
    if (opt->max_differences >= 0) o.match.max_differences = opt->max_differences;
    else o.match.max_differences.reset();
    if (opt->top != 0) o.match.top_k = opt->top;
    o.match.counts_only = opt->counts;
    o.match.group_identical = opt->grouped;
    o.match.threads = opt->threads;
    o.match.policy.ignore_length_variants = !opt->count_length;
    o.match.policy.pattern_match_heteroplasmy = !opt->literal;
    o.scores = !opt->no_scores;
    o.tree = opt->tree == "17-fu" ? phylotree17_fu_shared() : phylotree17_shared();
    progress_bar bar(!opt->quiet && ::isatty(STDERR_FILENO) != 0);
    o.progress = [&bar](report_stage stage, std::uint64_t done, std::uint64_t total) { return bar(stage, done, total); };
    o.validate();

    const profile_file remains = read_side(opt->remains, opt->table, ro);
    report_errors(remains, opt->remains);
    bool ok = remains.ok();
    match_report result;
    std::size_t n_relatives = 0;
    if (opt->relatives_store.empty() && opt->save_store.empty()) {
      const profile_file rel = read_side(opt->relatives, opt->table, ro);
      report_errors(rel, opt->relatives);
      ok = ok && rel.ok();
      n_relatives = rel.profiles.size();
      result = report_matches(remains.profiles, rel.profiles, o);
    } else {
      // A store keeps its own dictionary: the remains' new variants extend it (same ids for the old).
      profile_store loaded;
      if (!opt->relatives_store.empty()) {
        loaded = profile_store::load(opt->relatives_store, load_options{.verify = !opt->no_verify});
      } else {
        const profile_file rel = read_side(opt->relatives, opt->table, ro);
        report_errors(rel, opt->relatives);
        ok = ok && rel.ok();
        const std::span<const profile> sets[] = {rel.profiles};
        loaded = profile_store(variant_dictionary::build(sets), rel.profiles);
        loaded.save(opt->save_store);
      }
      n_relatives = loaded.size();
      const std::span<const profile> sets[] = {remains.profiles};
      auto dictionary = variant_dictionary::extend(loaded.dictionary_ptr(), sets);
      const profile_store rel_store = dictionary == loaded.dictionary_ptr() ? std::move(loaded) : loaded.reencoded(dictionary);
      const profile_store rem_store(dictionary, remains.profiles);
      result = report_matches(rem_store, rel_store, o);
    }
    bar.finish();

    if (opt->output.empty()) {
      write_tsv(std::cout, result);
      std::cout.flush();
    } else {
      std::ofstream out(opt->output, std::ios::binary);
      if (!out) throw error(source_location{opt->output, 0, 0, ""}, "cannot write file");
      write_tsv(out, result);
      if (!out.flush()) throw error(source_location{opt->output, 0, 0, ""}, "cannot write file");
    }
    if (!opt->quiet) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "%zu remains x %zu relatives: %zu %s in %.2f s (%s kernels, %llu distinct pairs, %llu scored)\n",
                   remains.profiles.size(), n_relatives, opt->counts ? remains.profiles.size() : result.size(),
                   opt->counts ? "count rows" : "pairs", seconds, to_string(result.level),
                   static_cast<unsigned long long>(result.stats.distinct_pairs),
                   static_cast<unsigned long long>(result.scored_pairs));
    }
    if (!ok) throw CLI::RuntimeError(1);
  });
}

}  // namespace mtmatch::cli
