#pragma once
// Each concept binds itself into the module from its own file; module.cpp calls them in order.
#include <pybind11/pybind11.h>

namespace mtmatch::python {

void bind_reference(pybind11::module_& m);
void bind_profile(pybind11::module_& m);
void bind_tree(pybind11::module_& m);
void bind_simulate(pybind11::module_& m);
void bind_vcf(pybind11::module_& m);
void bind_match(pybind11::module_& m);

}  // namespace mtmatch::python
