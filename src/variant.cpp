#include "mtmatch/variant.hpp"

#include <ostream>
#include <string>

namespace mtmatch {

std::string to_string(const variant& v) {
  const std::string pos = std::to_string(v.position);
  switch (v.kind) {
    case variant_kind::substitution:
      return pos + v.bases;
    case variant_kind::deletion: {
      // EMPOP / HaploGrep: one token per deleted base, which both tools read.
      std::string out;
      for (std::int32_t p = v.position; p < v.position + v.length; ++p) {
        if (!out.empty()) out += ' ';
        out += std::to_string(p) + 'd';
      }
      return out;
    }
    case variant_kind::insertion: {
      if (v.any_length) return pos + ".X" + v.bases;
      std::string out;
      for (std::size_t k = 0; k < v.bases.size(); ++k) {
        if (!out.empty()) out += ' ';
        out += pos + '.' + std::to_string(k + 1) + v.bases[k];
      }
      return out;
    }
  }
  return pos;
}

std::string to_compact_string(const variant& v) {
  const std::string pos = std::to_string(v.position);
  switch (v.kind) {
    case variant_kind::substitution:
      return pos + v.bases;
    case variant_kind::deletion:
      return v.length == 1 ? pos + 'd' : pos + '-' + std::to_string(v.position + v.length - 1) + 'd';
    case variant_kind::insertion:
      return pos + (v.any_length ? ".X" : ".1") + v.bases;
  }
  return pos;
}

std::ostream& operator<<(std::ostream& out, const variant& v) { return out << to_compact_string(v); }

}  // namespace mtmatch
