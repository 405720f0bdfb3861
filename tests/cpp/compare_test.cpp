#include "mtmatch/compare.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "mtmatch/error.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/notation.hpp"
#include "mtmatch/profile.hpp"
#include "mtmatch/reference.hpp"
#include "mtmatch/rewrite.hpp"

namespace {

using mtmatch::compare;
using mtmatch::compare_policy;
using mtmatch::profile;
using mtmatch::range;
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
      // Two C-tracts of other lengths: their two length variants, not a moved T (issue 3).
      {"309.1C 309.2C", "315.1C", 2, 0},
      {"73G 263G 309.1C 309.2C", "73G 263G 315.1C", 2, 0},
      {"573.1C 573.2C", "573.1C", 1, 0},
      {"523-524d", "524.1AC", 1, 0},
      {"16189C 16193.1CC", "16189C 16188d", 1, 0},
      {"16188T", "16188T 16187d", 1, 0},  // a C fewer next to a substitution
      {"16223T 16224C", "", 0, 2},         // substitutions outside the stretches stay two
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

TEST(Compare, TwoCTractsOfOtherLengthsListTheirLengthVariants) {
  // C9·T·C5 against C7·T·C6: the cheapest reading in bases is a moved T (a substitution and a
  // deletion of the T); as length variants, each one event, the two differ only in tract lengths.
  const auto c = compare(p("309.1C 309.2C"), p("315.1C"));
  EXPECT_EQ(c.differences, 0);
  EXPECT_EQ(c.verdict, verdict::match);
  ASSERT_EQ(c.ignored.size(), 2u);
  EXPECT_EQ(c.ignored[0].position, 309);
  EXPECT_EQ(c.ignored[0].a, "309.1C 309.2C");
  EXPECT_EQ(c.ignored[0].b, "");
  EXPECT_EQ(c.ignored[1].position, 315);
  EXPECT_EQ(c.ignored[1].a, "");
  EXPECT_EQ(c.ignored[1].b, "315.1C");
  for (const auto& d : c.ignored) EXPECT_EQ(d.what, site_difference::kind::length_variant);
  const auto back = compare(p("315.1C"), p("309.1C 309.2C"));
  EXPECT_EQ(back.differences, 0);
  ASSERT_EQ(back.ignored.size(), 2u);
  EXPECT_EQ(back.ignored[0].b, "309.1C 309.2C");
  EXPECT_EQ(back.ignored[1].a, "315.1C");
  // Counted, they are the same two events.
  const auto counted = compare(p("309.1C 309.2C"), p("315.1C"), counting_length_variants());
  EXPECT_EQ(counted.differences, 2);
  EXPECT_EQ(counted.verdict, verdict::exclusion);
  ASSERT_EQ(counted.differing.size(), 2u);
  EXPECT_EQ(counted.differing[0].position, 309);
  EXPECT_EQ(counted.differing[0].a, "309.1C 309.2C");
  EXPECT_EQ(counted.differing[1].position, 315);
  EXPECT_EQ(counted.differing[1].b, "315.1C");
  // The other pairs of the issue, each one length variant with both sides written out.
  const std::array<std::array<const char*, 4>, 3> pairs{{{"16189C 16193.1C", "16189C", "16193.1C", ""},
                                                          {"573.1C 573.2C", "573.1C", "573.1C 573.2C", "573.1C"},
                                                          {"523-524d", "524.1AC", "523d 524d", "524.1A 524.2C"}}};
  for (const auto& [a, b, in_a, in_b] : pairs) {
    SCOPED_TRACE(std::string(a) + " vs " + b);
    const auto x = compare(p(a), p(b));
    EXPECT_EQ(x.differences, 0);
    ASSERT_EQ(x.ignored.size(), 1u);
    EXPECT_EQ(x.ignored[0].a, in_a);
    EXPECT_EQ(x.ignored[0].b, in_b);
    EXPECT_EQ(compare(p(a), p(b), counting_length_variants()).differences, 1);
  }
}

TEST(Compare, OnlyRepeatUnitsAreLengthVariants) {
  // An A put into the C-tract is a difference, not length variation.
  const auto c = compare(p("16193.1C"), p("16192.1A"));
  EXPECT_EQ(c.differences, 1);
  EXPECT_EQ(compare(p(""), p("16192.1A")).differences, 1);
  // The T between the two C-tracts lost: a difference (the old reading excused it by position).
  EXPECT_EQ(compare(p("310d"), p("")).differences, 1);
  // A whole run of C's more at once is one length variant.
  EXPECT_EQ(compare(p("16189C 16193.1CCCCCC"), p("16189C")).differences, 0);
  EXPECT_EQ(compare(p("16189C 16193.1CCCCCC"), p("16189C"), counting_length_variants()).differences, 1);
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

// --- property: length variation on one side only is never a difference ----------------------------

// Seeded; MTMATCH_PROPERTY_SEED / MTMATCH_PROPERTY_ITERATIONS override (as in normalize_test).
std::uint64_t property_seed(std::uint64_t fallback) {
  const char* text = std::getenv("MTMATCH_PROPERTY_SEED");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : fallback;
}
int property_iterations(int fallback) {
  const char* text = std::getenv("MTMATCH_PROPERTY_ITERATIONS");
  return text != nullptr ? std::atoi(text) : fallback;
}

// The runs whose length varies: the C-tracts (16189C fuses the two at 16184-16193, 310C those at
// 303-315) and the AC units of 515-524.
struct tract {
  int first;
  int last;
  bool ac;  // AC units rather than C's
};
constexpr std::array<tract, 6> tracts{{{303, 309, false},
                                       {311, 315, false},
                                       {16184, 16188, false},
                                       {16190, 16193, false},
                                       {568, 573, false},
                                       {515, 524, true}}};

class length_property {
 public:
  explicit length_property(std::uint64_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // A random profile over a range that covers the tracts: haplogroup-like substitutions anywhere
  // except right at the tracts (16189C and 310C, which fuse tracts, sometimes), length variants
  // already there, a few other indels. Nothing of its own lengthens a tract's repeat past the
  // stretch (525A 526C would carry the AC repeat to 526: a unit more is then no length variant),
  // so other variants keep a few bases away, indels (which canonical form may turn into nearby
  // substitutions) further.
  profile random_profile() {
    static const char* ranges[] = {"16024-576", "1-16569", "16024-576", "16000-600 8000-9000"};
    const range coverage = range::parse(ranges[uniform(0, 3)]);
    const std::string_view genome = mtmatch::rcrs().bases();
    std::vector<mtmatch::variant> raw;
    auto near = [](int pos, int margin) {
      for (const auto& t : tracts) {
        if (pos >= t.first - margin && pos <= t.last + margin) return true;
      }
      return pos >= 16180 - margin && pos <= 16195 + margin;
    };
    auto near_tract = [&](int pos) { return near(pos, 2); };
    auto random_position = [&] {
      const auto& pieces = coverage.intervals();
      const auto& piece = pieces[static_cast<std::size_t>(uniform(0, static_cast<int>(pieces.size()) - 1))];
      return uniform(piece.first, piece.last);
    };
    const int subs = uniform(0, 25);
    for (int k = 0; k < subs; ++k) {
      const int pos = random_position();
      if (near_tract(pos) || pos == 3107) continue;
      if (std::any_of(raw.begin(), raw.end(), [&](const mtmatch::variant& w) { return w.position == pos; })) continue;
      const char ref = genome[static_cast<std::size_t>(pos - 1)];
      char b = ref;
      while (b == ref) b = "ACGT"[uniform(0, 3)];
      raw.push_back(mtmatch::variant{pos, mtmatch::variant_kind::substitution, 1, std::string(1, b), false});
    }
    if (chance(0.4)) raw.push_back(mtmatch::variant{16189, mtmatch::variant_kind::substitution, 1, "C", false});
    if (chance(0.1)) raw.push_back(mtmatch::variant{310, mtmatch::variant_kind::substitution, 1, "C", false});
    static const std::vector<std::vector<const char*>> lengths = {
        {"315.1C"}, {"309.1C", "309.1CC"}, {"16193.1C", "16188d"}, {"573.1C"}, {"523-524d", "524.1AC"}};
    std::string text;
    for (const auto& one_of : lengths) {
      if (!chance(0.3)) continue;
      text += std::string(" ") + one_of[static_cast<std::size_t>(uniform(0, static_cast<int>(one_of.size()) - 1))];
    }
    for (auto& v : mtmatch::parse_variants(text, range::whole()).variants) {
      if (std::none_of(raw.begin(), raw.end(), [&](const mtmatch::variant& w) { return w.position == v.position; })) {
        raw.push_back(std::move(v));
      }
    }
    const int others = uniform(0, 2);  // indels away from the tracts
    for (int k = 0; k < others; ++k) {
      const int pos = random_position();
      if (near(pos, 12) || std::abs(pos - 3107) < 5 || !coverage.contains_all(pos, pos + 3)) continue;
      auto close = [&](const mtmatch::variant& w) { return std::abs(w.position - pos) < 5; };
      if (std::any_of(raw.begin(), raw.end(), close)) continue;
      if (chance(0.5)) {
        raw.push_back(mtmatch::variant{pos, mtmatch::variant_kind::deletion, uniform(1, 3), "", false});
      } else {
        const std::string base(1, "ACGT"[uniform(0, 3)]);
        raw.push_back(mtmatch::variant{pos, mtmatch::variant_kind::insertion, 1, base, false});
      }
    }
    std::sort(raw.begin(), raw.end());
    return profile{"a", coverage, mtmatch::canonicalize(coverage, raw), ""};
  }

  // `a` with C's (AC units) added or removed in 1-3 tracts, each keeping at least one; written as raw
  // variants next to a's own where they touch nothing of a's, then canonicalised.
  profile change_lengths(const profile& a) {
    std::vector<mtmatch::variant> raw = a.variants;
    std::vector<int> used;  // positions a's variants or earlier edits touch
    for (const auto& v : a.variants) {
      const int last = v.kind == mtmatch::variant_kind::insertion ? v.position : v.last();
      for (int x = v.position - 1; x <= last + 1; ++x) used.push_back(x);
    }
    auto free = [&](int x) { return std::find(used.begin(), used.end(), x) == used.end(); };
    const int edits = uniform(1, 3);
    for (int e = 0; e < edits; ++e) {
      const tract& t = tracts[static_cast<std::size_t>(uniform(0, static_cast<int>(tracts.size()) - 1))];
      if (!a.coverage.contains_all(t.first - 1, t.last + 1)) continue;
      const int unit = t.ac ? 2 : 1;
      const int units = (t.last - t.first + 1) / unit;
      const int u = uniform(0, units - 1);
      const int first = t.first + u * unit;  // the unit's first base
      const int last = first + unit - 1;
      bool untouched = true;
      for (int x = first; x <= last; ++x) untouched = untouched && free(x);
      if (!untouched) continue;
      const int copies = uniform(1, 3);
      if (chance(0.5)) {  // more copies, after this unit
        std::string bases;
        for (int c = 0; c < copies; ++c) bases += t.ac ? "AC" : "C";
        const auto length = static_cast<int>(bases.size());
        raw.push_back(mtmatch::variant{last, mtmatch::variant_kind::insertion, length, bases, false});
      } else {  // fewer: this unit and the next ones while untouched, never all of the tract
        int n = 1;
        while (n < copies && u + n < units - 1 && free(last + n * unit) && free(last + n * unit - unit + 1)) ++n;
        if (u + n >= units) continue;
        raw.push_back(mtmatch::variant{first, mtmatch::variant_kind::deletion, n * unit, "", false});
      }
      for (int x = first - 1; x <= last + copies * unit + 1; ++x) used.push_back(x);
    }
    std::sort(raw.begin(), raw.end());
    return profile{"b", a.coverage, mtmatch::canonicalize(a.coverage, raw), ""};
  }

 private:
  std::mt19937_64 rng_;
};

TEST(CompareProperty, LengthVariationOnOneSideIsNeverADifference) {
  length_property gen(property_seed(315));
  const int iterations = property_iterations(1500);
  int changed = 0;
  for (int iteration = 0; iteration < iterations; ++iteration) {
    const profile a = gen.random_profile();
    const profile b = gen.change_lengths(a);
    std::string text;
    for (const auto& v : a.variants) text += " " + mtmatch::to_compact_string(v);
    text += " |";
    for (const auto& v : b.variants) text += " " + mtmatch::to_compact_string(v);
    SCOPED_TRACE("iteration " + std::to_string(iteration) + " range " + a.coverage.to_string() + ":" + text);
    const bool differ = mtmatch::reconstruct(a.coverage, a.variants) != mtmatch::reconstruct(b.coverage, b.variants);
    for (const auto* order : {&a, &b}) {
      const profile& x = *order;
      const profile& y = order == &a ? b : a;
      const auto by_default = compare(x, y);
      ASSERT_EQ(by_default.differences, 0);
      ASSERT_EQ(by_default.verdict, verdict::match);
      for (const auto& d : by_default.ignored) {
        ASSERT_EQ(d.what, site_difference::kind::length_variant);
        ASSERT_FALSE(d.a.empty() && d.b.empty()) << d.position;  // readable: some variant is named
      }
      const auto counting = compare(x, y, counting_length_variants());
      if (differ) {
        ASSERT_GE(counting.differences, 1);
        ASSERT_EQ(counting.differences, static_cast<int>(by_default.ignored.size()));
      } else {
        ASSERT_EQ(counting.differences, 0);
      }
    }
    changed += differ ? 1 : 0;
  }
  EXPECT_GT(changed, iterations / 2);
}

}  // namespace
