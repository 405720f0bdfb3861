// canonicalize() on realistic control-region profiles (issue: > 500,000 profiles/s parse +
// canonicalise per core, so a few microseconds at most each).
//
// A profile is a control-region motif of a common Southeast Asian haplogroup (DOMAIN.md §5.4), C-tract
// and AC-repeat length variants written in the various spellings labs use (`302.1C 310.1C`,
// `16189C 16184.1C`, `514-515d` …), and 3-25 private substitutions (mostly transitions, a few point
// heteroplasmies) over 16024-576: 10-40 variants each. The raw variants are parsed once up front, so
// the benchmarks time canonicalize() alone (with and without the per-thread window memo), then
// profile::parse (text → canonical), and the reference compare() for scale. The pool (32,768
// profiles) is four times the memo's capacity, so the memo only keeps what recurs across profiles
// (haplogroup motifs, C-tract spellings), as it would on real data, not the private mutations.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "mtmatch/compare.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/notation.hpp"
#include "mtmatch/profile.hpp"
#include "mtmatch/reference.hpp"

namespace {

const char* const motifs[] = {
    "16223T 73G 263G 489C",
    "16129A 16223T 16297C 73G 150T 199C 263G 489C",
    "16223T 16295T 73G 146C 199C 263G 489C",
    "16223T 16362C 73G 263G 489C",
    "16223T 16227G 16278T 16362C 73G 263G 489C",
    "16223T 16257A 16261T 73G 150T 263G",
    "16223T 16290T 16319A 73G 235G 263G",
    "16304C 73G 263G",
    "16129A 16162G 16172C 16304C 73G 249d 263G",
    "16183C 16189C 16217C 16261T 73G 263G",
    "16140C 16189C 16266A 73G 210G 263G",
    "16189C 73G 150T 263G",
};
// Length variants as labs write them, several non-canonical.
const char* const length_variants[] = {
    "315.1C",          "309.1C 315.1C",  "309.1C 309.2C 315.1C", "302.1C 310.1C", "303.1C 315.1C",
    "310.1C",          "309.1CC 315.1C", "309T 310C",            "315+C",         "16193.1C 315.1C",
    "16184.1C 315.1C", "523-524d 315.1C", "514-515d 315.1C",     "524.1AC 315.1C", "568.1C 315.1C",
};

struct workload {
  std::vector<std::string> texts;
  std::vector<std::vector<mtmatch::variant>> raw;
  std::size_t variants = 0;
};

const mtmatch::range& control_region() {
  static const mtmatch::range r = mtmatch::range::parse("16024-576");
  return r;
}

workload make_workload(int n, unsigned seed) {
  std::mt19937 rng(seed);
  const auto& ref = mtmatch::rcrs();
  workload w;
  for (int i = 0; i < n; ++i) {
    std::string text = std::string(motifs[rng() % std::size(motifs)]) + ' ' + length_variants[rng() % std::size(length_variants)];
    const int privates = 3 + static_cast<int>(rng() % 23);
    for (int k = 0; k < privates; ++k) {
      int site = static_cast<int>(rng() % 1122);  // 16024-16569 then 1-576
      site = site < 546 ? 16024 + site : site - 545;
      if (text.find(std::to_string(site)) != std::string::npos || (site >= 302 && site <= 316) ||
          (site >= 16183 && site <= 16194) || (site >= 513 && site <= 525)) {
        continue;
      }
      const char r = ref[site];
      char alt = r == 'A' ? 'G' : r == 'G' ? 'A' : r == 'C' ? 'T' : 'C';
      if (rng() % 8 == 0) alt = "ACGT"[rng() % 4];
      if (rng() % 25 == 0) alt = r == 'C' || r == 'T' ? 'Y' : 'R';
      if (alt == r) continue;
      text += ' ' + std::to_string(site) + alt;
    }
    auto parsed = mtmatch::parse_variants(text, control_region());
    w.variants += parsed.variants.size();
    w.raw.push_back(std::move(parsed.variants));
    w.texts.push_back(std::move(text));
  }
  return w;
}

const workload& shared_workload() {
  static const workload w = make_workload(32768, 42);
  return w;
}

void report(benchmark::State& state, std::size_t profiles) {
  const auto total = static_cast<double>(profiles) * static_cast<double>(state.iterations());
  state.counters["profiles/s"] = benchmark::Counter(total, benchmark::Counter::kIsRate);
  state.counters["time/profile"] = benchmark::Counter(total, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["variants/profile"] =
      static_cast<double>(shared_workload().variants) / static_cast<double>(shared_workload().raw.size());
}

void BM_Canonicalize(benchmark::State& state) {
  const workload& w = shared_workload();
  const bool memo = state.range(0) != 0;
  mtmatch::detail::use_window_memo(memo);
  for (auto _ : state) {
    for (const auto& raw : w.raw) {
      auto canonical = mtmatch::canonicalize(control_region(), raw);
      benchmark::DoNotOptimize(canonical);
    }
  }
  mtmatch::detail::use_window_memo(true);
  report(state, w.raw.size());
  state.SetLabel(memo ? "window memo on" : "window memo off");
}
BENCHMARK(BM_Canonicalize)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

void BM_ParseAndCanonicalize(benchmark::State& state) {
  const workload& w = shared_workload();
  for (auto _ : state) {
    for (const auto& text : w.texts) {
      auto p = mtmatch::profile::parse(text, "16024-576");
      benchmark::DoNotOptimize(p);
    }
  }
  report(state, w.texts.size());
}
BENCHMARK(BM_ParseAndCanonicalize)->Unit(benchmark::kMillisecond);

void BM_ReferenceCompare(benchmark::State& state) {
  const workload& w = shared_workload();
  std::vector<mtmatch::profile> profiles;
  for (std::size_t i = 0; i < 512; ++i) profiles.push_back(mtmatch::profile::parse(w.texts[i], "16024-576"));
  for (auto _ : state) {
    for (std::size_t i = 0; i + 1 < profiles.size(); ++i) {
      auto c = mtmatch::compare(profiles[i], profiles[i + 1]);
      benchmark::DoNotOptimize(c);
    }
  }
  const auto total = static_cast<double>(profiles.size() - 1) * static_cast<double>(state.iterations());
  state.counters["pairs/s"] = benchmark::Counter(total, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReferenceCompare)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
