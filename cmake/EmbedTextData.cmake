# Embeds a text file (a PhyloTree XML, weights or hotspot list) into the library as chunked raw string
# literals, after checking its SHA-256, so that the default haplogroup trees need no file at run time.
#
#   cmake -DINPUT=data/phylotree17/tree.xml -DOUTPUT=gen/phylotree17_tree.cpp -DSYMBOL=phylotree17_tree
#         -DSHA256=<hex> -P cmake/EmbedTextData.cmake
#
# The generated file defines `mtmatch::detail::<SYMBOL>_chunks` (string views, in order) and
# `<SYMBOL>_chunk_count`. Carriage returns are dropped (the XML files have CRLF line ends; raw string
# literals would not keep them portably). Chunks stay below 16,000 bytes, the longest literal every
# compiler accepts.
foreach(var INPUT OUTPUT SYMBOL SHA256)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "EmbedTextData.cmake: -D${var}=... is required")
  endif()
endforeach()

file(SHA256 ${INPUT} digest)
if(NOT digest STREQUAL SHA256)
  message(FATAL_ERROR "${INPUT}: SHA-256 ${digest} is not the expected ${SHA256} (see data/README.md)")
endif()

file(READ ${INPUT} text)
string(REPLACE "\r" "" text "${text}")
set(delimiter "mtmatch_embed")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT}: contains the raw-string delimiter )${delimiter}\"")
endif()

string(LENGTH "${text}" length)
set(chunk_size 12000)
set(body "")
set(count 0)
set(offset 0)
while(offset LESS length)
  string(SUBSTRING "${text}" ${offset} ${chunk_size} chunk)
  string(APPEND body "    std::string_view(R\"${delimiter}(${chunk})${delimiter}\"),\n")
  math(EXPR offset "${offset} + ${chunk_size}")
  math(EXPR count "${count} + 1")
endwhile()
if(count EQUAL 0)
  set(body "    std::string_view(),\n")
  set(count 1)
endif()

get_filename_component(input_name ${INPUT} NAME)
file(WRITE ${OUTPUT} "// Generated from ${input_name} by cmake/EmbedTextData.cmake; do not edit.
#include <cstddef>
#include <string_view>

namespace mtmatch::detail {
extern const std::string_view ${SYMBOL}_chunks[];
extern const std::size_t ${SYMBOL}_chunk_count;
const std::string_view ${SYMBOL}_chunks[] = {
${body}};
const std::size_t ${SYMBOL}_chunk_count = ${count};
}  // namespace mtmatch::detail
")
