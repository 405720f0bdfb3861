#include "mtmatch/compare.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "mtmatch/error.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {
namespace {

constexpr std::int32_t placeholder = 3107;
// Matched bases kept on each side of a window of differences: generous, since only the windows are
// aligned and an event must be able to take its best place inside its window.
constexpr std::int32_t flank = 6;

std::int32_t bases_changed(const variant& v) noexcept { return v.kind == variant_kind::substitution ? 1 : v.length; }

bool touches(const variant& v, std::int32_t first, std::int32_t last) noexcept {
  if (v.kind == variant_kind::insertion) return first <= v.position && v.position <= last;
  return v.position <= last && v.last() >= first;
}

// Footprint of a variant that differs between the profiles (normalize.hpp: variant_window).
detail::stretch window_of(const variant& v, std::int32_t first, std::int32_t last) {
  return detail::variant_window(v, first, last, flank);
}

std::string describe(std::span<const variant> vs, std::int32_t first, std::int32_t last) {
  std::string out;
  for (const auto& v : vs) {
    if (!touches(v, first, last)) continue;
    if (!out.empty()) out += ' ';
    out += to_string(v);
  }
  return out;
}

// What each profile writes at an event. An event where neither writes a variant (a C of a tract that
// 16189C fused, read as lost against 16189d; an rCRS base read as moved) is described by the
// variants of its length-variable stretch and of the tandem-repeat blocks either side of it, or else
// by those of its window [lo, hi] (which holds the variants the two write differently).
void describe_event(std::span<const variant> va, std::span<const variant> vb, std::int32_t first, std::int32_t last,
                    std::int32_t window_lo, std::int32_t window_hi, site_difference& d) {
  d.a = describe(va, first, last);
  d.b = describe(vb, first, last);
  if (!d.a.empty() || !d.b.empty()) return;
  std::int32_t lo = detail::repeat_block(first - 1).first;
  std::int32_t hi = detail::repeat_block(last + 1).last;
  for (const auto& st : detail::length_variant_stretches) {
    if (st.first <= last && first <= st.last) {
      lo = std::min(lo, st.first);
      hi = std::max(hi, st.last);
    }
  }
  d.a = describe(va, lo, hi);
  d.b = describe(vb, lo, hi);
  if (!d.a.empty() || !d.b.empty()) return;
  d.a = describe(va, window_lo, window_hi);
  d.b = describe(vb, window_lo, window_hi);
}

// Compares the two spellings over one window [lo, hi] of an interval and appends what differs.
void compare_window(std::int32_t lo, std::int32_t hi, bool with_last_insertion, std::span<const variant> va,
                    std::span<const variant> vb, const compare_policy& policy, comparison& out) {
  std::string sa;
  std::string sb;
  std::vector<std::int32_t> oa;
  std::vector<std::int32_t> ob;
  detail::spell(lo, hi, va, with_last_insertion, sa, &oa);
  detail::spell(lo, hi, vb, with_last_insertion, sb, &ob);
  std::int32_t bound = 0;
  for (const auto& v : va) bound += touches(v, lo, hi) ? bases_changed(v) : 0;
  for (const auto& v : vb) bound += touches(v, lo, hi) ? bases_changed(v) : 0;

  detail::alignment_problem problem;
  problem.ref = sa;
  problem.query = sb;
  problem.context = sa;
  problem.offset = 0;
  // rCRS positions of both sequences' bases: where indels are length variants (and slippage, rule 3).
  problem.context_origin = oa;
  problem.query_origin = ob;
  problem.insert_after_context = true;
  problem.mark_length_variants = true;
  problem.max_bases = bound;
  problem.compatible_iupac = policy.pattern_match_heteroplasmy;
  // Any alignment of the two sequences is a reading of their difference; b's extra bases lie in the
  // range whichever end of a's window they fall at.
  problem.insert_at_start = true;
  problem.insert_at_end = true;

  if (detail::alignment_work(problem) > detail::max_alignment_work) {
    // Too wide to align (indels of thousands of bases): every variant written differently counts.
    std::vector<variant> differ;
    std::set_symmetric_difference(va.begin(), va.end(), vb.begin(), vb.end(), std::back_inserter(differ));
    for (const auto& v : differ) {
      if (!touches(v, lo, hi)) continue;
      const bool excused = policy.ignore_length_variants && is_length_variant(v);
      site_difference d{v.position, describe(va, v.position, v.last()), describe(vb, v.position, v.last()),
                        excused ? site_difference::kind::length_variant : site_difference::kind::difference};
      (excused ? out.ignored : out.differing).push_back(std::move(d));
    }
    return;
  }
  // The rCRS positions an event covers (its bases in a or b; an inserted base counts at its anchor).
  auto span_of = [&](const detail::alignment_step& s) {
    detail::stretch span{0, 0};
    bool any = false;
    auto take = [&](std::int32_t origin) {
      const std::int32_t p = origin < 0 ? -origin : origin;
      span.first = any ? std::min(span.first, p) : p;
      span.last = any ? std::max(span.last, p) : p;
      any = true;
    };
    const auto ri = static_cast<std::size_t>(s.ref_index);
    const auto qi = static_cast<std::size_t>(s.query_index);
    const auto len = static_cast<std::size_t>(s.length);
    switch (s.what) {
      case detail::alignment_step::kind::substitution:
      case detail::alignment_step::kind::compatible:
        take(oa[ri]);
        take(ob[qi]);
        break;
      case detail::alignment_step::kind::deletion:  // bases of a that b lacks
        for (std::size_t x = 0; x < len; ++x) take(oa[ri + x]);
        break;
      case detail::alignment_step::kind::insertion:  // bases of b that a lacks
        for (std::size_t x = 0; x < len; ++x) take(ob[qi + x]);
        break;
    }
    return span;
  };
  std::vector<detail::alignment_step> steps = detail::best_alignment(problem);
  // That alignment charges every base (the rule of normalize.hpp) and only marks the length
  // variants. But a length variant is one slippage event however many units it adds or removes, and
  // tracts changed by several units can read cheaper otherwise: C9·T·C5 against C7·T·C6 (309.1C
  // 309.2C vs 315.1C) is a moved T, a substitution and a deletion of the T (two bases), against two
  // length variants (three). Where the alignment counts an event with others in a length-variable
  // stretch whose runs (of C's, of AC units; the tandem repeats at its ends included), shrunk to one
  // copy each, read alike in both sequences — they differ there in run lengths only — the window
  // is aligned again with each length variant at one base, in a band that reaches as far as the
  // run lengths drift apart (`bound` no longer bounds their bases). Where a real change sits in the
  // stretch as well, the first reading stays (a moved T there may be read as a substitution).
  // The runs of a stretch and of the tandem repeats at its ends, shrunk to one copy of their unit
  // (1 or 2 bases), each with the number of bases it stands for.
  struct runs {
    std::string units;
    std::vector<std::int32_t> bases;  // per character of `units`
  };
  auto shrink = [](const std::string& seq, const std::vector<std::int32_t>& origin, const detail::stretch& region) {
    runs r;
    for (std::size_t x = 0; x < seq.size(); ++x) {
      const std::int32_t p = origin[x] < 0 ? -origin[x] : origin[x];
      if (p < region.first || p > region.last) continue;
      r.units.push_back(seq[x]);
      r.bases.push_back(1);
      for (std::size_t unit = 1; unit <= 2; ++unit) {  // a copy of the unit before it joins that one
        const std::size_t n = r.units.size();
        if (n < 2 * unit || r.units.compare(n - unit, unit, r.units, n - 2 * unit, unit) != 0) continue;
        for (std::size_t y = 0; y < unit; ++y) r.bases[n - 2 * unit + y] += r.bases[n - unit + y];
        r.units.resize(n - unit);
        r.bases.resize(n - unit);
      }
    }
    return r;
  };
  std::int32_t excursion = -1;  // how far a reading in length variants strays, where one is needed
  for (const auto& st : detail::length_variant_stretches) {
    const detail::stretch region{detail::repeat_block(st.first).first - 2, detail::repeat_block(st.last).last + 2};
    int events = 0;
    int counted = 0;
    for (const auto& s : steps) {
      const detail::stretch span = span_of(s);
      if (span.last < region.first || span.first > region.last) continue;
      ++events;
      counted += s.what != detail::alignment_step::kind::compatible && !s.length_variant ? 1 : 0;
    }
    if (counted == 0 || events < 2) continue;
    const runs ra = shrink(sa, oa, region);
    const runs rb = shrink(sb, ob, region);
    if (ra.units != rb.units) continue;
    std::int32_t drift = 0;
    for (std::size_t x = 0; x < ra.bases.size(); ++x) {
      drift += rb.bases[x] - ra.bases[x];
      excursion = std::max(excursion, std::abs(drift));
    }
  }
  if (excursion >= 0) {
    const auto delta = static_cast<std::int32_t>(sb.size()) - static_cast<std::int32_t>(sa.size());
    problem.max_bases = 2 * (bound + excursion + 1) + std::abs(delta);
    problem.plain_gap_bases = std::max(bound, 1);
    problem.length_variants = true;
    if (detail::alignment_work(problem) <= detail::max_alignment_work) steps = detail::best_alignment(problem);
  }
  for (const auto& s : steps) {
    const detail::stretch span = span_of(s);
    const std::int32_t first = span.first;
    const std::int32_t last = span.last;
    site_difference d;
    d.position = first;
    describe_event(va, vb, first, last, lo, hi, d);
    if (s.what == detail::alignment_step::kind::compatible) {
      d.what = site_difference::kind::heteroplasmy_compatible;
      out.ignored.push_back(std::move(d));
      continue;
    }
    // The alignment itself says which indels are length variants (repeat units added or removed in a
    // stretch, judged in either sequence), not the positions an event happens to span: the T at 310
    // read as moved is not one.
    if (s.length_variant && policy.ignore_length_variants) {
      d.what = site_difference::kind::length_variant;
      out.ignored.push_back(std::move(d));
      continue;
    }
    d.what = site_difference::kind::difference;
    out.differing.push_back(std::move(d));
  }
}

}  // namespace

void compare_policy::validate() const {
  if (inconclusive_at < 0 || exclusion_at < inconclusive_at) {
    throw error("compare policy: thresholds need 0 <= inconclusive_at <= exclusion_at, got inconclusive_at " +
                std::to_string(inconclusive_at) + " and exclusion_at " + std::to_string(exclusion_at));
  }
}

const char* to_string(verdict v) noexcept {
  switch (v) {
    case verdict::match: return "match";
    case verdict::inconclusive: return "inconclusive";
    case verdict::exclusion: return "exclusion";
    case verdict::no_overlap: return "no_overlap";
  }
  return "?";
}

const char* to_string(site_difference::kind k) noexcept {
  switch (k) {
    case site_difference::kind::difference: return "difference";
    case site_difference::kind::heteroplasmy_compatible: return "heteroplasmy_compatible";
    case site_difference::kind::length_variant: return "length_variant";
  }
  return "?";
}

comparison compare(const profile& a, const profile& b, const compare_policy& policy) {
  policy.validate();
  comparison out;
  const range common = a.coverage.intersect(b.coverage);
  out.compared_length = common.length() - (common.contains(placeholder) ? 1 : 0);
  if (out.compared_length <= 0) {
    out.compared_length = 0;
    out.verdict = verdict::no_overlap;
    return out;
  }
  // Both spellings over the common range only; outside the windows around the variants that differ
  // they spell the same sequence the same way, so only the windows need aligning.
  const std::vector<variant> va = detail::prepare_variants(common, a.variants);
  const std::vector<variant> vb = detail::prepare_variants(common, b.variants);
  std::vector<variant> differ;
  std::set_symmetric_difference(va.begin(), va.end(), vb.begin(), vb.end(), std::back_inserter(differ));

  for (const auto& piece : common.intervals()) {
    const bool with_last = common.contains_insertion(piece.last);
    std::vector<detail::stretch> windows;
    for (const auto& v : differ) {
      if (v.position < piece.first || v.position > piece.last) continue;
      windows.push_back(window_of(v, piece.first, piece.last));
    }
    std::sort(windows.begin(), windows.end(),
              [](const detail::stretch& x, const detail::stretch& y) { return x.first < y.first; });
    std::size_t k = 0;
    while (k < windows.size()) {
      std::int32_t lo = windows[k].first;
      std::int32_t hi = windows[k].last;
      for (++k; k < windows.size() && windows[k].first <= hi; ++k) hi = std::max(hi, windows[k].last);
      compare_window(lo, hi, with_last && hi == piece.last, va, vb, policy, out);
    }
  }
  auto by_position = [](const site_difference& x, const site_difference& y) { return x.position < y.position; };
  std::stable_sort(out.differing.begin(), out.differing.end(), by_position);
  std::stable_sort(out.ignored.begin(), out.ignored.end(), by_position);
  out.differences = static_cast<int>(out.differing.size());
  if (out.differences < policy.inconclusive_at) {
    out.verdict = verdict::match;
  } else if (out.differences >= policy.exclusion_at) {
    out.verdict = verdict::exclusion;
  } else {
    out.verdict = verdict::inconclusive;
  }
  return out;
}

}  // namespace mtmatch
