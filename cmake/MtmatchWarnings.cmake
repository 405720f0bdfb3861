# Warnings, warnings-as-errors and sanitizers, applied per target so that dependencies are untouched.
function(mtmatch_set_warnings target)
  # -Wno-restrict: GCC 12 at -O3 reports false positives inside std::string concatenation (GCC PR 105329).
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wno-restrict)
  if(MTMATCH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(MTMATCH_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${MTMATCH_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=${MTMATCH_SANITIZE})
  endif()
endfunction()
