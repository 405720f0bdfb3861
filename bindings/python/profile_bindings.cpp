// Python view of the profile model: Variant, Profile, read_hsd/read_profile_table, compare.
#include <pybind11/stl.h>

#include <sstream>

#include "bindings.hpp"
#include "mtmatch/compare.hpp"
#include "mtmatch/profile.hpp"
#include "mtmatch/profile_io.hpp"

namespace py = pybind11;

namespace mtmatch::python {
namespace {

const char* kind_name(variant_kind k) {
  switch (k) {
    case variant_kind::substitution: return "substitution";
    case variant_kind::deletion: return "deletion";
    case variant_kind::insertion: return "insertion";
  }
  return "?";
}

// An error as a small record: the message and where it points.
py::dict error_record(const error& e) {
  py::dict d;
  d["message"] = std::string(e.what());
  d["file"] = e.where().file;
  d["line"] = e.where().line;
  d["column"] = e.where().column;
  d["token"] = e.where().token;
  d["reason"] = e.reason();
  return d;
}

}  // namespace

void bind_profile(py::module_& m) {
  py::class_<variant>(m, "Variant", "One difference from the rCRS (canonical when taken from a Profile).")
      .def_readonly("position", &variant::position, "1-based rCRS position (insertions: the base they follow)")
      .def_property_readonly("kind", [](const variant& v) { return kind_name(v.kind); },
                             "'substitution', 'deletion' or 'insertion'")
      .def_readonly("length", &variant::length, "bases deleted or inserted (1 for a substitution)")
      .def_readonly("bases", &variant::bases, "substituted (IUPAC for a heteroplasmy) or inserted bases")
      .def_property_readonly("is_heteroplasmy", &variant::is_heteroplasmy)
      .def("compact", [](const variant& v) { return to_compact_string(v); }, "PhyloTree form: 8281-8289d, 309.1CC")
      .def("__str__", [](const variant& v) { return to_string(v); })
      .def("__repr__", [](const variant& v) { return "Variant('" + to_compact_string(v) + "')"; })
      .def("__eq__", [](const variant& a, const variant& b) { return a == b; })
      .def("__hash__", [](const variant& v) { return py::hash(py::str(to_compact_string(v))); });

  py::class_<profile>(m, "Profile", "An mtDNA profile in canonical form.")
      .def_static("parse", &profile::parse, py::arg("variants"), py::arg("range") = "1-16569", py::arg("id") = "",
                  "Parse variants written against the rCRS (any common notation) over a range and canonicalise.\n"
                  "Raises ValueError naming the column, token and reason of the first bad token.")
      .def("canonical", &profile::canonical, "Canonical forensic notation, e.g. '73G 263G 309.1C 315.1C'.")
      .def_readonly("id", &profile::id)
      .def_property_readonly("range", [](const profile& p) { return p.coverage.to_string(); },
                             "Covered range, e.g. '1-576;16024-16569'.")
      .def_property_readonly("covered_length", [](const profile& p) { return p.coverage.length(); })
      .def_readonly("variants", &profile::variants, "Canonical variants, sorted by position.")
      .def_readonly("declared_haplogroup", &profile::declared_haplogroup)
      .def("__eq__", [](const profile& a, const profile& b) { return a == b; })
      .def("__repr__", [](const profile& p) {
        return "Profile(id='" + p.id + "', range='" + p.coverage.to_string() + "', variants='" + p.canonical() + "')";
      });

  py::class_<profile_file>(m, "ProfileFile", "Profiles read from a file, with every error found.")
      .def_readonly("profiles", &profile_file::profiles)
      .def_property_readonly("errors", [](const profile_file& f) {
        py::list out;
        for (const auto& e : f.errors) out.append(error_record(e));
        return out;
      }, "One dict per error: message, file, line, column, token, reason.")
      .def_property_readonly("rejected", [](const profile_file& f) {
        py::list out;
        for (const auto& r : f.rejected) out.append(py::make_tuple(r.line, r.id));
        return out;
      }, "(line, id) of every record not kept.")
      .def_readonly("records", &profile_file::records)
      .def_property_readonly("ok", &profile_file::ok)
      .def("__len__", [](const profile_file& f) { return f.profiles.size(); })
      .def("__iter__", [](const profile_file& f) { return py::make_iterator(f.profiles.begin(), f.profiles.end()); },
           py::keep_alive<0, 1>());

  m.def("read_hsd", [](const std::string& path, bool strict) { return read_hsd(path, {.strict = strict}); },
        py::arg("path"), py::kw_only(), py::arg("strict") = false,
        "Read a HaploGrep .hsd file. Bad records are reported in .errors and .rejected; strict=True raises.");
  m.def("read_profile_table", [](const std::string& path, bool strict) { return read_profile_table(path, {.strict = strict}); },
        py::arg("path"), py::kw_only(), py::arg("strict") = false,
        "Read a CSV/TSV with columns id, range, variants (and optionally haplogroup).");
  m.def("write_hsd", [](const std::vector<profile>& profiles) {
    std::ostringstream out;
    write_hsd(out, profiles);
    return out.str();
  }, py::arg("profiles"), "Profiles as .hsd text in canonical notation.");

  py::class_<site_difference>(m, "SiteDifference")
      .def_readonly("position", &site_difference::position)
      .def_readonly("a", &site_difference::a)
      .def_readonly("b", &site_difference::b)
      .def_property_readonly("kind", [](const site_difference& d) { return to_string(d.what); })
      .def("__repr__", [](const site_difference& d) {
        return "SiteDifference(" + std::to_string(d.position) + ", a='" + d.a + "', b='" + d.b + "', " +
               to_string(d.what) + ")";
      });

  py::class_<comparison>(m, "Comparison", "Result of compare(a, b).")
      .def_readonly("compared_length", &comparison::compared_length)
      .def_readonly("differences", &comparison::differences)
      .def_readonly("differing", &comparison::differing)
      .def_readonly("ignored", &comparison::ignored)
      .def_property_readonly("verdict", [](const comparison& c) { return std::string(to_string(c.verdict)); })
      .def("__repr__", [](const comparison& c) {
        return "Comparison(verdict='" + std::string(to_string(c.verdict)) + "', differences=" +
               std::to_string(c.differences) + ", compared_length=" + std::to_string(c.compared_length) + ")";
      });

  m.def("compare",
        [](const profile& a, const profile& b, bool ignore_length_variants, bool pattern_match_heteroplasmy,
           int inconclusive_at, int exclusion_at) {
          compare_policy policy{ignore_length_variants, pattern_match_heteroplasmy, inconclusive_at, exclusion_at};
          policy.validate();
          return compare(a, b, policy);
        },
        py::arg("a"), py::arg("b"), py::kw_only(), py::arg("ignore_length_variants") = true,
        py::arg("pattern_match_heteroplasmy") = true, py::arg("inconclusive_at") = 1, py::arg("exclusion_at") = 2,
        "Reference comparison over the range both profiles cover: differences per site/event, verdict\n"
        "'match' (cannot exclude), 'inconclusive', 'exclusion' or 'no_overlap'.");
}

}  // namespace mtmatch::python
