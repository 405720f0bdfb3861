#include "mtmatch/reference.hpp"

#include <string>

#include "mtmatch/error.hpp"

namespace mtmatch {
namespace detail {
extern const char rcrs_bases[];
extern const std::size_t rcrs_bases_length;
}  // namespace detail

char reference::base(int position) const {
  if (!contains(position)) {
    throw error("position " + std::to_string(position) + " outside 1-" + std::to_string(length()) + " of " +
                std::string(name_));
  }
  return (*this)[position];
}

std::string_view reference::slice(int first, int last) const {
  if (!contains(first) || !contains(last) || first > last) {
    throw error("slice " + std::to_string(first) + "-" + std::to_string(last) + " outside 1-" +
                std::to_string(length()) + " of " + std::string(name_));
  }
  return bases_.substr(static_cast<std::size_t>(first - 1), static_cast<std::size_t>(last - first + 1));
}

const reference& rcrs() noexcept {
  static const reference instance("NC_012920.1", std::string_view(detail::rcrs_bases, detail::rcrs_bases_length));
  return instance;
}

}  // namespace mtmatch
