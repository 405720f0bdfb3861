// `mtmatch normalize FILE`: canonical notation out (.hsd), every error to stderr with its location.
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "mtmatch/profile_io.hpp"
#include "mtmatch/vcf.hpp"

namespace mtmatch::cli {

void add_normalize_command(CLI::App& app) {
  struct options {
    std::string input;
    std::string output;
    bool strict = false;
    bool table = false;
  };
  auto opt = std::make_shared<options>();
  auto* cmd = app.add_subcommand("normalize",
                                 "Rewrite profiles (.hsd, VCF/BCF by extension, or CSV/TSV with --table) in canonical notation; errors go to "
                                 "stderr with file:line:column, bad records are left out and listed");
  cmd->add_option("file", opt->input, "Input profiles (.hsd; .vcf, .vcf.gz, .bcf: one profile per sample)")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", opt->output, "Output .hsd (default: standard output)");
  cmd->add_flag("--strict", opt->strict, "Stop at the first error");
  cmd->add_flag("--table", opt->table, "Input is a CSV/TSV table with columns id, range, variants");
  cmd->callback([opt] {
    read_options ro{.strict = opt->strict};
    profile_file file = read_profiles(opt->input, opt->table ? profile_format::table : profile_format::detect, ro);
    if (opt->output.empty()) {
      write_hsd(std::cout, file.profiles);
    } else {
      std::ofstream out(opt->output);
      if (!out) throw error(source_location{opt->output, 0, 0, ""}, "cannot write file");
      write_hsd(out, file.profiles);
    }
    for (const auto& e : file.errors) std::cerr << e.what() << '\n';
    std::cerr << file.profiles.size() << " of " << file.records << " records normalised";
    if (!file.rejected.empty()) std::cerr << ", " << file.rejected.size() << " rejected";
    std::cerr << '\n';
    if (!file.ok()) throw CLI::RuntimeError(1);
  });
}

}  // namespace mtmatch::cli
