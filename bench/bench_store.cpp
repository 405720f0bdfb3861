// Store files (encode.hpp, profile_store::save/load) for a national-size relatives set: simulated,
// phylogeny-structured control-region profiles (simulate.hpp), about 620,000 relatives from 490,000
// martyrs by default, encoded once, saved to a temporary file that is removed at exit.
//
//   build/bin/bench_store
//   MTMATCH_BENCH_MARTYRS=100000 build/bin/bench_store --benchmark_filter=load
//
// bm_encode: encoding the profiles from scratch (what a version-1 file's load amounted to).
// bm_load/verify:1: map the file, check both checksums and every index (the default);
// bm_load/verify:0: map the file, check the header, section table and dictionary only.
// bm_load_touch: load (no payload check) and then read every dense row once (pages come in).
// Counters: bytes/profile on disk, file MB, profiles/s.

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mtmatch/encode.hpp"
#include "mtmatch/simulate.hpp"

namespace {

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

struct corpus {
  std::vector<mtmatch::profile> relatives;
  mtmatch::profile_store store;
  std::string path;
  std::uintmax_t file_bytes = 0;
  ~corpus() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove(path, ignored);
  }
};

void fill(corpus& out) {
  mtmatch::simulate_options o;
  o.seed = 2024;
  o.martyrs = static_cast<std::int64_t>(env_size("MTMATCH_BENCH_MARTYRS", 490000));
  o.remains_coverage = {0, 0, 1, 0};  // control region, with the default share of missing stretches
  o.relative_coverage = {0, 0, 1, 0};
  mtmatch::simulator sim(o);
  while (sim.has_next()) {
    auto family = sim.next_family();
    for (auto& q : family.relatives)
      if (q.sample) out.relatives.push_back(std::move(q.sample->observed));
  }
  const std::vector<mtmatch::profile> none;
  out.store = std::move(mtmatch::encode(none, out.relatives).relatives);
  out.path = (std::filesystem::temp_directory_path() / ("mtmatch_bench_store_" + std::to_string(::getpid()) + ".mtm")).string();
  out.store.save(out.path);
  out.file_bytes = std::filesystem::file_size(out.path);
}

corpus& data() {
  static corpus c;
  static const bool filled = (fill(c), true);
  (void)filled;
  return c;
}

void set_counters(benchmark::State& state) {
  const corpus& c = data();
  const double n = static_cast<double>(c.relatives.size());
  state.counters["profiles/s"] = benchmark::Counter(n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["disk_bytes/profile"] = static_cast<double>(c.file_bytes) / n;
  state.counters["file_MB"] = static_cast<double>(c.file_bytes) / 1e6;
  state.SetLabel(std::to_string(c.relatives.size()) + " profiles, " + std::to_string(c.store.haplotypes()) + " haplotypes");
}

void bm_encode(benchmark::State& state) {
  const corpus& c = data();
  for (auto _ : state) {
    mtmatch::profile_store s(c.store.dictionary_ptr(), c.relatives);
    benchmark::DoNotOptimize(s.blocks());
  }
  set_counters(state);
}

void bm_save(benchmark::State& state) {
  const corpus& c = data();
  const std::string path = c.path + ".save";
  for (auto _ : state) c.store.save(path);
  std::filesystem::remove(path);
  set_counters(state);
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(c.file_bytes) * static_cast<double>(state.iterations()),
                                              benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

// arg: verify (load_options::verify)
void bm_load(benchmark::State& state) {
  const corpus& c = data();
  mtmatch::load_options o;
  o.verify = state.range(0) != 0;
  for (auto _ : state) {
    auto s = mtmatch::profile_store::load(c.path, o);
    benchmark::DoNotOptimize(s.blocks());
  }
  set_counters(state);
}

// Load without verification, then read every dense row and every member list once: what a first
// match pays for bringing the pages in (the page cache is warm, as on a server that reloads).
void bm_load_touch(benchmark::State& state) {
  const corpus& c = data();
  mtmatch::load_options o;
  o.verify = false;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    auto s = mtmatch::profile_store::load(c.path, o);
    const std::uint64_t* b = s.blocks();
    const std::size_t words = (s.haplotypes() + 7) / 8 * 8 * s.dictionary().dense_words();
    for (std::size_t i = 0; i < words; i += 8) sum += b[i];
    for (std::uint32_t h = 0; h < s.haplotypes(); ++h) sum += s.members(h).size();
    benchmark::DoNotOptimize(sum);
  }
  set_counters(state);
}

// The ids as strings (profile_store::id(), built on first use for a mapped store; report_matches
// asks for them).
void bm_load_ids(benchmark::State& state) {
  const corpus& c = data();
  mtmatch::load_options o;
  o.verify = false;
  std::size_t n = 0;
  for (auto _ : state) {
    auto s = mtmatch::profile_store::load(c.path, o);
    for (std::size_t p = 0; p < s.size(); ++p) n += s.id(p).size();
    benchmark::DoNotOptimize(n);
  }
  set_counters(state);
}

BENCHMARK(bm_encode)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(bm_save)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(bm_load)->ArgName("verify")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(bm_load_touch)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(bm_load_ids)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
