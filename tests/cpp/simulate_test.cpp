#include "mtmatch/simulate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "mtmatch/compare.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/phylotree.hpp"
#include "mtmatch/profile_io.hpp"

namespace {

using namespace mtmatch;

// --- helpers ------------------------------------------------------------------------------------------

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, sep)) out.push_back(field);
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Options that exercise every mechanism often: many pedigree mutations, length changes, missing
// stretches and artefacts.
simulate_options busy_options(std::uint64_t seed, std::int64_t martyrs) {
  simulate_options o;
  o.seed = seed;
  o.martyrs = martyrs;
  o.mutation_rate = 0.6;
  o.length_change_rate = 0.3;
  o.missing_stretches = 0.5;
  o.artefacts = 0.5;
  o.founder_heteroplasmy = 0.4;
  o.family_sampled = 1.0;
  o.extra_samples = 3.0;
  o.nonmaternal_sampled = 0.3;
  return o;
}

// What compare() must report for a profile `seen` against the true genome it is compared with: the
// recorded changes visible in `seen`'s range, by kind.
struct expected_view {
  std::multiset<std::int32_t> counted;
  std::multiset<std::int32_t> compatible;
  std::vector<std::int32_t> length_anchors;
};

expected_view expect(std::span<const site_change> changes, const range& coverage) {
  expected_view e;
  for (const auto& c : changes) {
    if (!c.visible_in(coverage)) continue;
    switch (c.expected) {
      case site_difference::kind::difference: e.counted.insert(c.position); break;
      case site_difference::kind::heteroplasmy_compatible: e.compatible.insert(c.position); break;
      case site_difference::kind::length_variant: e.length_anchors.push_back(c.position); break;
    }
  }
  return e;
}

// Pairs each expected position with a reported one at most `slack` away (closest first); true when
// all pair up. compare() names an event by the first position of its aligned stretch, which the
// canonical form may shift: `748A` beside `750G` is canonically `747.1A 751d`, reported at 747.
bool same_sites(std::multiset<std::int32_t> reported, const std::multiset<std::int32_t>& expected, std::int32_t slack) {
  if (reported.size() != expected.size()) return false;
  for (std::int32_t e : expected) {
    auto best = reported.end();
    for (auto it = reported.begin(); it != reported.end(); ++it) {
      if (std::abs(*it - e) <= slack && (best == reported.end() || std::abs(*it - e) < std::abs(*best - e))) best = it;
    }
    if (best == reported.end()) return false;
    reported.erase(best);
  }
  return true;
}

std::string text_of(const std::multiset<std::int32_t>& s) {
  std::string out;
  for (auto p : s) out += std::to_string(p) + ' ';
  return out;
}

// compare(truth, seen) sees exactly the recorded changes: as many counted differences, heteroplasmy-
// compatible sites and length variants as recorded, each at (or, after re-alignment, beside) its site.
void check_seen(const profile& truth, const profile& seen, std::span<const site_change> changes, const std::string& what) {
  const comparison c = compare(truth, seen);
  const expected_view e = expect(changes, seen.coverage);
  std::multiset<std::int32_t> counted;
  for (const auto& d : c.differing) counted.insert(d.position);
  std::multiset<std::int32_t> compatible;
  std::multiset<std::int32_t> lengths;
  for (const auto& d : c.ignored) {
    if (d.what == site_difference::kind::heteroplasmy_compatible) compatible.insert(d.position);
    if (d.what == site_difference::kind::length_variant) lengths.insert(d.position);
  }
  const std::multiset<std::int32_t> expected_lengths(e.length_anchors.begin(), e.length_anchors.end());
  const std::string context = what + " " + seen.id + " [" + to_string(changes) + "] range " + seen.coverage.to_string() +
                              "\n  truth " + truth.canonical() + "\n  seen  " + seen.canonical();
  EXPECT_EQ(c.differences, static_cast<int>(e.counted.size())) << context;
  EXPECT_TRUE(same_sites(counted, e.counted, 6)) << text_of(counted) << "vs " << text_of(e.counted) << context;
  EXPECT_TRUE(same_sites(compatible, e.compatible, 6)) << text_of(compatible) << "vs " << text_of(e.compatible) << context;
  // A length event is named by the first position of its C-tract.
  EXPECT_TRUE(same_sites(lengths, expected_lengths, 12)) << text_of(lengths) << "vs " << text_of(expected_lengths) << context;
}

// --- population table ----------------------------------------------------------------------------------

TEST(SimulatePopulation, EmbeddedTableIsTheDataFile) {
  const std::string file = read_text_file(std::string(MTMATCH_DATA_DIR) + "/populations/vietnam.tsv");
  EXPECT_EQ(population_table::vietnam_text(), file);
  EXPECT_EQ(population_table::vietnam(), population_table::parse(file, "vietnam.tsv"));
}

TEST(SimulatePopulation, TableSumsTo100AndNamesPhyloTreeNodes) {
  const population_table& t = population_table::vietnam();
  ASSERT_GT(t.rows.size(), 20u);
  double total = 0;
  std::map<std::string, double> groups;
  for (const auto& row : t.rows) {
    total += row.percent;
    groups[row.group] += row.percent;
    EXPECT_NE(phylotree17().find(row.haplogroup), no_node) << row.haplogroup;
  }
  EXPECT_NEAR(total, 100.0, 1e-9);
  // The class totals are DOMAIN.md §6's composite prior.
  EXPECT_NEAR(groups["F1"], 21.0, 1e-9);
  EXPECT_NEAR(groups["B5"], 11.0, 1e-9);
  EXPECT_NEAR(groups["B4"], 10.0, 1e-9);
  EXPECT_NEAR(groups["M7"], 12.0, 1e-9);
  EXPECT_NEAR(groups["other M"], 12.0, 1e-9);
  EXPECT_NEAR(groups["D4/D5"], 7.0, 1e-9);
}

TEST(SimulatePopulation, BadTablesAreLocatedErrors) {
  try {
    (void)population_table::parse("# c\nF1a\t60\nB5a\tforty\n", "t.tsv");
    FAIL() << "expected an error";
  } catch (const error& e) {
    EXPECT_EQ(e.where().file, "t.tsv");
    EXPECT_EQ(e.where().line, 3u);
    EXPECT_EQ(e.where().column, 5u);
    EXPECT_EQ(e.where().token, "forty");
  }
  EXPECT_THROW((void)population_table::parse("F1a\t60\nB5a\t30\n"), error);          // sums to 90
  EXPECT_THROW((void)population_table::parse("F1a\t60\tsometimes\nB5a\t40\n"), error);  // bad draw
  EXPECT_THROW((void)population_table::parse("F1a\t60\nF1a\t40\n"), error);          // twice
  simulate_options o;
  o.population = population_table::parse("F1a\t60\nNotAHaplogroup\t40\n", "x.tsv");
  try {
    simulator s(o);
    FAIL() << "expected an error";
  } catch (const error& e) {
    EXPECT_EQ(e.where().file, "x.tsv");
    EXPECT_EQ(e.where().line, 2u);
    EXPECT_EQ(e.where().token, "NotAHaplogroup");
  }
}

// --- founders -------------------------------------------------------------------------------------------

TEST(SimulateFounders, HaplogroupFrequenciesMatchTheTable) {
  simulate_options o;
  o.seed = 11;
  const simulator sim(o);
  const population_table& t = sim.population();
  const phylotree& tree = phylotree17();
  const std::size_t n = 20000;
  const std::vector<simulated_founder> founders = sim.founders(n);
  ASSERT_EQ(founders.size(), n);

  std::vector<node_id> roots;
  for (const auto& row : t.rows) roots.push_back(tree.at(row.haplogroup));
  std::vector<double> observed(t.rows.size(), 0);
  for (const auto& f : founders) {
    ASSERT_LT(f.row, t.rows.size());
    observed[f.row] += 1;
    // Oracle: the deepest row root above the node is the founder's row (whole-clade rows), or the
    // node is the row's node itself.
    if (!t.rows[f.row].whole_clade) {
      EXPECT_EQ(f.haplogroup, roots[f.row]);
      continue;
    }
    std::size_t deepest = t.rows.size();
    for (std::size_t r = 0; r < roots.size(); ++r) {
      if (t.rows[r].whole_clade && tree.is_ancestor(roots[r], f.haplogroup) &&
          (deepest == t.rows.size() || tree.depth(roots[r]) > tree.depth(roots[deepest]))) {
        deepest = r;
      }
    }
    EXPECT_EQ(deepest, f.row) << tree.name(f.haplogroup);
  }
  // Pearson chi-square against the table; critical value at alpha = 0.001 by Wilson-Hilferty.
  double chi2 = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const double expected = static_cast<double>(n) * t.rows[r].percent / 100.0;
    chi2 += (observed[r] - expected) * (observed[r] - expected) / expected;
    // Each class also within 5 binomial standard deviations.
    const double sd = std::sqrt(expected * (1 - t.rows[r].percent / 100.0));
    EXPECT_NEAR(observed[r], expected, 5 * sd + 1) << t.rows[r].haplogroup;
  }
  const double df = static_cast<double>(t.rows.size() - 1);
  const double z = 3.090;  // one-sided 0.999 quantile of N(0, 1)
  const double critical = df * std::pow(1 - 2 / (9 * df) + z * std::sqrt(2 / (9 * df)), 3);
  EXPECT_LT(chi2, critical) << "chi-square " << chi2 << " on " << df << " df";
}

TEST(SimulateFounders, AreCanonicalAndCarryTheirHaplogroupMotif) {
  simulate_options o;
  o.seed = 5;
  const simulator sim(o);
  const phylotree& tree = phylotree17();
  std::size_t with_315 = 0;
  std::size_t motif_kept = 0;
  std::size_t motif_total = 0;
  const auto founders = sim.founders(500, 3);
  for (const auto& f : founders) {
    EXPECT_EQ(canonicalize(range::whole(), f.variants), f.variants);
    for (const auto& v : f.variants) {
      if (v.position == 315 && v.kind == variant_kind::insertion) ++with_315;
    }
    // Coding-region substitutions of the node survive (private mutations rarely hit them).
    for (const variant& e : tree.expected_variants(f.haplogroup)) {
      if (e.kind != variant_kind::substitution || e.position < 600 || e.position > 16000) continue;
      ++motif_total;
      motif_kept += std::count(f.variants.begin(), f.variants.end(), e) > 0 ? 1 : 0;
    }
  }
  EXPECT_GT(motif_total, 1000u);
  EXPECT_GT(static_cast<double>(motif_kept) / static_cast<double>(motif_total), 0.99);
  EXPECT_NEAR(static_cast<double>(with_315) / 500.0, 0.96, 0.05);
}

TEST(SimulateFounders, FastSitesDominateTheRates) {
  const simulator sim(simulate_options{});
  std::vector<double> rates;
  for (std::int32_t p = 1; p <= 16569; ++p) rates.push_back(sim.site_rate(p));
  std::vector<double> sorted = rates;
  std::nth_element(sorted.begin(), sorted.begin() + 8000, sorted.end());
  const double median = sorted[8000];
  for (std::int32_t fast : {16519, 152, 16311, 146, 195, 16189, 16093}) {
    EXPECT_GT(sim.site_rate(fast), 20 * median) << fast;
  }
  EXPECT_GT(sim.site_rate(16519), sim.site_rate(16311));  // Soares 2009: the fastest site of all
  EXPECT_EQ(sim.site_rate(3107), 0.0);
  for (std::int32_t p : {303, 310, 16184, 16193, 523, 570, 8285}) EXPECT_EQ(sim.site_rate(p), 0.0) << p;
  // The control-region boost: two sites the tree never saw, one in the CR and one in the coding region.
  const phylotree& tree = phylotree17();
  std::int32_t cr = 0;
  std::int32_t coding = 0;
  for (std::int32_t p = 16030; p < 16500 && cr == 0; ++p) {
    if (tree.site_occurrences(p) == 0 && sim.site_rate(p) > 0) cr = p;
  }
  for (std::int32_t p = 2000; p < 3000 && coding == 0; ++p) {
    if (tree.site_occurrences(p) == 0) coding = p;
  }
  ASSERT_NE(cr, 0);
  ASSERT_NE(coding, 0);
  EXPECT_DOUBLE_EQ(sim.site_rate(cr), sim.options().control_region_boost * sim.site_rate(coding));
}

// --- families --------------------------------------------------------------------------------------------

TEST(SimulateFamilies, TransmissionsFollowTheMaternalLine) {
  EXPECT_EQ(transmissions(relationship::mother), 1);
  EXPECT_EQ(transmissions(relationship::maternal_grandmother), 2);
  EXPECT_EQ(transmissions(relationship::sibling), 2);
  EXPECT_EQ(transmissions(relationship::mother_sibling), 3);
  EXPECT_EQ(transmissions(relationship::mother_sister_child), 4);
  EXPECT_EQ(transmissions(relationship::sister_child), 3);
  EXPECT_EQ(transmissions(relationship::child_of_woman_martyr), 1);
  for (auto r : {relationship::father, relationship::father_sibling, relationship::brother_child,
                 relationship::mother_brother_child, relationship::child_of_man_martyr}) {
    EXPECT_FALSE(is_maternal(r)) << to_string(r);
  }
}

TEST(SimulateFamilies, CompareSeesExactlyTheRecordedMutationsAndArtefacts) {
  simulator sim(busy_options(21, 250));
  std::size_t relatives_checked = 0;
  std::size_t remains_checked = 0;
  std::size_t counted_seen = 0;
  std::size_t compatible_seen = 0;
  std::size_t length_seen = 0;
  std::size_t nonmaternal = 0;
  std::map<int, std::pair<double, double>> by_k;  // k -> (sum of point differences, relatives)
  while (sim.has_next()) {
    const simulated_family fam = sim.next_family();
    ASSERT_EQ(canonicalize(range::whole(), fam.genome.variants), fam.genome.variants)
        << fam.martyr_id << "\n" << profile{"", range::whole(), canonicalize(range::whole(), fam.genome.variants), ""}.canonical()
        << "\n" << fam.genome.canonical();
    for (const auto& rel : fam.relatives) {
      if (!is_maternal(rel.relation)) {
        EXPECT_TRUE(rel.differences.empty());
        if (rel.sample) ++nonmaternal;
        continue;
      }
      EXPECT_EQ(rel.haplogroup, fam.haplogroup);
      auto& k = by_k[transmissions(rel.relation)];
      for (const auto& d : rel.differences) k.first += d.insertion_count ? 0 : 1;
      k.second += 1;
      if (!rel.sample) continue;
      const simulated_sample& s = *rel.sample;
      ASSERT_EQ(canonicalize(s.observed.coverage, s.observed.variants), s.observed.variants) << s.hsd_line;
      std::vector<site_change> all = rel.differences;
      all.insert(all.end(), s.artefacts.begin(), s.artefacts.end());
      check_seen(fam.genome, s.observed, all, "relative");
      const expected_view e = expect(all, s.observed.coverage);
      counted_seen += e.counted.size();
      compatible_seen += e.compatible.size();
      length_seen += e.length_anchors.size();
      ++relatives_checked;
    }
    for (const auto& rem : fam.remains) {
      ASSERT_EQ(canonicalize(rem.sample.observed.coverage, rem.sample.observed.variants), rem.sample.observed.variants);
      if (rem.martyr_id.empty()) continue;
      EXPECT_EQ(rem.martyr_id, fam.martyr_id);
      check_seen(fam.genome, rem.sample.observed, rem.sample.artefacts, "remains");
      counted_seen += expect(rem.sample.artefacts, rem.sample.observed.coverage).counted.size();
      ++remains_checked;
    }
  }
  // The busy options really exercised every kind of change.
  EXPECT_GT(relatives_checked, 500u);
  EXPECT_GT(remains_checked, 100u);
  EXPECT_GT(counted_seen, 100u);
  EXPECT_GT(compatible_seen, 50u);
  EXPECT_GT(length_seen, 50u);
  EXPECT_GT(nonmaternal, 20u);
  // More transmissions, more differences.
  const double per_k1 = by_k[1].first / by_k[1].second;
  const double per_k4 = by_k[4].first / by_k[4].second;
  EXPECT_GT(per_k4, 2 * per_k1) << per_k1 << " vs " << per_k4;
}

TEST(SimulateFamilies, WrittenLinesParseToTheObservedProfile) {
  simulate_options o = busy_options(8, 150);
  o.notation_variety = 1.0;
  simulator sim(o);
  std::size_t lines = 0;
  std::size_t non_canonical = 0;
  while (sim.has_next()) {
    const simulated_family fam = sim.next_family();
    std::vector<const simulated_sample*> samples;
    for (const auto& rel : fam.relatives) {
      if (rel.sample) samples.push_back(&*rel.sample);
    }
    for (const auto& rem : fam.remains) samples.push_back(&rem.sample);
    for (const simulated_sample* s : samples) {
      const profile_file f = parse_hsd(s->hsd_line + "\n", "line.hsd");
      ASSERT_TRUE(f.ok()) << f.errors.front().what() << "\n" << s->hsd_line;
      ASSERT_EQ(f.profiles.size(), 1u);
      EXPECT_EQ(f.profiles[0].id, s->observed.id);
      EXPECT_EQ(f.profiles[0].coverage, s->observed.coverage) << s->hsd_line;
      EXPECT_EQ(f.profiles[0].variants, s->observed.variants) << s->hsd_line << "\n" << s->observed.canonical();
      std::ostringstream canonical;
      write_hsd(canonical, std::span<const profile>(&s->observed, 1));
      if (lines_of(canonical.str()).back() != s->hsd_line) ++non_canonical;
      ++lines;
    }
  }
  EXPECT_GT(lines, 300u);
  EXPECT_GT(non_canonical, lines / 2);  // the variety is real
}

TEST(SimulateFamilies, SameSeedSameFamiliesOtherSeedOthers) {
  simulator a(busy_options(3, 30));
  simulator b(busy_options(3, 30));
  simulator c(busy_options(4, 30));
  bool any_differs = false;
  while (a.has_next()) {
    const simulated_family fa = a.next_family();
    const simulated_family fb = b.next_family();
    const simulated_family fc = c.next_family();
    EXPECT_EQ(fa.genome, fb.genome);
    ASSERT_EQ(fa.relatives.size(), fb.relatives.size());
    for (std::size_t i = 0; i < fa.relatives.size(); ++i) {
      EXPECT_EQ(fa.relatives[i].differences, fb.relatives[i].differences);
      EXPECT_EQ(fa.relatives[i].sample.has_value(), fb.relatives[i].sample.has_value());
      if (fa.relatives[i].sample) {
        EXPECT_EQ(fa.relatives[i].sample->hsd_line, fb.relatives[i].sample->hsd_line);
      }
    }
    any_differs = any_differs || !(fa.genome == fc.genome);
  }
  EXPECT_TRUE(any_differs);
  EXPECT_THROW((void)a.next_family(), error);
}

// --- files ----------------------------------------------------------------------------------------------

struct written {
  std::ostringstream remains_hsd, relatives_hsd, martyrs_csv, remains_csv, relatives_csv, truth_remains, truth_relatives,
      truth_martyrs, truth_families;
  simulation_streams streams() {
    return {&remains_hsd, &relatives_hsd, &martyrs_csv, &remains_csv, &relatives_csv,
            &truth_remains, &truth_relatives, &truth_martyrs, &truth_families};
  }
};

TEST(SimulateFiles, SameSeedGivesByteIdenticalFiles) {
  simulate_options o;
  o.seed = 99;
  o.martyrs = 120;
  written a, b, c;
  (void)simulate(o, a.streams());
  (void)simulate(o, b.streams());
  o.seed = 100;
  (void)simulate(o, c.streams());
  EXPECT_EQ(a.remains_hsd.str(), b.remains_hsd.str());
  EXPECT_EQ(a.relatives_hsd.str(), b.relatives_hsd.str());
  EXPECT_EQ(a.relatives_csv.str(), b.relatives_csv.str());
  EXPECT_EQ(a.truth_relatives.str(), b.truth_relatives.str());
  EXPECT_EQ(a.truth_martyrs.str(), b.truth_martyrs.str());
  EXPECT_NE(a.truth_martyrs.str(), c.truth_martyrs.str());
}

TEST(SimulateFiles, NotationVarietyChangesTheTextNeverTheProfiles) {
  simulate_options o;
  o.seed = 31;
  o.martyrs = 150;
  o.missing_stretches = 0.5;
  o.notation_variety = 0.0;
  written plain;
  (void)simulate(o, plain.streams());
  o.notation_variety = 1.0;
  written varied;
  (void)simulate(o, varied.streams());
  EXPECT_NE(plain.remains_hsd.str(), varied.remains_hsd.str());
  EXPECT_NE(plain.relatives_hsd.str(), varied.relatives_hsd.str());
  for (auto member : {&written::remains_hsd, &written::relatives_hsd}) {
    const profile_file a = parse_hsd((plain.*member).str(), "plain.hsd");
    const profile_file b = parse_hsd((varied.*member).str(), "varied.hsd");
    ASSERT_TRUE(a.ok()) << a.errors.front().what();
    ASSERT_TRUE(b.ok()) << b.errors.front().what();
    ASSERT_EQ(a.profiles.size(), b.profiles.size());
    for (std::size_t i = 0; i < a.profiles.size(); ++i) EXPECT_EQ(a.profiles[i], b.profiles[i]) << a.profiles[i].id;
  }
  EXPECT_EQ(plain.truth_relatives.str(), varied.truth_relatives.str());
}

TEST(SimulateFiles, OutputsParseAndAgreeWithEachOtherAndTheTruth) {
  simulate_options o;
  o.seed = 2024;
  o.martyrs = 400;
  o.shuffle_window = 64;
  written w;
  const simulation_summary s = simulate(o, w.streams());
  EXPECT_EQ(s.martyrs, 400);

  // The project's own parser reads every profile file without a single error.
  const profile_file remains = parse_hsd(w.remains_hsd.str(), "remains.hsd");
  const profile_file relatives = parse_hsd(w.relatives_hsd.str(), "relatives.hsd");
  const profile_file truth = parse_hsd(w.truth_martyrs.str(), "truth/martyrs.hsd");
  ASSERT_TRUE(remains.ok()) << remains.errors.front().what();
  ASSERT_TRUE(relatives.ok()) << relatives.errors.front().what();
  ASSERT_TRUE(truth.ok()) << truth.errors.front().what();
  EXPECT_EQ(static_cast<std::int64_t>(remains.profiles.size()), s.remains);
  EXPECT_EQ(static_cast<std::int64_t>(relatives.profiles.size()), s.relative_profiles);
  EXPECT_EQ(static_cast<std::int64_t>(truth.profiles.size()), s.martyrs);

  // Registry rows match the profiles; the truth is consistent with the registry.
  const auto martyr_rows = lines_of(w.martyrs_csv.str());
  const auto remains_rows = lines_of(w.remains_csv.str());
  const auto relative_rows = lines_of(w.relatives_csv.str());
  const auto truth_remains_rows = lines_of(w.truth_remains.str());
  const auto truth_relative_rows = lines_of(w.truth_relatives.str());
  EXPECT_EQ(static_cast<std::int64_t>(martyr_rows.size()) - 1, s.martyrs);
  EXPECT_EQ(static_cast<std::int64_t>(remains_rows.size()) - 1, s.remains);
  EXPECT_EQ(static_cast<std::int64_t>(relative_rows.size()) - 1, s.relatives_listed);
  EXPECT_EQ(static_cast<std::int64_t>(truth_remains_rows.size()) - 1, s.remains);
  EXPECT_EQ(static_cast<std::int64_t>(truth_relative_rows.size()) - 1, s.relative_profiles);

  std::set<std::string> remains_ids;
  for (const auto& p : remains.profiles) remains_ids.insert(p.id);
  std::set<std::string> registry_remains;
  for (std::size_t i = 1; i < remains_rows.size(); ++i) registry_remains.insert(split(remains_rows[i], ',')[0]);
  EXPECT_EQ(remains_ids, registry_remains);

  std::map<std::string, profile> martyr_genome;
  for (const auto& p : truth.profiles) martyr_genome[p.id] = p;
  std::map<std::string, const profile*> relative_profile;
  for (const auto& p : relatives.profiles) relative_profile[p.id] = &p;
  std::map<std::string, const profile*> remains_profile;
  for (const auto& p : remains.profiles) remains_profile[p.id] = &p;

  // Relatives: registry says maternal / k, the truth lists the differences compare() must see.
  std::map<std::string, std::vector<std::string>> registry;
  for (std::size_t i = 1; i < relative_rows.size(); ++i) {
    auto f = split(relative_rows[i], ',');
    ASSERT_EQ(f.size(), 11u) << relative_rows[i];
    registry[f[0]] = f;
  }
  std::size_t maternal_checked = 0;
  for (std::size_t i = 1; i < truth_relative_rows.size(); ++i) {
    auto f = split(truth_relative_rows[i], ',');
    ASSERT_EQ(f.size(), 7u) << truth_relative_rows[i];
    const auto& reg = registry.at(f[0]);
    EXPECT_EQ(reg[9], f[0]) << "sampled relatives carry their sample id";
    ASSERT_TRUE(relative_profile.count(f[0]));
    if (reg[4] == "0") {
      EXPECT_EQ(reg[3], "");
      continue;
    }
    std::vector<site_change> all = parse_site_changes(f[5]);
    const auto artefacts = parse_site_changes(f[6]);
    all.insert(all.end(), artefacts.begin(), artefacts.end());
    check_seen(martyr_genome.at(f[1]), *relative_profile.at(f[0]), all, "relative (files)");
    ++maternal_checked;
  }
  EXPECT_GT(maternal_checked, 200u);

  // Remains of martyrs differ from the martyr's genome by their recorded artefacts only.
  std::size_t unregistered = 0;
  for (std::size_t i = 1; i < truth_remains_rows.size(); ++i) {
    auto f = split(truth_remains_rows[i], ',');
    ASSERT_EQ(f.size(), 4u);
    if (f[1].empty()) {
      ++unregistered;
      continue;
    }
    check_seen(martyr_genome.at(f[1]), *remains_profile.at(f[0]), parse_site_changes(f[3]), "remains (files)");
  }
  EXPECT_EQ(static_cast<std::int64_t>(unregistered), s.remains_unregistered);
  EXPECT_GT(s.remains_without_family, 0);
  EXPECT_GT(s.families_sampled_no_remains, 0);

  // File order does not follow martyr order: remains IDs are opaque and shuffled.
  std::size_t in_order = 0;
  std::string previous;
  for (std::size_t i = 1; i < truth_remains_rows.size(); ++i) {
    const std::string m = split(truth_remains_rows[i], ',')[1];
    if (!m.empty() && !previous.empty() && m > previous) ++in_order;
    if (!m.empty()) previous = m;
  }
  EXPECT_LT(static_cast<double>(in_order), 0.7 * static_cast<double>(truth_remains_rows.size()));
}

TEST(SimulateFiles, DirectoryLayoutAndUnwritablePath) {
  const auto dir = std::filesystem::temp_directory_path() / ("mtmatch_sim_test_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  simulate_options o;
  o.martyrs = 20;
  const simulation_summary s = simulate_to_directory(o, dir.string());
  for (const char* name : {"remains.hsd", "relatives.hsd", "martyrs.csv", "remains.csv", "relatives.csv",
                           "truth/remains.csv", "truth/relatives.csv", "truth/martyrs.hsd", "truth/families.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / name)) << name;
  }
  EXPECT_EQ(read_hsd((dir / "truth" / "martyrs.hsd").string()).profiles.size(), static_cast<std::size_t>(s.martyrs));
  std::filesystem::remove_all(dir);
  try {
    (void)simulate_to_directory(o, "/proc/mtmatch-cannot-write-here");
    FAIL() << "expected an error";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("mtmatch-cannot-write-here"), std::string::npos) << e.what();
  }
}

// --- the bundled example ------------------------------------------------------------------------------------

TEST(SimulateExample, BundledExampleParsesAndMatchesItsTruth) {
  const std::string dir = std::string(MTMATCH_DATA_DIR) + "/example/";
  const profile_file remains = read_hsd(dir + "remains.hsd");
  const profile_file relatives = read_hsd(dir + "relatives.hsd");
  const profile_file truth = read_hsd(dir + "truth/martyrs.hsd");
  ASSERT_TRUE(remains.ok()) << remains.errors.front().what();
  ASSERT_TRUE(relatives.ok()) << relatives.errors.front().what();
  ASSERT_TRUE(truth.ok()) << truth.errors.front().what();
  EXPECT_EQ(truth.profiles.size(), 300u);
  std::map<std::string, profile> martyr;
  for (const auto& p : truth.profiles) martyr[p.id] = p;
  std::map<std::string, profile> seen;
  for (const auto& p : relatives.profiles) seen[p.id] = p;
  for (const auto& p : remains.profiles) seen[p.id] = p;
  std::size_t checked = 0;
  for (const char* name : {"truth/relatives.csv", "truth/remains.csv"}) {
    const auto rows = lines_of(read_text_file(dir + name));
    const bool is_relatives = std::string(name) == "truth/relatives.csv";
    for (std::size_t i = 1; i < rows.size(); ++i) {
      const auto f = split(rows[i], ',');
      if (f[1].empty() || (is_relatives && f[3].empty())) continue;  // unregistered / non-maternal
      std::vector<site_change> all = parse_site_changes(is_relatives ? f[5] : "");
      const auto artefacts = parse_site_changes(is_relatives ? f[6] : f[3]);
      all.insert(all.end(), artefacts.begin(), artefacts.end());
      check_seen(martyr.at(f[1]), seen.at(f[0]), all, name);
      ++checked;
    }
  }
  EXPECT_GT(checked, 450u);

  // The README's command still makes the same registry and truth (notation aside, which also depends
  // on rewrite.hpp). On failure: regenerate with the command in data/example/README.md.
  simulate_options o;
  o.seed = 2024;
  o.martyrs = 300;
  written w;
  (void)simulate(o, w.streams());
  EXPECT_EQ(w.martyrs_csv.str(), read_text_file(dir + "martyrs.csv"));
  EXPECT_EQ(w.relatives_csv.str(), read_text_file(dir + "relatives.csv"));
  EXPECT_EQ(w.remains_csv.str(), read_text_file(dir + "remains.csv"));
  EXPECT_EQ(w.truth_families.str(), read_text_file(dir + "truth/families.csv"));
  EXPECT_EQ(w.truth_relatives.str(), read_text_file(dir + "truth/relatives.csv"));
}

// --- options and ground-truth text ------------------------------------------------------------------------

TEST(SimulateOptions, ValidateNamesTheBadOption) {
  simulate_options o;
  o.remains_share = 1.5;
  try {
    o.validate();
    FAIL();
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("remains_share"), std::string::npos);
  }
  o = simulate_options{};
  o.martyrs = -1;
  EXPECT_THROW(o.validate(), error);
  o = simulate_options{};
  o.relative_coverage = coverage_mix{};
  EXPECT_THROW(o.validate(), error);
}

TEST(SimulateTruth, SiteChangesRoundTrip) {
  for (const char* text : {"16311:T>C=d", "16093:C>Y=h", "309.ins:1>2=l", "73:A>G=d"}) {
    EXPECT_EQ(site_change::parse(text).to_string(), text);
  }
  const auto list = parse_site_changes("16311:T>C=d  309.ins:0>1=l");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[1].insertion_count);
  EXPECT_EQ(to_string(list), "16311:T>C=d 309.ins:0>1=l");
  EXPECT_TRUE(parse_site_changes("").empty());
  try {
    (void)site_change::parse("16311:T>C=x", source_location{"truth.csv", 4, 9, ""});
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.where().token, "16311:T>C=x");
    EXPECT_EQ(e.where().line, 4u);
  }
  EXPECT_TRUE(site_change::parse("309.ins:0>1=l").visible_in(range::parse("16024-576")));
  EXPECT_FALSE(site_change::parse("309.ins:0>1=l").visible_in(range::parse("16024-16365")));
}

// --- haplotype sharing --------------------------------------------------------------------------------------

TEST(SimulateSharing, MatchesANaivePairwiseCount) {
  simulate_options o;
  o.seed = 17;
  o.martyrs = 300;
  o.private_mutations = 0.5;  // plenty of shared haplotypes
  simulator sim(o);
  std::vector<profile> genomes;
  while (sim.has_next()) genomes.push_back(sim.next_family().genome);
  const range hvs = coverage_range(coverage_class::hvs1_hvs2);
  // Length variants counted: identity is then plain sequence identity over the range.
  const haplotype_sharing s = measure_sharing(genomes, hvs, false);

  // Oracle: haplotype identity by compare() over the range (literal heteroplasmy, length variants
  // counted: no difference at all), pairwise.
  std::vector<profile> cut;
  for (const auto& g : genomes) {
    profile p = g;
    p.coverage = hvs;
    p.variants.clear();
    for (const auto& v : g.variants) {
      const bool in = v.kind == variant_kind::substitution ? hvs.contains(v.position)
                      : v.kind == variant_kind::deletion   ? hvs.contains_all(v.position, v.last())
                                                           : hvs.contains_insertion(v.position);
      if (in) {
        p.variants.push_back(v);
      }
    }
    cut.push_back(std::move(p));
  }
  compare_policy literal;
  literal.pattern_match_heteroplasmy = false;
  literal.ignore_length_variants = false;
  const std::size_t n = cut.size();
  double pairs = 0;
  std::size_t unique = 0;
  std::size_t largest = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t same = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const comparison c = compare(cut[i], cut[j], literal);
      if (c.differences == 0 && c.ignored.empty()) ++same;
    }
    pairs += static_cast<double>(same);
    if (same == 1) ++unique;
    largest = std::max(largest, same);
  }
  EXPECT_EQ(s.profiles, n);
  EXPECT_EQ(s.unique_profiles, unique);
  EXPECT_EQ(s.largest_group, largest);
  EXPECT_NEAR(s.random_match_probability, pairs / static_cast<double>(n * n), 1e-12);
  EXPECT_GT(s.largest_group, 3u);
}

TEST(SimulateSharing, SubsampleExpectationsAreExact) {
  // Six profiles, haplotypes a a a b b c; all 20 subsets of 3 enumerated.
  std::vector<profile> ps;
  for (const char* v : {"16223T", "16223T", "16223T", "16189C", "16189C", "16311C"}) {
    ps.push_back(profile::parse(v, "16024-16365"));
  }
  const haplotype_sharing s = measure_sharing(ps, range::parse("16024-16365"), true, 3);
  const int type[6] = {0, 0, 0, 1, 1, 2};
  double rmp = 0;
  double types = 0;
  int subsets = 0;
  for (int a = 0; a < 6; ++a) {
    for (int b = a + 1; b < 6; ++b) {
      for (int c = b + 1; c < 6; ++c) {
        int count[3] = {0, 0, 0};
        ++count[type[a]];
        ++count[type[b]];
        ++count[type[c]];
        double sq = 0;
        int distinct = 0;
        for (int k : count) {
          sq += (k / 3.0) * (k / 3.0);
          distinct += k > 0 ? 1 : 0;
        }
        rmp += sq;
        types += distinct;
        ++subsets;
      }
    }
  }
  EXPECT_EQ(subsets, 20);
  EXPECT_NEAR(s.subsample_random_match_probability, rmp / 20, 1e-12);
  EXPECT_NEAR(s.subsample_haplotypes, types / 20, 1e-12);
  EXPECT_NEAR(s.random_match_probability, (9.0 + 4.0 + 1.0) / 36.0, 1e-12);
  EXPECT_EQ(s.unique_profiles, 1u);
  EXPECT_EQ(s.largest_group, 3u);
}

}  // namespace
