#include "mtmatch/range.hpp"

#include <gtest/gtest.h>

#include <random>

namespace {

using mtmatch::interval;
using mtmatch::range;

TEST(Range, ParsesHaploGrepEmpopAndWrappingForms) {
  const range cr({interval{16024, 16569}, interval{1, 576}});
  EXPECT_EQ(range::parse("16024-16569;1-576;"), cr);
  EXPECT_EQ(range::parse("16024-16569 ; 1-576 ;"), cr);
  EXPECT_EQ(range::parse("\"16024-16569 ; 1-576 ;\""), cr);
  EXPECT_EQ(range::parse("16024-576"), cr);
  EXPECT_EQ(range::parse("1-576 16024-16569"), cr);
  EXPECT_EQ(range::parse("ALL"), range::whole());
  EXPECT_EQ(range::parse("1-16569"), range::whole());
  EXPECT_EQ(range::parse("16024-16365 73-340"), range({interval{73, 340}, interval{16024, 16365}}));
  range with_points = range::parse("16024-16569;1-576;2092;3552;8281-8289;");
  EXPECT_EQ(with_points.intervals().size(), 5u);
  EXPECT_EQ(with_points.length(), 546 + 576 + 1 + 1 + 9);
  EXPECT_EQ(with_points.to_string(), "1-576;2092;3552;8281-8289;16024-16569");
}

TEST(Range, MergesOverlapsAndNeighbours) {
  EXPECT_EQ(range::parse("1-100;50-200;201-300"), range({interval{1, 300}}));
  EXPECT_EQ(range::parse("10;11;12"), range({interval{10, 12}}));
}

TEST(Range, ContainsAndInsertionRule) {
  range r = range::parse("16024-576");
  EXPECT_TRUE(r.contains(16024));
  EXPECT_TRUE(r.contains(16569));
  EXPECT_TRUE(r.contains(1));
  EXPECT_TRUE(r.contains(576));
  EXPECT_FALSE(r.contains(577));
  EXPECT_FALSE(r.contains(16023));
  EXPECT_TRUE(r.contains_insertion(16569));  // 16569 is followed by 1
  EXPECT_FALSE(r.contains_insertion(576));
  EXPECT_FALSE(r.contains_insertion(16023));
  range single = range::parse("489");
  EXPECT_TRUE(single.contains(489));
  EXPECT_FALSE(single.contains_insertion(489));  // EMPOP: 489.1 is not inside range 489
  EXPECT_TRUE(range::parse("489-490").contains_insertion(489));
  EXPECT_TRUE(r.contains_all(16100, 16200));
  EXPECT_FALSE(r.contains_all(500, 600));
}

// Oracle: membership arrays over 1..16569.
TEST(Range, IntersectAndWithoutAgreeWithPositionSets) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pos(1, 16569);
  for (int trial = 0; trial < 200; ++trial) {
    auto random_range = [&] {
      std::vector<interval> pieces;
      int n = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < n; ++k) {
        int a = pos(rng), b = pos(rng);
        pieces.push_back({std::min(a, b), std::max(a, b)});
      }
      return range(pieces);
    };
    range a = random_range(), b = random_range();
    // the overload that writes into a range already holding another one gives the same
    range reused = random_range();
    a.intersect(b, reused);
    EXPECT_EQ(reused, a.intersect(b));
    int cut_a = pos(rng), cut_b = pos(rng);
    int cut_first = std::min(cut_a, cut_b), cut_last = std::max(cut_a, cut_b);
    range both = a.intersect(b);
    range cut = a.without(cut_first, cut_last);
    int both_count = 0, cut_count = 0;
    for (int p = 1; p <= 16569; ++p) {
      bool in_both = a.contains(p) && b.contains(p);
      bool in_cut = a.contains(p) && (p < cut_first || p > cut_last);
      ASSERT_EQ(both.contains(p), in_both) << p;
      ASSERT_EQ(cut.contains(p), in_cut) << p;
      both_count += in_both;
      cut_count += in_cut;
    }
    EXPECT_EQ(both.length(), both_count);
    EXPECT_EQ(cut.length(), cut_count);
    EXPECT_EQ(range::parse(a.to_string()), a);
  }
}

TEST(Range, ErrorsNameTheColumnAndThePiece) {
  try {
    (void)range::parse("16024-16569;1-16570", {"x.hsd", 4, 10, ""});
    FAIL();
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().file, "x.hsd");
    EXPECT_EQ(e.where().line, 4u);
    EXPECT_EQ(e.where().column, 22u);
    EXPECT_EQ(e.where().token, "1-16570");
    EXPECT_NE(std::string(e.what()).find("16570 outside 1-16569"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)range::parse("abc"), mtmatch::error);
  EXPECT_THROW((void)range::parse("0-100"), mtmatch::error);
  EXPECT_THROW((void)range::parse(""), mtmatch::error);
  EXPECT_THROW((void)range::parse("12-"), mtmatch::error);
  EXPECT_THROW(range({interval{20, 10}}), mtmatch::error);
}

}  // namespace
