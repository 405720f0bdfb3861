// mtmatch: command-line front end of the library.
#include <exception>
#include <iostream>

#include "commands.hpp"
#include "mtmatch/mtmatch.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mtmatch: match mtDNA profiles of unidentified remains against maternal relatives"};
  app.set_version_flag("--version", std::string(mtmatch::version));
  app.require_subcommand(1);
  mtmatch::cli::add_reference_command(app);
  mtmatch::cli::add_normalize_command(app);
  mtmatch::cli::add_compare_command(app);
  mtmatch::cli::add_classify_command(app);
  mtmatch::cli::add_simulate_command(app);
  mtmatch::cli::add_match_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const mtmatch::error& e) {
    std::cerr << "mtmatch: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "mtmatch: internal error: " << e.what() << '\n';
    return 3;
  }
  return 0;
}
