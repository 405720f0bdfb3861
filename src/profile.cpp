#include "mtmatch/profile.hpp"

#include <ostream>

#include "mtmatch/normalize.hpp"
#include "mtmatch/notation.hpp"

namespace mtmatch {

std::string profile::canonical() const {
  std::string out;
  for (const auto& v : variants) {
    if (!out.empty()) out += ' ';
    out += to_string(v);
  }
  return out;
}

profile profile::parse(std::string_view variants, std::string_view coverage, std::string id) {
  profile p;
  p.id = std::move(id);
  p.coverage = range::parse(coverage);
  parsed_variants parsed = parse_variants(variants, p.coverage);
  for (const auto& m : parsed.missing) p.coverage = p.coverage.without(m.first, m.last);
  p.variants = canonicalize(p.coverage, parsed.variants);
  return p;
}

std::ostream& operator<<(std::ostream& out, const profile& p) {
  return out << p.id << " [" << p.coverage.to_string() << "] " << p.canonical();
}

}  // namespace mtmatch
