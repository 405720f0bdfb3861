// The simulator's outputs: ground-truth text, the streaming writer (registry CSVs, .hsd profiles,
// truth files, remains shuffled within a bounded window) and the haplotype-sharing statistics.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <unordered_map>

#include "mtmatch/normalize.hpp"
#include "simulate_detail.hpp"

namespace mtmatch {

// --- site changes ------------------------------------------------------------------------------------

namespace {

char kind_letter(site_difference::kind k) {
  switch (k) {
    case site_difference::kind::difference: return 'd';
    case site_difference::kind::heteroplasmy_compatible: return 'h';
    case site_difference::kind::length_variant: return 'l';
  }
  return '?';
}

}  // namespace

std::string site_change::to_string() const {
  return std::to_string(position) + (insertion_count ? ".ins:" : ":") + from + '>' + to + '=' + kind_letter(expected);
}

site_change site_change::parse(std::string_view token, const source_location& where) {
  source_location at = where;
  at.token = std::string(token);
  auto fail = [&](const char* why) -> site_change { throw error(at, std::string("site change: ") + why); };
  site_change c;
  const char* p = token.data();
  const char* end = token.data() + token.size();
  auto [q, ec] = std::from_chars(p, end, c.position);
  if (ec != std::errc() || c.position < 1 || c.position > 16569) return fail("expected a position 1-16569 first");
  std::string_view rest(q, static_cast<std::size_t>(end - q));
  if (rest.starts_with(".ins")) {
    c.insertion_count = true;
    rest.remove_prefix(4);
  }
  if (rest.empty() || rest.front() != ':') return fail("expected ':' after the position");
  rest.remove_prefix(1);
  const std::size_t arrow = rest.find('>');
  const std::size_t equals = rest.find('=');
  if (arrow == std::string_view::npos || equals == std::string_view::npos || equals < arrow) {
    return fail("expected FROM>TO=KIND");
  }
  c.from = std::string(rest.substr(0, arrow));
  c.to = std::string(rest.substr(arrow + 1, equals - arrow - 1));
  if (c.from.empty() || c.to.empty()) return fail("empty state");
  const std::string_view kind = rest.substr(equals + 1);
  if (kind == "d") {
    c.expected = site_difference::kind::difference;
  } else if (kind == "h") {
    c.expected = site_difference::kind::heteroplasmy_compatible;
  } else if (kind == "l") {
    c.expected = site_difference::kind::length_variant;
  } else {
    return fail("kind must be d, h or l");
  }
  return c;
}

bool site_change::visible_in(const range& coverage) const noexcept {
  return insertion_count ? coverage.contains_insertion(position) : coverage.contains(position);
}

std::vector<site_change> parse_site_changes(std::string_view text, const source_location& where) {
  std::vector<site_change> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    source_location at = where;
    if (at.column != 0) at.column += i;
    out.push_back(site_change::parse(text.substr(i, j - i), at));
    i = j;
  }
  return out;
}

std::string to_string(std::span<const site_change> changes) {
  std::string out;
  for (const auto& c : changes) {
    if (!out.empty()) out += ' ';
    out += c.to_string();
  }
  return out;
}

// --- streaming writer ------------------------------------------------------------------------------------

namespace {

std::string csv(std::string_view field) {
  if (field.find_first_of(",\"\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string hsd_truth_line(const profile& p) {
  std::string line = p.id + '\t' + p.coverage.to_string() + '\t' + (p.declared_haplogroup.empty() ? "?" : p.declared_haplogroup);
  for (const auto& v : p.variants) {
    std::string text = to_string(v);
    std::replace(text.begin(), text.end(), ' ', '\t');
    line += '\t' + text;
  }
  return line;
}

constexpr const char* hsd_header = "SampleId\tRange\tHaplogroup\tPolymorphisms\n";

struct remains_lines {
  std::string hsd;
  std::string registry;
  std::string truth;
};

class remains_buffer {
 public:
  remains_buffer(const simulation_streams& out, std::size_t window, std::uint64_t seed)
      : out_(out), window_(window), shuffle_(seed, 0) {}
  void add(remains_lines lines) {
    lines_.push_back(std::move(lines));
    if (lines_.size() >= window_) flush();
  }
  void flush() {
    for (std::size_t i = lines_.size(); i > 1; --i) std::swap(lines_[i - 1], lines_[shuffle_.below(i)]);
    for (const auto& l : lines_) {
      if (out_.remains_hsd) *out_.remains_hsd << l.hsd << '\n';
      if (out_.remains_csv) *out_.remains_csv << l.registry << '\n';
      if (out_.truth_remains_csv) *out_.truth_remains_csv << l.truth << '\n';
    }
    lines_.clear();
  }

 private:
  const simulation_streams& out_;
  std::size_t window_;
  detail::sim::rng shuffle_;
  std::vector<remains_lines> lines_;
};

}  // namespace

simulation_summary simulate(const simulate_options& options, const simulation_streams& out,
                            const std::function<void(const simulated_family&)>& on_family) {
  simulator sim(options);
  simulation_summary summary;
  if (out.remains_hsd) *out.remains_hsd << hsd_header;
  if (out.relatives_hsd) *out.relatives_hsd << hsd_header;
  if (out.truth_martyrs_hsd) *out.truth_martyrs_hsd << hsd_header;
  if (out.martyrs_csv) *out.martyrs_csv << "martyr_id,family_id,sex,birth_year,death_year,home_province\n";
  if (out.remains_csv) *out.remains_csv << "remains_id,province,recovered_year,coverage\n";
  if (out.relatives_csv) {
    *out.relatives_csv << "relative_id,martyr_id,relationship,transmissions,maternal,sex,birth_year,alive,"
                          "household_id,sample_id,coverage\n";
  }
  if (out.truth_remains_csv) *out.truth_remains_csv << "remains_id,martyr_id,haplogroup,artefacts\n";
  if (out.truth_relatives_csv) {
    *out.truth_relatives_csv << "relative_id,martyr_id,relationship,transmissions,haplogroup,differences,artefacts\n";
  }
  if (out.truth_families_csv) {
    *out.truth_families_csv << "family_id,martyr_id,home_province,population_row,haplogroup,hidden_kin_of\n";
  }
  remains_buffer remains(out, static_cast<std::size_t>(sim.options().shuffle_window), sim.options().seed);

  while (sim.has_next()) {
    const simulated_family fam = sim.next_family();
    ++summary.martyrs;
    if (out.martyrs_csv) {
      *out.martyrs_csv << fam.martyr_id << ',' << fam.family_id << ',' << fam.sex << ',' << fam.birth_year << ','
                       << fam.death_year << ',' << fam.home_province << '\n';
    }
    if (out.truth_families_csv) {
      *out.truth_families_csv << fam.family_id << ',' << fam.martyr_id << ',' << fam.home_province << ','
                              << csv(fam.population_row) << ',' << csv(fam.haplogroup) << ',' << fam.hidden_kin_of << '\n';
    }
    if (out.truth_martyrs_hsd) *out.truth_martyrs_hsd << hsd_truth_line(fam.genome) << '\n';

    bool maternal_sample = false;
    for (const auto& rel : fam.relatives) {
      ++summary.relatives_listed;
      const int k = transmissions(rel.relation);
      if (out.relatives_csv) {
        *out.relatives_csv << rel.id << ',' << fam.martyr_id << ',' << to_string(rel.relation) << ','
                           << (k > 0 ? std::to_string(k) : std::string()) << ',' << (k > 0 ? 1 : 0) << ','
                           << rel.sex << ',' << rel.birth_year << ',' << (rel.alive ? 1 : 0) << ','
                           << rel.household_id << ',' << (rel.sample ? rel.sample->id : std::string()) << ','
                           << (rel.sample ? to_string(rel.sample->coverage) : "") << '\n';
      }
      if (!rel.sample) continue;
      ++summary.relative_profiles;
      if (k > 0) {
        maternal_sample = true;
      } else {
        ++summary.nonmaternal_profiles;
      }
      if (out.relatives_hsd) *out.relatives_hsd << rel.sample->hsd_line << '\n';
      if (out.truth_relatives_csv) {
        *out.truth_relatives_csv << rel.id << ',' << fam.martyr_id << ',' << to_string(rel.relation) << ','
                                 << (k > 0 ? std::to_string(k) : std::string()) << ',' << csv(rel.haplogroup) << ','
                                 << to_string(rel.differences) << ',' << to_string(rel.sample->artefacts) << '\n';
      }
    }
    bool own_remains = false;
    for (const auto& rem : fam.remains) {
      ++summary.remains;
      if (rem.martyr_id.empty()) {
        ++summary.remains_unregistered;
      } else {
        own_remains = true;
      }
      remains.add(remains_lines{
          rem.sample.hsd_line,
          rem.id + ',' + rem.province + ',' + std::to_string(rem.recovered_year) + ',' + to_string(rem.sample.coverage),
          rem.id + ',' + rem.martyr_id + ',' + csv(rem.haplogroup) + ',' + to_string(rem.sample.artefacts)});
    }
    if (maternal_sample) ++summary.families_sampled;
    if (own_remains && !maternal_sample) ++summary.remains_without_family;
    if (maternal_sample && !own_remains) ++summary.families_sampled_no_remains;
    if (on_family) on_family(fam);
  }
  remains.flush();
  return summary;
}

simulation_summary simulate_to_directory(const simulate_options& options, const std::string& directory,
                                         const std::function<void(const simulated_family&)>& on_family) {
  options.validate();
  namespace fs = std::filesystem;
  const fs::path root(directory);
  std::error_code ec;
  fs::create_directories(root / "truth", ec);
  if (ec) throw error(source_location{directory, 0, 0, ""}, "cannot create directory: " + ec.message());
  struct file {
    std::ofstream stream;
    fs::path path;
  };
  std::vector<std::unique_ptr<file>> files;
  auto open = [&](const fs::path& path) {
    auto f = std::make_unique<file>();
    f->path = path;
    f->stream.open(path, std::ios::binary | std::ios::trunc);
    if (!f->stream) throw error(source_location{path.string(), 0, 0, ""}, "cannot write file");
    files.push_back(std::move(f));
    return &files.back()->stream;
  };
  simulation_streams s;
  s.remains_hsd = open(root / "remains.hsd");
  s.relatives_hsd = open(root / "relatives.hsd");
  s.martyrs_csv = open(root / "martyrs.csv");
  s.remains_csv = open(root / "remains.csv");
  s.relatives_csv = open(root / "relatives.csv");
  s.truth_remains_csv = open(root / "truth" / "remains.csv");
  s.truth_relatives_csv = open(root / "truth" / "relatives.csv");
  s.truth_martyrs_hsd = open(root / "truth" / "martyrs.hsd");
  s.truth_families_csv = open(root / "truth" / "families.csv");
  simulation_summary summary = simulate(options, s, on_family);
  for (auto& f : files) {
    f->stream.close();
    if (!f->stream) throw error(source_location{f->path.string(), 0, 0, ""}, "error while writing file");
  }
  return summary;
}

// --- haplotype sharing ----------------------------------------------------------------------------------

haplotype_sharing measure_sharing(std::span<const profile> profiles, const range& over, bool ignore_length_variants,
                                  std::size_t subsample) {
  haplotype_sharing out;
  std::unordered_map<std::string, std::size_t> counts;
  for (const auto& p : profiles) {
    if (p.coverage.intersect(over) != over) continue;
    std::string key;
    for (const auto& v : detail::sim::restrict_to(p.variants, over)) {
      if (ignore_length_variants && is_length_variant(v)) continue;
      key += to_compact_string(v);
      key += ' ';
    }
    ++counts[key];
    ++out.profiles;
  }
  out.haplotypes = counts.size();
  if (out.profiles == 0) return out;
  const double n = static_cast<double>(out.profiles);
  double sum_sq = 0;
  for (const auto& [key, c] : counts) {
    if (c == 1) ++out.unique_profiles;
    out.largest_group = std::max(out.largest_group, c);
    const double f = static_cast<double>(c) / n;
    sum_sq += f * f;
  }
  out.unique_share = static_cast<double>(out.unique_profiles) / n;
  out.random_match_probability = sum_sq;
  out.haplotype_diversity = out.profiles > 1 ? n / (n - 1) * (1 - sum_sq) : 0;
  if (subsample > 0 && subsample <= out.profiles) {
    // x_i ~ Hypergeometric(N, c_i, m): E[x²] = Var + E² with Var = m p (1-p) (N-m)/(N-1);
    // P(haplotype i absent) = C(N-c, m) / C(N, m).
    const double m = static_cast<double>(subsample);
    double expected_sq = 0;
    double expected_types = 0;
    for (const auto& [key, c] : counts) {
      const double p = static_cast<double>(c) / n;
      const double mean = m * p;
      const double var = n > 1 ? m * p * (1 - p) * (n - m) / (n - 1) : 0;
      expected_sq += var + mean * mean;
      const double rest = n - static_cast<double>(c);
      const double absent = rest < m ? 0.0
                                     : std::exp(std::lgamma(rest + 1) - std::lgamma(rest - m + 1) - std::lgamma(n + 1) +
                                                std::lgamma(n - m + 1));
      expected_types += 1 - absent;
    }
    out.subsample = subsample;
    out.subsample_random_match_probability = expected_sq / (m * m);
    out.subsample_haplotypes = expected_types;
  }
  return out;
}

}  // namespace mtmatch
