// `mtmatch compare "VARIANTS_A" "VARIANTS_B"`: the reference comparison of two profiles.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "json_writer.hpp"
#include "mtmatch/compare.hpp"

namespace mtmatch::cli {
namespace {

void write_sites(json_writer& json, const std::vector<site_difference>& sites) {
  json.begin_array();
  for (const auto& d : sites) {
    json.begin_object();
    json.field("position", d.position);
    json.field("a", d.a);
    json.field("b", d.b);
    json.field("kind", to_string(d.what));
    json.end_object();
  }
  json.end_array();
}

}  // namespace

void add_compare_command(CLI::App& app) {
  struct options {
    std::string a, b;
    std::string range_a = "1-16569", range_b = "1-16569";
    bool json = false;
    bool count_length = false;
    bool literal = false;
  };
  auto opt = std::make_shared<options>();
  auto* cmd = app.add_subcommand("compare", "Compare two profiles over the range both cover (forensic rules)");
  cmd->add_option("variants_a", opt->a, "Variants of profile A against the rCRS, e.g. \"16223T 73G 263G 315.1C\"")->required();
  cmd->add_option("variants_b", opt->b, "Variants of profile B")->required();
  cmd->add_option("--range-a", opt->range_a, "Range of A (default 1-16569), e.g. 16024-576")->capture_default_str();
  cmd->add_option("--range-b", opt->range_b, "Range of B")->capture_default_str();
  cmd->add_flag("--json", opt->json, "Write the result as JSON");
  cmd->add_flag("--count-length-variants", opt->count_length, "Count C-tract/AC-repeat length variants");
  cmd->add_flag("--literal-heteroplasmy", opt->literal, "A heteroplasmy matches only the same code");
  cmd->callback([opt] {
    profile a = profile::parse(opt->a, opt->range_a, "A");
    profile b = profile::parse(opt->b, opt->range_b, "B");
    compare_policy policy;
    policy.ignore_length_variants = !opt->count_length;
    policy.pattern_match_heteroplasmy = !opt->literal;
    comparison c = compare(a, b, policy);
    if (opt->json) {
      json_writer json(std::cout);
      json.begin_object();
      json.field("a", a.canonical());
      json.field("b", b.canonical());
      json.field("compared_range", a.coverage.intersect(b.coverage).to_string());
      json.field("compared_length", c.compared_length);
      json.field("differences", c.differences);
      json.field("verdict", to_string(c.verdict));
      json.key("differing");
      write_sites(json, c.differing);
      json.key("ignored");
      write_sites(json, c.ignored);
      json.end_object();
      std::cout << '\n';
      return;
    }
    std::cout << "A          " << a.canonical() << "  [" << a.coverage.to_string() << "]\n"
              << "B          " << b.canonical() << "  [" << b.coverage.to_string() << "]\n"
              << "compared   " << c.compared_length << " bp (" << a.coverage.intersect(b.coverage).to_string() << ")\n"
              << "differences " << c.differences << '\n';
    for (const auto& d : c.differing) {
      std::cout << "  " << d.position << "\tA: " << (d.a.empty() ? "rCRS" : d.a) << "\tB: " << (d.b.empty() ? "rCRS" : d.b) << '\n';
    }
    for (const auto& d : c.ignored) {
      std::cout << "  ignored " << d.position << "\tA: " << (d.a.empty() ? "rCRS" : d.a) << "\tB: "
                << (d.b.empty() ? "rCRS" : d.b) << "\t(" << to_string(d.what) << ")\n";
    }
    std::cout << "verdict    " << to_string(c.verdict) << '\n';
  });
}

}  // namespace mtmatch::cli
