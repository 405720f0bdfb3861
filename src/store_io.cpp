// Store files: save / load an encoded profile_store with its dictionary, and extending a
// dictionary so that new profiles can be matched against a saved store.
//
// Layout (host byte order, checked by a marker):
//   "MTMSTORE" | u32 version | u32 0x01020304 | u64 payload bytes | payload | u64 FNV-1a(payload)
// The payload holds what the store cannot recompute: the dictionary's columns in id order with
// their counts, the core size, the classes, then the store's exact ranges, each haplotype's range
// and column ids, and each profile's haplotype and id. Everything derived (flags, slack, masks,
// rows) is rebuilt on load by the same code that built it, so a file can never disagree with
// the engine that reads it.

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unordered_set>

#include "mtmatch/encode.hpp"
#include "mtmatch/error.hpp"

namespace mtmatch {

// From encode.cpp.
std::string variant_key_of(const variant& v);
std::string range_key_of(const range& r);
column_info make_column_info(const variant& v);

namespace {

constexpr char magic[8] = {'M', 'T', 'M', 'S', 'T', 'O', 'R', 'E'};
constexpr std::uint32_t format_version = 1;
constexpr std::uint32_t byte_order_marker = 0x01020304;

std::uint64_t fnv1a(const char* data, std::size_t n) noexcept {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

class writer {
 public:
  template <class T>
  void put(T v) {
    const char* p = reinterpret_cast<const char*>(&v);
    out_.append(p, sizeof v);
  }
  void put_string(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void put_range(const range& r) {
    put(static_cast<std::uint32_t>(r.intervals().size()));
    for (const auto& piece : r.intervals()) {
      put(piece.first);
      put(piece.last);
    }
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class reader {
 public:
  reader(const char* data, std::size_t size, const std::string& path) : p_(data), end_(data + size), path_(path) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint32_t>();
    need(n);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  range get_range() {
    const auto n = get<std::uint32_t>();
    std::vector<interval> pieces;
    for (std::uint32_t i = 0; i < n; ++i) {
      interval piece;
      piece.first = get<std::int32_t>();
      piece.last = get<std::int32_t>();
      if (piece.first < 1 || piece.last > 16569 || piece.first > piece.last) fail("an interval outside 1-16569");
      pieces.push_back(piece);
    }
    return range(std::move(pieces));
  }
  std::uint64_t count(std::uint64_t at_least_bytes_each) {
    const auto n = get<std::uint64_t>();
    if (at_least_bytes_each != 0 && n > static_cast<std::uint64_t>(end_ - p_) / at_least_bytes_each) fail("a count larger than the file");
    return n;
  }
  [[noreturn]] void fail(const std::string& what) const {
    source_location where;
    where.file = path_;
    throw error(where, "not a valid mtmatch store file: " + what);
  }
  bool done() const noexcept { return p_ == end_; }

 private:
  void need(std::size_t n) const {
    if (static_cast<std::size_t>(end_ - p_) < n) fail("payload ends early");
  }
  const char* p_;
  const char* end_;
  const std::string& path_;
};

[[noreturn]] void file_error(const std::string& path, const std::string& what) {
  source_location where;
  where.file = path;
  throw error(where, what);
}

}  // namespace

std::shared_ptr<const variant_dictionary> variant_dictionary::extend(
    const std::shared_ptr<const variant_dictionary>& base, std::span<const std::span<const profile>> sets) {
  if (!base) throw error("variant_dictionary::extend: no base dictionary");
  std::vector<variant> new_columns;
  std::vector<range> new_classes;
  std::unordered_set<std::string> seen_classes;
  std::vector<std::uint32_t> extra_counts;
  for (auto set : sets)
    for (const profile& p : set) {
      if (!base->find_class(p.coverage)) {
        range family = base->class_of_range(p.coverage);
        if (seen_classes.insert(family.to_string()).second) new_classes.push_back(std::move(family));
      }
      for (const variant& v : p.variants)
        if (!base->find(v) && std::find(new_columns.begin(), new_columns.end(), v) == new_columns.end()) new_columns.push_back(v);
    }
  if (new_columns.empty() && new_classes.empty()) return base;
  auto dict = std::shared_ptr<variant_dictionary>(new variant_dictionary());
  static std::atomic<std::uint64_t> serials{1ULL << 40};
  dict->serial_ = ++serials;
  dict->fill_gaps_ = base->fill_gaps_;
  dict->n_dense_ = base->n_dense_;
  dict->dense_words_ = base->dense_words_;
  dict->classes_ = base->classes_;
  dict->class_by_key_ = base->class_by_key_;
  for (auto& r : new_classes) {
    if (dict->classes_.size() >= 65535) throw error("more than 65535 distinct coverage classes");
    dict->class_by_key_.emplace(range_key_of(r), static_cast<std::uint16_t>(dict->classes_.size()));
    dict->classes_.push_back(std::move(r));
  }
  // Base columns keep their ids; new ones join the tail in the order met.
  for (const auto& c : base->columns_) {
    dict->by_key_.emplace(variant_key_of(c.value), static_cast<std::uint32_t>(dict->columns_.size()));
    column_info fresh = make_column_info(c.value);
    fresh.count = c.count;
    dict->columns_.push_back(std::move(fresh));
  }
  for (const auto& v : new_columns) {
    dict->by_key_.emplace(variant_key_of(v), static_cast<std::uint32_t>(dict->columns_.size()));
    column_info fresh = make_column_info(v);
    fresh.count = 1;
    dict->columns_.push_back(std::move(fresh));
  }
  dict->finish();
  return dict;
}

profile_store profile_store::reencoded(std::shared_ptr<const variant_dictionary> dictionary) const {
  std::vector<profile> profiles;
  profiles.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) profiles.push_back(decode(i));
  return profile_store(std::move(dictionary), profiles);
}

void profile_store::save(const std::string& path) const {
  if (!dictionary_) file_error(path, "cannot save an empty store without a dictionary");
  const variant_dictionary& dict = *dictionary_;
  writer w;
  w.put(static_cast<std::int32_t>(dict.fill_gaps_));
  w.put(static_cast<std::uint64_t>(dict.n_dense_));
  w.put(static_cast<std::uint64_t>(dict.dense_words_));
  w.put(static_cast<std::uint64_t>(dict.columns_.size()));
  for (const auto& c : dict.columns_) {
    w.put(c.value.position);
    w.put(static_cast<std::uint8_t>(c.value.kind));
    w.put(c.value.length);
    w.put(static_cast<std::uint8_t>(c.value.any_length ? 1 : 0));
    w.put(c.count);
    w.put_string(c.value.bases);
  }
  w.put(static_cast<std::uint64_t>(dict.classes_.size()));
  for (const auto& r : dict.classes_) w.put_range(r);
  w.put(static_cast<std::uint64_t>(ranges_.size()));
  for (const auto& r : ranges_) w.put_range(r);
  w.put(static_cast<std::uint64_t>(haplotypes()));
  for (std::uint32_t h = 0; h < haplotypes(); ++h) {
    w.put(exact_[h]);
    const auto ids = columns(h);
    w.put(static_cast<std::uint32_t>(ids.size()));
    for (std::uint32_t id : ids) w.put(id);
  }
  w.put(static_cast<std::uint64_t>(size()));
  for (std::size_t i = 0; i < size(); ++i) {
    w.put(haplotype_of_[i]);
    w.put_string(ids_[i]);
  }
  const std::string& payload = w.bytes();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) file_error(path, "cannot open for writing");
  const std::uint64_t size_field = payload.size();
  const std::uint64_t checksum = fnv1a(payload.data(), payload.size());
  out.write(magic, sizeof magic);
  out.write(reinterpret_cast<const char*>(&format_version), sizeof format_version);
  out.write(reinterpret_cast<const char*>(&byte_order_marker), sizeof byte_order_marker);
  out.write(reinterpret_cast<const char*>(&size_field), sizeof size_field);
  out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
  out.write(reinterpret_cast<const char*>(&checksum), sizeof checksum);
  if (!out) file_error(path, "write failed (disk full?)");
}

profile_store profile_store::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) file_error(path, "cannot open for reading");
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t header = sizeof magic + 4 + 4 + 8;
  if (file.size() < sizeof magic || std::memcmp(file.data(), magic, sizeof magic) != 0)
    file_error(path, "not an mtmatch store file (no MTMSTORE header)");
  if (file.size() < header) file_error(path, "truncated store file (header incomplete)");
  std::uint32_t version = 0;
  std::uint32_t marker = 0;
  std::uint64_t payload_size = 0;
  std::memcpy(&version, file.data() + 8, 4);
  std::memcpy(&marker, file.data() + 12, 4);
  std::memcpy(&payload_size, file.data() + 16, 8);
  if (marker != byte_order_marker) file_error(path, "store file written on a machine of the other byte order");
  if (version != format_version)
    file_error(path, "store file format version " + std::to_string(version) + ", this mtmatch reads version " +
                         std::to_string(format_version));
  if (file.size() < header + 8 || payload_size > file.size() - header - 8)
    file_error(path, "truncated store file: " + std::to_string(file.size()) + " bytes, header says " +
                         std::to_string(header + payload_size + 8));
  if (file.size() != header + payload_size + 8) file_error(path, "store file has trailing bytes");
  std::uint64_t checksum = 0;
  std::memcpy(&checksum, file.data() + header + payload_size, 8);
  if (checksum != fnv1a(file.data() + header, payload_size)) file_error(path, "store file is corrupted (checksum mismatch)");

  reader r(file.data() + header, payload_size, path);
  auto dict = std::shared_ptr<variant_dictionary>(new variant_dictionary());
  static std::atomic<std::uint64_t> serials{1ULL << 50};
  dict->serial_ = ++serials;
  dict->fill_gaps_ = r.get<std::int32_t>();
  dict->n_dense_ = r.get<std::uint64_t>();
  dict->dense_words_ = r.get<std::uint64_t>();
  const std::uint64_t n_columns = r.count(14);
  if (dict->dense_words_ % 8 != 0 || dict->dense_words_ == 0 || dict->dense_words_ > 512 || dict->n_dense_ > n_columns ||
      dict->n_dense_ > dict->dense_words_ * 64)
    r.fail("inconsistent core size");
  for (std::uint64_t i = 0; i < n_columns; ++i) {
    variant v;
    v.position = r.get<std::int32_t>();
    const auto kind = r.get<std::uint8_t>();
    v.length = r.get<std::int32_t>();
    v.any_length = r.get<std::uint8_t>() != 0;
    const auto count = r.get<std::uint32_t>();
    v.bases = r.get_string();
    if (kind > 2 || v.position < 1 || v.position > 16569 || v.length < 1) r.fail("a column with an impossible variant");
    v.kind = static_cast<variant_kind>(kind);
    if (!dict->by_key_.emplace(variant_key_of(v), static_cast<std::uint32_t>(dict->columns_.size())).second)
      r.fail("a column given twice");
    column_info c = make_column_info(v);
    c.count = count;
    dict->columns_.push_back(std::move(c));
  }
  const std::uint64_t n_classes = r.count(4);
  if (n_classes > 65535) r.fail("too many classes");
  for (std::uint64_t i = 0; i < n_classes; ++i) {
    range cls = r.get_range();
    dict->class_by_key_.emplace(range_key_of(cls), static_cast<std::uint16_t>(dict->classes_.size()));
    dict->classes_.push_back(std::move(cls));
  }
  dict->finish();

  std::vector<range> ranges;
  const std::uint64_t n_ranges = r.count(4);
  for (std::uint64_t i = 0; i < n_ranges; ++i) ranges.push_back(r.get_range());
  std::vector<profile> haplotypes;
  const std::uint64_t n_haplotypes = r.count(8);
  for (std::uint64_t h = 0; h < n_haplotypes; ++h) {
    profile p;
    const auto exact = r.get<std::uint32_t>();
    if (exact >= ranges.size()) r.fail("a haplotype with an unknown range");
    p.coverage = ranges[exact];
    const auto n = r.get<std::uint32_t>();
    for (std::uint32_t j = 0; j < n; ++j) {
      const auto id = r.get<std::uint32_t>();
      if (id >= dict->columns_.size()) r.fail("a haplotype with an unknown column");
      p.variants.push_back(dict->columns_[id].value);
    }
    std::sort(p.variants.begin(), p.variants.end());
    haplotypes.push_back(std::move(p));
  }
  const std::uint64_t n_profiles = r.count(8);
  std::vector<profile> profiles;
  profiles.reserve(n_profiles);
  for (std::uint64_t i = 0; i < n_profiles; ++i) {
    const auto h = r.get<std::uint32_t>();
    if (h >= haplotypes.size()) r.fail("a profile with an unknown haplotype");
    profile p = haplotypes[h];
    p.id = r.get_string();
    profiles.push_back(std::move(p));
  }
  if (!r.done()) r.fail("bytes left after the last profile");
  return profile_store(std::move(dict), profiles);
}

}  // namespace mtmatch
