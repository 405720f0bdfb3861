#pragma once
// Splitting text into tokens while remembering where each starts, so errors can name the column.
#include <cstddef>
#include <string_view>

namespace mtmatch::detail {

/// Calls on_token(offset, token) for every maximal run of characters that are not separators.
template <class IsSeparator, class OnToken>
void for_each_token(std::string_view text, IsSeparator is_separator, OnToken on_token) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_separator(text[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && !is_separator(text[i])) ++i;
    on_token(start, text.substr(start, i - start));
  }
}

}  // namespace mtmatch::detail
