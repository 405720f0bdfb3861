// The simulator's families: a founder per martyr (fresh from the population, or unrecorded distant
// kin of an earlier founder of the same province), the maternal pedigree with a mutation model on
// every transmission, the non-maternal relatives, who is alive, who gave samples, and the remains.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"
#include "simulate_detail.hpp"

namespace mtmatch {

// --- relationships -------------------------------------------------------------------------------------

const char* to_string(relationship r) noexcept {
  switch (r) {
    case relationship::mother: return "mother";
    case relationship::maternal_grandmother: return "maternal_grandmother";
    case relationship::sibling: return "sibling";
    case relationship::mother_sibling: return "mother_sibling";
    case relationship::mother_sister_child: return "mother_sister_child";
    case relationship::sister_child: return "sister_child";
    case relationship::child_of_woman_martyr: return "child_of_woman_martyr";
    case relationship::father: return "father";
    case relationship::father_sibling: return "father_sibling";
    case relationship::brother_child: return "brother_child";
    case relationship::mother_brother_child: return "mother_brother_child";
    case relationship::child_of_man_martyr: return "child_of_man_martyr";
  }
  return "?";
}

int transmissions(relationship r) noexcept {
  switch (r) {
    case relationship::mother: return 1;
    case relationship::maternal_grandmother: return 2;
    case relationship::sibling: return 2;
    case relationship::mother_sibling: return 3;
    case relationship::mother_sister_child: return 4;
    case relationship::sister_child: return 3;
    case relationship::child_of_woman_martyr: return 1;
    default: return -1;
  }
}

// --- options -------------------------------------------------------------------------------------------

void simulate_options::validate() const {
  auto fail = [](const std::string& name, const std::string& why) { throw error("simulate option " + name + ": " + why); };
  auto share = [&](const char* name, double v) {
    if (!(v >= 0.0 && v <= 1.0)) fail(name, "must be a share between 0 and 1, got " + std::to_string(v));
  };
  auto non_negative = [&](const char* name, double v) {
    if (!(v >= 0.0) || !std::isfinite(v)) fail(name, "must be a finite number >= 0, got " + std::to_string(v));
  };
  if (martyrs < 0) fail("martyrs", "must be >= 0");
  non_negative("private_mutations", private_mutations);
  non_negative("control_region_boost", control_region_boost);
  if (control_region_boost <= 0) fail("control_region_boost", "must be > 0");
  share("founder_heteroplasmy", founder_heteroplasmy);
  share("hidden_kinship", hidden_kinship);
  non_negative("mutation_rate", mutation_rate);
  if (mutation_rate > 5) fail("mutation_rate", "is per transmission; above 5 is not a pedigree rate");
  share("new_heteroplasmy_share", new_heteroplasmy_share);
  share("heteroplasmy_persistence", heteroplasmy_persistence);
  share("length_change_rate", length_change_rate);
  if (!(transition_odds > 0) || !std::isfinite(transition_odds)) fail("transition_odds", "must be > 0");
  share("remains_share", remains_share);
  share("unregistered_remains", unregistered_remains);
  share("family_sampled", family_sampled);
  non_negative("extra_samples", extra_samples);
  share("nonmaternal_sampled", nonmaternal_sampled);
  share("unsampled_listed", unsampled_listed);
  share("women_share", women_share);
  share("missing_stretches", missing_stretches);
  share("artefacts", artefacts);
  share("notation_variety", notation_variety);
  for (const auto& [name, mix] : {std::pair{"remains_coverage", remains_coverage}, std::pair{"relative_coverage", relative_coverage}}) {
    for (double w : {mix.hvs1, mix.hvs1_hvs2, mix.control_region, mix.mitogenome}) {
      if (!(w >= 0) || !std::isfinite(w)) fail(name, "shares must be >= 0");
    }
    if (mix.hvs1 + mix.hvs1_hvs2 + mix.control_region + mix.mitogenome <= 0) fail(name, "all shares are 0");
  }
  if (provinces < 1 || provinces > 999) fail("provinces", "must be 1-999");
  if (shuffle_window < 1) fail("shuffle_window", "must be >= 1");
}

namespace {

using namespace detail::sim;

// Alive today, by relationship, for martyrs who died 1946-1989 [assumption]: parents and
// grandparents are almost all dead, siblings about half, the next generation mostly alive.
double alive_share(relationship r) {
  switch (r) {
    case relationship::mother: return 0.02;
    case relationship::maternal_grandmother: return 0.0;
    case relationship::sibling: return 0.55;
    case relationship::mother_sibling: return 0.08;
    case relationship::mother_sister_child: return 0.6;
    case relationship::sister_child: return 0.9;
    case relationship::child_of_woman_martyr: return 0.9;
    case relationship::father: return 0.01;
    case relationship::father_sibling: return 0.05;
    case relationship::brother_child: return 0.9;
    case relationship::mother_brother_child: return 0.6;
    case relationship::child_of_man_martyr: return 0.9;
  }
  return 0;
}

// Sampling priority of the Ministry of Home Affairs guidance (DOMAIN.md §8): mother, maternal
// grandmother, same-mother siblings, the mother's same-mother siblings, then more distant maternal kin.
int priority(relationship r) {
  switch (r) {
    case relationship::mother: return 0;
    case relationship::maternal_grandmother: return 1;
    case relationship::sibling: return 2;
    case relationship::child_of_woman_martyr: return 2;
    case relationship::mother_sibling: return 3;
    default: return 4;
  }
}

// Family sizes (Poisson means) [assumption: large rural families of the 1930s-1960s].
constexpr double mean_siblings = 3.0;
constexpr double mean_mother_siblings = 3.0;
constexpr double mean_children = 2.5;      // per sibling / per mother's sibling
constexpr double mean_martyr_children = 0.8;
constexpr double mean_father_siblings = 3.0;
// Hidden kinship: the unrecorded common matrilineal ancestor is 4-12 transmissions back, chosen
// among up to this many earlier founders per province.
constexpr std::size_t reservoir_size = 64;

struct person {
  relationship relation = relationship::mother;
  bool martyr = false;
  char sex = 'F';
  int birth_year = 0;
  bool alive = false;
  std::string household;
  genome g;
  bool has_genome = false;  // maternal line
  int listed_index = -1;
};

std::string numbered(char prefix, std::int64_t n, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%c%0*lld", prefix, width, static_cast<long long>(n));
  return buffer;
}

std::string province_name(int p) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "P%02d", p + 1);
  return buffer;
}

}  // namespace

// --- the simulator -------------------------------------------------------------------------------------

struct reservoir_entry {
  std::vector<variant> variants;
  node_id node = no_node;
  std::size_t row = 0;
  std::string family_id;
};

struct simulator::impl {
  simulate_options options;
  population_table table;
  const phylotree& tree;
  population_model model;
  std::int64_t next = 0;
  std::vector<double> home_cumulative;
  std::vector<double> battle_cumulative;
  std::vector<std::vector<reservoir_entry>> reservoirs;

  impl(simulate_options o, const phylotree& t)
      : options(std::move(o)),
        table(options.population ? *options.population : population_table::vietnam()),
        tree(t),
        model(options, table, tree) {
    // Home provinces: uneven sizes (a Zipf-like spread) [assumption]. Remains lie mostly in a few
    // former battlefield provinces (the first tenth of the list, after a fixed shuffle) [assumption].
    std::vector<double> home;
    std::vector<double> battle;
    for (int p = 0; p < options.provinces; ++p) {
      home.push_back(1.0 / std::pow(p + 4.0, 0.8));
      battle.push_back(p % 10 == 3 ? 12.0 : 1.0);
    }
    home_cumulative = cumulative(home);
    battle_cumulative = cumulative(battle);
    reservoirs.resize(static_cast<std::size_t>(options.provinces));
  }

  simulated_family next_family();
};

namespace {

// Everything one family's mutation process needs to keep events apart and indels in place.
struct family_model {
  const population_model& model;
  std::vector<variant> founder;
  std::vector<site_key> touched;  // sorted
  bool tract_usable[3] = {false, false, false};  // 309, 573, 16193
  rng& r;

  family_model(const population_model& m, std::vector<variant> f, rng& g) : model(m), founder(std::move(f)), r(g) {
    for (const auto& v : founder) {
      if (v.is_heteroplasmy()) touch(site_key{v.position, false});
    }
    // A tract's length may change only where nothing else in its stretch could move the insertion.
    auto clean = [&](std::int32_t first, std::int32_t last, std::int32_t anchor, bool allow_16189) {
      for (const auto& v : founder) {
        if (v.last() < first || v.position > last) continue;
        if (v.kind == variant_kind::insertion && (v.position == anchor || v.position == 315)) continue;
        if (allow_16189 && v.position == 16189 && v.bases == "C") continue;
        return false;
      }
      return true;
    };
    tract_usable[0] = clean(301, 317, 309, false);
    tract_usable[1] = clean(566, 575, 573, false);
    tract_usable[2] = clean(16180, 16195, 16193, true) && founder_state(founder, site_key{16189, false}).base == 'C';
    // 16189 fuses the two halves of the HVS-I C-tract: changing it where that tract changes length
    // is, sequence-wise, one inserted or deleted base rather than a substitution plus a length change.
    if (tract_usable[2]) touch(site_key{16189, false});
  }

  void touch(site_key k) {
    auto it = std::lower_bound(touched.begin(), touched.end(), k);
    if (it == touched.end() || *it != k) touched.insert(it, k);
  }
  bool site_ok(std::int32_t p) const {
    if (std::binary_search(touched.begin(), touched.end(), site_key{p, false})) return false;
    for (const auto& v : founder) {
      if (v.kind != variant_kind::substitution && p >= v.position - 12 && p <= v.last() + 13) return false;
    }
    return !deleted(founder, p);
  }

  // One mother → child transmission.
  genome transmit(const genome& parent) {
    const auto& o = model.options();
    genome child = parent;
    // Inherited heteroplasmies pass the bottleneck: they persist or fix on either allele.
    std::vector<site_state> php;
    for (const auto& v : founder) {
      if (v.is_heteroplasmy()) php.push_back(state_of(founder, child, site_key{v.position, false}));
    }
    for (const auto& s : child.overrides) {
      if (!s.key.tract && iupac::is_ambiguous(s.base)) php.push_back(s);
    }
    std::sort(php.begin(), php.end(), [](const site_state& a, const site_state& b) { return a.key < b.key; });
    php.erase(std::unique(php.begin(), php.end()), php.end());
    for (const auto& s : php) {
      if (!iupac::is_ambiguous(s.base) || r.chance(o.heteroplasmy_persistence)) continue;
      std::string both;
      for (char c : std::string_view("ACGT")) {
        if (iupac::bases_of(s.base) & iupac::bases_of(c)) both += c;
      }
      site_state fixed = s;
      fixed.base = both[r.below(both.size())];
      set_state(child, fixed);
    }
    // New point mutations at site-specific rates; each family site mutates at most once.
    const int count = r.poisson(o.mutation_rate);
    for (int i = 0; i < count; ++i) {
      std::int32_t p = 0;
      for (int attempt = 0; attempt < 100 && p == 0; ++attempt) {
        const std::int32_t candidate = model.draw_site(r);
        if (site_ok(candidate)) p = candidate;
      }
      if (p == 0) continue;
      const site_key key{p, false};
      const char base = state_of(founder, child, key).base;
      const char other = mutate_base(base, o.transition_odds, r);
      site_state s{key, r.chance(o.new_heteroplasmy_share) ? iupac_of(base, other) : other, 0};
      set_state(child, s);
      touch(key);
    }
    // C-tract length change.
    if (r.chance(o.length_change_rate)) {
      const double w[3] = {tract_usable[0] ? 0.7 : 0.0, tract_usable[1] ? 0.1 : 0.0, tract_usable[2] ? 0.2 : 0.0};
      if (w[0] + w[1] + w[2] > 0) {
        const std::vector<double> cum = cumulative(w);
        constexpr std::int32_t anchors[3] = {309, 573, 16193};
        const site_key key{anchors[r.pick(cum)], true};
        const int now = state_of(founder, child, key).count;
        const int next = now == 0 ? 1 : (now >= 4 || r.chance(0.5) ? now - 1 : now + 1);
        set_state(child, site_state{key, 0, next});
      }
    }
    return child;
  }
};

}  // namespace

simulated_family simulator::impl::next_family() {
  const std::int64_t index = next++;
  // Two streams per family: `reg` for the registry (who exists, is alive, gave samples, where remains
  // lie) and `gen` for the genomes. The registry then does not depend on how the tree or the
  // canonical form writes a haplotype; each sample gets its own stream seeded from `reg`.
  rng reg(options.seed, static_cast<std::uint64_t>(index) * 4 + 1);
  rng gen(options.seed, static_cast<std::uint64_t>(index) * 4 + 3);
  simulated_family fam;
  fam.index = index;
  fam.martyr_id = numbered('M', index + 1, 7);
  fam.family_id = numbered('F', index + 1, 7);
  const int province = static_cast<int>(reg.pick(home_cumulative));
  fam.home_province = province_name(province);

  // The founder: the martyr's maternal grandmother.
  std::vector<variant> founder;
  node_id node = no_node;
  auto& pool = reservoirs[static_cast<std::size_t>(province)];
  if (!pool.empty() && reg.chance(options.hidden_kinship)) {
    const reservoir_entry& kin = pool[reg.below(pool.size())];
    founder = model.descend(kin.variants, reg.between(4, 12), gen);
    node = kin.node;
    fam.population_row = table.rows[kin.row].haplogroup;
    fam.hidden_kin_of = kin.family_id;
  } else {
    simulated_founder f = model.draw(gen);
    founder = std::move(f.variants);
    node = f.haplogroup;
    fam.population_row = table.rows[f.row].haplogroup;
    reservoir_entry e{founder, node, f.row, fam.family_id};
    if (pool.size() < reservoir_size) {
      pool.push_back(std::move(e));
    } else {
      pool[reg.below(reservoir_size)] = std::move(e);
    }
  }
  fam.haplogroup = tree.name(node);

  family_model fm(model, std::move(founder), gen);
  std::vector<person> people;
  auto add = [&](relationship rel, char sex, int birth, const std::string& household, const genome* g) {
    person p;
    p.relation = rel;
    p.sex = sex;
    p.birth_year = birth;
    p.alive = reg.chance(alive_share(rel));
    p.household = fam.family_id + "-" + household;
    if (g != nullptr) {
      p.g = *g;
      p.has_genome = true;
    }
    people.push_back(std::move(p));
    return people.size() - 1;
  };
  auto sex = [&] { return reg.chance(0.5) ? 'F' : 'M'; };

  // Years: most martyrs died 1965-1975, aged 18-35 [assumption].
  const double era = reg.uniform();
  fam.death_year = era < 0.15 ? reg.between(1946, 1954) : era < 0.25 ? reg.between(1955, 1964)
                 : era < 0.95 ? reg.between(1965, 1975) : reg.between(1976, 1989);
  fam.birth_year = fam.death_year - reg.between(18, 35);
  fam.sex = reg.chance(options.women_share) ? 'F' : 'M';
  const int mother_birth = fam.birth_year - reg.between(18, 40);
  const int grandmother_birth = mother_birth - reg.between(18, 40);

  const genome gm{};
  add(relationship::maternal_grandmother, 'F', grandmother_birth, "G", &gm);
  const genome mother = fm.transmit(gm);
  add(relationship::mother, 'F', mother_birth, "H", &mother);
  const genome martyr = fm.transmit(mother);
  add(relationship::father, 'M', mother_birth - reg.between(-2, 10), "H", nullptr);

  const int aunts = reg.poisson(mean_mother_siblings);
  for (int i = 0; i < aunts; ++i) {
    const char s = sex();
    const genome g = fm.transmit(gm);
    const int birth = mother_birth + reg.between(-12, 12);
    const std::string household = "A" + std::to_string(i + 1);
    add(relationship::mother_sibling, s, birth, household, &g);
    const int kids = reg.poisson(mean_children);
    for (int k = 0; k < kids; ++k) {
      if (s == 'F') {
        const genome c = fm.transmit(g);
        add(relationship::mother_sister_child, sex(), birth + reg.between(18, 40), household, &c);
      } else {
        add(relationship::mother_brother_child, sex(), birth + reg.between(18, 40), household, nullptr);
      }
    }
  }
  const int siblings = reg.poisson(mean_siblings);
  for (int i = 0; i < siblings; ++i) {
    const char s = sex();
    const genome g = fm.transmit(mother);
    const int birth = fam.birth_year + reg.between(-12, 12);
    const std::string household = "S" + std::to_string(i + 1);
    add(relationship::sibling, s, birth, household, &g);
    const int kids = reg.poisson(mean_children);
    for (int k = 0; k < kids; ++k) {
      if (s == 'F') {
        const genome c = fm.transmit(g);
        add(relationship::sister_child, sex(), birth + reg.between(18, 40), household, &c);
      } else {
        add(relationship::brother_child, sex(), birth + reg.between(18, 40), household, nullptr);
      }
    }
  }
  const int children = reg.poisson(mean_martyr_children);
  for (int k = 0; k < children; ++k) {
    const int birth = std::min(fam.death_year, fam.birth_year + reg.between(18, 30));
    if (fam.sex == 'F') {
      const genome c = fm.transmit(martyr);
      add(relationship::child_of_woman_martyr, sex(), birth, "C", &c);
    } else {
      add(relationship::child_of_man_martyr, sex(), birth, "C", nullptr);
    }
  }
  const int father_siblings = reg.poisson(mean_father_siblings);
  for (int i = 0; i < father_siblings; ++i) {
    add(relationship::father_sibling, sex(), mother_birth + reg.between(-14, 8), "P" + std::to_string(i + 1), nullptr);
  }

  // Who gave samples: maternal relatives by priority; sometimes a non-maternal one by mistake.
  std::vector<std::size_t> sampled;
  if (reg.chance(options.family_sampled)) {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < people.size(); ++i) {
      if (people[i].alive && is_maternal(people[i].relation)) candidates.push_back(i);
    }
    for (std::size_t i = candidates.size(); i > 1; --i) std::swap(candidates[i - 1], candidates[reg.below(i)]);
    std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
      return priority(people[a].relation) < priority(people[b].relation);
    });
    const std::size_t wanted = 1 + static_cast<std::size_t>(reg.poisson(options.extra_samples));
    candidates.resize(std::min(wanted, candidates.size()));
    sampled = candidates;
  }
  if (reg.chance(options.nonmaternal_sampled)) {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < people.size(); ++i) {
      if (people[i].alive && !is_maternal(people[i].relation)) candidates.push_back(i);
    }
    if (!candidates.empty()) sampled.push_back(candidates[reg.below(candidates.size())]);
  }
  std::sort(sampled.begin(), sampled.end());

  // The martyr's true genome and the family's touched sites (artefacts keep clear of them).
  const std::vector<variant> martyr_variants = materialize(fm.founder, martyr);
  fam.genome.id = fam.martyr_id;
  fam.genome.coverage = range::whole();
  fam.genome.variants = canonicalize(range::whole(), martyr_variants);
  fam.genome.declared_haplogroup = fam.haplogroup;
  std::vector<site_key> touched = fm.touched;
  for (const auto& p : people) {
    for (const auto& s : p.g.overrides) touched.push_back(s.key);
  }
  for (const auto& s : martyr.overrides) touched.push_back(s.key);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  const sample_context family_ctx{&model, touched};
  const sample_context unrelated_ctx{&model, {}};

  // Listed relatives: mother and grandmother always, the sampled, some other living ones.
  int number = 0;
  for (std::size_t i = 0; i < people.size(); ++i) {
    person& p = people[i];
    const bool is_sampled = std::binary_search(sampled.begin(), sampled.end(), i);
    const bool listed = is_sampled || p.relation == relationship::mother ||
                        p.relation == relationship::maternal_grandmother ||
                        (p.alive && reg.chance(options.unsampled_listed));
    if (!listed) continue;
    simulated_relative rel;
    rel.id = fam.martyr_id + "-" + numbered('R', ++number, 2);
    rel.relation = p.relation;
    rel.sex = p.sex;
    rel.birth_year = p.birth_year;
    rel.alive = p.alive;
    rel.household_id = p.household;
    rng sample_rng(is_sampled ? reg.next() : 0, 0x5A);
    if (p.has_genome) {
      rel.haplogroup = fam.haplogroup;
      rel.differences = differences(fm.founder, martyr, p.g);
      if (is_sampled) {
        const std::vector<variant> truth = materialize(fm.founder, p.g);
        rel.sample = sample_profile(rel.id, truth, options.relative_coverage, options.missing_stretches / 10,
                                    options.artefacts / 5, family_ctx, sample_rng);
      }
    } else if (is_sampled) {
      // A non-maternal relative carries someone else's lineage: an unrelated founder's.
      simulated_founder other = model.draw(gen);
      rel.haplogroup = tree.name(other.haplogroup);
      rel.sample = sample_profile(rel.id, other.variants, options.relative_coverage,
                                  options.missing_stretches / 10, options.artefacts / 5, unrelated_ctx, sample_rng);
    }
    fam.relatives.push_back(std::move(rel));
  }

  // Remains: the martyr's, if in the set; and now and then someone who is in no registry.
  auto remains_id = [&](std::uint64_t k) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "X%012llx",
                  static_cast<unsigned long long>(permute48(k, options.seed * 0x9E3779B97F4A7C15ULL)));
    return std::string(buffer);
  };
  auto place = [&](simulated_remains& rem) {
    rem.province = reg.chance(0.3) ? fam.home_province : province_name(static_cast<int>(reg.pick(battle_cumulative)));
    rem.recovered_year = reg.between(1976, 2024);
  };
  if (reg.chance(options.remains_share)) {
    simulated_remains rem;
    rem.id = remains_id(static_cast<std::uint64_t>(index) * 2);
    rem.martyr_id = fam.martyr_id;
    rem.haplogroup = fam.haplogroup;
    place(rem);
    rng sample_rng(reg.next(), 0x5A);
    rem.sample = sample_profile(rem.id, martyr_variants, options.remains_coverage, options.missing_stretches,
                                options.artefacts, family_ctx, sample_rng);
    fam.remains.push_back(std::move(rem));
  }
  if (reg.chance(options.unregistered_remains)) {
    simulated_remains rem;
    rem.id = remains_id(static_cast<std::uint64_t>(index) * 2 + 1);
    simulated_founder other = model.draw(gen);
    rem.haplogroup = tree.name(other.haplogroup);
    place(rem);
    rng sample_rng(reg.next(), 0x5A);
    rem.sample = sample_profile(rem.id, other.variants, options.remains_coverage, options.missing_stretches,
                                options.artefacts, unrelated_ctx, sample_rng);
    fam.remains.push_back(std::move(rem));
  }
  return fam;
}

simulator::simulator(simulate_options options, const phylotree& tree) {
  options.validate();
  impl_ = std::make_unique<impl>(std::move(options), tree);
}
simulator::~simulator() = default;
simulator::simulator(simulator&&) noexcept = default;
simulator& simulator::operator=(simulator&&) noexcept = default;

bool simulator::has_next() const noexcept { return impl_->next < impl_->options.martyrs; }

simulated_family simulator::next_family() {
  if (!has_next()) throw error("simulator: all " + std::to_string(impl_->options.martyrs) + " martyrs generated");
  return impl_->next_family();
}

std::vector<simulated_founder> simulator::founders(std::size_t n, std::uint64_t stream) const {
  // Even streams: family streams are odd, so these never coincide with a family's draws.
  rng r(impl_->options.seed, stream * 2 + 2);
  std::vector<simulated_founder> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    simulated_founder f = impl_->model.draw(r);
    f.variants = canonicalize(range::whole(), f.variants);
    out.push_back(std::move(f));
  }
  return out;
}

double simulator::site_rate(std::int32_t position) const { return impl_->model.site_rate(position); }
const simulate_options& simulator::options() const noexcept { return impl_->options; }
const population_table& simulator::population() const noexcept { return impl_->table; }

}  // namespace mtmatch
