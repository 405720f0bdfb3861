// The many-to-many engine against the reference compare(), pair by pair, for every ISA the CPU has.
#include "mtmatch/match.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "engine_fixtures.hpp"
#include "mtmatch/compare.hpp"
#include "mtmatch/encode.hpp"
#include "mtmatch/error.hpp"

namespace {

using mtmatch::profile;
using engine_fixtures::phylo_profiles;
using engine_fixtures::random_profiles;

struct dataset {
  std::vector<profile> remains;
  std::vector<profile> relatives;
};

// n_remains profiles draw("R0"), draw("R1") … and n_relatives draw("Q0") ….
template <class Draw>
dataset drawn(Draw&& draw, int n_remains, int n_relatives) {
  dataset d;
  for (int i = 0; i < n_remains; ++i) d.remains.push_back(draw("R" + std::to_string(i)));
  for (int i = 0; i < n_relatives; ++i) d.relatives.push_back(draw("Q" + std::to_string(i)));
  return d;
}

// Families of random profiles at mixed ranges: many close pairs, exact duplicates, triallelic
// sites, heteroplasmies, indels in and out of repeats.
dataset random_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  random_profiles gen(seed);
  auto ranges = engine_fixtures::test_ranges();
  std::vector<profile> bases;
  for (int i = 0; i < 30; ++i)
    bases.push_back(gen.random_profile(ranges[gen.rng()() % ranges.size()], 3 + static_cast<int>(gen.rng()() % 25), "B" + std::to_string(i)));
  auto draw = [&](const std::string& id) {
    const profile& b = bases[gen.rng()() % bases.size()];
    const auto& cov = gen.rng()() % 3 == 0 ? ranges[gen.rng()() % ranges.size()] : b.coverage;
    return gen.mutate(b, static_cast<int>(gen.rng()() % 5), cov, id);
  };
  dataset d = drawn(draw, n_remains, n_relatives);
  d.relatives.push_back(d.remains.front());  // an exact duplicate across the sides
  d.remains.push_back(d.remains.back());     // and within a side
  return d;
}

// n_remains and n_relatives individuals of a generator (phylo_profiles, crowded_profiles).
template <class Generator>
dataset individuals(Generator gen, int n_remains, int n_relatives) {
  return drawn([&](const std::string& id) { return gen.individual(id); }, n_remains, n_relatives);
}

dataset realistic_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  return individuals(phylo_profiles(seed), n_remains, n_relatives);
}

// Crowded substitutions (engine_fixtures::crowded_profiles): pairs that compare() may read as an
// insertion plus a deletion. Tests the engine's bound on such readings and the zone tables.
dataset crowded_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  return individuals(engine_fixtures::crowded_profiles(seed), n_remains, n_relatives);
}

// Filler profiles whose variants come from a pool of coding-region positions (each seen ten times
// or so): with a 512-bit core their frequent columns take the core from rarer ones.
void add_fillers(dataset& d, std::uint64_t seed, int n_remains, int n_relatives) {
  std::vector<std::int32_t> pool;
  for (std::int32_t p = 1000; pool.size() < 600; p += 23) pool.push_back(p);
  random_profiles filler(seed + 1000, pool);
  for (int i = 0; i < n_remains; ++i)
    d.remains.push_back(filler.random_profile(mtmatch::range::whole(), 30, "F" + std::to_string(i)));
  for (int i = 0; i < n_relatives; ++i)
    d.relatives.push_back(filler.random_profile(mtmatch::range::whole(), 30, "G" + std::to_string(i)));
}

// A dense core of 512 bits: with add_fillers' profiles, the rare control-region columns go to the tail.
mtmatch::encode_options small_core() {
  mtmatch::encode_options o;
  o.dense_bits = 512;
  return o;
}

// Crowded substitutions (each column seen a few times) among filler profiles: with a 512-bit core
// most crowded substitutions fall in the sparse tail, whose links the kernels charge in bulk.
dataset crowded_tail_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  dataset d = crowded_dataset(seed, n_remains, n_relatives);
  add_fillers(d, seed, n_remains, n_relatives);
  return d;
}

// Realistic control regions among filler profiles (add_fillers): with a 512-bit core
// the filler columns take the core from the rare control-region columns, among them columns whose
// windows reach into the zones around the length-variable stretches, while the frequent ones inside
// the zones stay in the core.
dataset zone_edge_tail_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  dataset d = realistic_dataset(seed, n_remains, n_relatives);
  // and a rare substitution or deletion beside a zone in a third of them
  std::mt19937_64 rng(seed);
  const std::vector<std::pair<std::int32_t, std::int32_t>> beside = {{16150, 16180}, {16196, 16225}, {262, 290}, {328, 348}};
  for (auto* side : {&d.remains, &d.relatives})
    for (profile& pr : *side) {
      if (rng() % 3 != 0) continue;
      const auto& [lo, hi] = beside[rng() % beside.size()];
      const auto p = static_cast<std::int32_t>(lo + static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1)));
      if (!pr.coverage.contains(p)) continue;
      std::vector<mtmatch::variant> raw = pr.variants;
      std::erase_if(raw, [&](const mtmatch::variant& v) { return v.position == p; });
      if (rng() % 2 == 0) raw.push_back(engine_fixtures::deletion(p, 1 + static_cast<std::int32_t>(rng() % 2)));
      else raw.push_back(engine_fixtures::substitution(p, engine_fixtures::mutant_base(p, rng, 0.0)));
      try {
        pr.variants = mtmatch::canonicalize(pr.coverage, raw);
      } catch (const mtmatch::error&) {
      }
    }
  add_fillers(d, seed, n_remains, n_relatives);
  return d;
}

// Sites with a frequent allele and two rarer ones (each a plain second allele: one event against
// the other, as against the rCRS), on a few shared backgrounds: many close pairs differ at such a
// site by its two rare alleles.
dataset rare_allele_pairs_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  std::mt19937_64 rng(seed);
  const std::vector<std::int32_t> sites = {1438, 2706, 3010, 4769, 7028, 8860, 11719, 12705, 14766, 15326};
  std::vector<std::string> alleles;  // per site: frequent, rare, rare (bases other than the rCRS one)
  for (std::int32_t p : sites) {
    std::string bases;
    for (char b : std::string("ACGT"))
      if (b != mtmatch::rcrs()[p]) bases.push_back(b);
    alleles.push_back(bases);
  }
  auto draw = [&](const std::string& id) {
    profile pr;
    pr.id = id;
    pr.coverage = mtmatch::range::whole();
    const std::uint64_t background = rng() % 3;
    for (std::size_t i = 0; i < sites.size(); ++i) {
      const auto roll = rng() % 10;
      if ((i + background) % 3 != 0 && roll < 7) pr.variants.push_back(engine_fixtures::substitution(sites[i], alleles[i][0]));
      else if (roll >= 7) pr.variants.push_back(engine_fixtures::substitution(sites[i], alleles[i][roll == 9 ? 2 : 1]));
    }
    pr.variants = mtmatch::canonicalize(pr.coverage, pr.variants);
    return pr;
  };
  return drawn(draw, n_remains, n_relatives);
}

// Heteroplasmies at sites far apart, on shared backgrounds: at each site a profile has nothing, the
// site's substitution (a firm column) or a heteroplasmy of that base and the rCRS one, so pairs meet
// with a heteroplasmy against the substitution (pattern-matched: no difference, where the kernel
// counts the firm column), against nothing, or on both sides; plus a few substitutions elsewhere so
// that counts spread around the thresholds.
dataset heteroplasmy_pairs_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  std::mt19937_64 rng(seed);
  const std::vector<std::int32_t> sites = {1811, 3594, 5178, 7256, 9540, 11914, 13263, 14783};
  const std::vector<std::int32_t> others = {2352, 4883, 6392, 8701, 10400, 12705, 15301, 16223};
  auto draw = [&](const std::string& id) {
    profile pr;
    pr.id = id;
    pr.coverage = mtmatch::range::whole();
    for (std::int32_t p : sites) {
      const char ref = mtmatch::rcrs()[p];
      const char alt = ref == 'A' ? 'G' : ref == 'G' ? 'A' : ref == 'C' ? 'T' : 'C';  // a transition
      const char both = (ref == 'A' || ref == 'G') ? 'R' : 'Y';
      const auto roll = rng() % 6;
      if (roll < 2) pr.variants.push_back(engine_fixtures::substitution(p, alt));
      else if (roll == 2) pr.variants.push_back(engine_fixtures::substitution(p, both));
    }
    for (std::int32_t p : others)
      if (rng() % 5 == 0) pr.variants.push_back(engine_fixtures::substitution(p, mtmatch::rcrs()[p] == 'A' ? 'G' : 'A'));
    pr.variants = mtmatch::canonicalize(pr.coverage, pr.variants);
    return pr;
  };
  return drawn(draw, n_remains, n_relatives);
}

// Two notations of one sequence: where the rCRS reads XYX at p..p+2, XY swapped to YX (two
// substitutions) in some profiles and the first X deleted with an X inserted after p+2 in others
// (127C 128T against 127d 129.1T) — at four sites the insertion heteroplasmic (X or its transition
// partner: 129.1Y), so that no canonical form rewrites it, at two others of the partner base alone
// (127d 129.1C, written 126.1C 129d: one base apart). compare() reads the first as no difference and
// the second as one, where the kernel counts the two substitutions (firm columns). Each profile
// has at most one such site (a pair, two: the engine's shift margin allows three), plus a few
// substitutions elsewhere, so that counts spread around the thresholds.
dataset swap_notation_dataset(std::uint64_t seed, int n_remains, int n_relatives) {
  std::mt19937_64 rng(seed);
  std::vector<std::int32_t> sites;
  for (std::int32_t start : {60, 127, 250, 480, 16100, 16250}) {
    std::int32_t p = start;
    while (mtmatch::rcrs()[p] == mtmatch::rcrs()[p + 1] || mtmatch::rcrs()[p] != mtmatch::rcrs()[p + 2]) ++p;
    sites.push_back(p);
  }
  const std::vector<std::int32_t> others = {73, 150, 263, 489, 16129, 16223, 16311, 16362};
  auto draw = [&](const std::string& id) {
    profile pr;
    pr.id = id;
    pr.coverage = mtmatch::range::parse("16024-16569;1-576");
    if (rng() % 5 != 0) {
      const std::int32_t p = sites[rng() % sites.size()];
      const char x = mtmatch::rcrs()[p];
      const char partner = x == 'A' ? 'G' : x == 'G' ? 'A' : x == 'C' ? 'T' : 'C';
      if (rng() % 2 == 0) {
        pr.variants.push_back(engine_fixtures::substitution(p, mtmatch::rcrs()[p + 1]));
        pr.variants.push_back(engine_fixtures::substitution(p + 1, x));
      } else {
        // at the first two sites the partner base (one base apart), at the others the heteroplasmic
        // insertion (the same sequence)
        const bool heteroplasmic = p >= sites[2];
        pr.variants.push_back(engine_fixtures::deletion(p, 1));
        pr.variants.push_back(engine_fixtures::insertion(p + 2, std::string(1, heteroplasmic ? ((x == 'A' || x == 'G') ? 'R' : 'Y') : partner)));
      }
    }
    for (std::int32_t p : others)
      if (rng() % 4 == 0) pr.variants.push_back(engine_fixtures::substitution(p, mtmatch::rcrs()[p] == 'A' ? 'G' : 'A'));
    pr.variants = mtmatch::canonicalize(pr.coverage, pr.variants);
    return pr;
  };
  return drawn(draw, n_remains, n_relatives);
}

struct row {
  std::uint32_t remains, relative;
  int d;
  std::int32_t length;
  mtmatch::verdict v;
  friend bool operator==(const row&, const row&) = default;
};

std::ostream& operator<<(std::ostream& os, const row& r) {
  return os << "(R" << r.remains << ", Q" << r.relative << ", d=" << r.d << ", len=" << r.length << ", "
            << mtmatch::to_string(r.v) << ")";
}

// compare() on every pair.
std::vector<std::vector<mtmatch::comparison>> all_comparisons(const dataset& d, const mtmatch::compare_policy& policy) {
  std::vector<std::vector<mtmatch::comparison>> out(d.remains.size());
  for (std::size_t i = 0; i < d.remains.size(); ++i)
    for (const auto& q : d.relatives) out[i].push_back(mtmatch::compare(d.remains[i], q, policy));
  return out;
}

std::vector<row> oracle_threshold(const std::vector<std::vector<mtmatch::comparison>>& all, int k) {
  std::vector<row> out;
  for (std::uint32_t i = 0; i < all.size(); ++i)
    for (std::uint32_t j = 0; j < all[i].size(); ++j) {
      const auto& c = all[i][j];
      if (c.verdict != mtmatch::verdict::no_overlap && c.differences <= k) out.push_back({i, j, c.differences, c.compared_length, c.verdict});
    }
  return out;
}

std::vector<row> rows_of(const mtmatch::match_result& m) {
  std::vector<row> out;
  for (std::size_t i = 0; i < m.size(); ++i)
    out.push_back({m.remains[i], m.relative[i], m.differences[i], m.compared_length[i], m.verdicts[i]});
  return out;
}

void expect_same(const std::vector<row>& got, const std::vector<row>& want, const std::string& what, const dataset& d) {
  if (got == want) return;
  std::size_t shown = 0;
  std::map<std::pair<std::uint32_t, std::uint32_t>, row> g, w;
  for (const auto& r : got) g[{r.remains, r.relative}] = r;
  for (const auto& r : want) w[{r.remains, r.relative}] = r;
  for (const auto& [key, r] : w) {
    auto it = g.find(key);
    if (it == g.end() || !(it->second == r)) {
      ADD_FAILURE() << what << ": want " << r << " got " << (it == g.end() ? std::string("nothing") : "other")
                    << (it == g.end() ? row{} : it->second) << "\n  a: " << d.remains[key.first].canonical() << " ["
                    << d.remains[key.first].coverage.to_string() << "]\n  b: " << d.relatives[key.second].canonical()
                    << " [" << d.relatives[key.second].coverage.to_string() << "]";
      if (++shown > 5) return;
    }
  }
  for (const auto& [key, r] : g)
    if (w.find(key) == w.end()) {
      ADD_FAILURE() << what << ": unexpected " << r << "\n  a: " << d.remains[key.first].canonical() << "\n  b: "
                    << d.relatives[key.second].canonical();
      if (++shown > 5) return;
    }
  ADD_FAILURE() << what << ": " << got.size() << " rows, want " << want.size();
}

void check_threshold_everywhere(const dataset& d, const mtmatch::compare_policy& policy, const std::vector<int>& ks,
                                const std::string& name, const mtmatch::encode_options& encoding = {}) {
  const auto all = all_comparisons(d, policy);
  const auto sides = mtmatch::encode(d.remains, d.relatives, encoding);
  for (int k : ks) {
    const auto want = oracle_threshold(all, k);
    for (mtmatch::isa level : mtmatch::supported_isas())
      for (bool fast : {true, false})
        for (std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
          mtmatch::match_options o;
          o.max_differences = k;
          o.policy = policy;
          o.fast_search = fast;
          o.threads = threads;
          o.force_isa = level;
          auto m = mtmatch::match(sides.remains, sides.relatives, o);
          EXPECT_EQ(m.level, level);
          expect_same(rows_of(m), want,
                      name + " k=" + std::to_string(k) + " " + mtmatch::to_string(level) + (fast ? " fast" : " brute") +
                          " threads=" + std::to_string(threads),
                      d);
        }
  }
}

TEST(Match, ThresholdEqualsCompareOnRandomProfiles) {
  const dataset d = random_dataset(11, 70, 110);
  check_threshold_everywhere(d, {}, {0, 2, 6}, "random");
}

TEST(Match, ThresholdEqualsCompareOnRealisticProfiles) {
  const dataset d = realistic_dataset(5, 120, 200);
  check_threshold_everywhere(d, {}, {0, 1, 2, 4}, "realistic");
}

TEST(Match, ThresholdEqualsCompareOnCrowdedSubstitutions) {
  for (std::uint64_t seed : {41, 42}) {
    const dataset d = crowded_dataset(seed, 70, 120);
    check_threshold_everywhere(d, {}, {1, 2, 3}, "crowded " + std::to_string(seed));
  }
}

TEST(Match, ThresholdEqualsCompareWhenCrowdedSubstitutionsAreInTheTail) {
  const mtmatch::encode_options small = small_core();
  for (std::uint64_t seed : {44, 45}) {
    const dataset d = crowded_tail_dataset(seed, 70, 120);
    const auto sides = mtmatch::encode(d.remains, d.relatives, small);
    // the test needs crowded substitutions in the tail
    std::size_t tail_substitutions = 0;
    for (std::uint32_t h = 0; h < sides.relatives.haplotypes(); ++h)
      for (std::uint32_t id : sides.relatives.tail(h)) tail_substitutions += sides.dictionary->column(id).value.is_indel() ? 0 : 1;
    ASSERT_GT(tail_substitutions, 100U);
    check_threshold_everywhere(d, {}, {1, 2, 3}, "crowded in the tail " + std::to_string(seed), small);
  }
}

TEST(Match, ThresholdEqualsCompareWhenZoneEdgesAreInTheTail) {
  const mtmatch::encode_options small = small_core();
  for (std::uint64_t seed : {46, 47}) {
    const dataset d = zone_edge_tail_dataset(seed, 90, 150);
    const auto sides = mtmatch::encode(d.remains, d.relatives, small);
    // the test needs tail columns beside the zones and core columns inside them
    std::size_t tail_near = 0;
    for (const auto* store : {&sides.remains, &sides.relatives})
      for (std::uint32_t h = 0; h < store->haplotypes(); ++h)
        for (std::uint32_t id : store->tail(h)) {
          const auto& c = sides.dictionary->column(id);
          tail_near += (c.first >= 16150 && c.first <= 16225 && (c.first < 16180 || c.first > 16195)) ||
                               (c.first >= 262 && c.first <= 348 && (c.first < 300 || c.first > 316))
                           ? 1
                           : 0;
        }
    std::size_t core_tract = 0;
    for (std::uint32_t id = 0; id < sides.dictionary->dense_columns(); ++id) {
      const std::int32_t p = sides.dictionary->column(id).first;
      core_tract += (p >= 16180 && p <= 16195) || (p >= 300 && p <= 316) ? 1 : 0;
    }
    ASSERT_GT(tail_near, 20U);
    ASSERT_GE(core_tract, 4U);
    check_threshold_everywhere(d, {}, {1, 2, 3}, "zone edges in the tail " + std::to_string(seed), small);
  }
}

// A firm tail column of one profile inside the other's missing stretch is no difference (compare()
// sees neither there): pairs one difference apart in the core, one of them with a rare substitution
// (in the tail, with a 512-bit core and fillers) where the other has a short gap in its coverage.
// The link kernel's tail signatures must leave such ragged pairs out.
TEST(Match, ThresholdEqualsCompareWhenTailColumnsFallInMissingStretches) {
  const dataset bases = realistic_dataset(49, 0, 40);
  // one rare substitution per pair (seen once: a tail column), away from the zones
  std::vector<mtmatch::variant> rare;
  for (std::int32_t p = 16236; p <= 16390; p += 11) rare.push_back(engine_fixtures::substitution(p, mtmatch::rcrs()[p] == 'A' ? 'G' : 'A'));
  for (std::int32_t p = 30; p <= 250; p += 11) rare.push_back(engine_fixtures::substitution(p, mtmatch::rcrs()[p] == 'A' ? 'G' : 'A'));
  const auto extra = engine_fixtures::substitution(16290, 'T');  // every remains has it: a frequent core column
  dataset d;
  std::vector<mtmatch::variant> used;
  for (std::size_t i = 0; i < bases.relatives.size() && i < rare.size(); ++i) {
    const profile& base = bases.relatives[i];
    const mtmatch::variant& r = rare[i];
    auto has_near = [&](std::int32_t at) {
      return std::any_of(base.variants.begin(), base.variants.end(), [&](const mtmatch::variant& v) { return std::abs(v.position - at) < 12; });
    };
    if (!base.coverage.contains_all(r.position - 30, r.position + 30) || has_near(r.position) || has_near(extra.position)) continue;
    used.push_back(r);
    profile with_rare = base;
    std::vector<mtmatch::variant> raw = base.variants;
    raw.push_back(r);
    with_rare.variants = mtmatch::canonicalize(base.coverage, raw);
    profile gapped = base;
    gapped.coverage = base.coverage.without(r.position - 10, r.position + 10);
    // the remains carry the extra core difference; the rare column sits on either side
    profile remains = i % 2 == 0 ? gapped : with_rare;
    profile relative = i % 2 == 0 ? with_rare : gapped;
    std::vector<mtmatch::variant> plus = remains.variants;
    plus.push_back(extra);
    remains.variants = mtmatch::canonicalize(remains.coverage, plus);
    remains.id = "R" + std::to_string(i);
    relative.id = "Q" + std::to_string(i);
    d.remains.push_back(remains);
    d.relatives.push_back(relative);
  }
  ASSERT_GE(used.size(), 10U);
  add_fillers(d, 49, 40, 80);
  const mtmatch::encode_options small = small_core();
  const auto sides = mtmatch::encode(d.remains, d.relatives, small);
  const auto& dict = *sides.dictionary;
  ASSERT_LT(*dict.find(extra), dict.dense_columns());  // counted by the kernel
  for (const auto& r : used) ASSERT_GE(*dict.find(r), dict.dense_columns()) << r.position << ": a tail column";
  check_threshold_everywhere(d, {}, {1, 2}, "tail columns in missing stretches", small);
}

// Core columns of the dataset's dictionary with a flag.
std::size_t core_columns_with(const dataset& d, mtmatch::column_flag flag) {
  const auto sides = mtmatch::encode(d.remains, d.relatives);
  std::size_t n = 0;
  for (std::uint32_t id = 0; id < sides.dictionary->dense_columns(); ++id) n += sides.dictionary->column(id).is(flag) ? 1 : 0;
  return n;
}

TEST(Match, ThresholdEqualsCompareWhenRareAllelesOfASiteMeet) {
  const dataset d = rare_allele_pairs_dataset(48, 60, 100);
  ASSERT_GE(core_columns_with(d, mtmatch::column_minor_allele), 15U);  // both rare alleles of most sites
  check_threshold_everywhere(d, {}, {1, 2, 3}, "rare alleles");
}

// The slack a pair can use (engine::pair_excess): a heteroplasmy takes an event off only where it
// differs and another differing column's window meets its own.
TEST(Match, ThresholdEqualsCompareWhenHeteroplasmiesMeetSubstitutions) {
  const dataset d = heteroplasmy_pairs_dataset(52, 60, 120);
  ASSERT_EQ(core_columns_with(d, mtmatch::column_heteroplasmy), 8U);
  // pairs whose count is below their differing firm columns (a heteroplasmy against a site's substitution)
  std::size_t pattern_matched = 0;
  for (const auto& a : d.remains)
    for (const auto& b : d.relatives) {
      std::vector<mtmatch::variant> firm_a, firm_b, firm_only;
      for (const auto& v : a.variants) if (v.bases.find_first_of("RY") == std::string::npos) firm_a.push_back(v);
      for (const auto& v : b.variants) if (v.bases.find_first_of("RY") == std::string::npos) firm_b.push_back(v);
      std::set_symmetric_difference(firm_a.begin(), firm_a.end(), firm_b.begin(), firm_b.end(), std::back_inserter(firm_only));
      pattern_matched += mtmatch::compare(a, b).differences < static_cast<int>(firm_only.size()) ? 1 : 0;
    }
  ASSERT_GE(pattern_matched, 500U);
  mtmatch::compare_policy strict;
  strict.pattern_match_heteroplasmy = false;
  check_threshold_everywhere(d, {}, {1, 2, 3}, "heteroplasmies");
  check_threshold_everywhere(d, strict, {1, 2}, "heteroplasmies, no pattern matching");
}

// A shifted reading can take in the indels the profiles have: the same swap written as two
// substitutions and as a deletion plus an insertion is no difference, with no window of three
// differing substitutions (engine::shift_relief must count such windows as re-readable).
TEST(Match, ThresholdEqualsCompareWhenSubstitutionsAreReadAsIndels) {
  const dataset d = swap_notation_dataset(53, 60, 120);
  // pairs whose count is below their differing substitutions (one notation against the other)
  std::size_t re_read = 0;
  for (const auto& a : d.remains)
    for (const auto& b : d.relatives) {
      std::vector<mtmatch::variant> subs_a, subs_b, subs_only;
      for (const auto& v : a.variants) if (!v.is_indel()) subs_a.push_back(v);
      for (const auto& v : b.variants) if (!v.is_indel()) subs_b.push_back(v);
      std::set_symmetric_difference(subs_a.begin(), subs_a.end(), subs_b.begin(), subs_b.end(), std::back_inserter(subs_only));
      re_read += mtmatch::compare(a, b).differences < static_cast<int>(subs_only.size()) ? 1 : 0;
    }
  ASSERT_GE(re_read, 250U);
  check_threshold_everywhere(d, {}, {1, 2, 3}, "swaps as indels");
}

// The pairs of the simulated national set (bench/README.md) that the engine once missed at threshold
// 2, among realistic profiles: each has substitutions compare() reads into an indel of the other.
TEST(Match, ThresholdEqualsCompareOnTheNationalSetsReReadPairs) {
  dataset d = realistic_dataset(54, 40, 80);
  const char* coverage = "16024-16569;1-576";
  for (const char* v : {"73G 125C 127C 128T 263G 309.1C 309.2C 315.1C 318C 489C 16114T 16189C 16193.1C 16223T 16234T 16290T",
                        "73G 263G 315.1C 489C 16163G 16166d 16214T 16223T", "73G 263G 309.1C 309.2C 315.1C 489C 16164G 16223T"})
    d.remains.push_back(profile::parse(v, coverage));
  for (const char* v : {"73G 125C 127d 129.1Y 195C 263G 315.1C 318C 489C 16189C 16223T 16234T 16290T",
                        "73G 263G 315.1C 489C 16164G 16223T", "73G 263G 309.1C 309.2C 309.3C 489C 16164G 16223T",
                        "73G 263G 315.1C 489C 16163G 16166d 16223T"})
    d.relatives.push_back(profile::parse(v, coverage));
  check_threshold_everywhere(d, {}, {1, 2, 3}, "national re-read pairs");
}

TEST(Match, OtherPoliciesEqualCompare) {
  const dataset r = random_dataset(23, 50, 80);
  const dataset p = realistic_dataset(9, 60, 100);
  const dataset c = crowded_dataset(43, 50, 80);
  mtmatch::compare_policy literal;
  literal.pattern_match_heteroplasmy = false;
  mtmatch::compare_policy counted;
  counted.ignore_length_variants = false;
  counted.inconclusive_at = 2;
  counted.exclusion_at = 4;
  for (const auto& policy : {literal, counted}) {
    check_threshold_everywhere(r, policy, {2}, "random/policy");
    check_threshold_everywhere(p, policy, {2}, "realistic/policy");
    check_threshold_everywhere(c, policy, {2}, "crowded/policy");
  }
}

TEST(Match, ManySeeds) {
  for (std::uint64_t seed = 100; seed < 106; ++seed) {
    const dataset d = seed % 2 ? random_dataset(seed, 40, 60) : realistic_dataset(seed, 60, 90);
    const auto all = all_comparisons(d, {});
    for (int k : {1, 3}) {
      mtmatch::match_options o;
      o.max_differences = k;
      auto m = mtmatch::match(d.remains, d.relatives, o);
      expect_same(rows_of(m), oracle_threshold(all, k), "seed " + std::to_string(seed) + " k=" + std::to_string(k), d);
    }
  }
}

// Grouped results stand for exactly the ungrouped rows: expand() gives them back, for_each_profile_pair
// streams the same pairs, and the rows are distinct haplotype pairs.
TEST(Match, GroupedResultsExpandToTheUngroupedOnes) {
  for (const dataset& d : {random_dataset(31, 60, 90), realistic_dataset(32, 120, 200)}) {
    const auto sides = mtmatch::encode(d.remains, d.relatives);
    for (int k : {0, 2, 5}) {
      mtmatch::match_options o;
      o.max_differences = k;
      const auto plain = mtmatch::match(sides.remains, sides.relatives, o);
      o.group_identical = true;
      const auto grouped = mtmatch::match(sides.remains, sides.relatives, o);
      ASSERT_TRUE(grouped.grouped);
      EXPECT_FALSE(plain.grouped);
      EXPECT_EQ(grouped.profile_pairs, plain.size());
      EXPECT_EQ(plain.profile_pairs, plain.size());
      EXPECT_LE(grouped.size(), plain.size());
      for (std::size_t i = 1; i < grouped.size(); ++i)
        EXPECT_TRUE(std::tie(grouped.remains[i - 1], grouped.relative[i - 1]) < std::tie(grouped.remains[i], grouped.relative[i]));
      const auto expanded = mtmatch::expand(grouped, sides.remains, sides.relatives);
      expect_same(rows_of(expanded), rows_of(plain), "expand k=" + std::to_string(k), d);
      std::vector<row> streamed;
      mtmatch::for_each_profile_pair(grouped, sides.remains, sides.relatives, [&](std::uint32_t a, std::uint32_t b, std::size_t i) {
        streamed.push_back({a, b, grouped.differences[i], grouped.compared_length[i], grouped.verdicts[i]});
      });
      std::sort(streamed.begin(), streamed.end(), [](const row& x, const row& y) {
        return std::tie(x.remains, x.relative) < std::tie(y.remains, y.relative);
      });
      expect_same(streamed, rows_of(plain), "for_each_profile_pair k=" + std::to_string(k), d);
    }
  }
}

TEST(Match, GroupedNeedsAThresholdQueryOnStores) {
  const dataset d = random_dataset(33, 10, 10);
  mtmatch::match_options o;
  o.group_identical = true;
  o.top_k = 3;
  EXPECT_THROW(o.validate(), mtmatch::error);
  o.top_k.reset();
  o.counts_only = true;
  EXPECT_THROW(o.validate(), mtmatch::error);
  o.counts_only = false;
  EXPECT_NO_THROW(o.validate());
  EXPECT_THROW((void)mtmatch::match(d.remains, d.relatives, o), mtmatch::error);  // rows of stores it discards
  o.max_differences = 60000;  // every overlapping pair: rows reach the last haplotypes
  const auto sides = mtmatch::encode(d.remains, d.relatives);
  ASSERT_GT(sides.remains.haplotypes(), 1U);
  const auto grouped = mtmatch::match(sides.remains, sides.relatives, o);
  const auto other = mtmatch::encode(std::vector<profile>(d.remains.begin(), d.remains.begin() + 1),
                                     std::vector<profile>(d.relatives.begin(), d.relatives.begin() + 1));
  EXPECT_THROW((void)mtmatch::expand(grouped, other.remains, other.relatives), mtmatch::error);
}

TEST(Match, TopKEqualsSortedCompare) {
  for (const dataset& d : {random_dataset(31, 40, 90), realistic_dataset(32, 60, 150)}) {
    const auto all = all_comparisons(d, {});
    for (std::optional<int> k : {std::optional<int>{}, std::optional<int>{3}}) {
      for (std::size_t top : {std::size_t{1}, std::size_t{5}}) {
        std::vector<row> want;
        for (std::uint32_t i = 0; i < all.size(); ++i) {
          std::vector<row> cand;
          for (std::uint32_t j = 0; j < all[i].size(); ++j) {
            const auto& c = all[i][j];
            if (c.verdict == mtmatch::verdict::no_overlap || (k && c.differences > *k)) continue;
            cand.push_back({i, j, c.differences, c.compared_length, c.verdict});
          }
          std::sort(cand.begin(), cand.end(), [](const row& x, const row& y) {
            return std::tuple(x.d, -x.length, x.relative) < std::tuple(y.d, -y.length, y.relative);
          });
          if (cand.size() > top) cand.resize(top);
          want.insert(want.end(), cand.begin(), cand.end());
        }
        for (mtmatch::isa level : mtmatch::supported_isas()) {
          mtmatch::match_options o;
          o.max_differences = k;
          o.top_k = top;
          o.threads = 2;
          o.force_isa = level;
          auto m = mtmatch::match(d.remains, d.relatives, o);
          expect_same(rows_of(m), want, "top " + std::to_string(top) + (k ? " k=" + std::to_string(*k) : " no threshold"), d);
        }
      }
    }
  }
}

// With more relatives haplotypes than one tile of rows holds, each remains' list is built in several
// work items, which pass on the k-th best count they reach: the result must be the ranking of
// every pair (the engine's threshold run over all overlapping pairs, checked against compare()
// elsewhere), cut at top_k.
TEST(Match, TopKEqualsRankingAcrossRelativesTiles) {
  const dataset d = realistic_dataset(35, 40, 13000);
  const auto sides = mtmatch::encode(d.remains, d.relatives);
  std::uint32_t largest_class = 0;
  for (std::uint32_t h = 0; h < sides.relatives.haplotypes(); h = sides.relatives.class_end(sides.relatives.coverage_class(h)))
    largest_class = std::max(largest_class, sides.relatives.class_end(sides.relatives.coverage_class(h)) - h);
  ASSERT_GT(largest_class, 5000U);  // two tiles of rows or more
  mtmatch::match_options every;
  every.max_differences = 60000;
  const auto all = rows_of(mtmatch::match(sides.remains, sides.relatives, every));
  for (std::size_t top : {std::size_t{1}, std::size_t{5}, std::size_t{40}}) {
    std::vector<row> want;
    for (std::size_t s = 0; s < all.size();) {
      std::size_t e = s;
      while (e < all.size() && all[e].remains == all[s].remains) ++e;
      std::vector<row> cand(all.begin() + static_cast<std::ptrdiff_t>(s), all.begin() + static_cast<std::ptrdiff_t>(e));
      std::sort(cand.begin(), cand.end(), [](const row& x, const row& y) {
        return std::tuple(x.d, -x.length, x.relative) < std::tuple(y.d, -y.length, y.relative);
      });
      if (cand.size() > top) cand.resize(top);
      want.insert(want.end(), cand.begin(), cand.end());
      s = e;
    }
    for (std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
      mtmatch::match_options o;
      o.max_differences.reset();
      o.top_k = top;
      o.threads = threads;
      expect_same(rows_of(mtmatch::match(sides.remains, sides.relatives, o)), want,
                  "top " + std::to_string(top) + ", " + std::to_string(threads) + " threads", d);
    }
  }
}

TEST(Match, CountsPerRemains) {
  const dataset d = realistic_dataset(41, 80, 150);
  const auto all = all_comparisons(d, {});
  const int k = 3;
  mtmatch::match_options o;
  o.max_differences = k;
  o.counts_only = true;
  auto m = mtmatch::match(d.remains, d.relatives, o);
  ASSERT_EQ(m.counts.size(), d.remains.size() * (k + 1));
  EXPECT_TRUE(m.remains.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::vector<std::uint32_t> want(k + 1, 0);
    for (const auto& c : all[i])
      if (c.verdict != mtmatch::verdict::no_overlap && c.differences <= k) ++want[static_cast<std::size_t>(c.differences)];
    for (int x = 0; x <= k; ++x) EXPECT_EQ(m.counts[i * (k + 1) + static_cast<std::size_t>(x)], want[static_cast<std::size_t>(x)]) << "remains " << i << " d=" << x;
  }
}

TEST(Match, ProgressAndCancel) {
  const dataset d = realistic_dataset(51, 150, 300);
  std::uint64_t last_done = 0, last_total = 0, calls = 0;
  mtmatch::match_options o;
  o.threads = 2;
  o.progress = [&](std::uint64_t done, std::uint64_t total) {
    EXPECT_LE(done, total);
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
    ++calls;
    return true;
  };
  auto m = mtmatch::match(d.remains, d.relatives, o);
  EXPECT_FALSE(m.cancelled);
  EXPECT_GT(calls, 0U);
  EXPECT_EQ(last_done, last_total);
  EXPECT_EQ(last_total, m.stats.distinct_pairs);

  std::uint64_t cancel_calls = 0;
  o.progress = [&](std::uint64_t, std::uint64_t) {
    ++cancel_calls;
    return false;
  };
  auto c = mtmatch::match(d.remains, d.relatives, o);
  EXPECT_TRUE(c.cancelled);
  EXPECT_EQ(cancel_calls, 1U);
}

TEST(Match, FastSearchSkipsWork) {
  const dataset d = realistic_dataset(61, 150, 300);
  mtmatch::match_options o;
  o.max_differences = 1;
  auto m = mtmatch::match(d.remains, d.relatives, o);
  EXPECT_LT(m.stats.kernel_pairs, m.stats.distinct_pairs);
  EXPECT_LE(m.stats.candidates, m.stats.kernel_pairs);
  o.fast_search = false;
  auto b = mtmatch::match(d.remains, d.relatives, o);
  EXPECT_EQ(b.stats.kernel_pairs, b.stats.distinct_pairs);
  EXPECT_EQ(rows_of(m), rows_of(b));
}

TEST(Match, OptionsAreValidated) {
  const dataset d = realistic_dataset(71, 5, 5);
  mtmatch::match_options o;
  o.max_differences = -1;
  EXPECT_THROW((void)mtmatch::match(d.remains, d.relatives, o), mtmatch::error);
  o.max_differences.reset();
  EXPECT_THROW((void)mtmatch::match(d.remains, d.relatives, o), mtmatch::error);
  o.top_k = 0;
  EXPECT_THROW((void)mtmatch::match(d.remains, d.relatives, o), mtmatch::error);
  o = {};
  o.counts_only = true;
  o.top_k = 2;
  EXPECT_THROW((void)mtmatch::match(d.remains, d.relatives, o), mtmatch::error);
  o = {};
  o.policy.exclusion_at = -3;
  EXPECT_THROW((void)mtmatch::match(d.remains, d.relatives, o), mtmatch::error);
  // stores from two dictionaries
  auto one = mtmatch::encode(d.remains, d.relatives);
  auto two = mtmatch::encode(d.remains, d.relatives);
  EXPECT_THROW((void)mtmatch::match(one.remains, two.relatives), mtmatch::error);
}

TEST(Match, EmptySides) {
  const dataset d = realistic_dataset(81, 10, 10);
  std::vector<profile> none;
  EXPECT_EQ(mtmatch::match(none, d.relatives).size(), 0U);
  EXPECT_EQ(mtmatch::match(d.remains, none).size(), 0U);
}

}  // namespace
