#pragma once
/// @file notation.hpp
/// Text → variants. Accepts the spellings of EMPOP, ISFG, HaploGrep and PhyloTree (see README):
/// `16223T`, `C16223T`, `16093Y`, `249d`/`249del`/`249DEL`/`249-`/`A249-`/`249delA`, `8281-8289d`,
/// `309.1C`, `309.1CC`, `309+CC`, `-315.1C`, `315+C`, `573.XC`, and `N` for unreadable positions.
/// The result is the *raw* spelling as variants; normalize.hpp turns it into the canonical form.

#include <string>
#include <string_view>
#include <vector>

#include "mtmatch/error.hpp"
#include "mtmatch/range.hpp"
#include "mtmatch/variant.hpp"

namespace mtmatch {

/// Variants and missing positions read from one variant list, not yet canonical.
struct parsed_variants {
  std::vector<variant> variants;  ///< one per event as written: `309.1C 309.2C` → one insertion "CC"
  std::vector<interval> missing;  ///< positions written as `N` (`16300N`, `16300-16310N`): not covered
};

/// Options for reading variant text.
struct notation_options {
  /// Check variants against the covered range: `300G` in range 16024-16365 is an error.
  bool check_range = true;
  /// Accept PhyloTree-only forms (`573.XC`, back-mutations are not accepted here either way).
  bool allow_any_length_insertions = true;
};

/// Parses a whitespace/comma separated list of variants written against the rCRS, within `coverage`.
/// Every bad token becomes an error in `errors` (its column counted from `where.column`, so a caller
/// reading a file passes the column where the list starts); good tokens are kept. When `errors` is
/// null, the first bad token throws mtmatch::error instead.
/// Example: parse_variants("16223T 16093Y 309.1C 309.2C 523-524d", range::whole()).
[[nodiscard]] parsed_variants parse_variants(std::string_view text, const range& coverage,
                                             const source_location& where = {},
                                             std::vector<error>* errors = nullptr,
                                             const notation_options& options = {});

/// Parses a single token (no separators) into a variant; throws mtmatch::error naming the token.
/// Insertions with an index other than .1 (`309.2C`) are returned with their index in `insertion_index`.
struct variant_token {
  variant value;
  int insertion_index = 0;  ///< k of `p.kX`, 0 for non-insertions
  bool missing = false;     ///< `N` at a position: the position is unreadable
};
[[nodiscard]] variant_token parse_variant_token(std::string_view token, const source_location& where = {});

}  // namespace mtmatch
