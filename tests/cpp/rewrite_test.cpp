#include "mtmatch/rewrite.hpp"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "mtmatch/error.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/notation.hpp"
#include "mtmatch/profile.hpp"

namespace {

using mtmatch::range;
using mtmatch::variant;
using mtmatch::variant_kind;

std::string compact(const std::vector<variant>& vs) {
  std::string out;
  for (const auto& v : vs) out += (out.empty() ? "" : " ") + mtmatch::to_compact_string(v);
  return out;
}

std::vector<std::string> tokens_of(const std::string& text) {
  std::vector<std::string> out;
  std::string token;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == ',') {
      if (!token.empty()) out.push_back(token);
      token.clear();
    } else {
      token += c;
    }
  }
  if (!token.empty()) out.push_back(token);
  return out;
}

TEST(Rewrite, SpellsTheSameSequenceAndCanonicalForm) {
  const char* profiles[][2] = {
      {"16129A 16223T 16297C 73G 150T 199C 263G 309.1C 315.1C 489C", "16024-576"},
      {"16183C 16189C 16193.1C 16217C 73G 263G 309.1C 309.2C 315.1C 8281-8289d 16519C", "1-16569"},
      {"16093Y 16189C 16193.1C 73G 152C 263G 315.1C 523-524d", "16024-576"},
      {"16187T 16189d 16223T 73G 263G 309d 315.1C 573.1C", "16024-576"},
      {"16223T 16300N 16362C", "16024-16365"},
      {"5899.1C 960.1C 8289.1CCCCCTCTA 3106d 3108d", "1-16569"},
      {"16519C 16569.1A 1.1T 73G", "16024-576"},
  };
  std::mt19937_64 rng(1);
  for (const auto& [text, coverage] : profiles) {
    const mtmatch::profile original = mtmatch::profile::parse(text, coverage);
    const auto sequence = mtmatch::reconstruct(original.coverage, original.variants);
    for (int k = 0; k < 200; ++k) {
      const std::string again = mtmatch::rewrite_equivalent(original.coverage, original.variants, rng);
      SCOPED_TRACE(again);
      const auto raw = mtmatch::parse_variants(again, original.coverage).variants;
      ASSERT_EQ(mtmatch::reconstruct(original.coverage, raw), sequence);
      ASSERT_EQ(mtmatch::canonicalize(original.coverage, raw), original.variants);
      ASSERT_EQ(mtmatch::profile::parse(again, original.coverage.to_string()), original);
    }
  }
}

TEST(Rewrite, SameSeedSameText) {
  const mtmatch::profile p = mtmatch::profile::parse("16223T 73G 263G 309.1C 315.1C 8281-8289d");
  std::mt19937_64 a(42);
  std::mt19937_64 b(42);
  for (int k = 0; k < 20; ++k) {
    EXPECT_EQ(mtmatch::rewrite_equivalent(p.coverage, p.variants, a), mtmatch::rewrite_equivalent(p.coverage, p.variants, b));
  }
}

TEST(Rewrite, RealignsIntoGenuinelyDifferentSpellings) {
  std::mt19937_64 rng(3);
  mtmatch::rewrite_options exact;
  exact.realign_probability = 1.0;
  exact.extra_bases = 0;
  const range whole = range::whole();

  std::set<std::string> seen;
  const auto tract = mtmatch::profile::parse("309d 315.1C");
  for (int k = 0; k < 400; ++k) seen.insert(compact(mtmatch::random_equivalent_variants(whole, tract.variants, rng, exact)));
  EXPECT_TRUE(seen.count("309T 310C"));
  EXPECT_TRUE(seen.count("309d 315.1C"));
  EXPECT_TRUE(seen.count("303d 310.1C"));
  EXPECT_GE(seen.size(), 20u);  // 7 deletion places x 6 insertion places, and the substitutions

  seen.clear();
  const auto insertion = mtmatch::profile::parse("309.1CC");
  for (int k = 0; k < 400; ++k) seen.insert(compact(mtmatch::random_equivalent_variants(whole, insertion.variants, rng, exact)));
  EXPECT_TRUE(seen.count("302.1CC"));
  EXPECT_TRUE(seen.count("304.1C 307.1C") || seen.count("303.1C 309.1C") || seen.count("305.1C 306.1C"));

  // One base more than the best: the forensic 4-difference spelling of example 1 (DOMAIN.md §2) appears.
  mtmatch::rewrite_options loose;
  loose.realign_probability = 1.0;
  loose.extra_bases = 1;
  seen.clear();
  const auto example = mtmatch::profile::parse("16183d 16193.1C 16193.2C");
  int four_substitution_like = 0;
  for (int k = 0; k < 3000; ++k) {
    const auto raw = mtmatch::random_equivalent_variants(whole, example.variants, rng, loose);
    int subs = 0;
    for (const auto& v : raw) subs += v.kind == variant_kind::substitution ? 1 : 0;
    four_substitution_like += subs >= 3 ? 1 : 0;
    seen.insert(compact(raw));
  }
  EXPECT_GT(four_substitution_like, 0);
  EXPECT_GE(seen.size(), 50u);
}

TEST(Rewrite, UsesEveryNotation) {
  const mtmatch::profile p = mtmatch::profile::parse("16223T 16093Y 73G 249d 309.1C 309.2C 8281-8289d 523-524d 573.XC");
  std::mt19937_64 rng(11);
  mtmatch::rewrite_options keep;
  keep.realign_probability = 0.0;
  const std::vector<std::pair<const char*, std::regex>> forms = {
      {"plain substitution", std::regex("^16223T$")},
      {"with the rCRS base", std::regex("^C16223T$")},
      {"lower case", std::regex("^c?16223t$")},
      {"heteroplasmy", std::regex("^T?16093Y$")},
      {"249d", std::regex("^249d$")},
      {"249del", std::regex("^249del$")},
      {"249DEL", std::regex("^249DEL$")},
      {"249Del", std::regex("^249Del$")},
      {"249-", std::regex("^249-$")},
      {"A249-", std::regex("^A249-$")},
      {"249delA", std::regex("^249delA$")},
      {"stretch", std::regex("^8281-8289d(el)?$")},
      {"single deletions of a block", std::regex("^8285d$")},
      {"numbered insertion", std::regex("^309\\.2C$")},
      {"compact insertion", std::regex("^309\\.1CC$")},
      {"EMPOP +", std::regex("^309\\+CC$")},
      {"EMPOP -", std::regex("^-309\\.1C+$")},
      {"any length", std::regex("^573\\.XC$")},
  };
  std::vector<int> hits(forms.size(), 0);
  bool tab = false;
  bool comma = false;
  for (int k = 0; k < 600; ++k) {
    const std::string text = mtmatch::rewrite_equivalent(p.coverage, p.variants, rng, keep);
    tab = tab || text.find('\t') != std::string::npos;
    comma = comma || text.find(',') != std::string::npos;
    for (const auto& token : tokens_of(text)) {
      for (std::size_t f = 0; f < forms.size(); ++f) hits[f] += std::regex_match(token, forms[f].second) ? 1 : 0;
    }
    ASSERT_EQ(mtmatch::profile::parse(text), p) << text;
  }
  for (std::size_t f = 0; f < forms.size(); ++f) EXPECT_GT(hits[f], 0) << forms[f].first;
  EXPECT_TRUE(tab);
  EXPECT_TRUE(comma);
}

TEST(Rewrite, PlainOptionsGiveTheCanonicalText) {
  const mtmatch::profile p = mtmatch::profile::parse("16223T 73G 263G 309.1C 315.1C 8281-8289d");
  std::mt19937_64 rng(5);
  mtmatch::rewrite_options plain;
  plain.realign_probability = 0.0;
  plain.vary_notation = false;
  plain.shuffle = false;
  EXPECT_EQ(mtmatch::rewrite_equivalent(p.coverage, p.variants, rng, plain), p.canonical());
}

TEST(Rewrite, OptionsAreValidated) {
  mtmatch::rewrite_options o;
  EXPECT_NO_THROW(o.validate());
  o.realign_probability = 1.5;
  EXPECT_THROW(o.validate(), mtmatch::error);
  o.realign_probability = 0.5;
  o.extra_bases = -1;
  EXPECT_THROW(o.validate(), mtmatch::error);
  std::mt19937_64 rng(1);
  const std::vector<variant> none;
  EXPECT_THROW((void)mtmatch::rewrite_equivalent(range::whole(), none, rng, o), mtmatch::error);
}

}  // namespace
