// Parsing + canonicalising an .hsd of control-region profiles (issue: > 500,000 profiles/s per core).
//
// The profiles are built from the control-region motifs of common Southeast Asian haplogroups
// (DOMAIN.md §5.4) plus private mutations at fast sites and C-tract length variants, written in the
// mixed notations labs use, so that the parser and the canonicaliser see realistic work.
#include <benchmark/benchmark.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mtmatch/profile_io.hpp"
#include "mtmatch/reference.hpp"

namespace {

const std::vector<std::string> motifs = {
    "16223T 73G 263G 489C",
    "16129A 16223T 16297C 73G 150T 199C 263G 489C",
    "16223T 16295T 73G 146C 199C 263G 489C",
    "16223T 16362C 73G 263G 489C",
    "16223T 16227G 16278T 16362C 73G 263G 489C",
    "16223T 16257A 16261T 73G 150T 263G",
    "16223T 16290T 16319A 73G 235G 263G",
    "16304C 73G 263G",
    "16129A 16162G 16172C 16304C 73G 249d 263G",
    "16189C 16217C 16261T 73G 263G",
    "16140C 16189C 16266A 73G 210G 263G",
    "16189C 73G 150T 263G",
};
const int fast_sites[] = {16519, 152, 16311, 146, 195, 16189, 16129, 16093, 16362, 150, 16278, 204, 16172, 207};
const char* length_variants[] = {"315.1C", "309.1C 315.1C", "309.1C 309.2C 315.1C", "302.1C 310.1C",
                                 "315+C", "303.1C 315.1C", "16193.1C 315.1C", "315.1C 523d 524d", "315.1C 514-515d"};

std::string make_hsd(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::ostringstream out;
  out << "SampleId\tRange\tHaplogroup\tPolymorphisms\n";
  for (int i = 0; i < n; ++i) {
    std::string line = motifs[rng() % motifs.size()] + ' ' + length_variants[rng() % std::size(length_variants)];
    int extra = static_cast<int>(rng() % 4);
    for (int k = 0; k < extra; ++k) {
      int site = fast_sites[rng() % std::size(fast_sites)];
      char ref = mtmatch::rcrs()[site];
      // a transition, as most fast-site changes are
      char alt = ref == 'A' ? 'G' : ref == 'G' ? 'A' : ref == 'C' ? 'T' : 'C';
      std::string token = std::to_string(site) + alt;
      if (line.find(std::to_string(site)) == std::string::npos) line += ' ' + token;
    }
    out << 'S' << i << "\t16024-16569;1-576\t?\t" << line << '\n';
  }
  return out.str();
}

void BM_ParseAndCanonicaliseHsd(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string text = make_hsd(n, 42);
  std::size_t kept = 0;
  for (auto _ : state) {
    mtmatch::profile_file file = mtmatch::parse_hsd(text, "bench.hsd");
    kept = file.profiles.size();
    benchmark::DoNotOptimize(file);
  }
  if (kept != static_cast<std::size_t>(n)) state.SkipWithError("not every profile parsed");
  state.counters["profiles/s"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(text.size()) * static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseAndCanonicaliseHsd)->Arg(100'000)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
