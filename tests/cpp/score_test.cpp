// The haplogroup-aware score: stability weights from the tree, weighted differences, clade discordance.
#include "mtmatch/score.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mtmatch/reference.hpp"

namespace {

using mtmatch::comparison;
using mtmatch::phylotree;
using mtmatch::profile;
using mtmatch::tree_poly;

const char* m7b1a1 = "16129A 16223T 16297C 73G 150T 199C 263G 489C 315.1C";
const char* b5a = "16140C 16189C 16266A 73G 210G 263G 315.1C";
const char* f1a1 = "16129A 16162G 16172C 16304C 73G 249d 263G 315.1C";

comparison scored(const char* a, const char* b, const char* range = "16024-576") {
  return mtmatch::compare(profile::parse(a, range, "a"), profile::parse(b, range, "b"), mtmatch::phylotree17());
}

TEST(Score, StabilityWeights) {
  const phylotree& t = mtmatch::phylotree17();
  EXPECT_DOUBLE_EQ(mtmatch::stability_weight(tree_poly::parse("152C"), t), 1.0);  // the most recurrent poly
  EXPECT_DOUBLE_EQ(mtmatch::stability_weight(tree_poly::parse("16519C"), t), 0.0);  // hotspot
  EXPECT_DOUBLE_EQ(mtmatch::stability_weight(tree_poly::parse("315.1C"), t), 0.0);
  // 16189C: occ 110 of 197.
  EXPECT_NEAR(mtmatch::stability_weight(tree_poly::parse("16189C"), t), 10 - 9 * std::log(110.0) / std::log(197.0), 1e-12);
  // Weights agree with HaploGrep's table to 0.1 for every poly of the tree.
  for (mtmatch::node_id n = 0; n < t.size(); n += 13) {
    for (const auto& p : t.expected(n)) {
      if (t.occurrences(p) > 0) {
        EXPECT_NEAR(mtmatch::stability_weight(p, t), t.weight(p), 0.1 + 1e-9) << p.to_string();
      }
    }
  }
  // A position where the tree has no variant at all weighs most.
  std::int32_t quiet = 0;
  for (std::int32_t pos = 1000; pos < 2000 && quiet == 0; ++pos) {
    if (t.site_occurrences(pos) == 0) quiet = pos;
  }
  ASSERT_NE(quiet, 0);
  const char alt = mtmatch::rcrs()[quiet] == 'A' ? 'G' : 'A';
  EXPECT_DOUBLE_EQ(mtmatch::stability_weight(tree_poly{quiet, mtmatch::variant_kind::substitution, 0, std::string(1, alt)}, t), 10.0);
}

TEST(Score, FastSitesWeighLittle) {
  const comparison same = scored(m7b1a1, m7b1a1);
  EXPECT_EQ(same.differences, 0);
  EXPECT_DOUBLE_EQ(same.weighted_differences, 0.0);
  EXPECT_EQ(same.haplogroup_a, "M7b1a1");
  EXPECT_EQ(same.haplogroup_b, "M7b1a1");
  EXPECT_FALSE(same.discordant);

  const comparison fast = scored(m7b1a1, "16129A 16223T 16297C 73G 150T 152C 199C 263G 489C 315.1C");
  EXPECT_EQ(fast.differences, 1);
  EXPECT_NEAR(fast.weighted_differences, 0.1, 1e-12);  // 152C: weight 1 of 10
  EXPECT_FALSE(fast.discordant);

  const comparison rare = scored(m7b1a1, "16129A 16223T 16297C 73G 150T 199C 263G 489C 315.1C 16242T");
  EXPECT_EQ(rare.differences, 1);
  EXPECT_GT(rare.weighted_differences, 0.5);
  EXPECT_LE(rare.weighted_differences, 1.0);
}

TEST(Score, WeightedDifferencesSumTheDifferenceWeights) {
  const phylotree& t = mtmatch::phylotree17();
  const comparison c = scored(b5a, f1a1);
  double sum = 0;
  for (const auto& d : c.differing) sum += mtmatch::difference_weight(d, t) / 10;
  EXPECT_NEAR(c.weighted_differences, sum, 1e-12);
  EXPECT_LT(c.weighted_differences, c.differences);
  EXPECT_GT(c.weighted_differences, 1.0);
  for (const auto& d : c.ignored) EXPECT_DOUBLE_EQ(mtmatch::difference_weight(d, t), 0.0);
}

TEST(Score, DifferentCladesAreDiscordant) {
  const comparison c = scored(b5a, f1a1);
  EXPECT_EQ(c.haplogroup_a, "B5a");
  EXPECT_EQ(c.haplogroup_b, "F1a1");
  EXPECT_TRUE(c.discordant);
  EXPECT_GE(c.discordant_sites, 2);
  EXPECT_EQ(c.verdict, mtmatch::verdict::exclusion);
  // A haplogroup and its sub-haplogroup are never discordant, whatever separates them.
  const phylotree& t = mtmatch::phylotree17();
  EXPECT_TRUE(mtmatch::separating_polys(t.at("M7b1a1"), t.at("M7b1"), mtmatch::range::whole(), t).empty());
  EXPECT_FALSE(mtmatch::separating_polys(t.at("B5a"), t.at("F1a1"), mtmatch::range::whole(), t).empty());
  // Outside the common range nothing separates them.
  EXPECT_TRUE(mtmatch::separating_polys(t.at("B5a"), t.at("F1a1"), mtmatch::range::parse("3000-3100"), t).empty());
}

TEST(Score, ScoreAgreesWithTheSeparatingPolys) {
  const phylotree& t = mtmatch::phylotree17();
  std::mt19937 rng(5);
  std::uniform_int_distribution<mtmatch::node_id> pick(0, t.size() - 1);
  for (int i = 0; i < 50; ++i) {
    const mtmatch::node_id a = pick(rng);
    const mtmatch::node_id b = pick(rng);
    mtmatch::classification ca;
    ca.haplogroup = ca.common_ancestor = a;
    ca.name = t.name(a);
    ca.coverage = mtmatch::range::parse("16024-576");
    mtmatch::classification cb = ca;
    cb.haplogroup = cb.common_ancestor = b;
    cb.name = t.name(b);
    comparison c;
    mtmatch::score(c, ca, cb, t);
    const auto polys = mtmatch::separating_polys(a, b, ca.coverage, t);
    EXPECT_EQ(c.discordant, !polys.empty());
    for (const auto& p : polys) {
      EXPECT_GE(mtmatch::stability_weight(p, t), 5.0);
      EXPECT_TRUE(ca.coverage.contains(p.position));
    }
    if (t.is_ancestor(a, b) || t.is_ancestor(b, a)) {
      EXPECT_FALSE(c.discordant);
    }
  }
}

TEST(Score, PolicyIsValidated) {
  mtmatch::score_policy policy;
  policy.diagnostic_weight = 11;
  EXPECT_THROW(policy.validate(), mtmatch::error);
  policy.diagnostic_weight = 5;
  policy.discordant_at = 0;
  EXPECT_THROW(policy.validate(), mtmatch::error);
  policy.discordant_at = 3;
  const auto a = profile::parse(b5a, "16024-576");
  const auto b = profile::parse(f1a1, "16024-576");
  const comparison c = mtmatch::compare(a, b, mtmatch::phylotree17(), policy);
  EXPECT_EQ(c.discordant, c.discordant_sites >= 3);
}

}  // namespace
