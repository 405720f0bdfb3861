// `mtmatch reference [FIRST-LAST]`: show the embedded rCRS, whole or a stretch of it.
#include <iostream>
#include <string>

#include "commands.hpp"
#include "mtmatch/error.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch::cli {

void add_reference_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("reference", "Show the embedded rCRS reference (whole summary, or bases FIRST-LAST)");
  auto stretch = std::make_shared<std::string>();
  cmd->add_option("stretch", *stretch, "1-based inclusive stretch, e.g. 16184-16193");
  cmd->callback([stretch] {
    const auto& ref = rcrs();
    if (stretch->empty()) {
      std::cout << "reference  " << ref.name() << " (rCRS)\n"
                << "length     " << ref.length() << " bp, circular, 1-based\n"
                << "3107       " << ref.base(3107) << " (placeholder, never compared)\n";
      return;
    }
    auto dash = stretch->find('-');
    if (dash == std::string::npos) throw error(source_location{"", 0, 0, *stretch}, "expected FIRST-LAST");
    int first = 0;
    int last = 0;
    try {
      first = std::stoi(stretch->substr(0, dash));
      last = std::stoi(stretch->substr(dash + 1));
    } catch (const std::exception&) {
      throw error(source_location{"", 0, 0, *stretch}, "expected FIRST-LAST with whole numbers");
    }
    std::cout << first << '-' << last << '\t' << ref.slice(first, last) << '\n';
  });
}

}  // namespace mtmatch::cli
