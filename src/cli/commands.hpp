#pragma once
// Each subcommand of the `mtmatch` tool lives in its own file and registers itself on the app.

#include <CLI/CLI.hpp>

namespace mtmatch::cli {

void add_reference_command(CLI::App& app);
void add_normalize_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_classify_command(CLI::App& app);
void add_simulate_command(CLI::App& app);
void add_match_command(CLI::App& app);

}  // namespace mtmatch::cli
