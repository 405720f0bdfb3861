# Reads the rCRS FASTA, checks it (length 16569, the only N at 3107, the MD5 of the bare sequence that
# the GRCh37/GRCh38 sequence dictionaries give for chrM), and writes it as a C++ source file.
file(STRINGS ${INPUT} lines)
set(sequence "")
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^>")
    string(STRIP "${line}" line)
    string(APPEND sequence "${line}")
  endif()
endforeach()
string(TOUPPER "${sequence}" sequence)
string(LENGTH "${sequence}" length)
if(NOT length EQUAL 16569)
  message(FATAL_ERROR "${INPUT}: expected 16569 bases, found ${length}")
endif()
string(MD5 digest "${sequence}")
if(NOT digest STREQUAL "c68f52674c9fb33aef52dcf399755519")
  message(FATAL_ERROR "${INPUT}: MD5 ${digest} is not the rCRS (c68f52674c9fb33aef52dcf399755519)")
endif()
string(SUBSTRING "${sequence}" 3106 1 base3107)
if(NOT base3107 STREQUAL "N")
  message(FATAL_ERROR "${INPUT}: position 3107 should be the N placeholder, found ${base3107}")
endif()
set(body "")
foreach(offset RANGE 0 16568 100)
  string(SUBSTRING "${sequence}" ${offset} 100 chunk)
  string(APPEND body "    \"${chunk}\"\n")
endforeach()
file(WRITE ${OUTPUT} "// Generated from data/rCRS.fasta by cmake/EmbedReference.cmake; do not edit.
#include <cstddef>

namespace mtmatch::detail {
extern const char rcrs_bases[];
extern const std::size_t rcrs_bases_length;
const char rcrs_bases[] =
${body};
const std::size_t rcrs_bases_length = sizeof(rcrs_bases) - 1;
}  // namespace mtmatch::detail
")
