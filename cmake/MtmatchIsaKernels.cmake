# ISA-specific kernels: src/kernels_<isa>.cpp is compiled with that ISA's flags and nothing else is.
# The dispatcher (src/dispatch.cpp) picks one at run time, so one binary runs on any x86-64.
set(MTMATCH_ISA_FLAGS_avx2 "-mavx2;-mpopcnt;-mbmi2")
set(MTMATCH_ISA_FLAGS_avx512 "-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx512vpopcntdq;-mpopcnt")
set(MTMATCH_ISA_FLAGS_scalar "")
function(mtmatch_add_isa_kernels target)
  file(GLOB kernels CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/kernels_*.cpp)
  foreach(kernel IN LISTS kernels)
    string(REGEX REPLACE ".*kernels_([a-z0-9_]+)\\.cpp$" "\\1" isa ${kernel})
    target_sources(${target} PRIVATE ${kernel})
    set_source_files_properties(${kernel} PROPERTIES COMPILE_OPTIONS "${MTMATCH_ISA_FLAGS_${isa}}")
  endforeach()
endfunction()
