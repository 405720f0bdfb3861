// The engine's bound on shifted readings (src/detail/shift_chains.hpp) against compare() itself.
#include "detail/shift_chains.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <vector>

#include "engine_fixtures.hpp"
#include "mtmatch/compare.hpp"
#include "mtmatch/encode.hpp"

namespace {

using mtmatch::detail::tight_reach;
using mtmatch::profile;
using mtmatch::variant;

// rCRS 16180-16196 is AAAACCCCCTCCCCATG, 510-530 CCAGCACACACACACCGCTGC.
TEST(TightReach, FollowsTheRunsOfTheRcrs) {
  const tight_reach& r = tight_reach::rcrs();
  // from 16183 a shift by one or two runs through the C run up to the T at 16189
  EXPECT_EQ(r.reach(16183), 6);
  EXPECT_TRUE(r.reaches(16183, 16189));
  EXPECT_FALSE(r.reaches(16183, 16190));
  // the AC repeat: period 2 carries a shift from 513 to 525
  EXPECT_EQ(r.reach(513), 12);
  EXPECT_TRUE(r.reaches(513, 525));
  EXPECT_FALSE(r.reaches(513, 526));
  EXPECT_FALSE(r.reaches(513, 513));
  // every position reaches the next three (no break fits between), and the genome is circular
  for (std::int32_t p : {1, 100, 3106, 8000, 16569}) {
    EXPECT_GE(r.reach(p), 3) << p;
    EXPECT_TRUE(r.reaches(p, p % 16569 + 1)) << p;
  }
  EXPECT_TRUE(r.reaches(16569, 1));
}

// Positions a variant changes (insertions: both bases around it), as the bound reads them.
std::vector<std::int32_t> touched(const variant& v) {
  std::vector<std::int32_t> out;
  const std::int32_t last = v.kind == mtmatch::variant_kind::insertion ? v.position + 1 : v.last();
  for (std::int32_t t = v.position; t <= last; ++t) out.push_back(t > 16569 ? t - 16569 : t);
  return out;
}

// The claim the engine rests on, checked on pairs built to be re-read: compare() counts at least
// (differing substitution sites) - max(0, links - 1), where links are the differing substitutions
// with a variant of either profile within their tight reach.
TEST(ShiftChains, BoundHoldsForCompare) {
  const tight_reach& r = tight_reach::rcrs();
  engine_fixtures::crowded_profiles gen(7, false);
  std::vector<profile> ps;
  for (int i = 0; i < 400; ++i) ps.push_back(gen.individual("P" + std::to_string(i)));
  int pairs = 0;
  int reread = 0;
  for (std::size_t i = 0; i < ps.size(); ++i)
    for (std::size_t j = i + 1; j < ps.size(); ++j) {
      const profile& a = ps[i];
      const profile& b = ps[j];
      if (a.coverage != b.coverage) continue;
      std::vector<variant> differ;
      std::set_symmetric_difference(a.variants.begin(), a.variants.end(), b.variants.begin(), b.variants.end(),
                                    std::back_inserter(differ));
      // substitutions only, away from the length-variable stretches, no heteroplasmy: the rest
      // carries slack of its own (encode.hpp), which the engine subtracts before this bound
      if (std::any_of(differ.begin(), differ.end(), [](const variant& v) {
            return v.is_indel() || mtmatch::iupac::is_ambiguous(v.bases[0]) || mtmatch::near_length_stretch(v.position, v.last());
          }))
        continue;
      std::set<std::int32_t> sites;
      for (const variant& v : differ) sites.insert(v.position);
      std::set<std::int32_t> positions;
      for (const profile* p : {&a, &b})
        for (const variant& v : p->variants)
          for (std::int32_t t : touched(v)) positions.insert(t);
      int links = 0;
      for (const variant& x : differ)
        for (std::int32_t t : positions)
          if (r.reaches(x.position, t)) {
            ++links;
            break;
          }
      const int d = mtmatch::compare(a, b).differences;
      const int sites_n = static_cast<int>(sites.size());
      EXPECT_GE(d, sites_n - std::max(0, links - 1)) << a.canonical() << " | " << b.canonical();
      ++pairs;
      reread += d < sites_n ? 1 : 0;
    }
  EXPECT_GT(pairs, 5000);
  EXPECT_GT(reread, 20);  // the data holds real re-readings, so the bound is put to the test
}

// The per-haplotype masks say the same as the definition, for every haplotype of a store.
TEST(ShiftChains, MasksMatchTheDefinition) {
  engine_fixtures::crowded_profiles gen(8);
  engine_fixtures::random_profiles scattered(9);  // many more columns: a tail beyond the core
  std::vector<profile> ps;
  for (int i = 0; i < 300; ++i) ps.push_back(gen.individual("P" + std::to_string(i)));
  for (int i = 0; i < 300; ++i) ps.push_back(scattered.random_profile(mtmatch::range::whole(), 12, "S" + std::to_string(i)));
  mtmatch::encode_options small;
  small.dense_bits = 512;  // leaves a tail, so both paths are exercised
  const auto sides = mtmatch::encode(ps, ps, small);
  const auto& dict = *sides.dictionary;
  const mtmatch::detail::chain_masks masks(dict, sides.remains);
  const tight_reach& r = tight_reach::rcrs();
  int with_tail = 0;
  for (std::uint32_t h = 0; h < sides.remains.haplotypes(); ++h) {
    const std::vector<std::uint32_t> cols = sides.remains.columns(h);
    for (std::uint32_t c = 0; c < dict.dense_columns(); ++c) {
      bool want = false;
      if (!dict.column(c).value.is_indel())
        for (std::uint32_t v : cols)
          for (std::int32_t t : touched(dict.column(v).value)) want = want || r.reaches(dict.column(c).first, t);
      const bool got = (masks.link(h, c / 64) >> (c % 64) & 1U) != 0;
      ASSERT_EQ(got, want) << "haplotype " << h << " column " << mtmatch::to_string(dict.column(c).value);
    }
    const auto tail = sides.remains.tail(h);
    const bool has_tail_substitution =
        std::any_of(tail.begin(), tail.end(), [&](std::uint32_t id) { return !dict.column(id).value.is_indel(); });
    EXPECT_EQ(masks.has_tail_substitution(h), has_tail_substitution);
    with_tail += has_tail_substitution ? 1 : 0;
    // tail reach: the core columns touching a position within reach of one of h's tail substitutions
    for (std::uint32_t c = 0; c < dict.dense_columns(); ++c) {
      bool want = false;
      for (std::uint32_t x : tail)
        if (!dict.column(x).value.is_indel())
          for (std::int32_t t : touched(dict.column(c).value)) want = want || r.reaches(dict.column(x).first, t);
      const bool got = (masks.tail_reach(h, c / 64) >> (c % 64) & 1U) != 0;
      ASSERT_EQ(got, want) << "haplotype " << h << " column " << mtmatch::to_string(dict.column(c).value);
    }
    bool self = false;
    for (std::uint32_t x : tail)
      if (!dict.column(x).value.is_indel())
        for (std::uint32_t v : cols)
          if (v != x)
            for (std::int32_t t : touched(dict.column(v).value)) self = self || r.reaches(dict.column(x).first, t);
    EXPECT_EQ(masks.tail_self(h), self) << "haplotype " << h;
  }
  EXPECT_GT(with_tail, 0);

  // The hashed position sets never miss a tail-against-tail link (they may only report extra ones),
  // and bit 0 carries tail_self.
  mtmatch::detail::chain_masks::query_buffers two(2, dict.dense_words());
  int linked_pairs = 0;
  for (std::uint32_t h1 = 0; h1 < sides.remains.haplotypes(); ++h1) {
    masks.copy_query(h1, 0, two);
    EXPECT_EQ(two.tail_touched[0] & 1U, 1U);
    EXPECT_EQ((two.tail_reached[0] & 1U) != 0, masks.tail_self(h1));
    for (std::uint32_t h2 = 0; h2 < sides.remains.haplotypes(); ++h2) {
      if (!mtmatch::detail::tails_linked(dict, sides.remains.tail(h1), sides.remains.tail(h2))) continue;
      masks.copy_query(h2, 1, two);
      ++linked_pairs;
      EXPECT_NE((two.tail_reached[0] & two.tail_touched[1] & ~std::uint64_t{1}) |
                    (two.tail_reached[1] & two.tail_touched[0] & ~std::uint64_t{1}),
                0U)
          << h1 << " " << h2;
    }
  }
  EXPECT_GT(linked_pairs, 0);
}

}  // namespace
