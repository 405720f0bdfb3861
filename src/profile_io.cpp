#include "mtmatch/profile_io.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <ostream>
#include <sstream>
#include <unordered_set>

#include "mtmatch/normalize.hpp"
#include "mtmatch/notation.hpp"

namespace mtmatch {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A field of a line and the 1-based column where it starts.
struct field {
  std::string_view text;
  std::size_t column;
};

void split(std::string_view line, char delimiter, std::vector<field>& out) {
  out.clear();
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i < line.size() && line[i] == '"') quoted = !quoted;
    if (i == line.size() || (line[i] == delimiter && !quoted)) {
      std::string_view f = line.substr(start, i - start);
      std::size_t column = start + 1;
      if (f.size() >= 2 && f.front() == '"' && f.back() == '"') {
        f = f.substr(1, f.size() - 2);
        ++column;
      }
      out.push_back({f, column});
      start = i + 1;
    }
  }
}

// Builds one record into `file`: either a kept canonical profile or a rejected record with its errors.
// The good path allocates only what the profile keeps: locations are built when there is an error, the
// IDs seen are views into the input text, and a range written like the previous record's is reused.
class record_builder {
 public:
  record_builder(profile_file& file, std::string_view file_name, const read_options& options)
      : file_(file), options_(options) {
    where_.file = std::string(file_name);
  }

  void add(std::size_t line, field id, field coverage, std::string_view haplogroup, field variants) {
    ++file_.records;
    const std::size_t errors_before = file_.errors.size();
    where_.line = line;
    profile p;
    std::string_view id_text = trim(id.text);
    p.id = std::string(id_text);
    if (id_text.empty()) {
      report(id, "record without an ID");
    } else if (!seen_.insert(id_text).second) {
      report(id, "ID written twice (the first record with it is kept)");
    }
    if (coverage.text != last_range_text_ || last_range_.empty()) {
      where_.column = coverage.column;
      try {
        last_range_ = range::parse(coverage.text, where_);
        last_range_text_ = coverage.text;
      } catch (const error& e) {
        report(e.where(), e.reason());
        last_range_ = range();
      }
    }
    p.coverage = last_range_.empty() ? range::whole() : last_range_;
    std::string_view hg = trim(haplogroup);
    if (hg != "?") p.declared_haplogroup = std::string(hg);
    where_.column = variants.column;
    parsed_variants parsed = parse_variants(variants.text, p.coverage, where_, options_.strict ? nullptr : &file_.errors);
    if (file_.errors.size() == errors_before) {
      for (const auto& m : parsed.missing) p.coverage = p.coverage.without(m.first, m.last);
      try {
        p.variants = canonicalize(p.coverage, parsed.variants);
      } catch (const error& e) {
        report(id, e.reason());
      }
    }
    if (file_.errors.size() == errors_before) {
      file_.profiles.push_back(std::move(p));
    } else {
      file_.rejected.push_back({line, std::move(p.id)});
    }
  }

  /// An error about a whole line or field of the current record.
  void report(field at, const std::string& reason) {
    report(source_location{where_.file, where_.line, at.column, std::string(trim(at.text))}, reason);
  }
  void report(const source_location& where, const std::string& reason) {
    error e(where, reason);
    if (options_.strict) throw e;
    file_.errors.push_back(std::move(e));
  }
  void start_line(std::size_t line) { where_.line = line; }

 private:
  profile_file& file_;
  const read_options& options_;
  source_location where_;
  std::unordered_set<std::string_view> seen_;
  std::string_view last_range_text_;
  range last_range_;
};

template <class OnLine>
void for_each_line(std::string_view text, OnLine on_line) {
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    on_line(line_no, line);
    pos = end + 1;
  }
}

}  // namespace

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(source_location{path, 0, 0, ""}, "cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw error(source_location{path, 0, 0, ""}, "cannot read file");
  return std::move(buffer).str();
}

profile_file parse_hsd(std::string_view text, std::string_view file_name, const read_options& options) {
  profile_file file;
  record_builder builder(file, file_name, options);
  bool first_data_line = true;
  std::vector<field> fields;
  for_each_line(text, [&](std::size_t line_no, std::string_view line) {
    if (trim(line).empty() || trim(line).front() == '#') return;
    split(line, '\t', fields);
    if (first_data_line) {
      first_data_line = false;
      std::string head = lower(trim(fields[0].text));
      if (head == "sampleid" || head == "sample_id" || head == "id" || head == "sample") return;  // header
    }
    if (fields.size() < 2) {
      builder.start_line(line_no);
      builder.report(field{line, 1}, "expected tab-separated ID, range, haplogroup and variants");
      file.rejected.push_back({line_no, std::string(trim(fields[0].text))});
      ++file.records;
      return;
    }
    std::string_view haplogroup = fields.size() > 2 ? fields[2].text : std::string_view();
    // All variant columns are read as one list, so that pieces such as `309.1C  309.2C` join.
    field variants{std::string_view(), 1};
    if (fields.size() > 3) variants = {line.substr(fields[3].column - 1), fields[3].column};
    builder.add(line_no, fields[0], fields[1], haplogroup, variants);
  });
  return file;
}

profile_file read_hsd(const std::string& path, const read_options& options) {
  return parse_hsd(read_text_file(path), path, options);
}

profile_file parse_profile_table(std::string_view text, std::string_view file_name, const read_options& options) {
  profile_file file;
  record_builder builder(file, file_name, options);
  char delimiter = ',';
  int id_col = -1, range_col = -1, variants_col = -1, haplogroup_col = -1;
  std::vector<field> fields;
  bool have_header = false;
  for_each_line(text, [&](std::size_t line_no, std::string_view line) {
    if (trim(line).empty() || trim(line).front() == '#') return;
    if (!have_header) {
      have_header = true;
      delimiter = line.find('\t') != std::string_view::npos ? '\t' : ',';
      std::vector<field> names;
      split(line, delimiter, names);
      for (std::size_t k = 0; k < names.size(); ++k) {
        std::string name = lower(trim(names[k].text));
        int col = static_cast<int>(k);
        if (name == "id" || name == "sampleid" || name == "sample_id") id_col = col;
        else if (name == "range" || name == "coverage") range_col = col;
        else if (name == "variants" || name == "polymorphisms" || name == "profile") variants_col = col;
        else if (name == "haplogroup") haplogroup_col = col;
      }
      if (id_col < 0 || range_col < 0 || variants_col < 0) {
        builder.start_line(line_no);
        builder.report(field{line, 1}, "header must name the columns id, range and variants");
      }
      return;
    }
    if (id_col < 0 || range_col < 0 || variants_col < 0) return;  // reported once at the header
    split(line, delimiter, fields);
    int needed = std::max({id_col, range_col, variants_col});
    if (static_cast<int>(fields.size()) <= needed) {
      builder.start_line(line_no);
      builder.report(field{line, 1}, "expected " + std::to_string(needed + 1) + " fields, found " + std::to_string(fields.size()));
      file.rejected.push_back({line_no, fields.empty() ? std::string() : std::string(trim(fields[0].text))});
      ++file.records;
      return;
    }
    std::string_view haplogroup =
        haplogroup_col >= 0 && haplogroup_col < static_cast<int>(fields.size()) ? fields[static_cast<std::size_t>(haplogroup_col)].text : std::string_view();
    builder.add(line_no, fields[static_cast<std::size_t>(id_col)], fields[static_cast<std::size_t>(range_col)], haplogroup,
                fields[static_cast<std::size_t>(variants_col)]);
  });
  return file;
}

profile_file read_profile_table(const std::string& path, const read_options& options) {
  return parse_profile_table(read_text_file(path), path, options);
}

void write_hsd(std::ostream& out, std::span<const profile> profiles) {
  out << "SampleId\tRange\tHaplogroup\tPolymorphisms\n";
  for (const auto& p : profiles) {
    out << p.id << '\t' << p.coverage.to_string() << '\t' << (p.declared_haplogroup.empty() ? "?" : p.declared_haplogroup);
    for (const auto& v : p.variants) {
      std::string text = to_string(v);
      std::replace(text.begin(), text.end(), ' ', '\t');
      out << '\t' << text;
    }
    out << '\n';
  }
}

}  // namespace mtmatch
