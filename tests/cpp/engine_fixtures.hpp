#pragma once
// Profile generators for the engine tests (encode_test, match_test): random profiles and
// phylogeny-structured control-region profiles, canonical by construction (canonicalize()).

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mtmatch/error.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/profile.hpp"
#include "mtmatch/range.hpp"
#include "mtmatch/reference.hpp"
#include "mtmatch/variant.hpp"

namespace engine_fixtures {

using mtmatch::profile;
using mtmatch::range;
using mtmatch::variant;
using mtmatch::variant_kind;

inline const char* const het_codes = "RYKMSWBDHV";

inline variant substitution(std::int32_t p, char base) { return variant{p, variant_kind::substitution, 1, std::string(1, base), false}; }
inline variant deletion(std::int32_t p, std::int32_t n) { return variant{p, variant_kind::deletion, n, "", false}; }
inline variant insertion(std::int32_t p, std::string bases) {
  auto n = static_cast<std::int32_t>(bases.size());
  return variant{p, variant_kind::insertion, n, std::move(bases), false};
}

// A base other than the rCRS one at p (transitions favoured), or a heteroplasmy containing it.
inline char mutant_base(std::int32_t p, std::mt19937_64& rng, double het_share) {
  const char ref = mtmatch::rcrs()[p];
  if (std::uniform_real_distribution<double>(0, 1)(rng) < het_share) {
    // a heteroplasmy that includes the reference base most of the time (pattern-compatible)
    for (int tries = 0; tries < 20; ++tries) {
      char code = het_codes[rng() % 10];
      if (rng() % 4 != 0 && !(mtmatch::iupac::bases_of(code) & mtmatch::iupac::bases_of(ref))) continue;
      return code;
    }
  }
  static const char* transition = "GATC";  // A<->G, C<->T
  const std::string acgt = "ACGT";
  if (rng() % 6 != 0) {
    auto i = acgt.find(ref);
    if (i != std::string::npos) return transition[i];
  }
  char b;
  do b = acgt[rng() % 4];
  while (b == ref);
  return b;
}

inline std::vector<range> test_ranges() {
  return {range::whole(),
          range::parse("16024-576"),
          range::parse("16024-16365"),
          range::parse("16024-16365 73-340"),
          range::parse("16024-576").without(16150, 16170),
          range::parse("16024-576").without(300, 320),
          range::parse("1-8000")};
}

// Sorted raw variants with one statement per site: later duplicates and substitutions or deletions
// inside an earlier deletion are dropped.
inline std::vector<variant> one_per_site(std::vector<variant> raw) {
  std::sort(raw.begin(), raw.end());
  std::vector<variant> out;
  std::int32_t covered_until = 0;
  std::int32_t last_insertion = 0;
  for (auto& v : raw) {
    if (v.kind == variant_kind::insertion) {
      if (v.position == last_insertion) continue;
      last_insertion = v.position;
      out.push_back(std::move(v));
      continue;
    }
    if (v.position <= covered_until) continue;
    covered_until = v.last();
    out.push_back(std::move(v));
  }
  return out;
}

// Sorts raw variants and keeps the first of each (position, kind): one substitution, deletion and
// insertion statement per site at most.
inline void sort_one_kind_per_site(std::vector<variant>& raw) {
  std::sort(raw.begin(), raw.end());
  raw.erase(std::unique(raw.begin(), raw.end(), [](const variant& a, const variant& b) {
              return a.position == b.position && a.kind == b.kind;
            }),
            raw.end());
}

// Canonical profile from raw variants; false when the raw spelling is rejected.
inline bool make_canonical(const range& coverage, const std::vector<variant>& raw, profile& out) {
  try {
    out.coverage = coverage;
    out.variants = mtmatch::canonicalize(coverage, one_per_site(raw));
    return true;
  } catch (const mtmatch::error&) {
    return false;
  }
}

// Random raw variants over a pool of positions (so that profiles collide at sites), with indels
// in real repeats and elsewhere, heteroplasmies, triallelic sites.
class random_profiles {
 public:
  explicit random_profiles(std::uint64_t seed, std::vector<std::int32_t> pool = {}) : rng_(seed), pool_(std::move(pool)) {
    if (pool_.empty()) {
      for (int i = 0; i < 400; ++i) {
        std::int32_t p;
        do p = static_cast<std::int32_t>(rng_() % 16569) + 1;
        while (p == 3107 || mtmatch::rcrs()[p] == 'N');
        pool_.push_back(p);
      }
      // control-region hot spots and the length-variable stretches
      for (std::int32_t p : {16093, 16129, 16189, 16192, 16223, 16311, 16362, 16519, 73, 146, 150, 152, 195, 199, 204,
                             207, 263, 303, 309, 310, 315, 514, 523, 568, 573, 249, 8281, 16183, 16184})
        pool_.push_back(p);
    }
  }

  variant random_variant(const range& coverage) {
    for (;;) {
      const std::int32_t p = pool_[rng_() % pool_.size()];
      if (!coverage.contains(p)) continue;
      const auto r = rng_() % 20;
      if (r < 14) return substitution(p, mutant_base(p, rng_, 0.12));
      if (r < 17) return deletion(p, 1 + static_cast<std::int32_t>(rng_() % 3 == 0 ? rng_() % 9 : 0));
      std::string bases = rng_() % 2 ? std::string(1, mtmatch::rcrs()[p]) : std::string(1, "ACGT"[rng_() % 4]);
      if (rng_() % 4 == 0) bases += "ACGT"[rng_() % 4];
      return insertion(p, bases);
    }
  }

  profile random_profile(const range& coverage, int n_variants, const std::string& id) {
    for (;;) {
      std::vector<variant> raw;
      for (int i = 0; i < n_variants; ++i) raw.push_back(random_variant(coverage));
      sort_one_kind_per_site(raw);
      profile p;
      p.id = id;
      if (make_canonical(coverage, raw, p)) return p;
      --n_variants;
    }
  }

  // A relative of `base`: a few random changes (added or removed variants), maybe another range.
  profile mutate(const profile& base, int changes, const range& coverage, const std::string& id) {
    for (int attempt = 0;; ++attempt) {
      std::vector<variant> raw;
      for (const auto& v : base.variants)
        if (v.kind == variant_kind::insertion ? coverage.contains_insertion(v.position) : coverage.contains_all(v.position, v.last()))
          raw.push_back(v);
      for (int c = 0; c < changes; ++c) {
        if (!raw.empty() && rng_() % 3 == 0) raw.erase(raw.begin() + static_cast<std::ptrdiff_t>(rng_() % raw.size()));
        else raw.push_back(random_variant(coverage));
      }
      sort_one_kind_per_site(raw);
      profile p;
      p.id = id;
      if (make_canonical(coverage, raw, p)) return p;
      if (attempt > 20) changes = 0;
    }
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  std::vector<std::int32_t> pool_;
};

// Profiles that crowd substitutions into short stretches with bases taken from their neighbours
// (what a stretch shifted by one or two reads as), in plain sequence, homopolymers, the C-tracts and
// the AC repeat, over a few shared backgrounds: pairs then differ at 3-6 sites in a few bases, which
// compare() may read as an insertion plus a deletion.
class crowded_profiles {
 public:
  /// `near_stretches`: also crowd the length-variable stretches (C-tracts, AC repeat).
  explicit crowded_profiles(std::uint64_t seed, bool near_stretches = true) : gen_(seed) {
    auto& rng = gen_.rng();
    hot_ = {16290, 8270, 955, 5895, 16140, 60, 200};
    if (near_stretches) hot_.insert(hot_.end(), {16180, 16186, 303, 308, 512, 518, 566});
    for (int i = 0; i < 10; ++i) hot_.push_back(static_cast<std::int32_t>(rng() % 16500) + 20);
    for (int i = 0; i < 6; ++i) backgrounds_.push_back(gen_.random_profile(range::whole(), 4 + static_cast<int>(rng() % 8), "B"));
  }

  profile individual(const std::string& id) {
    auto& rng = gen_.rng();
    const auto ranges = test_ranges();
    const range& coverage = rng() % 4 == 0 ? ranges[rng() % ranges.size()] : ranges[rng() % 2];
    const profile& base = backgrounds_[rng() % backgrounds_.size()];
    std::vector<variant> raw;
    for (const variant& v : base.variants)
      if (coverage.contains(v.position) && rng() % 8 != 0) raw.push_back(v);
    for (int stretch = 0, n = 1 + static_cast<int>(rng() % 2); stretch < n; ++stretch) {
      const std::int32_t c = hot_[rng() % hot_.size()];
      for (int k = 0, m = 1 + static_cast<int>(rng() % 3); k < m; ++k) {
        const std::int32_t p = c + static_cast<std::int32_t>(rng() % 8);
        if (p == 3107 || !coverage.contains(p)) continue;
        static constexpr std::int32_t neighbour[] = {1, -1, 2, -2};
        char b = mtmatch::rcrs()[p + neighbour[rng() % 4]];
        if (b == mtmatch::rcrs()[p] || b == 'N') b = mutant_base(p, rng, 0.0);
        raw.push_back(substitution(p, b));
      }
    }
    sort_one_kind_per_site(raw);
    profile out;
    out.id = id;
    if (!make_canonical(coverage, raw, out)) out = gen_.random_profile(coverage, 3, id);
    return out;
  }

 private:
  random_profiles gen_;
  std::vector<std::int32_t> hot_;
  std::vector<profile> backgrounds_;
};

// Phylogeny-structured control-region profiles: a random tree of haplotypes grown from the rCRS
// by mutations at site-rate-weighted control-region sites (fast sites mutate often, recurrently),
// then individuals = a node + private mutations + C-tract lengths + heteroplasmies, at mixed
// coverages with missing stretches.
class phylo_profiles {
 public:
  explicit phylo_profiles(std::uint64_t seed, int nodes = 60) : rng_(seed) {
    // CR sites with weights: a handful of fast sites, many slow ones.
    for (std::int32_t p = 16024; p <= 16569; ++p) add_site(p);
    for (std::int32_t p = 1; p <= 576; ++p) add_site(p);
    for (std::int32_t p : {16519, 152, 16311, 146, 195, 16189, 16129, 16093, 16362, 150, 16278, 204, 16172, 16223, 207,
                           16319, 16291, 16192, 189, 199, 200, 151})
      weights_[index_of(p)] = 40.0;
    std::discrete_distribution<std::size_t> pick(weights_.begin(), weights_.end());
    tree_.push_back({});
    for (int n = 1; n < nodes; ++n) {
      auto parent = tree_[rng_() % tree_.size()];
      const int muts = 1 + static_cast<int>(rng_() % 3);
      for (int m = 0; m < muts; ++m) toggle(parent, sites_[pick(rng_)]);
      if (rng_() % 8 == 0) toggle_variant(parent, deletion(249, 1));
      if (rng_() % 10 == 0) toggle_variant(parent, deletion(290, 2));
      tree_.push_back(parent);
    }
    pick_ = pick;
  }

  profile individual(const std::string& id) {
    std::vector<variant> raw = tree_[std::min<std::size_t>(tree_.size() - 1, static_cast<std::size_t>(std::geometric_distribution<int>(0.08)(rng_)))];
    const int privates = static_cast<int>(std::poisson_distribution<int>(0.6)(rng_));
    for (int m = 0; m < privates; ++m) toggle(raw, sites_[pick_(rng_)]);
    // C-tract lengths and the AC repeat
    switch (rng_() % 4) {
      case 0: break;
      case 1: raw.push_back(insertion(309, "C")); break;
      case 2: raw.push_back(insertion(309, "CC")); break;
      default: raw.push_back(insertion(309, "C")); raw.push_back(insertion(315, "C")); break;
    }
    if (rng_() % 2) raw.push_back(insertion(315, "C"));
    if (rng_() % 10 == 0) raw.push_back(deletion(523, 2));
    if (rng_() % 12 == 0) raw.push_back(insertion(16193, "C"));
    // a point heteroplasmy at a fast site in ~15 %
    if (rng_() % 7 == 0) {
      const std::int32_t p = sites_[pick_(rng_)];
      raw.erase(std::remove_if(raw.begin(), raw.end(), [&](const variant& v) { return v.position == p; }), raw.end());
      raw.push_back(substitution(p, mutant_base(p, rng_, 1.0)));
    }
    sort_one_kind_per_site(raw);
    static const std::vector<range> coverages = {range::parse("16024-576"), range::parse("16024-576"),
                                                 range::parse("16024-576"), range::parse("16024-16365 73-340"),
                                                 range::parse("16024-16365"), range::parse("16024-576").without(16180, 16200)};
    profile p;
    p.id = id;
    const range& coverage = coverages[rng_() % coverages.size()];
    if (!make_canonical(coverage, raw, p)) make_canonical(coverage, {}, p);
    return p;
  }

 private:
  void add_site(std::int32_t p) {
    if (mtmatch::rcrs()[p] == 'N') return;
    sites_.push_back(p);
    weights_.push_back(1.0);
  }
  std::size_t index_of(std::int32_t p) const {
    return static_cast<std::size_t>(std::find(sites_.begin(), sites_.end(), p) - sites_.begin());
  }
  void toggle(std::vector<variant>& vs, std::int32_t p) {
    auto it = std::find_if(vs.begin(), vs.end(), [&](const variant& v) { return v.position == p && v.kind == variant_kind::substitution; });
    if (it != vs.end()) {
      vs.erase(it);  // back-mutation
      return;
    }
    vs.push_back(substitution(p, mutant_base(p, rng_, 0.0)));
  }
  void toggle_variant(std::vector<variant>& vs, const variant& v) {
    auto it = std::find(vs.begin(), vs.end(), v);
    if (it != vs.end()) vs.erase(it);
    else vs.push_back(v);
  }

  std::mt19937_64 rng_;
  std::vector<std::int32_t> sites_;
  std::vector<double> weights_;
  std::discrete_distribution<std::size_t> pick_;
  std::vector<std::vector<variant>> tree_;
};

}  // namespace engine_fixtures
