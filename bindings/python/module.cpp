#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "mtmatch/mtmatch.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "mtmatch: matching mtDNA profiles of remains against maternal relatives (C++ core)";
  m.attr("__version__") = mtmatch::version;
  // mtmatch::error carries the file, line, column and token in its message: Python sees ValueError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const mtmatch::error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  mtmatch::python::bind_reference(m);
  mtmatch::python::bind_profile(m);
  mtmatch::python::bind_tree(m);
  mtmatch::python::bind_simulate(m);
  mtmatch::python::bind_vcf(m);
  mtmatch::python::bind_match(m);
}
