// End-to-end matching on simulated, phylogeny-structured control-region profiles (simulate.hpp:
// PhyloTree 17 haplogroups at Vietnamese frequencies, private mutations at site-specific rates,
// C-tract lengths, heteroplasmies, missing stretches, families of relatives).
//
//   build/bin/bench_match --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//   MTMATCH_BENCH_REMAINS=30000 MTMATCH_BENCH_RELATIVES=60000 build/bin/bench_match
//
// Counters: profile pairs/s (remains × relatives per second of wall time), distinct pairs (after
// collapsing identical haplotypes), kernel pairs, candidates (passed the bound), settled (of those,
// the ones the kernel's count did not settle), results (rows;
// grouped: haplotype pairs, profile_pair_results the profile pairs they stand for).
// The national set: MTMATCH_BENCH_REMAINS=300000 MTMATCH_BENCH_RELATIVES=600000
//   build/bin/bench_match --benchmark_filter='bm_(grouped|counts|top)'

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mtmatch/encode.hpp"
#include "mtmatch/isa.hpp"
#include "mtmatch/match.hpp"
#include "mtmatch/simulate.hpp"

namespace {

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

struct corpus {
  std::vector<mtmatch::profile> remains;
  std::vector<mtmatch::profile> relatives;
  mtmatch::encoded_sides sides;
};

const corpus& data() {
  static const corpus c = [] {
    corpus out;
    const std::size_t n_remains = env_size("MTMATCH_BENCH_REMAINS", 12000);
    const std::size_t n_relatives = env_size("MTMATCH_BENCH_RELATIVES", 24000);
    mtmatch::simulate_options o;
    o.seed = 2024;
    // ~0.62 remains and ~1.23 sampled relatives per martyr (simulate.hpp defaults): enough martyrs
    // for both sides, and not many more (the national set, 300k x 600k, is ~490,000 martyrs)
    o.martyrs = static_cast<std::int64_t>(std::max(n_remains * 17 / 10, n_relatives * 85 / 100) + 1000);
    o.remains_coverage = {0, 0, 1, 0};  // control region, with the default share of missing stretches
    o.relative_coverage = {0, 0, 1, 0};
    mtmatch::simulator sim(o);
    while (sim.has_next() && (out.remains.size() < n_remains || out.relatives.size() < n_relatives)) {
      auto family = sim.next_family();
      for (auto& r : family.remains)
        if (out.remains.size() < n_remains) out.remains.push_back(std::move(r.sample.observed));
      for (auto& q : family.relatives)
        if (q.sample && out.relatives.size() < n_relatives) out.relatives.push_back(std::move(q.sample->observed));
    }
    out.sides = mtmatch::encode(out.remains, out.relatives);
    return out;
  }();
  return c;
}

void set_counters(benchmark::State& state, const mtmatch::match_result& m) {
  const corpus& c = data();
  const double pairs = static_cast<double>(c.remains.size()) * static_cast<double>(c.relatives.size());
  state.counters["profile_pairs/s"] =
      benchmark::Counter(pairs * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["distinct_pairs"] = static_cast<double>(m.stats.distinct_pairs);
  state.counters["kernel_pairs"] = static_cast<double>(m.stats.kernel_pairs);
  state.counters["candidates"] = static_cast<double>(m.stats.candidates);
  state.counters["settled"] = static_cast<double>(m.stats.settled);
  state.counters["results"] = static_cast<double>(m.counts.empty() ? m.size() : 0);
  state.SetLabel(std::string(mtmatch::to_string(m.level)) + " " + std::to_string(c.remains.size()) + "x" +
                 std::to_string(c.relatives.size()));
}

void bm_encode(benchmark::State& state) {
  const corpus& c = data();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto sides = mtmatch::encode(c.remains, c.relatives);
    bytes = sides.relatives.bytes() + sides.remains.bytes();
    benchmark::DoNotOptimize(sides);
  }
  const double n = static_cast<double>(c.remains.size() + c.relatives.size());
  state.counters["profiles/s"] = benchmark::Counter(n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes/profile"] = static_cast<double>(bytes) / n;
  state.counters["core_bits"] = static_cast<double>(c.sides.dictionary->dense_words() * 64);
  state.counters["classes"] = static_cast<double>(c.sides.dictionary->classes());
}

// Matches the corpus with `o` (threads from the second argument) for every iteration, then sets the counters.
void run_match(benchmark::State& state, mtmatch::match_options o) {
  const corpus& c = data();
  o.threads = static_cast<std::size_t>(state.range(1));
  mtmatch::match_result m;
  for (auto _ : state) {
    m = mtmatch::match(c.sides.remains, c.sides.relatives, o);
    benchmark::DoNotOptimize(m);
  }
  set_counters(state, m);
  if (m.grouped) state.counters["profile_pair_results"] = static_cast<double>(m.profile_pairs);
}

// args: max differences, threads, fast search
void bm_threshold(benchmark::State& state) {
  mtmatch::match_options o;
  o.max_differences = static_cast<int>(state.range(0));
  o.fast_search = state.range(2) != 0;
  run_match(state, o);
}

// args: max differences, threads — each distinct haplotype pair once (match_options::group_identical)
void bm_grouped(benchmark::State& state) {
  mtmatch::match_options o;
  o.max_differences = static_cast<int>(state.range(0));
  o.group_identical = true;
  run_match(state, o);
}

// args: max differences, threads
void bm_counts(benchmark::State& state) {
  mtmatch::match_options o;
  o.max_differences = static_cast<int>(state.range(0));
  o.counts_only = true;
  run_match(state, o);
}

// args: top k, threads
void bm_top(benchmark::State& state) {
  mtmatch::match_options o;
  o.max_differences = 2;
  o.top_k = static_cast<std::size_t>(state.range(0));
  run_match(state, o);
}

BENCHMARK(bm_encode)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(bm_threshold)
    ->ArgNames({"k", "threads", "fast"})
    ->Args({0, 1, 1})
    ->Args({2, 1, 1})
    ->Args({2, 2, 1})
    ->Args({2, 2, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(bm_grouped)->ArgNames({"k", "threads"})->Args({2, 1})->Args({2, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(bm_counts)->ArgNames({"k", "threads"})->Args({2, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(bm_top)->ArgNames({"top", "threads"})->Args({5, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("mtmatch_active_isa", mtmatch::to_string(mtmatch::active_isa()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
