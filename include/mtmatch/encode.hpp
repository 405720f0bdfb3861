#pragma once
/// @file encode.hpp
/// Canonical profiles → compact rows the matching kernels can compare at memory speed.
///
/// A `variant_dictionary` gives every distinct canonical variant seen in the profiles a column.
/// The most frequent columns (haplogroup markers) form the *dense core*: one bit per column in a
/// fixed-width bitset row per profile. The rest, rare variants, form the *sparse tail*: a short
/// list of column ids per profile. Inside the core, ids are ordered by rCRS position (rotated to
/// start at 16024, so the control region 16024-576 is one run) in two blocks — ordinary variants,
/// then length variants — so that "covered by both profiles" and "not a length variant" are a few
/// runs of whole words and only the words at a coverage edge need a mask.
///
/// A `profile_store` holds one side of a comparison (remains or relatives): identical haplotypes
/// (same coverage, same variants) are stored once, with the list of profiles that share them;
/// rows are grouped by coverage class and, inside a class, by variant count.
///
/// Memory per profile (control region, 1024-bit core): 128 B of core bits per distinct haplotype,
/// 4 B per tail variant (on average well under one), 16 B of per-haplotype bookkeeping and 4 B per
/// profile for its haplotype index — about 150 B, well under 256 B. Profile ids are kept as
/// strings on top (see profile_store::bytes()).
///
/// A store can be saved to a file and loaded back (profile_store::save / profile_store::load). The
/// file (format version 2) is laid out so that load() maps it read-only (POSIX mmap) and the store
/// reads its arrays in place: nothing per haplotype or per profile is rebuilt or copied, only the
/// dictionary (a few thousand columns) and the store's distinct coverages. Copies of a store share
/// its arrays (built in memory or mapped), so copying is cheap and a copy keeps a mapping alive.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mtmatch/profile.hpp"
#include "mtmatch/range.hpp"
#include "mtmatch/variant.hpp"

namespace mtmatch {

/// How to build the dictionary.
struct encode_options {
  /// Bits of the dense core, a multiple of 512 (so rows are whole 64-byte cache lines); 0 chooses
  /// the smallest core that leaves at most `max_tail_per_profile` tail variants per profile.
  std::size_t dense_bits = 0;
  /// Upper bound for the automatic choice (and for dense_bits): keeps rows small at 1 M profiles.
  std::size_t max_dense_bits = 8192;
  /// Automatic choice: average number of tail variants per profile that is acceptable.
  double max_tail_per_profile = 0.25;
  /// Coverage classes ignore gaps (missing `N` stretches) of up to this many positions: a control
  /// region with 16150-16170 unreadable shares the class of the full control region, and the
  /// profile keeps its exact range (see profile_store::ragged()). Keeps classes few and tiles long.
  std::int32_t fill_gaps = 64;
  /// Throws mtmatch::error for a dense_bits that is not a multiple of 512 or exceeds 32768, or a
  /// negative fill_gaps.
  void validate() const;
};

/// Properties of a column that the engine needs to count differences per site, like compare().
enum column_flag : std::uint8_t {
  column_heteroplasmy = 1,        ///< an IUPAC substitution (pattern-matched by default)
  column_length_variant = 2,      ///< an indel compare() ignores as a length variant whichever profile has it
  column_minor_allele = 4,        ///< not the most frequent variant of its site
  column_deletion = 8,            ///< a deletion (any length)
  column_indel_context = 16,      ///< an indel with other columns in its compare() window, or such a column (informative)
  column_coverage_boundary = 32,  ///< a multi-base deletion that some coverage class cuts
  column_length_if_first = 64,    ///< ignored as a length variant when the first profile of compare(a, b) has it
  column_length_if_second = 128,  ///< ignored as a length variant when the second profile has it
};

/// True when first..last lies within 3 bases of a length-variable stretch of normalize.hpp
/// (is_length_variant). compare()'s alignment can re-read a substitution there as part of an
/// ignored length variant (`16189C` against `16193.1C` is one T deleted from the C-tract: no
/// difference), so such columns carry one unit of slack.
[[nodiscard]] bool near_length_stretch(std::int32_t first, std::int32_t last) noexcept;

/// One column of the dictionary.
struct column_info {
  variant value;                ///< the canonical variant
  std::int32_t site = 0;        ///< index of its site (position, or insertion after a position)
  std::int32_t first = 0;       ///< first rCRS position it touches (insertions: the anchor)
  std::int32_t last = 0;        ///< last rCRS position it touches (insertions: the anchor)
  /// The stretch compare() aligns when this variant differs (its repeat block plus flanks, taken a
  /// little wider than compare() does): two differing variants whose stretches overlap are
  /// settled together.
  std::int32_t window_first = 0;
  std::int32_t window_last = 0;
  std::uint32_t count = 0;      ///< occurrences among the profiles the dictionary was built from
  std::uint8_t bases = 0;       ///< substitutions: IUPAC base set (A=1 C=2 G=4 T=8); else 0
  std::uint8_t flags = 0;       ///< column_flag bits
  /// How much this column can make the bit count exceed compare()'s count (0 for an ordinary
  /// variant; 1 for a minor allele, a deletion neighbour, a one-sided length variant; 2 for a
  /// heteroplasmy, and for an insertion of IUPAC bases, which pattern-matches as one does).
  std::uint8_t slack = 0;
  /// The same when length variants are counted (compare_policy::ignore_length_variants off).
  std::uint8_t slack_counted = 0;
  /// compare()'s count when this variant is the only thing in its window and one profile has it
  /// (owner 0: the first profile of compare(a, b), 1: the second), per policy switch. Computed
  /// with compare() itself when the dictionary is built.
  [[nodiscard]] int alone(int owner, bool ignore_length_variants, bool pattern_match) const noexcept {
    return alone_[owner * 4 + (ignore_length_variants ? 2 : 0) + (pattern_match ? 1 : 0)];
  }
  std::uint8_t alone_[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  [[nodiscard]] bool is(column_flag f) const noexcept { return (flags & f) != 0; }
};

/// The columns and coverage classes shared by the stores that are compared with each other.
/// Immutable once built; stores keep it alive through a shared_ptr.
class variant_dictionary {
 public:
  /// Builds a dictionary over every profile of every set: columns for all their variants,
  /// classes for all their coverages. Throws mtmatch::error for invalid options.
  [[nodiscard]] static std::shared_ptr<const variant_dictionary> build(
      std::span<const std::span<const profile>> sets, const encode_options& options = {});

  /// A number no other dictionary of this process has (caches key on it, not on the address).
  [[nodiscard]] std::uint64_t serial() const noexcept { return serial_; }

  /// A dictionary that keeps every column and class of `base` (same ids, so stores encoded with
  /// `base` stay valid after profile_store::reencoded()) and adds, after them, the variants and
  /// coverages of `sets` that `base` lacks. Returns `base` itself when nothing is missing. This is
  /// how new remains are matched against a saved relatives store.
  [[nodiscard]] static std::shared_ptr<const variant_dictionary> extend(
      const std::shared_ptr<const variant_dictionary>& base, std::span<const std::span<const profile>> sets);

  /// Number of columns (dense core first, then tail).
  [[nodiscard]] std::size_t size() const noexcept { return columns_.size(); }
  /// Columns in the dense core: ids 0 .. dense_columns()-1.
  [[nodiscard]] std::size_t dense_columns() const noexcept { return n_dense_; }
  /// 64-bit words of a dense row (a multiple of 8).
  [[nodiscard]] std::size_t dense_words() const noexcept { return dense_words_; }
  [[nodiscard]] const column_info& column(std::uint32_t id) const noexcept { return columns_[id]; }
  /// The column of a canonical variant, if the dictionary has it.
  [[nodiscard]] std::optional<std::uint32_t> find(const variant& v) const;

  /// Number of sites; sites are ordered by rotated position (16024 first), insertions after their anchor.
  [[nodiscard]] std::size_t sites() const noexcept { return site_position_.size(); }
  /// rCRS position of a site and whether it is an insertion site.
  [[nodiscard]] std::int32_t site_position(std::int32_t site) const noexcept { return site_position_[site]; }
  [[nodiscard]] bool site_is_insertion(std::int32_t site) const noexcept { return site_insertion_[site] != 0; }

  /// Number of coverage classes: distinct ranges once gaps of up to encode_options::fill_gaps
  /// positions are filled.
  [[nodiscard]] std::size_t classes() const noexcept { return classes_.size(); }
  [[nodiscard]] const range& class_range(std::uint16_t c) const noexcept { return classes_[c]; }
  /// The class of a coverage (its gaps filled), if the dictionary has it.
  [[nodiscard]] std::optional<std::uint16_t> find_class(const range& r) const;
  /// A coverage with its short gaps filled (also across the origin): the range of its class.
  [[nodiscard]] range class_of_range(const range& r) const;
  /// Dense mask of a class: bit of every core column inside the range (padding bits are set too,
  /// rows are zero there). dense_words() words.
  [[nodiscard]] const std::uint64_t* class_dense_mask(std::uint16_t c) const noexcept {
    return class_dense_.data() + std::size_t{c} * dense_words_;
  }
  /// Is column `id` inside class `c`'s range (an insertion: its anchor and the next position)?
  [[nodiscard]] bool class_covers(std::uint16_t c, std::uint32_t id) const noexcept {
    return (class_all_[std::size_t{c} * all_words_ + id / 64] >> (id % 64)) & 1U;
  }
  /// Dense mask of the length-variant columns (dense_words() words).
  [[nodiscard]] const std::uint64_t* length_variant_mask() const noexcept { return length_dense_.data(); }
  /// Dense mask of the columns without slack (column_info::slack == 0, or slack_counted == 0 when
  /// length variants are counted): the kernel counts only these, so a pair's count minus the
  /// excess slack of the two haplotypes bounds compare()'s count from below. Padding bits are set.
  [[nodiscard]] const std::uint64_t* firm_mask(bool counting_length) const noexcept {
    return counting_length ? firm_counted_dense_.data() : firm_dense_.data();
  }

  /// The other columns that touch this column's compare() window.
  [[nodiscard]] std::span<const std::uint32_t> window_neighbours(std::uint32_t id) const noexcept {
    return {neighbours_.data() + neighbour_begin_[id], neighbours_.data() + neighbour_begin_[id + 1]};
  }

  /// Calls f(id) for every column whose span [first, last] meets positions lo..hi, by position.
  template <class F>
  void for_each_touching(std::int32_t lo, std::int32_t hi, F&& f) const {
    auto it = std::lower_bound(by_position_.begin(), by_position_.end(), lo - longest_,
                               [&](std::uint32_t x, std::int32_t p) { return columns_[x].first < p; });
    for (; it != by_position_.end() && columns_[*it].first <= hi; ++it)
      if (columns_[*it].last >= lo && columns_[*it].last - columns_[*it].first < 64) f(*it);
    for (std::uint32_t id : long_columns_)
      if (columns_[id].first <= hi && columns_[id].last >= lo) f(id);
  }

  /// Sum over a set of columns of their slack (see column_info::slack), capped at 255.
  [[nodiscard]] std::uint8_t slack_of(std::span<const std::uint32_t> ids, bool counting_length) const noexcept;
  /// Sum over a set of columns of (slack - 1) where slack > 1, capped at 255: what is left to
  /// subtract once only firm columns are counted (a heteroplasmy against the other allele: 2 bits
  /// for no difference, one of them firm).
  [[nodiscard]] std::uint8_t excess_of(std::span<const std::uint32_t> ids, bool counting_length) const noexcept;

 private:
  friend class profile_store;
  void finish();
  std::vector<column_info> columns_;
  std::unordered_map<std::string, std::uint32_t> by_key_;
  std::vector<std::int32_t> site_position_;
  std::vector<std::uint8_t> site_insertion_;
  std::size_t n_dense_ = 0;
  std::size_t dense_words_ = 8;
  std::size_t all_words_ = 0;
  std::int32_t fill_gaps_ = 64;
  std::vector<range> classes_;
  std::unordered_map<std::string, std::uint16_t> class_by_key_;
  std::vector<std::uint64_t> class_dense_;
  std::vector<std::uint64_t> class_all_;
  std::vector<std::uint64_t> length_dense_;
  std::vector<std::uint64_t> firm_dense_;
  std::vector<std::uint64_t> firm_counted_dense_;
  std::uint64_t serial_ = 0;
  std::vector<std::uint32_t> by_position_;
  std::int32_t longest_ = 1;
  std::vector<std::uint32_t> long_columns_;
  std::vector<std::uint32_t> neighbour_begin_;
  std::vector<std::uint32_t> neighbours_;
};

/// How profile_store::load() reads a file.
///
/// The trade-off. A version-2 file has two checksums: one over the header, the section table, the
/// dictionary and the coverages (always checked: load() reads those anyway), and one over the
/// payload — the rows and every per-haplotype and per-profile array, nearly the whole file.
/// With `verify` (the default) load() reads the payload once to check its checksum and every index
/// in it (member, tail and missing lists, each profile's haplotype, id offsets): a damaged file is
/// refused with a clear error before any match runs, and load time grows with the file (every page
/// is read). Without it load() checks only the header, the section table (bounds, alignment, sizes
/// against the counts) and the dictionary, and the payload is paged in as the engine first reads it:
/// load time no longer grows with the store, but bytes damaged on disk after the file was written go
/// unnoticed and can give wrong results or crash the process. Skip verification only for files this
/// program wrote and has loaded with verification once (e.g. a service that reloads its store).
struct load_options {
  /// Check the payload's checksum and every index in it before use (see above).
  bool verify = true;
};

/// One side of a comparison, encoded. Rows are distinct haplotypes; see the file comment.
/// Copies share the arrays (and, for a loaded store, the file mapping): copying is cheap, and every
/// copy stays valid after the original is destroyed. A store never changes once built.
class profile_store {
 public:
  profile_store() = default;
  /// A copy shares the arrays (a few reference counts). A moved-from store stays a full copy too:
  /// moving is copying here, so no store is ever left viewing arrays it does not keep alive.
  profile_store(const profile_store&) = default;
  profile_store& operator=(const profile_store&) = default;
  ~profile_store() = default;
  /// Encodes `profiles` against `dictionary`. Throws mtmatch::error naming the profile when one of
  /// its variants or its coverage is not in the dictionary.
  profile_store(std::shared_ptr<const variant_dictionary> dictionary, std::span<const profile> profiles);

  [[nodiscard]] const variant_dictionary& dictionary() const noexcept { return *dictionary_; }
  [[nodiscard]] const std::shared_ptr<const variant_dictionary>& dictionary_ptr() const noexcept { return dictionary_; }

  /// Number of profiles encoded.
  [[nodiscard]] std::size_t size() const noexcept { return haplotype_of_.size(); }
  /// Number of distinct haplotypes (rows).
  [[nodiscard]] std::size_t haplotypes() const noexcept { return class_.size(); }
  /// Id of a profile. A loaded store keeps its ids as one block of bytes in the file; the first call
  /// builds the strings once (thread-safe, shared by copies). id_view() never does.
  [[nodiscard]] const std::string& id(std::size_t profile) const;
  /// Id of a profile, without building strings.
  [[nodiscard]] std::string_view id_view(std::size_t profile) const noexcept;
  [[nodiscard]] std::uint32_t haplotype_of(std::size_t profile) const noexcept { return haplotype_of_[profile]; }
  /// Profiles (input indices, ascending) that share haplotype `h`.
  [[nodiscard]] std::span<const std::uint32_t> members(std::uint32_t h) const noexcept {
    return {member_list_.data() + member_begin_[h], member_list_.data() + member_begin_[h + 1]};
  }
  [[nodiscard]] std::uint16_t coverage_class(std::uint32_t h) const noexcept { return class_[h]; }
  /// The exact range the haplotype covers.
  [[nodiscard]] const range& coverage(std::uint32_t h) const noexcept { return (*ranges_)[exact_[h]]; }
  /// Index of coverage(h) among this store's distinct exact ranges.
  [[nodiscard]] std::uint32_t coverage_index(std::uint32_t h) const noexcept { return exact_[h]; }
  /// True when the haplotype covers less than its class (a missing stretch): its class masks
  /// overstate it by the core columns in missing_dense(h).
  [[nodiscard]] bool ragged(std::uint32_t h) const noexcept { return (ragged_[h] & 1) != 0; }
  /// Core columns inside the class range but outside the haplotype's own range, ascending.
  [[nodiscard]] std::span<const std::uint32_t> missing_dense(std::uint32_t h) const noexcept {
    return {missing_list_.data() + missing_begin_[h], missing_list_.data() + missing_begin_[h + 1]};
  }
  /// Is column `id` inside the haplotype's own range?
  [[nodiscard]] bool covers(std::uint32_t h, std::uint32_t id) const noexcept;
  /// Row of the first ragged haplotype of class c (rows of a class: clean ones first, then ragged).
  [[nodiscard]] std::uint32_t class_ragged_begin(std::uint16_t c) const noexcept;
  /// True when the haplotype has a deletion of more than one base (see match.cpp: such deletions
  /// can be cut by another profile's missing stretch).
  [[nodiscard]] bool has_long_deletion(std::uint32_t h) const noexcept { return (ragged_[h] & 2) != 0; }
  /// Excess slack of the haplotype's columns (variant_dictionary::excess_of): the kernel's count of
  /// differing firm columns minus the two haplotypes' excess bounds compare()'s count from below.
  /// `counting_length`: for a policy that counts length variants.
  [[nodiscard]] std::uint8_t slack(std::uint32_t h, bool counting_length = false) const noexcept {
    return counting_length ? slack_counted_[h] : slack_[h];
  }
  /// slack() of every row, contiguous (for scanning kernel output).
  [[nodiscard]] const std::uint8_t* slacks(bool counting_length = false) const noexcept {
    return counting_length ? slack_counted_.data() : slack_.data();
  }
  /// True when the haplotype has a deletion cut by some coverage class: such pairs are settled by compare().
  [[nodiscard]] bool needs_reference(std::uint32_t h) const noexcept { return needs_reference_[h] != 0; }
  /// Number of its firm columns (no slack, not length variants): the count filter's key.
  [[nodiscard]] std::uint16_t ordinary_count(std::uint32_t h) const noexcept { return ordinary_count_[h]; }
  /// Tail column ids of the haplotype, ascending.
  [[nodiscard]] std::span<const std::uint32_t> tail(std::uint32_t h) const noexcept {
    return {tail_list_.data() + tail_begin_[h], tail_list_.data() + tail_begin_[h + 1]};
  }
  /// All column ids of the haplotype, ascending (core bits then tail).
  [[nodiscard]] std::vector<std::uint32_t> columns(std::uint32_t h) const;
  /// Is column `id` (a core column) set in row h?
  [[nodiscard]] bool has_dense(std::uint32_t h, std::uint32_t id) const noexcept {
    return (blocks_[(std::size_t{h} / 8 * words_ + id / 64) * 8 + h % 8] >> (id % 64)) & 1U;
  }
  /// Block-interleaved dense rows (see detail/kernels.hpp), 64-byte aligned, rows padded to a multiple of 8.
  [[nodiscard]] const std::uint64_t* blocks() const noexcept { return blocks_.data(); }
  /// Copies row h's dense words into `out` (dense_words() words).
  void copy_row(std::uint32_t h, std::uint64_t* out) const noexcept;
  /// Rows of class c are the half-open range [class_begin(c), class_end(c)).
  [[nodiscard]] std::uint32_t class_begin(std::uint16_t c) const noexcept;
  [[nodiscard]] std::uint32_t class_end(std::uint16_t c) const noexcept;

  /// The canonical profile again (id, coverage, variants) — equal to the one encoded.
  [[nodiscard]] profile decode(std::size_t profile) const;
  /// The haplotype as a profile (id of its first member).
  [[nodiscard]] profile decode_haplotype(std::uint32_t h) const;

  /// The same profiles encoded with another dictionary (e.g. one from variant_dictionary::extend()).
  /// When the arrays would come out the same — `dictionary` keeps this store's columns, classes and
  /// the facts derived from them, as extending it for new remains usually does — the result shares
  /// this store's arrays (and mapping) and only its dictionary differs: a mapped relatives store stays
  /// mapped and nothing is re-encoded. Otherwise every profile is decoded and encoded again.
  [[nodiscard]] profile_store reencoded(std::shared_ptr<const variant_dictionary> dictionary) const;

  /// Writes the store and its dictionary to `path` in format version 2 (see store_io.cpp for the
  /// byte layout): a 128-byte header (magic `MTMSTORE`, version, byte-order marker, file size, two
  /// checksums, counts), a section table, the dictionary and the coverages, then each array of the
  /// store as its own 64-byte aligned section — the dense rows exactly as blocks() holds them, the
  /// per-haplotype arrays, the member, tail and missing lists, each profile's haplotype, and the ids
  /// as one block of bytes plus offsets. About 60 bytes per profile for control regions (605,000
  /// simulated relatives: 36 MB; bench/bench_store.cpp). The file is written next to `path` and
  /// renamed over it, so a store mapped from the old file stays valid and readers never see half a file.
  /// Throws mtmatch::error naming the path when it cannot be written.
  void save(const std::string& path) const;
  /// Loads a file written by save() (its own dictionary comes with it). Version 2: the file is mapped
  /// read-only (mmap) and the store reads its arrays in place (mapped() is true); only the dictionary
  /// and the distinct coverages are rebuilt. Version 1 (written by mtmatch before the mappable
  /// format): still read, through the old path that re-encodes every haplotype (slow for large
  /// stores: save it again to get a version-2 file). See load_options for what is checked.
  /// The per-haplotype arrays of a file (slack, counts, missing lists, row order) follow from the
  /// dictionary's derived facts and the encoding rules of the mtmatch that wrote it; the file records
  /// a fingerprint of both. When the dictionary rebuilt on load gives another fingerprint (a newer
  /// mtmatch with other rules), the store is re-encoded from its rows instead (mapped() is false).
  /// Throws mtmatch::error naming the path and the problem: not an mtmatch store, another format
  /// version or byte order, truncated (or trailing bytes), checksum mismatch (header/dictionary or
  /// payload: corrupted), an inconsistent section table (out of bounds, misaligned, overlapping,
  /// sizes that disagree with the counts) or inconsistent contents.
  /// The mapping is private and read-only, but a file truncated by another process while mapped makes
  /// later reads fault (SIGBUS): replace store files by renaming a new file over them, as save() does.
  /// Example: `auto relatives = mtmatch::profile_store::load("relatives.mtm");`
  [[nodiscard]] static profile_store load(const std::string& path, const load_options& options = {});

  /// True when the arrays are read in place from a mapped store file (load() of a version-2 file).
  [[nodiscard]] bool mapped() const noexcept { return mapped_; }

  /// Bytes held, without and with the id strings (for a mapped store: the bytes of the arrays the
  /// mapping provides, whether paged in or not).
  [[nodiscard]] std::size_t bytes(bool with_ids = false) const noexcept;

 private:
  // Owner of the memory the spans below view: arrays built in memory (owned_arrays, encode.cpp) or
  // a file mapping (mapped_file, store_io.cpp). Shared by copies, never written after construction.
  struct backing {
    backing() = default;
    backing(const backing&) = delete;
    backing& operator=(const backing&) = delete;
    virtual ~backing() = default;
  };
  struct owned_arrays;
  struct mapped_file;
  // The ids as strings: given to the constructor, or built once on first id() from id_blob_.
  struct id_strings {
    std::once_flag once;
    std::vector<std::string> strings;
  };
  void adopt(std::shared_ptr<owned_arrays> owned);
  // store_io.cpp: the two file formats, and what a loaded file is checked against.
  static profile_store load_v1(const std::string& path, const std::string& file);
  static profile_store load_v2(const std::string& path, std::shared_ptr<const mapped_file> mapping, const load_options& options);
  template <class Reader>
  static void read_dictionary(Reader& r, variant_dictionary& dict);
  static std::uint64_t rules_fingerprint(const variant_dictionary& dict);
  void check_contents(const std::string& path, bool derived) const;
  [[nodiscard]] bool arrays_valid_under(const variant_dictionary& next) const;
  [[nodiscard]] profile_store encoded_again(std::shared_ptr<const variant_dictionary> dictionary) const;

  std::shared_ptr<const variant_dictionary> dictionary_;
  std::shared_ptr<const backing> backing_;
  std::shared_ptr<const std::vector<range>> ranges_;  // distinct exact ranges
  std::shared_ptr<id_strings> id_strings_;
  std::size_t words_ = 0;
  bool mapped_ = false;
  std::span<const std::uint64_t> blocks_;
  std::span<const std::uint16_t> class_;
  std::span<const std::uint32_t> exact_;
  std::span<const std::uint8_t> ragged_;  // bit 0: ragged, bit 1: has a deletion longer than one base
  std::span<const std::uint32_t> missing_begin_;
  std::span<const std::uint32_t> missing_list_;
  std::span<const std::uint8_t> slack_;
  std::span<const std::uint8_t> slack_counted_;
  std::span<const std::uint8_t> needs_reference_;
  std::span<const std::uint16_t> ordinary_count_;
  std::span<const std::uint32_t> tail_begin_;
  std::span<const std::uint32_t> tail_list_;
  std::span<const std::uint32_t> member_begin_;
  std::span<const std::uint32_t> member_list_;
  std::span<const std::uint32_t> haplotype_of_;
  std::span<const std::uint64_t> id_offsets_;  // size() + 1 offsets into id_blob_
  std::span<const char> id_blob_;
};

/// Both sides of a comparison encoded with one dictionary built over both.
struct encoded_sides {
  std::shared_ptr<const variant_dictionary> dictionary;
  profile_store remains;
  profile_store relatives;
};

/// Builds the dictionary over remains and relatives together and encodes both.
/// Example: `auto enc = mtmatch::encode(remains, relatives); enc.relatives.haplotypes();`
[[nodiscard]] encoded_sides encode(std::span<const profile> remains, std::span<const profile> relatives,
                                   const encode_options& options = {});

}  // namespace mtmatch
