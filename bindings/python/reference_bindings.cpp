#include <string>

#include "bindings.hpp"
#include "mtmatch/reference.hpp"

namespace py = pybind11;

namespace mtmatch::python {

void bind_reference(py::module_& m) {
  m.def("rcrs", [] { return std::string(mtmatch::rcrs().bases()); },
        "The rCRS (NC_012920.1) as a 16,569-character string; position p is rcrs()[p - 1].");
  m.def("rcrs_base", [](int position) { return std::string(1, mtmatch::rcrs().base(position)); },
        py::arg("position"), "The rCRS base at a 1-based position; ValueError outside 1-16569.");
  m.attr("RCRS_LENGTH") = mtmatch::rcrs_length;
}

}  // namespace mtmatch::python
