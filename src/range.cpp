#include "mtmatch/range.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "detail/tokenize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {
namespace {

bool is_separator(char c) noexcept { return c == ';' || c == ',' || c == ' ' || c == '\t' || c == '"'; }

std::int32_t parse_position(std::string_view text, const source_location& where, std::string_view piece) {
  std::int32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw error(where, "'" + std::string(piece) + "' is not a position or a FIRST-LAST stretch");
  }
  if (value < 1 || value > rcrs_length) {
    throw error(where, "position " + std::string(text) + " outside 1-16569");
  }
  return value;
}

}  // namespace

range::range(std::vector<interval> pieces) {
  for (const auto& p : pieces) {
    if (p.first < 1 || p.last > rcrs_length || p.first > p.last) {
      throw error("interval " + std::to_string(p.first) + "-" + std::to_string(p.last) +
                  " is not a stretch of 1-16569");
    }
  }
  std::sort(pieces.begin(), pieces.end(), [](const interval& a, const interval& b) { return a.first < b.first; });
  for (const auto& p : pieces) {
    if (!intervals_.empty() && p.first <= intervals_.back().last + 1) {
      intervals_.back().last = std::max(intervals_.back().last, p.last);
    } else {
      intervals_.push_back(p);
    }
  }
}

range range::whole() { return range({interval{1, rcrs_length}}); }

range range::parse(std::string_view text, const source_location& where) {
  std::vector<interval> pieces;
  detail::for_each_token(text, is_separator, [&](std::size_t start, std::string_view piece) {
    source_location at = where;
    at.column = (where.column == 0 ? 1 : where.column) + start;
    at.token = std::string(piece);
    if (piece == "ALL" || piece == "all") {
      pieces.push_back({1, rcrs_length});
      return;
    }
    auto dash = piece.find('-');
    if (dash == std::string_view::npos) {
      std::int32_t p = parse_position(piece, at, piece);
      pieces.push_back({p, p});
      return;
    }
    std::int32_t first = parse_position(piece.substr(0, dash), at, piece);
    std::int32_t last = parse_position(piece.substr(dash + 1), at, piece);
    if (first <= last) {
      pieces.push_back({first, last});
    } else {  // wraps the origin, e.g. the control region 16024-576
      pieces.push_back({first, rcrs_length});
      pieces.push_back({1, last});
    }
  });
  if (pieces.empty()) {
    source_location at = where;
    at.token = std::string(text);
    throw error(at, "empty range");
  }
  return range(std::move(pieces));
}

std::int32_t range::length() const noexcept {
  std::int32_t n = 0;
  for (const auto& p : intervals_) n += p.length();
  return n;
}

bool range::contains(std::int32_t position) const noexcept {
  auto it = std::upper_bound(intervals_.begin(), intervals_.end(), position,
                             [](std::int32_t pos, const interval& p) { return pos < p.first; });
  return it != intervals_.begin() && position <= std::prev(it)->last;
}

bool range::contains_insertion(std::int32_t anchor) const noexcept {
  std::int32_t next = anchor == rcrs_length ? 1 : anchor + 1;
  return contains(anchor) && contains(next);
}

bool range::contains_all(std::int32_t first, std::int32_t last) const noexcept {
  auto it = std::upper_bound(intervals_.begin(), intervals_.end(), first,
                             [](std::int32_t pos, const interval& p) { return pos < p.first; });
  return it != intervals_.begin() && last <= std::prev(it)->last;
}

range range::intersect(const range& other) const {
  range r;
  intersect(other, r);
  return r;
}

void range::intersect(const range& other, range& out) const {
  out.intervals_.clear();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < intervals_.size() && j < other.intervals_.size()) {
    const auto& a = intervals_[i];
    const auto& b = other.intervals_[j];
    std::int32_t first = std::max(a.first, b.first);
    std::int32_t last = std::min(a.last, b.last);
    if (first <= last) out.intervals_.push_back({first, last});  // sorted and disjoint as they come
    (a.last < b.last) ? ++i : ++j;
  }
}

range range::without(std::int32_t first, std::int32_t last) const {
  std::vector<interval> out;
  for (const auto& p : intervals_) {
    if (p.last < first || p.first > last) {
      out.push_back(p);
      continue;
    }
    if (p.first < first) out.push_back({p.first, first - 1});
    if (p.last > last) out.push_back({last + 1, p.last});
  }
  range r;
  r.intervals_ = std::move(out);
  return r;
}

std::string range::to_string() const {
  std::string out;
  for (const auto& p : intervals_) {
    if (!out.empty()) out += ';';
    out += std::to_string(p.first);
    if (p.last != p.first) out += '-' + std::to_string(p.last);
  }
  return out;
}

}  // namespace mtmatch
