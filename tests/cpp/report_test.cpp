// report_matches() against the reference compare(a, b, tree) on every pair: the pairs, every column,
// and the top-k order (differences, weighted differences, longer compared length, relative index).
#include "mtmatch/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "engine_fixtures.hpp"
#include "mtmatch/compare.hpp"
#include "mtmatch/error.hpp"
#include "mtmatch/profile_io.hpp"
#include "mtmatch/score.hpp"
#include "mtmatch/simulate.hpp"

namespace {

using mtmatch::profile;

struct dataset {
  std::vector<profile> remains;
  std::vector<profile> relatives;
};

// Simulated families (real haplogroups: discordant pairs, weights that differ among ties) at mixed
// coverages, with duplicated relatives so that tied haplotypes interleave by index.
dataset simulated_dataset(std::uint64_t seed, std::size_t n_remains, std::size_t n_relatives) {
  mtmatch::simulate_options o;
  o.seed = seed;
  o.martyrs = static_cast<std::int64_t>(n_remains * 3 + n_relatives);
  mtmatch::simulator sim(o);
  dataset d;
  while (sim.has_next() && (d.remains.size() < n_remains || d.relatives.size() < n_relatives)) {
    auto family = sim.next_family();
    for (auto& r : family.remains)
      if (d.remains.size() < n_remains) d.remains.push_back(std::move(r.sample.observed));
    for (auto& q : family.relatives)
      if (q.sample && d.relatives.size() < n_relatives) d.relatives.push_back(std::move(q.sample->observed));
  }
  const std::size_t n = d.relatives.size();
  for (std::size_t i = 0; i < n; i += 7) {
    profile copy = d.relatives[i];
    copy.id += "-dup";
    d.relatives.push_back(std::move(copy));
  }
  d.remains.push_back(d.remains.front());  // a duplicate within the remains
  return d;
}

dataset realistic_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  engine_fixtures::phylo_profiles gen(seed);
  dataset d;
  for (int i = 0; i < n_remains; ++i) d.remains.push_back(gen.individual("R" + std::to_string(i)));
  for (int i = 0; i < n_relatives; ++i) d.relatives.push_back(gen.individual("Q" + std::to_string(i)));
  return d;
}

// compare(a, b, tree) for every pair: the oracle.
std::vector<std::vector<mtmatch::comparison>> all_scored(const dataset& d, const mtmatch::score_policy& policy = {},
                                                        const mtmatch::phylotree& tree = mtmatch::phylotree17()) {
  std::vector<std::vector<mtmatch::comparison>> out(d.remains.size());
  for (std::size_t i = 0; i < d.remains.size(); ++i)
    for (const auto& q : d.relatives) out[i].push_back(mtmatch::compare(d.remains[i], q, tree, policy));
  return out;
}

struct row {
  std::uint32_t a, b;
  int d;
  std::int32_t length;
  mtmatch::verdict v;
  double w;
  std::string ha, hb;
  bool discordant;
  int sites;
  friend bool operator==(const row&, const row&) = default;
};

std::ostream& operator<<(std::ostream& os, const row& r) {
  return os << "(R" << r.a << ", Q" << r.b << ", d=" << r.d << ", len=" << r.length << ", " << mtmatch::to_string(r.v)
            << ", w=" << r.w << ", " << r.ha << "/" << r.hb << ", discordant=" << r.discordant << " sites=" << r.sites << ")";
}

row oracle_row(std::uint32_t a, std::uint32_t b, const mtmatch::comparison& c) {
  return {a, b, c.differences, c.compared_length, c.verdict, c.weighted_differences, c.haplogroup_a, c.haplogroup_b,
          c.discordant, c.discordant_sites};
}

std::vector<row> rows_of(const mtmatch::match_report& r) {
  std::vector<row> out;
  for (std::size_t i = 0; i < r.size(); ++i)
    out.push_back({r.remains[i], r.relative[i], r.differences[i], r.compared_length[i], r.verdicts[i],
                   r.weighted_differences[i], r.haplogroup_a(i), r.haplogroup_b(i), r.discordant[i] != 0,
                   r.discordant_sites[i]});
  return out;
}

// Brute force: the pairs within k (all overlapping pairs when unset), per remains in the report's
// order, cut to top.
std::vector<row> oracle(const std::vector<std::vector<mtmatch::comparison>>& all, std::optional<int> k,
                        std::optional<std::size_t> top) {
  std::vector<row> out;
  for (std::uint32_t i = 0; i < all.size(); ++i) {
    std::vector<row> cand;
    for (std::uint32_t j = 0; j < all[i].size(); ++j) {
      const auto& c = all[i][j];
      if (c.verdict == mtmatch::verdict::no_overlap || (k && c.differences > *k)) continue;
      cand.push_back(oracle_row(i, j, c));
    }
    if (top) {
      std::sort(cand.begin(), cand.end(), [](const row& x, const row& y) {
        return std::tuple(x.d, x.w, -x.length, x.b) < std::tuple(y.d, y.w, -y.length, y.b);
      });
      if (cand.size() > *top) cand.resize(*top);
    }
    out.insert(out.end(), cand.begin(), cand.end());
  }
  return out;
}

void expect_same(const std::vector<row>& got, const std::vector<row>& want, const std::string& what, const dataset& d) {
  if (got == want) return;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < std::max(got.size(), want.size()) && shown < 6; ++i) {
    if (i < got.size() && i < want.size() && got[i] == want[i]) continue;
    ++shown;
    std::ostringstream msg;
    msg << what << " row " << i << ": got ";
    if (i < got.size()) msg << got[i];
    else msg << "nothing";
    msg << "\n  want ";
    if (i < want.size()) {
      msg << want[i] << "\n  a: " << d.remains[want[i].a] << "\n  b: " << d.relatives[want[i].b];
    } else {
      msg << "nothing";
    }
    ADD_FAILURE() << msg.str();
  }
  ADD_FAILURE() << what << ": " << got.size() << " rows, want " << want.size();
}

TEST(Report, ThresholdEqualsScoredCompare) {
  for (const dataset& d : {simulated_dataset(2024, 70, 140), realistic_dataset(7, 60, 120)}) {
    const auto all = all_scored(d);
    for (int k : {0, 2, 5}) {
      for (std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
        mtmatch::report_options o;
        o.match.max_differences = k;
        o.match.threads = threads;
        const auto r = mtmatch::report_matches(d.remains, d.relatives, o);
        ASSERT_TRUE(r.scored);
        EXPECT_FALSE(r.cancelled);
        EXPECT_EQ(r.tree_name, mtmatch::phylotree17().tree_name());
        expect_same(rows_of(r), oracle(all, k, std::nullopt), "k=" + std::to_string(k) + " threads=" + std::to_string(threads), d);
      }
    }
  }
}

TEST(Report, TopKOrdersByWeightedDifferences) {
  const dataset d = simulated_dataset(77, 60, 150);
  const auto all = all_scored(d);
  // The test means something only when ties on differences are broken by the weights.
  std::size_t broken_ties = 0;
  for (const auto& per : all)
    for (std::size_t j = 1; j < per.size(); ++j)
      if (per[j].differences == per[j - 1].differences && per[j].differences > 0 &&
          per[j].weighted_differences != per[j - 1].weighted_differences)
        ++broken_ties;
  EXPECT_GT(broken_ties, 0U);
  for (std::optional<int> k : {std::optional<int>{}, std::optional<int>{2}, std::optional<int>{6}}) {
    for (std::size_t top : {std::size_t{1}, std::size_t{3}, std::size_t{8}}) {
      for (mtmatch::isa level : mtmatch::supported_isas()) {
        mtmatch::report_options o;
        o.match.max_differences = k;
        o.match.top_k = top;
        o.match.threads = 2;
        o.match.force_isa = level;
        const auto r = mtmatch::report_matches(d.remains, d.relatives, o);
        EXPECT_EQ(r.level, level);
        expect_same(rows_of(r), oracle(all, k, top),
                    "top " + std::to_string(top) + (k ? " k=" + std::to_string(*k) : " no threshold") + " " +
                        mtmatch::to_string(level),
                    d);
      }
    }
  }
}

TEST(Report, TopKOnRealisticProfilesSingleThread) {
  const dataset d = realistic_dataset(19, 50, 130);
  const auto all = all_scored(d);
  for (std::size_t top : {std::size_t{2}, std::size_t{5}}) {
    mtmatch::report_options o;
    o.match.max_differences = 4;
    o.match.top_k = top;
    o.match.threads = 1;
    expect_same(rows_of(mtmatch::report_matches(d.remains, d.relatives, o)), oracle(all, 4, top),
                "realistic top " + std::to_string(top), d);
  }
}

TEST(Report, OtherTreeAndPolicies) {
  const dataset d = simulated_dataset(5, 40, 80);
  mtmatch::score_policy sp;
  sp.compare.pattern_match_heteroplasmy = false;
  sp.compare.ignore_length_variants = false;
  sp.diagnostic_weight = 3.0;
  sp.discordant_at = 2;
  const auto& tree = mtmatch::phylotree17_fu();
  const auto all = all_scored(d, sp, tree);
  mtmatch::report_options o;
  o.match.max_differences = 3;
  o.match.policy = sp.compare;
  o.diagnostic_weight = sp.diagnostic_weight;
  o.discordant_at = sp.discordant_at;
  o.tree = mtmatch::phylotree17_fu_shared();
  const auto r = mtmatch::report_matches(d.remains, d.relatives, o);
  EXPECT_EQ(r.tree_name, tree.tree_name());
  expect_same(rows_of(r), oracle(all, 3, std::nullopt), "fu tree, literal, counted lengths", d);
  o.match.top_k = 4;
  expect_same(rows_of(mtmatch::report_matches(d.remains, d.relatives, o)), oracle(all, 3, 4), "fu tree top 4", d);
}

TEST(Report, StoresGiveTheSameReport) {
  const dataset d = simulated_dataset(31, 40, 90);
  mtmatch::report_options o;
  o.match.max_differences = 3;
  o.match.top_k = 4;
  const auto direct = mtmatch::report_matches(d.remains, d.relatives, o);
  // Relatives saved, loaded, and new remains matched against them (dictionary extended).
  const auto dir = std::filesystem::temp_directory_path() / ("mtmatch_report_test_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "relatives.mtm").string();
  {
    std::vector<std::span<const profile>> sets{std::span<const profile>(d.relatives)};
    auto dict = mtmatch::variant_dictionary::build(sets);
    mtmatch::profile_store(dict, d.relatives).save(path);
  }
  const auto loaded = mtmatch::profile_store::load(path);
  std::vector<std::span<const profile>> sets{std::span<const profile>(d.remains)};
  auto dict = mtmatch::variant_dictionary::extend(loaded.dictionary_ptr(), sets);
  const auto relatives = loaded.reencoded(dict);
  const mtmatch::profile_store remains(dict, d.remains);
  const auto stored = mtmatch::report_matches(remains, relatives, o);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(rows_of(stored), rows_of(direct));
  EXPECT_EQ(stored.remains_ids, direct.remains_ids);
  EXPECT_EQ(stored.relative_ids, direct.relative_ids);
  EXPECT_EQ(stored.remains_haplogroups, direct.remains_haplogroups);
  EXPECT_EQ(stored.relative_haplogroups, direct.relative_haplogroups);
}

TEST(Report, WithoutScoresIsTheEngine) {
  const dataset d = realistic_dataset(41, 60, 100);
  for (std::optional<std::size_t> top : {std::optional<std::size_t>{}, std::optional<std::size_t>{3}}) {
    mtmatch::report_options o;
    o.scores = false;
    o.match.max_differences = 2;
    o.match.top_k = top;
    const auto r = mtmatch::report_matches(d.remains, d.relatives, o);
    const auto m = mtmatch::match(d.remains, d.relatives, o.match);
    EXPECT_FALSE(r.scored);
    EXPECT_TRUE(r.weighted_differences.empty());
    EXPECT_EQ(r.remains, m.remains);
    EXPECT_EQ(r.relative, m.relative);
    EXPECT_EQ(r.differences, m.differences);
    EXPECT_EQ(r.compared_length, m.compared_length);
    EXPECT_EQ(r.verdicts, m.verdicts);
    EXPECT_EQ(r.haplogroup_a(0), "");
  }
  mtmatch::report_options o;
  o.match.max_differences = 2;
  o.match.counts_only = true;
  const auto r = mtmatch::report_matches(d.remains, d.relatives, o);
  EXPECT_EQ(r.counts, mtmatch::match(d.remains, d.relatives, o.match).counts);
  EXPECT_EQ(r.counts_width, 3U);
  EXPECT_FALSE(r.scored);
}

TEST(Report, ProgressStagesAndCancel) {
  const dataset d = realistic_dataset(51, 80, 150);
  std::vector<mtmatch::report_stage> seen;
  mtmatch::report_options o;
  o.match.threads = 2;
  o.progress = [&](mtmatch::report_stage stage, std::uint64_t done, std::uint64_t total) {
    EXPECT_LE(done, total);
    if (seen.empty() || seen.back() != stage) seen.push_back(stage);
    return true;
  };
  const auto r = mtmatch::report_matches(d.remains, d.relatives, o);
  EXPECT_FALSE(r.cancelled);
  EXPECT_EQ(seen, (std::vector<mtmatch::report_stage>{mtmatch::report_stage::classify, mtmatch::report_stage::match,
                                                      mtmatch::report_stage::score}));
  for (auto stop_at : {mtmatch::report_stage::classify, mtmatch::report_stage::match}) {
    o.progress = [&](mtmatch::report_stage stage, std::uint64_t, std::uint64_t) { return stage != stop_at; };
    EXPECT_TRUE(mtmatch::report_matches(d.remains, d.relatives, o).cancelled) << mtmatch::to_string(stop_at);
  }
}

// A grouped report stands for the ungrouped one: each row's member pairs carry the row's scores and
// haplogroups, equal to compare(a, b, tree) (the oracle); its TSV has the same lines.
TEST(Report, GroupedRowsStandForEveryMemberPair) {
  for (const dataset& d : {simulated_dataset(2025, 80, 160), realistic_dataset(8, 60, 120)}) {
    const auto all = all_scored(d);
    for (int k : {0, 3}) {
      mtmatch::report_options o;
      o.match.max_differences = k;
      o.match.group_identical = true;
      const auto g = mtmatch::report_matches(d.remains, d.relatives, o);
      ASSERT_TRUE(g.grouped);
      ASSERT_TRUE(g.scored);
      std::vector<row> expanded;
      for (std::size_t i = 0; i < g.size(); ++i) {
        if (i > 0) {
          EXPECT_TRUE(std::tie(g.remains[i - 1], g.relative[i - 1]) < std::tie(g.remains[i], g.relative[i]));
        }
        for (std::uint32_t a : g.remains_of(g.remains[i]))
          for (std::uint32_t b : g.relatives_of(g.relative[i]))
            expanded.push_back({a, b, g.differences[i], g.compared_length[i], g.verdicts[i], g.weighted_differences[i],
                                g.haplogroup_a(i), g.haplogroup_b(i), g.discordant[i] != 0, g.discordant_sites[i]});
      }
      std::sort(expanded.begin(), expanded.end(), [](const row& x, const row& y) { return std::tie(x.a, x.b) < std::tie(y.a, y.b); });
      EXPECT_EQ(g.profile_pairs, expanded.size());
      expect_same(expanded, oracle(all, k, std::nullopt), "grouped k=" + std::to_string(k), d);

      o.match.group_identical = false;
      const auto plain = mtmatch::report_matches(d.remains, d.relatives, o);
      EXPECT_LE(g.size(), plain.size());
      auto lines = [](const mtmatch::match_report& r) {
        std::ostringstream out;
        mtmatch::write_tsv(out, r);
        std::vector<std::string> v;
        std::istringstream in(out.str());
        for (std::string line; std::getline(in, line);) v.push_back(line);
        std::sort(v.begin() + 1, v.end());
        return v;
      };
      EXPECT_EQ(lines(g), lines(plain));
    }
  }
}

TEST(Report, TsvRoundTrip) {
  const dataset d = simulated_dataset(9, 30, 60);
  mtmatch::report_options o;
  o.match.max_differences = 3;
  const auto r = mtmatch::report_matches(d.remains, d.relatives, o);
  ASSERT_GT(r.size(), 0U);
  std::ostringstream out;
  mtmatch::write_tsv(out, r);
  std::istringstream in(out.str());
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, mtmatch::tsv_header(true));
  EXPECT_EQ(line, "remains_id\trelative_id\tcompared_length\tdifferences\tverdict\tweighted_differences\thaplogroup_a\t"
                  "haplogroup_b\tdiscordant");
  std::size_t i = 0;
  while (std::getline(in, line)) {
    ASSERT_LT(i, r.size());
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, '\t');) f.push_back(x);
    ASSERT_EQ(f.size(), 9U) << line;
    EXPECT_EQ(f[0], d.remains[r.remains[i]].id);
    EXPECT_EQ(f[1], d.relatives[r.relative[i]].id);
    EXPECT_EQ(std::stoi(f[2]), r.compared_length[i]);
    EXPECT_EQ(std::stoi(f[3]), r.differences[i]);
    EXPECT_EQ(f[4], mtmatch::to_string(r.verdicts[i]));
    EXPECT_NEAR(std::stod(f[5]), r.weighted_differences[i], 5e-5);
    EXPECT_EQ(f[6], r.haplogroup_a(i));
    EXPECT_EQ(f[7], r.haplogroup_b(i));
    EXPECT_EQ(f[8], r.discordant[i] ? "1" : "0");
    ++i;
  }
  EXPECT_EQ(i, r.size());

  o.match.counts_only = true;
  const auto c = mtmatch::report_matches(d.remains, d.relatives, o);
  std::ostringstream counts;
  mtmatch::write_tsv(counts, c);
  std::istringstream cin(counts.str());
  std::getline(cin, line);
  EXPECT_EQ(line, "remains_id\tdifferences_0\tdifferences_1\tdifferences_2\tdifferences_3");
  std::size_t lines = 0;
  while (std::getline(cin, line)) ++lines;
  EXPECT_EQ(lines, d.remains.size());
}

TEST(Report, OptionsAreValidated) {
  const dataset d = realistic_dataset(71, 5, 5);
  mtmatch::report_options o;
  o.diagnostic_weight = 11;
  EXPECT_THROW((void)mtmatch::report_matches(d.remains, d.relatives, o), mtmatch::error);
  o = {};
  o.discordant_at = 0;
  EXPECT_THROW((void)mtmatch::report_matches(d.remains, d.relatives, o), mtmatch::error);
  o = {};
  o.match.max_differences.reset();
  EXPECT_THROW((void)mtmatch::report_matches(d.remains, d.relatives, o), mtmatch::error);
  auto one = mtmatch::encode(d.remains, d.relatives);
  auto two = mtmatch::encode(d.remains, d.relatives);
  EXPECT_THROW((void)mtmatch::report_matches(one.remains, two.relatives), mtmatch::error);
  // a rank_key without top_k is refused by the engine
  mtmatch::match_options m;
  m.rank_key = [](std::uint32_t, std::uint32_t, int) { return 0.0; };
  EXPECT_THROW((void)mtmatch::match(d.remains, d.relatives, m), mtmatch::error);
}

// `mtmatch match` end to end (ctest runs the CLI on data/example first and points
// MTMATCH_CLI_MATCH_OUTPUT at its TSV; see tests/CMakeLists.txt): every line is compare(a, b, tree)
// of the two profiles it names, and the lines are exactly the oracle's top 5 within 2 differences.
TEST(ReportCli, ExampleOutputEqualsScoredCompare) {
  const char* path = std::getenv("MTMATCH_CLI_MATCH_OUTPUT");
  if (path == nullptr || *path == '\0') GTEST_SKIP() << "run through ctest (cli_match_example_checked)";
  const std::string dir = MTMATCH_DATA_DIR "/example/";
  dataset d;
  d.remains = mtmatch::read_hsd(dir + "remains.hsd").profiles;
  d.relatives = mtmatch::read_hsd(dir + "relatives.hsd").profiles;
  const auto all = all_scored(d);
  const auto want = oracle(all, 2, 5);
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, mtmatch::tsv_header(true));
  std::map<std::string, std::uint32_t> rem, rel;
  for (std::uint32_t i = 0; i < d.remains.size(); ++i) rem[d.remains[i].id] = i;
  for (std::uint32_t i = 0; i < d.relatives.size(); ++i) rel[d.relatives[i].id] = i;
  std::size_t i = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, '\t');) f.push_back(x);
    ASSERT_EQ(f.size(), 9U) << line;
    ASSERT_LT(i, want.size()) << "extra line " << line;
    const row& w = want[i++];
    EXPECT_EQ(rem.at(f[0]), w.a) << line;
    EXPECT_EQ(rel.at(f[1]), w.b) << line;
    EXPECT_EQ(std::stoi(f[2]), w.length) << line;
    EXPECT_EQ(std::stoi(f[3]), w.d) << line;
    EXPECT_EQ(f[4], mtmatch::to_string(w.v)) << line;
    EXPECT_NEAR(std::stod(f[5]), w.w, 5e-5) << line;
    EXPECT_EQ(f[6], w.ha) << line;
    EXPECT_EQ(f[7], w.hb) << line;
    EXPECT_EQ(f[8], w.discordant ? "1" : "0") << line;
  }
  EXPECT_EQ(i, want.size());
}

}  // namespace
