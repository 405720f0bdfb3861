#include "mtmatch/compare.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "mtmatch/error.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/profile.hpp"
#include "mtmatch/rewrite.hpp"

namespace {

using mtmatch::compare;
using mtmatch::compare_policy;
using mtmatch::profile;
using mtmatch::site_difference;
using mtmatch::verdict;

profile p(std::string_view variants, std::string_view coverage = "1-16569") { return profile::parse(variants, coverage); }

compare_policy literal() {
  compare_policy policy;
  policy.pattern_match_heteroplasmy = false;
  return policy;
}

compare_policy counting_length_variants() {
  compare_policy policy;
  policy.ignore_length_variants = false;
  return policy;
}

TEST(Compare, IdenticalProfilesMatch) {
  const auto c = compare(p("16223T 16362C 73G 263G 315.1C"), p("73G 263G 315.1C 16362C 16223T"));
  EXPECT_EQ(c.differences, 0);
  EXPECT_EQ(c.verdict, verdict::match);
  EXPECT_TRUE(c.differing.empty());
  EXPECT_TRUE(c.ignored.empty());
  EXPECT_EQ(c.compared_length, 16568);  // 3107 is never compared
}

TEST(Compare, DifferencesAreCountedPerSiteOrEvent) {
  auto c = compare(p("16093C 16223T"), p("16093A 16223T"));  // one site, two different bases: one
  EXPECT_EQ(c.differences, 1);
  ASSERT_EQ(c.differing.size(), 1u);
  EXPECT_EQ(c.differing[0].position, 16093);
  EXPECT_EQ(c.differing[0].a, "16093C");
  EXPECT_EQ(c.differing[0].b, "16093A");
  EXPECT_EQ(c.verdict, verdict::inconclusive);

  c = compare(p("73G 8281-8289d"), p("73G"));  // the 9-bp deletion is one event
  EXPECT_EQ(c.differences, 1);
  EXPECT_EQ(c.differing[0].position, 8281);
  EXPECT_EQ(c.differing[0].b, "");

  c = compare(p("73G 16223T 16362C"), p("263G"));
  EXPECT_EQ(c.differences, 4);
  EXPECT_EQ(c.verdict, verdict::exclusion);
  ASSERT_EQ(c.differing.size(), 4u);
  EXPECT_EQ(c.differing[0].position, 73);
  EXPECT_EQ(c.differing[3].position, 16362);

  // B4's 16182C 16183C against a profile without them: two substitutions, not a shift of the C-tract.
  c = compare(p("16182C 16183C 16189C 16217C"), p("16189C 16217C"));
  EXPECT_EQ(c.differences, 2);
}

TEST(Compare, HeteroplasmyPatternAndLiteral) {
  const profile y = p("16093Y 16223T");
  const profile c = p("16093C 16223T");
  const profile t = p("16223T");  // rCRS has T at 16093
  const profile a = p("16093A 16223T");
  const profile r = p("16093R 16223T");
  const profile b = p("16093B 16223T");  // C/G/T

  auto pattern = compare(y, c);
  EXPECT_EQ(pattern.differences, 0);
  EXPECT_EQ(pattern.verdict, verdict::match);
  ASSERT_EQ(pattern.ignored.size(), 1u);
  EXPECT_EQ(pattern.ignored[0].what, site_difference::kind::heteroplasmy_compatible);
  EXPECT_EQ(pattern.ignored[0].position, 16093);
  EXPECT_EQ(pattern.ignored[0].a, "16093Y");
  EXPECT_EQ(pattern.ignored[0].b, "16093C");
  EXPECT_EQ(compare(y, t).differences, 0);
  EXPECT_EQ(compare(t, y).differences, 0);
  EXPECT_EQ(compare(y, a).differences, 1);   // A is not C or T
  EXPECT_EQ(compare(y, r).differences, 1);   // Y vs R share no base
  EXPECT_EQ(compare(y, b).differences, 0);   // Y and B share C and T
  EXPECT_EQ(compare(y, y).differences, 0);
  EXPECT_TRUE(compare(y, y).ignored.empty());

  auto strict = compare(y, c, literal());
  EXPECT_EQ(strict.differences, 1);
  EXPECT_TRUE(strict.ignored.empty());
  EXPECT_EQ(compare(y, y, literal()).differences, 0);
  EXPECT_EQ(compare(y, r, literal()).differences, 1);
}

TEST(Compare, OnlyTheCommonRangeCounts) {
  const profile hvs1 = p("16223T 16362C", "16024-16365");
  const profile cr = p("16223T 16362C 73G 263G 489C", "16024-576");
  auto c = compare(hvs1, cr);
  EXPECT_EQ(c.differences, 0);
  EXPECT_EQ(c.compared_length, 342);
  EXPECT_EQ(c.verdict, verdict::match);

  // Missing stretches leave the comparison; a difference there is not seen.
  const profile gap = p("16223T 16300N 16362C 73G 263G", "16024-576");
  const profile other = p("16223T 16300G 16362C 73G 263G", "16024-576");
  c = compare(gap, other);
  EXPECT_EQ(c.differences, 0);
  EXPECT_EQ(c.compared_length, 546 + 576 - 1);

  // Wrapped ranges intersect across the origin.
  c = compare(p("16519C 73G", "16500-100"), p("16519C", "16024-576"));
  EXPECT_EQ(c.differences, 1);
  EXPECT_EQ(c.compared_length, 70 + 100);

  const profile far = p("8860G", "8000-9000");
  c = compare(hvs1, far);
  EXPECT_EQ(c.verdict, verdict::no_overlap);
  EXPECT_EQ(c.compared_length, 0);
  EXPECT_EQ(c.differences, 0);
  EXPECT_EQ(compare(p("", "3107"), p("", "3100-3110")).verdict, verdict::no_overlap);  // only the placeholder
}

TEST(Compare, PlaceholderNeverCounts) {
  const profile a = p("3107d 73G", "3000-3200 73");  // HaploGrep's 3107d is notation, not a variant
  const profile b = p("73G", "3000-3200 73");
  auto c = compare(a, b);
  EXPECT_EQ(c.differences, 0);
  EXPECT_EQ(c.compared_length, 201 + 1 - 1);
  profile c1{"x", mtmatch::range::parse("3100-3110"), {mtmatch::variant{3107, mtmatch::variant_kind::substitution, 1, "C", false}}, ""};
  profile c2{"y", mtmatch::range::parse("3100-3110"), {}, ""};
  EXPECT_EQ(compare(c1, c2).differences, 0);
}

TEST(Compare, LengthVariantsIgnoredOrCounted) {
  struct pair_case {
    const char* a;
    const char* b;
    int ignored;  // length variants excused by default (and counted otherwise)
    int counted;  // differences either way
  };
  const pair_case cases[] = {
      {"73G 263G 309.1C 315.1C", "73G 263G 315.1C", 1, 0},
      {"73G 263G 309.1C 309.2C 315.1C", "73G 263G 315.1C", 1, 0},  // CC is one insertion
      {"16189C 16193.1C", "16189C", 1, 0},
      {"16189C 16193.1C", "", 1, 1},  // 16189C itself is a substitution
      {"523-524d", "", 1, 0},
      {"524.1AC", "", 1, 0},
      {"573.1C", "", 1, 0},
      {"309T 310C", "", 2, 0},  // the C-tract boundary shifted: two length variants, not two substitutions
      {"249d", "", 0, 1},       // not a length-variable stretch
      {"8281-8289d", "", 0, 1},
      {"960.1C", "", 0, 1},
      {"16182C 16183C 16189C", "16189C", 0, 2},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(std::string(k.a) + " vs " + k.b);
    const auto by_default = compare(p(k.a), p(k.b));
    EXPECT_EQ(by_default.differences, k.counted);
    EXPECT_EQ(static_cast<int>(by_default.ignored.size()), k.ignored);
    for (const auto& d : by_default.ignored) EXPECT_EQ(d.what, site_difference::kind::length_variant);
    const auto counting = compare(p(k.a), p(k.b), counting_length_variants());
    EXPECT_EQ(counting.differences, k.counted + k.ignored);
    EXPECT_TRUE(counting.ignored.empty());
    // Symmetric.
    EXPECT_EQ(compare(p(k.b), p(k.a)).differences, k.counted);
    EXPECT_EQ(compare(p(k.b), p(k.a), counting_length_variants()).differences, k.counted + k.ignored);
  }
  const auto c = compare(p("73G 309.1C 315.1C"), p("73G 315.1C"));
  ASSERT_EQ(c.ignored.size(), 1u);
  EXPECT_EQ(c.ignored[0].a, "309.1C");
  EXPECT_EQ(c.ignored[0].b, "");
}

TEST(Compare, HugeDeletionsAreCountedWithoutAligningThem) {
  const profile a{"a", mtmatch::range::whole(), {mtmatch::variant{4000, mtmatch::variant_kind::deletion, 6000, "", false}}, ""};
  const profile b = p("");
  const auto c = compare(a, b);
  EXPECT_EQ(c.differences, 1);
  EXPECT_EQ(c.differing[0].position, 4000);
}

TEST(Compare, ThresholdsAreConfigurableAndValidated) {
  const profile a = p("16093C 16223T 16362C");
  const profile b = p("16223T");
  compare_policy lenient;
  lenient.inconclusive_at = 2;
  lenient.exclusion_at = 3;
  EXPECT_EQ(compare(a, b).verdict, verdict::exclusion);  // 2 differences
  EXPECT_EQ(compare(a, b, lenient).verdict, verdict::inconclusive);
  lenient.exclusion_at = 5;
  lenient.inconclusive_at = 3;
  EXPECT_EQ(compare(a, b, lenient).verdict, verdict::match);
  compare_policy zero;
  zero.inconclusive_at = 0;
  zero.exclusion_at = 0;
  EXPECT_EQ(compare(b, b, zero).verdict, verdict::exclusion);

  compare_policy bad;
  bad.inconclusive_at = 3;
  bad.exclusion_at = 2;
  EXPECT_THROW(bad.validate(), mtmatch::error);
  EXPECT_THROW((void)compare(a, b, bad), mtmatch::error);
  bad.inconclusive_at = -1;
  bad.exclusion_at = 2;
  EXPECT_THROW(bad.validate(), mtmatch::error);
  EXPECT_NO_THROW(compare_policy{}.validate());
  EXPECT_STREQ(mtmatch::to_string(verdict::match), "match");
  EXPECT_STREQ(mtmatch::to_string(verdict::inconclusive), "inconclusive");
  EXPECT_STREQ(mtmatch::to_string(verdict::exclusion), "exclusion");
  EXPECT_STREQ(mtmatch::to_string(verdict::no_overlap), "no_overlap");
}

TEST(Compare, AlignmentContextCannotSplitOneEvent) {
  // Each pair differs by one real event next to indels whose canonical places shift with it.
  const std::pair<const char*, const char*> pairs[] = {
      {"16189C 16193.1C", "16189C 16193.1C 16194G"},
      {"249d 263G", "248G 249d 263G"},
      {"8281-8289d", "8281-8289d 8290A"},
      {"8281-8289d", "8280G 8281-8289d"},
      {"523-524d 16519C", "522-524d 16519C"},     // the AC deletion lengthened by one base
      {"456d", "455d 456d"},                      // one T and one C lost: one 2-bp deletion
      {"960.1C", "960.1C 961C"},                // fuses the two C-tracts: one substitution
  };
  for (const auto& [x, y] : pairs) {
    SCOPED_TRACE(std::string(x) + " vs " + y);
    EXPECT_EQ(compare(p(x), p(y), counting_length_variants()).differences, 1);
    EXPECT_EQ(compare(p(y), p(x), counting_length_variants()).differences, 1);
  }
}

TEST(Compare, EquivalentSpellingsNeverDiffer) {
  std::mt19937_64 rng(99);
  const char* profiles[] = {"16129A 16223T 16297C 73G 150T 199C 263G 309.1C 315.1C 489C",
                            "16183C 16189C 16193.1C 16217C 73G 263G 8281-8289d 309.1C 309.2C 315.1C",
                            "16093Y 16189C 16193.1C 73G 152C 263G 315.1C 523-524d",
                            "16223T 73G 263G 309T 310C 16519C"};
  for (const char* text : profiles) {
    const profile a = p(text);
    for (int k = 0; k < 50; ++k) {
      const std::string again = mtmatch::rewrite_equivalent(a.coverage, a.variants, rng);
      const auto c = compare(a, p(again));
      EXPECT_EQ(c.differences, 0) << again;
      EXPECT_TRUE(c.ignored.empty()) << again;
    }
  }
}

}  // namespace
