// Python view of the VCF reader: read_vcf(path, *, …) and read_profiles(path, *, format=…).
#include <pybind11/stl.h>

#include <optional>

#include "bindings.hpp"
#include "mtmatch/vcf.hpp"

namespace py = pybind11;

namespace mtmatch::python {

void bind_vcf(py::module_& m) {
  m.def(
      "read_vcf",
      [](const std::string& path, bool strict, const std::optional<std::string>& coverage,
         const std::optional<std::vector<std::string>>& samples, double min_heteroplasmy,
         const std::vector<std::string>& level_fields) {
        vcf_options options;
        options.strict = strict;
        if (coverage) options.coverage = range::parse(*coverage);
        if (samples) options.samples = *samples;
        options.min_heteroplasmy = min_heteroplasmy;
        options.level_fields = level_fields;
        options.validate();
        py::gil_scoped_release release;
        return read_vcf(path, options);
      },
      py::arg("path"), py::kw_only(), py::arg("strict") = false, py::arg("range") = py::none(),
      py::arg("samples") = py::none(), py::arg("min_heteroplasmy") = 0.0,
      py::arg("level_fields") = std::vector<std::string>{"AF", "HP", "AD"},
      "Read a VCF/BCF (plain, gzip, bgzip): one canonical Profile per sample, as a ProfileFile.\n"
      "range: the range every profile covers (default the whole molecule, e.g. '16024-576' for control\n"
      "regions); samples: names to read (default all); min_heteroplasmy: lowest allele level (0-1) kept in a\n"
      "heteroplasmic call when the sample has levels (FORMAT fields level_fields: AF/HP fractions, AD depths).\n"
      "Bad records and calls are reported in .errors and .rejected; strict=True raises ValueError.");
  m.def(
      "read_profiles",
      [](const std::string& path, const std::string& format, bool strict) {
        profile_format f = profile_format::detect;
        if (format == "hsd") {
          f = profile_format::hsd;
        } else if (format == "table") {
          f = profile_format::table;
        } else if (format == "vcf") {
          f = profile_format::vcf;
        } else if (format != "detect") {
          throw error("read_profiles: format must be 'detect', 'hsd', 'table' or 'vcf', not '" + format + "'");
        }
        py::gil_scoped_release release;
        return read_profiles(path, f, {.strict = strict});
      },
      py::arg("path"), py::kw_only(), py::arg("format") = "detect", py::arg("strict") = false,
      "Read any profile file: VCF/BCF by extension (.vcf, .vcf.gz, .bcf), .csv tables, else HaploGrep .hsd.");
}

}  // namespace mtmatch::python
