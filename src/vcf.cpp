#include "mtmatch/vcf.hpp"

#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {

void vcf_options::validate() const {
  if (!(min_heteroplasmy >= 0.0 && min_heteroplasmy <= 1.0)) {
    throw error("vcf_options: min_heteroplasmy must lie in 0 … 1, not " + std::to_string(min_heteroplasmy));
  }
  if (coverage.empty()) throw error("vcf_options: the coverage range is empty");
}

namespace {

constexpr std::int32_t molecule_length = 16569;
constexpr std::int32_t placeholder = 3107;  // the rCRS `N`
constexpr std::array<std::string_view, 4> mito_contigs = {"MT", "chrM", "NC_012920.1", "rCRS"};

char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

// The IUPAC code of a set of bases (A=1, C=2, G=4, T=8), the inverse of iupac::bases_of.
char iupac_code(std::uint8_t bases) {
  static constexpr std::array<char, 16> codes = {'?', 'A', 'C', 'M', 'G', 'R', 'S', 'V', 'T', 'W', 'Y', 'H', 'K', 'D', 'B', 'N'};
  return codes[bases & 15u];
}

// A site state a call puts on one rCRS position: a base (ACGT, or IUPAC for a mixture), `deleted`, or
// `unreadable` (an N in an allele).
constexpr char deleted = '-';
constexpr char unreadable = 'N';

struct site_change {
  std::int32_t position = 0;
  char state = 0;
};

// What one allele spells in place of REF: site states and at most one insertion.
struct allele_change {
  std::vector<site_change> sites;
  std::int32_t insertion_anchor = 0;  // 0: no insertion
  std::string inserted;
  bool substitutions_only = true;     // REF's length, no `*`: can join an IUPAC mixture
};

// Describes ALT against REF at `pos`. Alleles of REF's length are compared base by base (MNPs);
// other alleles lose the bases they share with REF at either end (the VCF anchor base), then the
// rest is substitutions followed by a deletion or an insertion. Any spelling of the right sequence
// will do: the canonical form re-aligns it. Returns false with `why` for alleles that cannot be read.
bool describe_allele(std::int32_t pos, std::string_view ref, std::string_view alt, allele_change& out, std::string& why) {
  out = allele_change{};
  if (alt == "*") {  // the site is removed by an overlapping deletion
    for (std::size_t i = 0; i < ref.size(); ++i) out.sites.push_back({pos + static_cast<std::int32_t>(i), deleted});
    out.substitutions_only = false;
    return true;
  }
  if (alt.empty() || alt.front() == '<' || alt.find_first_of("[]<>.") != std::string_view::npos) {
    why = "symbolic or breakend allele '" + std::string(alt) + "' cannot be written as mtDNA variants";
    return false;
  }
  std::string a(alt);
  for (char& c : a) {
    c = upper(c);
    if (iupac::bases_of(c) == 0) {
      why = "allele '" + std::string(alt) + "' has a character that is not a base";
      return false;
    }
  }
  std::string r(ref);
  for (char& c : r) c = upper(c);
  if (a.size() == r.size()) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (a[i] != r[i]) out.sites.push_back({pos + static_cast<std::int32_t>(i), a[i]});
    }
    return true;
  }
  out.substitutions_only = false;
  std::size_t head = 0;
  while (head < r.size() && head < a.size() && r[head] == a[head]) ++head;
  std::size_t tail = 0;
  while (tail < r.size() - head && tail < a.size() - head && r[r.size() - 1 - tail] == a[a.size() - 1 - tail]) ++tail;
  const std::string_view rr = std::string_view(r).substr(head, r.size() - head - tail);
  const std::string_view aa = std::string_view(a).substr(head, a.size() - head - tail);
  const std::int32_t first = pos + static_cast<std::int32_t>(head);
  const std::size_t common = std::min(rr.size(), aa.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (rr[i] != aa[i]) out.sites.push_back({first + static_cast<std::int32_t>(i), aa[i]});
  }
  for (std::size_t i = common; i < rr.size(); ++i) out.sites.push_back({first + static_cast<std::int32_t>(i), deleted});
  if (aa.size() > common) {
    out.insertion_anchor = first + static_cast<std::int32_t>(common) - 1;
    out.inserted = std::string(aa.substr(common));
    if (out.insertion_anchor < 1) {
      why = "an insertion before position 1 cannot be written; write it after 16569";
      return false;
    }
  }
  return true;
}

// The 1-based column where field `k` (0-based, tab-separated) of `line` starts, and its text.
std::pair<std::size_t, std::string_view> field_of(std::string_view line, std::size_t k) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) return {0, {}};
    start = tab + 1;
  }
  const std::size_t end = std::min(line.find('\t', start), line.size());
  return {start + 1, line.substr(start, end - start)};
}

// Reads records one by one from VCF text (plain, gzip, bgzip) or BCF. For text the header is read
// line by line so that every record keeps its line number and text (for error columns).
class vcf_reader {
 public:
  explicit vcf_reader(const std::string& path) : path_(path) {
    h_.fp = hts_open(path.c_str(), "r");
    if (h_.fp == nullptr) throw error(source_location{path, 0, 0, ""}, "cannot open file");
    const htsFormat* format = hts_get_format(h_.fp);
    if (format->format == bcf) {
      text_ = false;
      h_.hdr = bcf_hdr_read(h_.fp);
      if (h_.hdr == nullptr) throw error(source_location{path, 0, 0, ""}, "cannot read the BCF header");
      return;
    }
    if (format->format != vcf && format->format != text_format) {
      char* described = hts_format_description(format);
      const std::string kind = described != nullptr ? described : "unknown";
      free(described);
      throw error(source_location{path, 0, 0, ""}, "not a VCF or BCF file (htslib reads it as " + kind + ")");
    }
    std::string header;
    for (;;) {
      const int got = hts_getline(h_.fp, '\n', &h_.line);
      if (got < -1) throw error(source_location{path, line_no_, 0, ""}, "cannot read the file");
      if (got == -1) break;
      ++line_no_;
      trim_cr();
      const std::string_view text(h_.line.s, h_.line.l);
      if (text.empty() || text.front() != '#') {
        pending_ = true;
        break;
      }
      header.append(text);
      header.push_back('\n');
      if (text.starts_with("#CHROM")) {
        chrom_line_ = std::string(text);
        chrom_line_no_ = line_no_;
        break;
      }
    }
    if (chrom_line_no_ == 0) {
      throw error(source_location{path, line_no_, 0, ""}, "no '#CHROM' header line: not a VCF file");
    }
    h_.hdr = bcf_hdr_init("r");
    if (h_.hdr == nullptr || bcf_hdr_parse(h_.hdr, header.data()) < 0) {
      throw error(source_location{path, chrom_line_no_, 1, "#CHROM"},
                  "htslib cannot parse the VCF header (a malformed '##' line, or empty sample names from "
                  "trailing tabs?)");
    }
  }

  [[nodiscard]] bcf_hdr_t* header() const noexcept { return h_.hdr; }
  [[nodiscard]] bool text() const noexcept { return text_; }
  [[nodiscard]] std::size_t chrom_line_number() const noexcept { return chrom_line_no_; }
  [[nodiscard]] std::string_view chrom_line() const noexcept { return chrom_line_; }
  /// Line number and text of the record last read (0 and "" for BCF).
  [[nodiscard]] std::size_t line_number() const noexcept { return text_ ? line_no_ : 0; }
  [[nodiscard]] std::string_view line() const noexcept { return text_ ? std::string_view(h_.line.s, h_.line.l) : std::string_view(); }

  /// Reads the next record: 1 when read, 0 at the end, -1 when the record cannot be parsed.
  int next(bcf1_t* rec) {
    if (!text_) {
      const int got = bcf_read(h_.fp, h_.hdr, rec);
      if (got == -1) return 0;
      if (got < -1) throw error(source_location{path_, 0, 0, ""}, "cannot read the BCF records (truncated or corrupt)");
      return 1;
    }
    for (;;) {
      if (!pending_) {
        const int got = hts_getline(h_.fp, '\n', &h_.line);
        if (got < -1) throw error(source_location{path_, line_no_ + 1, 0, ""}, "cannot read the file");
        if (got == -1) return 0;
        ++line_no_;
        trim_cr();
      }
      pending_ = false;
      if (h_.line.l == 0) continue;  // a blank line
      if (h_.line.s[0] == '#') return -1;  // a header line among the records
      // INFO is never used: it is parsed as '.', so that malformed or undeclared INFO (quoted
      // `"AC=1;AN=1073"` in HaploGrep's test files) cannot cost a record.
      const std::string_view text(h_.line.s, h_.line.l);
      const auto [info_column, info] = field_of(text, 7);
      h_.parse.l = 0;
      if (info_column == 0) {
        kputsn(h_.line.s, h_.line.l, &h_.parse);
      } else {
        kputsn(h_.line.s, info_column - 1, &h_.parse);
        kputc('.', &h_.parse);
        const std::size_t rest = info_column - 1 + info.size();
        kputsn(h_.line.s + rest, h_.line.l - rest, &h_.parse);
      }
      return vcf_parse(&h_.parse, h_.hdr, rec) < 0 ? -1 : 1;
    }
  }

 private:
  void trim_cr() noexcept {
    if (h_.line.l > 0 && h_.line.s[h_.line.l - 1] == '\r') h_.line.s[--h_.line.l] = '\0';
  }

  // The htslib objects, in a member of their own so that they are freed when the constructor throws.
  struct handles {
    htsFile* fp = nullptr;
    bcf_hdr_t* hdr = nullptr;
    kstring_t line = {0, 0, nullptr};
    kstring_t parse = {0, 0, nullptr};
    handles() = default;
    handles(const handles&) = delete;
    handles& operator=(const handles&) = delete;
    ~handles() {
      if (hdr != nullptr) bcf_hdr_destroy(hdr);
      if (fp != nullptr) hts_close(fp);
      free(line.s);
      free(parse.s);
    }
  };

  handles h_;
  std::string path_;
  std::size_t line_no_ = 0;
  std::size_t chrom_line_no_ = 0;
  std::string chrom_line_;
  bool text_ = true;
  bool pending_ = false;
};

// How a level field lists its values.
enum class level_layout : std::uint8_t {
  per_allele,  // Number=R: REF then every ALT (allele depths AD, or fractions)
  per_alt,     // Number=A: every ALT (Mutect2's AF)
  in_genotype  // the genotype's non-reference alleles in genotype order (mutserve's AF, HP)
};

// The allele levels of one record, read on first use.
class record_levels {
 public:
  record_levels(bcf_hdr_t* hdr, const std::vector<std::string>& fields) : hdr_(hdr), fields_(fields) {}
  ~record_levels() {
    free(floats_);
    free(ints_);
    if (strings_ != nullptr) free(strings_[0]);
    free(strings_);
  }
  record_levels(const record_levels&) = delete;
  record_levels& operator=(const record_levels&) = delete;

  void reset(bcf1_t* rec) {
    rec_ = rec;
    loaded_ = false;
    field_ = -1;
  }

  /// Levels (summing to about 1) of `alleles` (distinct, genotype order) for sample `s`; empty when
  /// the record has no usable level for it.
  std::vector<double> of(int s, const std::vector<int>& alleles) {
    if (!loaded_) load();
    std::vector<double> out;
    if (field_ < 0) return out;
    std::vector<double> values;
    if (type_ == BCF_HT_STR) {
      const char* text = strings_[s];
      std::string_view v(text != nullptr ? text : "");
      while (!v.empty()) {
        const std::size_t comma = v.find(',');
        const std::string item(v.substr(0, comma));
        char* end = nullptr;
        const double x = std::strtod(item.c_str(), &end);
        if (item.empty() || end != item.c_str() + item.size() || !std::isfinite(x)) return out;  // '.' or junk
        values.push_back(x);
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
      }
    } else {
      for (int k = 0; k < per_sample_; ++k) {
        const std::size_t at = static_cast<std::size_t>(s) * static_cast<std::size_t>(per_sample_) + static_cast<std::size_t>(k);
        if (type_ == BCF_HT_REAL) {
          const float x = floats_[at];
          if (bcf_float_is_vector_end(x)) break;
          if (bcf_float_is_missing(x)) return out;
          values.push_back(static_cast<double>(x));
        } else {
          const std::int32_t x = ints_[at];
          if (x == bcf_int32_vector_end) break;
          if (x == bcf_int32_missing) return out;
          values.push_back(static_cast<double>(x));
        }
      }
    }
    out.assign(alleles.size(), 0.0);
    if (layout_ == level_layout::per_allele) {
      double total = 0;
      for (double x : values) total += x;
      if (total <= 0) return {};
      for (std::size_t i = 0; i < alleles.size(); ++i) {
        const auto a = static_cast<std::size_t>(alleles[i]);
        if (a >= values.size()) return {};
        out[i] = values[a] / total;
      }
      return out;
    }
    // The non-reference alleles have values; REF, or one allele the field leaves out (HaploGrep's
    // rule for `2/1` with one level), has the rest.
    double total = 0;
    std::size_t next = 0;
    std::size_t without = alleles.size();
    for (std::size_t i = 0; i < alleles.size(); ++i) {
      const std::size_t k = alleles[i] == 0                         ? values.size()
                            : layout_ == level_layout::per_alt ? static_cast<std::size_t>(alleles[i] - 1)
                                                                : next++;
      if (k >= values.size()) {
        if (without != alleles.size()) return {};  // two alleles without a level
        without = i;
        continue;
      }
      out[i] = values[k];
      total += values[k];
    }
    if (without != alleles.size()) out[without] = std::max(0.0, 1.0 - total);
    return out;
  }

 private:
  void load() {
    loaded_ = true;
    for (std::size_t f = 0; f < fields_.size(); ++f) {
      const char* name = fields_[f].c_str();
      const int id = bcf_hdr_id2int(hdr_, BCF_DT_ID, name);
      if (!bcf_hdr_idinfo_exists(hdr_, BCF_HL_FMT, id) || bcf_get_fmt(hdr_, rec_, name) == nullptr) continue;
      const auto type = static_cast<int>(bcf_hdr_id2type(hdr_, BCF_HL_FMT, id));
      const auto length = static_cast<int>(bcf_hdr_id2length(hdr_, BCF_HL_FMT, id));
      int got = 0;
      if (type == BCF_HT_STR) {
        got = bcf_get_format_string(hdr_, rec_, name, &strings_, &n_strings_);
      } else if (type == BCF_HT_REAL) {
        got = bcf_get_format_float(hdr_, rec_, name, &floats_, &n_floats_);
      } else if (type == BCF_HT_INT && length == BCF_VL_R) {
        got = bcf_get_format_int32(hdr_, rec_, name, &ints_, &n_ints_);
      } else {
        continue;  // integers are read only as per-allele depths
      }
      if (got <= 0) continue;
      type_ = type;
      per_sample_ = type == BCF_HT_STR ? 1 : got / bcf_hdr_nsamples(hdr_);
      layout_ = length == BCF_VL_R ? level_layout::per_allele
                : length == BCF_VL_A ? level_layout::per_alt
                                     : level_layout::in_genotype;
      field_ = static_cast<int>(f);
      return;
    }
  }

  bcf_hdr_t* hdr_;
  const std::vector<std::string>& fields_;
  bcf1_t* rec_ = nullptr;
  bool loaded_ = false;
  int field_ = -1;
  int type_ = 0;
  int per_sample_ = 0;
  level_layout layout_ = level_layout::in_genotype;
  float* floats_ = nullptr;
  int n_floats_ = 0;
  std::int32_t* ints_ = nullptr;
  int n_ints_ = 0;
  char** strings_ = nullptr;
  int n_strings_ = 0;
};

// Where a record is, for messages about calls that disagree across records.
struct record_place {
  std::size_t line = 0;
  std::string site;  // "MT:263 A>G"
};

// Everything read for one sample.
struct sample_calls {
  std::string name;
  int column = 0;  // index among the file's samples
  std::map<std::int32_t, std::pair<char, std::uint32_t>> sites;               // position → state, record
  std::map<std::int32_t, std::pair<std::string, std::uint32_t>> insertions;  // anchor → bases, record
  std::vector<interval> missing;
  bool rejected = false;
  std::size_t first_error_line = 0;
};

class vcf_builder {
 public:
  vcf_builder(const std::string& path, const vcf_options& options, profile_file& file)
      : path_(path), options_(options), file_(file), reader_(path), levels_(reader_.header(), options.level_fields) {
    bcf_hdr_t* hdr = reader_.header();
    const int n = bcf_hdr_nsamples(hdr);
    std::unordered_map<std::string_view, int> index;
    for (int s = 0; s < n; ++s) index.emplace(hdr->samples[s], s);
    if (options.samples.empty()) {
      for (int s = 0; s < n; ++s) add_sample(hdr->samples[s], s);
    } else {
      for (const std::string& name : options.samples) {
        const auto it = index.find(name);
        if (it == index.end()) {
          report(header_location(name), "sample '" + name + "' is not in the file");
          continue;
        }
        add_sample(name, it->second);
      }
    }
  }

  ~vcf_builder() { free(gt_); }
  vcf_builder(const vcf_builder&) = delete;
  vcf_builder& operator=(const vcf_builder&) = delete;

  void run() {
    std::unique_ptr<bcf1_t, void (*)(bcf1_t*)> rec(bcf_init(), bcf_destroy);
    bcf_hdr_t* hdr = reader_.header();
    for (;;) {
      const int got = reader_.next(rec.get());
      if (got == 0) break;
      const auto record = static_cast<std::uint32_t>(places_.size());
      places_.push_back({reader_.line_number(), ""});
      if (got < 0) {
        record_error(0, std::string(field_of(reader_.line(), 0).second),
                     reader_.line().starts_with("#") ? "header line among the records" : "htslib cannot parse this record");
        continue;
      }
      bcf_unpack(rec.get(), BCF_UN_ALL);
      read_record(hdr, rec.get(), record);
    }
  }

  void finish() {
    for (sample_calls& s : samples_) {
      if (!s.rejected) build(s);
      if (s.rejected) file_.rejected.push_back({s.first_error_line, s.name});
    }
  }

 private:
  void add_sample(std::string name, int column) {
    sample_calls s;
    s.name = std::move(name);
    s.column = column;
    samples_.push_back(std::move(s));
    ++file_.records;
  }

  // The sample's name in the #CHROM line (column 0 for BCF or a name the file lacks).
  source_location header_location(const std::string& name, int column = -1) const {
    source_location where{path_, reader_.chrom_line_number(), 0, name};
    if (reader_.text() && column >= 0) where.column = field_of(reader_.chrom_line(), 9 + static_cast<std::size_t>(column)).first;
    return where;
  }

  void report(const source_location& where, const std::string& reason) {
    error e(where, reason);
    if (options_.strict) throw e;
    file_.errors.push_back(std::move(e));
  }

  void reject(sample_calls& s, std::size_t line) {
    if (!s.rejected) s.first_error_line = line;
    s.rejected = true;
  }

  // An error about a whole record (field `field`, 0-based, holds `token`). The record says something
  // about every sample (a REF that is not the rCRS base changes what `0` means), so all are rejected.
  void record_error(std::size_t field, const std::string& token, const std::string& reason) {
    const auto [column, text] = field_of(reader_.line(), field);
    source_location where{path_, reader_.line_number(), column, text.empty() ? token : std::string(text)};
    report(where, places_.back().site.empty() ? reason : places_.back().site + ": " + reason);
    for (sample_calls& s : samples_) reject(s, reader_.line_number());
  }

  // An error about one sample's call in the current record.
  void call_error(sample_calls& s, const std::string& reason) {
    source_location where{path_, reader_.line_number(), 0, s.name};
    if (reader_.text()) {
      const auto [column, text] = field_of(reader_.line(), 9 + static_cast<std::size_t>(s.column));
      where.column = column;
      where.token = std::string(text);
    }
    report(where, "sample " + s.name + " (" + places_.back().site + "): " + reason);
    reject(s, reader_.line_number());
  }

  void read_record(bcf_hdr_t* hdr, bcf1_t* rec, std::uint32_t record) {
    const std::string chrom = bcf_seqname_safe(hdr, rec);
    const std::int32_t pos = static_cast<std::int32_t>(rec->pos) + 1;
    const std::string_view ref = rec->d.allele[0];
    std::string site = chrom + ":" + std::to_string(pos) + " " + std::string(ref) + ">";
    for (int a = 1; a < rec->n_allele; ++a) site += (a > 1 ? "," : "") + std::string(rec->d.allele[a]);
    places_.back().site = std::move(site);
    if (std::find(mito_contigs.begin(), mito_contigs.end(), chrom) == mito_contigs.end()) {
      record_error(0, chrom,
                   "contig '" + chrom + "' is not the rCRS mitochondrion (MT, chrM, NC_012920.1 or rCRS)");
      return;
    }
    const auto last = pos + static_cast<std::int32_t>(ref.size()) - 1;
    if (pos < 1 || last > molecule_length || ref.empty()) {
      record_error(1, std::to_string(pos), "position " + std::to_string(pos) + " with REF '" + std::string(ref) +
                                               "' lies outside the rCRS (1-16569)");
      return;
    }
    const std::string_view expected = rcrs().slice(pos, last);
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (upper(ref[i]) != expected[i]) {
        record_error(3, std::string(ref),
                     "REF '" + std::string(ref) + "' at " + std::to_string(pos) + " does not match the rCRS ('" +
                         std::string(expected) + "'): is the VCF written against the rCRS?");
        return;
      }
    }
    // Records outside the range are skipped; an insertion after `last` needs last+1 too.
    bool touches = false;
    for (std::int32_t p = pos; p <= std::min(last + 1, molecule_length) && !touches; ++p) touches = options_.coverage.contains(p);
    if (!touches) return;

    gt_count_ = bcf_get_genotypes(hdr, rec, &gt_, &gt_size_);
    const int n = bcf_hdr_nsamples(hdr);
    if (n == 0) return;
    if (gt_count_ <= 0) {
      record_error(8, "FORMAT", "the record has no GT (genotype) field");
      return;
    }
    const int ploidy = gt_count_ / n;
    levels_.reset(rec);
    alleles_.assign(static_cast<std::size_t>(rec->n_allele), std::nullopt);
    allele_errors_.assign(static_cast<std::size_t>(rec->n_allele), std::string());
    for (sample_calls& s : samples_) {
      if (s.rejected) continue;
      const std::int32_t* gt = gt_ + static_cast<std::ptrdiff_t>(s.column) * ploidy;
      called_.clear();
      bool missing = false;
      for (int j = 0; j < ploidy; ++j) {
        if (gt[j] == bcf_int32_vector_end) break;
        if (bcf_gt_is_missing(gt[j])) {
          missing = true;
          continue;
        }
        const int a = bcf_gt_allele(gt[j]);
        if (a < 0 || a >= rec->n_allele) {
          call_error(s, "genotype names allele " + std::to_string(a) + ", the record has " +
                            std::to_string(rec->n_allele - 1) + " ALT");
          called_.clear();
          missing = false;
          break;
        }
        if (std::find(called_.begin(), called_.end(), a) == called_.end()) called_.push_back(a);
      }
      if (s.rejected) continue;
      if (called_.empty()) {
        if (missing) s.missing.push_back({pos, last});
        continue;
      }
      if (called_.size() == 1) {
        if (called_[0] != 0) apply_allele(s, rec, pos, called_[0], record);
        continue;
      }
      apply_mixture(s, rec, pos, record);
    }
  }

  // The description of allele `a` of the record (cached); null with a sample error when unreadable.
  const allele_change* allele(sample_calls& s, bcf1_t* rec, std::int32_t pos, int a) {
    auto& slot = alleles_[static_cast<std::size_t>(a)];
    std::string& why = allele_errors_[static_cast<std::size_t>(a)];
    if (!slot && why.empty()) {
      allele_change change;
      if (describe_allele(pos, rec->d.allele[0], rec->d.allele[a], change, why)) slot = std::move(change);
    }
    if (!slot) {
      call_error(s, why);
      return nullptr;
    }
    return &*slot;
  }

  void apply_allele(sample_calls& s, bcf1_t* rec, std::int32_t pos, int a, std::uint32_t record) {
    const allele_change* change = allele(s, rec, pos, a);
    if (change == nullptr) return;
    for (const site_change& c : change->sites) set_site(s, c.position, c.state, record);
    if (change->insertion_anchor != 0) set_insertion(s, change->insertion_anchor, change->inserted, record);
  }

  // A genotype with several alleles: a heteroplasmy.
  void apply_mixture(sample_calls& s, bcf1_t* rec, std::int32_t pos, std::uint32_t record) {
    std::vector<int> alleles = called_;
    const std::vector<double> level = levels_.of(s.column, alleles);
    std::size_t major = 0;
    if (!level.empty()) {
      for (std::size_t i = 1; i < level.size(); ++i) {
        if (level[i] > level[major]) major = i;
      }
      std::vector<int> kept;
      for (std::size_t i = 0; i < alleles.size(); ++i) {
        if (i == major || level[i] >= options_.min_heteroplasmy) kept.push_back(alleles[i]);
      }
      const int major_allele = alleles[major];
      alleles = std::move(kept);
      major = static_cast<std::size_t>(std::find(alleles.begin(), alleles.end(), major_allele) - alleles.begin());
    }
    if (alleles.size() == 1) {
      if (alleles[0] != 0) apply_allele(s, rec, pos, alleles[0], record);
      return;
    }
    bool iupac_ok = true;
    for (int a : alleles) {
      if (a == 0) continue;
      const allele_change* change = allele(s, rec, pos, a);
      if (change == nullptr) return;
      iupac_ok = iupac_ok && change->substitutions_only;
    }
    if (!iupac_ok) {
      if (level.empty()) {
        call_error(s, "a mixture with an indel or '*' allele has no IUPAC code, and the sample has no allele levels (" +
                          join_fields() + ") to pick its major allele");
        return;
      }
      if (alleles[major] != 0) apply_allele(s, rec, pos, alleles[major], record);
      return;
    }
    // Merge the alleles site by site into IUPAC codes (REF's length: REF base where an allele keeps it).
    const std::string_view ref = rec->d.allele[0];
    for (std::size_t i = 0; i < ref.size(); ++i) {
      const std::int32_t p = pos + static_cast<std::int32_t>(i);
      std::uint8_t bases = 0;
      bool unread = false;
      for (int a : alleles) {
        const char c = upper(a == 0 ? ref[i] : rec->d.allele[a][i]);
        if (c == unreadable) unread = true;
        bases = static_cast<std::uint8_t>(bases | iupac::bases_of(c));
      }
      const char state = unread ? unreadable : iupac_code(bases);
      if (state != rcrs().base(p)) set_site(s, p, state, record);
    }
  }

  std::string join_fields() const {
    std::string out;
    for (const std::string& f : options_.level_fields) out += (out.empty() ? "" : ", ") + f;
    return out.empty() ? "none configured" : out;
  }

  void set_site(sample_calls& s, std::int32_t p, char state, std::uint32_t record) {
    auto [it, added] = s.sites.try_emplace(p, state, record);
    if (added || it->second.first == state) return;
    call_error(s, "calls position " + std::to_string(p) + " " + describe_state(state) + ", but " +
                      places_[it->second.second].site + describe_line(it->second.second) + " calls it " +
                      describe_state(it->second.first));
  }

  void set_insertion(sample_calls& s, std::int32_t anchor, const std::string& bases, std::uint32_t record) {
    auto [it, added] = s.insertions.try_emplace(anchor, bases, record);
    if (added || it->second.first == bases) return;
    call_error(s, "inserts " + bases + " after " + std::to_string(anchor) + ", but " + places_[it->second.second].site +
                      describe_line(it->second.second) + " inserts " + it->second.first);
  }

  static std::string describe_state(char state) {
    if (state == deleted) return "deleted";
    if (state == unreadable) return "unreadable (N)";
    return std::string("as ") + state;
  }

  std::string describe_line(std::uint32_t record) const {
    const std::size_t line = places_[record].line;
    return line == 0 ? std::string() : " (line " + std::to_string(line) + ")";
  }

  // The sample's canonical profile.
  void build(sample_calls& s) {
    profile p;
    p.id = s.name;
    range coverage = options_.coverage;
    std::vector<variant> raw;
    for (auto it = s.sites.begin(); it != s.sites.end(); ++it) {
      const auto [position, state] = std::pair(it->first, it->second.first);
      if (position == placeholder) continue;  // never a variant; a deletion must not run across it
      if (state == unreadable) {
        coverage = coverage.without(position, position);
      } else if (state == deleted) {
        if (!raw.empty() && raw.back().kind == variant_kind::deletion && raw.back().last() + 1 == position) {
          ++raw.back().length;
        } else {
          raw.push_back({position, variant_kind::deletion, 1, "", false});
        }
      } else {
        raw.push_back({position, variant_kind::substitution, 1, std::string(1, state), false});
      }
    }
    for (const auto& [anchor, value] : s.insertions) {
      raw.push_back({anchor, variant_kind::insertion, static_cast<std::int32_t>(value.first.size()), value.first, false});
    }
    for (const interval& m : s.missing) coverage = coverage.without(m.first, m.last);
    try {
      p.coverage = coverage;
      p.variants = canonicalize(coverage, raw);
    } catch (const error& e) {
      report(header_location(s.name, s.column), "sample " + s.name + ": " + e.reason());
      reject(s, reader_.chrom_line_number());
      return;
    }
    file_.profiles.push_back(std::move(p));
  }

  std::string path_;
  const vcf_options& options_;
  profile_file& file_;
  vcf_reader reader_;
  record_levels levels_;
  std::vector<sample_calls> samples_;
  std::vector<record_place> places_;
  std::int32_t* gt_ = nullptr;
  int gt_size_ = 0;
  int gt_count_ = 0;
  std::vector<int> called_;
  std::vector<std::optional<allele_change>> alleles_;
  std::vector<std::string> allele_errors_;
};

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
  }
  return true;
}

}  // namespace

profile_file read_vcf(const std::string& path, const vcf_options& options) {
  options.validate();
  // htslib's own warnings (undeclared FORMAT fields, …) would repeat what the errors say, once per
  // record; its log level is process-wide, so it is restored afterwards.
  struct quiet_htslib {
    enum htsLogLevel saved = hts_get_log_level();
    quiet_htslib() { hts_set_log_level(HTS_LOG_OFF); }
    ~quiet_htslib() { hts_set_log_level(saved); }
    quiet_htslib(const quiet_htslib&) = delete;
    quiet_htslib& operator=(const quiet_htslib&) = delete;
  } quiet;
  profile_file file;
  vcf_builder builder(path, options, file);
  builder.run();
  builder.finish();
  return file;
}

bool is_vcf_path(std::string_view path) noexcept {
  return ends_with_ci(path, ".vcf") || ends_with_ci(path, ".vcf.gz") || ends_with_ci(path, ".vcf.bgz") ||
         ends_with_ci(path, ".bcf");
}

profile_file read_profiles(const std::string& path, profile_format format, const read_options& options) {
  if (format == profile_format::detect) {
    format = is_vcf_path(path) ? profile_format::vcf : ends_with_ci(path, ".csv") ? profile_format::table : profile_format::hsd;
  }
  switch (format) {
    case profile_format::vcf: {
      vcf_options vo;
      vo.strict = options.strict;
      return read_vcf(path, vo);
    }
    case profile_format::table: return read_profile_table(path, options);
    case profile_format::hsd:
    case profile_format::detect: break;
  }
  return read_hsd(path, options);
}

}  // namespace mtmatch
