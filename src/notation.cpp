#include "mtmatch/notation.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "detail/tokenize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {
namespace {

// Token grammar, case-insensitive except the lone `D` (IUPAC A/G/T, not a deletion, as in EMPOP):
//   [-] [REF] POS [ '-' POS ] SUFFIX
//   SUFFIX := BASE | 'N' | 'd' | 'del' [BASES] | '-' | '.' K BASES | '.X' BASES | '+' BASES
// Parsing never throws on the hot path: a bad token yields its reason, which the caller turns into an
// error with the location.

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
constexpr bool is_acgt(char c) noexcept { return c == 'A' || c == 'C' || c == 'G' || c == 'T'; }
constexpr bool is_base_code(char c) noexcept { return iupac::bases_of(c) != 0; }  // ACGT, IUPAC, N

struct token_result {
  variant_token value;
  std::int32_t last = 0;  // end of a stretch `a-b`
  std::string why;        // empty when good
};

bool read_number(std::string_view s, std::size_t& i, std::int32_t& out) {
  std::size_t start = i;
  std::int64_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    v = v * 10 + (s[i] - '0');
    if (v > 1'000'000) return false;
    ++i;
  }
  out = static_cast<std::int32_t>(v);
  return i > start;
}

std::string position_text(std::int32_t p) { return std::to_string(p); }

token_result parse_token(std::string_view tok) {
  token_result r;
  variant& v = r.value.value;
  std::size_t i = 0;
  if (i < tok.size() && tok[i] == '-' && tok.size() > 1 && is_digit(tok[1])) ++i;  // EMPOP `-315.1C`
  char declared_ref = 0;
  if (i < tok.size() && !is_digit(tok[i])) {
    declared_ref = upper(tok[i]);
    if (!is_acgt(declared_ref) && declared_ref != 'N') {
      r.why = "not a variant (expected a position, optionally after the rCRS base)";
      return r;
    }
    ++i;
  }
  std::int32_t pos = 0;
  if (!read_number(tok, i, pos)) {
    r.why = "not a variant (expected a position)";
    return r;
  }
  if (pos < 1 || pos > rcrs_length) {
    r.why = "position outside 1-16569";
    return r;
  }
  v.position = pos;
  r.last = pos;
  if (declared_ref != 0 && declared_ref != rcrs()[pos] && !(pos == 3107)) {
    r.why = std::string("rCRS has ") + rcrs()[pos] + " at " + position_text(pos) + ", not " + declared_ref;
    return r;
  }
  // A stretch `a-b` followed by a suffix (`8281-8289d`, `16300-16310N`); a bare trailing '-' is a deletion.
  if (i + 1 < tok.size() && tok[i] == '-' && is_digit(tok[i + 1])) {
    ++i;
    std::int32_t last = 0;
    if (!read_number(tok, i, last) || last < pos || last > rcrs_length) {
      r.why = "stretch must be FIRST-LAST with FIRST <= LAST within 1-16569";
      return r;
    }
    r.last = last;
  }
  std::string_view rest = tok.substr(i);
  if (rest.empty()) {
    r.why = "no base or indel after the position";
    return r;
  }
  const bool stretch = r.last != pos;
  // Deletions: d, del, delA…, -
  auto lower_rest = [&](std::size_t n) {
    std::string s;
    for (std::size_t k = 0; k < n && k < rest.size(); ++k) s += static_cast<char>(std::tolower(static_cast<unsigned char>(rest[k])));
    return s;
  };
  if (rest == "d" || rest == "-" || lower_rest(3) == "del") {
    if (pos == 3107 && !stretch) {  // `3107d`: HaploGrep's way of saying the placeholder is not a base
      r.value.missing = true;
      return r;
    }
    v.kind = variant_kind::deletion;
    v.length = r.last - pos + 1;
    if (rest.size() > 3) {  // `249delA`: the named bases must be the rCRS bases
      std::string named;
      for (char c : rest.substr(3)) named += upper(c);
      std::string_view ref = rcrs().slice(pos, r.last);
      if (named != ref) {
        r.why = "rCRS has " + std::string(ref) + " at " + position_text(pos) + (stretch ? "-" + position_text(r.last) : "") +
                ", not " + named;
        return r;
      }
    }
    return r;
  }
  if (rest[0] == '.' || rest[0] == '+') {
    if (stretch) {
      r.why = "an insertion follows one position, not a stretch";
      return r;
    }
    std::size_t k = 1;
    int index = 1;
    if (rest[0] == '.') {
      if (k < rest.size() && upper(rest[k]) == 'X') {
        v.any_length = true;
        ++k;
      } else {
        std::int32_t idx = 0;
        if (!read_number(rest, k, idx) || idx < 1) {
          r.why = "insertion index must be .1, .2, … or .X";
          return r;
        }
        index = idx;
      }
    }
    std::string bases;
    for (; k < rest.size(); ++k) {
      char c = upper(rest[k]);
      if (!is_base_code(c)) {
        r.why = std::string("'") + rest[k] + "' is not a base";
        return r;
      }
      bases += c;
    }
    if (bases.empty()) {
      r.why = "insertion without inserted bases";
      return r;
    }
    v.kind = variant_kind::insertion;
    v.bases = std::move(bases);
    v.length = static_cast<std::int32_t>(v.bases.size());
    r.value.insertion_index = v.any_length ? 1 : index;
    return r;
  }
  if (rest.size() == 1) {
    char c = rest[0] == 'D' ? 'D' : upper(rest[0]);  // lone capital D is IUPAC (A/G/T)
    if (c == 'N') {
      r.value.missing = true;
      v.kind = variant_kind::substitution;
      v.bases = "N";
      v.length = r.last - pos + 1;
      return r;
    }
    if (!is_base_code(c)) {
      r.why = std::string("'") + rest[0] + "' is not a base, an IUPAC code, N, or an indel";
      return r;
    }
    if (stretch) {
      r.why = "a substitution is at one position, not a stretch";
      return r;
    }
    if (pos == 3107) {  // the placeholder: any base written there is notation, not a variant
      r.value.missing = true;
      v.bases = "N";
      return r;
    }
    if (c == rcrs()[pos]) {
      r.why = std::string("rCRS already has ") + c + " at " + position_text(pos);
      return r;
    }
    v.kind = variant_kind::substitution;
    v.bases.assign(1, c);
    v.length = 1;
    return r;
  }
  r.why = "not a variant (unknown suffix '" + std::string(rest) + "')";
  return r;
}

source_location locate(const source_location& where, std::size_t offset, std::string_view token) {
  source_location at = where;
  at.column = (where.column == 0 ? 1 : where.column) + offset;
  at.token = std::string(token);
  return at;
}

bool is_separator(char c) noexcept { return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '\r' || c == '\n'; }

// Insertions written piecewise (`309.1C 309.2C`, or `309.1CC 309.3T`) are joined per anchor.
struct pending_insertion {
  std::int32_t anchor;
  int index;
  std::string bases;
  bool any_length;
  std::size_t offset;
  std::string_view token;
};

}  // namespace

variant_token parse_variant_token(std::string_view token, const source_location& where) {
  token_result r = parse_token(token);
  if (!r.why.empty()) throw error(locate(where, 0, token), r.why);
  if (r.value.value.kind == variant_kind::insertion) r.value.value.length = static_cast<std::int32_t>(r.value.value.bases.size());
  return r.value;
}

parsed_variants parse_variants(std::string_view text, const range& coverage, const source_location& where,
                               std::vector<error>* errors, const notation_options& options) {
  parsed_variants out;
  // Each kept variant with the text offset of its token: conflicts are reported on the later token.
  struct written {
    variant value;
    std::size_t offset;
  };
  std::vector<written> kept;
  kept.reserve(text.size() / 5 + 1);
  std::vector<pending_insertion> insertions;
  auto fail = [&](std::size_t offset, std::string_view token, std::string why) {
    error e(locate(where, offset, token), why);
    if (errors == nullptr) throw e;
    errors->push_back(std::move(e));
  };
  auto outside = [&] { return "outside the profile's range " + coverage.to_string(); };
  auto token_at = [&](std::size_t offset) {
    std::string_view tok = text.substr(offset);
    return tok.substr(0, static_cast<std::size_t>(std::find_if(tok.begin(), tok.end(), is_separator) - tok.begin()));
  };

  detail::for_each_token(text, is_separator, [&](std::size_t start, std::string_view tok) {
    token_result r = parse_token(tok);
    if (!r.why.empty()) {
      fail(start, tok, r.why);
      return;
    }
    variant& v = r.value.value;
    if (r.value.missing) {
      if (v.position == 3107 && r.last == 3107) return;  // the placeholder is never compared anyway
      out.missing.push_back({v.position, r.last});
      return;
    }
    if (v.kind == variant_kind::insertion) {
      if (v.any_length && !options.allow_any_length_insertions) {
        fail(start, tok, "insertion of unspecified length is not allowed here");
      } else if (options.check_range && !coverage.contains_insertion(v.position)) {
        fail(start, tok, outside());
      } else {
        insertions.push_back({v.position, r.value.insertion_index, std::move(v.bases), v.any_length, start, tok});
      }
      return;
    }
    if (options.check_range && !coverage.contains_all(v.position, v.last())) {
      fail(start, tok, outside());
      return;
    }
    kept.push_back({std::move(v), start});
  });

  // Join insertion pieces: per anchor, indexes must run 1, 2, … without gaps or repeats.
  std::stable_sort(insertions.begin(), insertions.end(), [](const pending_insertion& a, const pending_insertion& b) {
    return a.anchor != b.anchor ? a.anchor < b.anchor : a.index < b.index;
  });
  for (std::size_t k = 0; k < insertions.size();) {
    std::size_t end = k;
    variant joined;
    joined.position = insertions[k].anchor;
    joined.kind = variant_kind::insertion;
    bool good = true;
    int expected = 1;
    while (end < insertions.size() && insertions[end].anchor == insertions[k].anchor) {
      const auto& piece = insertions[end];
      if (good && (piece.any_length || joined.any_length) && end != k) {
        fail(piece.offset, piece.token, "an insertion of unspecified length cannot be combined with others at " +
                                            position_text(piece.anchor));
        good = false;
      } else if (good && piece.index != expected) {
        fail(piece.offset, piece.token,
             piece.index < expected ? "insertion position ." + std::to_string(piece.index) + " written twice"
                                    : "." + std::to_string(piece.index) + " without ." + std::to_string(expected) +
                                          " (insertions are numbered from .1)");
        good = false;
      }
      if (good) {
        joined.bases += piece.bases;
        joined.any_length = joined.any_length || piece.any_length;
        expected += static_cast<int>(piece.bases.size());
      }
      ++end;
    }
    if (good) {
      joined.length = static_cast<std::int32_t>(joined.bases.size());
      kept.push_back({std::move(joined), insertions[k].offset});
    }
    k = end;
  }

  // Canonical order (position, then substitution < deletion < insertion), ties in the order written, so
  // that of two tokens claiming one site (`16093C 16093A`, `8281-8289d 8285d`) the later is reported.
  std::sort(kept.begin(), kept.end(), [](const written& a, const written& b) {
    if (a.value.position != b.value.position) return a.value.position < b.value.position;
    if (a.value.kind != b.value.kind) return a.value.kind < b.value.kind;
    return a.offset < b.offset;
  });
  out.variants.reserve(kept.size());
  std::int32_t covered_until = 0;  // last position taken by a substitution or deletion so far
  std::size_t covering = 0;        // index in out.variants of the one that took it
  for (auto& w : kept) {
    const variant& v = w.value;
    if (v.kind != variant_kind::insertion) {
      if (v.position <= covered_until) {
        fail(w.offset, token_at(w.offset),
             "position " + position_text(v.position) + " is already given by " + to_compact_string(out.variants[covering]));
        continue;
      }
    }
    bool in_missing = false;
    for (const auto& m : out.missing) {
      // An insertion needs both neighbours of its anchor; other variants need all their positions.
      const std::int32_t last = v.kind == variant_kind::insertion ? v.position + 1 : v.last();
      if (v.position <= m.last && last >= m.first) in_missing = true;
    }
    if (in_missing) {
      fail(w.offset, token_at(w.offset), "falls in a stretch written as missing (N)");
      continue;
    }
    if (v.kind != variant_kind::insertion) {
      covered_until = v.last();
      covering = out.variants.size();
    }
    out.variants.push_back(std::move(w.value));
  }
  if (std::is_sorted(out.variants.begin(), out.variants.end())) return out;
  std::sort(out.variants.begin(), out.variants.end());  // equal positions and kinds: order by content
  return out;
}

}  // namespace mtmatch
