#include "mtmatch/normalize.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <utility>

#include "mtmatch/error.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {
namespace {

constexpr std::int32_t placeholder = 3107;  // 'N' in the rCRS; never a variant
constexpr int max_period = 10;             // covers the 9-bp CCCCCTCTA repeat at 8272-8289
constexpr std::int32_t flank = 2;           // matched bases kept on each side of a window

// rCRS base at a 1-based position, without bounds checks (hot loops). The pointer is set when the
// tables below are built, which every entry point does first (prepare_variants).
const char* rcrs_bases_data = nullptr;
inline char ref_at(std::int32_t p) noexcept { return rcrs_bases_data[p - 1]; }

// --- tandem-repeat blocks of the rCRS ------------------------------------------------------------

constexpr std::int32_t max_tabled_shift = 32;  // the widest shift interact() looks up in a table

// Built once, on first use: where the rCRS repeats itself.
struct repeat_table {
  // first[p], last[p]: the tandem-repeat block around p (union of overlapping runs of period
  // 1..max_period with two copies or more), or p itself.
  std::vector<std::int32_t> first;
  std::vector<std::int32_t> last;
  // unlike[d][x]: how many positions y in 1..x have a base other than the one d further on (or none).
  std::vector<std::vector<std::uint16_t>> unlike;
  // stretch_id[p]: 1 + the index of the merged stretch of detail::slippage_stretches holding p, or 0;
  // length_id[p] the same for detail::length_variant_stretches.
  std::vector<std::uint8_t> stretch_id;
  std::vector<std::uint8_t> length_id;
  // stretches_upto[p]: positions 1..p in a stretch of detail::slippage_stretches.
  std::vector<std::uint16_t> stretches_upto;
  // slide_reach[k]: an indel of k bases (k <= max_slide_period) moves at most this far 3' along the
  // rCRS (the longest stretch where the rCRS equals itself k on, plus k for an insertion's rotation).
  static constexpr std::int32_t max_slide_period = 64;
  std::array<std::int32_t, max_slide_period + 1> slide_reach{};

  repeat_table()
      : first(rcrs_length + 2),
        last(rcrs_length + 2),
        unlike(max_tabled_shift + 1),
        stretch_id(rcrs_length + 2, 0),
        length_id(rcrs_length + 2, 0),
        stretches_upto(rcrs_length + 2, 0) {
    const std::string_view seq = rcrs().bases();
    rcrs_bases_data = seq.data();
    for (std::size_t k = 0; k < detail::length_variant_stretches.size(); ++k) {
      const auto& st = detail::length_variant_stretches[k];
      for (std::int32_t p = st.first; p <= st.last; ++p) {
        length_id[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(k + 1);
      }
    }
    // Overlapping stretches (the 9-bp repeat and the two C-tracts in it) are one: an indel lies in
    // a stretch when both its ends have the same id.
    std::vector<detail::stretch> merged(detail::slippage_stretches.begin(), detail::slippage_stretches.end());
    std::sort(merged.begin(), merged.end(),
              [](const detail::stretch& x, const detail::stretch& y) { return x.first < y.first; });
    std::uint8_t id = 0;
    std::int32_t reach = -1;
    for (const auto& st : merged) {
      if (st.first > reach) ++id;
      reach = std::max(reach, st.last);
      for (std::int32_t p = st.first; p <= st.last; ++p) stretch_id[static_cast<std::size_t>(p)] = id;
    }
    for (std::size_t p = 1; p < stretches_upto.size(); ++p) {
      stretches_upto[p] = static_cast<std::uint16_t>(stretches_upto[p - 1] + (stretch_id[p] != 0 ? 1 : 0));
    }
    for (std::int32_t k = 1; k <= max_slide_period; ++k) {
      std::int32_t run = 0;
      std::int32_t longest = 0;
      for (std::int32_t y = 0; y + k < static_cast<std::int32_t>(seq.size()); ++y) {
        run = seq[y] == seq[y + k] && seq[y] != 'N' ? run + 1 : 0;
        longest = std::max(longest, run);
      }
      slide_reach[static_cast<std::size_t>(k)] = longest + k;
    }
    const auto n = static_cast<std::int32_t>(seq.size());
    for (std::int32_t d = 1; d <= max_tabled_shift; ++d) {
      auto& u = unlike[static_cast<std::size_t>(d)];
      u.assign(rcrs_length + 1, 0);
      for (std::int32_t y = 1; y <= rcrs_length; ++y) {
        const bool differs = y + d > rcrs_length || seq[y - 1] == 'N' || seq[y - 1] != seq[y + d - 1];
        u[y] = static_cast<std::uint16_t>(u[y - 1] + (differs ? 1 : 0));
      }
    }
    std::vector<std::pair<std::int32_t, std::int32_t>> runs;  // 1-based stretches with >= 2 copies
    for (std::int32_t period = 1; period <= max_period; ++period) {
      std::int32_t y = 0;
      while (y + period < n) {
        if (seq[y] != seq[y + period] || seq[y] == 'N') {
          ++y;
          continue;
        }
        const std::int32_t s = y;
        while (y + period < n && seq[y] == seq[y + period]) ++y;
        if (y - s >= period) runs.emplace_back(s + 1, y - 1 + period + 1);
      }
    }
    std::sort(runs.begin(), runs.end());
    for (std::int32_t p = 0; p <= rcrs_length + 1; ++p) first[p] = last[p] = p;
    std::size_t k = 0;
    while (k < runs.size()) {
      const std::int32_t a = runs[k].first;
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

// --- length variants (is_length_variant, alignment_problem::length_variants) ------------------------

// The k bases piece(0..k-1) are copies of a unit of 1..max_period bases that ends right before
// text[c].
template <class Piece>
bool repeats_unit_before(std::string_view text, std::size_t c, Piece piece, std::size_t k) noexcept {
  const std::size_t most = std::min({k, static_cast<std::size_t>(max_period), c});
  for (std::size_t period = 1; period <= most; ++period) {
    bool copies = true;
    for (std::size_t x = 0; x < k && copies; ++x) {
      copies = piece(x) == (x < period ? text[c - period + x] : piece(x - period));
    }
    if (copies) return true;
  }
  return false;
}

namespace detail_lv {

// Is an indel in `text` a length variant? `position(x)` is the rCRS position of text[x] (an inserted
// base: its anchor), `id` the repeat_table's length_id. A deletion of text[c, c+k), or an insertion
// of `inserted` before text[c] (its anchor below `anchor_limit`), is moved to its 3'-most place,
// where it must lie in one stretch of detail::length_variant_stretches and repeat the unit before it.
// Every place of one indel gets one answer.
template <class Position>
bool deletion_is_length_variant(std::string_view text, Position position, std::size_t c, std::size_t k,
                                const std::uint8_t* id) {
  auto id_at = [&](std::size_t x) -> std::uint8_t {
    const std::int32_t p = position(x);
    return p >= 1 && p <= rcrs_length ? id[p] : 0;
  };
  while (c + k < text.size() && text[c] == text[c + k] && text[c] != 'N') ++c;
  const std::uint8_t here = id_at(c);
  return here != 0 && id_at(c + k - 1) == here &&
         repeats_unit_before(text, c, [&](std::size_t x) { return text[c + x]; }, k);
}
template <class Position>
bool insertion_is_length_variant(std::string_view text, Position position, std::size_t c, std::string_view inserted,
                                 std::size_t anchor_limit, const std::uint8_t* id) {
  if (c == 0 || c > text.size()) return false;  // nothing before it: no unit to repeat
  const std::size_t k = inserted.size();
  std::size_t anchor = c - 1;
  std::size_t front = 0;  // the inserted bases rotate as they slide
  while (anchor + 1 < anchor_limit && anchor + 1 < text.size() && inserted[front] == text[anchor + 1] &&
         text[anchor + 1] != 'N') {
    front = front + 1 == k ? 0 : front + 1;
    ++anchor;
  }
  const std::int32_t p = position(anchor);
  return p >= 1 && p <= rcrs_length && id[p] != 0 &&
         repeats_unit_before(text, anchor + 1, [&](std::size_t x) { return inserted[(front + x) % k]; }, k);
}

}  // namespace detail_lv

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

// Direct-mapped: a new window takes its slot from whatever was there, so windows that recur across
// profiles (haplogroup motifs, C-tract spellings) stay while one-off private ones pass through.
struct memo {
  struct slot {
    std::string key;
    std::vector<variant> solved;
  };
  static constexpr std::size_t slots = 4096;
  std::vector<slot> table = std::vector<slot>(slots);
  bool on = true;
  slot& at(const std::string& key) { return table[std::hash<std::string>{}(key) & (slots - 1)]; }
  void clear() {
    for (auto& s : table) s.key.clear();
  }
};
memo& window_memo() {
  thread_local memo m;
  return m;
}

// Solves one window [lo, hi] of an interval [first, last]: ref = rCRS lo..hi, query = the sequence
// `cluster` spells. `interval_insertion`: an insertion after `last` is in the range;
// `with_last_insertion`: after `hi` (so only when hi == last).
void solve_window(std::int32_t first, std::int32_t last, bool interval_insertion, std::int32_t lo, std::int32_t hi,
                  bool with_last_insertion, std::span<const variant> cluster, std::int32_t bound,
                  std::vector<variant>& out) {
  thread_local std::string query;
  query.clear();
  detail::spell(lo, hi, cluster, with_last_insertion, query);
  memo& m = window_memo();
  thread_local std::string key;
  memo::slot* slot = nullptr;
  if (m.on) {
    key.clear();
    for (std::int32_t x : {first, last, lo, hi}) key.append(reinterpret_cast<const char*>(&x), sizeof x);
    key.push_back(with_last_insertion ? '+' : '-');
    key.push_back(interval_insertion ? '+' : '-');
    key.append(query);
    slot = &m.at(key);
    if (slot->key == key) {
      out.insert(out.end(), slot->solved.begin(), slot->solved.end());
      return;
    }
  }
  const std::string_view genome = rcrs().bases();
  detail::alignment_problem problem;
  problem.ref = genome.substr(static_cast<std::size_t>(lo - 1), static_cast<std::size_t>(hi - lo + 1));
  problem.query = query;
  // Slippage looks at the rCRS inside the interval only: a copy beyond the range is not seen, as in
  // the 3'-most placement of a lone indel.
  problem.context = genome.substr(static_cast<std::size_t>(first - 1), static_cast<std::size_t>(last - first + 1));
  problem.offset = static_cast<std::size_t>(lo - first);
  problem.context_first = first;
  problem.insert_after_context = interval_insertion;
  problem.max_bases = bound;
  problem.insert_at_end = with_last_insertion;
  if (detail::alignment_work(problem) > detail::max_alignment_work) {  // left as written (see normalize.hpp)
    out.insert(out.end(), cluster.begin(), cluster.end());
    return;
  }
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
  if (slot == nullptr) return;
  slot->key = key;
  slot->solved = std::move(result);
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

// Positions x in [a, b] where rCRS x differs from rCRS x + shift (no base there counts as differing).
std::int32_t unlike_count(std::int32_t a, std::int32_t b, std::int32_t shift) {
  if (shift < 0) {  // x against x - d: y = x - d against y + d, and no base at all before 1
    const std::int32_t d = -shift;
    const std::int32_t before_origin = std::max(0, std::min(b, d) - a + 1);
    const std::int32_t ya = std::max(a - d, 1);
    const std::int32_t yb = b - d;
    return before_origin + (ya <= yb ? unlike_count(ya, yb, d) : 0);
  }
  if (shift <= max_tabled_shift) {
    const auto& u = repeats().unlike[static_cast<std::size_t>(shift)];
    return u[static_cast<std::size_t>(b)] - u[static_cast<std::size_t>(a - 1)];
  }
  std::int32_t n = 0;
  for (std::int32_t x = a; x <= b; ++x) {
    n += (x + shift > rcrs_length || ref_at(x) == 'N' || ref_at(x) != ref_at(x + shift)) ? 1 : 0;
  }
  return n;
}

struct cluster_span {
  std::int32_t lo = 0;
  std::int32_t hi = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::int32_t bases = 0;  // changed bases of the raw spelling: an upper bound of the best
  std::int32_t delta = 0;  // inserted minus deleted bases
};

std::int32_t length_change(const variant& v) noexcept {
  return v.kind == variant_kind::insertion ? v.length : v.kind == variant_kind::deletion ? -v.length : 0;
}

// Two neighbouring clusters can be re-explained together only by an alignment that crosses the
// unchanged stretch between them at an offset shifted by some s from the one they leave there. It
// pays |delta_left + s| + |delta_right - s| gap bases to get there and back, and a changed base for
// every position of the stretch where the rCRS differs from itself s further on; in all at most what
// both clusters spend. Without such a shift they are solved apart.
bool interact(const cluster_span& left, const cluster_span& right) {
  const std::int32_t a = left.hi + 1;
  const std::int32_t b = right.lo - 1;
  if (a > b) return true;
  const std::int32_t budget = left.bases + right.bases;
  for (std::int32_t s = 1; s <= budget; ++s) {
    for (std::int32_t shift : {s, -s}) {
      const std::int32_t rest = budget - std::abs(left.delta + shift) - std::abs(right.delta - shift);
      if (rest >= 0 && unlike_count(a, b, shift) <= rest) return true;
    }
  }
  return false;
}

// The window of cluster `c` widened for its alignment, within [floor, ceiling]. A better alignment
// that leaves the window shifted by s from the spelling's offset must cross the stretch beyond shifted
// and come back with |s| gap bases, paying for every base where the rCRS differs from itself s on:
// all within the cluster's changed bases. The window takes in every stretch that could be crossed
// so, and one base more (an insertion is never placed after a window's last base).
detail::stretch widen(const cluster_span& c, std::int32_t floor, std::int32_t ceiling) {
  std::int32_t lo = c.lo;
  std::int32_t hi = c.hi;
  for (std::int32_t size = 1; size <= c.bases; ++size) {
    for (std::int32_t s : {size, -size}) {
      const std::int32_t allowed = c.bases - size;
      std::int32_t spent = 0;
      std::int32_t y = c.hi;
      while (y + 1 <= ceiling && y + 1 + s >= 1 && y + 1 + s <= rcrs_length) {
        spent += ref_at(y + 1) != ref_at(y + 1 + s) || ref_at(y + 1) == 'N' ? 1 : 0;
        if (spent > allowed) break;
        ++y;
      }
      hi = std::max(hi, std::min(ceiling, y + 1));
      spent = 0;
      y = c.lo;
      while (y - 1 >= floor && y - 1 + s >= 1 && y - 1 + s <= rcrs_length) {
        spent += ref_at(y - 1) != ref_at(y - 1 + s) || ref_at(y - 1) == 'N' ? 1 : 0;
        if (spent > allowed) break;
        --y;
      }
      lo = std::min(lo, std::max(floor, y - 1));
    }
  }
  return {lo, hi};
}

// True when some alignment of the window's sequence with at least one gap changes at most `bound`
// bases (unit costs, no tie-breaks): without one, substitutions that change `bound` bases are the
// only best spelling and need no full alignment. Cells: (i, j) within `bound`/2 of the diagonal;
// a path without gaps stays on the diagonal, so one extra layer for "has a gap" suffices.
bool gapped_alignment_within(std::int32_t lo, std::int32_t hi, bool insert_at_end, std::span<const variant> cluster,
                             std::int32_t bound) {
  thread_local std::string query;
  query.clear();
  detail::spell(lo, hi, cluster, insert_at_end, query);
  const auto n = hi - lo + 1;
  const auto m = static_cast<std::int32_t>(query.size());
  if (m != n) return true;
  const std::int32_t t = bound / 2;
  const std::int32_t w = 2 * t + 1;
  constexpr std::int32_t far = 1 << 20;
  thread_local std::vector<std::int32_t> gapped;  // best cost with a gap, by row and band column
  gapped.assign(static_cast<std::size_t>(n + 1) * static_cast<std::size_t>(w), far);
  auto g = [&](std::int32_t i, std::int32_t j) -> std::int32_t& {
    return gapped[static_cast<std::size_t>(i) * static_cast<std::size_t>(w) + static_cast<std::size_t>(j - i + t)];
  };
  auto in_band = [&](std::int32_t i, std::int32_t j) { return j >= 0 && j <= m && j - i >= -t && j - i <= t; };
  std::int32_t straight = 0;  // the gap-free path's cost up to the diagonal cell of this row
  for (std::int32_t i = 0; i <= n; ++i) {
    const std::int32_t straight_before = straight;  // cost at (i-1, i-1)
    if (i > 0) {
      const char r = ref_at(lo + i - 1);
      const char q = query[static_cast<std::size_t>(i - 1)];
      if (r == 'N' || q == 'N') return true;  // the placeholder: leave it to the full alignment
      straight += r == q ? 0 : 1;
    }
    for (std::int32_t j = std::max(0, i - t); j <= std::min(m, i + t); ++j) {
      std::int32_t best = far;
      if (i > 0 && j > 0 && in_band(i - 1, j - 1)) {
        best = std::min(best, g(i - 1, j - 1) + (ref_at(lo + i - 1) == query[static_cast<std::size_t>(j - 1)] ? 0 : 1));
      }
      if (i > 0 && in_band(i - 1, j)) {  // deletion, from a gapped cell or from the straight path
        best = std::min(best, g(i - 1, j) + 1);
        if (j == i - 1) best = std::min(best, straight_before + 1);
      }
      const bool insert_ok = i > 0 && (i < n || insert_at_end);
      if (insert_ok && j > 0 && in_band(i, j - 1)) {
        best = std::min(best, g(i, j - 1) + 1);
        if (j - 1 == i) best = std::min(best, straight + 1);
      }
      g(i, j) = best;
    }
  }
  return g(n, m) <= bound;
}

// True when a position of [a, b] lies in a stretch of detail::slippage_stretches.
bool any_stretch_in(std::int32_t a, std::int32_t b) {
  const auto& id = repeats().stretch_id;
  for (std::int32_t p = std::max(a, 1); p <= std::min(b, rcrs_length); ++p) {
    if (id[static_cast<std::size_t>(p)] != 0) return true;
  }
  return false;
}

// Canonical variants of one interval [first, last]; `vs` are the prepared variants inside it, sorted.
// Returns false when an alignment moved a variant to where its own window reaches outside the window
// it was solved in: the caller then solves again from the result, with windows that cover it.
bool canonicalize_interval(std::int32_t first, std::int32_t last, bool with_last_insertion, std::span<variant> vs,
                           std::vector<variant>& out) {
  const std::int32_t max_anchor = with_last_insertion ? last : last - 1;
  // Clusters of variants whose windows overlap, then neighbours that could interact, merged.
  thread_local std::vector<cluster_span> clusters;
  clusters.clear();
  for (std::size_t k = 0; k < vs.size(); ++k) {
    const detail::stretch w = window_of(vs[k], first, last, max_anchor);
    if (!clusters.empty() && w.first <= clusters.back().hi) {
      cluster_span& c = clusters.back();
      c.lo = std::min(c.lo, w.first);
      c.hi = std::max(c.hi, w.last);
      c.end = k + 1;
      c.bases += bases_changed(vs[k]);
      c.delta += length_change(vs[k]);
    } else {
      clusters.push_back({w.first, w.last, k, k + 1, bases_changed(vs[k]), length_change(vs[k])});
    }
  }
  std::size_t merged = 0;
  for (std::size_t k = 0; k < clusters.size(); ++k) {
    if (merged > 0 && interact(clusters[merged - 1], clusters[k])) {
      cluster_span& c = clusters[merged - 1];
      c.hi = std::max(c.hi, clusters[k].hi);
      c.end = clusters[k].end;
      c.bases += clusters[k].bases;
      c.delta += clusters[k].delta;
    } else {
      clusters[merged++] = clusters[k];
    }
  }
  clusters.resize(merged);

  bool settled = true;
  for (std::size_t index = 0; index < clusters.size(); ++index) {
    const cluster_span& c = clusters[index];
    std::span<variant> cluster = vs.subspan(c.begin, c.end - c.begin);
    if (cluster.size() == 1) {
      variant& v = cluster[0];
      if (v.kind == variant_kind::deletion) {
        v.position = slide_deletion_right(v.position, v.length, last);
      } else if (v.kind == variant_kind::insertion) {
        v.position = slide_insertion_right(v.position, v.bases, max_anchor);
      }
      out.push_back(std::move(v));
      continue;
    }
    // The alignment may leave the window at another offset than the spelling does, if the stretch
    // beyond is cheap to cross shifted: it is solved on the window widened over every such stretch
    // (short of the neighbouring windows, which interact() keeps apart).
    const std::int32_t floor = index > 0 ? clusters[index - 1].hi + 1 : first;
    const std::int32_t ceiling = index + 1 < clusters.size() ? clusters[index + 1].lo - 1 : last;
    detail::stretch wide{0, 0};  // widen(c, floor, ceiling), when needed
    const bool substitutions_only = std::all_of(cluster.begin(), cluster.end(), [](const variant& v) {
      return v.kind == variant_kind::substitution;
    });
    if (substitutions_only) {
      bool shiftable = false;
      if (cluster.size() == 2) {
        // Two substitutions p < q are re-spelt only by one deletion and one insertion of a base with
        // the stretch between them shifted by one: p's new base must be the base after it and
        // p+1..q a run of it (deletion first), or the mirror image (insertion first).
        const variant& p = cluster[0];
        const variant& q = cluster[1];
        auto run_of = [](std::int32_t a, std::int32_t b, char base) {
          for (std::int32_t x = a; x <= b; ++x) {
            if (ref_at(x) != base) return false;
          }
          return true;
        };
        shiftable = (p.position + 1 <= c.hi && run_of(p.position + 1, q.position, p.bases[0])) ||
                    (q.position - 1 >= c.lo && run_of(p.position, q.position - 1, q.bases[0]));
        // That reading only ties with the substitutions (two bases, two events), and wins the tie only
        // when both indels are slippage in a stretch (rule 3): their 3'-most places, at the 3' end of
        // runs that start in the window, must reach one.
        if (shiftable) {
          wide = widen(c, floor, ceiling);
          shiftable = any_stretch_in(wide.first, std::max(detail::repeat_block(wide.last).last,
                                                          detail::repeat_block(wide.last + 1).last));
        }
      } else {
        // Another spelling needs a substitution whose new base matches an rCRS base at most bases/2
        // away (a pair of indels shifts the stretch in between by that much) …
        const std::int32_t reach = c.bases / 2;
        for (const auto& v : cluster) {
          for (std::int32_t d = 1; d <= reach && !shiftable; ++d) {
            shiftable = (v.position + d <= c.hi && ref_at(v.position + d) == v.bases[0]) ||
                        (v.position - d >= c.lo && ref_at(v.position - d) == v.bases[0]);
          }
          if (shiftable) break;
        }
        // … and an alignment with a gap that changes no more bases than the substitutions do.
        shiftable = shiftable && gapped_alignment_within(c.lo, c.hi, with_last_insertion && c.hi == last, cluster, c.bases);
      }
      if (!shiftable) {
        out.insert(out.end(), std::make_move_iterator(cluster.begin()), std::make_move_iterator(cluster.end()));
        continue;
      }
    }
    if (wide.first == 0) wide = widen(c, floor, ceiling);
    const std::size_t before = out.size();
    solve_window(first, last, with_last_insertion, wide.first, wide.last, with_last_insertion && wide.last == last,
                 cluster, c.bases, out);
    for (std::size_t x = before; x < out.size() && settled; ++x) {
      if (!out[x].is_indel()) continue;
      const detail::stretch w = window_of(out[x], first, last, max_anchor);
      settled = w.first >= wide.first && w.last <= wide.last;
    }
  }
  return settled;
}

}  // namespace

namespace detail {

void use_window_memo(bool on) noexcept {
  memo& m = window_memo();
  m.on = on;
  m.clear();
}

stretch repeat_block(std::int32_t position) noexcept {
  if (position < 1 || position > rcrs_length) return {position, position};
  const repeat_table& rep = repeats();
  return {rep.first[position], rep.last[position]};
}

stretch variant_window(const variant& v, std::int32_t first, std::int32_t last, std::int32_t flank) {
  const reference& ref = rcrs();
  std::int32_t a = v.position - 1;
  std::int32_t b = v.last() + 1;
  if (v.kind == variant_kind::deletion) {
    std::int32_t p = v.position;
    while (p - 1 >= first && p + v.length - 1 <= last && ref[p - 1] == ref[p + v.length - 1]) --p;
    a = p - 1;
    p = v.position;
    while (p + v.length <= last && ref[p] == ref[p + v.length]) ++p;
    b = p + v.length;
  } else if (v.kind == variant_kind::insertion && !v.bases.empty()) {
    std::string s = v.bases;
    std::int32_t q = v.position;
    while (q - 1 >= first && s.back() == ref[q]) {
      std::rotate(s.rbegin(), s.rbegin() + 1, s.rend());
      --q;
    }
    a = q - 1;
    s = v.bases;
    q = v.position;
    while (q + 1 < last && s.front() == ref[q + 1]) {
      std::rotate(s.begin(), s.begin() + 1, s.end());
      ++q;
    }
    b = q + 2;
  }
  a = std::clamp(a, first, last);
  b = std::clamp(b, first, last);
  return {std::max(first, repeat_block(a).first - flank), std::min(last, repeat_block(b).last + flank)};
}

std::vector<variant> prepare_variants(const range& coverage, std::span<const variant> raw) {
  (void)repeats();  // every entry point comes through here: the tables (and ref_at) are ready after it
  std::vector<variant> vs(raw.begin(), raw.end());
  for (auto& v : vs) check_one(v);
  if (!std::is_sorted(vs.begin(), vs.end())) std::sort(vs.begin(), vs.end());
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
  // Drop what spells nothing (the placeholder, substitutions to the rCRS base) and clip to the range,
  // compacting in place; deletions that the range or the placeholder cut are re-added in pieces.
  std::vector<variant> pieces;
  std::size_t kept = 0;
  for (std::size_t r = 0; r < vs.size(); ++r) {
    variant& v = vs[r];
    bool keep = false;
    switch (v.kind) {
      case variant_kind::substitution:
        keep = v.position != placeholder && v.bases[0] != ref_at(v.position) && coverage.contains(v.position);
        break;
      case variant_kind::insertion:
        keep = v.position != placeholder && coverage.contains_insertion(v.position);
        break;
      case variant_kind::deletion: {
        const std::int32_t a = v.position;
        const std::int32_t b = v.last();
        if ((b < placeholder || a > placeholder) && coverage.contains_all(a, b)) {
          keep = true;
          break;
        }
        for (const auto& piece : coverage.intervals()) {
          std::int32_t s = std::max(a, piece.first);
          std::int32_t e = std::min(b, piece.last);
          if (s > e) continue;
          // The placeholder splits a deletion: 3107 itself is never deleted.
          if (s <= placeholder && placeholder <= e) {
            if (s < placeholder) pieces.push_back(variant{s, variant_kind::deletion, placeholder - s, "", false});
            if (placeholder < e) pieces.push_back(variant{placeholder + 1, variant_kind::deletion, e - placeholder, "", false});
          } else {
            pieces.push_back(variant{s, variant_kind::deletion, e - s + 1, "", false});
          }
        }
        break;
      }
    }
    if (!keep) continue;
    if (kept != r) vs[kept] = std::move(v);
    ++kept;
  }
  vs.resize(kept);
  if (!pieces.empty()) {
    vs.insert(vs.end(), std::make_move_iterator(pieces.begin()), std::make_move_iterator(pieces.end()));
    std::sort(vs.begin(), vs.end());
  }
  return vs;
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

namespace {
struct band {
  std::int32_t dmin = 0;
  std::int32_t dmax = 0;
  std::int32_t bound = 0;
};
// Offsets j - i a path costing at most max_bases can take: it must end at m - n, and every base
// it strays from the straight line there costs a gap base out and one back.
band band_of(const alignment_problem& problem) noexcept {
  const auto n = static_cast<std::int32_t>(problem.ref.size());
  const auto m = static_cast<std::int32_t>(problem.query.size());
  const std::int32_t delta = m - n;
  const std::int32_t bound = std::max(problem.max_bases, std::abs(delta));
  const std::int32_t t = (bound - std::abs(delta)) / 2;
  return {std::min(0, delta) - t, std::max(0, delta) + t, bound};
}
}  // namespace

std::size_t alignment_work(const alignment_problem& problem) noexcept {
  const band b = band_of(problem);
  const auto w = static_cast<std::size_t>(b.dmax - b.dmin + 1);
  return (problem.ref.size() + 1) * w * w;
}

namespace {

// best_alignment(), compiled without the length-variant tests for canonicalize() (the hot caller).
template <bool LengthVariants>
std::vector<alignment_step> align(const alignment_problem& problem) {
  const std::string_view ref = problem.ref;
  const std::string_view query = problem.query;
  const std::string_view ctx = problem.context;
  const auto n = static_cast<std::int32_t>(ref.size());
  const auto m = static_cast<std::int32_t>(query.size());
  const std::int32_t delta = m - n;
  const band b = band_of(problem);
  const std::int32_t bound = b.bound;
  const std::int32_t dmin = b.dmin;
  const std::int32_t dmax = b.dmax;
  const std::int32_t w = dmax - dmin + 1;
  // Deleted minus inserted bases is -delta and both together are at most `bound`: that caps the
  // bases any one deletion or insertion can have.
  const std::int32_t max_deleted = (bound - delta) / 2;
  const std::int32_t max_inserted = (bound + delta) / 2;

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
  // The k bases of the context ending right before context position c equal `piece` (inlined: the
  // pieces are a base or two, and this runs for most cells).
  auto copy_before = [&](std::size_t c, const char* piece, std::size_t k) {
    if (c < k || c > ctx.size()) return false;
    const char* a = ctx.data() + (c - k);
    for (std::size_t x = 0; x < k; ++x) {
      if (a[x] != piece[x]) return false;
    }
    return true;
  };
  // Rule 3: an indel with a copy right before it is slippage when its run, followed 3' (within the
  // context), ends in a stretch of detail::slippage_stretches.
  const repeat_table& rep = repeats();
  auto position_of = [&](std::size_t c) -> std::int32_t {
    return problem.context_origin.empty() ? problem.context_first + static_cast<std::int32_t>(c)
                                          : std::abs(problem.context_origin[c]);
  };
  auto stretch_at = [&](std::size_t c) -> std::uint8_t {
    const std::int32_t p = position_of(c);
    return p >= 1 && p <= rcrs_length ? rep.stretch_id[static_cast<std::size_t>(p)] : 0;
  };
  // On the rCRS (canonicalize()), an indel whose slide cannot reach a stretch is no slippage: most
  // windows lie away from them and skip the tests.
  auto out_of_reach = [&](std::size_t c, std::size_t k) {  // an indel at context[c] of k bases
    if (!problem.context_origin.empty() || k > static_cast<std::size_t>(repeat_table::max_slide_period)) return false;
    const std::int32_t from = std::clamp(problem.context_first + static_cast<std::int32_t>(c) - 1, 0, rcrs_length);
    const std::int32_t to = std::clamp(from + static_cast<std::int32_t>(k) + rep.slide_reach[k], 0, rcrs_length);
    return rep.stretches_upto[static_cast<std::size_t>(to)] == rep.stretches_upto[static_cast<std::size_t>(from)];
  };
  auto deletion_slips = [&](std::size_t c, std::size_t k) {  // context[c, c+k)
    if (out_of_reach(c, k) || !copy_before(c, ctx.data() + c, k)) return false;
    while (c + k < ctx.size() && ctx[c] == ctx[c + k] && ctx[c] != 'N') ++c;
    const std::uint8_t id = stretch_at(c);
    return id != 0 && stretch_at(c + k - 1) == id;
  };
  const std::size_t anchor_limit = ctx.size() - (problem.insert_after_context || ctx.empty() ? 0 : 1);
  auto insertion_slips = [&](std::size_t c, const char* piece, std::size_t k) {  // piece before context[c]
    if (c == 0 || out_of_reach(c - 1, k) || !copy_before(c, piece, k)) return false;
    std::size_t anchor = c - 1;  // c >= k >= 1 when there is a copy before
    std::size_t front = 0;       // the inserted bases rotate as they slide
    while (anchor + 1 < anchor_limit && piece[front] == ctx[anchor + 1] && ctx[anchor + 1] != 'N') {
      front = front + 1 == k ? 0 : front + 1;
      ++anchor;
    }
    return stretch_at(anchor) != 0;
  };
  // compare(): length variants, judged in the context and, read the other way round, in the query
  // (a run that a substitution next to the stretch lengthens in one of them still ends in the
  // stretch in the other), are marked on the steps (alignment_problem::mark_length_variants) and,
  // with alignment_problem::length_variants, cost one base each. A deletion from either side
  // depends on its row (column) only: remembered per place and length.
  auto query_position = [&](std::size_t x) { return std::abs(problem.query_origin[x]); };
  const bool both_ways = !problem.query_origin.empty();
  const bool judged = LengthVariants || problem.mark_length_variants;
  const std::uint8_t* length_id = repeats().length_id.data();
  const auto longest = static_cast<std::size_t>(std::max({max_deleted, max_inserted, 0})) + 1;
  thread_local std::vector<std::int8_t> ref_deletion;    // [i * longest + k]: -1 unknown, 0, 1
  thread_local std::vector<std::int8_t> query_deletion;  // [j * longest + k]
  if (judged) {
    ref_deletion.assign(static_cast<std::size_t>(n + 1) * longest, -1);
    query_deletion.assign(both_ways ? static_cast<std::size_t>(m + 1) * longest : 0, -1);
  }
  auto deletion_is_length_variant = [&](std::int32_t i, std::int32_t j, std::int32_t k) {
    const auto uk = static_cast<std::size_t>(k);
    std::int8_t& known = ref_deletion[static_cast<std::size_t>(i) * longest + uk];
    if (known < 0) {
      known = detail_lv::deletion_is_length_variant(ctx, position_of, problem.offset + static_cast<std::size_t>(i - k),
                                                    uk, length_id)
                  ? 1
                  : 0;
    }
    if (known != 0) return true;
    return both_ways && detail_lv::insertion_is_length_variant(query, query_position, static_cast<std::size_t>(j),
                                                               ref.substr(static_cast<std::size_t>(i - k), uk),
                                                               query.size(), length_id);
  };
  auto insertion_is_length_variant = [&](std::int32_t i, std::int32_t j, std::int32_t k) {
    const auto uk = static_cast<std::size_t>(k);
    const std::string_view piece = query.substr(static_cast<std::size_t>(j - k), uk);
    if (detail_lv::insertion_is_length_variant(ctx, position_of, problem.offset + static_cast<std::size_t>(i), piece,
                                               anchor_limit, length_id)) {
      return true;
    }
    if (!both_ways) return false;
    std::int8_t& known = query_deletion[static_cast<std::size_t>(j) * longest + uk];
    if (known < 0) {
      known = detail_lv::deletion_is_length_variant(query, query_position, static_cast<std::size_t>(j - k), uk,
                                                    length_id)
                  ? 1
                  : 0;
    }
    return known != 0;
  };
  const cost_t length_variant_cost = pack(1, 1, 0, 0);
  const bool ref_has_placeholder = ref.find('N') != std::string_view::npos;
  const std::int32_t plain_gap = problem.plain_gap_bases > 0 ? problem.plain_gap_bases : std::max(max_deleted, max_inserted);
  auto deletion = [&](std::int32_t i, std::int32_t j, std::int32_t k) -> cost_t {  // ref[i-k, i) before query[j]
    std::string_view piece = ref.substr(static_cast<std::size_t>(i - k), static_cast<std::size_t>(k));
    if (ref_has_placeholder && piece.find('N') != std::string_view::npos) return infinite;
    if constexpr (LengthVariants) {
      if (deletion_is_length_variant(i, j, k)) return length_variant_cost;
    }
    if (k > plain_gap) return infinite;
    const bool slip = deletion_slips(problem.offset + static_cast<std::size_t>(i - k), piece.size());
    return pack(static_cast<std::uint64_t>(k), 1, slip ? 0 : 1, 0);
  };
  auto insertion = [&](std::int32_t i, std::int32_t j, std::int32_t k) -> cost_t {  // query[j-k, j) before ref[i]
    if ((i == 0 && !problem.insert_at_start) || (i == n && !problem.insert_at_end)) return infinite;
    if constexpr (LengthVariants) {
      if (insertion_is_length_variant(i, j, k)) return length_variant_cost;
    }
    if (k > plain_gap) return infinite;
    std::string_view piece = query.substr(static_cast<std::size_t>(j - k), static_cast<std::size_t>(k));
    const bool slip = insertion_slips(problem.offset + static_cast<std::size_t>(i), piece.data(), piece.size());
    return pack(static_cast<std::uint64_t>(k), 1, slip ? 0 : 1, 0);
  };
  // A gap of k bases costs at least this: the slippage tests are skipped when that cannot win.
  auto gap_floor = [&](std::int32_t k) {
    return LengthVariants ? length_variant_cost : pack(static_cast<std::uint64_t>(k), 1, 0, 0);
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
      for (std::int32_t k = 1; k <= max_deleted && i - k >= 0 && j - (i - k) <= dmax; ++k) {
        const cost_t pred = cell(i - k, j);
        if (pred == infinite || pred + gap_floor(k) >= best) continue;
        const cost_t c = deletion(i, j, k);
        if (c != infinite) best = std::min(best, pred + c);
      }
      for (std::int32_t k = 1; k <= max_inserted && j - k >= 0 && (j - k) - i >= dmin; ++k) {
        const cost_t pred = cell(i, j - k);
        if (pred == infinite || pred + gap_floor(k) >= best) continue;
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
    for (std::int32_t k = 1; !moved && k <= max_deleted && i - k >= 0 && j - (i - k) <= dmax; ++k) {
      const cost_t pred = cell(i - k, j);
      if (pred == infinite) continue;
      const cost_t c = deletion(i, j, k);
      if (c != infinite && pred + c == here) {
        steps.push_back({alignment_step::kind::deletion, i - k, j, k, judged && deletion_is_length_variant(i, j, k)});
        i -= k;
        moved = true;
      }
    }
    for (std::int32_t k = 1; !moved && k <= max_inserted && j - k >= 0 && (j - k) - i >= dmin; ++k) {
      const cost_t pred = cell(i, j - k);
      if (pred == infinite) continue;
      const cost_t c = insertion(i, j, k);
      if (c != infinite && pred + c == here) {
        steps.push_back({alignment_step::kind::insertion, i, j - k, k, judged && insertion_is_length_variant(i, j, k)});
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

}  // namespace

std::vector<alignment_step> best_alignment(const alignment_problem& problem) {
  if (alignment_work(problem) > max_alignment_work) {
    throw error("alignment window of " + std::to_string(problem.ref.size()) + " bases is too large to align");
  }
  // An indel's 3'-most place stays in the context: without a position of a length-variable stretch
  // there, no indel is a length variant.
  bool length_variants = false;
  if (problem.length_variants) {
    const auto& length_id = repeats().length_id;
    auto in_stretch = [&](std::int32_t p) { return p >= 1 && p <= rcrs_length && length_id[static_cast<std::size_t>(p)] != 0; };
    for (std::size_t c = 0; c < problem.context.size() && !length_variants; ++c) {
      length_variants = in_stretch(problem.context_origin.empty() ? problem.context_first + static_cast<std::int32_t>(c)
                                                                  : std::abs(problem.context_origin[c]));
    }
    for (std::size_t c = 0; c < problem.query_origin.size() && !length_variants; ++c) {
      length_variants = in_stretch(std::abs(problem.query_origin[c]));
    }
  }
  return length_variants ? align<true>(problem) : align<false>(problem);
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
    std::span<variant> input = std::span<variant>(vs).subspan(k, end - k);
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
  if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
  return out;
}

bool is_length_variant(const variant& v) noexcept {
  if (!v.is_indel() || v.position < 1 || v.position > rcrs_length) return false;
  const std::uint8_t* id = repeats().length_id.data();
  const std::string_view genome = rcrs().bases();
  auto position = [](std::size_t x) { return static_cast<std::int32_t>(x) + 1; };
  if (v.kind == variant_kind::deletion) {
    if (v.length < 1 || v.last() > rcrs_length) return false;
    return detail_lv::deletion_is_length_variant(genome, position, static_cast<std::size_t>(v.position - 1),
                                                 static_cast<std::size_t>(v.length), id);
  }
  if (v.bases.empty()) return false;
  return detail_lv::insertion_is_length_variant(genome, position, static_cast<std::size_t>(v.position), v.bases,
                                                genome.size(), id);
}

}  // namespace mtmatch
