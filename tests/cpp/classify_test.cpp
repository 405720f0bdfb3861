// Classification: the one-walk scorer against a slow per-haplogroup oracle, every node of the tree
// against itself (whole genome, with private mutations, partial ranges), known anchors, and
// HaploGrep's own test inputs.
#include "mtmatch/classify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "mtmatch/normalize.hpp"
#include "mtmatch/notation.hpp"
#include "mtmatch/profile_io.hpp"
#include "mtmatch/reference.hpp"

namespace {

using mtmatch::classification;
using mtmatch::node_id;
using mtmatch::phylotree;
using mtmatch::profile;
using mtmatch::range;
using mtmatch::tree_poly;
using mtmatch::variant_kind;

const std::string test_data = MTMATCH_TEST_DATA_DIR;

// HaploGrep's identity of a poly: insertions after one position are all the same poly to it.
std::tuple<std::int32_t, int, std::string> identity(const tree_poly& p) {
  return {p.position, static_cast<int>(p.kind), p.kind == variant_kind::substitution ? p.bases : std::string()};
}

// The slow oracle: for one haplogroup, what it expects (phylotree::expected), one poly per HaploGrep
// identity, inside the range; K = 0.5·F/S + 0.5·F/E with the tree's weights, F the expected polys the
// profile has (a heteroplasmy has each of its bases).
struct oracle_score {
  long long f = 0, e = 0, s = 0;
  [[nodiscard]] long double value() const {
    if (s == 0 && e == 0) return 1.0L;
    long double k = 0;
    if (s != 0) k += 0.5L * f / s;
    k += e != 0 ? 0.5L * f / e : 0.5L;
    return k;
  }
};

long long milli(double w) { return std::llround(w * 1000.0); }

oracle_score oracle(const profile& p, const phylotree& tree, node_id node) {
  std::vector<tree_poly> sample;
  for (const auto& v : p.variants) {
    for (auto& q : mtmatch::split_variant(v)) sample.push_back(q);
  }
  oracle_score k;
  for (const auto& q : sample) k.s += milli(tree.weight(q));
  std::set<std::tuple<std::int32_t, int, std::string>> counted;
  for (const auto& q : tree.expected(node)) {
    if (!counted.insert(identity(q)).second) continue;
    if (!p.coverage.contains(q.position)) continue;
    const long long w = milli(tree.weight(q));
    bool found = false;
    for (const auto& x : sample) {
      if (identity(x) == identity(q)) found = true;
      if (x.kind == variant_kind::substitution && q.kind == variant_kind::substitution && x.position == q.position &&
          mtmatch::iupac::is_ambiguous(x.bases[0]) && (mtmatch::iupac::bases_of(x.bases[0]) & mtmatch::iupac::bases_of(q.bases[0])) != 0) {
        found = true;
      }
    }
    k.e += w;
    if (found) k.f += w;
  }
  return k;
}

profile profile_of(const phylotree& tree, node_id node, const std::string& coverage = "1-16569") {
  profile p;
  p.id = tree.name(node);
  p.coverage = range::parse(coverage);
  std::vector<mtmatch::variant> vs;
  for (const auto& v : tree.expected_variants(node)) {
    const bool inside = v.kind == variant_kind::insertion ? p.coverage.contains_insertion(v.position)
                                                          : p.coverage.contains_all(v.position, v.last());
    if (inside && !v.any_length) vs.push_back(v);
    if (inside && v.any_length) vs.push_back({v.position, variant_kind::insertion, 1, v.bases, false});
  }
  p.variants = mtmatch::canonicalize(p.coverage, vs);
  return p;
}

// What the score sees of a node inside a range: its counted polys with a weight.
std::set<std::tuple<std::int32_t, int, std::string>> scored_profile(const phylotree& tree, node_id node, const range& r) {
  std::set<std::tuple<std::int32_t, int, std::string>> out;
  for (const auto& q : tree.expected(node)) {
    if (r.contains(q.position) && tree.weight(q) > 0) out.insert(identity(q));
  }
  return out;
}

TEST(Classify, WalkAgreesWithTheSlowOracle) {
  const phylotree& tree = mtmatch::phylotree17();
  std::mt19937 rng(2024);
  std::uniform_int_distribution<node_id> pick(0, tree.size() - 1);
  const std::vector<std::string> ranges = {"1-16569", "16024-16569;1-576", "16024-16365", "16024-16365;73-340", "1-8000"};
  const char* noise[] = {"16519C", "152C", "16300G", "3010A", "16189C", "9000C", "573.1C", "16093Y", "249d", "12705T"};
  for (int i = 0; i < 24; ++i) {
    profile p = profile_of(tree, pick(rng), ranges[static_cast<std::size_t>(i) % ranges.size()]);
    // A few extra variants (private, recurrent, heteroplasmic) where the range and the profile allow.
    std::vector<mtmatch::variant> vs = p.variants;
    for (int k = 0; k < 2; ++k) {
      const auto extra = mtmatch::parse_variant_token(noise[(i * 3 + k) % 10]).value;
      const bool free_site = std::none_of(vs.begin(), vs.end(), [&](const mtmatch::variant& v) { return v.position == extra.position; });
      if (free_site && p.coverage.contains(extra.position)) vs.push_back(extra);
    }
    std::sort(vs.begin(), vs.end());
    p.variants = mtmatch::canonicalize(p.coverage, vs);

    mtmatch::classify_options options;
    options.hits = 3;
    const classification c = mtmatch::classify(p, tree, options);
    // The oracle's best score, and the haplogroups that reach it, first in file order.
    std::vector<std::pair<long double, node_id>> all;
    for (node_id n = 0; n < tree.size(); ++n) all.push_back({oracle(p, tree, n).value(), n});
    std::stable_sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
      if (std::fabs(static_cast<double>(a.first - b.first)) > 1e-12) return a.first > b.first;
      return tree.file_rank(a.second) < tree.file_rank(b.second);
    });
    ASSERT_EQ(c.hits.size(), 3u);
    for (std::size_t r = 0; r < 3; ++r) {
      EXPECT_NEAR(c.hits[r].quality, static_cast<double>(all[r].first), 1e-9) << p.id << " rank " << r;
      EXPECT_EQ(c.hits[r].name, tree.name(all[r].second)) << p.id << " rank " << r << " in " << p.coverage.to_string();
    }
    int ties = 0;
    node_id ancestor = all[0].second;
    for (const auto& [k, n] : all) {
      if (std::fabs(static_cast<double>(k - all[0].first)) <= 1e-12) {
        ++ties;
        ancestor = tree.lca(ancestor, n);
      }
    }
    EXPECT_EQ(c.ties, ties);
    EXPECT_EQ(c.common_ancestor, ancestor);
  }
}

// Every node, given exactly its expected variants over the whole molecule, classifies to itself or
// to a node the weights cannot tell from it.
TEST(Classify, EveryNodeClassifiesToItself) {
  const phylotree& tree = mtmatch::phylotree17();
  std::vector<profile> profiles;
  for (node_id n = 0; n < tree.size(); ++n) profiles.push_back(profile_of(tree, n));
  const std::vector<classification> results = mtmatch::classify(profiles, tree);
  const range whole = range::whole();
  int exact = 0;
  for (node_id n = 0; n < tree.size(); ++n) {
    const classification& c = results[static_cast<std::size_t>(n)];
    if (c.haplogroup == n) {
      ++exact;
      continue;
    }
    EXPECT_EQ(scored_profile(tree, c.haplogroup, whole), scored_profile(tree, n, whole))
        << tree.name(n) << " classified as " << c.name;
  }
  EXPECT_EQ(exact, tree.size());
}

TEST(Classify, EveryNodeOfTheForensicUpdateClassifiesToItself) {
  const phylotree& tree = mtmatch::phylotree17_fu();
  std::vector<profile> profiles;
  for (node_id n = 0; n < tree.size(); ++n) profiles.push_back(profile_of(tree, n));
  mtmatch::classify_options options;
  options.details = false;
  options.hits = 1;
  const std::vector<classification> results = mtmatch::classify(profiles, tree, options);
  int exact = 0;
  for (node_id n = 0; n < tree.size(); ++n) exact += results[static_cast<std::size_t>(n)].haplogroup == n ? 1 : 0;
  EXPECT_EQ(exact, tree.size());
}

// Up to two private mutations at sites the tree never uses do not move a node.
TEST(Classify, PrivateMutationsDoNotMoveANode) {
  const phylotree& tree = mtmatch::phylotree17();
  std::vector<std::int32_t> free_sites;
  for (std::int32_t pos = 1; pos <= mtmatch::rcrs_length; ++pos) {
    if (tree.site_occurrences(pos) == 0 && mtmatch::rcrs()[pos] != 'N') free_sites.push_back(pos);
  }
  ASSERT_GT(free_sites.size(), 5000u);
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> site(0, free_sites.size() - 1);
  std::vector<profile> profiles;
  std::vector<node_id> truth;
  for (node_id n = 0; n < tree.size(); n += 3) {
    profile p = profile_of(tree, n);
    std::vector<mtmatch::variant> vs = p.variants;
    const int extra = 1 + static_cast<int>(n % 2);
    for (int k = 0; k < extra; ++k) {
      const std::int32_t pos = free_sites[site(rng)];
      if (std::any_of(vs.begin(), vs.end(), [&](const mtmatch::variant& v) { return v.position <= pos && pos <= v.last(); })) continue;
      const char ref = mtmatch::rcrs()[pos];
      const char alt = ref == 'A' ? 'G' : ref == 'G' ? 'A' : ref == 'C' ? 'T' : 'C';
      vs.push_back({pos, variant_kind::substitution, 1, std::string(1, alt), false});
    }
    std::sort(vs.begin(), vs.end());
    p.variants = mtmatch::canonicalize(p.coverage, vs);
    profiles.push_back(std::move(p));
    truth.push_back(n);
  }
  const std::vector<classification> results = mtmatch::classify(profiles, tree);
  const range whole = range::whole();
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].haplogroup == truth[i]) continue;
    EXPECT_EQ(scored_profile(tree, results[i].haplogroup, whole), scored_profile(tree, truth[i], whole))
        << tree.name(truth[i]) << " classified as " << results[i].name;
  }
  // The private mutations are reported as such.
  const classification& c = results[1];
  EXPECT_TRUE(std::any_of(c.remaining.begin(), c.remaining.end(),
                          [](const mtmatch::remaining_poly& r) { return r.kind == mtmatch::remaining_kind::global_private; }));
}

// A partial range gives the best the range can resolve: a node with the same scored profile there,
// and the common ancestor of all such nodes is an ancestor of the truth.
TEST(Classify, PartialRangesResolveWhatTheyCan) {
  const phylotree& tree = mtmatch::phylotree17();
  for (const std::string r : {"16024-16365", "16024-16569;1-576"}) {
    const range coverage = range::parse(r);
    std::vector<profile> profiles;
    for (node_id n = 0; n < tree.size(); n += 11) profiles.push_back(profile_of(tree, n, r));
    const std::vector<classification> results = mtmatch::classify(profiles, tree);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const node_id truth = static_cast<node_id>(i) * 11;
      const classification& c = results[i];
      EXPECT_DOUBLE_EQ(c.quality, 1.0) << tree.name(truth);
      EXPECT_EQ(scored_profile(tree, c.haplogroup, coverage), scored_profile(tree, truth, coverage)) << tree.name(truth);
      EXPECT_TRUE(tree.is_ancestor(c.common_ancestor, truth)) << tree.name(truth) << " vs " << c.common_ancestor_name;
      EXPECT_TRUE(tree.is_ancestor(c.common_ancestor, c.haplogroup));
      EXPECT_GE(c.ties, 1);
    }
  }
}

TEST(Classify, Anchors) {
  const phylotree& tree = mtmatch::phylotree17();
  const classification rcrs_genome = mtmatch::classify(profile::parse("", "1-16569", "rCRS"));
  EXPECT_EQ(rcrs_genome.name, "H2a2a1");
  EXPECT_DOUBLE_EQ(rcrs_genome.quality, 1.0);
  // DOMAIN.md §5.4 control-region motifs land in their clade: the named haplogroup is one of the best,
  // and where the control region resolves it, it is the answer.
  const std::map<std::string, std::string> motifs = {
      {"M", "16223T 73G 263G 489C"},           {"M7b1a1", "16129A 16223T 16297C 73G 150T 199C 263G 489C 315.1C"},
      {"M7c1", "16223T 16295T 73G 146C 199C 263G 489C"}, {"M71", "16223T 16271C 73G 263G 489C"},
      {"M74", "16223T 16311C 16362C 73G 263G 489C"}, {"D4", "16223T 16362C 73G 263G 489C"},
      {"E", "16223T 16362C 16390A 73G 263G 489C"}, {"G2a", "16223T 16227G 16278T 16362C 73G 263G 489C"},
      {"N9a", "16223T 16257A 16261T 73G 150T 263G"}, {"A", "16223T 16290T 16319A 73G 235G 263G"},
      {"R9", "16304C 73G 263G"},              {"F1a1", "16129A 16162G 16172C 16304C 73G 249d 263G 315.1C"},
      {"B4a", "16189C 16217C 16261T 73G 263G"}, {"B5a", "16140C 16189C 16266A 73G 210G 263G 309.1C 315.1C"},
      {"B6", "16189C 73G 150T 263G 16519C"},
  };
  mtmatch::classify_options all_hits;
  all_hits.hits = 60;
  for (const auto& [name, motif] : motifs) {
    const classification c = mtmatch::classify(profile::parse(motif, "16024-576", name), tree, all_hits);
    EXPECT_DOUBLE_EQ(c.quality, 1.0) << name;
    const bool among = std::any_of(c.hits.begin(), c.hits.begin() + std::min<std::ptrdiff_t>(c.ties, 60),
                                   [&](const mtmatch::haplogroup_hit& h) { return h.name == name; });
    EXPECT_TRUE(among) << name << " -> " << c.name;
    EXPECT_TRUE(tree.is_ancestor(c.common_ancestor, tree.at(name))) << name;
  }
  for (const char* unique : {"M7b1a1", "M71", "F1a1", "B6"}) {
    EXPECT_EQ(mtmatch::classify(profile::parse(motifs.at(unique), "16024-576")).name, unique);
  }
}

TEST(Classify, DetailsListFoundMissingAndRemaining) {
  const phylotree& tree = mtmatch::phylotree17();
  // B5a's control region without 16266A, with a hotspot, a recurrent poly from elsewhere and a private one.
  const profile p = profile::parse("16140C 16189C 73G 210G 263G 315.1C 16519C 16129A 16300G", "16024-576", "x");
  const classification c = mtmatch::classify(p, tree);
  std::map<std::string, mtmatch::remaining_kind> kinds;
  for (const auto& r : c.remaining) kinds[r.poly.to_string()] = r.kind;
  EXPECT_EQ(kinds.at("16519C"), mtmatch::remaining_kind::hotspot);
  EXPECT_EQ(kinds.at("315.1C"), mtmatch::remaining_kind::hotspot);
  EXPECT_EQ(kinds.at("16129A"), mtmatch::remaining_kind::local_private);
  // Found + not found = what the best haplogroup expects inside the range.
  std::set<std::string> expected;
  for (const auto& q : tree.expected(c.haplogroup)) {
    if (p.coverage.contains(q.position)) expected.insert(q.to_string());
  }
  std::set<std::string> listed;
  for (const auto& q : c.found) listed.insert(q.to_string());
  for (const auto& q : c.not_found) listed.insert(q.to_string());
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(std::string(mtmatch::to_string(mtmatch::remaining_kind::global_private)), "globalPrivateMutation");
}

// Length heteroplasmy in the C-tracts is ignored the way HaploGrep ignores its hotspots, even where the
// canonical alignment would fold the extra C into a neighbouring variant.
TEST(Classify, LengthHeteroplasmyDoesNotHideVariants) {
  const phylotree& tree = mtmatch::phylotree17();
  const std::string l1b = "16126C 16187T 16189C 16223T 16264T 16270T 16278T 16293G 16311C 73G 152C 182T 185T 189G 195C 247A 263G 357G";
  const classification plain = mtmatch::classify(profile::parse(l1b, "16024-576"), tree);
  for (const char* extra : {" 16193.1C", " 16193.1C 16193.2C", " 309.1C 315.1C", " 16193.1C 309.1C 309.2C 315.1C"}) {
    const profile p = profile::parse(l1b + extra, "16024-576");
    const classification c = mtmatch::classify(p, tree);
    EXPECT_EQ(c.name, plain.name) << extra;
    EXPECT_DOUBLE_EQ(c.quality, plain.quality) << extra;
    std::set<std::string> hotspots;
    for (const auto& r : c.remaining) {
      if (r.kind == mtmatch::remaining_kind::hotspot) hotspots.insert(r.poly.to_string());
    }
    EXPECT_TRUE(hotspots.contains("315.1C") || std::string(extra).find("315") == std::string::npos) << extra;
    EXPECT_FALSE(hotspots.empty()) << extra;
  }
  // An inserted T is a variant, not length heteroplasmy: J2a1a1a keeps its 310.1T.
  EXPECT_EQ(mtmatch::classify(profile_of(tree, tree.at("J2a1a1a")), tree).name, "J2a1a1a");
}

TEST(Classify, HeteroplasmyMatchesEitherBase) {
  const phylotree& tree = mtmatch::phylotree17();
  const profile clean = profile::parse("16129A 16223T 16297C 73G 150T 199C 263G 489C", "16024-576");
  const profile mixed = profile::parse("16129A 16223Y 16297C 73G 150T 199C 263G 489C", "16024-576");
  const classification a = mtmatch::classify(clean, tree);
  const classification b = mtmatch::classify(mixed, tree);
  EXPECT_EQ(a.name, "M7b1a1");
  EXPECT_EQ(b.name, "M7b1a1");
  EXPECT_GT(b.quality, 0.9);
}

TEST(Classify, BatchesEqualSingleCallsAndValidate) {
  const phylotree& tree = mtmatch::phylotree17();
  std::vector<profile> profiles;
  for (node_id n = 0; n < tree.size(); n += 101) profiles.push_back(profile_of(tree, n, n % 2 ? "1-16569" : "16024-576"));
  mtmatch::classify_options options;
  options.threads = 2;
  const auto batch = mtmatch::classify(profiles, tree, options);
  std::vector<node_id> best(profiles.size());
  std::vector<double> quality(profiles.size());
  mtmatch::classify_best(profiles, tree, best, quality, 2);
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const auto one = mtmatch::classify(profiles[i], tree);
    EXPECT_EQ(one.name, batch[i].name);
    EXPECT_EQ(one.quality, batch[i].quality);
    EXPECT_EQ(best[i], one.haplogroup);
    EXPECT_EQ(quality[i], one.quality);
  }
  options.hits = 0;
  EXPECT_THROW((void)mtmatch::classify(profiles[0], tree, options), mtmatch::error);
  std::vector<node_id> short_best(1);
  EXPECT_THROW(mtmatch::classify_best(profiles, tree, short_best, quality), mtmatch::error);
}

TEST(Classify, ForensicUpdateTreeIsAParameter) {
  const phylotree& fu = mtmatch::phylotree17_fu();
  const classification c = mtmatch::classify(profile::parse("16129A 16223T 16297C 73G 150T 199C 263G 489C", "16024-576"), fu);
  EXPECT_TRUE(fu.is_ancestor(fu.at("M7b1a1"), c.haplogroup) || c.name == "M7b1a1") << c.name;
  EXPECT_EQ(mtmatch::classify(profile::parse("", "1-16569"), fu).name, "H2a2a1");
}

// HaploGrep's own check (haplogrep-cmd, test-data/hsd/Phylotree17.hsd): one profile per PhyloTree 17
// node, named after it. The file lists back-mutated polys as `X!` tokens (meaning "not X"), which are
// dropped here; a few records list two alleles at one site and are rejected by the profile reader.
TEST(Classify, HaploGrepPhylotree17File) {
  std::ifstream in(test_data + "/Phylotree17.hsd");
  ASSERT_TRUE(in) << test_data;
  std::ostringstream cleaned;
  const std::regex back("\t[0-9][^\t]*!");
  for (std::string line; std::getline(in, line);) cleaned << std::regex_replace(line, back, "") << '\n';
  const mtmatch::profile_file file = mtmatch::parse_hsd(cleaned.str(), "Phylotree17.hsd");
  EXPECT_EQ(file.records, 5435u);
  EXPECT_GE(file.profiles.size(), 5300u);
  const phylotree& tree = mtmatch::phylotree17();
  const auto results = mtmatch::classify(file.profiles, tree);
  int same = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string& id = file.profiles[i].id;
    if (results[i].name == id) {
      ++same;
    } else if (tree.find(id) == mtmatch::no_node) {
      // The file was made from an earlier copy of the tree: this name is not in phylotree-rcrs@17.3.
      EXPECT_DOUBLE_EQ(results[i].quality, 1.0) << id;
    } else {
      ADD_FAILURE() << id << " classified as " << results[i].name;
    }
  }
  EXPECT_GE(same, static_cast<int>(file.profiles.size()) - 1);
}

// HaploGrep's example data (haplogrep3, data/examples/evaluation-data.hsd) and the transcribed
// haplogrep-core unit-test profiles: classified without error, scores in range, details consistent.
TEST(Classify, HaploGrepExampleFiles) {
  const phylotree& tree = mtmatch::phylotree17();
  for (const char* name : {"/evaluation-data.hsd", "/haplogrep-core_HaplogroupTest.hsd"}) {
    const mtmatch::profile_file file = mtmatch::read_hsd(test_data + name);
    EXPECT_GT(file.profiles.size(), 10u) << name;
    for (const auto& c : mtmatch::classify(file.profiles, tree)) {
      EXPECT_NE(c.haplogroup, mtmatch::no_node);
      EXPECT_GE(c.quality, 0.0);
      EXPECT_LE(c.quality, 1.0 + 1e-9) << c.id;
    }
  }
  // Whole genomes of clear lineages from the transcribed haplogrep-core tests.
  const mtmatch::profile_file core = mtmatch::read_hsd(test_data + "/haplogrep-core_HaplogroupTest.hsd");
  std::map<std::string, std::string> got;
  for (const auto& c : mtmatch::classify(core.profiles, tree)) got[c.id] = c.name;
  EXPECT_EQ(got.at("core_testH2a"), "H2a");
  EXPECT_EQ(got.at("core_testH"), "H");
  EXPECT_EQ(got.at("core_testHV"), "HV");
  EXPECT_EQ(got.at("core_testR0"), "R0");
  EXPECT_EQ(got.at("core_testL5a1a"), "L5a1a");
}

}  // namespace
