// Every kernel build the CPU can run against a naive bit-by-bit oracle.
#include "mtmatch/isa.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "mtmatch/detail/kernels.hpp"
#include "mtmatch/error.hpp"

namespace {

using mtmatch::isa;
using mtmatch::detail::block_rows;

// 64-byte aligned storage for block-interleaved rows.
struct aligned_words {
  explicit aligned_words(std::size_t n) : size(n), data(static_cast<std::uint64_t*>(::operator new[](n * 8, std::align_val_t{64}))) {}
  ~aligned_words() { ::operator delete[](data, std::align_val_t{64}); }
  aligned_words(const aligned_words&) = delete;
  aligned_words& operator=(const aligned_words&) = delete;
  std::size_t size;
  std::uint64_t* data;
};

// Sparse-ish random words, like variant bitsets, with some dense ones to reach high counts.
std::uint64_t random_word(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return 0;
    case 1: return rng() & rng() & rng();
    case 2: return rng();
    default: return ~std::uint64_t{0} ^ (std::uint64_t{1} << (rng() % 64));
  }
}

// Bits set in (a XOR b) AND mask, or in a AND b AND mask (`shared`), one by one.
int oracle_count(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                 const std::vector<std::uint64_t>& mask, bool shared = false) {
  int n = 0;
  for (std::size_t w = 0; w < a.size(); ++w)
    for (int bit = 0; bit < 64; ++bit)
      if ((((shared ? a[w] & b[w] : a[w] ^ b[w]) & mask[w]) >> bit) & 1U) ++n;
  return n;
}

// count_tile, or count_shared_tile when `shared`, against the oracle.
void check_kernel(isa level, std::size_t words, std::size_t n_queries, std::size_t n_rows, std::uint64_t seed,
                  bool shared = false) {
  std::mt19937_64 rng(seed);
  const std::size_t n_blocks = (n_rows + block_rows - 1) / block_rows;
  std::vector<std::vector<std::uint64_t>> rows(n_blocks * block_rows, std::vector<std::uint64_t>(words));
  for (auto& row : rows)
    for (auto& w : row) w = random_word(rng);
  aligned_words blocks(n_blocks * words * block_rows);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t w = 0; w < words; ++w) blocks.data[(r / block_rows * words + w) * block_rows + r % block_rows] = rows[r][w];
  std::vector<std::uint64_t> queries(n_queries * words);
  for (auto& w : queries) w = random_word(rng);

  // A plan: some words skipped, some full, some through a random mask, in a shuffled order.
  std::vector<std::uint32_t> full;
  std::vector<std::uint32_t> edge;
  std::vector<std::uint64_t> edge_mask;
  std::vector<std::uint64_t> mask(words, 0);
  for (std::uint32_t w = 0; w < words; ++w) {
    switch (rng() % 4) {
      case 0: break;
      case 1: edge.push_back(w); edge_mask.push_back(mask[w] = rng()); break;
      default: full.push_back(w); mask[w] = ~std::uint64_t{0}; break;
    }
  }
  std::shuffle(full.begin(), full.end(), rng);
  mtmatch::detail::word_plan plan{full.data(), full.size(), edge.data(), edge_mask.data(), edge.size()};

  const std::size_t stride = n_blocks * block_rows + 3;
  std::vector<std::uint16_t> out(n_queries * stride, 0xFFFF);
  if (shared) {
    mtmatch::detail::dispatch(level, mtmatch::detail::count_shared_tile{}, queries.data(), n_queries, words, blocks.data,
                              n_blocks, plan, out.data(), stride);
  } else {
    mtmatch::detail::dispatch(level, mtmatch::detail::count_tile{}, queries.data(), n_queries, words, blocks.data,
                              n_blocks, plan, out.data(), stride);
  }
  for (std::size_t q = 0; q < n_queries; ++q) {
    std::vector<std::uint64_t> query(queries.begin() + static_cast<std::ptrdiff_t>(q * words),
                                     queries.begin() + static_cast<std::ptrdiff_t>((q + 1) * words));
    for (std::size_t r = 0; r < rows.size(); ++r)
      ASSERT_EQ(out[q * stride + r], oracle_count(query, rows[r], mask, shared))
          << mtmatch::to_string(level) << " words=" << words << " query " << q << " row " << r;
    for (std::size_t r = rows.size(); r < stride; ++r) ASSERT_EQ(out[q * stride + r], 0xFFFF) << "wrote past the rows";
  }
}

// What check_link_bound saw: pairs that were tail-linked, pairs passed on unread (their block
// skipped), pairs above skip_above that their allowance brought back (they must be lowered).
struct link_bound_seen {
  std::size_t tail_linked = 0;
  std::size_t passed_on = 0;
  std::size_t allowed_back = 0;
};

// link_bound against the bit-by-bit oracle: counts lowered by max(links - 1, 0), saturating at 0,
// links = core links + (tail-linked ? both tail weights : 0); where that is above 0, plus the bits
// the two tail signatures do not share inside the mask. With `far`, most counts lie above
// one skip_above for all queries, so that whole blocks are skipped unless a row's allowance brings
// it back.
link_bound_seen check_link_bound(isa level, std::size_t words, std::size_t n_queries, std::size_t n_rows, std::uint64_t seed,
                                 bool far) {
  std::mt19937_64 rng(seed);
  const std::size_t n_blocks = (n_rows + block_rows - 1) / block_rows;
  const std::size_t n_padded = n_blocks * block_rows;
  auto random_rows = [&](std::size_t n, bool sparse) {
    std::vector<std::vector<std::uint64_t>> out(n, std::vector<std::uint64_t>(words));
    for (auto& row : out)
      for (auto& w : row) w = sparse ? (rng() % 8 == 0 ? std::uint64_t{1} << (rng() % 64) : 0) : random_word(rng);
    return out;
  };
  // one side's arrays in the layout detail::link_side describes
  struct side {
    std::vector<std::vector<std::uint64_t>> codes, links, reach;
    std::vector<std::uint16_t> weight;
    std::vector<std::uint64_t> touched, reached, sig;
  };
  auto random_side = [&](std::size_t n) {
    side x{random_rows(n, false), random_rows(n, false), random_rows(n, true), {}, {}, {}, {}};
    for (std::size_t i = 0; i < n; ++i) {
      x.weight.push_back(static_cast<std::uint16_t>(rng() % 3 == 0 ? rng() % 4 : 0));
      x.touched.push_back(1 | (rng() % 4 == 0 ? std::uint64_t{2} << (rng() % 63) : 0));
      x.reached.push_back((rng() % 6 == 0 ? 1 : 0) | (rng() % 4 == 0 ? std::uint64_t{2} << (rng() % 63) : 0));
      // tail signatures: none, a few bits, or dense
      x.sig.push_back(rng() % 3 == 0 ? 0 : rng() % 3 == 0 ? random_word(rng) : (std::uint64_t{1} << (rng() % 64)) | (std::uint64_t{1} << (rng() % 64)));
    }
    return x;
  };
  const side rows = random_side(n_padded);
  const side queries = random_side(n_queries);
  auto interleave = [&](const std::vector<std::vector<std::uint64_t>>& m) {
    auto blocks = std::make_unique<aligned_words>(n_blocks * words * block_rows);
    for (std::size_t r = 0; r < n_padded; ++r)
      for (std::size_t w = 0; w < words; ++w) blocks->data[(r / block_rows * words + w) * block_rows + r % block_rows] = m[r][w];
    return blocks;
  };
  auto flatten = [&](const std::vector<std::vector<std::uint64_t>>& m) {
    std::vector<std::uint64_t> out;
    for (const auto& row : m) out.insert(out.end(), row.begin(), row.end());
    return out;
  };
  const auto row_codes = interleave(rows.codes);
  const auto row_links = interleave(rows.links);
  const auto row_reach = interleave(rows.reach);
  const auto query_codes = flatten(queries.codes);
  const auto query_links = flatten(queries.links);
  const auto query_reach = flatten(queries.reach);
  const mtmatch::detail::link_side query_side{query_codes.data(), query_links.data(), query_reach.data(),   queries.weight.data(),
                                              queries.touched.data(), queries.reached.data(), queries.sig.data()};
  const mtmatch::detail::link_side row_side{row_codes->data,   row_links->data,     row_reach->data, rows.weight.data(),
                                            rows.touched.data(), rows.reached.data(), rows.sig.data()};
  const std::uint64_t sig_mask = rng() % 4 == 0 ? 0 : rng() % 2 == 0 ? ~std::uint64_t{0} : random_word(rng);
  // every word read through a mask, some words left out, in a shuffled order
  std::vector<std::uint32_t> edge;
  std::vector<std::uint64_t> mask(words, 0);
  for (std::uint32_t w = 0; w < words; ++w)
    if (rng() % 5 != 0) {
      edge.push_back(w);
      mask[w] = rng() % 3 == 0 ? ~std::uint64_t{0} : rng();
    }
  std::shuffle(edge.begin(), edge.end(), rng);
  std::vector<std::uint64_t> edge_mask;
  for (std::uint32_t w : edge) edge_mask.push_back(mask[w]);
  mtmatch::detail::word_plan plan{nullptr, 0, edge.data(), edge_mask.data(), edge.size()};

  const std::size_t stride = n_padded + 5;
  std::vector<std::uint16_t> counts(n_queries * stride);
  for (auto& c : counts)
    c = static_cast<std::uint16_t>(far ? 251 + rng() % 150 : rng() % 3 == 0 ? rng() % 4 : rng() % 400);
  std::vector<std::uint16_t> out(n_queries * stride, 0xFFFF);
  // rows above skip_above + their allowance may keep their count; a low skip_above for some queries
  // skips whole blocks
  std::vector<std::uint16_t> skip_above(n_queries);
  for (auto& x : skip_above) x = static_cast<std::uint16_t>(far ? 250 : rng() % 2 == 0 ? 0xFFFF : rng() % 200);
  std::vector<std::uint16_t> allowance(n_padded);
  for (auto& x : allowance) x = static_cast<std::uint16_t>(rng() % (far ? 24 : 4) == 0 ? rng() % 60 : 0);
  mtmatch::detail::dispatch(level, mtmatch::detail::link_bound{}, query_side, n_queries, row_side, n_blocks, words, plan,
                            counts.data(), skip_above.data(), allowance.data(), sig_mask, out.data(), stride);
  link_bound_seen seen;
  for (std::size_t q = 0; q < n_queries; ++q) {
    for (std::size_t r = 0; r < n_padded; ++r) {
      std::vector<std::uint64_t> linked(words);
      bool near = false;
      for (std::size_t w = 0; w < words; ++w) {
        linked[w] = mask[w] & (queries.links[q][w] | rows.links[r][w]);
        if (std::find(edge.begin(), edge.end(), w) != edge.end())
          near = near || ((queries.codes[q][w] | rows.codes[r][w]) & (queries.reach[q][w] | rows.reach[r][w])) != 0;
      }
      const bool tails = near || (queries.reached[q] & rows.touched[r]) != 0 || (rows.reached[r] & queries.touched[q]) != 0;
      seen.tail_linked += tails ? 1 : 0;
      const int links = oracle_count(queries.codes[q], rows.codes[r], linked) + (tails ? queries.weight[q] + rows.weight[r] : 0);
      const int lowered = std::max(0, counts[q * stride + r] - std::max(links - 1, 0));
      const int expected = lowered == 0 ? 0 : lowered + std::popcount((queries.sig[q] ^ rows.sig[r]) & sig_mask);
      if (counts[q * stride + r] > skip_above[q] + allowance[r] && out[q * stride + r] == counts[q * stride + r]) {
        seen.passed_on += expected != counts[q * stride + r] ? 1 : 0;
        continue;
      }
      seen.allowed_back += counts[q * stride + r] > skip_above[q] ? 1 : 0;
      EXPECT_EQ(out[q * stride + r], expected) << mtmatch::to_string(level) << " words=" << words << " query " << q << " row " << r
                                               << " links " << links;
    }
    for (std::size_t r = n_padded; r < stride; ++r) EXPECT_EQ(out[q * stride + r], 0xFFFF) << "wrote past the rows";
  }
  return seen;
}

TEST(Isa, NamesRoundTrip) {
  for (isa level : {isa::scalar, isa::avx2, isa::avx512}) EXPECT_EQ(mtmatch::parse_isa(mtmatch::to_string(level)), level);
  EXPECT_EQ(mtmatch::parse_isa("AVX2"), isa::avx2);
  try {
    (void)mtmatch::parse_isa("avx9");
    FAIL() << "expected an error";
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().token, "avx9");
  }
}

TEST(Isa, SupportedStartsWithScalarAndActiveIsOneOfThem) {
  auto levels = mtmatch::supported_isas();
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(levels.front(), isa::scalar);
  isa active = mtmatch::active_isa();
  EXPECT_TRUE(mtmatch::cpu_supports(active));
  const char* forced = std::getenv("MTMATCH_FORCE_ISA");
  if (forced != nullptr && *forced != '\0') EXPECT_EQ(active, mtmatch::parse_isa(forced));
  else EXPECT_EQ(active, levels.back());
}

TEST(Isa, ForcingResolves) {
  EXPECT_EQ(mtmatch::detail::resolve_isa(nullptr), mtmatch::supported_isas().back());
  EXPECT_EQ(mtmatch::detail::resolve_isa(""), mtmatch::supported_isas().back());
  for (isa level : mtmatch::supported_isas()) EXPECT_EQ(mtmatch::detail::resolve_isa(mtmatch::to_string(level)), level);
  for (isa level : {isa::avx2, isa::avx512})
    if (!mtmatch::cpu_supports(level)) {
      EXPECT_THROW((void)mtmatch::detail::resolve_isa(mtmatch::to_string(level)), mtmatch::error);
    }
  try {
    (void)mtmatch::detail::resolve_isa("neon");
    FAIL() << "expected an error";
  } catch (const mtmatch::error& e) {
    EXPECT_NE(std::string(e.what()).find("MTMATCH_FORCE_ISA"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("neon"), std::string::npos) << e.what();
  }
}

class KernelPerIsa : public ::testing::TestWithParam<isa> {};

TEST_P(KernelPerIsa, CountTileEqualsOracle) {
  isa level = GetParam();
  if (!mtmatch::cpu_supports(level)) GTEST_SKIP() << "CPU lacks " << mtmatch::to_string(level);
  std::uint64_t seed = 1;
  // 16 words = 1024-bit codes; 40 words exceeds the 31-word byte accumulation of the AVX2 build.
  for (std::size_t words : {1u, 8u, 16u, 24u, 40u})
    for (std::size_t n_queries : {1u, 3u, 4u, 9u})
      for (std::size_t n_rows : {8u, 24u}) check_kernel(level, words, n_queries, n_rows, seed++);
}

TEST_P(KernelPerIsa, CountSharedTileEqualsOracle) {
  isa level = GetParam();
  if (!mtmatch::cpu_supports(level)) GTEST_SKIP() << "CPU lacks " << mtmatch::to_string(level);
  std::uint64_t seed = 50;
  for (std::size_t words : {1u, 8u, 16u, 40u})
    for (std::size_t n_queries : {1u, 4u, 9u})
      for (std::size_t n_rows : {8u, 24u}) check_kernel(level, words, n_queries, n_rows, seed++, true);
}

TEST_P(KernelPerIsa, LinkBoundEqualsOracle) {
  isa level = GetParam();
  if (!mtmatch::cpu_supports(level)) GTEST_SKIP() << "CPU lacks " << mtmatch::to_string(level);
  std::uint64_t seed = 100;
  std::size_t tail_linked = 0;
  std::size_t pairs = 0;
  link_bound_seen far_seen;
  for (bool far : {false, true})
    for (std::size_t words : {1u, 8u, 16u, 40u})
      for (std::size_t n_queries : {1u, 4u, 6u})
        for (std::size_t n_rows : {8u, 24u, 64u}) {
          const link_bound_seen seen = check_link_bound(level, words, n_queries, n_rows, seed++, far);
          if (far) {
            far_seen.passed_on += seen.passed_on;
            far_seen.allowed_back += seen.allowed_back;
          } else {
            tail_linked += seen.tail_linked;
            pairs += n_queries * n_rows;
          }
        }
  EXPECT_GT(tail_linked, pairs / 10);  // both outcomes of the tail test are exercised
  EXPECT_LT(tail_linked, pairs - pairs / 10);
  EXPECT_GT(far_seen.passed_on, 100U);     // blocks were skipped
  EXPECT_GT(far_seen.allowed_back, 100U);  // and rows their allowance brings back were read
}

TEST_P(KernelPerIsa, AllOnesGiveTheLargestCounts) {
  isa level = GetParam();
  if (!mtmatch::cpu_supports(level)) GTEST_SKIP() << "CPU lacks " << mtmatch::to_string(level);
  const std::size_t words = 62;  // 3968 bits: checks the 16-bit stores and the AVX2 chunking
  aligned_words blocks(words * block_rows);
  for (std::size_t i = 0; i < blocks.size; ++i) blocks.data[i] = ~std::uint64_t{0};
  std::vector<std::uint64_t> query(words, 0);
  std::vector<std::uint32_t> full(words);
  for (std::uint32_t w = 0; w < words; ++w) full[w] = w;
  mtmatch::detail::word_plan plan{full.data(), full.size(), nullptr, nullptr, 0};
  std::vector<std::uint16_t> out(block_rows);
  mtmatch::detail::dispatch(level, mtmatch::detail::count_tile{}, query.data(), 1, words, blocks.data, 1, plan,
                            out.data(), block_rows);
  for (auto c : out) EXPECT_EQ(c, words * 64);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, KernelPerIsa, ::testing::Values(isa::scalar, isa::avx2, isa::avx512),
                         [](const ::testing::TestParamInfo<isa>& param) { return std::string(mtmatch::to_string(param.param)); });

}  // namespace
