// The simulator's sampling stage: what a lab reports of a true genome — coverage class, missing
// stretches (written as N), occasional artefacts, and the .hsd line in varied but equivalent notation.
#include <algorithm>
#include <random>
#include <string>

#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"
#include "mtmatch/rewrite.hpp"
#include "simulate_detail.hpp"

namespace mtmatch {

const char* to_string(coverage_class c) noexcept {
  switch (c) {
    case coverage_class::hvs1: return "HVS-I";
    case coverage_class::hvs1_hvs2: return "HVS-I+II";
    case coverage_class::control_region: return "CR";
    case coverage_class::mitogenome: return "mitogenome";
  }
  return "?";
}

range coverage_range(coverage_class c) {
  switch (c) {
    case coverage_class::hvs1: return range({interval{16024, 16365}});
    case coverage_class::hvs1_hvs2: return range({interval{16024, 16365}, interval{73, 340}});
    case coverage_class::control_region: return range({interval{16024, 16569}, interval{1, 576}});
    case coverage_class::mitogenome: return range::whole();
  }
  return range::whole();
}

namespace detail::sim {
namespace {

// Artefact kinds and their shares among artefacts [assumption]: post-mortem damage (C→T, G→A) is the
// commonest in bone; a missed variant (allelic dropout, low coverage); a spurious heteroplasmy call.
constexpr double damage_share = 0.5;
constexpr double heteroplasmy_share = 0.3;

bool near_indel(std::span<const variant> variants, std::int32_t p, std::int32_t margin) {
  for (const auto& v : variants) {
    if (v.kind == variant_kind::substitution) continue;
    if (p >= v.position - margin && p <= v.last() + 1 + margin) return true;
  }
  return false;
}

bool is_touched(std::span<const site_key> touched, std::int32_t p) {
  return std::binary_search(touched.begin(), touched.end(), site_key{p, false});
}

char base_at(std::span<const variant> variants, std::int32_t p) {
  for (const auto& v : variants) {
    if (v.position == p && v.kind == variant_kind::substitution) return v.bases[0];
  }
  return rcrs()[p];
}

// A uniformly chosen covered position.
std::int32_t any_position(const range& r, rng& g) {
  std::int32_t k = static_cast<std::int32_t>(g.below(static_cast<std::uint64_t>(r.length())));
  for (const auto& i : r.intervals()) {
    if (k < i.length()) return i.first + k;
    k -= i.length();
  }
  return r.intervals().back().last;
}

// A site where an artefact cannot be confused with a family mutation or move an indel.
bool artefact_site_ok(std::span<const variant> truth, const sample_context& ctx, const range& covered, std::int32_t p) {
  return covered.contains(p) && !is_unstable_stretch(p) && !is_touched(ctx.touched, p) &&
         !near_indel(truth, p, 12) && !deleted(truth, p) && !iupac::is_ambiguous(base_at(truth, p));
}

std::vector<interval> missing_stretches(std::span<const variant> truth, const range& covered, rng& r) {
  std::vector<interval> out;
  const int count = r.chance(0.7) ? 1 : 2;
  for (int n = 0; n < count; ++n) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      const std::int32_t length = r.between(5, 40);
      const std::int32_t first = any_position(covered, r);
      const std::int32_t last = first + length - 1;
      if (!covered.contains_all(first, last)) continue;
      bool clash = false;
      for (std::int32_t p = first - 15; p <= last + 15 && !clash; ++p) {
        clash = p >= 1 && p <= rcrs_length && is_unstable_stretch(p);
      }
      for (const auto& v : truth) {
        if (v.kind != variant_kind::substitution && v.last() + 16 >= first && v.position - 15 <= last) clash = true;
      }
      for (const auto& m : out) {
        if (m.first <= last + 1 && first <= m.last + 1) clash = true;
      }
      if (clash) continue;
      out.push_back(interval{first, last});
      break;
    }
  }
  std::sort(out.begin(), out.end(), [](const interval& a, const interval& b) { return a.first < b.first; });
  return out;
}

coverage_class pick_class(const coverage_mix& mix, rng& r) {
  const double w[4] = {mix.hvs1, mix.hvs1_hvs2, mix.control_region, mix.mitogenome};
  const std::vector<double> cum = cumulative(w);
  return static_cast<coverage_class>(r.pick(cum));
}

// One artefact on `observed` (true state → observed state), or nothing if no site qualified.
void add_artefact(std::span<const variant> truth, const sample_context& ctx, const range& covered,
                  std::vector<variant>& observed, std::vector<site_change>& artefacts, rng& r) {
  const double kind = r.uniform();
  site_change c;
  if (kind < damage_share) {
    for (int attempt = 0; attempt < 60; ++attempt) {
      const std::int32_t p = any_position(covered, r);
      const char base = base_at(observed, p);
      if ((base != 'C' && base != 'G') || !artefact_site_ok(truth, ctx, covered, p)) continue;
      c = site_change{p, false, std::string(1, base), std::string(1, base == 'C' ? 'T' : 'A'),
                      site_difference::kind::difference};
      break;
    }
  } else if (kind < damage_share + heteroplasmy_share) {
    for (int attempt = 0; attempt < 60; ++attempt) {
      const std::int32_t p = ctx.model->draw_site(r);
      if (!artefact_site_ok(truth, ctx, covered, p)) continue;
      const char base = base_at(observed, p);
      const char other = mutate_base(base, ctx.model->options().transition_odds, r);
      c = site_change{p, false, std::string(1, base), std::string(1, iupac_of(base, other)),
                      site_difference::kind::heteroplasmy_compatible};
      break;
    }
  } else {
    std::vector<std::int32_t> candidates;
    for (const auto& v : observed) {
      if (v.kind == variant_kind::substitution && artefact_site_ok(truth, ctx, covered, v.position)) {
        candidates.push_back(v.position);
      }
    }
    if (!candidates.empty()) {
      const std::int32_t p = candidates[r.below(candidates.size())];
      c = site_change{p, false, std::string(1, base_at(observed, p)), std::string(1, rcrs()[p]),
                      site_difference::kind::difference};
    }
  }
  if (c.position == 0) return;
  set_point(observed, c.position, c.to[0]);
  artefacts.push_back(std::move(c));
}

// Range text in one of the forms labs and tools write (all parse to the same range).
std::string range_text(const range& written, coverage_class cls, bool has_holes, bool vary, rng& r) {
  if (vary && !has_holes) {
    const int form = r.between(0, 2);
    if (cls == coverage_class::control_region && form == 0) return "16024-576";
    if (cls == coverage_class::hvs1_hvs2 && form == 0) return "16024-16365 73-340";
    if (cls == coverage_class::mitogenome && form == 0) return "ALL";
  }
  std::string text = written.to_string();
  if (vary && r.chance(0.3)) text += ';';
  return text;
}

// Canonical forensic tokens, one per column (as write_hsd writes them).
std::string canonical_tokens(std::span<const variant> variants) {
  std::string out;
  for (const auto& v : variants) {
    std::string text = to_string(v);
    std::replace(text.begin(), text.end(), ' ', '\t');
    out += '\t' + text;
  }
  return out;
}

}  // namespace

simulated_sample sample_profile(const std::string& id, std::span<const variant> truth, const coverage_mix& mix,
                                double missing_rate, double artefact_rate, const sample_context& ctx, rng& r) {
  simulated_sample s;
  s.id = id;
  s.coverage = pick_class(mix, r);
  const range full = coverage_range(s.coverage);
  std::vector<interval> missing;
  if (r.chance(missing_rate)) missing = missing_stretches(truth, full, r);
  range covered = full;
  for (const auto& m : missing) covered = covered.without(m.first, m.last);

  std::vector<variant> observed = restrict_to(truth, covered);
  if (r.chance(artefact_rate)) add_artefact(truth, ctx, covered, observed, s.artefacts, r);
  s.observed.id = id;
  s.observed.coverage = covered;
  s.observed.variants = canonicalize(covered, observed);

  // The written line: the range with holes, or the whole class range with N tokens. Spelling draws
  // come from their own stream, so the notation variety never changes what is simulated.
  rng spell(r.next(), 0x5EED);
  const bool vary = spell.chance(ctx.model->options().notation_variety);
  const bool as_n_tokens = !missing.empty() && vary && spell.chance(0.5);
  const range& written = as_n_tokens ? full : covered;
  std::string line = id + '\t' + range_text(written, s.coverage, written != full,
                                            vary, spell) + "\t?";
  if (vary) {
    // rewrite.hpp: indels re-aligned within their repeats, mixed EMPOP / ISFG /
    // HaploGrep / PhyloTree spellings, shuffled tokens, mixed separators — the same sequence.
    std::mt19937_64 spelling(spell.next());
    rewrite_options how;
    how.realign_probability = 0.5;
    how.extra_bases = 0;  // only spellings as short as the best: what labs write, not contrived ones
    line += '\t' + rewrite_equivalent(covered, s.observed.variants, spelling, how);
  } else {
    line += canonical_tokens(s.observed.variants);
  }
  if (as_n_tokens) {
    for (const auto& m : missing) {
      line += '\t' + (m.first == m.last ? std::to_string(m.first) + 'N'
                                        : std::to_string(m.first) + '-' + std::to_string(m.last) + 'N');
    }
  }
  s.hsd_line = std::move(line);
  return s;
}

std::uint64_t permute48(std::uint64_t x, std::uint64_t key) noexcept {
  constexpr std::uint64_t mask = (std::uint64_t{1} << 48) - 1;
  x = (x ^ key) & mask;
  for (int round = 0; round < 3; ++round) {
    x = (x * 0x9E3779B97F4BULL) & mask;  // odd multiplier: a bijection mod 2^48
    x ^= x >> 23;
    x = (x + (key >> 16)) & mask;
  }
  return x;
}

}  // namespace detail::sim
}  // namespace mtmatch
