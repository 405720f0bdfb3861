// Python view of the matching engine: _match (report.hpp, GIL released, optional progress callback),
// active_isa/supported_isas, and, for bench/peers, the dense codes of profiles (_dense_codes) and the all-pairs kernel on given
// uint64 codes (_DenseCodes), so that other libraries can be timed on exactly the same bits.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <thread>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "bindings.hpp"
#include "mtmatch/detail/kernels.hpp"
#include "mtmatch/encode.hpp"
#include "mtmatch/error.hpp"
#include "mtmatch/isa.hpp"
#include "mtmatch/report.hpp"

namespace py = pybind11;

namespace mtmatch::python {
namespace {

using tree_ptr = std::shared_ptr<phylotree>;
using detail::block_rows;

// A vector handed to numpy without a copy: the array owns it through a capsule.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule free(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(owned->size())}, {static_cast<py::ssize_t>(sizeof(T))}, owned->data(), free);
}

// report_matches' progress hook, for Python. The engine runs with the GIL released; the GIL is taken
// only for a call, at most every `interval` within a stage (always for a stage's first call and for
// done == total), and report_matches makes the calls one thread at a time. A Python exception —
// raised by the callback, or KeyboardInterrupt from Ctrl-C noticed on the calling thread — cancels
// the run and is kept (never thrown through the engine's worker threads) for rethrow() once the
// engine has returned. Without a callback it only watches for Ctrl-C, on the calling thread.
class progress_relay {
 public:
  // `callback`: None, or callable(done, total, stage) -> None / truth value (false cancels).
  explicit progress_relay(py::object callback) : callback_(std::move(callback)), caller_(std::this_thread::get_id()) {}
  progress_relay(const progress_relay&) = delete;
  progress_relay& operator=(const progress_relay&) = delete;

  bool operator()(report_stage stage, std::uint64_t done, std::uint64_t total) {
    if (failure_) return false;
    const auto now = std::chrono::steady_clock::now();
    const bool due = !called_ || stage != last_stage_ || done >= total || now - last_ >= interval;
    if (!due || (callback_.is_none() && std::this_thread::get_id() != caller_)) return true;
    called_ = true;
    last_stage_ = stage;
    last_ = now;
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C (main thread only)
      if (callback_.is_none()) return true;
      const py::object answer = callback_(done, total, to_string(stage));
      if (answer.is_none()) return true;
      const int truth = PyObject_IsTrue(answer.ptr());
      if (truth < 0) throw py::error_already_set();
      return truth != 0;
    } catch (...) {
      failure_ = std::current_exception();
      return false;
    }
  }

  // Call with the GIL held, after the engine has returned.
  void rethrow() const {
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  static constexpr std::chrono::milliseconds interval{50};
  py::object callback_;
  std::thread::id caller_;
  std::exception_ptr failure_;
  bool called_ = false;
  report_stage last_stage_ = report_stage::classify;
  std::chrono::steady_clock::time_point last_{};
};

py::dict run_match(const std::vector<profile>& remains, const std::vector<profile>& relatives,
                   std::optional<int> max_differences, std::optional<std::size_t> top_k, std::size_t threads,
                   const tree_ptr& tree, bool scores, bool counts, bool fast_search, std::optional<std::string> force_isa,
                   bool ignore_length_variants, bool pattern_match_heteroplasmy, int inconclusive_at, int exclusion_at,
                   double diagnostic_weight, int discordant_at, const py::object& progress, bool group_identical) {
  report_options o;
  o.match.group_identical = group_identical;
  o.match.max_differences = max_differences;
  o.match.top_k = top_k;
  o.match.threads = threads;
  o.match.counts_only = counts;
  o.match.fast_search = fast_search;
  if (force_isa) o.match.force_isa = parse_isa(*force_isa);
  o.match.policy = {ignore_length_variants, pattern_match_heteroplasmy, inconclusive_at, exclusion_at};
  o.scores = scores;
  if (tree) o.tree = tree;
  o.diagnostic_weight = diagnostic_weight;
  o.discordant_at = discordant_at;
  o.validate();
  progress_relay relay(progress);
  o.progress = [&relay](report_stage stage, std::uint64_t done, std::uint64_t total) { return relay(stage, done, total); };
  match_report r;
  {
    py::gil_scoped_release release;
    r = report_matches(remains, relatives, o);
  }
  relay.rethrow();
  py::dict out;
  std::vector<std::uint8_t> verdict_codes(r.verdicts.size());
  std::transform(r.verdicts.begin(), r.verdicts.end(), verdict_codes.begin(), [](verdict v) { return static_cast<std::uint8_t>(v); });
  out["remains"] = to_numpy(std::move(r.remains));
  out["relative"] = to_numpy(std::move(r.relative));
  out["differences"] = to_numpy(std::move(r.differences));
  out["compared_length"] = to_numpy(std::move(r.compared_length));
  out["verdict_code"] = to_numpy(std::move(verdict_codes));
  out["verdict_names"] = std::vector<std::string>{to_string(verdict::match), to_string(verdict::inconclusive),
                                                  to_string(verdict::exclusion), to_string(verdict::no_overlap)};
  out["scored"] = r.scored;
  if (r.scored) {
    out["weighted_differences"] = to_numpy(std::move(r.weighted_differences));
    out["discordant"] = to_numpy(std::move(r.discordant));
    out["discordant_sites"] = to_numpy(std::move(r.discordant_sites));
    out["remains_haplogroups"] = r.remains_haplogroups;
    out["relative_haplogroups"] = r.relative_haplogroups;
    out["tree"] = r.tree_name;
  }
  out["remains_ids"] = r.remains_ids;
  out["relative_ids"] = r.relative_ids;
  out["counts"] = to_numpy(std::move(r.counts));
  out["counts_width"] = r.counts_width;
  out["cancelled"] = r.cancelled;
  out["grouped"] = r.grouped;
  out["profile_pairs"] = r.profile_pairs;
  if (r.grouped) {
    out["remains_members_begin"] = to_numpy(std::move(r.remains_members_begin));
    out["remains_members"] = to_numpy(std::move(r.remains_members));
    out["relative_members_begin"] = to_numpy(std::move(r.relative_members_begin));
    out["relative_members"] = to_numpy(std::move(r.relative_members));
  }
  out["isa"] = std::string(to_string(r.level));
  py::dict stats;
  stats["distinct_pairs"] = r.stats.distinct_pairs;
  stats["kernel_pairs"] = r.stats.kernel_pairs;
  stats["candidates"] = r.stats.candidates;
  stats["settled"] = r.stats.settled;
  stats["reference_calls"] = r.stats.reference_calls;
  stats["scored_pairs"] = r.scored_pairs;
  out["stats"] = stats;
  return out;
}

// ---- bench/peers: the kernel on given codes ------------------------------------------------------

using codes_in = py::array_t<std::uint64_t, py::array::c_style>;

std::size_t checked_words(const codes_in& a, const char* what) {
  if (a.ndim() != 2) throw error(std::string(what) + ": expected a 2-d uint64 array (rows, words)");
  return static_cast<std::size_t>(a.shape(1));
}

// Block-interleaved copy of row-major codes (detail/kernels.hpp), like faiss's index.add().
class dense_codes {
 public:
  explicit dense_codes(const codes_in& codes) {
    words_ = checked_words(codes, "DenseCodes");
    // counts stay below 2^15, so the reductions below can use signed 16-bit lanes
    if (words_ == 0 || words_ % 8 != 0 || words_ >= 512)
      throw error("DenseCodes: words per code must be a positive multiple of 8 below 512 (512-bit steps)");
    rows_ = static_cast<std::size_t>(codes.shape(0));
    n_blocks_ = (rows_ + block_rows - 1) / block_rows;
    const std::size_t n = std::max<std::size_t>(1, n_blocks_ * words_ * block_rows);
    blocks_.reset(static_cast<std::uint64_t*>(::operator new[](n * 8, std::align_val_t{64})));
    std::fill_n(blocks_.get(), n, 0);
    const std::uint64_t* src = codes.data();
    for (std::size_t r = 0; r < rows_; ++r)
      for (std::size_t w = 0; w < words_; ++w) blocks_[(r / block_rows * words_ + w) * block_rows + r % block_rows] = src[r * words_ + w];
  }

  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t words() const noexcept { return words_; }

  // Runs the kernel for every query against every row, tile by tile (64 queries × rows that fit in
  // L2, as the engine does), and hands each tile of counts to visit(q0, nq, first_row, counts, stride).
  template <class Visit>
  void all_pairs(const std::uint64_t* queries, std::size_t n_queries, const std::uint64_t* mask, isa level,
                 std::size_t threads, Visit&& visit) const {
    std::vector<std::uint32_t> full, edge;
    std::vector<std::uint64_t> edge_mask;
    for (std::uint32_t w = 0; w < words_; ++w) {
      const std::uint64_t m = mask == nullptr ? ~std::uint64_t{0} : mask[w];
      if (m == ~std::uint64_t{0}) full.push_back(w);
      else if (m != 0) edge.push_back(w), edge_mask.push_back(m);
    }
    const detail::word_plan plan{full.data(), full.size(), edge.data(), edge_mask.data(), edge.size()};
    const std::size_t tile_blocks = std::max<std::size_t>(8, (std::size_t{512} * 1024 / (words_ * 8)) / block_rows);
    constexpr std::size_t query_rows = 64;
    const std::size_t chunks = (n_queries + query_rows - 1) / query_rows;
    auto body = [&](std::size_t c) {
      const std::size_t q0 = c * query_rows;
      const std::size_t nq = std::min(query_rows, n_queries - q0);
      std::vector<std::uint16_t> counts(nq * tile_blocks * block_rows);
      for (std::size_t b0 = 0; b0 < n_blocks_; b0 += tile_blocks) {
        const std::size_t nb = std::min(tile_blocks, n_blocks_ - b0);
        detail::dispatch(level, detail::count_tile{}, queries + q0 * words_, nq, words_,
                         blocks_.get() + b0 * words_ * block_rows, nb, plan, counts.data(), tile_blocks * block_rows);
        visit(q0, nq, b0 * block_rows, std::min(nb * block_rows, rows_ - b0 * block_rows), counts.data(), tile_blocks * block_rows);
      }
    };
    if (threads == 1 || chunks <= 1) {
      for (std::size_t c = 0; c < chunks; ++c) body(c);
      return;
    }
    tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : static_cast<int>(threads));
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks, 1), [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t c = r.begin(); c != r.end(); ++c) body(c);
      });
    });
  }

 private:
  struct aligned_free {
    void operator()(std::uint64_t* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::size_t words_ = 0;
  std::size_t rows_ = 0;
  std::size_t n_blocks_ = 0;
  std::unique_ptr<std::uint64_t[], aligned_free> blocks_;
};

struct kernel_call {
  const std::uint64_t* queries = nullptr;
  std::size_t n = 0;
  const std::uint64_t* mask = nullptr;
  isa level = isa::scalar;
};

kernel_call prepare(const dense_codes& self, const codes_in& queries, const std::optional<codes_in>& mask,
                    const std::optional<std::string>& level) {
  if (checked_words(queries, "queries") != self.words())
    throw error("queries: " + std::to_string(queries.shape(1)) + " words per code, the codes have " + std::to_string(self.words()));
  kernel_call k;
  k.queries = queries.data();
  k.n = static_cast<std::size_t>(queries.shape(0));
  if (mask) {
    if (mask->ndim() != 1 || static_cast<std::size_t>(mask->shape(0)) != self.words())
      throw error("mask: expected " + std::to_string(self.words()) + " uint64 words");
    k.mask = mask->data();
  }
  k.level = level ? parse_isa(*level) : active_isa();
  if (!cpu_supports(k.level)) throw error(std::string("this CPU cannot run the ") + to_string(k.level) + " kernels");
  return k;
}

}  // namespace

void bind_match(py::module_& m) {
  m.def("active_isa", [] { return std::string(to_string(active_isa())); },
        "Instruction set the matching kernels run at: 'avx512', 'avx2' or 'scalar' (MTMATCH_FORCE_ISA pins one).");
  m.def("supported_isas", [] {
    std::vector<std::string> out;
    for (isa level : supported_isas()) out.emplace_back(to_string(level));
    return out;
  }, "Every instruction set this CPU can run, lowest first.");

  m.def("_match", &run_match, py::arg("remains"), py::arg("relatives"), py::arg("max_differences"), py::arg("top_k"),
        py::arg("threads"), py::arg("tree"), py::arg("scores"), py::arg("counts"), py::arg("fast_search"),
        py::arg("isa"), py::arg("ignore_length_variants"), py::arg("pattern_match_heteroplasmy"),
        py::arg("inconclusive_at"), py::arg("exclusion_at"), py::arg("diagnostic_weight"), py::arg("discordant_at"),
        py::arg("progress") = py::none(), py::arg("group_identical") = false);

  m.def(
      "_dense_codes",
      [](const std::vector<profile>& remains, const std::vector<profile>& relatives, std::size_t dense_bits) {
        encode_options eo;
        eo.dense_bits = dense_bits;
        eo.max_dense_bits = std::max(eo.max_dense_bits, dense_bits);
        encoded_sides sides;
        {
          py::gil_scoped_release release;
          sides = encode(remains, relatives, eo);
        }
        const variant_dictionary& dict = *sides.dictionary;
        const std::size_t words = dict.dense_words();
        auto rows = [&](const profile_store& s) {
          py::array_t<std::uint64_t> out({static_cast<py::ssize_t>(s.size()), static_cast<py::ssize_t>(words)});
          std::uint64_t* dst = out.mutable_data();
          for (std::size_t p = 0; p < s.size(); ++p) s.copy_row(s.haplotype_of(p), dst + p * words);
          return out;
        };
        // What the engine's kernel reads for these profiles: the columns inside every coverage class
        // present, minus length variants (ignored by default).
        py::array_t<std::uint64_t> mask(static_cast<py::ssize_t>(words));
        std::uint64_t* mk = mask.mutable_data();
        std::fill_n(mk, words, ~std::uint64_t{0});
        const std::uint64_t* length = dict.length_variant_mask();
        for (const profile_store* s : {&sides.remains, &sides.relatives})
          for (std::uint32_t h = 0; h < s->haplotypes(); h = s->class_end(s->coverage_class(h))) {
            const std::uint64_t* cm = dict.class_dense_mask(s->coverage_class(h));
            for (std::size_t w = 0; w < words; ++w) mk[w] &= cm[w];
          }
        for (std::size_t w = 0; w < words; ++w) mk[w] &= ~length[w];
        // Padding columns (beyond the dictionary's core) are zero in every row: leave them unmasked.
        py::dict out;
        out["remains"] = rows(sides.remains);
        out["relatives"] = rows(sides.relatives);
        out["mask"] = mask;
        out["dense_columns"] = dict.dense_columns();
        out["classes"] = dict.classes();
        return out;
      },
      py::arg("remains"), py::arg("relatives"), py::arg("dense_bits") = 1024,
      "The engine's dense codes of both sides (one dictionary, `dense_bits` core bits) as (n, words) uint64\n"
      "arrays, and the coverage mask the kernel applies (columns inside every coverage class, minus length\n"
      "variants). For bench/peers.");

  py::class_<dense_codes>(m, "_DenseCodes",
                          "Codes laid out for the engine's kernel (block-interleaved, 64-byte aligned). For bench/peers.")
      .def(py::init([](const codes_in& codes) { return std::make_unique<dense_codes>(codes); }), py::arg("codes").noconvert())
      .def_property_readonly("rows", &dense_codes::rows)
      .def_property_readonly("words", &dense_codes::words)
      .def(
          "nearest",
          [](const dense_codes& self, const codes_in& queries, const std::optional<codes_in>& mask, std::size_t threads,
             const std::optional<std::string>& level) {
            const kernel_call k = prepare(self, queries, mask, level);
            py::array_t<std::uint16_t> dist(static_cast<py::ssize_t>(k.n));
            py::array_t<std::int64_t> index(static_cast<py::ssize_t>(k.n));
            std::uint16_t* d = dist.mutable_data();
            std::int64_t* ix = index.mutable_data();
            {
              py::gil_scoped_release release;
              std::fill_n(d, k.n, std::numeric_limits<std::uint16_t>::max());
              std::fill_n(ix, k.n, -1);
              self.all_pairs(k.queries, k.n, k.mask, k.level, threads,
                             [&](std::size_t q0, std::size_t nq, std::size_t first, std::size_t n, const std::uint16_t* c,
                                 std::size_t stride) {
                               for (std::size_t q = 0; q < nq; ++q) {
                                 const std::uint16_t* row = c + q * stride;
                                 // signed 16-bit min vectorises on the x86-64 baseline (counts < 2^15)
                                 std::int16_t best = std::numeric_limits<std::int16_t>::max();
                                 for (std::size_t r = 0; r < n; ++r) best = std::min(best, static_cast<std::int16_t>(row[r]));
                                 if (static_cast<std::uint16_t>(best) < d[q0 + q]) {
                                   d[q0 + q] = static_cast<std::uint16_t>(best);
                                   ix[q0 + q] = static_cast<std::int64_t>(first + static_cast<std::size_t>(
                                                                                      std::find(row, row + n, static_cast<std::uint16_t>(best)) - row));
                                 }
                               }
                             });
            }
            return py::make_tuple(dist, index);
          },
          py::arg("queries").noconvert(), py::kw_only(), py::arg("mask") = std::nullopt, py::arg("threads") = 1,
          py::arg("isa") = std::nullopt,
          "For every query the smallest masked Hamming distance to the codes and the first row reaching it\n"
          "(what faiss IndexBinaryFlat.search(q, 1) returns). GIL released.")
      .def(
          "count_within",
          [](const dense_codes& self, const codes_in& queries, int max_distance, const std::optional<codes_in>& mask,
             std::size_t threads, const std::optional<std::string>& level) {
            const kernel_call k = prepare(self, queries, mask, level);
            py::array_t<std::int64_t> counts(static_cast<py::ssize_t>(k.n));
            std::int64_t* out = counts.mutable_data();
            {
              py::gil_scoped_release release;
              std::fill_n(out, k.n, 0);
              const auto t = static_cast<std::int16_t>(std::clamp(max_distance, -1, 32767));
              self.all_pairs(k.queries, k.n, k.mask, k.level, threads,
                             [&](std::size_t q0, std::size_t nq, std::size_t, std::size_t n, const std::uint16_t* c,
                                 std::size_t stride) {
                               for (std::size_t q = 0; q < nq; ++q) {
                                 const std::uint16_t* row = c + q * stride;
                                 std::int64_t hits = 0;
                                 for (std::size_t r = 0; r < n; ++r) hits += static_cast<std::int16_t>(row[r]) <= t ? 1 : 0;
                                 out[q0 + q] += hits;
                               }
                             });
            }
            return counts;
          },
          py::arg("queries").noconvert(), py::arg("max_distance"), py::kw_only(), py::arg("mask") = std::nullopt,
          py::arg("threads") = 1, py::arg("isa") = std::nullopt,
          "Per query, how many codes lie within max_distance (masked Hamming). GIL released.")
      .def(
          "distances",
          [](const dense_codes& self, const codes_in& queries, const std::optional<codes_in>& mask,
             const std::optional<std::string>& level) {
            const kernel_call k = prepare(self, queries, mask, level);
            py::array_t<std::uint16_t> all({static_cast<py::ssize_t>(k.n), static_cast<py::ssize_t>(self.rows())});
            std::uint16_t* out = all.mutable_data();
            const std::size_t n_rows = self.rows();
            {
              py::gil_scoped_release release;
              self.all_pairs(k.queries, k.n, k.mask, k.level, 1,
                             [&](std::size_t q0, std::size_t nq, std::size_t first, std::size_t n, const std::uint16_t* c,
                                 std::size_t stride) {
                               for (std::size_t q = 0; q < nq; ++q) std::memcpy(out + (q0 + q) * n_rows + first, c + q * stride, n * 2);
                             });
            }
            return all;
          },
          py::arg("queries").noconvert(), py::kw_only(), py::arg("mask") = std::nullopt, py::arg("isa") = std::nullopt,
          "Every masked Hamming distance, (queries, rows) uint16 (for checking).");
}

}  // namespace mtmatch::python
