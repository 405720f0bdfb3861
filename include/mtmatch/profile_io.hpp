#pragma once
/// @file profile_io.hpp
/// Reading and writing profile files: HaploGrep `.hsd` and a simple CSV/TSV table.
///
/// Reading collects every error (file, line, column, token, reason) in a report and keeps every good
/// record; a record with any error is rejected *and listed*, never dropped silently or half-read
/// (a profile missing one of its variants would match the wrong families). `strict` stops at the first.

#include <cstddef>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtmatch/error.hpp"
#include "mtmatch/profile.hpp"

namespace mtmatch {

/// How to read a profile file.
struct read_options {
  /// Throw the first error instead of collecting errors.
  bool strict = false;
};

/// A record that was not kept, and why (its errors are in profile_file::errors).
struct rejected_record {
  std::size_t line = 0;
  std::string id;
};

/// What reading a file gave: the good profiles (canonical), every error, and the rejected records.
struct profile_file {
  std::vector<profile> profiles;
  std::vector<error> errors;
  std::vector<rejected_record> rejected;
  std::size_t records = 0;  ///< data lines seen (profiles.size() + rejected.size())
  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

/// Reads a HaploGrep `.hsd` file: tab-separated `ID  Range  Haplogroup  Poly1  Poly2 …` (haplogroup
/// `?` if unknown; variants may also be space-separated in one field; ranges as in range::parse, quoted
/// or not); an optional header line (`SampleId …`) and `#` comment lines are skipped.
/// Throws mtmatch::error only when the file cannot be read (or on the first error when strict).
[[nodiscard]] profile_file read_hsd(const std::string& path, const read_options& options = {});
/// The same from text in memory; `file_name` is used in error messages.
[[nodiscard]] profile_file parse_hsd(std::string_view text, std::string_view file_name = "",
                                     const read_options& options = {});

/// Reads a CSV or TSV table with a header naming the columns `id`, `range`, `variants` and optionally
/// `haplogroup` (any order, case-insensitive); the delimiter is a tab if the header has one, else a
/// comma; variants are separated by spaces within their field; fields may be double-quoted.
[[nodiscard]] profile_file read_profile_table(const std::string& path, const read_options& options = {});
[[nodiscard]] profile_file parse_profile_table(std::string_view text, std::string_view file_name = "",
                                               const read_options& options = {});

/// Writes profiles as `.hsd` (canonical forensic notation, one variant per column, with a header).
void write_hsd(std::ostream& out, std::span<const profile> profiles);

/// Reads a whole file into memory; throws mtmatch::error naming the file when it cannot.
[[nodiscard]] std::string read_text_file(const std::string& path);

}  // namespace mtmatch
