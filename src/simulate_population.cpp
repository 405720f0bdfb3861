// The simulator's population model: the founder haplogroup table, site-specific mutation rates and
// founder drawing (haplogroup path from the rCRS + private mutations + length states + heteroplasmies).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "mtmatch/normalize.hpp"
#include "mtmatch/profile_io.hpp"
#include "mtmatch/reference.hpp"
#include "simulate_detail.hpp"

namespace mtmatch {
namespace {

// data/populations/vietnam.tsv, byte for byte (a test checks it against the file).
constexpr std::string_view vietnam_tsv = R"tsv(# mtmatch simulator: maternal haplogroup frequencies for Vietnam / mainland Southeast Asia.
#
# THIS IS A COMPOSITE MODELLING ASSUMPTION, NOT A PUBLISHED TABLE. No study publishes PhyloTree-17
# frequencies at this resolution for Vietnam. The class totals follow the composite prior of the
# project's domain notes (DOMAIN.md section 6: F1 21, F other 5, B5 11, B4 10, B6 2, M7 12, other M 12,
# D4/D5 7, R9 other 3, N9a 4, E 2, A 2, G 1, C 1, other R/N 5, other 2 — percent), which was itself
# assembled from the published figures below; the split of each class into PhyloTree 17 clades is
# ours. Replace this file with real data when a table is available (same columns).
#
# Published figures used (column `published`; `-` = none published for that clade):
#   [BMRAT]  HVS-I/II of 517 Kinh, Muong, Cham and Khmer from Vietnam, Biomedical Research and Therapy
#            (BMRAT), article 325 (abstract): F1a 15.7 %, B5a 10.8 %, M unresolved 8.9 %, M7b1 7.7 %;
#            B6, D4e, D5a, E, F1c, F2a, F3a, G2a, M9b, N, N21, U5a about 1 % each.
#   [DUONG]  Duong et al. 2018, Sci Rep (609 Vietnamese mitogenomes, 135 haplogroups): qualitative only
#            (F, B, M7 dominant); no per-clade numbers used.
#   [WIKI]   haplogroup F about 26 % in Vietnam (secondary source, es.wikipedia) — our F1 + F other = 26.
# BMRAT's "M unresolved 8.9 %" is spread over the named East-Asian M clades of the "other M" class.
#
# Columns (tab separated):
#   haplogroup  a node name of PhyloTree Build 17 (phylotree-rcrs@17.3)
#   percent     share of founders drawn from this row (the rows sum to 100)
#   draw        subtree = a node of the clade, picked by a random walk from the clade root (stop with
#               probability 1/(c+1) at a node with c eligible children, else go to a random child),
#               never entering the clade of another row; node = exactly this node
#   class       the composite class of DOMAIN.md section 6 the row belongs to
#   published   the published percentage for this clade and its source, or -
haplogroup	percent	draw	class	published
F1a1	9.0	subtree	F1	-
F1a	6.7	subtree	F1	15.7 [BMRAT] (F1a incl. F1a1)
F1c	1.5	subtree	F1	1 [BMRAT]
F1e	1.0	subtree	F1	-
F1f	1.0	subtree	F1	-
F1b	0.8	subtree	F1	-
F1	1.0	subtree	F1	-
F2	1.5	subtree	F other	1 [BMRAT] (F2a)
F3	1.5	subtree	F other	1 [BMRAT] (F3a)
F4	1.0	subtree	F other	-
F	1.0	subtree	F other	-
B5a	10.8	subtree	B5	10.8 [BMRAT]
B5b	0.2	subtree	B5	-
B4a	3.0	subtree	B4	-
B4b	1.5	subtree	B4	-
B4c	2.0	subtree	B4	-
B4e	1.0	subtree	B4	-
B4g	0.5	subtree	B4	-
B4	2.0	subtree	B4	-
B6	2.0	subtree	B6	1 [BMRAT]
M7b1a1	8.0	subtree	M7	7.7 [BMRAT] (M7b1)
M7b	1.5	subtree	M7	-
M7c	2.0	subtree	M7	-
M7	0.5	subtree	M7	-
M71	2.0	subtree	other M	-
M74	1.5	subtree	other M	-
M72	1.0	subtree	other M	-
M73	1.0	subtree	other M	-
M17	1.0	subtree	other M	-
M21	1.0	subtree	other M	-
M12	1.0	subtree	other M	-
M9b	1.0	subtree	other M	1 [BMRAT]
M20	0.5	subtree	other M	-
M24	0.5	subtree	other M	-
M13	0.5	subtree	other M	-
M	1.0	node	other M	8.9 [BMRAT] (M unresolved, HVS-I/II only)
D4	4.0	subtree	D4/D5	1 [BMRAT] (D4e)
D5	3.0	subtree	D4/D5	1 [BMRAT] (D5a)
R9b	1.5	subtree	R9 other	-
R9c	1.0	subtree	R9 other	-
R9	0.5	subtree	R9 other	-
N9a	4.0	subtree	N9a	-
E	2.0	subtree	E	1 [BMRAT]
A17	1.0	subtree	A	-
A14	0.5	subtree	A	-
A5	0.5	subtree	A	-
G	1.0	subtree	G	1 [BMRAT] (G2a)
C7	0.5	subtree	C	-
C4	0.5	subtree	C	-
N21	1.0	subtree	other R/N	1 [BMRAT]
U5a	1.0	subtree	other R/N	1 [BMRAT]
R22	0.5	subtree	other R/N	-
N10	0.5	subtree	other R/N	-
N8	0.5	subtree	other R/N	-
R11	0.5	subtree	other R/N	-
N	1.0	node	other R/N	1 [BMRAT]
Z	0.6	subtree	other	-
M10	0.5	subtree	other	-
U	0.5	subtree	other	-
H	0.4	subtree	other	-
)tsv";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool starts_with_word(std::string_view line, std::string_view word) {
  if (line.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != word[i]) return false;
  }
  return true;
}

bool in_control_region(std::int32_t p) noexcept { return p >= 16024 || p <= 576; }

// Soares et al. 2009 positional recurrence counts (DOMAIN.md §4.5): 16519 (a HaploGrep hotspot, left out
// of PhyloTree but for a stray back-mutation) recurs 209 times where 152 recurs 157 times; its PhyloTree-scale
// rate is therefore 152's site count × 209/157.
constexpr double soares_16519 = 209.0;
constexpr double soares_152 = 157.0;

// Share of founders with 0, 1, 2, 3 C's inserted after 309: 309.1C in 56 % of Vietnamese HVS-II
// profiles (BMRAT); the split of 309.1C vs 309.1C 309.2C is an assumption.
constexpr std::array<double, 4> tract309{0.44, 0.36, 0.17, 0.03};
// After 16193 when 16189C fuses the HVS-I C-tract to ten C's (length heteroplasmy from ≥ 8 C's,
// Forster 2010) [assumption], and when it does not.
constexpr std::array<double, 4> tract16193_fused{0.35, 0.45, 0.17, 0.03};
constexpr double tract16193_plain = 0.02;
constexpr double share_315_1C = 0.96;  // 315.1C in 96 % (BMRAT)
constexpr double share_573 = 0.02;     // [assumption]
// B-lineage HVS-I motif companions of 16189C: 16183C, 16182C (hotspots absent from the tree) [assumption].
constexpr double share_16183C = 0.25;
constexpr double share_16182C = 0.08;
// Of individuals with a heteroplasmy, 77.3 % have exactly one (IJLM 2022).
constexpr double single_heteroplasmy = 0.773;

}  // namespace

// --- population_table ----------------------------------------------------------------------------------

population_table population_table::parse(std::string_view text, std::string_view file_name) {
  population_table table;
  table.name = std::string(file_name);
  std::size_t line_no = 0;
  std::size_t start = 0;
  double total = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++line_no;
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty() || trim(line).front() == '#') {
      if (end == text.size()) break;
      continue;
    }
    if (starts_with_word(line, "haplogroup")) continue;
    // Split on tabs, remembering where each field starts.
    std::vector<std::pair<std::string_view, std::size_t>> fields;
    std::size_t f = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == '\t') {
        fields.emplace_back(line.substr(f, i - f), f + 1);
        f = i + 1;
      }
    }
    auto where = [&](std::size_t k) {
      return source_location{std::string(file_name), line_no, fields[k].second, std::string(fields[k].first)};
    };
    if (fields.size() < 2) {
      throw error(source_location{std::string(file_name), line_no, 1, std::string(line)},
                  "expected at least 'haplogroup<TAB>percent'");
    }
    population_row row;
    row.line = line_no;
    row.haplogroup = std::string(trim(fields[0].first));
    if (row.haplogroup.empty()) throw error(where(0), "empty haplogroup name");
    std::string_view pct = trim(fields[1].first);
    double value = 0;
    auto [ptr, ec] = std::from_chars(pct.data(), pct.data() + pct.size(), value);
    if (ec != std::errc() || ptr != pct.data() + pct.size() || pct.empty() || !std::isfinite(value)) {
      throw error(where(1), "percent is not a number");
    }
    if (value < 0) throw error(where(1), "negative share");
    row.percent = value;
    if (fields.size() > 2) {
      std::string_view draw = trim(fields[2].first);
      if (draw == "subtree" || draw.empty()) {
        row.whole_clade = true;
      } else if (draw == "node") {
        row.whole_clade = false;
      } else {
        throw error(where(2), "draw must be 'subtree' or 'node'");
      }
    }
    if (fields.size() > 3) row.group = std::string(trim(fields[3].first));
    if (fields.size() > 4) row.published = std::string(trim(fields[4].first));
    for (const auto& other : table.rows) {
      if (other.haplogroup == row.haplogroup) throw error(where(0), "haplogroup listed twice");
    }
    total += value;
    table.rows.push_back(std::move(row));
    if (end == text.size()) break;
  }
  if (table.rows.empty()) throw error(source_location{std::string(file_name), 0, 0, ""}, "no rows in population table");
  if (std::abs(total - 100.0) > 0.01) {
    throw error(source_location{std::string(file_name), 0, 0, ""},
                "shares sum to " + std::to_string(total) + " %, not 100 %");
  }
  return table;
}

population_table population_table::load(const std::string& path) { return parse(read_text_file(path), path); }

std::string_view population_table::vietnam_text() noexcept { return vietnam_tsv; }

const population_table& population_table::vietnam() {
  static const population_table table = parse(vietnam_tsv, "vietnam.tsv");
  return table;
}

namespace detail::sim {

// --- randomness --------------------------------------------------------------------------------------------

int rng::poisson(double lambda) noexcept {
  if (lambda <= 0) return 0;
  // Split large means so exp(-lambda) stays representable; sums of Poissons are Poisson.
  int total = 0;
  while (lambda > 30) {
    total += poisson(30);
    lambda -= 30;
  }
  const double limit = std::exp(-lambda);
  double product = uniform();
  int k = 0;
  while (product > limit) {
    ++k;
    product *= uniform();
  }
  return total + k;
}

std::size_t rng::pick(std::span<const double> cum) noexcept {
  const double x = uniform() * cum.back();
  auto it = std::upper_bound(cum.begin(), cum.end(), x);
  if (it == cum.end()) --it;
  // Skip zero-weight entries that upper_bound can land on only through rounding.
  std::size_t i = static_cast<std::size_t>(it - cum.begin());
  while (i > 0 && cum[i] == cum[i - 1]) --i;
  return i;
}

std::vector<double> cumulative(std::span<const double> weights) {
  std::vector<double> out(weights.size());
  double sum = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) out[i] = (sum += weights[i]);
  return out;
}

// --- sites ---------------------------------------------------------------------------------------------

bool is_unstable_stretch(std::int32_t p) noexcept {
  if (p == 16189) return false;
  return p == 3107 || (p >= 16180 && p <= 16195) || (p >= 301 && p <= 317) || (p >= 450 && p <= 465) ||
         (p >= 512 && p <= 527) || (p >= 566 && p <= 575) || (p >= 954 && p <= 967) ||
         (p >= 5893 && p <= 5901) || (p >= 8269 && p <= 8291);
}

char iupac_of(char a, char b) noexcept {
  const std::uint8_t bits = static_cast<std::uint8_t>(iupac::bases_of(a) | iupac::bases_of(b));
  for (char c : std::string_view("RYMKSWBDHV")) {
    if (iupac::bases_of(c) == bits) return c;
  }
  return 'N';
}

char mutate_base(char from, double transition_odds, rng& r) noexcept {
  char transition = 0;
  std::array<char, 2> transversions{};
  switch (from) {
    case 'A': transition = 'G'; transversions = {'C', 'T'}; break;
    case 'G': transition = 'A'; transversions = {'C', 'T'}; break;
    case 'C': transition = 'T'; transversions = {'A', 'G'}; break;
    case 'T': transition = 'C'; transversions = {'A', 'G'}; break;
    default: return 'A';
  }
  if (r.uniform() * (transition_odds + 1.0) < transition_odds) return transition;
  return transversions[r.below(2)];
}

// --- variant lists -----------------------------------------------------------------------------------------

namespace {

bool is_tract_insertion(const variant& v) {
  return v.kind == variant_kind::insertion && !v.any_length &&
         std::all_of(v.bases.begin(), v.bases.end(), [](char c) { return c == 'C'; });
}

}  // namespace

void set_point(std::vector<variant>& variants, std::int32_t position, char base) {
  auto it = std::find_if(variants.begin(), variants.end(), [&](const variant& v) {
    return v.position == position && v.kind == variant_kind::substitution;
  });
  if (it != variants.end()) variants.erase(it);
  if (base == rcrs()[position]) return;
  variant v;
  v.position = position;
  v.kind = variant_kind::substitution;
  v.length = 1;
  v.bases = std::string(1, base);
  variants.insert(std::upper_bound(variants.begin(), variants.end(), v), std::move(v));
}

void set_tract(std::vector<variant>& variants, std::int32_t anchor, int count) {
  auto it = std::find_if(variants.begin(), variants.end(), [&](const variant& v) {
    return v.position == anchor && v.kind == variant_kind::insertion;
  });
  if (it != variants.end()) variants.erase(it);
  if (count <= 0) return;
  variant v;
  v.position = anchor;
  v.kind = variant_kind::insertion;
  v.length = count;
  v.bases = std::string(static_cast<std::size_t>(count), 'C');
  variants.insert(std::upper_bound(variants.begin(), variants.end(), v), std::move(v));
}

bool deleted(std::span<const variant> variants, std::int32_t position) noexcept {
  for (const auto& v : variants) {
    if (v.kind == variant_kind::deletion && position >= v.position && position <= v.last()) return true;
  }
  return false;
}

site_state founder_state(std::span<const variant> founder, site_key key) {
  site_state s;
  s.key = key;
  if (key.tract) {
    for (const auto& v : founder) {
      if (v.position == key.position && v.kind == variant_kind::insertion) s.count = is_tract_insertion(v) ? v.length : 0;
    }
    return s;
  }
  s.base = rcrs()[key.position];
  for (const auto& v : founder) {
    if (v.position == key.position && v.kind == variant_kind::substitution) s.base = v.bases[0];
  }
  return s;
}

site_state state_of(std::span<const variant> founder, const genome& g, site_key key) {
  auto it = std::lower_bound(g.overrides.begin(), g.overrides.end(), key,
                             [](const site_state& s, const site_key& k) { return s.key < k; });
  if (it != g.overrides.end() && it->key == key) return *it;
  return founder_state(founder, key);
}

void set_state(genome& g, const site_state& s) {
  auto it = std::lower_bound(g.overrides.begin(), g.overrides.end(), s.key,
                             [](const site_state& a, const site_key& k) { return a.key < k; });
  if (it != g.overrides.end() && it->key == s.key) {
    *it = s;
  } else {
    g.overrides.insert(it, s);
  }
}

std::vector<variant> materialize(std::span<const variant> founder, const genome& g) {
  std::vector<variant> out(founder.begin(), founder.end());
  for (const auto& s : g.overrides) {
    if (s.key.tract) {
      set_tract(out, s.key.position, s.count);
    } else {
      set_point(out, s.key.position, s.base);
    }
  }
  return out;
}

site_difference::kind point_kind(char a, char b) noexcept {
  const bool ambiguous = iupac::is_ambiguous(a) || iupac::is_ambiguous(b);
  if (ambiguous && (iupac::bases_of(a) & iupac::bases_of(b)) != 0) return site_difference::kind::heteroplasmy_compatible;
  return site_difference::kind::difference;
}

std::vector<site_change> differences(std::span<const variant> founder, const genome& a, const genome& b) {
  std::vector<site_key> keys;
  for (const auto& s : a.overrides) keys.push_back(s.key);
  for (const auto& s : b.overrides) keys.push_back(s.key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<site_change> out;
  for (const auto& key : keys) {
    site_state sa = state_of(founder, a, key);
    site_state sb = state_of(founder, b, key);
    if (sa == sb) continue;
    site_change c;
    c.position = key.position;
    c.insertion_count = key.tract;
    if (key.tract) {
      c.from = std::to_string(sa.count);
      c.to = std::to_string(sb.count);
      c.expected = site_difference::kind::length_variant;
    } else {
      c.from = std::string(1, sa.base);
      c.to = std::string(1, sb.base);
      c.expected = point_kind(sa.base, sb.base);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<variant> restrict_to(std::span<const variant> all, const range& coverage) {
  std::vector<variant> out;
  for (const auto& v : all) {
    bool in = false;
    switch (v.kind) {
      case variant_kind::substitution: in = coverage.contains(v.position); break;
      case variant_kind::deletion: in = coverage.contains_all(v.position, v.last()); break;
      case variant_kind::insertion: in = coverage.contains_insertion(v.position); break;
    }
    if (in) out.push_back(v);
  }
  return out;
}

// --- population_model ----------------------------------------------------------------------------------

population_model::population_model(const simulate_options& options, const population_table& table,
                                   const phylotree& tree)
    : options_(options), table_(table), tree_(tree) {
  // Rows → root nodes; a node named twice, or a name not in the tree, is an error.
  std::vector<node_id> roots;
  for (const auto& row : table.rows) {
    node_id n = tree.find(row.haplogroup);
    if (n == no_node) {
      throw error(source_location{table.name, row.line, row.line == 0 ? 0u : 1u, row.haplogroup},
                  "not a haplogroup of " + tree.tree_name());
    }
    roots.push_back(n);
  }
  std::vector<double> row_weights;
  for (const auto& row : table.rows) row_weights.push_back(row.percent);
  row_cumulative_ = cumulative(row_weights);

  // A node is claimed by the deepest row root above it; the walk of a row never enters another row's clade.
  std::vector<int> claimed(static_cast<std::size_t>(tree.size()), -1);
  for (std::size_t r = 0; r < roots.size(); ++r) claimed[static_cast<std::size_t>(roots[r])] = static_cast<int>(r);

  expected_.resize(static_cast<std::size_t>(tree.size()));
  row_nodes_.resize(roots.size());
  row_node_cumulative_.resize(roots.size());
  for (std::size_t r = 0; r < roots.size(); ++r) {
    std::vector<node_id>& nodes = row_nodes_[r];
    std::vector<double> weights;
    if (!table.rows[r].whole_clade) {
      nodes.push_back(roots[r]);
      weights.push_back(1.0);
    } else {
      // Depth-first walk with the probability of reaching each node.
      std::vector<std::pair<node_id, double>> stack{{roots[r], 1.0}};
      while (!stack.empty()) {
        auto [n, p] = stack.back();
        stack.pop_back();
        std::vector<node_id> eligible;
        for (node_id c : tree.children(n)) {
          if (claimed[static_cast<std::size_t>(c)] < 0) eligible.push_back(c);
        }
        const double share = p / static_cast<double>(eligible.size() + 1);
        nodes.push_back(n);
        weights.push_back(share);
        for (auto it = eligible.rbegin(); it != eligible.rend(); ++it) stack.emplace_back(*it, share);
      }
    }
    row_node_cumulative_[r] = cumulative(weights);
    for (node_id n : nodes) {
      std::vector<variant>& ev = expected_[static_cast<std::size_t>(n)];
      for (variant v : tree.expected_variants(n)) {
        if (v.position == 3107) continue;
        if (v.kind == variant_kind::insertion && v.any_length) {
          // PhyloTree's "573.XC": some C's; a lab always reports a definite number.
          v.any_length = false;
          v.length = 1;
          v.bases = v.bases.substr(0, 1);
        }
        ev.push_back(std::move(v));
      }
      std::sort(ev.begin(), ev.end());
    }
  }

  // Site rates: PhyloTree occurrences at the site (1 where the tree has none), 16519 from Soares 2009,
  // the control region boosted, unstable stretches never.
  site_rate_.assign(static_cast<std::size_t>(rcrs_length) + 1, 0.0);
  const double rate_152 = std::max(1, tree.site_occurrences(152));
  for (std::int32_t p = 1; p <= rcrs_length; ++p) {
    if (is_unstable_stretch(p)) continue;
    double rate = std::max(1, tree.site_occurrences(p));
    if (p == 16519) rate = std::max(rate, rate_152 * soares_16519 / soares_152);
    if (in_control_region(p)) rate *= options.control_region_boost;
    site_rate_[static_cast<std::size_t>(p)] = rate;
  }
  site_cumulative_ = cumulative(std::span<const double>(site_rate_).subspan(1));
}

double population_model::site_rate(std::int32_t position) const {
  if (position < 1 || position > rcrs_length) return 0;
  return site_rate_[static_cast<std::size_t>(position)];
}

std::int32_t population_model::draw_site(rng& r) const {
  return static_cast<std::int32_t>(r.pick(site_cumulative_)) + 1;
}

namespace {

char point_base(std::span<const variant> variants, std::int32_t p) {
  for (const auto& v : variants) {
    if (v.position == p && v.kind == variant_kind::substitution) return v.bases[0];
  }
  return rcrs()[p];
}

int pick_count(rng& r, const std::array<double, 4>& shares) {
  double x = r.uniform();
  for (int k = 0; k < 4; ++k) {
    x -= shares[static_cast<std::size_t>(k)];
    if (x < 0) return k;
  }
  return 3;
}

}  // namespace

simulated_founder population_model::draw(rng& r) const {
  simulated_founder f;
  f.row = r.pick(row_cumulative_);
  const auto& nodes = row_nodes_[f.row];
  f.haplogroup = nodes[r.pick(row_node_cumulative_[f.row])];
  std::vector<variant> v = expected_[static_cast<std::size_t>(f.haplogroup)];

  // Private mutations below the PhyloTree node, at site-specific rates.
  const int private_count = r.poisson(options_.private_mutations);
  for (int i = 0; i < private_count; ++i) {
    const std::int32_t p = draw_site(r);
    if (deleted(v, p)) continue;
    set_point(v, p, mutate_base(point_base(v, p), options_.transition_odds, r));
  }

  // C-tract length states and the near-universal 315.1C.
  const bool fused = point_base(v, 16189) == 'C';
  if (fused) {
    if (r.chance(share_16183C)) set_point(v, 16183, 'C');
    if (r.chance(share_16182C)) set_point(v, 16182, 'C');
  }
  set_tract(v, 315, r.chance(share_315_1C) ? 1 : 0);
  set_tract(v, 309, pick_count(r, tract309));
  set_tract(v, 16193, fused ? pick_count(r, tract16193_fused) : (r.chance(tract16193_plain) ? 1 : 0));
  const bool tree_573 = std::any_of(v.begin(), v.end(), [](const variant& x) {
    return x.position == 573 && x.kind == variant_kind::insertion;
  });
  if (!tree_573 && r.chance(share_573)) set_tract(v, 573, 1);

  // Point heteroplasmies, at the same (fast-site dominated) rates.
  if (r.chance(options_.founder_heteroplasmy)) {
    const int count = r.chance(single_heteroplasmy) ? 1 : 2;
    for (int i = 0; i < count; ++i) {
      const std::int32_t p = draw_site(r);
      const char base = point_base(v, p);
      if (deleted(v, p) || iupac::is_ambiguous(base)) continue;
      set_point(v, p, iupac_of(base, mutate_base(base, options_.transition_odds, r)));
    }
  }
  // Kept site by site (not canonicalised): the pedigree model reads and sets states per site, and
  // canonical forms may merge neighbouring substitutions into indels.
  f.variants = std::move(v);
  return f;
}

std::vector<variant> population_model::descend(std::span<const variant> source, int generations, rng& r) const {
  std::vector<variant> v(source.begin(), source.end());
  const double fixed_rate = options_.mutation_rate * (1.0 - options_.new_heteroplasmy_share);
  const int count = r.poisson(fixed_rate * generations);
  for (int i = 0; i < count; ++i) {
    const std::int32_t p = draw_site(r);
    const char base = point_base(v, p);
    if (deleted(v, p) || iupac::is_ambiguous(base)) continue;
    set_point(v, p, mutate_base(base, options_.transition_odds, r));
  }
  // Heteroplasmies of the ancestor have long since fixed on one allele.
  for (auto& x : v) {
    if (x.is_heteroplasmy()) {
      const std::uint8_t bits = iupac::bases_of(x.bases[0]);
      std::string both;
      for (char c : std::string_view("ACGT")) {
        if (bits & iupac::bases_of(c)) both += c;
      }
      x.bases = std::string(1, both[r.below(both.size())]);
    }
  }
  v.erase(std::remove_if(v.begin(), v.end(),
                         [](const variant& x) {
                           return x.kind == variant_kind::substitution && x.bases[0] == rcrs()[x.position];
                         }),
          v.end());
  // C-tract lengths drift.
  const int changes = r.poisson(options_.length_change_rate * generations);
  for (int i = 0; i < changes; ++i) {
    const std::int32_t anchor = r.chance(0.75) ? 309 : 16193;
    const int now = founder_state(v, site_key{anchor, true}).count;
    if (anchor == 16193 && point_base(v, 16189) != 'C') continue;
    set_tract(v, anchor, now == 0 ? 1 : (now >= 3 || r.chance(0.5) ? now - 1 : now + 1));
  }
  return v;
}

}  // namespace detail::sim
}  // namespace mtmatch
