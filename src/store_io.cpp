// Store files: save / load an encoded profile_store with its dictionary, and extending a
// dictionary so that new profiles can be matched against a saved store.
//
// Format version 2 (written by save(); host byte order, checked by a marker). Every offset is from
// the start of the file; every section starts at a multiple of 64 bytes, so that once the file is
// mapped (mmap returns page-aligned memory) the dense rows are 64-byte aligned as the kernels want.
//
//   offset  bytes  field
//        0      8  magic "MTMSTORE"
//        8      4  u32 format version (2)
//       12      4  u32 byte-order marker 0x01020304
//       16      8  u64 file size in bytes
//       24      8  u64 meta checksum: XXH64 of bytes [32, payload begin), seeded with XXH64 of [0, 24)
//       32      8  u64 payload checksum: XXH64 of bytes [payload begin, file size)
//       40      8  u64 payload begin (a multiple of 64)
//       48      8  u64 profiles
//       56      8  u64 haplotypes
//       64      8  u64 dense words per row
//       72      8  u64 rules fingerprint (see rules_fingerprint())
//       80      4  u32 number of sections
//       84      4  u32 bytes per section table entry (32)
//       88     40  zero
//      128         section table: per section u32 id, u32 element bytes, u64 count, u64 offset, u64 bytes
//                  then the meta sections (dictionary, coverages) up to payload begin,
//                  then the payload sections (every array of the store), zero padding in between.
//
// Meta sections (parsed on load, always checksummed): the dictionary — what cannot be recomputed:
// its columns in id order with their counts, the core size, the classes — and the store's distinct
// exact ranges. The dictionary's derived facts (flags, slack, masks) are rebuilt by the same code
// that built them. Payload sections (used in place): the block-interleaved dense rows exactly as
// profile_store::blocks() holds them, the per-haplotype arrays, the member, tail and missing lists
// with their begin offsets, each profile's haplotype, the ids as offsets (u64) into one blob.
//
// The per-haplotype arrays (slack, counts, missing lists, ...) follow from the dictionary's derived
// facts and from profile_store's encoding rules. A file records a fingerprint of both; when the
// dictionary rebuilt on load gives another fingerprint (a newer mtmatch with other rules), the store
// is re-encoded from its rows (like a version-1 file) instead of trusting arrays derived by other rules.
//
// Format version 1 (still read): "MTMSTORE" | u32 1 | u32 0x01020304 | u64 payload bytes | payload |
// u64 FNV-1a(payload), the payload holding only what cannot be recomputed; load re-encodes it.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <unordered_set>

#include <xxhash.h>

#include "mtmatch/encode.hpp"
#include "mtmatch/error.hpp"

namespace mtmatch {

// From encode.cpp.
std::string variant_key_of(const variant& v);
std::string range_key_of(const range& r);
column_info make_column_info(const variant& v);

namespace {

constexpr char magic[8] = {'M', 'T', 'M', 'S', 'T', 'O', 'R', 'E'};
constexpr std::uint32_t format_version = 2;
constexpr std::uint32_t legacy_version = 1;
constexpr std::uint32_t byte_order_marker = 0x01020304;
constexpr std::uint32_t swapped_marker = 0x04030201;
constexpr std::size_t header_bytes = 128;
constexpr std::size_t entry_bytes = 32;
constexpr std::size_t section_alignment = 64;
// Bump when profile_store's constructor (encode.cpp) changes what a per-haplotype array means or how
// rows are ordered: files written under the old rules are then re-encoded on load, not trusted.
constexpr std::uint64_t store_rules_revision = 1;

// ---- XXH64 (libxxhash) ---------------------------------------------------------------------------

// Streaming XXH64 over libxxhash's XXH64_state_t: the payload is hashed section by section as it is
// written. The state comes from XXH64_createState() because its layout is libxxhash's own business
// (it is public only under XXH_STATIC_LINKING_ONLY, which a shared libxxhash does not promise).
class xxh64 {
 public:
  explicit xxh64(std::uint64_t seed = 0) : state_(XXH64_createState()) {
    if (!state_) throw std::bad_alloc();
    (void)XXH64_reset(state_.get(), seed);  // cannot fail on a state that exists
  }

  void update(const void* data, std::size_t n) noexcept { (void)XXH64_update(state_.get(), data, n); }

  [[nodiscard]] std::uint64_t digest() const noexcept { return XXH64_digest(state_.get()); }

 private:
  struct free_state {
    void operator()(XXH64_state_t* s) const noexcept { (void)XXH64_freeState(s); }
  };
  std::unique_ptr<XXH64_state_t, free_state> state_;
};

std::uint64_t hash_of(const void* data, std::size_t n, std::uint64_t seed = 0) noexcept { return XXH64(data, n, seed); }

std::uint64_t fnv1a(const char* data, std::size_t n) noexcept {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t align_up(std::uint64_t n) noexcept { return (n + section_alignment - 1) / section_alignment * section_alignment; }

// ---- sections ------------------------------------------------------------------------------------

enum section_id : std::uint32_t {
  sec_dictionary = 1,
  sec_ranges = 2,
  sec_blocks = 10,
  sec_class = 11,
  sec_exact = 12,
  sec_ragged = 13,
  sec_slack = 14,
  sec_slack_counted = 15,
  sec_needs_reference = 16,
  sec_ordinary_count = 17,
  sec_missing_begin = 18,
  sec_missing_list = 19,
  sec_tail_begin = 20,
  sec_tail_list = 21,
  sec_member_begin = 22,
  sec_member_list = 23,
  sec_haplotype_of = 24,
  sec_id_offsets = 25,
  sec_id_blob = 26,
};

struct section_kind {
  section_id id;
  std::uint32_t element_bytes;
  const char* name;
};

// In file order. The first two are meta sections, the rest payload.
constexpr std::array<section_kind, 19> section_kinds = {{
    {sec_dictionary, 1, "dictionary"},
    {sec_ranges, 1, "coverages"},
    {sec_blocks, 8, "dense rows"},
    {sec_class, 2, "coverage classes"},
    {sec_exact, 4, "exact coverages"},
    {sec_ragged, 1, "ragged flags"},
    {sec_slack, 1, "slack"},
    {sec_slack_counted, 1, "slack (length variants counted)"},
    {sec_needs_reference, 1, "reference flags"},
    {sec_ordinary_count, 2, "firm column counts"},
    {sec_missing_begin, 4, "missing list offsets"},
    {sec_missing_list, 4, "missing lists"},
    {sec_tail_begin, 4, "tail list offsets"},
    {sec_tail_list, 4, "tail lists"},
    {sec_member_begin, 4, "member list offsets"},
    {sec_member_list, 4, "member lists"},
    {sec_haplotype_of, 4, "haplotype of each profile"},
    {sec_id_offsets, 8, "id offsets"},
    {sec_id_blob, 1, "ids"},
}};
constexpr std::size_t meta_sections = 2;

std::size_t kind_index(std::uint32_t id) noexcept {
  for (std::size_t i = 0; i < section_kinds.size(); ++i)
    if (section_kinds[i].id == id) return i;
  return section_kinds.size();
}

struct table_entry {
  std::uint32_t id = 0;
  std::uint32_t element_bytes = 0;
  std::uint64_t count = 0;
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;
};

// A section of a mapped file as an array (sections are 64-byte aligned, so T is aligned too).
template <class T>
std::span<const T> section_span(const unsigned char* file, const table_entry& e) noexcept {
  return {reinterpret_cast<const T*>(file + e.offset), static_cast<std::size_t>(e.count)};
}

struct file_header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t marker;
  std::uint64_t file_bytes;
  std::uint64_t meta_checksum;
  std::uint64_t payload_checksum;
  std::uint64_t payload_begin;
  std::uint64_t profiles;
  std::uint64_t haplotypes;
  std::uint64_t dense_words;
  std::uint64_t fingerprint;
  std::uint32_t sections;
  std::uint32_t entry_bytes;
  char reserved[40];
};
static_assert(sizeof(file_header) == header_bytes);
static_assert(offsetof(file_header, meta_checksum) == 24 && offsetof(file_header, payload_checksum) == 32);

// Meta checksum of a file's first `payload_begin` bytes (the meta checksum field itself left out).
std::uint64_t meta_checksum_of(const unsigned char* file, std::uint64_t payload_begin) noexcept {
  return hash_of(file + 32, payload_begin - 32, hash_of(file, 24));
}

// ---- serialization of the small parts ------------------------------------------------------------

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
  reader(const char* data, std::size_t size, const std::string& path, std::string what = "not a valid mtmatch store file: ")
      : p_(data), end_(data + size), path_(path), what_(std::move(what)) {}
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
    if (n > static_cast<std::size_t>(end_ - p_) / 8) fail("a coverage with more intervals than bytes");
    std::vector<interval> pieces;
    pieces.reserve(n);
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
    throw error(where, what_ + what);
  }
  bool done() const noexcept { return p_ == end_; }

 private:
  void need(std::size_t n) const {
    if (static_cast<std::size_t>(end_ - p_) < n) fail("payload ends early");
  }
  const char* p_;
  const char* end_;
  const std::string& path_;
  std::string what_;
};

[[noreturn]] void file_error(const std::string& path, const std::string& what) {
  source_location where;
  where.file = path;
  throw error(where, what);
}

std::string errno_text() { return std::strerror(errno); }

// Serials of loaded dictionaries (variant_dictionary::serial()): apart from built and extended ones.
std::uint64_t next_loaded_serial() noexcept {
  static std::atomic<std::uint64_t> serials{1ULL << 50};
  return ++serials;
}

// The dictionary part of both formats: columns (what cannot be recomputed) and classes.
void put_dictionary(writer& w, std::int32_t fill_gaps, std::size_t n_dense, std::size_t dense_words,
                    const std::vector<column_info>& columns, const std::vector<range>& classes) {
  w.put(fill_gaps);
  w.put(static_cast<std::uint64_t>(n_dense));
  w.put(static_cast<std::uint64_t>(dense_words));
  w.put(static_cast<std::uint64_t>(columns.size()));
  for (const auto& c : columns) {
    w.put(c.value.position);
    w.put(static_cast<std::uint8_t>(c.value.kind));
    w.put(c.value.length);
    w.put(static_cast<std::uint8_t>(c.value.any_length ? 1 : 0));
    w.put(c.count);
    w.put_string(c.value.bases);
  }
  w.put(static_cast<std::uint64_t>(classes.size()));
  for (const auto& r : classes) w.put_range(r);
}

// File output that hashes what it writes (the payload checksum is known only at the end).
class sink {
 public:
  sink(const std::string& path, const std::string& shown) : shown_(shown) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) file_error(shown_, "cannot open for writing (" + errno_text() + ")");
  }
  sink(const sink&) = delete;
  sink& operator=(const sink&) = delete;
  ~sink() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void write(const void* data, std::size_t n, xxh64* hash) {
    if (n == 0) return;
    if (std::fwrite(data, 1, n, file_) != n) file_error(shown_, "write failed (" + errno_text() + ")");
    if (hash != nullptr) hash->update(data, n);
    at_ += n;
  }
  void pad_to(std::uint64_t offset, xxh64* hash) {
    static constexpr char none[section_alignment] = {};
    while (at_ < offset) write(none, std::min<std::uint64_t>(offset - at_, sizeof none), hash);
  }
  void rewrite_header(const void* data, std::size_t n) {
    if (std::fseek(file_, 0, SEEK_SET) != 0 || std::fwrite(data, 1, n, file_) != n)
      file_error(shown_, "write failed (" + errno_text() + ")");
  }
  void close() {
    const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flushed || !closed) file_error(shown_, "write failed (" + errno_text() + "; disk full?)");
  }
  [[nodiscard]] std::uint64_t at() const noexcept { return at_; }

 private:
  std::FILE* file_ = nullptr;
  std::string shown_;
  std::uint64_t at_ = 0;
};

}  // namespace

// ---- the mapping ---------------------------------------------------------------------------------

struct profile_store::mapped_file final : profile_store::backing {
  mapped_file(void* base, std::size_t size) noexcept : base_(base), size_(size) {}
  ~mapped_file() override { ::munmap(base_, size_); }
  [[nodiscard]] const unsigned char* data() const noexcept { return static_cast<const unsigned char*>(base_); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  void* base_;
  std::size_t size_;
};

// ---- dictionary extension ------------------------------------------------------------------------

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

// Would profile_store's constructor (encode.cpp), run on this store's profiles with `next`, give the
// very arrays this store holds? True when `next` keeps every column and class of the store's
// dictionary with the same ids, and the facts the per-haplotype arrays are derived from: the core
// size, each column's variant, slack (both policies) and the flags the constructor reads (length
// variant, deletion, coverage boundary), each class's range, and each coverage's class. What
// variant_dictionary::extend() adds for new remains usually leaves all of that as it was; a new
// class that cuts one of the store's deletions, for one, does not.
bool profile_store::arrays_valid_under(const variant_dictionary& next) const {
  const variant_dictionary& dict = *dictionary_;
  if (next.dense_columns() != dict.dense_columns() || next.dense_words() != dict.dense_words() || next.size() < dict.size() ||
      next.classes() < dict.classes())
    return false;
  constexpr std::uint8_t read_flags = column_length_variant | column_deletion | column_coverage_boundary;
  for (std::uint32_t id = 0; id < dict.size(); ++id) {
    const column_info& a = dict.column(id);
    const column_info& b = next.column(id);
    if (!(a.value == b.value) || a.slack != b.slack || a.slack_counted != b.slack_counted || (a.flags & read_flags) != (b.flags & read_flags))
      return false;
  }
  for (std::uint16_t c = 0; c < dict.classes(); ++c)
    if (!(dict.class_range(c) == next.class_range(c))) return false;
  std::vector<std::int32_t> class_of_exact(ranges_ ? ranges_->size() : 0, -1);
  for (std::size_t h = 0; h < haplotypes(); ++h) class_of_exact[exact_[h]] = class_[h];
  for (std::size_t e = 0; e < class_of_exact.size(); ++e) {
    if (class_of_exact[e] < 0) continue;
    const auto c = next.find_class((*ranges_)[e]);
    if (!c || *c != class_of_exact[e]) return false;
  }
  return true;
}

profile_store profile_store::reencoded(std::shared_ptr<const variant_dictionary> dictionary) const {
  if (!dictionary) throw error("profile_store::reencoded: no dictionary");
  if (dictionary_ && arrays_valid_under(*dictionary)) {
    profile_store same = *this;  // shares the arrays (and a mapping)
    same.dictionary_ = std::move(dictionary);
    return same;
  }
  return encoded_again(std::move(dictionary));
}

profile_store profile_store::encoded_again(std::shared_ptr<const variant_dictionary> dictionary) const {
  std::vector<profile> profiles;
  profiles.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) profiles.push_back(decode(i));
  return profile_store(std::move(dictionary), profiles);
}

// ---- fingerprint of the rules ----------------------------------------------------------------------

// Everything about the dictionary that the per-haplotype arrays were derived from, plus the
// revision of profile_store's own encoding rules. Equal fingerprints: the arrays in a file are what
// this build would compute.
std::uint64_t profile_store::rules_fingerprint(const variant_dictionary& dict) {
  xxh64 h(store_rules_revision);
  auto add = [&](const auto& v) { h.update(&v, sizeof v); };
  add(std::uint64_t{dict.n_dense_});
  add(std::uint64_t{dict.dense_words_});
  add(std::int64_t{dict.fill_gaps_});
  add(std::uint64_t{dict.columns_.size()});
  for (const column_info& c : dict.columns_) {
    add(c.value.position);
    add(static_cast<std::uint8_t>(c.value.kind));
    add(c.value.length);
    add(c.site);
    add(c.first);
    add(c.last);
    add(c.window_first);
    add(c.window_last);
    add(c.bases);
    add(c.flags);
    add(c.slack);
    add(c.slack_counted);
    h.update(c.alone_, sizeof c.alone_);
  }
  add(std::uint64_t{dict.classes_.size()});
  h.update(dict.class_dense_.data(), dict.class_dense_.size() * 8);
  h.update(dict.class_all_.data(), dict.class_all_.size() * 8);
  h.update(dict.length_dense_.data(), dict.length_dense_.size() * 8);
  return h.digest();
}

// ---- save ----------------------------------------------------------------------------------------

void profile_store::save(const std::string& path) const {
  if (!dictionary_) file_error(path, "cannot save an empty store without a dictionary");
  const variant_dictionary& dict = *dictionary_;
  const std::size_t n_haplotypes = haplotypes();
  const std::size_t n_profiles = size();

  writer dw;
  put_dictionary(dw, dict.fill_gaps_, dict.n_dense_, dict.dense_words_, dict.columns_, dict.classes_);
  writer rw;
  rw.put(static_cast<std::uint64_t>(ranges_ ? ranges_->size() : 0));
  if (ranges_)
    for (const auto& r : *ranges_) rw.put_range(r);

  // Ids: offsets into one blob (a built store holds strings, a mapped one the blob already).
  std::vector<std::uint64_t> id_offsets(n_profiles + 1, 0);
  for (std::size_t p = 0; p < n_profiles; ++p) id_offsets[p + 1] = id_offsets[p] + id_view(p).size();

  struct part {
    const void* data;
    std::uint64_t count;
  };
  const part parts[section_kinds.size()] = {
      {dw.bytes().data(), dw.bytes().size()},
      {rw.bytes().data(), rw.bytes().size()},
      {blocks_.data(), blocks_.size()},
      {class_.data(), class_.size()},
      {exact_.data(), exact_.size()},
      {ragged_.data(), ragged_.size()},
      {slack_.data(), slack_.size()},
      {slack_counted_.data(), slack_counted_.size()},
      {needs_reference_.data(), needs_reference_.size()},
      {ordinary_count_.data(), ordinary_count_.size()},
      {missing_begin_.data(), missing_begin_.size()},
      {missing_list_.data(), missing_list_.size()},
      {tail_begin_.data(), tail_begin_.size()},
      {tail_list_.data(), tail_list_.size()},
      {member_begin_.data(), member_begin_.size()},
      {member_list_.data(), member_list_.size()},
      {haplotype_of_.data(), haplotype_of_.size()},
      {id_offsets.data(), id_offsets.size()},
      {nullptr, id_offsets.back()},  // written id by id
  };

  table_entry table[section_kinds.size()];
  std::uint64_t at = header_bytes + entry_bytes * section_kinds.size();
  std::uint64_t payload_begin = 0;
  for (std::size_t i = 0; i < section_kinds.size(); ++i) {
    at = align_up(at);
    if (i == meta_sections) payload_begin = at;
    table[i] = {section_kinds[i].id, section_kinds[i].element_bytes, parts[i].count, at, parts[i].count * section_kinds[i].element_bytes};
    at += table[i].bytes;
  }
  const std::uint64_t file_bytes = at;

  file_header header{};
  std::memcpy(header.magic, magic, sizeof magic);
  header.version = format_version;
  header.marker = byte_order_marker;
  header.file_bytes = file_bytes;
  header.payload_begin = payload_begin;
  header.profiles = n_profiles;
  header.haplotypes = n_haplotypes;
  header.dense_words = words_;
  header.fingerprint = rules_fingerprint(dict);
  header.sections = static_cast<std::uint32_t>(section_kinds.size());
  header.entry_bytes = entry_bytes;

  // Meta part in memory (small), payload streamed; the header is written last, with its checksums.
  std::string meta(payload_begin, '\0');
  std::memcpy(meta.data() + header_bytes, table, sizeof table);
  for (std::size_t i = 0; i < meta_sections; ++i)
    std::memcpy(meta.data() + table[i].offset, parts[i].data, table[i].bytes);

  // Written next to the target and renamed over it: a store mapped from the old file stays valid,
  // and a reader never sees half a file.
  static std::atomic<unsigned> temp_serial{0};
  const std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++temp_serial);
  try {
    sink out(temp, path);
    out.write(meta.data(), meta.size(), nullptr);
    xxh64 payload_hash;
    for (std::size_t i = meta_sections; i < section_kinds.size(); ++i) {
      out.pad_to(table[i].offset, &payload_hash);
      if (table[i].id == sec_id_blob) {
        for (std::size_t p = 0; p < n_profiles; ++p) {
          const std::string_view id = id_view(p);
          out.write(id.data(), id.size(), &payload_hash);
        }
      } else {
        out.write(parts[i].data, table[i].bytes, &payload_hash);
      }
    }
    header.payload_checksum = payload_hash.digest();
    std::memcpy(meta.data(), &header, sizeof header);
    header.meta_checksum = meta_checksum_of(reinterpret_cast<const unsigned char*>(meta.data()), payload_begin);
    out.rewrite_header(&header, sizeof header);
    out.close();
    if (std::rename(temp.c_str(), path.c_str()) != 0) file_error(path, "cannot replace the file (" + errno_text() + ")");
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
}

// ---- load ----------------------------------------------------------------------------------------

// The dictionary part of both formats (put_dictionary()); derived facts are rebuilt by the caller
// (variant_dictionary::finish()).
template <class Reader>
void profile_store::read_dictionary(Reader& r, variant_dictionary& dict) {
  dict.fill_gaps_ = r.template get<std::int32_t>();
  dict.n_dense_ = r.template get<std::uint64_t>();
  dict.dense_words_ = r.template get<std::uint64_t>();
  const std::uint64_t n_columns = r.count(14);
  if (dict.fill_gaps_ < 0 || dict.dense_words_ % 8 != 0 || dict.dense_words_ == 0 || dict.dense_words_ > 512 ||
      dict.n_dense_ > n_columns || dict.n_dense_ > dict.dense_words_ * 64)
    r.fail("inconsistent core size");
  if (n_columns >= 0xFFFFFFFFULL) r.fail("too many columns");
  dict.columns_.reserve(n_columns);
  for (std::uint64_t i = 0; i < n_columns; ++i) {
    variant v;
    v.position = r.template get<std::int32_t>();
    const auto kind = r.template get<std::uint8_t>();
    v.length = r.template get<std::int32_t>();
    v.any_length = r.template get<std::uint8_t>() != 0;
    const auto count = r.template get<std::uint32_t>();
    v.bases = r.get_string();
    if (kind > 2 || v.position < 1 || v.position > 16569 || v.length < 1) r.fail("a column with an impossible variant");
    v.kind = static_cast<variant_kind>(kind);
    if (!dict.by_key_.emplace(variant_key_of(v), static_cast<std::uint32_t>(dict.columns_.size())).second)
      r.fail("a column given twice");
    column_info c = make_column_info(v);
    c.count = count;
    dict.columns_.push_back(std::move(c));
  }
  const std::uint64_t n_classes = r.count(4);
  if (n_classes > 65535) r.fail("too many classes");
  for (std::uint64_t i = 0; i < n_classes; ++i) {
    range cls = r.get_range();
    if (!dict.class_by_key_.emplace(range_key_of(cls), static_cast<std::uint16_t>(dict.classes_.size())).second)
      r.fail("a class given twice");
    dict.classes_.push_back(std::move(cls));
  }
}

// Version 1: the whole file is read and every haplotype re-encoded.
profile_store profile_store::load_v1(const std::string& path, const std::string& file) {
  constexpr std::size_t header = sizeof magic + 4 + 4 + 8;
  if (file.size() < header) file_error(path, "truncated store file (header incomplete)");
  std::uint64_t payload_size = 0;
  std::memcpy(&payload_size, file.data() + 16, 8);
  if (file.size() < header + 8 || payload_size > file.size() - header - 8)
    file_error(path, "truncated store file: " + std::to_string(file.size()) + " bytes, header says " +
                         std::to_string(header + payload_size + 8));
  if (file.size() != header + payload_size + 8) file_error(path, "store file has trailing bytes");
  std::uint64_t checksum = 0;
  std::memcpy(&checksum, file.data() + header + payload_size, 8);
  if (checksum != fnv1a(file.data() + header, payload_size)) file_error(path, "store file is corrupted (checksum mismatch)");

  reader r(file.data() + header, payload_size, path);
  auto dict = std::shared_ptr<variant_dictionary>(new variant_dictionary());
  dict->serial_ = next_loaded_serial();
  read_dictionary(r, *dict);
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

profile_store profile_store::load(const std::string& path, const load_options& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) file_error(path, "cannot open for reading (" + errno_text() + ")");
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } closing{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) file_error(path, "cannot read (" + errno_text() + ")");
  if (!S_ISREG(st.st_mode)) file_error(path, "not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);

  unsigned char start[16] = {};
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, sizeof start));
  if (::pread(fd, start, want, 0) != static_cast<ssize_t>(want)) file_error(path, "cannot read (" + errno_text() + ")");
  if (want < sizeof magic) {
    if (std::memcmp(start, magic, want) == 0)
      file_error(path, "truncated store file: " + std::to_string(size) + " bytes, not even the header");
    file_error(path, "not an mtmatch store file (no MTMSTORE header)");
  }
  if (std::memcmp(start, magic, sizeof magic) != 0) file_error(path, "not an mtmatch store file (no MTMSTORE header)");
  if (size < 16) file_error(path, "truncated store file (header incomplete)");
  std::uint32_t version = 0;
  std::uint32_t marker = 0;
  std::memcpy(&version, start + 8, 4);
  std::memcpy(&marker, start + 12, 4);
  if (marker == swapped_marker) file_error(path, "store file written on a machine of the other byte order");
  if (marker != byte_order_marker) file_error(path, "store file is corrupted (byte-order marker damaged)");
  if (version == legacy_version) {
    std::ifstream in(path, std::ios::binary);
    if (!in) file_error(path, "cannot open for reading");
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return load_v1(path, file);
  }
  if (version != format_version)
    file_error(path, "store file format version " + std::to_string(version) + ", this mtmatch reads versions " +
                         std::to_string(legacy_version) + " and " + std::to_string(format_version));
  if (size < header_bytes) file_error(path, "truncated store file (header incomplete)");

  void* base = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE | (options.verify ? MAP_POPULATE : 0), fd, 0);
  if (base == MAP_FAILED) file_error(path, "cannot map the file (" + errno_text() + ")");
  auto mapping = std::make_shared<const mapped_file>(base, static_cast<std::size_t>(size));
  return load_v2(path, std::move(mapping), options);
}

profile_store profile_store::load_v2(const std::string& path, std::shared_ptr<const mapped_file> mapping,
                                     const load_options& options) {
  const unsigned char* file = mapping->data();
  const std::uint64_t size = mapping->size();
  auto corrupt = [&](const std::string& what) { file_error(path, "store file is corrupted: " + what); };
  file_header header;
  std::memcpy(&header, file, sizeof header);

  // 1. The meta part: header, section table, dictionary, coverages — checksummed as a whole.
  if (header.payload_begin < header_bytes || header.payload_begin % section_alignment != 0)
    corrupt("impossible payload offset " + std::to_string(header.payload_begin) + " in the header");
  if (header.payload_begin > size) {
    if (header.file_bytes > size)
      file_error(path, "truncated store file: " + std::to_string(size) + " bytes, header says " + std::to_string(header.file_bytes));
    corrupt("payload offset " + std::to_string(header.payload_begin) + " beyond the end of the file");
  }
  if (meta_checksum_of(file, header.payload_begin) != header.meta_checksum)
    file_error(path, "store file is corrupted (checksum mismatch in the header, section table or dictionary)");
  if (header.file_bytes > size)
    file_error(path, "truncated store file: " + std::to_string(size) + " bytes, header says " + std::to_string(header.file_bytes));
  if (header.file_bytes < size) file_error(path, "store file has trailing bytes (" + std::to_string(size - header.file_bytes) + ")");

  // 2. The section table: every section exactly once, in bounds, aligned, sized by its count.
  auto bad_table = [&](const std::string& what) { file_error(path, "inconsistent section table: " + what); };
  if (header.entry_bytes != entry_bytes) bad_table("entries of " + std::to_string(header.entry_bytes) + " bytes");
  if (header.sections != section_kinds.size())
    bad_table(std::to_string(header.sections) + " sections, version 2 has " + std::to_string(section_kinds.size()));
  const std::uint64_t table_end = header_bytes + std::uint64_t{entry_bytes} * header.sections;
  if (table_end > header.payload_begin) bad_table("the table runs into the payload");
  std::array<table_entry, section_kinds.size()> table{};
  std::array<bool, section_kinds.size()> seen{};
  for (std::size_t i = 0; i < section_kinds.size(); ++i) {
    table_entry e;
    std::memcpy(&e, file + header_bytes + i * entry_bytes, sizeof e);
    const std::size_t k = kind_index(e.id);
    if (k == section_kinds.size()) bad_table("unknown section id " + std::to_string(e.id));
    const section_kind& kind = section_kinds[k];
    const std::string name = std::string("section '") + kind.name + "'";
    if (seen[k]) bad_table(name + " given twice");
    seen[k] = true;
    if (e.element_bytes != kind.element_bytes)
      bad_table(name + " has elements of " + std::to_string(e.element_bytes) + " bytes, expected " + std::to_string(kind.element_bytes));
    if (e.count > size / kind.element_bytes || e.bytes != e.count * kind.element_bytes)
      bad_table(name + ": " + std::to_string(e.bytes) + " bytes for " + std::to_string(e.count) + " elements");
    if (e.offset % section_alignment != 0) bad_table(name + " at offset " + std::to_string(e.offset) + ", not 64-byte aligned");
    const bool meta = k < meta_sections;
    const std::uint64_t lo = meta ? table_end : header.payload_begin;
    const std::uint64_t hi = meta ? header.payload_begin : header.file_bytes;
    if (e.offset < lo || e.offset > hi || e.bytes > hi - e.offset)
      bad_table(name + " (bytes " + std::to_string(e.offset) + "+" + std::to_string(e.bytes) + ") outside the " +
                (meta ? "meta part" : "payload") + " (" + std::to_string(lo) + "-" + std::to_string(hi) + ")");
    table[k] = e;
  }
  {
    std::array<table_entry, section_kinds.size()> by_offset = table;
    std::sort(by_offset.begin(), by_offset.end(), [](const table_entry& a, const table_entry& b) { return a.offset < b.offset; });
    const table_entry* previous = nullptr;  // empty sections occupy nothing
    for (const table_entry& e : by_offset) {
      if (e.bytes == 0) continue;
      if (previous != nullptr && e.offset < previous->offset + previous->bytes)
        bad_table("sections " + std::to_string(previous->id) + " and " + std::to_string(e.id) + " overlap");
      previous = &e;
    }
  }
  // The payload as written? (Before reading anything in it: damage is reported as damage.)
  if (options.verify &&
      hash_of(file + header.payload_begin, static_cast<std::size_t>(header.file_bytes - header.payload_begin)) != header.payload_checksum)
    file_error(path, "store file is corrupted (payload checksum mismatch)");
  auto entry = [&](section_id id) -> const table_entry& { return table[kind_index(id)]; };

  // 3. Dictionary and coverages (rebuilt: small).
  auto dict = std::shared_ptr<variant_dictionary>(new variant_dictionary());
  {
    const table_entry& e = entry(sec_dictionary);
    reader r(reinterpret_cast<const char*>(file + e.offset), static_cast<std::size_t>(e.bytes), path,
             "not a valid mtmatch store file: dictionary: ");
    read_dictionary(r, *dict);
    if (!r.done()) r.fail("bytes left after the classes");
    dict->finish();
  }
  auto ranges = std::make_shared<std::vector<range>>();
  {
    const table_entry& e = entry(sec_ranges);
    reader r(reinterpret_cast<const char*>(file + e.offset), static_cast<std::size_t>(e.bytes), path,
             "not a valid mtmatch store file: coverages: ");
    const std::uint64_t n = r.count(4);
    ranges->reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) ranges->push_back(r.get_range());
    if (!r.done()) r.fail("bytes left after the last coverage");
  }

  // 4. Counts: the section sizes agree with the header and with each other.
  const std::uint64_t n_haplotypes = header.haplotypes;
  const std::uint64_t n_profiles = header.profiles;
  if (header.dense_words != dict->dense_words_)
    bad_table("rows of " + std::to_string(header.dense_words) + " words, the dictionary has " + std::to_string(dict->dense_words_));
  if (n_profiles >= 0xFFFFFFFFULL || n_haplotypes > n_profiles)
    bad_table(std::to_string(n_haplotypes) + " haplotypes for " + std::to_string(n_profiles) + " profiles");
  auto expect = [&](section_id id, std::uint64_t n) {
    const table_entry& e = entry(id);
    if (e.count != n)
      bad_table(std::string("section '") + section_kinds[kind_index(id)].name + "' has " + std::to_string(e.count) +
                " elements, expected " + std::to_string(n));
  };
  expect(sec_blocks, std::max<std::uint64_t>((n_haplotypes + 7) / 8 * 8 * header.dense_words, 8));
  for (section_id id : {sec_class, sec_exact, sec_ragged, sec_slack, sec_slack_counted, sec_needs_reference, sec_ordinary_count})
    expect(id, n_haplotypes);
  for (section_id id : {sec_missing_begin, sec_tail_begin, sec_member_begin}) expect(id, n_haplotypes + 1);
  expect(sec_haplotype_of, n_profiles);
  expect(sec_id_offsets, n_profiles + 1);
  // A list's length is the last of its begin offsets (and the first is 0).
  auto list_of = [&](section_id begin, section_id list) {
    const auto b = section_span<std::uint32_t>(file, entry(begin));
    if (b.front() != 0) bad_table(std::string("section '") + section_kinds[kind_index(begin)].name + "' does not start at 0");
    expect(list, b.back());
  };
  list_of(sec_missing_begin, sec_missing_list);
  list_of(sec_tail_begin, sec_tail_list);
  list_of(sec_member_begin, sec_member_list);
  expect(sec_member_list, n_profiles);
  {
    const auto offsets = section_span<std::uint64_t>(file, entry(sec_id_offsets));
    if (offsets.front() != 0) bad_table("section 'id offsets' does not start at 0");
    expect(sec_id_blob, offsets.back());
  }
  dict->serial_ = next_loaded_serial();
  profile_store s;
  s.dictionary_ = dict;
  s.words_ = dict->dense_words_;
  s.ranges_ = std::move(ranges);
  s.id_strings_ = std::make_shared<id_strings>();
  s.blocks_ = section_span<std::uint64_t>(file, entry(sec_blocks));
  s.class_ = section_span<std::uint16_t>(file, entry(sec_class));
  s.exact_ = section_span<std::uint32_t>(file, entry(sec_exact));
  s.ragged_ = section_span<std::uint8_t>(file, entry(sec_ragged));
  s.slack_ = section_span<std::uint8_t>(file, entry(sec_slack));
  s.slack_counted_ = section_span<std::uint8_t>(file, entry(sec_slack_counted));
  s.needs_reference_ = section_span<std::uint8_t>(file, entry(sec_needs_reference));
  s.ordinary_count_ = section_span<std::uint16_t>(file, entry(sec_ordinary_count));
  s.missing_begin_ = section_span<std::uint32_t>(file, entry(sec_missing_begin));
  s.missing_list_ = section_span<std::uint32_t>(file, entry(sec_missing_list));
  s.tail_begin_ = section_span<std::uint32_t>(file, entry(sec_tail_begin));
  s.tail_list_ = section_span<std::uint32_t>(file, entry(sec_tail_list));
  s.member_begin_ = section_span<std::uint32_t>(file, entry(sec_member_begin));
  s.member_list_ = section_span<std::uint32_t>(file, entry(sec_member_list));
  s.haplotype_of_ = section_span<std::uint32_t>(file, entry(sec_haplotype_of));
  s.id_offsets_ = section_span<std::uint64_t>(file, entry(sec_id_offsets));
  s.id_blob_ = section_span<char>(file, entry(sec_id_blob));
  s.backing_ = std::move(mapping);
  s.mapped_ = true;

  // 5. Arrays derived under other rules (another mtmatch): re-encode from the rows, don't trust them.
  const bool same_rules = rules_fingerprint(*dict) == header.fingerprint;
  if (options.verify || !same_rules) s.check_contents(path, same_rules);
  if (!same_rules) return s.encoded_again(dict);
  return s;
}

// Every index in the arrays is in range and the arrays agree with each other and, when `derived`,
// the per-haplotype facts are what the constructor computes from the rows. O(file size).
void profile_store::check_contents(const std::string& path, bool derived) const {
  auto bad = [&](const std::string& what) { file_error(path, "inconsistent store file contents: " + what); };
  const variant_dictionary& dict = *dictionary_;
  const std::size_t n = haplotypes();
  const std::size_t n_profiles = size();
  const std::size_t n_dense = dict.dense_columns();
  const std::size_t n_columns = dict.size();
  auto ascending = [&](std::span<const std::uint32_t> begin, std::span<const std::uint32_t> list, const char* what) {
    for (std::size_t h = 0; h < n; ++h)
      if (begin[h + 1] < begin[h] || begin[h + 1] > list.size()) bad(std::string(what) + " offsets out of order at haplotype " + std::to_string(h));
    for (std::size_t h = 0; h < n; ++h)
      for (std::size_t i = begin[h] + 1; i < begin[h + 1]; ++i)
        if (list[i] <= list[i - 1]) bad(std::string(what) + " of haplotype " + std::to_string(h) + " not ascending");
  };
  ascending(missing_begin_, missing_list_, "missing list");
  ascending(tail_begin_, tail_list_, "tail list");
  ascending(member_begin_, member_list_, "member list");
  for (std::size_t p = 0; p < n_profiles; ++p) {
    if (haplotype_of_[p] >= n) bad("profile " + std::to_string(p) + " has haplotype " + std::to_string(haplotype_of_[p]) + " of " + std::to_string(n));
    if (id_offsets_[p + 1] < id_offsets_[p]) bad("id offsets out of order at profile " + std::to_string(p));
  }
  for (std::size_t h = 0; h < n; ++h) {
    if (member_begin_[h] == member_begin_[h + 1]) bad("haplotype " + std::to_string(h) + " has no member");
    for (std::uint32_t m : members(static_cast<std::uint32_t>(h)))
      if (m >= n_profiles || haplotype_of_[m] != h) bad("member " + std::to_string(m) + " of haplotype " + std::to_string(h) + " disagrees with its profile");
  }
  // Rows: class ascending, clean before ragged inside a class; padding bits and padding rows zero.
  for (std::size_t h = 0; h < n; ++h) {
    const std::string which = "haplotype " + std::to_string(h);
    if (class_[h] >= dict.classes()) bad(which + " has coverage class " + std::to_string(class_[h]) + " of " + std::to_string(dict.classes()));
    if (exact_[h] >= ranges_->size()) bad(which + " has coverage " + std::to_string(exact_[h]) + " of " + std::to_string(ranges_->size()));
    if (h > 0 && (class_[h] < class_[h - 1] || (class_[h] == class_[h - 1] && (ragged_[h] & 1) < (ragged_[h - 1] & 1))))
      bad(which + " out of order (rows go by class, clean before ragged)");
    const bool ragged_range = !((*ranges_)[exact_[h]] == dict.class_range(class_[h]));
    if (ragged_[h] > 3 || ((ragged_[h] & 1) != 0) != ragged_range) bad(which + ": its ragged flag disagrees with its coverage");
    for (std::uint32_t id : tail(static_cast<std::uint32_t>(h)))
      if (id < n_dense || id >= n_columns) bad(which + " has tail column " + std::to_string(id));
    for (std::uint32_t id : missing_dense(static_cast<std::uint32_t>(h)))
      if (id >= n_dense || !dict.class_covers(class_[h], id)) bad(which + " has missing column " + std::to_string(id));
  }
  for (std::size_t block = 0; block < blocks_.size() / (words_ * 8); ++block)
    for (std::size_t w = 0; w < words_; ++w) {
      const std::size_t first_bit = w * 64;
      const std::uint64_t padding = first_bit >= n_dense ? ~std::uint64_t{0}
                                    : n_dense - first_bit >= 64 ? 0
                                                                : ~std::uint64_t{0} << (n_dense - first_bit);
      for (std::size_t r = 0; r < 8; ++r) {
        const std::uint64_t word = blocks_[(block * words_ + w) * 8 + r];
        if ((word & (block * 8 + r < n ? padding : ~std::uint64_t{0})) != 0)
          bad("dense row " + std::to_string(block * 8 + r) + " has bits beyond the dictionary's core");
      }
    }
  if (!derived) return;
  // The per-haplotype facts the engine's bound rests on, recomputed from the rows.
  std::vector<std::uint32_t> ids;
  for (std::uint32_t h = 0; h < n; ++h) {
    ids = columns(h);
    std::size_t firm = 0;
    std::uint8_t risky = 0;
    std::uint8_t long_deletion = 0;
    for (std::uint32_t id : ids) {
      const column_info& c = dict.column(id);
      firm += c.is(column_length_variant) || c.slack != 0 ? 0 : 1;
      if (c.is(column_coverage_boundary)) risky = 1;
      if (c.is(column_deletion) && c.last > c.first) long_deletion = 2;
    }
    if (slack_[h] != dict.excess_of(ids, false) || slack_counted_[h] != dict.excess_of(ids, true) ||
        ordinary_count_[h] != std::min<std::size_t>(firm, 0xFFFF) || needs_reference_[h] != risky || (ragged_[h] & 2) != long_deletion)
      bad("haplotype " + std::to_string(h) + ": its slack, counts or flags disagree with its columns");
    if (h > 0 && class_[h] == class_[h - 1] && (ragged_[h] & 1) == (ragged_[h - 1] & 1) && ordinary_count_[h] < ordinary_count_[h - 1])
      bad("haplotype " + std::to_string(h) + " out of order (rows of a class go by firm column count)");
  }
}

}  // namespace mtmatch
