// The dense kernel alone: queries × a tile of relatives that stays in L2, per instruction set.
// Counters: pairs/s (query-relative comparisons) and code GB/s (bytes of relative codes compared,
// one code per pair), both rates over wall time, so the 2-thread runs show the scaling.
//
//   build/bin/bench_kernels --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdint>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "mtmatch/detail/kernels.hpp"
#include "mtmatch/isa.hpp"

namespace {

using mtmatch::detail::block_rows;

struct tile_data {
  std::size_t words = 0;
  std::size_t n_blocks = 0;
  std::uint64_t* blocks = nullptr;
  std::vector<std::uint64_t> queries;
  std::vector<std::uint32_t> full;
  std::vector<std::uint32_t> edge;
  std::vector<std::uint64_t> edge_mask;

  tile_data(std::size_t code_bits, std::size_t n_rows, std::size_t n_queries, bool coverage) {
    words = code_bits / 64;
    n_blocks = (n_rows + block_rows - 1) / block_rows;
    std::size_t n = n_blocks * words * block_rows;
    blocks = static_cast<std::uint64_t*>(::operator new[](n * 8, std::align_val_t{64}));
    std::mt19937_64 rng(42);
    // ~2 % of bits set, like real profiles.
    auto sparse = [&] {
      std::uint64_t w = 0;
      for (int i = 0; i < 64; ++i)
        if (rng() % 50 == 0) w |= std::uint64_t{1} << i;
      return w;
    };
    for (std::size_t i = 0; i < n; ++i) blocks[i] = sparse();
    queries.resize(n_queries * words);
    for (auto& w : queries) w = sparse();
    // With coverage: two words cut by coverage edges go through a mask, every other word is read
    // whole. (A real coverage pair also skips the words outside both ranges, which is faster; this
    // measures what the masking itself costs.)
    for (std::uint32_t w = 0; w < words; ++w) {
      if (coverage && (w == 3 || w == words - 2)) {
        edge.push_back(w);
        edge_mask.push_back(0x00FFFFFFFFFFFF00ULL);
      } else {
        full.push_back(w);
      }
    }
  }
  ~tile_data() { ::operator delete[](blocks, std::align_val_t{64}); }
  tile_data(const tile_data&) = delete;
  tile_data& operator=(const tile_data&) = delete;
};

// args: code bits, coverage (0/1)
void bm_count_tile(benchmark::State& state, mtmatch::isa level) {
  if (!mtmatch::cpu_supports(level)) {
    state.SkipWithError("CPU lacks this instruction set");
    return;
  }
  const auto bits = static_cast<std::size_t>(state.range(0));
  const bool coverage = state.range(1) != 0;
  // 4096 relatives of 1024 bits = 512 KB: stays in L2 while 64 queries stream over it.
  const std::size_t n_rows = 4096 * 1024 / bits;
  const std::size_t n_queries = 64;
  tile_data data(bits, n_rows, n_queries, coverage);
  std::vector<std::uint16_t> out(n_queries * data.n_blocks * block_rows);
  mtmatch::detail::word_plan plan{data.full.data(), data.full.size(), data.edge.data(), data.edge_mask.data(),
                                  data.edge.size()};
  for (auto _ : state) {
    mtmatch::detail::dispatch(level, mtmatch::detail::count_tile{}, data.queries.data(), n_queries, data.words,
                              data.blocks, data.n_blocks, plan, out.data(), data.n_blocks * block_rows);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  const double pairs = static_cast<double>(state.iterations()) * static_cast<double>(n_queries * n_rows);
  state.counters["pairs/s"] = benchmark::Counter(pairs, benchmark::Counter::kIsRate);
  state.counters["code_GB/s"] =
      benchmark::Counter(pairs * static_cast<double>(bits / 8) / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel(std::string(mtmatch::to_string(level)) + (coverage ? " coverage" : " unmasked"));
}

int register_all() {
  for (mtmatch::isa level : {mtmatch::isa::scalar, mtmatch::isa::avx2, mtmatch::isa::avx512}) {
    const std::string name = std::string("count_tile/") + mtmatch::to_string(level);
    for (int threads : {1, 2}) {
      benchmark::RegisterBenchmark(name.c_str(), bm_count_tile, level)
          ->ArgsProduct({{512, 1024, 2048}, {0, 1}})
          ->ArgNames({"bits", "coverage"})
          ->Threads(threads)
          ->UseRealTime();
    }
  }
  return 0;
}

const int registered = register_all();

}  // namespace

int main(int argc, char** argv) {
  (void)registered;
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("mtmatch_active_isa", mtmatch::to_string(mtmatch::active_isa()));
  std::string supported;
  for (auto level : mtmatch::supported_isas()) supported += std::string(supported.empty() ? "" : ",") + mtmatch::to_string(level);
  benchmark::AddCustomContext("mtmatch_supported_isas", supported);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
