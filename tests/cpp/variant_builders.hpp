#pragma once
// Short builders for variants in tests: sub(16223, 'T'), del(8281, 9), ins(309, "CC").
#include <string>
#include <utility>

#include "mtmatch/variant.hpp"

namespace mtmatch::test {

inline variant sub(int p, char b) { return variant{p, variant_kind::substitution, 1, std::string(1, b), false}; }
inline variant del(int p, int n = 1) { return variant{p, variant_kind::deletion, n, "", false}; }
inline variant ins(int p, std::string b) {
  int n = static_cast<int>(b.size());
  return variant{p, variant_kind::insertion, n, std::move(b), false};
}

}  // namespace mtmatch::test
