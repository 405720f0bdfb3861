#include "mtmatch/rewrite.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "mtmatch/error.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {
namespace {

constexpr std::int32_t placeholder = 3107;
constexpr std::int32_t flank = 3;

std::size_t pick(std::mt19937_64& rng, std::size_t n) {
  return static_cast<std::size_t>(std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng));
}
bool chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

// One random alignment of `query` against rCRS lo..hi costing at most `slack` changed bases more than
// the best one, as variants. Unit costs (edit distance): every path within the budget is a valid
// spelling of `query`, whatever its events.
std::vector<variant> random_alignment(std::int32_t lo, std::int32_t hi, const std::string& query, bool start_ok,
                                      bool end_ok, int slack, std::mt19937_64& rng) {
  const std::string_view ref = rcrs().slice(lo, hi);
  const auto n = static_cast<std::int32_t>(ref.size());
  const auto m = static_cast<std::int32_t>(query.size());
  const auto stride = static_cast<std::size_t>(m + 1);
  constexpr int unreachable = 1 << 28;
  std::vector<int> d(static_cast<std::size_t>(n + 1) * stride, unreachable);
  auto at = [&](std::int32_t i, std::int32_t j) -> int& {
    return d[static_cast<std::size_t>(i) * stride + static_cast<std::size_t>(j)];
  };
  auto insert_ok = [&](std::int32_t i) { return (i > 0 || start_ok) && (i < n || end_ok); };
  auto mismatch = [&](std::int32_t i, std::int32_t j) {
    return ref[static_cast<std::size_t>(i - 1)] == query[static_cast<std::size_t>(j - 1)] ? 0 : 1;
  };
  at(0, 0) = 0;
  for (std::int32_t i = 0; i <= n; ++i) {
    for (std::int32_t j = 0; j <= m; ++j) {
      int best = at(i, j);
      if (i > 0 && j > 0) best = std::min(best, at(i - 1, j - 1) + mismatch(i, j));
      if (i > 0) best = std::min(best, at(i - 1, j) + 1);
      if (j > 0 && insert_ok(i)) best = std::min(best, at(i, j - 1) + 1);
      at(i, j) = best;
    }
  }
  // Every path costing at most `budget`, drawn with equal probability: count the paths per cell and
  // cost (in doubles: counts outgrow 64 bits on long windows), then walk back choosing each step in
  // proportion to the paths through it.
  enum class move : std::uint8_t { diagonal, deletion, insertion };
  const int budget = at(n, m) + slack;
  const auto levels = static_cast<std::size_t>(budget + 1);
  std::vector<double> paths(d.size() * levels, 0.0);  // paths[(cell) * levels + c]: cost <= c
  auto upto = [&](std::int32_t i, std::int32_t j, int c) -> double {
    if (c < 0) return 0.0;
    return paths[(static_cast<std::size_t>(i) * stride + static_cast<std::size_t>(j)) * levels +
                 static_cast<std::size_t>(std::min(c, budget))];
  };
  for (std::int32_t i = 0; i <= n; ++i) {
    for (std::int32_t j = 0; j <= m; ++j) {
      double* cell = &paths[(static_cast<std::size_t>(i) * stride + static_cast<std::size_t>(j)) * levels];
      for (int c = 0; c <= budget; ++c) {
        double exact = (i == 0 && j == 0 && c == 0) ? 1.0 : 0.0;
        if (i > 0 && j > 0) {
          const int mc = mismatch(i, j);
          exact += upto(i - 1, j - 1, c - mc) - upto(i - 1, j - 1, c - mc - 1);
        }
        if (i > 0) exact += upto(i - 1, j, c - 1) - upto(i - 1, j, c - 2);
        if (j > 0 && insert_ok(i)) exact += upto(i, j - 1, c - 1) - upto(i, j - 1, c - 2);
        cell[c] = exact + (c > 0 ? cell[c - 1] : 0.0);
      }
    }
  }
  std::vector<move> path;
  int left = budget;
  std::int32_t i = n;
  std::int32_t j = m;
  while (i > 0 || j > 0) {
    std::pair<move, double> options[3];
    std::size_t count = 0;
    double total = 0.0;
    if (i > 0 && j > 0) options[count++] = {move::diagonal, upto(i - 1, j - 1, left - mismatch(i, j))};
    if (i > 0) options[count++] = {move::deletion, upto(i - 1, j, left - 1)};
    if (j > 0 && insert_ok(i)) options[count++] = {move::insertion, upto(i, j - 1, left - 1)};
    for (std::size_t o = 0; o < count; ++o) total += options[o].second;
    double x = std::uniform_real_distribution<double>(0.0, total)(rng);
    std::size_t chosen = count;
    for (std::size_t o = 0; o < count; ++o) {
      if (options[o].second <= 0.0) continue;
      chosen = o;  // the last step with paths, should rounding leave x past the end
      if (x < options[o].second) break;
      x -= options[o].second;
    }
    const move step = options[chosen].first;
    left -= step == move::diagonal ? mismatch(i, j) : 1;
    path.push_back(step);
    if (step != move::insertion) --i;
    if (step != move::deletion) --j;
  }
  std::reverse(path.begin(), path.end());
  std::vector<variant> out;
  i = 0;
  j = 0;
  for (std::size_t k = 0; k < path.size();) {
    if (path[k] == move::diagonal) {
      const char q = query[static_cast<std::size_t>(j)];
      if (ref[static_cast<std::size_t>(i)] != q) out.push_back(variant{lo + i, variant_kind::substitution, 1, std::string(1, q), false});
      ++i;
      ++j;
      ++k;
      continue;
    }
    const move kind = path[k];
    std::int32_t run = 0;
    while (k < path.size() && path[k] == kind) {
      ++run;
      ++k;
    }
    if (kind == move::deletion) {
      out.push_back(variant{lo + i, variant_kind::deletion, run, "", false});
      i += run;
    } else {
      out.push_back(variant{lo + i - 1, variant_kind::insertion, run,
                            query.substr(static_cast<std::size_t>(j), static_cast<std::size_t>(run)), false});
      j += run;
    }
  }
  return out;
}

// Re-aligns the clusters of one interval [first, last] at random.
void rewrite_interval(std::int32_t first, std::int32_t last, bool with_last_insertion, std::span<const variant> vs,
                      std::mt19937_64& rng, const rewrite_options& options, std::vector<variant>& out) {
  std::size_t k = 0;
  while (k < vs.size()) {
    const std::size_t begin = k;
    std::int32_t lo = 0;
    std::int32_t hi = 0;
    for (; k < vs.size(); ++k) {
      const variant& v = vs[k];
      std::int32_t a = std::clamp(v.position - 1, first, last);
      std::int32_t b = std::clamp(v.kind == variant_kind::insertion ? v.position + 2 : v.last() + 1, first, last);
      std::int32_t wlo = std::max(first, detail::repeat_block(a).first - flank);
      std::int32_t whi = std::min(last, detail::repeat_block(b).last + flank);
      if (k == begin) {
        lo = wlo;
        hi = whi;
      } else if (wlo <= hi) {
        lo = std::min(lo, wlo);
        hi = std::max(hi, whi);
      } else {
        break;
      }
    }
    std::span<const variant> cluster = vs.subspan(begin, k - begin);
    const bool end_ok = hi < last || with_last_insertion;
    const bool touches_placeholder = lo <= placeholder && placeholder <= hi;
    if (touches_placeholder || !chance(rng, options.realign_probability)) {
      out.insert(out.end(), cluster.begin(), cluster.end());
      continue;
    }
    // An insertion may end up after `hi` (inside the range), never before `lo`: the next cluster's
    // window starts after `hi`, so two clusters never put insertions after the same base.
    std::string query;
    detail::spell(lo, hi, cluster, end_ok, query);
    std::size_t bases = 0;
    for (const auto& v : cluster) bases += v.kind == variant_kind::substitution ? 1 : static_cast<std::size_t>(v.length);
    const std::size_t table = static_cast<std::size_t>(hi - lo + 2) * (query.size() + 1) *
                              (bases + static_cast<std::size_t>(options.extra_bases) + 1);
    if (table > (std::size_t{1} << 22)) {  // a huge cluster: kept as it is rather than tabulated
      out.insert(out.end(), cluster.begin(), cluster.end());
      continue;
    }
    const int slack = options.extra_bases == 0 ? 0 : static_cast<int>(pick(rng, static_cast<std::size_t>(options.extra_bases) + 1));
    std::vector<variant> fresh = random_alignment(lo, hi, query, false, end_ok, slack, rng);
    std::string check;
    detail::spell(lo, hi, fresh, end_ok, check);
    if (check != query) throw error("internal: random re-alignment changed the sequence at " + std::to_string(lo));
    out.insert(out.end(), fresh.begin(), fresh.end());
  }
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
std::string lowered(std::string s) {
  for (char& c : s) c = lower(c);
  return s;
}

void deletion_tokens(const variant& v, std::mt19937_64& rng, std::vector<std::string>& tokens) {
  if (v.length > 1 && chance(rng, 0.5)) {
    tokens.push_back(std::to_string(v.position) + '-' + std::to_string(v.last()) + (chance(rng, 0.8) ? "d" : "del"));
    return;
  }
  for (std::int32_t p = v.position; p <= v.last(); ++p) {
    const std::string pos = std::to_string(p);
    const char ref = rcrs()[p];
    switch (pick(rng, 8)) {
      case 0: tokens.push_back(pos + "del"); break;
      case 1: tokens.push_back(pos + "DEL"); break;
      case 2: tokens.push_back(pos + "Del"); break;
      case 3: tokens.push_back(pos + '-'); break;
      case 4: tokens.push_back(ref + pos + '-'); break;
      case 5: tokens.push_back(pos + "del" + ref); break;
      case 6: tokens.push_back(ref + pos + 'd'); break;
      default: tokens.push_back(pos + 'd'); break;
    }
  }
}

void insertion_tokens(const variant& v, std::mt19937_64& rng, std::vector<std::string>& tokens) {
  const std::string pos = std::to_string(v.position);
  const bool lower_case = chance(rng, 0.15);
  auto bases = [&](std::string s) { return lower_case ? lowered(std::move(s)) : s; };
  if (v.any_length) {
    tokens.push_back(pos + ".X" + bases(v.bases));
    return;
  }
  const std::string dash = chance(rng, 0.1) ? "-" : "";
  switch (pick(rng, 4)) {
    case 0: tokens.push_back(pos + '+' + bases(v.bases)); return;
    case 1: tokens.push_back(dash + pos + ".1" + bases(v.bases)); return;
    case 2:
      for (std::size_t x = 0; x < v.bases.size(); ++x) {
        tokens.push_back(dash + pos + '.' + std::to_string(x + 1) + bases(std::string(1, v.bases[x])));
      }
      return;
    default: {  // numbered pieces of random lengths: 309.1CC 309.3T
      std::size_t x = 0;
      while (x < v.bases.size()) {
        std::size_t piece = 1 + pick(rng, v.bases.size() - x);
        tokens.push_back(dash + pos + '.' + std::to_string(x + 1) + bases(v.bases.substr(x, piece)));
        x += piece;
      }
      return;
    }
  }
}

void substitution_tokens(const variant& v, std::mt19937_64& rng, std::vector<std::string>& tokens) {
  const std::string pos = std::to_string(v.position);
  std::string token = (chance(rng, 0.3) ? std::string(1, rcrs()[v.position]) : std::string()) + pos + v.bases;
  // A lone lower-case d would read as a deletion: the IUPAC code D stays upper case.
  if (v.bases != "D" && chance(rng, 0.15)) token = lowered(token);
  tokens.push_back(std::move(token));
}

}  // namespace

void rewrite_options::validate() const {
  if (!(realign_probability >= 0.0 && realign_probability <= 1.0) || extra_bases < 0 || extra_bases > 8) {
    throw error("rewrite options: need 0 <= realign_probability <= 1 and 0 <= extra_bases <= 8");
  }
}

std::vector<variant> random_equivalent_variants(const range& coverage, std::span<const variant> variants,
                                                std::mt19937_64& rng, const rewrite_options& options) {
  options.validate();
  std::vector<variant> vs = detail::prepare_variants(coverage, variants);
  std::vector<variant> open_ended;
  auto split = std::stable_partition(vs.begin(), vs.end(), [](const variant& v) { return !v.any_length; });
  open_ended.assign(std::make_move_iterator(split), std::make_move_iterator(vs.end()));
  vs.erase(split, vs.end());
  std::vector<variant> out;
  std::size_t k = 0;
  for (const auto& piece : coverage.intervals()) {
    std::size_t end = k;
    while (end < vs.size() && vs[end].position <= piece.last) ++end;
    rewrite_interval(piece.first, piece.last, coverage.contains_insertion(piece.last),
                     std::span<const variant>(vs).subspan(k, end - k), rng, options, out);
    k = end;
  }
  out.insert(out.end(), open_ended.begin(), open_ended.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::string random_notation(std::span<const variant> variants, std::mt19937_64& rng, const rewrite_options& options) {
  std::vector<std::string> tokens;
  for (const auto& v : variants) {
    if (!options.vary_notation) {
      tokens.push_back(to_string(v));
      continue;
    }
    switch (v.kind) {
      case variant_kind::substitution: substitution_tokens(v, rng, tokens); break;
      case variant_kind::deletion: deletion_tokens(v, rng, tokens); break;
      case variant_kind::insertion: insertion_tokens(v, rng, tokens); break;
    }
  }
  if (!options.shuffle) {
    std::string out;
    for (const auto& t : tokens) out += (out.empty() ? "" : " ") + t;
    return out;
  }
  std::shuffle(tokens.begin(), tokens.end(), rng);
  static constexpr const char* separators[] = {" ", " ", "\t", ",", ", ", "  "};
  std::string out;
  for (std::size_t x = 0; x < tokens.size(); ++x) {
    if (x > 0) out += separators[pick(rng, std::size(separators))];
    out += tokens[x];
  }
  return out;
}

std::string rewrite_equivalent(const range& coverage, std::span<const variant> variants, std::mt19937_64& rng,
                               const rewrite_options& options) {
  const std::vector<variant> raw = random_equivalent_variants(coverage, variants, rng, options);
  return random_notation(raw, rng, options);
}

}  // namespace mtmatch
