#include "mtmatch/notation.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>

#include "mtmatch/reference.hpp"

#include "variant_builders.hpp"

namespace {

using mtmatch::parse_variants;
using mtmatch::range;
using mtmatch::variant;
using mtmatch::variant_kind;

using mtmatch::test::del;
using mtmatch::test::ins;
using mtmatch::test::sub;

std::vector<variant> parse(std::string_view text, std::string_view coverage = "1-16569") {
  return parse_variants(text, range::parse(coverage)).variants;
}

TEST(Notation, SubstitutionSpellings) {
  EXPECT_EQ(parse("16223T"), std::vector<variant>{sub(16223, 'T')});
  EXPECT_EQ(parse("C16223T"), std::vector<variant>{sub(16223, 'T')});
  EXPECT_EQ(parse("c16223t"), std::vector<variant>{sub(16223, 'T')});
  EXPECT_EQ(parse("A73G"), std::vector<variant>{sub(73, 'G')});
  EXPECT_EQ(parse("16318T"), std::vector<variant>{sub(16318, 'T')});  // transversion A>T
  EXPECT_EQ(parse("16093Y"), std::vector<variant>{sub(16093, 'Y')});
  EXPECT_TRUE(parse("16093Y")[0].is_heteroplasmy());
  EXPECT_FALSE(parse("16223T")[0].is_heteroplasmy());
  EXPECT_EQ(parse("16129R"), std::vector<variant>{sub(16129, 'R')});
  EXPECT_EQ(parse("152D"), std::vector<variant>{sub(152, 'D')});  // a lone capital D is IUPAC A/G/T
}

TEST(Notation, DeletionSpellings) {
  for (const char* text : {"249d", "249del", "249DEL", "249Del", "249-", "A249-", "249delA", "A249d"}) {
    EXPECT_EQ(parse(text), std::vector<variant>{del(249)}) << text;
  }
  EXPECT_EQ(parse("8281-8289d"), std::vector<variant>{del(8281, 9)});
  EXPECT_EQ(parse("523-524d"), std::vector<variant>{del(523, 2)});
  EXPECT_EQ(parse("523-524delAC"), std::vector<variant>{del(523, 2)});
  EXPECT_EQ(parse("523d 524d"), (std::vector<variant>{del(523), del(524)}));
}

TEST(Notation, InsertionSpellings) {
  EXPECT_EQ(parse("309.1C"), std::vector<variant>{ins(309, "C")});
  EXPECT_EQ(parse("309.1C 309.2C"), std::vector<variant>{ins(309, "CC")});
  EXPECT_EQ(parse("309.2C 309.1C"), std::vector<variant>{ins(309, "CC")});
  EXPECT_EQ(parse("309.1CC"), std::vector<variant>{ins(309, "CC")});
  EXPECT_EQ(parse("309+CC"), std::vector<variant>{ins(309, "CC")});
  EXPECT_EQ(parse("-315.1C"), std::vector<variant>{ins(315, "C")});
  EXPECT_EQ(parse("315+C"), std::vector<variant>{ins(315, "C")});
  EXPECT_EQ(parse("8289.1CCCCCTCTA"), std::vector<variant>{ins(8289, "CCCCCTCTA")});
  EXPECT_EQ(parse("524.1A 524.2C"), std::vector<variant>{ins(524, "AC")});
  EXPECT_EQ(parse("309.1CC 309.3T"), std::vector<variant>{ins(309, "CCT")});
  auto any = parse("573.XC");
  ASSERT_EQ(any.size(), 1u);
  EXPECT_TRUE(any[0].any_length);
  EXPECT_EQ(any[0].bases, "C");
}

TEST(Notation, SeparatorsCaseAndOrder) {
  std::vector<variant> expected{sub(73, 'G'), sub(263, 'G'), ins(315, "C"), sub(16223, 'T')};
  EXPECT_EQ(parse("16223T 73G 263G 315.1C"), expected);
  EXPECT_EQ(parse("16223t,73g,\t263g  315.1c"), expected);
  EXPECT_EQ(parse(" 315.1C\t16223T , 263G 73G "), expected);
}

TEST(Notation, MissingPositionsNarrowTheRange) {
  auto parsed = parse_variants("16223T 16300N 16310-16320N", range::whole());
  ASSERT_EQ(parsed.variants.size(), 1u);
  ASSERT_EQ(parsed.missing.size(), 2u);
  EXPECT_EQ(parsed.missing[0], (mtmatch::interval{16300, 16300}));
  EXPECT_EQ(parsed.missing[1], (mtmatch::interval{16310, 16320}));
}

TEST(Notation, PlaceholderAt3107IsNotAVariant) {
  auto parsed = parse_variants("3107d 3107N N3107C 73G", range::whole());
  EXPECT_EQ(parsed.variants, std::vector<variant>{sub(73, 'G')});
  EXPECT_TRUE(parsed.missing.empty());  // 3107 is never compared: the range need not lose it
}

// Derived from the rCRS itself: at random positions every base but the reference one is a variant,
// the reference base is an error that names it.
TEST(Notation, EverySubstitutionAgainstTheReference) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> pos(1, 16569);
  for (int trial = 0; trial < 2000; ++trial) {
    int p = pos(rng);
    if (p == 3107) continue;
    char ref = mtmatch::rcrs()[p];
    for (char b : std::string("ACGT")) {
      std::string token = std::to_string(p) + b;
      if (b == ref) {
        try {
          (void)parse(token);
          FAIL() << token;
        } catch (const mtmatch::error& e) {
          EXPECT_EQ(e.reason(), std::string("rCRS already has ") + ref + " at " + std::to_string(p));
        }
      } else {
        EXPECT_EQ(parse(token), std::vector<variant>{sub(p, b)});
        EXPECT_EQ(parse(std::string(1, ref) + token), std::vector<variant>{sub(p, b)});
      }
    }
  }
}

struct bad_input {
  std::string text;
  std::string coverage;
  std::size_t column;
  std::string token;
  std::string reason;
};

class NotationErrors : public ::testing::TestWithParam<bad_input> {};

TEST_P(NotationErrors, NameColumnTokenAndReason) {
  const auto& c = GetParam();
  // Thrown (first error) ...
  try {
    (void)parse_variants(c.text, range::parse(c.coverage), {"p.hsd", 3, 20, ""});
    FAIL() << c.text;
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().file, "p.hsd");
    EXPECT_EQ(e.where().line, 3u);
    EXPECT_EQ(e.where().column, 19 + c.column) << e.what();
    EXPECT_EQ(e.where().token, c.token) << e.what();
    EXPECT_NE(e.reason().find(c.reason), std::string::npos) << e.what();
    std::string expected_prefix = "p.hsd:3:" + std::to_string(19 + c.column) + ": " + c.token + ": ";
    EXPECT_EQ(std::string(e.what()).substr(0, expected_prefix.size()), expected_prefix);
  }
  // ... or collected, keeping the good tokens.
  std::vector<mtmatch::error> errors;
  auto parsed = parse_variants(c.text + " 16519C", range::parse(c.coverage + ";16519"), {}, &errors);
  EXPECT_EQ(errors.size(), 1u);
  EXPECT_NE(std::find(parsed.variants.begin(), parsed.variants.end(), sub(16519, 'C')), parsed.variants.end());
}

INSTANTIATE_TEST_SUITE_P(
    Bad, NotationErrors,
    ::testing::Values(
        bad_input{"263G 73A", "1-16569", 6, "73A", "rCRS already has A at 73"},
        bad_input{"16570T", "1-16569", 1, "16570T", "position outside 1-16569"},
        bad_input{"16223T 300G", "16024-16365", 8, "300G", "outside the profile's range 16024-16365"},
        bad_input{"G73A", "1-16569", 1, "G73A", "rCRS has A at 73, not G"},
        bad_input{"73G hello", "1-16569", 5, "hello", "not a variant"},
        bad_input{"73", "1-16569", 1, "73", "no base or indel"},
        bad_input{"73Q", "1-16569", 1, "73Q", "not a base"},
        bad_input{"309.2C", "1-16569", 1, "309.2C", ".2 without .1"},
        bad_input{"309.1C 309.1C", "1-16569", 8, "309.1C", "written twice"},
        bad_input{"16093C 16093A", "1-16569", 8, "16093A", "already given by 16093C"},
        bad_input{"8281-8289d 8285d", "1-16569", 12, "8285d", "already given by 8281-8289d"},
        bad_input{"249delG", "1-16569", 1, "249delG", "rCRS has A at 249, not G"},
        bad_input{"8289-8281d", "1-16569", 1, "8289-8281d", "FIRST <= LAST"},
        bad_input{"309.0C", "1-16569", 1, "309.0C", "insertion index"},
        bad_input{"309.1Z", "1-16569", 1, "309.1Z", "not a base"},
        bad_input{"16300T 16300N", "1-16569", 1, "16300T", "missing"},
        bad_input{"576.1C", "16024-576", 1, "576.1C", "outside the profile's range"}),
    [](const ::testing::TestParamInfo<bad_input>& param_info) {
      std::string name = "case" + std::to_string(param_info.index) + "_";
      for (char c : param_info.param.token) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

}  // namespace
