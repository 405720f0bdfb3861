#include "mtmatch/normalize.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

#include "mtmatch/error.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {
namespace {

constexpr std::int32_t placeholder = 3107;  // 'N' in the rCRS; never a variant
constexpr int max_period = 10;             // covers the 9-bp CCCCCTCTA repeat at 8272-8289
constexpr std::int32_t flank = 2;           // matched bases kept on each side of a window

// --- tandem-repeat blocks of the rCRS ------------------------------------------------------------

struct repeat_table {
  std::vector<std::int32_t> first;  // by position 0..16569 (0 unused)
  std::vector<std::int32_t> last;

  repeat_table() : first(rcrs_length + 2), last(rcrs_length + 2) {
    const std::string_view seq = rcrs().bases();
    const auto n = static_cast<std::int32_t>(seq.size());
    std::vector<std::pair<std::int32_t, std::int32_t>> runs;  // 1-based stretches with >= 2 copies
    for (std::int32_t period = 1; period <= max_period; ++period) {
      std::int32_t y = 0;
      while (y + period < n) {
        if (seq[y] != seq[y + period] || seq[y] == 'N') {
          ++y;
          continue;
        }
        std::int32_t s = y;
        while (y + period < n && seq[y] == seq[y + period]) ++y;
        if (y - s >= period) runs.emplace_back(s + 1, y - 1 + period + 1);
      }
    }
    std::sort(runs.begin(), runs.end());
    for (std::int32_t p = 0; p <= rcrs_length + 1; ++p) first[p] = last[p] = p;
    std::size_t k = 0;
    while (k < runs.size()) {
      std::int32_t a = runs[k].first;
      std::int32_t b = runs[k].second;
      ++k;
      while (k < runs.size() && runs[k].first <= b) b = std::max(b, runs[k++].second);
      for (std::int32_t p = a; p <= b; ++p) {
        first[p] = a;
        last[p] = b;
      }
    }
  }
};

const repeat_table& repeats() {
  static const repeat_table table;
  return table;
}

inline char ref_at(std::int32_t p) noexcept { return rcrs()[p]; }

[[noreturn]] void reject(const variant& v, const std::string& why) {
  source_location where;
  where.token = v.position >= 1 && v.position <= rcrs_length ? to_compact_string(v) : std::to_string(v.position);
  throw error(where, why);
}

bool is_code(char c) noexcept { return iupac::bases_of(c) != 0; }

void check_one(variant& v) {
  if (v.position < 1 || v.position > rcrs_length) reject(v, "position outside 1-16569");
  switch (v.kind) {
    case variant_kind::substitution:
      if (v.bases.size() != 1) reject(v, "a substitution has exactly one base");
      if (v.bases[0] == 'N') reject(v, "N marks an unreadable position: leave it out of the range instead");
      if (!is_code(v.bases[0])) reject(v, "'" + v.bases + "' is not an upper-case base or IUPAC code");
      v.length = 1;
      v.any_length = false;
      break;
    case variant_kind::deletion:
      if (v.length < 1) reject(v, "a deletion removes at least one base");
      if (v.length > rcrs_length - v.position + 1) reject(v, "deletion runs past 16569");
      v.bases.clear();
      v.any_length = false;
      break;
    case variant_kind::insertion:
      if (v.bases.empty()) reject(v, "insertion without inserted bases");
      for (char c : v.bases) {
        if (!is_code(c)) reject(v, std::string("'") + c + "' is not an upper-case base or IUPAC code");
      }
      v.length = static_cast<std::int32_t>(v.bases.size());
      break;
  }
}

// Cost of an alignment, compared as one number: changed bases, events, non-slippage indels,
// substitutions (see the rule in normalize.hpp), 16 bits each.
using cost_t = std::uint64_t;
constexpr cost_t infinite = std::numeric_limits<cost_t>::max();
constexpr cost_t pack(std::uint64_t bases, std::uint64_t events, std::uint64_t non_slip, std::uint64_t subs) {
  return bases << 48 | events << 32 | non_slip << 16 | subs;
}

// --- sliding indels along the rCRS -----------------------------------------------------------------

// A deletion of [p, p+k) slides while the base leaving equals the base entering.
std::int32_t slide_deletion_right(std::int32_t p, std::int32_t k, std::int32_t last) {
  while (p + k <= last && ref_at(p) == ref_at(p + k) && ref_at(p) != 'N') ++p;
  return p;
}
std::int32_t slide_deletion_left(std::int32_t p, std::int32_t k, std::int32_t first) {
  while (p - 1 >= first && ref_at(p - 1) == ref_at(p + k - 1) && ref_at(p - 1) != 'N') --p;
  return p;
}
// An insertion of s after q slides right (rotating s) while its first base equals the next rCRS base.
std::int32_t slide_insertion_right(std::int32_t q, std::string& s, std::int32_t max_anchor) {
  while (q + 1 <= max_anchor && s.front() == ref_at(q + 1) && s.front() != 'N') {
    std::rotate(s.begin(), s.begin() + 1, s.end());
    ++q;
  }
  return q;
}
std::int32_t slide_insertion_left(std::int32_t q, std::string s, std::int32_t min_anchor) {
  while (q - 1 >= min_anchor && s.back() == ref_at(q) && s.back() != 'N') {
    std::rotate(s.rbegin(), s.rbegin() + 1, s.rend());
    --q;
  }
  return q;
}

std::int32_t bases_changed(const variant& v) noexcept { return v.kind == variant_kind::substitution ? 1 : v.length; }

// --- per-thread memo of solved windows ---------------------------------------------------------------

struct memo {
  std::unordered_map<std::string, std::vector<variant>> solved;
  static constexpr std::size_t capacity = 8192;
};
memo& window_memo() {
  thread_local memo m;
  return m;
}

// Solves one window [lo, hi] of an interval: ref = rCRS lo..hi, query = the sequence `cluster` spells.
void solve_window(std::int32_t first, std::int32_t last, std::int32_t lo, std::int32_t hi, bool with_last_insertion,
                  std::span<const variant> cluster, std::int32_t bound, std::vector<variant>& out) {
  thread_local std::string query;
  query.clear();
  detail::spell(lo, hi, cluster, with_last_insertion, query);
  std::string key;
  key.reserve(query.size() + 12);
  for (std::int32_t x : {first, last, lo, hi}) key.append(std::to_string(x)).push_back(':');
  key.push_back(with_last_insertion ? '+' : '-');
  key.append(query);
  memo& m = window_memo();
  if (auto it = m.solved.find(key); it != m.solved.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
    return;
  }
  const std::string_view genome = rcrs().bases();
  detail::alignment_problem problem;
  problem.ref = genome.substr(static_cast<std::size_t>(lo - 1), static_cast<std::size_t>(hi - lo + 1));
  problem.query = query;
  // Slippage looks at the rCRS inside the interval only: a copy beyond the range is not seen, as in
  // the 3'-most placement of a lone indel.
  problem.context = genome.substr(static_cast<std::size_t>(first - 1), static_cast<std::size_t>(last - first + 1));
  problem.offset = static_cast<std::size_t>(lo - first);
  problem.max_bases = bound;
  problem.insert_at_end = with_last_insertion;
  std::vector<variant> result;
  for (const auto& s : detail::best_alignment(problem)) {
    variant v;
    switch (s.what) {
      case detail::alignment_step::kind::substitution:
      case detail::alignment_step::kind::compatible:
        v.position = lo + s.ref_index;
        v.kind = variant_kind::substitution;
        v.bases.assign(1, query[static_cast<std::size_t>(s.query_index)]);
        v.length = 1;
        break;
      case detail::alignment_step::kind::deletion:
        v.position = lo + s.ref_index;
        v.kind = variant_kind::deletion;
        v.length = s.length;
        break;
      case detail::alignment_step::kind::insertion:
        v.position = lo + s.ref_index - 1;
        v.kind = variant_kind::insertion;
        v.bases = query.substr(static_cast<std::size_t>(s.query_index), static_cast<std::size_t>(s.length));
        v.length = s.length;
        break;
    }
    result.push_back(std::move(v));
  }
  out.insert(out.end(), result.begin(), result.end());
  if (m.solved.size() >= memo::capacity) m.solved.clear();
  m.solved.emplace(std::move(key), std::move(result));
}

// The window a variant needs in interval [first, last]: every place it can slide to, one base either
// side, widened to the tandem-repeat blocks there, plus flanks.
detail::stretch window_of(const variant& v, std::int32_t first, std::int32_t last, std::int32_t max_anchor) {
  const repeat_table& rep = repeats();
  std::int32_t a = 0;
  std::int32_t b = 0;
  switch (v.kind) {
    case variant_kind::substitution:
      a = v.position - 1;
      b = v.position + 1;
      break;
    case variant_kind::deletion:
      a = slide_deletion_left(v.position, v.length, first) - 1;
      b = slide_deletion_right(v.position, v.length, last) + v.length;
      break;
    case variant_kind::insertion: {
      std::string s = v.bases;
      a = slide_insertion_left(v.position, s, first) - 1;
      b = slide_insertion_right(v.position, s, max_anchor) + 2;
      break;
    }
  }
  a = std::clamp(a, first, last);
  b = std::clamp(b, first, last);
  return {std::max(first, rep.first[a] - flank), std::min(last, rep.last[b] + flank)};
}

// Canonical variants of one interval [first, last]; `vs` are the prepared variants inside it, sorted.
// Returns false when an alignment moved a variant to where its own window reaches outside the window
// it was solved in: the caller then solves again from the result, with windows that cover it.
bool canonicalize_interval(std::int32_t first, std::int32_t last, bool with_last_insertion,
                           std::span<const variant> vs, std::vector<variant>& out) {
  const std::int32_t max_anchor = with_last_insertion ? last : last - 1;
  bool settled = true;
  std::size_t k = 0;
  while (k < vs.size()) {
    // Grow a cluster of variants whose windows overlap.
    std::int32_t lo = 0;
    std::int32_t hi = 0;
    const std::size_t begin = k;
    for (; k < vs.size(); ++k) {
      const detail::stretch w = window_of(vs[k], first, last, max_anchor);
      if (k == begin) {
        lo = w.first;
        hi = w.last;
      } else if (w.first <= hi) {
        lo = std::min(lo, w.first);
        hi = std::max(hi, w.last);
      } else {
        break;
      }
    }
    std::span<const variant> cluster = vs.subspan(begin, k - begin);
    if (cluster.size() == 1) {
      variant v = cluster[0];
      if (v.kind == variant_kind::deletion) {
        v.position = slide_deletion_right(v.position, v.length, last);
      } else if (v.kind == variant_kind::insertion) {
        v.position = slide_insertion_right(v.position, v.bases, max_anchor);
      }
      out.push_back(std::move(v));
      continue;
    }
    std::int32_t bound = 0;
    bool substitutions_only = true;
    for (const auto& v : cluster) {
      bound += bases_changed(v);
      substitutions_only = substitutions_only && v.kind == variant_kind::substitution;
    }
    if (substitutions_only) {
      // Another spelling of substitutions only needs one whose new base matches an rCRS base at most
      // bound/2 away (the pair of indels shifts the stretch in between); without one they stand.
      const std::int32_t reach = bound / 2;
      bool shiftable = false;
      for (const auto& v : cluster) {
        for (std::int32_t d = 1; d <= reach && !shiftable; ++d) {
          shiftable = (v.position + d <= hi && ref_at(v.position + d) == v.bases[0]) ||
                      (v.position - d >= lo && ref_at(v.position - d) == v.bases[0]);
        }
        if (shiftable) break;
      }
      if (!shiftable) {
        out.insert(out.end(), cluster.begin(), cluster.end());
        continue;
      }
    }
    const std::size_t before = out.size();
    solve_window(first, last, lo, hi, with_last_insertion && hi == last, cluster, bound, out);
    for (std::size_t x = before; x < out.size() && settled; ++x) {
      if (!out[x].is_indel()) continue;
      const detail::stretch w = window_of(out[x], first, last, max_anchor);
      settled = w.first >= lo && w.last <= hi;
    }
  }
  return settled;
}

}  // namespace

namespace detail {

stretch repeat_block(std::int32_t position) noexcept {
  if (position < 1 || position > rcrs_length) return {position, position};
  const repeat_table& rep = repeats();
  return {rep.first[position], rep.last[position]};
}

std::vector<variant> prepare_variants(const range& coverage, std::span<const variant> raw) {
  std::vector<variant> vs(raw.begin(), raw.end());
  for (auto& v : vs) check_one(v);
  std::sort(vs.begin(), vs.end());
  // One site, one statement: no site written twice, nothing inside a deletion, one insertion per anchor.
  std::int32_t covered_until = 0;
  const variant* covering = nullptr;
  const variant* last_insertion = nullptr;
  for (const auto& v : vs) {
    if (v.kind == variant_kind::insertion) {
      if (last_insertion != nullptr && last_insertion->position == v.position) {
        reject(v, "a second insertion after " + std::to_string(v.position) + " (write the inserted bases as one)");
      }
      last_insertion = &v;
      continue;
    }
    if (v.position <= covered_until) {
      const bool inside = covering->kind == variant_kind::deletion;
      reject(v, std::string(inside ? "inside the deletion " : "position already given by ") + to_compact_string(*covering));
    }
    covered_until = v.last();
    covering = &v;
  }
  // Drop what spells nothing (the placeholder, substitutions to the rCRS base) and clip to the range.
  std::vector<variant> out;
  out.reserve(vs.size());
  bool resort = false;
  for (auto& v : vs) {
    switch (v.kind) {
      case variant_kind::substitution:
        if (v.position == placeholder || v.bases[0] == ref_at(v.position) || !coverage.contains(v.position)) continue;
        out.push_back(std::move(v));
        break;
      case variant_kind::insertion:
        if (v.position == placeholder || !coverage.contains_insertion(v.position)) continue;
        out.push_back(std::move(v));
        break;
      case variant_kind::deletion: {
        const std::int32_t a = v.position;
        const std::int32_t b = v.last();
        std::size_t before = out.size();
        for (const auto& piece : coverage.intervals()) {
          std::int32_t s = std::max(a, piece.first);
          std::int32_t e = std::min(b, piece.last);
          if (s > e) continue;
          // The placeholder splits a deletion: 3107 itself is never deleted.
          if (s <= placeholder && placeholder <= e) {
            if (s < placeholder) out.push_back(variant{s, variant_kind::deletion, placeholder - s, "", false});
            if (placeholder < e) out.push_back(variant{placeholder + 1, variant_kind::deletion, e - placeholder, "", false});
          } else {
            out.push_back(variant{s, variant_kind::deletion, e - s + 1, "", false});
          }
        }
        resort = resort || out.size() > before + 1;
        break;
      }
    }
  }
  if (resort) std::sort(out.begin(), out.end());
  return out;
}

void spell(std::int32_t first, std::int32_t last, std::span<const variant> sorted, bool with_last_insertion,
           std::string& out, std::vector<std::int32_t>* origin) {
  const std::string_view genome = rcrs().bases();
  std::int32_t p = first;  // next rCRS position to copy
  auto copy_to = [&](std::int32_t until) {  // copies p..until
    if (until < p) return;
    out.append(genome.substr(static_cast<std::size_t>(p - 1), static_cast<std::size_t>(until - p + 1)));
    if (origin != nullptr) {
      for (std::int32_t x = p; x <= until; ++x) origin->push_back(x);
    }
    p = until + 1;
  };
  for (const auto& v : sorted) {
    switch (v.kind) {
      case variant_kind::substitution:
        if (v.position < first || v.position > last || v.position < p) continue;
        copy_to(v.position - 1);
        out.push_back(v.position == placeholder ? 'N' : v.bases[0]);
        if (origin != nullptr) origin->push_back(v.position);
        p = v.position + 1;
        break;
      case variant_kind::deletion: {
        const std::int32_t s = std::max(v.position, first);
        const std::int32_t e = std::min(v.last(), last);
        if (s > e || e < p) continue;
        copy_to(s - 1);
        p = std::max(p, e + 1);
        break;
      }
      case variant_kind::insertion:
        if (v.position < first || v.position > last || (v.position == last && !with_last_insertion)) continue;
        copy_to(v.position);
        out.append(v.bases);
        if (origin != nullptr) {
          for (std::size_t x = 0; x < v.bases.size(); ++x) origin->push_back(-v.position);
        }
        break;
    }
  }
  copy_to(last);
}

std::vector<alignment_step> best_alignment(const alignment_problem& problem) {
  const std::string_view ref = problem.ref;
  const std::string_view query = problem.query;
  const std::string_view ctx = problem.context;
  const auto n = static_cast<std::int32_t>(ref.size());
  const auto m = static_cast<std::int32_t>(query.size());
  const std::int32_t delta = m - n;
  const std::int32_t bound = std::max(problem.max_bases, std::abs(delta));
  const std::int32_t t = (bound - std::abs(delta)) / 2;
  const std::int32_t dmin = std::min(0, delta) - t;
  const std::int32_t dmax = std::max(0, delta) + t;
  const std::int32_t w = dmax - dmin + 1;

  thread_local std::vector<cost_t> table;
  table.assign(static_cast<std::size_t>(n + 1) * static_cast<std::size_t>(w), infinite);
  auto cell = [&](std::int32_t i, std::int32_t j) -> cost_t& {
    return table[static_cast<std::size_t>(i) * static_cast<std::size_t>(w) + static_cast<std::size_t>(j - i - dmin)];
  };

  auto diagonal = [&](std::int32_t i, std::int32_t j) -> cost_t {  // ref[i-1] against query[j-1]
    const char r = ref[static_cast<std::size_t>(i - 1)];
    const char q = query[static_cast<std::size_t>(j - 1)];
    if (r == q) return 0;
    if (r == 'N' || q == 'N') return infinite;
    if (problem.compatible_iupac && (iupac::bases_of(r) & iupac::bases_of(q)) != 0) return 0;
    return pack(1, 1, 0, 1);
  };
  auto same = [&](std::size_t a, std::string_view piece) {
    return a + piece.size() <= ctx.size() && ctx.compare(a, piece.size(), piece) == 0;
  };
  auto deletion = [&](std::int32_t i, std::int32_t k) -> cost_t {  // ref[i-k, i)
    std::string_view piece = ref.substr(static_cast<std::size_t>(i - k), static_cast<std::size_t>(k));
    if (piece.find('N') != std::string_view::npos) return infinite;
    const std::size_t c = problem.offset + static_cast<std::size_t>(i - k);
    const auto len = static_cast<std::size_t>(k);
    const bool slip = (c >= len && same(c - len, piece)) || same(c + len, piece);
    return pack(static_cast<std::uint64_t>(k), 1, slip ? 0 : 1, 0);
  };
  auto insertion = [&](std::int32_t i, std::int32_t j, std::int32_t k) -> cost_t {  // query[j-k, j) before ref[i]
    if ((i == 0 && !problem.insert_at_start) || (i == n && !problem.insert_at_end)) return infinite;
    std::string_view piece = query.substr(static_cast<std::size_t>(j - k), static_cast<std::size_t>(k));
    const std::size_t c = problem.offset + static_cast<std::size_t>(i);
    const auto len = static_cast<std::size_t>(k);
    const bool slip = (c >= len && same(c - len, piece)) || same(c, piece);
    return pack(static_cast<std::uint64_t>(k), 1, slip ? 0 : 1, 0);
  };

  for (std::int32_t i = 0; i <= n; ++i) {
    const std::int32_t jlo = std::max(0, i + dmin);
    const std::int32_t jhi = std::min(m, i + dmax);
    for (std::int32_t j = jlo; j <= jhi; ++j) {
      if (i == 0 && j == 0) {
        cell(0, 0) = 0;
        continue;
      }
      cost_t best = infinite;
      if (i > 0 && j > 0) {
        const cost_t pred = cell(i - 1, j - 1);
        const cost_t c = diagonal(i, j);
        if (pred != infinite && c != infinite) best = std::min(best, pred + c);
      }
      for (std::int32_t k = 1; i - k >= 0 && j - (i - k) <= dmax; ++k) {
        const cost_t pred = cell(i - k, j);
        if (pred == infinite) continue;
        const cost_t c = deletion(i, k);
        if (c != infinite) best = std::min(best, pred + c);
      }
      for (std::int32_t k = 1; j - k >= 0 && (j - k) - i >= dmin; ++k) {
        const cost_t pred = cell(i, j - k);
        if (pred == infinite) continue;
        const cost_t c = insertion(i, j, k);
        if (c != infinite) best = std::min(best, pred + c);
      }
      cell(i, j) = best;
    }
  }
  if (cell(n, m) == infinite) throw error("internal: no alignment within the bound of " + std::to_string(bound) + " bases");

  // Trace back from the 3' end, taking a gap whenever one is optimal: gaps end up 3'-most.
  std::vector<alignment_step> steps;
  std::int32_t i = n;
  std::int32_t j = m;
  while (i > 0 || j > 0) {
    const cost_t here = cell(i, j);
    bool moved = false;
    for (std::int32_t k = 1; !moved && i - k >= 0 && j - (i - k) <= dmax; ++k) {
      const cost_t pred = cell(i - k, j);
      if (pred == infinite) continue;
      const cost_t c = deletion(i, k);
      if (c != infinite && pred + c == here) {
        steps.push_back({alignment_step::kind::deletion, i - k, j, k});
        i -= k;
        moved = true;
      }
    }
    for (std::int32_t k = 1; !moved && j - k >= 0 && (j - k) - i >= dmin; ++k) {
      const cost_t pred = cell(i, j - k);
      if (pred == infinite) continue;
      const cost_t c = insertion(i, j, k);
      if (c != infinite && pred + c == here) {
        steps.push_back({alignment_step::kind::insertion, i, j - k, k});
        j -= k;
        moved = true;
      }
    }
    if (!moved) {
      const char r = ref[static_cast<std::size_t>(i - 1)];
      const char q = query[static_cast<std::size_t>(j - 1)];
      if (r != q) {
        const bool compatible = diagonal(i, j) == 0;
        steps.push_back({compatible ? alignment_step::kind::compatible : alignment_step::kind::substitution, i - 1,
                         j - 1, 1});
      }
      --i;
      --j;
    }
  }
  std::reverse(steps.begin(), steps.end());
  return steps;
}

}  // namespace detail

std::vector<std::string> reconstruct(const range& coverage, std::span<const variant> variants) {
  const std::vector<variant> vs = detail::prepare_variants(coverage, variants);
  std::vector<std::string> out;
  out.reserve(coverage.intervals().size());
  for (const auto& piece : coverage.intervals()) {
    std::string s;
    s.reserve(static_cast<std::size_t>(piece.length()) + 16);
    detail::spell(piece.first, piece.last, vs, coverage.contains_insertion(piece.last), s);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<variant> canonicalize(const range& coverage, std::span<const variant> raw) {
  std::vector<variant> vs = detail::prepare_variants(coverage, raw);
  // Insertions of unspecified length (`573.XC`) spell no definite sequence: kept out of the
  // alignment, moved to the 3' end of their repeat.
  std::vector<variant> open_ended;
  if (std::any_of(vs.begin(), vs.end(), [](const variant& v) { return v.any_length; })) {
    auto split = std::stable_partition(vs.begin(), vs.end(), [](const variant& v) { return !v.any_length; });
    open_ended.assign(std::make_move_iterator(split), std::make_move_iterator(vs.end()));
    vs.erase(split, vs.end());
  }
  std::vector<variant> out;
  out.reserve(vs.size() + open_ended.size());
  std::size_t k = 0;
  for (const auto& piece : coverage.intervals()) {
    const bool with_last = coverage.contains_insertion(piece.last);
    while (k < vs.size() && vs[k].position < piece.first) ++k;  // cannot happen after clipping; be safe
    std::size_t end = k;
    while (end < vs.size() && vs[end].position <= piece.last) ++end;
    std::span<const variant> input = std::span<const variant>(vs).subspan(k, end - k);
    std::vector<variant> again;
    for (int round = 0;; ++round) {
      const std::size_t before = out.size();
      const bool settled = canonicalize_interval(piece.first, piece.last, with_last, input, out);
      if (settled || round == 3) break;
      // Solve again from this result: its windows cover where the alignment moved the indels.
      again.assign(std::make_move_iterator(out.begin() + static_cast<std::ptrdiff_t>(before)),
                   std::make_move_iterator(out.end()));
      out.resize(before);
      std::sort(again.begin(), again.end());
      input = again;
    }
    k = end;
  }
  for (auto& v : open_ended) {
    const interval* home = nullptr;
    for (const auto& piece : coverage.intervals()) {
      if (piece.first <= v.position && v.position <= piece.last) home = &piece;
    }
    const std::int32_t max_anchor = coverage.contains_insertion(home->last) ? home->last : home->last - 1;
    v.position = slide_insertion_right(v.position, v.bases, max_anchor);
    // A definite insertion of the same unit at the same place is absorbed by "any length".
    std::erase_if(out, [&](const variant& w) {
      if (w.kind != variant_kind::insertion || w.position != v.position || w.bases.size() % v.bases.size() != 0) {
        return false;
      }
      for (std::size_t x = 0; x < w.bases.size(); ++x) {
        if (w.bases[x] != v.bases[x % v.bases.size()]) return false;
      }
      return true;
    });
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_length_variant(const variant& v) noexcept {
  static constexpr std::array<detail::stretch, 4> stretches{{{16184, 16193}, {303, 315}, {568, 573}, {515, 524}}};
  if (!v.is_indel()) return false;
  for (const auto& s : stretches) {
    if (v.kind == variant_kind::insertion && s.first <= v.position && v.position <= s.last) return true;
    if (v.kind == variant_kind::deletion && s.first <= v.position && v.last() <= s.last) return true;
  }
  return false;
}

}  // namespace mtmatch
