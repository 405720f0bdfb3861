#pragma once
/// @file simulate.hpp
/// Realistic simulated populations: martyrs, their maternal families, degraded remains and sampled
/// relatives, written as `.hsd` profiles plus registry CSVs, with the ground truth kept apart.
///
/// The model (see data/example/README.md for the file layout):
/// - Founders (each family's maternal grandmother) come from a population_table of PhyloTree 17
///   haplogroups: the haplogroup's expected profile, C-tract length states (309.1C, 16193.1C …),
///   315.1C, private mutations at site-specific rates (rate ∝ the site's PhyloTree occurrence count,
///   1 for sites absent from the tree, so 152, 16311, 146, 195, 16189, 16519 … dominate) and point
///   heteroplasmies. Common haplotypes are therefore shared by many unrelated families. A share of
///   founders are unrecorded distant matrilineal kin of an earlier founder of the same province.
/// - Families: mother, maternal grandmother, same-mother siblings, the mother's siblings, children of
///   the mother's sisters and of the martyr's sisters (k = 1 … 4 transmissions, DOMAIN.md §4.4),
///   each alive or not; every transmission can mutate (fixed substitutions, new heteroplasmies,
///   heteroplasmy shifts, C-tract length changes); plus non-maternal relatives that must never be used.
/// - Samples: remains at HVS-I / HVS-I+II / control-region / mitogenome coverage with missing
///   stretches and occasional artefacts; relatives mostly control region or mitogenome; all written
///   in varied but equivalent notations.
///
/// Everything is seeded: the same options give byte-identical files (with the same standard library:
/// rewrite.hpp's spellings use its distributions). Each family draws its registry (who exists, is
/// alive, gave samples) and its genomes from separate streams, and the notation from a third, so the
/// notation never changes what is simulated. Generation streams family by family; memory does not
/// grow with the number of martyrs.
///
/// Example:
/// @code
///   mtmatch::simulate_options o;
///   o.seed = 7;
///   o.martyrs = 300;
///   mtmatch::simulation_summary s = mtmatch::simulate_to_directory(o, "example");
///   // example/remains.hsd, relatives.hsd, martyrs.csv, remains.csv, relatives.csv, truth/…
/// @endcode

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtmatch/compare.hpp"
#include "mtmatch/phylotree.hpp"
#include "mtmatch/profile.hpp"
#include "mtmatch/range.hpp"

namespace mtmatch {

// --- population table ----------------------------------------------------------------------------

/// One row of a population table: a share of founders drawn from one PhyloTree clade or node.
struct population_row {
  std::string haplogroup;   ///< PhyloTree 17 node name, e.g. "M7b1a1"
  double percent = 0;       ///< share of founders, in percent
  bool whole_clade = true;  ///< true: any node of the clade not claimed by another row; false: this node only
  std::string group;        ///< class the row belongs to (e.g. "F1", "other M"), for reports
  std::string published;    ///< published figure and source, or "-" (documentation only)
  std::size_t line = 0;     ///< line of the table text it was read from (0: built in code), for messages
  friend bool operator==(const population_row&, const population_row&) = default;
};

/// Founder haplogroup frequencies. Text form: tab-separated `haplogroup percent draw class published`
/// (draw = `subtree` or `node`), `#` comments, one header line starting with `haplogroup`.
struct population_table {
  std::string name;
  std::vector<population_row> rows;

  /// Parses the text form. Throws mtmatch::error naming file, line, column and token for a bad row, a
  /// negative share or a table whose shares do not sum to 100 ± 0.01.
  [[nodiscard]] static population_table parse(std::string_view text, std::string_view file_name = "");
  /// Reads and parses a file.
  [[nodiscard]] static population_table load(const std::string& path);
  /// The bundled composite table for Vietnam / mainland Southeast Asia (data/populations/vietnam.tsv,
  /// embedded; a composite assumption, not a published table — see that file).
  [[nodiscard]] static const population_table& vietnam();
  /// The embedded text of vietnam() (identical to data/populations/vietnam.tsv).
  [[nodiscard]] static std::string_view vietnam_text() noexcept;

  friend bool operator==(const population_table&, const population_table&) = default;
};

// --- coverage --------------------------------------------------------------------------------------

/// What part of the molecule a lab sequenced.
enum class coverage_class : std::uint8_t {
  hvs1 = 0,            ///< 16024-16365
  hvs1_hvs2 = 1,       ///< 16024-16365 and 73-340
  control_region = 2,  ///< 16024-576
  mitogenome = 3,      ///< 1-16569
};
/// "HVS-I", "HVS-I+II", "CR", "mitogenome".
[[nodiscard]] const char* to_string(coverage_class c) noexcept;
/// The range a coverage class covers (before missing stretches).
[[nodiscard]] range coverage_range(coverage_class c);

/// Shares of the four coverage classes (need not sum to 1; they are normalised).
struct coverage_mix {
  double hvs1 = 0;
  double hvs1_hvs2 = 0;
  double control_region = 0;
  double mitogenome = 0;
};

// --- relationships ---------------------------------------------------------------------------------

/// How a registered relative is related to the martyr.
enum class relationship : std::uint8_t {
  // maternal (share the martyr's mtDNA up to mutation)
  mother = 0,                 ///< k = 1
  maternal_grandmother = 1,   ///< k = 2
  sibling = 2,                ///< same mother, k = 2
  mother_sibling = 3,         ///< the mother's same-mother sibling, k = 3
  mother_sister_child = 4,    ///< child of the mother's sister, k = 4
  sister_child = 5,           ///< child of the martyr's sister, k = 3
  child_of_woman_martyr = 6,  ///< the martyr was a woman: her child, k = 1
  // non-maternal (different mtDNA: never to be used)
  father = 7,
  father_sibling = 8,
  brother_child = 9,            ///< child of the martyr's brother
  mother_brother_child = 10,    ///< child of the mother's brother
  child_of_man_martyr = 11,     ///< the martyr was a man: his child carries its mother's mtDNA
};
/// Snake-case name as written in relatives.csv, e.g. "mother_sister_child".
[[nodiscard]] const char* to_string(relationship r) noexcept;
/// Maternal transmissions between the martyr and the relative (DOMAIN.md §4.4), -1 if not maternal.
[[nodiscard]] int transmissions(relationship r) noexcept;
/// True when the relative carries the martyr's maternal lineage.
[[nodiscard]] inline bool is_maternal(relationship r) noexcept { return transmissions(r) > 0; }

// --- ground truth ----------------------------------------------------------------------------------

/// One site where two genomes of the simulation differ (a relative vs the martyr, or an observed
/// sample vs the true genome), with what the reference compare() is expected to make of it.
///
/// Text form: `16311:T>C=d` — position, state in the first genome, state in the second, and the
/// expected kind: `d` counted difference, `h` heteroplasmy-compatible, `l` length variant. States of a
/// point site are a base or an IUPAC code (`16093:C>Y=h`); C-tract length sites are written
/// `309.ins:1>2=l` with the number of bases inserted after the anchor.
struct site_change {
  std::int32_t position = 0;
  bool insertion_count = false;  ///< true: a C-tract length site; states are insertion counts
  std::string from;              ///< state in the first genome (base, IUPAC code, or count)
  std::string to;                ///< state in the second genome
  site_difference::kind expected = site_difference::kind::difference;

  [[nodiscard]] std::string to_string() const;
  /// Parses the text form; throws mtmatch::error naming the token.
  [[nodiscard]] static site_change parse(std::string_view token, const source_location& where = {});
  /// True when compare() can see the site in a profile covering `coverage` (point: the position is
  /// covered; length site: an insertion after the anchor is inside the range).
  [[nodiscard]] bool visible_in(const range& coverage) const noexcept;
  friend bool operator==(const site_change&, const site_change&) = default;
};

/// Parses a space-separated list of site_change tokens ("" gives an empty list).
[[nodiscard]] std::vector<site_change> parse_site_changes(std::string_view text, const source_location& where = {});
/// Space-separated text of a list of site changes.
[[nodiscard]] std::string to_string(std::span<const site_change> changes);

// --- options ---------------------------------------------------------------------------------------

/// Everything the simulator can be told. The defaults describe the Vietnamese programme; sources are
/// in DOMAIN.md §4.3-§4.5 and §6, assumptions are marked as such.
struct simulate_options {
  std::uint64_t seed = 1;
  /// Martyrs in the registry; each has one maternal family.
  std::int64_t martyrs = 1000;
  /// Founder haplogroup frequencies (default: population_table::vietnam()).
  std::optional<population_table> population;

  // founders
  /// Mean number of private mutations of a founder relative to its PhyloTree node (Poisson), over
  /// the whole molecule; sites drawn with the site rates below. Tuned [assumption] so that random sets
  /// of 173 martyrs of a province show about the published Vietnamese HVS-I/II figures (Nguyen et al.
  /// 2022, n = 173: 145 haplotypes, random-match probability 0.96 %); the tuned model gives 141-145
  /// haplotypes and 0.92-1.02 %.
  double private_mutations = 1.75;
  /// Multiplier on the rate of control-region sites (16024-576), for private and pedigree mutations
  /// alike: pedigree studies see most new mutations in the control region [assumption].
  double control_region_boost = 4.0;
  /// Share of founders with point heteroplasmies (minor allele ≥ ~10 %, as Sanger/MPS casework
  /// reports them): 37.7 % of individuals carry one at ≥ 2 %, 75 % of those below 10 % (IJLM 2022).
  double founder_heteroplasmy = 0.10;
  /// Share of founders that are unrecorded matrilineal kin (4-12 transmissions) of an earlier founder
  /// of the same province (Andersen & Balding 2018: large unrecognised matrilineal clusters).
  double hidden_kinship = 0.10;

  // transmissions
  /// Expected new point mutations per mother→child transmission over the whole molecule, including
  /// new heteroplasmies (Connell 2022: 0.026; Árnadóttir 2024: 0.070).
  double mutation_rate = 0.026;
  /// Share of new point mutations that show as a heteroplasmy in the child (Connell 2022: 7 of 9).
  double new_heteroplasmy_share = 0.6;
  /// Probability that an inherited heteroplasmy stays heteroplasmic in the child; otherwise it fixes
  /// on either allele (bottleneck of a few units, Árnadóttir 2024) [assumption].
  double heteroplasmy_persistence = 0.6;
  /// Probability per transmission that a C-tract (309, 16193 when 16189C fuses it, 573) changes
  /// length by one base (Forster 2010: up to 6 % per generation).
  double length_change_rate = 0.03;
  /// Transition : transversion odds for new substitutions (15:1) [assumption].
  double transition_odds = 15.0;

  // registry and sampling
  /// Share of martyrs whose remains are in the set.
  double remains_share = 0.6;
  /// Extra remains of people not in the registry, per martyr (their truth martyr is empty).
  double unregistered_remains = 0.02;
  /// Share of families that gave at least one sample.
  double family_sampled = 0.7;
  /// Mean number of extra samples (Poisson) beyond the first, taken by priority (mother, maternal
  /// grandmother, siblings, the mother's siblings, then more distant maternal kin).
  double extra_samples = 0.8;
  /// Share of families where a non-maternal relative was (wrongly) sampled too.
  double nonmaternal_sampled = 0.05;
  /// Share of alive, unsampled relatives that are listed in relatives.csv anyway (mother and
  /// maternal grandmother are always listed).
  double unsampled_listed = 0.25;
  /// Share of martyrs who were women (their children are maternal relatives).
  double women_share = 0.03;
  /// What labs obtained from remains: HVS-I only, HVS-I+II, control region, mitogenome [assumption].
  coverage_mix remains_coverage{0.20, 0.35, 0.30, 0.15};
  /// What labs obtained from relatives: mostly control region or mitogenome [assumption].
  coverage_mix relative_coverage{0.0, 0.05, 0.55, 0.40};
  /// Share of remains with one or two stretches written as N; relatives get a tenth of it.
  double missing_stretches = 0.15;
  /// Share of remains samples with one sequencing artefact (damage C→T/G→A, a missed variant, a
  /// spurious heteroplasmy); relatives get a fifth of it.
  double artefacts = 0.03;
  /// Share of profiles written in a non-canonical but equivalent notation.
  double notation_variety = 0.5;
  /// Number of home provinces (P01 …); martyrs are spread over them unevenly.
  int provinces = 63;
  /// Remains are written in a shuffled order within windows of this many records, so that file order
  /// does not give away the martyr (memory stays bounded).
  int shuffle_window = 4096;

  /// Throws mtmatch::error naming the first bad option.
  void validate() const;
};

// --- one family in memory --------------------------------------------------------------------------

/// A profile as a lab reported it.
struct simulated_sample {
  std::string id;                 ///< the `.hsd` ID (sample id)
  coverage_class coverage = coverage_class::mitogenome;
  profile observed;               ///< canonical profile as reported (range minus N stretches, artefacts in)
  std::string hsd_line;           ///< the line written to the .hsd file (varied notation), no newline
  std::vector<site_change> artefacts;  ///< observed vs true genome (true state → observed)
};

/// A relative in the registry.
struct simulated_relative {
  std::string id;
  relationship relation = relationship::mother;
  char sex = 'F';
  int birth_year = 0;
  bool alive = false;
  std::string household_id;
  std::optional<simulated_sample> sample;
  /// Maternal relatives: martyr's state → relative's state at every site where their true genomes
  /// differ (whole molecule; compare() sees those visible in the sample's range).
  std::vector<site_change> differences;
  /// Haplogroup node of the relative's lineage (the martyr's for maternal relatives).
  std::string haplogroup;
};

/// Remains in the set.
struct simulated_remains {
  std::string id;
  std::string province;   ///< where they were recovered (cemetery province)
  int recovered_year = 0;
  std::string martyr_id;  ///< ground truth; "" for a person not in the registry
  std::string haplogroup; ///< ground truth: founder node
  simulated_sample sample;
};

/// A martyr, the true genome and everything generated with it.
struct simulated_family {
  std::int64_t index = 0;
  std::string martyr_id;
  std::string family_id;
  char sex = 'M';
  int birth_year = 0;
  int death_year = 0;
  std::string home_province;
  std::string haplogroup;        ///< founder's PhyloTree node
  std::string population_row;    ///< the population_table row it was drawn from
  std::string hidden_kin_of;     ///< family_id whose founder this one descends from, or ""
  profile genome;                ///< the martyr's true whole mitogenome (canonical)
  std::vector<simulated_relative> relatives;  ///< registered relatives (listed in relatives.csv)
  /// The martyr's remains if in the set, then remains of unregistered people generated alongside.
  std::vector<simulated_remains> remains;
};

/// A founder drawn from the population, for statistics.
struct simulated_founder {
  std::size_t row = 0;         ///< index into population_table::rows
  node_id haplogroup = no_node;
  std::vector<variant> variants;  ///< canonical, whole molecule
};

/// Generates families one by one (sequential: hidden kinship links later founders to earlier ones).
class simulator {
 public:
  /// Validates the options and prepares the samplers. `tree` must outlive the simulator; every
  /// population row must name a node of it. Throws mtmatch::error otherwise.
  explicit simulator(simulate_options options, const phylotree& tree = phylotree17());
  ~simulator();
  simulator(const simulator&) = delete;
  simulator& operator=(const simulator&) = delete;
  simulator(simulator&&) noexcept;
  simulator& operator=(simulator&&) noexcept;

  /// The next family (martyr index 0, 1, … up to options.martyrs - 1). Throws when exhausted.
  [[nodiscard]] simulated_family next_family();
  /// True while families remain.
  [[nodiscard]] bool has_next() const noexcept;
  /// `n` fresh founders from stream `stream` (independent of next_family()): haplogroup + private
  /// mutations + length states + heteroplasmies, no hidden kinship.
  [[nodiscard]] std::vector<simulated_founder> founders(std::size_t n, std::uint64_t stream = 0) const;
  /// Per-transmission relative rate of a site (before normalisation), 0 for sites never mutated by
  /// the simulator (3107, length-variable stretches). Exposed for tests.
  [[nodiscard]] double site_rate(std::int32_t position) const;
  [[nodiscard]] const simulate_options& options() const noexcept;
  [[nodiscard]] const population_table& population() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// --- streaming to files ------------------------------------------------------------------------------

/// Counts of what was written.
struct simulation_summary {
  std::int64_t martyrs = 0;
  std::int64_t remains = 0;                ///< remains profiles (incl. unregistered people)
  std::int64_t remains_unregistered = 0;   ///< remains of people not in the registry
  std::int64_t remains_without_family = 0; ///< remains of martyrs with no sampled maternal relative
  std::int64_t families_sampled = 0;       ///< martyrs with ≥1 sampled maternal relative
  std::int64_t families_sampled_no_remains = 0;
  std::int64_t relatives_listed = 0;       ///< rows of relatives.csv
  std::int64_t relative_profiles = 0;      ///< profiles in relatives.hsd (maternal + non-maternal)
  std::int64_t nonmaternal_profiles = 0;
};

/// Where the simulator writes. Any stream may be null (skipped).
struct simulation_streams {
  std::ostream* remains_hsd = nullptr;
  std::ostream* relatives_hsd = nullptr;
  std::ostream* martyrs_csv = nullptr;
  std::ostream* remains_csv = nullptr;
  std::ostream* relatives_csv = nullptr;
  std::ostream* truth_remains_csv = nullptr;    ///< remains → martyr, artefacts
  std::ostream* truth_relatives_csv = nullptr;  ///< relative → differences vs the martyr, artefacts
  std::ostream* truth_martyrs_hsd = nullptr;    ///< each martyr's true whole mitogenome
  std::ostream* truth_families_csv = nullptr;   ///< founder haplogroup, row, hidden kinship
};

/// Runs the simulator over all martyrs, writing as it goes. `on_family` (optional) sees every family
/// after it is written (e.g. to collect one province). Throws mtmatch::error on bad options.
simulation_summary simulate(const simulate_options& options, const simulation_streams& out,
                            const std::function<void(const simulated_family&)>& on_family = {});

/// The same into a directory: remains.hsd, relatives.hsd, martyrs.csv, remains.csv, relatives.csv and
/// truth/{remains.csv, relatives.csv, martyrs.hsd, families.csv}. Creates the directories; throws
/// mtmatch::error naming the path when a file cannot be written.
simulation_summary simulate_to_directory(const simulate_options& options, const std::string& directory,
                                         const std::function<void(const simulated_family&)>& on_family = {});

// --- haplotype sharing -------------------------------------------------------------------------------

/// How much a set of profiles shares haplotypes over a range.
struct haplotype_sharing {
  std::size_t profiles = 0;
  std::size_t haplotypes = 0;        ///< distinct haplotypes
  std::size_t unique_profiles = 0;   ///< profiles whose haplotype no other profile has
  double unique_share = 0;           ///< unique_profiles / profiles
  std::size_t largest_group = 0;     ///< size of the largest group of identical haplotypes
  double random_match_probability = 0;  ///< Σ p_i² over haplotype frequencies
  double haplotype_diversity = 0;       ///< n/(n-1) · (1 - Σ p_i²)
  /// Expected figures for a random subsample of `subsample` profiles (without replacement), to compare
  /// with a published study of that size: Σ p² has a floor of 1/n, so small studies report larger
  /// random-match probabilities than the population's. 0 when not asked for.
  std::size_t subsample = 0;
  double subsample_random_match_probability = 0;  ///< E[Σ (x_i/m)²]
  double subsample_haplotypes = 0;                ///< E[number of distinct haplotypes]
};

/// Haplotype sharing over `over`: each profile's canonical variants restricted to `over` (indels in
/// the length-variable stretches left out when `ignore_length_variants`) are its haplotype.
/// Profiles must cover `over` (those that do not are skipped and not counted).
/// With `subsample` > 0 (and ≤ the profiles counted) the subsample_* fields are filled in exactly
/// (hypergeometric expectations), e.g. 173 for Nguyen et al. 2022.
[[nodiscard]] haplotype_sharing measure_sharing(std::span<const profile> profiles, const range& over,
                                                bool ignore_length_variants = true, std::size_t subsample = 0);

}  // namespace mtmatch
