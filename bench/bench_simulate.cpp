// Simulator throughput: families generated and written per second (all nine outputs, into memory
// sinks that count bytes), with the default Vietnamese options.
//
// The national-scale run (300,000 remains, 600,000 relatives) is timed with the CLI, which streams to
// disk; its time and peak memory (`/usr/bin/time -v`) are in the closing note:
//   /usr/bin/time -v build/bin/mtmatch simulate --seed 1 --martyrs 500000 --out /tmp/national
#include <benchmark/benchmark.h>

#include <ostream>
#include <streambuf>

#include "mtmatch/simulate.hpp"

namespace {

// A stream buffer that only counts what is written: measures generation + formatting, not the disk.
class counting_buffer : public std::streambuf {
 public:
  std::size_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::size_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) ++bytes;
    return traits_type::not_eof(c);
  }
};

void BM_SimulateFamilies(benchmark::State& state) {
  mtmatch::simulate_options options;
  options.martyrs = state.range(0);
  counting_buffer buffer;
  std::ostream sink(&buffer);
  const mtmatch::simulation_streams out{&sink, &sink, &sink, &sink, &sink, &sink, &sink, &sink, &sink};
  mtmatch::simulation_summary summary;
  for (auto _ : state) {
    options.seed += 1;
    summary = mtmatch::simulate(options, out);
    benchmark::DoNotOptimize(summary);
  }
  const double runs = static_cast<double>(state.iterations());
  state.counters["families/s"] = benchmark::Counter(static_cast<double>(summary.martyrs) * runs, benchmark::Counter::kIsRate);
  state.counters["profiles/s"] = benchmark::Counter(
      static_cast<double>(summary.remains + summary.relative_profiles + summary.martyrs) * runs, benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(buffer.bytes));
}
BENCHMARK(BM_SimulateFamilies)->Arg(20'000)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_SimulateFounders(benchmark::State& state) {
  const mtmatch::simulator sim(mtmatch::simulate_options{});
  std::uint64_t stream = 0;
  for (auto _ : state) {
    auto founders = sim.founders(static_cast<std::size_t>(state.range(0)), ++stream);
    benchmark::DoNotOptimize(founders);
  }
  state.counters["founders/s"] = benchmark::Counter(static_cast<double>(state.range(0)) *
                                                        static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateFounders)->Arg(10'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
