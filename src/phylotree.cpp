#include "mtmatch/phylotree.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "detail/phylotree_impl.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {
namespace detail {
extern const std::string_view phylotree17_tree_chunks[];
extern const std::size_t phylotree17_tree_chunk_count;
extern const std::string_view phylotree17_weights_chunks[];
extern const std::size_t phylotree17_weights_chunk_count;
extern const std::string_view phylotree17_hotspots_chunks[];
extern const std::size_t phylotree17_hotspots_chunk_count;
extern const std::string_view phylotree17_fu_tree_chunks[];
extern const std::size_t phylotree17_fu_tree_chunk_count;
extern const std::string_view phylotree17_fu_weights_chunks[];
extern const std::size_t phylotree17_fu_weights_chunk_count;
}  // namespace detail

namespace {

using detail::token_id;

constexpr char upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_acgt(char c) noexcept { return c == 'A' || c == 'C' || c == 'G' || c == 'T'; }
constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

source_location located(std::string_view file, std::size_t line, std::size_t column, std::string_view token) {
  source_location where;
  where.file = std::string(file);
  where.line = line;
  where.column = column;
  where.token = std::string(token);
  return where;
}

// ------------------------------------------------------------------------------------------------
// A small XML reader: enough of XML 1.0 for HaploGrep tree files (prolog, comments, CDATA, start/end/
// empty tags with single- or double-quoted attributes, the five predefined entities and numeric
// character references, any line ends). It reports start tags, end tags and text with their line
// and column; nesting errors are reported with the location of the offending tag.
// ------------------------------------------------------------------------------------------------
struct xml_attribute {
  std::string name;
  std::string value;
};

struct xml_event {
  enum class kind { start, end, text } what = kind::text;
  std::string name;                      // start/end: the element name
  std::vector<xml_attribute> attributes;  // start
  bool self_closing = false;              // start: `<x/>` (an end event follows)
  std::string text;                       // text: decoded
  std::size_t line = 0;
  std::size_t column = 0;
};

class xml_reader {
 public:
  xml_reader(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  /// Next event; false at the end of the input.
  bool next(xml_event& event) {
    if (pending_end_) {
      event.what = xml_event::kind::end;
      event.attributes.clear();
      event.self_closing = false;
      pending_end_ = false;
      return true;
    }
    for (;;) {
      if (pos_ >= text_.size()) {
        if (!open_.empty()) fail(line_, column_, "<" + open_.back() + ">", "element is never closed");
        return false;
      }
      if (text_[pos_] != '<') {
        event = xml_event{};
        event.what = xml_event::kind::text;
        event.line = line_;
        event.column = column_;
        std::size_t end = text_.find('<', pos_);
        if (end == std::string_view::npos) end = text_.size();
        event.text = decode(text_.substr(pos_, end - pos_), line_, column_);
        advance_to(end);
        return true;
      }
      const std::size_t line = line_;
      const std::size_t column = column_;
      std::string_view rest = text_.substr(pos_);
      if (rest.starts_with("<?")) {
        skip_past("?>", line, column, "<?");
        continue;
      }
      if (rest.starts_with("<!--")) {
        skip_past("-->", line, column, "<!--");
        continue;
      }
      if (rest.starts_with("<![CDATA[")) {
        std::size_t end = text_.find("]]>", pos_);
        if (end == std::string_view::npos) fail(line, column, "<![CDATA[", "CDATA section is never closed");
        event = xml_event{};
        event.what = xml_event::kind::text;
        event.line = line;
        event.column = column;
        event.text = std::string(text_.substr(pos_ + 9, end - pos_ - 9));
        advance_to(end + 3);
        return true;
      }
      if (rest.starts_with("<!")) {  // DOCTYPE and other declarations: not used by tree files
        skip_past(">", line, column, "<!");
        continue;
      }
      if (rest.starts_with("</")) {
        advance(2);
        std::string name = read_name();
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '>') fail(line, column, "</" + name, "malformed end tag");
        advance(1);
        if (open_.empty() || open_.back() != name) {
          fail(line, column, "</" + name + ">",
               open_.empty() ? "end tag without a start tag" : "end tag does not match <" + open_.back() + ">");
        }
        open_.pop_back();
        event = xml_event{};
        event.what = xml_event::kind::end;
        event.name = std::move(name);
        event.line = line;
        event.column = column;
        return true;
      }
      advance(1);
      event = xml_event{};
      event.what = xml_event::kind::start;
      event.line = line;
      event.column = column;
      event.name = read_name();
      if (event.name.empty()) fail(line, column, "<", "expected an element name after '<'");
      for (;;) {
        skip_space();
        if (pos_ >= text_.size()) fail(line, column, "<" + event.name, "start tag is never closed");
        char c = text_[pos_];
        if (c == '>') {
          advance(1);
          open_.push_back(event.name);
          return true;
        }
        if (c == '/') {
          if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '>') fail(line_, column_, "/", "expected '/>'");
          advance(2);
          event.self_closing = true;
          pending_end_ = true;
          return true;
        }
        const std::size_t attr_line = line_;
        const std::size_t attr_column = column_;
        xml_attribute attribute;
        attribute.name = read_name();
        if (attribute.name.empty()) fail(attr_line, attr_column, std::string(1, c), "expected an attribute name");
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '=') fail(attr_line, attr_column, attribute.name, "attribute without '='");
        advance(1);
        skip_space();
        if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'')) {
          fail(attr_line, attr_column, attribute.name, "attribute value must be quoted");
        }
        const char quote = text_[pos_];
        advance(1);
        std::size_t end = text_.find(quote, pos_);
        if (end == std::string_view::npos) fail(attr_line, attr_column, attribute.name, "attribute value is never closed");
        const std::size_t value_line = line_;
        const std::size_t value_column = column_;
        attribute.value = decode(text_.substr(pos_, end - pos_), value_line, value_column);
        advance_to(end + 1);
        event.attributes.push_back(std::move(attribute));
      }
    }
  }

  [[noreturn]] void fail(std::size_t line, std::size_t column, std::string_view token, const std::string& why) const {
    throw error(located(file_, line, column, token), why);
  }

 private:
  static bool name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-' || c == '.' ||
           c == ':' || static_cast<unsigned char>(c) >= 0x80;
  }
  std::string read_name() {
    std::size_t start = pos_;
    std::size_t end = pos_;
    while (end < text_.size() && name_char(text_[end])) ++end;
    advance_to(end);
    return std::string(text_.substr(start, end - start));
  }
  void skip_space() {
    std::size_t end = pos_;
    while (end < text_.size() && is_space(text_[end])) ++end;
    advance_to(end);
  }
  void skip_past(std::string_view terminator, std::size_t line, std::size_t column, std::string_view what) {
    std::size_t end = text_.find(terminator, pos_);
    if (end == std::string_view::npos) fail(line, column, what, "never closed (expected '" + std::string(terminator) + "')");
    advance_to(end + terminator.size());
  }
  void advance(std::size_t n) { advance_to(pos_ + n); }
  // Moves to `end`, counting lines: "\r\n", "\r" and "\n" each end a line.
  void advance_to(std::size_t end) {
    for (; pos_ < end; ++pos_) {
      char c = text_[pos_];
      if (c == '\n' || (c == '\r' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '\n'))) {
        ++line_;
        column_ = 1;
      } else if (c != '\r') {
        ++column_;
      }
    }
  }
  std::string decode(std::string_view raw, std::size_t line, std::size_t column) const {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      std::size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos) fail(line, column + i, raw.substr(i, 8), "'&' without ';'");
      std::string_view name = raw.substr(i + 1, semi - i - 1);
      if (name == "amp") out += '&';
      else if (name == "lt") out += '<';
      else if (name == "gt") out += '>';
      else if (name == "quot") out += '"';
      else if (name == "apos") out += '\'';
      else if (name.size() > 1 && name[0] == '#') {
        const bool hex = name[1] == 'x' || name[1] == 'X';
        std::string digits(name.substr(hex ? 2 : 1));
        char* end = nullptr;
        unsigned long code = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
        if (digits.empty() || *end != '\0' || code == 0 || code > 0x10FFFF) {
          fail(line, column + i, raw.substr(i, semi - i + 1), "bad character reference");
        }
        append_utf8(out, static_cast<std::uint32_t>(code));
      } else {
        fail(line, column + i, raw.substr(i, semi - i + 1), "unknown entity");
      }
      i = semi;
    }
    return out;
  }
  static void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  std::string_view text_;
  std::string_view file_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t column_ = 1;
  bool pending_end_ = false;
  std::vector<std::string> open_;
};

// ------------------------------------------------------------------------------------------------
// PhyloTree tokens
// ------------------------------------------------------------------------------------------------

// Parses a token without `!`; returns an empty string on success, else the reason.
std::string parse_poly(std::string_view token, tree_poly& out) {
  out = tree_poly{};
  std::size_t i = 0;
  std::int64_t pos = 0;
  while (i < token.size() && is_digit(token[i])) {
    pos = pos * 10 + (token[i] - '0');
    if (pos > 1'000'000) return "position outside 1-16569";
    ++i;
  }
  if (i == 0) return "not a PhyloTree poly (expected a position)";
  if (pos < 1 || pos > rcrs_length) return "position outside 1-16569";
  out.position = static_cast<std::int32_t>(pos);
  std::string_view rest = token.substr(i);
  if (rest.empty()) {  // a bare position is the transition away from the rCRS base (HaploGrep)
    switch (rcrs()[out.position]) {
      case 'A': out.bases = "G"; break;
      case 'G': out.bases = "A"; break;
      case 'C': out.bases = "T"; break;
      case 'T': out.bases = "C"; break;
      default: return "no transition from the rCRS base at this position";
    }
    out.kind = variant_kind::substitution;
    return {};
  }
  if (rest == "d" || rest == "D" || rest == "del" || rest == "DEL" || rest == "Del") {
    out.kind = variant_kind::deletion;
    return {};
  }
  if (rest[0] == '.') {
    std::size_t k = 1;
    if (k < rest.size() && upper(rest[k]) == 'X') {
      out.index = 0;
      ++k;
    } else {
      std::int64_t index = 0;
      const std::size_t start = k;
      while (k < rest.size() && is_digit(rest[k])) {
        index = index * 10 + (rest[k] - '0');
        if (index > 1000) return "insertion index too large";
        ++k;
      }
      if (k == start || index < 1) return "insertion index must be .1, .2, … or .X";
      out.index = static_cast<std::int32_t>(index);
    }
    for (; k < rest.size(); ++k) {
      char c = upper(rest[k]);
      if (!is_acgt(c) && c != 'N') return std::string("'") + rest[k] + "' is not an inserted base";
      out.bases += c;
    }
    if (out.bases.empty()) return "insertion without inserted bases";
    out.kind = variant_kind::insertion;
    return {};
  }
  if (rest.size() == 1) {
    char c = upper(rest[0]);
    if (iupac::bases_of(c) == 0) return std::string("'") + rest[0] + "' is not a base";
    out.kind = variant_kind::substitution;
    out.bases.assign(1, c);
    return {};
  }
  return "not a PhyloTree poly (unknown suffix '" + std::string(rest) + "')";
}

// A token with its `!` marks: one `!` is a back-mutation (the poly is no longer expected); HaploGrep
// reads `!!` the same way, and so do we.
struct raw_poly {
  tree_poly poly;
  bool back = false;
  std::string text;  // as written, without `!`
};

raw_poly parse_raw_poly(std::string_view token, const source_location& where) {
  raw_poly r;
  std::string_view t = token;
  while (!t.empty() && t.back() == '!') {
    r.back = true;
    t.remove_suffix(1);
  }
  if (t.size() > 2 && t.front() == '(' && t.back() == ')') t = t.substr(1, t.size() - 2);  // "(16519C)": uncertain
  std::string why = parse_poly(t, r.poly);
  if (!why.empty()) throw error(where, why);
  r.text = std::string(t);
  return r;
}

double parse_number(std::string_view field, const source_location& where) {
  std::string s(trim(field));
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (s.empty() || end == nullptr || *end != '\0' || !std::isfinite(value)) throw error(where, "not a number");
  return value;
}

std::vector<std::string_view> split(std::string_view line, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = line.find(separator, start);
    if (end == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, end - start));
    start = end + 1;
  }
}

// Calls f(line_number, line) for each line; CRLF and CR line ends are handled.
template <class F>
void for_each_line(std::string_view text, F&& f) {
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    f(number, text.substr(start, end - start));
    if (end < text.size() && text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ++end;
    start = end + 1;
  }
}

std::string join_chunks(const std::string_view* chunks, std::size_t count) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) total += chunks[i].size();
  std::string out;
  out.reserve(total);
  for (std::size_t i = 0; i < count; ++i) out += chunks[i];
  return out;
}

// One <haplogroup> as read from the XML, in document order.
struct xml_node {
  std::string name;
  std::int32_t xml_parent = -1;
  std::vector<std::int32_t> xml_children;
  std::vector<raw_poly> polys;
  std::size_t line = 0;
  std::size_t column = 0;
};

std::vector<xml_node> read_tree_xml(std::string_view xml, std::string_view file) {
  xml_reader reader(xml, file);
  std::vector<xml_node> nodes;
  // Element stack: what each open element is, and for haplogroups their node index.
  enum class element { other, phylotree, haplogroup, details, poly };
  struct open_element {
    element what;
    std::int32_t node;
  };
  std::vector<open_element> stack;
  std::string poly_text;
  std::size_t poly_line = 0;
  std::size_t poly_column = 0;
  bool saw_root = false;
  xml_event event;
  while (reader.next(event)) {
    if (event.what == xml_event::kind::text) {
      if (!stack.empty() && stack.back().what == element::poly) {
        if (poly_text.empty()) {
          // Column of the first non-blank character of the poly text.
          std::size_t skip = 0;
          while (skip < event.text.size() && is_space(event.text[skip])) ++skip;
          poly_line = event.line;
          poly_column = event.column + skip;
        }
        poly_text += event.text;
      }
      // Other text (indentation, the stray "3" after H2a2a1b in phylotree-rcrs-17) carries nothing.
      continue;
    }
    if (event.what == xml_event::kind::start) {
      const std::int32_t current = stack.empty() ? -1 : stack.back().node;
      if (stack.empty()) {
        if (event.name != "phylotree") reader.fail(event.line, event.column, "<" + event.name + ">", "expected <phylotree> as the root element");
        if (saw_root) reader.fail(event.line, event.column, "<phylotree>", "a second root element");
        saw_root = true;
        stack.push_back({element::phylotree, -1});
      } else if (event.name == "haplogroup") {
        const element parent = stack.back().what;
        if (parent != element::phylotree && parent != element::haplogroup) {
          reader.fail(event.line, event.column, "<haplogroup>", "a haplogroup must sit in <phylotree> or another <haplogroup>");
        }
        if (parent == element::phylotree && !nodes.empty()) {
          reader.fail(event.line, event.column, "<haplogroup>", "the tree must have exactly one top-level haplogroup");
        }
        xml_node node;
        for (const auto& a : event.attributes) {
          if (a.name == "name") node.name = std::string(trim(a.value));
        }
        if (node.name.empty()) reader.fail(event.line, event.column, "<haplogroup>", "haplogroup without a name attribute");
        node.xml_parent = current;
        node.line = event.line;
        node.column = event.column;
        const auto index = static_cast<std::int32_t>(nodes.size());
        if (current >= 0) nodes[static_cast<std::size_t>(current)].xml_children.push_back(index);
        nodes.push_back(std::move(node));
        stack.push_back({element::haplogroup, index});
      } else if (event.name == "details") {
        if (stack.back().what != element::haplogroup) reader.fail(event.line, event.column, "<details>", "<details> outside a haplogroup");
        stack.push_back({element::details, current});
      } else if (event.name == "poly") {
        if (stack.back().what != element::details) reader.fail(event.line, event.column, "<poly>", "<poly> outside <details>");
        stack.push_back({element::poly, current});
        poly_text.clear();
        poly_line = event.line;
        poly_column = event.column;
      } else {
        stack.push_back({element::other, current});  // unknown elements are ignored, their content too
      }
      continue;
    }
    // end tag
    if (stack.back().what == element::poly) {
      std::string_view token = trim(poly_text);
      if (token.empty()) reader.fail(event.line, event.column, "<poly>", "empty <poly>");
      nodes[static_cast<std::size_t>(stack.back().node)].polys.push_back(
          parse_raw_poly(token, located(file, poly_line, poly_column, token)));
    }
    stack.pop_back();
  }
  if (nodes.empty()) throw error(located(file, 0, 0, ""), "the tree has no <haplogroup>");
  return nodes;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// tree_poly
// ------------------------------------------------------------------------------------------------
std::string tree_poly::to_string() const {
  std::string out = std::to_string(position);
  switch (kind) {
    case variant_kind::substitution:
      out += bases;
      break;
    case variant_kind::deletion:
      out += 'd';
      break;
    case variant_kind::insertion:
      out += '.';
      out += index == 0 ? std::string("X") : std::to_string(index);
      out += bases;
      break;
  }
  return out;
}

tree_poly tree_poly::parse(std::string_view token, const source_location& where) {
  tree_poly p;
  source_location located = where;
  if (located.token.empty()) located.token = std::string(token);
  std::string why = parse_poly(trim(token), p);
  if (!why.empty()) throw error(located, why);
  return p;
}

std::vector<tree_poly> split_variant(const variant& v) {
  std::vector<tree_poly> out;
  switch (v.kind) {
    case variant_kind::substitution:
      out.push_back({v.position, variant_kind::substitution, 0, v.bases});
      break;
    case variant_kind::deletion:
      for (std::int32_t p = v.position; p < v.position + v.length; ++p) out.push_back({p, variant_kind::deletion, 0, {}});
      break;
    case variant_kind::insertion:
      out.push_back({v.position, variant_kind::insertion, v.any_length ? 0 : 1, v.bases});
      break;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// loading
// ------------------------------------------------------------------------------------------------
namespace detail {

std::uint64_t site_key(const tree_poly& p) noexcept {
  // Substitutions and deletions share a site (one base per position); insertions have one site
  // per insertion index.
  const std::uint64_t slot = p.kind == variant_kind::insertion ? static_cast<std::uint64_t>(p.index) + 1 : 0;
  return (static_cast<std::uint64_t>(p.position) << 16) | slot;
}

std::uint64_t exact_key(std::int32_t position, variant_kind kind, char base) noexcept {
  return (static_cast<std::uint64_t>(position) << 16) | (static_cast<std::uint64_t>(kind) << 8) |
         static_cast<std::uint8_t>(base);
}

std::uint64_t haplogrep_key(const tree_poly& p) noexcept {
  const char base = p.kind == variant_kind::substitution ? (p.bases.empty() ? '?' : p.bases[0])
                    : p.kind == variant_kind::deletion    ? 'd'
                                                          : 'i';
  return exact_key(p.position, p.kind, base);
}

}  // namespace detail

namespace detail {

double poly_weight(const phylotree_impl& t, const tree_poly& p) noexcept {
  if (auto it = t.weights.find(p.to_string()); it != t.weights.end()) return it->second.weight;
  const weight_entry* w = t.weight_of(p);
  return w == nullptr ? 0.0 : w->weight;
}

}  // namespace detail

namespace {

// Polys to variants: adjacent deleted bases become one deletion, consecutive insertion indices after
// one position one insertion (455.1T 455.2T -> "TT"). `polys` must be sorted.
std::vector<variant> merge_polys(std::span<const tree_poly> polys) {
  std::vector<variant> out;
  for (std::size_t i = 0; i < polys.size(); ++i) {
    const tree_poly& p = polys[i];
    variant v;
    v.position = p.position;
    v.kind = p.kind;
    if (p.kind == variant_kind::substitution) {
      v.bases = p.bases;
      v.length = 1;
    } else if (p.kind == variant_kind::deletion) {
      v.length = 1;
      while (i + 1 < polys.size() && polys[i + 1].kind == variant_kind::deletion && polys[i + 1].position == p.position + v.length) {
        ++v.length;
        ++i;
      }
    } else {
      v.bases = p.bases;
      v.any_length = p.index == 0;
      std::int32_t next = p.index + static_cast<std::int32_t>(p.bases.size());
      while (!v.any_length && i + 1 < polys.size() && polys[i + 1].kind == variant_kind::insertion &&
             polys[i + 1].position == p.position && polys[i + 1].index == next) {
        v.bases += polys[i + 1].bases;
        next += static_cast<std::int32_t>(polys[i + 1].bases.size());
        ++i;
      }
      v.length = static_cast<std::int32_t>(v.bases.size());
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end());
  return out;
}

void read_weights(detail::phylotree_impl& t, std::string_view text, std::string_view file, int occurrence_column) {
  struct row {
    std::string poly;
    double weight;
    std::vector<std::string_view> fields;
    std::size_t line;
  };
  std::vector<row> rows;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (trim(line).empty() || trim(line).front() == '#') return;
    std::vector<std::string_view> fields = split(line, '\t');
    if (fields.size() < 3) {
      throw error(located(file, number, 1, line.substr(0, 40)), "expected at least 3 tab-separated columns (variant, weight, …)");
    }
    std::size_t column2 = fields[0].size() + 2;
    row r{std::string(trim(fields[0])), parse_number(fields[1], located(file, number, column2, fields[1])), fields, number};
    if (r.poly.empty()) throw error(located(file, number, 1, line.substr(0, 40)), "empty variant");
    rows.push_back(std::move(r));
  });
  if (rows.empty()) throw error(located(file, 0, 0, ""), "no weights");
  int column = occurrence_column;
  if (column == 0) {
    // phylotree-fu-rcrs repeats the weight in columns 2-5 and puts the count in column 6;
    // phylotree-rcrs-17 has the count in column 3.
    bool repeats = true;
    for (const auto& r : rows) {
      if (r.fields.size() < 6 || trim(r.fields[2]) != trim(r.fields[1])) {
        repeats = false;
        break;
      }
    }
    column = repeats ? 6 : 3;
  }
  if (column < 2) throw error("weights: occurrence_column must be 0 (detect) or >= 2");
  for (const auto& r : rows) {
    const auto c = static_cast<std::size_t>(column - 1);
    if (c >= r.fields.size()) {
      throw error(located(file, r.line, 1, r.poly), "no column " + std::to_string(column) + " (occurrence count)");
    }
    std::size_t col = 1;
    for (std::size_t k = 0; k < c; ++k) col += r.fields[k].size() + 1;
    double occ = parse_number(r.fields[c], located(file, r.line, col, r.fields[c]));
    if (occ < 0 || occ > 1e9) throw error(located(file, r.line, col, r.fields[c]), "occurrence count out of range");
    detail::weight_entry entry{r.weight, static_cast<std::int32_t>(std::lround(occ))};
    t.weights.emplace(r.poly, entry);
    const raw_poly parsed = parse_raw_poly(r.poly, located(file, r.line, 1, r.poly));
    if (!parsed.back) t.weights_by_key[detail::haplogrep_key(parsed.poly)] = entry;
    t.max_occurrences = std::max(t.max_occurrences, entry.occurrences);
    // Position of the row, for per-site speed: leading digits (rows such as "2232.12A" still count).
    std::int32_t pos = 0;
    std::size_t i = 0;
    while (i < r.poly.size() && is_digit(r.poly[i]) && pos <= rcrs_length) pos = pos * 10 + (r.poly[i++] - '0');
    if (pos >= 1 && pos <= rcrs_length) {
      t.site_occurrences[static_cast<std::size_t>(pos)] += entry.occurrences;
      auto& best = t.site_max_occurrences[static_cast<std::size_t>(pos)];
      if (r.poly.find('!') == std::string::npos) best = std::max(best, entry.occurrences);
    }
  }
}

void read_hotspots(detail::phylotree_impl& t, std::string_view text, std::string_view file) {
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    std::string_view s = trim(line);
    if (s.empty() || s.front() == '#') return;
    std::size_t column = static_cast<std::size_t>(s.data() - line.data()) + 1;
    tree_poly p = tree_poly::parse(s, located(file, number, column, s));
    t.hotspot_texts.insert(p.to_string());
    t.hotspot_list.push_back(std::move(p));
  });
  std::sort(t.hotspot_list.begin(), t.hotspot_list.end());
}

}  // namespace

phylotree::phylotree(std::unique_ptr<impl> data) : impl_(std::move(data)) {}
phylotree::~phylotree() = default;

std::shared_ptr<const phylotree> phylotree::parse(std::string_view xml, std::string_view weights, std::string_view hotspots,
                                                  const phylotree_options& options, std::string_view xml_name,
                                                  std::string_view weights_name, std::string_view hotspots_name) {
  auto t = std::make_unique<impl>();
  t->name = options.name;
  t->site_occurrences.assign(static_cast<std::size_t>(rcrs_length) + 1, 0);
  t->site_max_occurrences.assign(static_cast<std::size_t>(rcrs_length) + 1, 0);
  read_weights(*t, weights, weights_name, options.occurrence_column);
  read_hotspots(*t, hotspots, hotspots_name);
  std::vector<xml_node> nodes = read_tree_xml(xml, xml_name);
  const auto n = static_cast<std::int32_t>(nodes.size());
  const auto un = static_cast<std::size_t>(n);

  // Names must be unique; phylotree-rcrs-17 mislabels its three basal nodes.
  std::unordered_map<std::string, std::int32_t> by_name;
  for (std::int32_t i = 0; i < n; ++i) {
    auto [it, fresh] = by_name.emplace(nodes[static_cast<std::size_t>(i)].name, i);
    if (!fresh) {
      const auto& node = nodes[static_cast<std::size_t>(i)];
      throw error(located(xml_name, node.line, node.column, node.name), "haplogroup name used twice");
    }
  }
  if (options.fix_basal_names && !by_name.contains("mt-MRCA") && by_name.contains("L2'3'4'6+") &&
      by_name.contains("L2'3'4'5'6") && by_name.contains("L1'2'3'4'5'6")) {
    const std::array<std::pair<const char*, const char*>, 3> renames{{{"L1'2'3'4'5'6", "mt-MRCA"},
                                                                       {"L2'3'4'5'6", "L1'2'3'4'5'6"},
                                                                       {"L2'3'4'6+", "L2'3'4'5'6"}}};
    std::array<std::int32_t, 3> ids{};
    for (std::size_t k = 0; k < renames.size(); ++k) ids[k] = by_name.at(renames[k].first);
    for (std::size_t k = 0; k < renames.size(); ++k) by_name.erase(renames[k].first);
    for (std::size_t k = 0; k < renames.size(); ++k) {
      nodes[static_cast<std::size_t>(ids[k])].name = renames[k].second;
      by_name[renames[k].second] = ids[k];
    }
  }

  // --- expected profiles, tokens and the scoring operations, node by node in XML order -------------
  // 1. The written expected set: walking the XML from the rCRS, a poly replaces whatever its site held
  //    and `X!` removes X.
  // 2. Its canonical form: the same sequence written as mtmatch profiles write it (normalize.hpp), so
  //    that a profile and a haplogroup are compared in one alignment (PhyloTree's `16188T 16189C`, for
  //    one, is `16188d 16193.1C` in canonical form). A set canonicalize() rejects stays as written.
  // 3. What the score counts: the canonical polys, one per HaploGrep identity; each branch's scoring
  //    operations are the difference to its XML parent.
  // A canonical poly that weights.txt does not know (T2f's `8270T 8281-8289d` is `8270-8278d` in
  // canonical form) takes the mean weight of the written polys its node's rewrite replaced, so that the
  // rewrite keeps the evidence; hotspots stay at 0.
  auto intern = [&](const tree_poly& p, double fallback) -> token_id {
    const std::string text = p.to_string();
    if (auto it = t->token_by_text.find(text); it != t->token_by_text.end()) return it->second;
    const auto id = static_cast<token_id>(t->tokens.size());
    t->tokens.push_back(p);
    double w = detail::poly_weight(*t, p);
    if (w == 0 && !t->hotspot_texts.contains(text)) w = fallback;
    t->token_weight.push_back(w);
    t->token_by_text.emplace(text, id);
    return id;
  };
  std::vector<std::vector<detail::walk_op>> ops(un);      // per XML node, scoring operations
  std::vector<std::vector<token_id>> expected_x(un);      // per XML node, canonical, sorted by poly
  std::vector<std::vector<token_id>> counted_x(un);       // per XML node, what the score counts (sorted ids)
  std::vector<std::vector<tree_poly>> written_x(un);      // per XML node, as written, in path order
  for (std::size_t i = 0; i < un; ++i) {  // XML indices are in document pre-order: parents first
    std::vector<tree_poly> set;
    if (nodes[i].xml_parent >= 0) set = written_x[static_cast<std::size_t>(nodes[i].xml_parent)];
    for (const auto& r : nodes[i].polys) {
      if (r.back) {
        set.erase(std::remove(set.begin(), set.end(), r.poly), set.end());
      } else {
        const std::uint64_t site = detail::site_key(r.poly);
        set.erase(std::remove_if(set.begin(), set.end(), [&](const tree_poly& q) { return detail::site_key(q) == site; }),
                  set.end());
        set.push_back(r.poly);
      }
    }
    written_x[i] = set;
    std::sort(set.begin(), set.end());
    std::vector<variant> variants = merge_polys(set);
    for (variant& v : variants) v.any_length = false;  // `573.XC`: at least one C
    std::vector<variant> canonical;
    try {
      canonical = canonicalize(range::whole(), variants);
    } catch (const error&) {
      canonical = variants;
    }
    std::vector<tree_poly> canonical_polys;
    for (const variant& v : canonical) {
      for (tree_poly& q : split_variant(v)) canonical_polys.push_back(std::move(q));
    }
    std::sort(canonical_polys.begin(), canonical_polys.end());
    std::vector<tree_poly> replaced;
    std::set_difference(set.begin(), set.end(), canonical_polys.begin(), canonical_polys.end(), std::back_inserter(replaced));
    double fallback = 0;
    for (const tree_poly& q : replaced) fallback += detail::poly_weight(*t, q);
    if (!replaced.empty()) fallback = std::round(10.0 * fallback / static_cast<double>(replaced.size())) / 10.0;
    std::vector<token_id> ids;
    for (const tree_poly& q : canonical_polys) ids.push_back(intern(q, fallback));
    std::sort(ids.begin(), ids.end(), [&](token_id a, token_id b) {
      return t->tokens[static_cast<std::size_t>(a)] < t->tokens[static_cast<std::size_t>(b)];
    });
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<token_id> counted;
    {
      std::unordered_set<std::uint64_t> keys;
      for (token_id id : ids) {
        if (keys.insert(detail::haplogrep_key(t->tokens[static_cast<std::size_t>(id)])).second) counted.push_back(id);
      }
      std::sort(counted.begin(), counted.end());
    }
    const std::vector<token_id> none;
    const std::vector<token_id>& before = nodes[i].xml_parent >= 0 ? counted_x[static_cast<std::size_t>(nodes[i].xml_parent)] : none;
    std::vector<token_id> gained;
    std::vector<token_id> lost;
    std::set_difference(counted.begin(), counted.end(), before.begin(), before.end(), std::back_inserter(gained));
    std::set_difference(before.begin(), before.end(), counted.begin(), counted.end(), std::back_inserter(lost));
    for (token_id id : lost) ops[i].push_back({id, true});
    for (token_id id : gained) ops[i].push_back({id, false});
    counted_x[i] = std::move(counted);
    expected_x[i] = std::move(ids);
  }

  // --- orientation: re-root at mt-MRCA (the XML is rooted at the rCRS) ------------------------------
  std::int32_t root = 0;
  if (auto it = by_name.find("mt-MRCA"); it != by_name.end()) root = it->second;
  // Phylogenetic parent of every XML node: the XML parent, except on the path from the XML root to
  // the new root, where the direction is reversed.
  std::vector<std::int32_t> phylo_parent(un, -1);
  for (std::int32_t i = 0; i < n; ++i) phylo_parent[static_cast<std::size_t>(i)] = nodes[static_cast<std::size_t>(i)].xml_parent;
  {
    std::int32_t child = root;
    std::int32_t up = nodes[static_cast<std::size_t>(root)].xml_parent;
    phylo_parent[static_cast<std::size_t>(root)] = -1;
    while (up >= 0) {
      const std::int32_t next = nodes[static_cast<std::size_t>(up)].xml_parent;
      phylo_parent[static_cast<std::size_t>(up)] = child;
      child = up;
      up = next;
    }
  }
  // Children lists: XML children in document order, then the XML parent where it became a child.
  std::vector<std::vector<std::int32_t>> phylo_children(un);
  for (std::int32_t i = 0; i < n; ++i) {
    for (std::int32_t c : nodes[static_cast<std::size_t>(i)].xml_children) {
      if (phylo_parent[static_cast<std::size_t>(c)] == i) phylo_children[static_cast<std::size_t>(i)].push_back(c);
    }
    const std::int32_t xp = nodes[static_cast<std::size_t>(i)].xml_parent;
    if (xp >= 0 && phylo_parent[static_cast<std::size_t>(xp)] == i) phylo_children[static_cast<std::size_t>(i)].push_back(xp);
  }
  // Pre-order numbering from the root.
  std::vector<std::int32_t> order;  // new id -> xml index
  std::vector<std::int32_t> new_id(un, -1);
  order.reserve(un);
  {
    std::vector<std::int32_t> stack{root};
    while (!stack.empty()) {
      std::int32_t v = stack.back();
      stack.pop_back();
      new_id[static_cast<std::size_t>(v)] = static_cast<std::int32_t>(order.size());
      order.push_back(v);
      const auto& ch = phylo_children[static_cast<std::size_t>(v)];
      for (auto it = ch.rbegin(); it != ch.rend(); ++it) stack.push_back(*it);
    }
  }
  t->names.resize(un);
  t->parent.assign(un, no_node);
  t->depth.assign(un, 0);
  t->subtree_end.assign(un, 0);
  t->child_begin.assign(un + 1, 0);
  for (std::size_t k = 0; k < un; ++k) {
    const auto x = static_cast<std::size_t>(order[k]);
    t->names[k] = nodes[x].name;
    const std::int32_t p = phylo_parent[x];
    t->parent[k] = p < 0 ? no_node : new_id[static_cast<std::size_t>(p)];
    t->depth[k] = p < 0 ? 0 : t->depth[static_cast<std::size_t>(t->parent[k])] + 1;
    t->child_begin[k + 1] = t->child_begin[k] + static_cast<std::int32_t>(phylo_children[x].size());
    for (std::int32_t c : phylo_children[x]) t->child_list.push_back(new_id[static_cast<std::size_t>(c)]);
  }
  for (std::size_t k = un; k-- > 0;) {
    std::int32_t end = static_cast<std::int32_t>(k) + 1;
    for (std::int32_t c = t->child_begin[k]; c < t->child_begin[k + 1]; ++c) {
      end = std::max(end, t->subtree_end[static_cast<std::size_t>(t->child_list[static_cast<std::size_t>(c)])]);
    }
    t->subtree_end[k] = end;
  }
  for (std::size_t k = 0; k < un; ++k) t->by_name.emplace(t->names[k], static_cast<node_id>(k));
  t->rcrs_node = new_id[0];

  // --- the HaploGrep walk in XML document order ------------------------------------------------------
  t->xml_order.resize(un);
  t->xml_parent_slot.resize(un);
  t->op_begin.assign(un + 1, 0);
  t->raw_op_begin.clear();
  for (std::size_t x = 0; x < un; ++x) {  // XML indices are document pre-order already
    t->xml_order[x] = new_id[x];
    t->xml_parent_slot[x] = nodes[x].xml_parent;
    t->op_begin[x + 1] = t->op_begin[x] + static_cast<std::uint32_t>(ops[x].size());
    for (const auto& op : ops[x]) t->ops.push_back(op);
    t->raw_op_begin.push_back(static_cast<std::uint32_t>(t->raw_path.size()));
    for (const auto& r : nodes[x].polys) t->raw_path.push_back({r.poly, r.back});
  }
  t->raw_op_begin.push_back(static_cast<std::uint32_t>(t->raw_path.size()));
  t->xml_rank.assign(un, 0);
  for (std::size_t x = 0; x < un; ++x) t->xml_rank[static_cast<std::size_t>(new_id[x])] = static_cast<std::int32_t>(x);

  // --- expected profiles (set semantics) and branches, by node id ----------------------------------
  t->expected_begin.assign(un + 1, 0);
  for (std::size_t k = 0; k < un; ++k) {
    const auto& set = expected_x[static_cast<std::size_t>(order[k])];
    t->expected_begin[k + 1] = t->expected_begin[k] + static_cast<std::uint32_t>(set.size());
    for (token_id id : set) {
      t->expected_ids.push_back(id);
      t->expected_polys.push_back(t->tokens[static_cast<std::size_t>(id)]);
    }
  }
  // Branches: the difference between a node's expected set and its parent's.
  t->branch_begin.assign(un + 1, 0);
  for (std::size_t k = 0; k < un; ++k) {
    std::span<const tree_poly> mine(t->expected_polys.data() + t->expected_begin[k], t->expected_begin[k + 1] - t->expected_begin[k]);
    std::span<const tree_poly> theirs;
    if (t->parent[k] != no_node) {
      const auto p = static_cast<std::size_t>(t->parent[k]);
      theirs = std::span<const tree_poly>(t->expected_polys.data() + t->expected_begin[p], t->expected_begin[p + 1] - t->expected_begin[p]);
    }
    std::size_t a = 0;
    std::size_t b = 0;
    while (a < mine.size() || b < theirs.size()) {
      if (b == theirs.size() || (a < mine.size() && mine[a] < theirs[b])) {
        t->branch_changes.push_back({mine[a++], true});
      } else if (a == mine.size() || theirs[b] < mine[a]) {
        t->branch_changes.push_back({theirs[b++], false});
      } else {
        ++a;
        ++b;
      }
    }
    t->branch_begin[k + 1] = static_cast<std::uint32_t>(t->branch_changes.size());
  }

  // --- sample matching index ---------------------------------------------------------------------------
  for (std::size_t id = 0; id < t->tokens.size(); ++id) {
    const tree_poly& p = t->tokens[id];
    if (p.kind == variant_kind::insertion) {
      t->insertions_at[p.position].push_back(static_cast<token_id>(id));
    } else {
      const char base = p.kind == variant_kind::deletion ? 'd' : p.bases[0];
      t->exact_index.emplace(detail::exact_key(p.position, p.kind, base), static_cast<token_id>(id));
      if (p.kind == variant_kind::substitution) t->substitutions_at[p.position].push_back(static_cast<token_id>(id));
    }
  }
  // --- integer weights and where each token is written, for the fast classification walk ------------
  t->token_weight_milli.resize(t->tokens.size());
  for (std::size_t id = 0; id < t->tokens.size(); ++id) {
    t->token_weight_milli[id] = std::llround(t->token_weight[id] * detail::weight_scale);
  }
  t->op_weight_milli.resize(t->ops.size());
  std::vector<std::uint32_t> per_token(t->tokens.size() + 1, 0);
  for (std::size_t k = 0; k < t->ops.size(); ++k) {
    const detail::walk_op& op = t->ops[k];
    const std::int64_t w = t->token_weight_milli[static_cast<std::size_t>(op.token)];
    t->op_weight_milli[k] = op.back ? -w : w;
    ++per_token[static_cast<std::size_t>(op.token) + 1];
  }
  for (std::size_t id = 0; id < t->tokens.size(); ++id) per_token[id + 1] += per_token[id];
  t->token_op_begin = per_token;
  t->token_ops.resize(t->ops.size());
  for (std::size_t slot = 0; slot < un; ++slot) {
    for (std::uint32_t k = t->op_begin[slot]; k < t->op_begin[slot + 1]; ++k) {
      const auto tok = static_cast<std::size_t>(t->ops[k].token);
      t->token_ops[per_token[tok]++] = {static_cast<std::int32_t>(slot), t->op_weight_milli[k]};
    }
  }
  t->xml_subtree_end.resize(un);
  for (std::size_t slot = un; slot-- > 0;) {
    std::int32_t end = static_cast<std::int32_t>(slot) + 1;
    for (std::int32_t c : nodes[slot].xml_children) end = std::max(end, t->xml_subtree_end[static_cast<std::size_t>(c)]);
    t->xml_subtree_end[slot] = end;
  }
  static std::atomic<std::uint64_t> serials{0};
  t->serial = ++serials;
  return std::shared_ptr<const phylotree>(new phylotree(std::move(t)));
}

std::shared_ptr<const phylotree> phylotree::load(const std::string& xml_path, const std::string& weights_path,
                                                 const std::string& hotspots_path, const phylotree_options& options) {
  auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw error(located(path, 0, 0, ""), "cannot open file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw error(located(path, 0, 0, ""), "cannot read file");
    return buffer.str();
  };
  phylotree_options named = options;
  if (named.name.empty()) named.name = xml_path;
  return parse(slurp(xml_path), slurp(weights_path), slurp(hotspots_path), named, xml_path, weights_path, hotspots_path);
}

// ------------------------------------------------------------------------------------------------
// queries
// ------------------------------------------------------------------------------------------------
namespace {
void check(const detail::phylotree_impl& t, node_id node) {
  if (node < 0 || node >= static_cast<node_id>(t.names.size())) {
    throw error("node id " + std::to_string(node) + " outside 0-" + std::to_string(t.names.size() - 1));
  }
}
}  // namespace

std::int32_t phylotree::size() const noexcept { return static_cast<std::int32_t>(impl_->names.size()); }
const std::string& phylotree::name(node_id node) const {
  check(*impl_, node);
  return impl_->names[static_cast<std::size_t>(node)];
}
node_id phylotree::find(std::string_view name) const noexcept {
  auto it = impl_->by_name.find(std::string(name));
  return it == impl_->by_name.end() ? no_node : it->second;
}
node_id phylotree::at(std::string_view name) const {
  node_id id = find(name);
  if (id == no_node) throw error("no haplogroup named '" + std::string(name) + "' in " + impl_->name);
  return id;
}
node_id phylotree::parent(node_id node) const {
  check(*impl_, node);
  return impl_->parent[static_cast<std::size_t>(node)];
}
std::span<const node_id> phylotree::children(node_id node) const {
  check(*impl_, node);
  const auto k = static_cast<std::size_t>(node);
  return {impl_->child_list.data() + impl_->child_begin[k],
          static_cast<std::size_t>(impl_->child_begin[k + 1] - impl_->child_begin[k])};
}
std::int32_t phylotree::depth(node_id node) const {
  check(*impl_, node);
  return impl_->depth[static_cast<std::size_t>(node)];
}
node_id phylotree::subtree_end(node_id node) const {
  check(*impl_, node);
  return impl_->subtree_end[static_cast<std::size_t>(node)];
}
bool phylotree::is_ancestor(node_id ancestor, node_id node) const {
  check(*impl_, ancestor);
  check(*impl_, node);
  return ancestor <= node && node < impl_->subtree_end[static_cast<std::size_t>(ancestor)];
}
node_id phylotree::lca(node_id a, node_id b) const {
  check(*impl_, a);
  check(*impl_, b);
  // Pre-order ids: the ancestors of a node have smaller ids; climb the deeper one.
  while (!is_ancestor(a, b)) a = impl_->parent[static_cast<std::size_t>(a)];
  return a;
}
node_id phylotree::rcrs_node() const noexcept { return impl_->rcrs_node; }

std::span<const branch_change> phylotree::branch(node_id node) const {
  check(*impl_, node);
  const auto k = static_cast<std::size_t>(node);
  return {impl_->branch_changes.data() + impl_->branch_begin[k], impl_->branch_begin[k + 1] - impl_->branch_begin[k]};
}

std::string phylotree::branch_string(node_id node) const {
  std::string out;
  for (const branch_change& c : branch(node)) {
    if (!out.empty()) out += ' ';
    if (c.gained) {
      out += c.poly.to_string();
    } else if (c.poly.kind == variant_kind::substitution) {
      out += std::to_string(c.poly.position) + rcrs()[c.poly.position];
    } else {
      out += c.poly.to_string() + '!';
    }
  }
  return out;
}

std::span<const tree_poly> phylotree::expected(node_id node) const {
  check(*impl_, node);
  const auto k = static_cast<std::size_t>(node);
  return {impl_->expected_polys.data() + impl_->expected_begin[k], impl_->expected_begin[k + 1] - impl_->expected_begin[k]};
}

std::vector<variant> phylotree::expected_variants(node_id node) const { return merge_polys(expected(node)); }

std::vector<path_poly> phylotree::file_path(node_id node) const {
  check(*impl_, node);
  std::vector<std::int32_t> slots;
  for (std::int32_t s = impl_->xml_rank[static_cast<std::size_t>(node)]; s >= 0; s = impl_->xml_parent_slot[static_cast<std::size_t>(s)]) {
    slots.push_back(s);
  }
  std::vector<path_poly> out;
  for (auto it = slots.rbegin(); it != slots.rend(); ++it) {
    const auto s = static_cast<std::size_t>(*it);
    for (std::uint32_t k = impl_->raw_op_begin[s]; k < impl_->raw_op_begin[s + 1]; ++k) out.push_back(impl_->raw_path[k]);
  }
  return out;
}

std::int32_t phylotree::file_rank(node_id node) const {
  check(*impl_, node);
  return impl_->xml_rank[static_cast<std::size_t>(node)];
}

double phylotree::weight(const tree_poly& poly) const noexcept {
  if (const detail::token_id tok = impl_->find_token(poly); tok >= 0) return impl_->token_weight[static_cast<std::size_t>(tok)];
  return detail::poly_weight(*impl_, poly);
}
std::int32_t phylotree::occurrences(const tree_poly& poly) const noexcept {
  if (auto it = impl_->weights.find(poly.to_string()); it != impl_->weights.end()) return it->second.occurrences;
  const detail::weight_entry* w = impl_->weight_of(poly);
  return w == nullptr ? 0 : w->occurrences;
}
std::int32_t phylotree::max_occurrences() const noexcept { return impl_->max_occurrences; }
std::int32_t phylotree::site_occurrences(std::int32_t position) const noexcept {
  if (position < 1 || position > rcrs_length) return 0;
  return impl_->site_occurrences[static_cast<std::size_t>(position)];
}
bool phylotree::is_hotspot(const tree_poly& poly) const noexcept { return impl_->hotspot_texts.contains(poly.to_string()); }
std::span<const tree_poly> phylotree::hotspots() const noexcept { return impl_->hotspot_list; }
bool phylotree::in_tree(const tree_poly& poly) const noexcept { return impl_->token_by_text.contains(poly.to_string()); }
const std::string& phylotree::tree_name() const noexcept { return impl_->name; }

// ------------------------------------------------------------------------------------------------
// the embedded trees
// ------------------------------------------------------------------------------------------------
std::shared_ptr<const phylotree> phylotree17_shared() {
  static const std::shared_ptr<const phylotree> tree = [] {
    phylotree_options options;
    options.name = "phylotree-rcrs@17.3";
    return phylotree::parse(join_chunks(detail::phylotree17_tree_chunks, detail::phylotree17_tree_chunk_count),
                            join_chunks(detail::phylotree17_weights_chunks, detail::phylotree17_weights_chunk_count),
                            join_chunks(detail::phylotree17_hotspots_chunks, detail::phylotree17_hotspots_chunk_count),
                            options, "phylotree17/tree.xml", "phylotree17/weights.txt", "phylotree17/hotspots.txt");
  }();
  return tree;
}
const phylotree& phylotree17() { return *phylotree17_shared(); }

std::shared_ptr<const phylotree> phylotree17_fu_shared() {
  static const std::shared_ptr<const phylotree> tree = [] {
    phylotree_options options;
    options.name = "phylotree-fu-rcrs@1.2";
    return phylotree::parse(join_chunks(detail::phylotree17_fu_tree_chunks, detail::phylotree17_fu_tree_chunk_count),
                            join_chunks(detail::phylotree17_fu_weights_chunks, detail::phylotree17_fu_weights_chunk_count),
                            join_chunks(detail::phylotree17_hotspots_chunks, detail::phylotree17_hotspots_chunk_count),
                            options, "phylotree17/fu-rcrs-1.2/tree.xml", "phylotree17/fu-rcrs-1.2/weights.txt",
                            "phylotree17/hotspots.txt");
  }();
  return tree;
}
const phylotree& phylotree17_fu() { return *phylotree17_fu_shared(); }

}  // namespace mtmatch
