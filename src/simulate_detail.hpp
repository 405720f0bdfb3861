#pragma once
// Internals shared by the simulator's translation units (population, pedigree, sampling, writers).
// Nothing here is part of the public API.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mtmatch/simulate.hpp"

namespace mtmatch::detail::sim {

// --- randomness --------------------------------------------------------------------------------------
// Own generator and distributions (not <random>'s): std::poisson_distribution & co. differ between
// standard libraries, and the same seed must give byte-identical files everywhere.

/// splitmix64 step: seeds streams and mixes keys.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// xoshiro256** seeded from (seed, stream): independent streams per family keep families stable
/// when options that affect other families change.
class rng {
 public:
  rng(std::uint64_t seed, std::uint64_t stream) noexcept {
    std::uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ULL) ^ 0x6A09E667F3BCC909ULL;
    for (auto& word : state_) word = splitmix64(s);
  }
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  /// Uniform in [0, 1).
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n); n > 0. Rejection keeps it exactly uniform.
  std::uint64_t below(std::uint64_t n) noexcept {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % n;
  }
  /// Uniform integer in [lo, hi].
  int between(int lo, int hi) noexcept {
    return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool chance(double p) noexcept { return uniform() < p; }
  /// Poisson by inversion (Knuth); the means used here are small (< 30).
  int poisson(double lambda) noexcept;
  /// Index i with probability weights[i] / sum, from cumulative sums (last = total > 0).
  std::size_t pick(std::span<const double> cumulative) noexcept;

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

/// Cumulative sums of weights, for rng::pick.
[[nodiscard]] std::vector<double> cumulative(std::span<const double> weights);

// --- sites and genomes ---------------------------------------------------------------------------------

/// C-tracts whose length the simulator changes: the insertions sit at these 3' anchors.
inline constexpr std::array<std::int32_t, 4> tract_anchors{309, 315, 573, 16193};

/// True for positions where the simulator never places a point mutation: 3107 and the
/// length-variable stretches (C-tracts, AC repeat, 9-bp repeat, coding C-tracts) except 16189,
/// a fast site whose change does not move any indel.
[[nodiscard]] bool is_unstable_stretch(std::int32_t position) noexcept;

/// A site of a genome: a point position or a C-tract length (insertion count after an anchor).
struct site_key {
  std::int32_t position = 0;
  bool tract = false;
  friend auto operator<=>(const site_key&, const site_key&) = default;
  friend bool operator==(const site_key&, const site_key&) = default;
};

/// The state of a site: a base or IUPAC code (point) or an insertion count (tract).
struct site_state {
  site_key key;
  char base = 0;   // point sites
  int count = 0;   // tract sites
  friend bool operator==(const site_state&, const site_state&) = default;
};

/// A family's genomes: the founder's canonical variants plus, per person, sorted overrides.
struct genome {
  std::vector<site_state> overrides;  // sorted by key
};

/// State of a site in canonical founder variants (no override).
[[nodiscard]] site_state founder_state(std::span<const variant> founder, site_key key);
/// State of a site in a person: the override, else the founder's.
[[nodiscard]] site_state state_of(std::span<const variant> founder, const genome& g, site_key key);
/// Sets (or replaces) an override, keeping the list sorted.
void set_state(genome& g, const site_state& s);
/// The person's full raw variant list (sorted; canonicalize() it for a profile).
[[nodiscard]] std::vector<variant> materialize(std::span<const variant> founder, const genome& g);
/// Site changes between two genomes of one family (a → b), over the union of their overrides.
[[nodiscard]] std::vector<site_change> differences(std::span<const variant> founder, const genome& a,
                                                   const genome& b);
/// The kind compare() gives a point-site change a → b (pattern-matched heteroplasmy).
[[nodiscard]] site_difference::kind point_kind(char a, char b) noexcept;
/// IUPAC code for two distinct bases.
[[nodiscard]] char iupac_of(char a, char b) noexcept;
/// A new base for `from` (transition with probability odds/(odds+1), else one of the transversions).
[[nodiscard]] char mutate_base(char from, double transition_odds, rng& r) noexcept;

/// Variant list with `v` set at a point site: removes the substitution there, adds `base` unless it is
/// the rCRS base. Keeps sorted order.
void set_point(std::vector<variant>& variants, std::int32_t position, char base);
/// Sets the C-insertion count after `anchor` (0 removes it). Keeps sorted order.
void set_tract(std::vector<variant>& variants, std::int32_t anchor, int count);
/// True when a deletion in `variants` covers `position`.
[[nodiscard]] bool deleted(std::span<const variant> variants, std::int32_t position) noexcept;

/// The variants of `all` that are inside `coverage` (substitutions covered, deletions wholly covered,
/// insertions with both neighbours covered).
[[nodiscard]] std::vector<variant> restrict_to(std::span<const variant> all, const range& coverage);

// --- the population model ------------------------------------------------------------------------------

/// Founder drawing and site rates, built once per simulator.
class population_model {
 public:
  population_model(const simulate_options& options, const population_table& table, const phylotree& tree);

  /// A fresh founder: node, private mutations, length states, heteroplasmies. The variants are "raw":
  /// sorted, one substitution per changed site, indels only from the tree and the C-tracts — not
  /// canonicalised (a canonical form may write two neighbouring substitutions as an indel pair,
  /// which the per-site pedigree model cannot read).
  [[nodiscard]] simulated_founder draw(rng& r) const;
  /// Distant matrilineal kin of `source` (generations transmissions of fixed mutations and length
  /// changes); raw like draw().
  [[nodiscard]] std::vector<variant> descend(std::span<const variant> source, int generations, rng& r) const;
  /// A site drawn by rate (never an unstable stretch).
  [[nodiscard]] std::int32_t draw_site(rng& r) const;
  [[nodiscard]] double site_rate(std::int32_t position) const;
  [[nodiscard]] const phylotree& tree() const noexcept { return tree_; }
  [[nodiscard]] const population_table& table() const noexcept { return table_; }
  [[nodiscard]] const simulate_options& options() const noexcept { return options_; }

 private:
  const simulate_options& options_;
  const population_table& table_;
  const phylotree& tree_;
  std::vector<double> row_cumulative_;
  std::vector<std::vector<node_id>> row_nodes_;
  std::vector<std::vector<double>> row_node_cumulative_;
  std::vector<double> site_rate_;        // index = position (0 unused)
  std::vector<double> site_cumulative_;  // over positions 1..16569
  std::vector<std::vector<variant>> expected_;  // per node, any-length insertions made concrete
};

// --- sampling ------------------------------------------------------------------------------------------

/// Everything sample_profile() needs about the family it works in.
struct sample_context {
  const population_model* model = nullptr;
  std::span<const site_key> touched;  // sites with family events: artefacts avoid them (sorted)
};

/// A lab's report of `truth` (a whole genome, raw variants): coverage class drawn from `mix`, missing
/// stretches and artefacts at the given rates, written in varied notation.
[[nodiscard]] simulated_sample sample_profile(const std::string& id, std::span<const variant> truth,
                                              const coverage_mix& mix, double missing_rate,
                                              double artefact_rate, const sample_context& context, rng& r);

/// A 48-bit bijection of an index under a key: opaque but unique remains IDs.
[[nodiscard]] std::uint64_t permute48(std::uint64_t index, std::uint64_t key) noexcept;

}  // namespace mtmatch::detail::sim
