// Classification speed: profiles per second on one core, whole mitogenomes and control regions.
// Profiles are PhyloTree 17 haplogroups (every 5th node) with two private mutations each.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "mtmatch/classify.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace {

std::vector<mtmatch::profile> make_profiles(const char* coverage) {
  const mtmatch::phylotree& tree = mtmatch::phylotree17();
  const mtmatch::range r = mtmatch::range::parse(coverage);
  std::mt19937 rng(1);
  std::uniform_int_distribution<std::int32_t> position(1, mtmatch::rcrs_length);
  std::vector<mtmatch::profile> out;
  for (mtmatch::node_id n = 0; n < tree.size(); n += 5) {
    std::vector<mtmatch::variant> vs;
    for (auto v : tree.expected_variants(n)) {
      const bool inside = v.kind == mtmatch::variant_kind::insertion ? r.contains_insertion(v.position) : r.contains_all(v.position, v.last());
      if (inside) vs.push_back(v);
    }
    for (int k = 0; k < 2; ++k) {  // private mutations, in range, on free sites
      for (int tries = 0; tries < 100; ++tries) {
        const std::int32_t p = position(rng);
        const char ref = mtmatch::rcrs()[p];
        if (!r.contains(p) || ref == 'N' ||
            std::any_of(vs.begin(), vs.end(), [&](const mtmatch::variant& v) { return v.position - 1 <= p && p <= v.last() + 1; })) {
          continue;
        }
        vs.push_back({p, mtmatch::variant_kind::substitution, 1, std::string(1, ref == 'A' ? 'G' : ref == 'G' ? 'A' : ref == 'C' ? 'T' : 'C'), false});
        break;
      }
    }
    // Length heteroplasmy as in real data: 315.1C nearly always, 309.1C often, 16193.1C with 16189C.
    auto add_insertion = [&](std::int32_t at, const char* bases) {
      if (!r.contains_insertion(at)) return;
      if (std::any_of(vs.begin(), vs.end(), [&](const mtmatch::variant& v) { return v.position - 8 <= at && at <= v.last() + 1; })) return;
      vs.push_back({at, mtmatch::variant_kind::insertion, static_cast<std::int32_t>(std::string(bases).size()), bases, false});
    };
    add_insertion(315, "C");
    if (n % 2 == 0) add_insertion(309, n % 4 == 0 ? "CC" : "C");
    if (std::any_of(vs.begin(), vs.end(), [](const mtmatch::variant& v) { return v.position == 16189; })) add_insertion(16193, "C");
    std::sort(vs.begin(), vs.end());
    mtmatch::profile p;
    p.id = tree.name(n);
    p.coverage = r;
    p.variants = mtmatch::canonicalize(r, vs);
    out.push_back(std::move(p));
  }
  return out;
}

void run_best(benchmark::State& state, const char* coverage) {
  const std::vector<mtmatch::profile> profiles = make_profiles(coverage);
  std::vector<mtmatch::node_id> best(profiles.size());
  std::vector<double> quality(profiles.size());
  for (auto _ : state) {
    mtmatch::classify_best(profiles, mtmatch::phylotree17(), best, quality, 1);
    benchmark::DoNotOptimize(best.data());
  }
  state.counters["profiles/s"] = benchmark::Counter(static_cast<double>(profiles.size()) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
}

void run_details(benchmark::State& state, const char* coverage) {
  const std::vector<mtmatch::profile> profiles = make_profiles(coverage);
  mtmatch::classify_options options;
  options.threads = 1;
  for (auto _ : state) {
    auto results = mtmatch::classify(profiles, mtmatch::phylotree17(), options);
    benchmark::DoNotOptimize(results.data());
  }
  state.counters["profiles/s"] = benchmark::Counter(static_cast<double>(profiles.size()) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
}

void BM_ClassifyBestMitogenome(benchmark::State& state) { run_best(state, "1-16569"); }
void BM_ClassifyBestControlRegion(benchmark::State& state) { run_best(state, "16024-576"); }
void BM_ClassifyDetailsMitogenome(benchmark::State& state) { run_details(state, "1-16569"); }
void BM_ClassifyDetailsControlRegion(benchmark::State& state) { run_details(state, "16024-576"); }

void BM_LoadPhylotree17(benchmark::State& state) {
  // Parsing the embedded tree, as the first call to phylotree17() does (and every load()).
  const mtmatch::phylotree& t = mtmatch::phylotree17();
  benchmark::DoNotOptimize(&t);
  for (auto _ : state) {
    auto tree = mtmatch::phylotree::load(std::string(MTMATCH_DATA_DIR) + "/phylotree17/tree.xml",
                                         std::string(MTMATCH_DATA_DIR) + "/phylotree17/weights.txt",
                                         std::string(MTMATCH_DATA_DIR) + "/phylotree17/hotspots.txt");
    benchmark::DoNotOptimize(tree.get());
  }
}

}  // namespace

BENCHMARK(BM_ClassifyBestMitogenome)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClassifyBestControlRegion)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClassifyDetailsMitogenome)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClassifyDetailsControlRegion)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadPhylotree17)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
