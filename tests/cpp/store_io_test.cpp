// Store files (profile_store::save / load, format version 2, memory-mapped): a loaded store equals
// the one saved in every accessor and gives the same matches; damaged files of every kind are
// refused with a clear error naming the file; version-1 files are still read; copies keep the
// mapping alive.
//
// The layout is checked from outside: the system's XXH64 (libxxhash, called here directly over the
// documented byte ranges) recomputes the file's checksums, so that tests can edit the section table
// or the payload and "reseal" the file — the loader must then find the inconsistency itself, not the checksum.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <xxhash.h>

#include "engine_fixtures.hpp"
#include "mtmatch/encode.hpp"
#include "mtmatch/error.hpp"
#include "mtmatch/match.hpp"
#include "mtmatch/reference.hpp"

namespace {

using engine_fixtures::phylo_profiles;
using engine_fixtures::random_profiles;
using mtmatch::profile;
using mtmatch::profile_store;

// ---- XXH64 from outside the library: the system's libxxhash, called directly -------------------

std::uint64_t xxh64_of(const std::string& s, std::uint64_t seed = 0) { return XXH64(s.data(), s.size(), seed); }

TEST(StoreIo, SystemXxh64IsTheDocumentedAlgorithm) {
  // Known answers of XXH64 (libxxhash 0.8.1 and a plain transcription of xxhash_spec.md agreed on
  // each): the checksums the format documents stay this XXH64 whichever libxxhash the build finds.
  EXPECT_EQ(xxh64_of(""), 0xef46db3751d8e999ULL);
  EXPECT_EQ(xxh64_of("a"), 0xd24ec4f1a98c6e5bULL);
  EXPECT_EQ(xxh64_of("abc"), 0x44bc2cf5ad770999ULL);
  std::string bytes;
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(xxh64_of(bytes + "xyz"), 0xe921a1b45bd779f8ULL);
  EXPECT_EQ(xxh64_of("hello world, mtmatch store", 12345), 0x6a4163fe70df7dadULL);
  EXPECT_EQ(xxh64_of(bytes.substr(0, 37), 7), 0x69e0c889396afaf7ULL);
}

// ---- the documented layout (store_io.cpp) --------------------------------------------------------

constexpr std::size_t off_version = 8, off_marker = 12, off_file_bytes = 16, off_meta_sum = 24, off_payload_sum = 32,
                      off_payload_begin = 40, off_profiles = 48, off_haplotypes = 56, off_fingerprint = 72,
                      off_sections = 80, header_size = 128, entry_size = 32;

template <class T>
T get_at(const std::string& b, std::size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}
template <class T>
void put_at(std::string& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

struct section {
  std::uint32_t id, element_bytes;
  std::uint64_t count, offset, bytes;
  std::size_t entry_at;  // where its table entry is
};

std::vector<section> table_of(const std::string& b) {
  std::vector<section> out;
  const auto n = get_at<std::uint32_t>(b, off_sections);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::size_t at = header_size + i * entry_size;
    out.push_back({get_at<std::uint32_t>(b, at), get_at<std::uint32_t>(b, at + 4), get_at<std::uint64_t>(b, at + 8),
                   get_at<std::uint64_t>(b, at + 16), get_at<std::uint64_t>(b, at + 24), at});
  }
  return out;
}

section section_by_id(const std::string& b, std::uint32_t id) {
  for (const auto& s : table_of(b))
    if (s.id == id) return s;
  ADD_FAILURE() << "no section " << id;
  return {};
}

std::uint64_t meta_sum_of(const std::string& b) {
  const auto begin = get_at<std::uint64_t>(b, off_payload_begin);
  return xxh64_of(b.substr(32, begin - 32), xxh64_of(b.substr(0, 24)));
}
std::uint64_t payload_sum_of(const std::string& b) {
  return xxh64_of(b.substr(get_at<std::uint64_t>(b, off_payload_begin)));
}

// Both checksums recomputed after an edit: only the loader's own consistency checks can object.
void reseal(std::string& b) {
  put_at(b, off_payload_sum, payload_sum_of(b));
  put_at(b, off_meta_sum, meta_sum_of(b));
}

// Section ids (store_io.cpp).
constexpr std::uint32_t sec_dictionary = 1, sec_blocks = 10, sec_class = 11, sec_exact = 12, sec_slack = 14, sec_missing_list = 19,
                        sec_tail_list = 21, sec_member_begin = 22, sec_member_list = 23, sec_haplotype_of = 24, sec_id_offsets = 25;

// ---- fixtures --------------------------------------------------------------------------------------

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("mtmatch_store_io_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  // A new file each time: rewriting one in place makes ext4 flush it to disk (auto_da_alloc).
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Remains and relatives with everything a store holds: shared haplotypes, a tail (512-bit core),
// ragged coverages with missing lists, long deletions, heteroplasmies, several classes.
struct sample_sets {
  std::vector<profile> remains;
  std::vector<profile> relatives;
  mtmatch::encoded_sides sides;
};

const sample_sets& samples() {
  static const sample_sets s = [] {
    sample_sets out;
    phylo_profiles phylo(41);
    random_profiles random(42);
    const auto ranges = engine_fixtures::test_ranges();
    for (int i = 0; i < 260; ++i) out.relatives.push_back(phylo.individual("REL-" + std::to_string(i)));
    for (int i = 0; i < 90; ++i)
      out.relatives.push_back(random.random_profile(ranges[random.rng()() % ranges.size()], 1 + static_cast<int>(random.rng()() % 25),
                                                    "RND-" + std::to_string(i)));
    for (int i = 0; i < 30; ++i) {
      out.relatives.push_back(out.relatives[static_cast<std::size_t>(i * 7)]);
      out.relatives.back().id = "DUP-" + std::to_string(i) + std::string(static_cast<std::size_t>(i), 'x');  // ids of many lengths
    }
    for (int i = 0; i < 40; ++i) out.remains.push_back(phylo.individual("REM-" + std::to_string(i)));
    for (int i = 0; i < 20; ++i) out.remains.push_back(random.mutate(out.relatives[static_cast<std::size_t>(i * 11)], 1 + i % 3, ranges[static_cast<std::size_t>(i) % ranges.size()], "MUT-" + std::to_string(i)));
    mtmatch::encode_options o;
    o.dense_bits = 512;  // a tail, for sure
    out.sides = mtmatch::encode(out.remains, out.relatives, o);
    return out;
  }();
  return s;
}

// Every accessor of the two stores (and of their dictionaries) agrees.
void expect_same_store(const profile_store& a, const profile_store& b) {
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.haplotypes(), b.haplotypes());
  const auto& da = a.dictionary();
  const auto& db = b.dictionary();
  ASSERT_EQ(da.size(), db.size());
  ASSERT_EQ(da.dense_columns(), db.dense_columns());
  ASSERT_EQ(da.dense_words(), db.dense_words());
  ASSERT_EQ(da.classes(), db.classes());
  ASSERT_EQ(da.sites(), db.sites());
  const std::size_t words = da.dense_words();
  for (std::uint32_t id = 0; id < da.size(); ++id) {
    const auto& x = da.column(id);
    const auto& y = db.column(id);
    EXPECT_EQ(x.value, y.value);
    EXPECT_EQ(x.count, y.count);
    EXPECT_EQ(x.flags, y.flags);
    EXPECT_EQ(x.slack, y.slack);
    EXPECT_EQ(x.slack_counted, y.slack_counted);
    EXPECT_EQ(x.site, y.site);
  }
  for (std::uint16_t c = 0; c < da.classes(); ++c) {
    EXPECT_EQ(da.class_range(c), db.class_range(c));
    EXPECT_TRUE(std::equal(da.class_dense_mask(c), da.class_dense_mask(c) + words, db.class_dense_mask(c)));
    EXPECT_EQ(a.class_begin(c), b.class_begin(c));
    EXPECT_EQ(a.class_end(c), b.class_end(c));
    EXPECT_EQ(a.class_ragged_begin(c), b.class_ragged_begin(c));
  }
  EXPECT_TRUE(std::equal(da.length_variant_mask(), da.length_variant_mask() + words, db.length_variant_mask()));
  for (bool counting : {false, true})
    EXPECT_TRUE(std::equal(da.firm_mask(counting), da.firm_mask(counting) + words, db.firm_mask(counting)));

  for (std::size_t p = 0; p < a.size(); ++p) {
    EXPECT_EQ(a.id(p), b.id(p));
    EXPECT_EQ(a.id_view(p), b.id_view(p));
    EXPECT_EQ(a.haplotype_of(p), b.haplotype_of(p));
    EXPECT_EQ(a.decode(p), b.decode(p));
  }
  const std::size_t block_words = (a.haplotypes() + 7) / 8 * 8 * words;
  EXPECT_TRUE(std::equal(a.blocks(), a.blocks() + block_words, b.blocks())) << "dense rows";
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.blocks()) % 64, 0U) << "rows 64-byte aligned";
  for (bool counting : {false, true})
    EXPECT_TRUE(std::equal(a.slacks(counting), a.slacks(counting) + a.haplotypes(), b.slacks(counting)));
  std::vector<std::uint64_t> ra(words), rb(words);
  auto same = [](auto x, auto y) { return std::vector<std::uint32_t>(x.begin(), x.end()) == std::vector<std::uint32_t>(y.begin(), y.end()); };
  for (std::uint32_t h = 0; h < a.haplotypes(); ++h) {
    EXPECT_TRUE(same(a.members(h), b.members(h))) << h;
    EXPECT_TRUE(same(a.tail(h), b.tail(h))) << h;
    EXPECT_TRUE(same(a.missing_dense(h), b.missing_dense(h))) << h;
    EXPECT_EQ(a.columns(h), b.columns(h)) << h;
    EXPECT_EQ(a.coverage_class(h), b.coverage_class(h));
    EXPECT_EQ(a.coverage(h), b.coverage(h));
    EXPECT_EQ(a.coverage_index(h), b.coverage_index(h));
    EXPECT_EQ(a.ragged(h), b.ragged(h));
    EXPECT_EQ(a.has_long_deletion(h), b.has_long_deletion(h));
    EXPECT_EQ(a.slack(h), b.slack(h));
    EXPECT_EQ(a.slack(h, true), b.slack(h, true));
    EXPECT_EQ(a.needs_reference(h), b.needs_reference(h));
    EXPECT_EQ(a.ordinary_count(h), b.ordinary_count(h));
    EXPECT_EQ(a.decode_haplotype(h), b.decode_haplotype(h));
    a.copy_row(h, ra.data());
    b.copy_row(h, rb.data());
    EXPECT_EQ(ra, rb);
    for (std::uint32_t id = 0; id < da.size(); id += 3) {
      EXPECT_EQ(a.covers(h, id), b.covers(h, id));
      if (id < da.dense_columns()) {
        EXPECT_EQ(a.has_dense(h, id), b.has_dense(h, id));
      }
    }
  }
}

void expect_same_matches(const mtmatch::match_result& x, const mtmatch::match_result& y) {
  EXPECT_EQ(x.remains, y.remains);
  EXPECT_EQ(x.relative, y.relative);
  EXPECT_EQ(x.differences, y.differences);
  EXPECT_EQ(x.compared_length, y.compared_length);
  EXPECT_EQ(x.verdicts, y.verdicts);
  EXPECT_EQ(x.counts, y.counts);
  EXPECT_EQ(x.stats.distinct_pairs, y.stats.distinct_pairs);
  EXPECT_EQ(x.stats.kernel_pairs, y.stats.kernel_pairs);
  EXPECT_EQ(x.stats.candidates, y.stats.candidates);
}

// The engine on the remains (encoded with the loaded store's dictionary) against the loaded store
// equals the engine on the stores built in memory, for thresholds, top k, counts and both policies.
void expect_same_engine(const profile_store& loaded) {
  const auto& s = samples();
  const profile_store remains(loaded.dictionary_ptr(), s.remains);
  std::vector<mtmatch::match_options> runs(5);
  runs[0].max_differences = 3;
  runs[1].max_differences = 2;
  runs[1].policy.ignore_length_variants = false;
  runs[2].max_differences = 4;
  runs[2].fast_search = false;
  runs[3].max_differences = std::nullopt;
  runs[3].top_k = 4;
  runs[4].max_differences = 3;
  runs[4].counts_only = true;
  std::size_t reported = 0;
  for (auto& o : runs) {
    o.threads = 1;
    const auto want = mtmatch::match(s.sides.remains, s.sides.relatives, o);
    const auto got = mtmatch::match(remains, loaded, o);
    expect_same_matches(want, got);
    reported += want.size();
  }
  EXPECT_GT(reported, 0U);
}

// The reason load() gives for a file, or "loaded"; the error must name the file.
std::string reason(const std::string& path, bool verify = true) {
  try {
    mtmatch::load_options o;
    o.verify = verify;
    (void)profile_store::load(path, o);
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().file, path);
    return e.what();
  }
  return "loaded";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class StoreIoFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = temp_path(::testing::UnitTest::GetInstance()->current_test_info()->name());
    bytes_ = saved_relatives();
    write_bytes(path_, bytes_);
  }
  // The relatives saved once (save() syncs to disk: slow to repeat for every test).
  static const std::string& saved_relatives() {
    static const std::string bytes = [] {
      const std::string path = temp_path("relatives.mtm");
      samples().sides.relatives.save(path);
      std::string out = read_bytes(path);
      std::filesystem::remove(path);
      return out;
    }();
    return bytes;
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
  std::string bytes_;
};

// ---- round trip ------------------------------------------------------------------------------------

TEST_F(StoreIoFile, LoadedStoreEqualsTheSavedOneAndMatchesTheSame) {
  const auto& s = samples();
  ASSERT_GT(s.sides.dictionary->size(), s.sides.dictionary->dense_columns()) << "the fixture needs a tail";
  for (bool verify : {true, false}) {
    mtmatch::load_options o;
    o.verify = verify;
    const profile_store loaded = profile_store::load(path_, o);
    EXPECT_TRUE(loaded.mapped());
    EXPECT_FALSE(s.sides.relatives.mapped());
    expect_same_store(s.sides.relatives, loaded);
    expect_same_engine(loaded);
  }
}

TEST_F(StoreIoFile, FileLayoutIsAsDocumented) {
  EXPECT_EQ(bytes_.substr(0, 8), "MTMSTORE");
  EXPECT_EQ(get_at<std::uint32_t>(bytes_, off_version), 2U);
  EXPECT_EQ(get_at<std::uint32_t>(bytes_, off_marker), 0x01020304U);
  EXPECT_EQ(get_at<std::uint64_t>(bytes_, off_file_bytes), bytes_.size());
  EXPECT_EQ(get_at<std::uint64_t>(bytes_, off_profiles), samples().relatives.size());
  EXPECT_EQ(get_at<std::uint64_t>(bytes_, off_haplotypes), samples().sides.relatives.haplotypes());
  // both checksums are XXH64 over the documented byte ranges (the system libxxhash agrees with the writer)
  EXPECT_EQ(get_at<std::uint64_t>(bytes_, off_meta_sum), meta_sum_of(bytes_));
  EXPECT_EQ(get_at<std::uint64_t>(bytes_, off_payload_sum), payload_sum_of(bytes_));
  const auto payload_begin = get_at<std::uint64_t>(bytes_, off_payload_begin);
  std::set<std::uint32_t> ids;
  for (const auto& sec : table_of(bytes_)) {
    ids.insert(sec.id);
    EXPECT_EQ(sec.offset % 64, 0U) << sec.id;
    EXPECT_EQ(sec.bytes, sec.count * sec.element_bytes) << sec.id;
    EXPECT_LE(sec.offset + sec.bytes, bytes_.size()) << sec.id;
    EXPECT_EQ(sec.offset < payload_begin, sec.id <= 2) << sec.id;
  }
  EXPECT_EQ(ids.size(), 19U);
  // the rows section is blocks() byte for byte
  const auto rows = section_by_id(bytes_, sec_blocks);
  const auto& store = samples().sides.relatives;
  EXPECT_EQ(std::memcmp(bytes_.data() + rows.offset, store.blocks(), rows.bytes), 0);
  EXPECT_EQ(rows.count, (store.haplotypes() + 7) / 8 * 8 * store.dictionary().dense_words());
}

TEST(StoreIo, EmptyStoreRoundTrip) {
  const std::vector<profile> none;
  const auto& s = samples();
  const profile_store empty(s.sides.dictionary, none);
  const std::string path = temp_path("empty.mtm");
  empty.save(path);
  const auto loaded = profile_store::load(path);
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.size(), 0U);
  EXPECT_EQ(loaded.haplotypes(), 0U);
  EXPECT_NE(loaded.blocks(), nullptr);
  EXPECT_EQ(loaded.dictionary().size(), s.sides.dictionary->size());
  const profile_store remains(loaded.dictionary_ptr(), s.remains);
  mtmatch::match_options o;
  EXPECT_EQ(mtmatch::match(remains, loaded, o).size(), 0U);
}

TEST_F(StoreIoFile, CopiesShareTheMappingAndOutliveTheOriginal) {
  std::optional<profile_store> copy;
  profile_store assigned;
  {
    const profile_store loaded = profile_store::load(path_);
    copy.emplace(loaded);
    assigned = loaded;
    EXPECT_EQ(copy->blocks(), loaded.blocks()) << "a copy shares the arrays";
    EXPECT_EQ(&copy->dictionary(), &loaded.dictionary());
  }
  std::filesystem::remove(path_);  // the mapping outlives the name
  { [[maybe_unused]] const std::string scribble(1 << 20, 'x'); }
  ASSERT_TRUE(copy->mapped());
  expect_same_store(samples().sides.relatives, *copy);
  expect_same_store(samples().sides.relatives, assigned);
  expect_same_engine(*copy);
  profile_store moved = std::move(*copy);
  copy.reset();
  expect_same_store(samples().sides.relatives, moved);
  // a copy of a built store shares its arrays as well
  const profile_store built_copy = samples().sides.relatives;
  EXPECT_EQ(built_copy.blocks(), samples().sides.relatives.blocks());
}

TEST_F(StoreIoFile, SavingOverTheMappedFileLeavesTheMappedStoreIntact) {
  const profile_store loaded = profile_store::load(path_);
  loaded.save(path_);  // re-saved from the mapping itself, renamed over the mapped file
  EXPECT_EQ(read_bytes(path_), bytes_) << "a mapped store saves to the same bytes";
  samples().sides.remains.save(path_);  // something else entirely
  expect_same_store(samples().sides.relatives, loaded);
  const profile_store other = profile_store::load(path_);
  expect_same_store(samples().sides.remains, other);
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path_).parent_path()))
    EXPECT_FALSE(has(entry.path().string(), path_ + ".tmp")) << "temporary file left: " << entry.path();
}

TEST_F(StoreIoFile, IdsAreBuiltOnceAndShared) {
  const profile_store loaded = profile_store::load(path_);
  const profile_store copy = loaded;
  const std::string& first = copy.id(3);
  EXPECT_EQ(&loaded.id(3), &first) << "copies share the strings built on first use";
  EXPECT_EQ(first, samples().relatives[3].id);
  EXPECT_GE(loaded.bytes(true), loaded.bytes());
}

TEST(StoreIo, SaveErrorsNameThePath) {
  const std::string path = temp_path("no-such-dir") + "/store.mtm";
  try {
    samples().sides.relatives.save(path);
    ADD_FAILURE() << "saved into a missing directory";
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().file, path);
    EXPECT_TRUE(has(e.what(), "cannot open for writing")) << e.what();
  }
}

// ---- damaged files -----------------------------------------------------------------------------------

TEST_F(StoreIoFile, TruncatedAtAnyOffsetIsRefused) {
  const auto payload_begin = get_at<std::uint64_t>(bytes_, off_payload_begin);
  std::set<std::size_t> cuts;
  for (std::size_t n = 0; n <= header_size + 40; ++n) cuts.insert(n);
  for (std::size_t n = 0; n < bytes_.size(); n += 1 + bytes_.size() / 97) cuts.insert(n);
  for (const auto& sec : table_of(bytes_))
    for (std::size_t n : {sec.offset, sec.offset + 1, sec.offset + sec.bytes - 1}) cuts.insert(std::min<std::size_t>(n, bytes_.size() - 1));
  cuts.insert(payload_begin - 1);
  cuts.insert(bytes_.size() - 1);
  for (std::size_t n : cuts) {
    write_bytes(path_, bytes_.substr(0, n));
    for (bool verify : {true, false}) {
      const std::string why = reason(path_, verify);
      EXPECT_TRUE(has(why, "truncated")) << "cut at " << n << ": " << why;
    }
  }
  write_bytes(path_, bytes_ + "extra");
  EXPECT_TRUE(has(reason(path_), "trailing bytes"));
}

TEST_F(StoreIoFile, EveryFlippedByteOfTheMetaPartIsRefusedEvenWithoutVerification) {
  const auto payload_begin = get_at<std::uint64_t>(bytes_, off_payload_begin);
  for (std::size_t at = 0; at < payload_begin; at += at < header_size + 20 * entry_size ? 1 : 7) {
    std::string damaged = bytes_;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x04);
    write_bytes(path_, damaged);
    for (bool verify : {true, false}) {
      const std::string why = reason(path_, verify);
      if (at < 8) {
        EXPECT_TRUE(has(why, "not an mtmatch store file")) << at << ": " << why;
      } else if (at < 12) {
        EXPECT_TRUE(has(why, "version")) << at << ": " << why;
      } else {
        EXPECT_TRUE(has(why, "corrupted") || has(why, "truncated") || has(why, "trailing")) << at << ": " << why;
      }
    }
  }
}

TEST_F(StoreIoFile, FlippedPayloadBytesAreFoundByTheChecksum) {
  const auto payload_begin = get_at<std::uint64_t>(bytes_, off_payload_begin);
  std::vector<std::size_t> spots;
  for (const auto& sec : table_of(bytes_))
    if (sec.offset >= payload_begin && sec.bytes > 0)
      for (std::size_t at : {sec.offset, sec.offset + sec.bytes / 2, sec.offset + sec.bytes - 1}) spots.push_back(at);
  for (std::size_t at = payload_begin; at < bytes_.size(); at += 4099) spots.push_back(at);
  for (std::size_t at : spots) {
    std::string damaged = bytes_;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    write_bytes(path_, damaged);
    const std::string why = reason(path_, true);
    EXPECT_TRUE(has(why, "payload checksum mismatch")) << at << ": " << why;
  }
}

TEST_F(StoreIoFile, OtherVersionsAndByteOrdersAreNamed) {
  for (std::uint32_t version : {0U, 3U, 77U}) {
    std::string other = bytes_;
    put_at(other, off_version, version);
    write_bytes(path_, other);
    const std::string why = reason(path_);
    EXPECT_TRUE(has(why, "format version " + std::to_string(version))) << why;
    EXPECT_TRUE(has(why, "reads versions 1 and 2")) << why;
  }
  std::string swapped = bytes_;
  put_at(swapped, off_marker, std::uint32_t{0x04030201});
  write_bytes(path_, swapped);
  EXPECT_TRUE(has(reason(path_), "other byte order"));
  write_bytes(path_, "hello, not a store at all");
  EXPECT_TRUE(has(reason(path_), "not an mtmatch store"));
  write_bytes(path_, "");
  EXPECT_TRUE(has(reason(path_), "truncated"));
  std::filesystem::remove(path_);
  EXPECT_TRUE(has(reason(path_), "cannot open"));
  std::filesystem::create_directory(path_);
  EXPECT_TRUE(has(reason(path_), "not a regular file"));
  std::filesystem::remove(path_);
}

// Edits the table or header, reseals, and expects the loader's own words (with or without verify).
TEST_F(StoreIoFile, InconsistentSectionTablesAreRefused) {
  const auto file_bytes = bytes_.size();
  struct edit {
    const char* what;
    std::function<void(std::string&)> apply;
    const char* expected;
  };
  const section rows = section_by_id(bytes_, sec_blocks);
  const section classes = section_by_id(bytes_, sec_class);
  const section members = section_by_id(bytes_, sec_member_list);
  const std::vector<edit> edits = {
      {"offset beyond the file", [&](std::string& b) { put_at(b, rows.entry_at + 16, std::uint64_t{(file_bytes + 127) / 64 * 64}); }, "outside the payload"},
      {"offset near the end", [&](std::string& b) { put_at(b, rows.entry_at + 16, std::uint64_t{(file_bytes - 64) / 64 * 64}); }, "outside the payload"},
      {"huge offset", [&](std::string& b) { put_at(b, members.entry_at + 16, ~std::uint64_t{63}); }, "outside the payload"},
      {"misaligned", [&](std::string& b) { put_at(b, classes.entry_at + 16, classes.offset + 8); }, "not 64-byte aligned"},
      {"count vs bytes", [&](std::string& b) { put_at(b, rows.entry_at + 8, rows.count - 8); }, "bytes for"},
      {"count vs haplotypes", [&](std::string& b) {
         put_at(b, classes.entry_at + 8, classes.count - 1);
         put_at(b, classes.entry_at + 24, classes.bytes - 2);
       }, "expected"},
      {"haplotypes in header", [&](std::string& b) { put_at(b, off_haplotypes, get_at<std::uint64_t>(b, off_haplotypes) + 1); }, "expected"},
      {"profiles in header", [&](std::string& b) { put_at(b, off_profiles, get_at<std::uint64_t>(b, off_profiles) - 1); }, "expected"},
      {"element size", [&](std::string& b) { put_at(b, classes.entry_at + 4, std::uint32_t{4}); }, "elements of 4 bytes"},
      {"overlap", [&](std::string& b) { put_at(b, members.entry_at + 16, section_by_id(b, sec_member_begin).offset); }, "overlap"},
      {"duplicate", [&](std::string& b) { put_at(b, classes.entry_at, sec_blocks); }, "given twice"},
      {"unknown id", [&](std::string& b) { put_at(b, classes.entry_at, std::uint32_t{99}); }, "unknown section id 99"},
      {"section count", [&](std::string& b) { put_at(b, off_sections, std::uint32_t{18}); }, "18 sections"},
      {"dictionary into payload", [&](std::string& b) {
         const section d = section_by_id(b, sec_dictionary);
         put_at(b, d.entry_at + 16, get_at<std::uint64_t>(b, off_payload_begin));
       }, "outside the meta part"},
      {"member list length", [&](std::string& b) {
         const section mb = section_by_id(b, sec_member_begin);
         const std::size_t last = mb.offset + (mb.count - 1) * 4;
         put_at(b, last, get_at<std::uint32_t>(b, last) - 1);
       }, "expected"},
      {"first offset", [&](std::string& b) { put_at(b, section_by_id(b, sec_member_begin).offset, std::uint32_t{1}); }, "does not start at 0"},
      {"id blob length", [&](std::string& b) {
         const section io = section_by_id(b, sec_id_offsets);
         const std::size_t last = io.offset + (io.count - 1) * 8;
         put_at(b, last, get_at<std::uint64_t>(b, last) + 1);
       }, "expected"},
  };
  for (const auto& e : edits) {
    std::string b = bytes_;
    e.apply(b);
    reseal(b);
    write_bytes(path_, b);
    for (bool verify : {true, false}) {
      const std::string why = reason(path_, verify);
      EXPECT_TRUE(has(why, "inconsistent section table") && has(why, e.expected)) << e.what << ": " << why;
    }
  }
}

TEST_F(StoreIoFile, InconsistentContentsAreRefusedWhenVerifying) {
  const auto& store = samples().sides.relatives;
  const std::uint64_t n_haplotypes = store.haplotypes();
  struct edit {
    const char* what;
    std::function<void(std::string&)> apply;
  };
  auto u32_in = [](std::uint32_t id, std::size_t i) {
    return [id, i](std::string& b) {
      const section s = section_by_id(b, id);
      return s.offset + i * 4;
    };
  };
  std::uint32_t ragged_h = 0;
  while (ragged_h < n_haplotypes && store.missing_dense(ragged_h).size() < 2) ++ragged_h;
  ASSERT_LT(ragged_h, n_haplotypes) << "the fixture needs a missing list";
  std::uint32_t tailed_h = 0;
  while (tailed_h < n_haplotypes && store.tail(tailed_h).empty()) ++tailed_h;
  ASSERT_LT(tailed_h, n_haplotypes);
  std::uint32_t shared_h = 0;
  while (shared_h < n_haplotypes && store.members(shared_h).size() < 2) ++shared_h;
  ASSERT_LT(shared_h, n_haplotypes);
  const std::vector<edit> edits = {
      {"haplotype of a profile out of range", [&](std::string& b) { put_at(b, u32_in(sec_haplotype_of, 5)(b), std::uint32_t(n_haplotypes)); }},
      {"haplotype of a profile disagrees", [&](std::string& b) {
         const std::size_t at = u32_in(sec_haplotype_of, store.members(shared_h)[1])(b);
         put_at(b, at, shared_h == 0 ? 1U : 0U);
       }},
      {"member out of range", [&](std::string& b) { put_at(b, u32_in(sec_member_list, 0)(b), std::uint32_t(store.size() + 3)); }},
      {"class out of range", [&](std::string& b) {
         put_at(b, section_by_id(b, sec_class).offset + 2 * (n_haplotypes - 1), std::uint16_t{60000});
       }},
      {"classes out of order", [&](std::string& b) {
         put_at(b, section_by_id(b, sec_class).offset, std::uint16_t(store.coverage_class(static_cast<std::uint32_t>(n_haplotypes - 1)) + 1));
       }},
      {"exact coverage out of range", [&](std::string& b) { put_at(b, u32_in(sec_exact, 2)(b), std::uint32_t{1000000}); }},
      {"tail column in the core", [&](std::string& b) {
         put_at(b, u32_in(sec_tail_list, store.tail(tailed_h).data() - store.tail(0).data())(b), std::uint32_t{3});
       }},
      {"missing list not ascending", [&](std::string& b) {
         const std::size_t i = static_cast<std::size_t>(store.missing_dense(ragged_h).data() - store.missing_dense(0).data());
         put_at(b, u32_in(sec_missing_list, i + 1)(b), store.missing_dense(ragged_h)[0]);
       }},
      {"slack changed", [&](std::string& b) {
         const section s = section_by_id(b, sec_slack);
         b[s.offset + 1] = static_cast<char>(b[s.offset + 1] + 7);
       }},
  };
  for (const auto& e : edits) {
    std::string b = bytes_;
    e.apply(b);
    reseal(b);
    write_bytes(path_, b);
    const std::string why = reason(path_, true);
    EXPECT_TRUE(has(why, "inconsistent store file contents")) << e.what << ": " << why;
    // The trade-off of load_options::verify: unchecked, the same file loads (do not use it).
    EXPECT_EQ(reason(path_, false), "loaded") << e.what;
  }
}

TEST(StoreIo, BitsOutsideTheCoreAreRefusedWhenVerifying) {
  // A core wider than the columns (padding bits) and a row count that leaves padding rows.
  const auto& s = samples();
  std::vector<profile> few(s.remains.begin(), s.remains.begin() + 13);
  mtmatch::encode_options o;
  o.dense_bits = 1024;
  const std::vector<profile> none;
  const auto sides = mtmatch::encode(few, none, o);
  const auto& store = sides.remains;
  const std::size_t dense = store.dictionary().dense_columns();
  const std::size_t words = store.dictionary().dense_words();
  ASSERT_LT(dense, words * 64);
  ASSERT_NE(store.haplotypes() % 8, 0U);
  const std::string path = temp_path("padding.mtm");
  store.save(path);
  const std::string bytes = read_bytes(path);
  const section rows = section_by_id(bytes, sec_blocks);
  // row 1, the first word with a padding bit; then a padding row (the last one of the last block)
  const std::size_t word_at = rows.offset + ((dense / 64) * 8 + 1) * 8;
  for (std::size_t at : {word_at, static_cast<std::size_t>(rows.offset + rows.bytes - 8)}) {
    std::string b = bytes;
    put_at(b, at, get_at<std::uint64_t>(b, at) | std::uint64_t{1} << 63);
    reseal(b);
    write_bytes(path, b);
    const std::string why = reason(path, true);
    EXPECT_TRUE(has(why, "bits beyond the dictionary's core")) << why;
  }
  std::filesystem::remove(path);
}

TEST_F(StoreIoFile, ArraysDerivedUnderOtherRulesAreReencoded) {
  // Another mtmatch (other slack rules, other row order) wrote this file: its fingerprint differs.
  std::string b = bytes_;
  put_at(b, off_fingerprint, get_at<std::uint64_t>(b, off_fingerprint) ^ 1);
  reseal(b);
  write_bytes(path_, b);
  for (bool verify : {true, false}) {
    mtmatch::load_options o;
    o.verify = verify;
    const profile_store loaded = profile_store::load(path_, o);
    EXPECT_FALSE(loaded.mapped()) << "re-encoded, not read in place";
    expect_same_store(samples().sides.relatives, loaded);
    expect_same_engine(loaded);
  }
}

// ---- new remains against a saved store -------------------------------------------------------------

TEST_F(StoreIoFile, ExtendedDictionaryKeepsTheMappedArraysWhenTheyStayValid) {
  const auto& s = samples();
  const profile_store loaded = profile_store::load(path_);
  const auto& dict = loaded.dictionary();
  // A remains profile with a substitution the store never saw, at a coverage it has.
  profile stranger = s.relatives[0];
  stranger.id = "STRANGER";
  for (std::int32_t p = 16100; p < 16400; ++p) {
    const char ref = mtmatch::rcrs()[p];
    const char alt = ref == 'A' ? 'G' : ref == 'G' ? 'A' : ref == 'C' ? 'T' : 'C';
    const auto v = engine_fixtures::substitution(p, alt);
    if (!stranger.coverage.contains(p) || dict.find(v)) continue;
    bool taken = false;
    for (const auto& w : stranger.variants) taken = taken || w.position == p;
    if (taken) continue;
    stranger.variants.push_back(v);
    std::sort(stranger.variants.begin(), stranger.variants.end());
    break;
  }
  ASSERT_EQ(stranger.variants.size(), s.relatives[0].variants.size() + 1);
  std::vector<profile> remains = s.remains;
  remains.push_back(stranger);
  const std::span<const profile> sets[1] = {remains};
  const auto extended = mtmatch::variant_dictionary::extend(loaded.dictionary_ptr(), sets);
  ASSERT_NE(extended, loaded.dictionary_ptr());
  const profile_store shared = loaded.reencoded(extended);
  EXPECT_EQ(shared.blocks(), loaded.blocks()) << "nothing re-encoded";
  EXPECT_TRUE(shared.mapped());
  EXPECT_EQ(shared.dictionary_ptr(), extended);
  const profile_store fresh(extended, s.relatives);  // what re-encoding would give
  expect_same_store(fresh, shared);
  const profile_store rem(extended, remains);
  mtmatch::match_options o;
  o.max_differences = 3;
  expect_same_matches(mtmatch::match(rem, fresh, o), mtmatch::match(rem, shared, o));

  // A coverage class that cuts one of the store's long deletions changes that column's slack: the
  // arrays are stale and the store is encoded again.
  std::uint32_t cut = 0;
  while (cut < dict.size() && !(dict.column(cut).is(mtmatch::column_deletion) && dict.column(cut).last > dict.column(cut).first &&
                                dict.column(cut).first > 100))
    ++cut;
  ASSERT_LT(cut, dict.size()) << "the fixture needs a deletion of more than one base";
  profile partial;
  partial.id = "PARTIAL";
  partial.coverage = mtmatch::range::parse("1-" + std::to_string(dict.column(cut).first));
  remains.push_back(partial);
  const std::span<const profile> more[1] = {remains};
  const auto cutting = mtmatch::variant_dictionary::extend(loaded.dictionary_ptr(), more);
  ASSERT_NE(cutting->column(cut).slack, dict.column(cut).slack);
  const profile_store again = loaded.reencoded(cutting);
  EXPECT_FALSE(again.mapped());
  const profile_store fresh_cut(cutting, s.relatives);
  expect_same_store(fresh_cut, again);
  const profile_store rem_cut(cutting, remains);
  expect_same_matches(mtmatch::match(rem_cut, fresh_cut, o), mtmatch::match(rem_cut, again, o));
}

// ---- version 1 ------------------------------------------------------------------------------------

// The version-1 writer as it was (mtmatch before the mappable format), from public accessors.
std::string version1_bytes(const profile_store& s, std::int32_t fill_gaps) {
  std::string payload;
  auto put = [&](auto v) { payload.append(reinterpret_cast<const char*>(&v), sizeof v); };
  auto put_string = [&](const std::string& x) {
    put(static_cast<std::uint32_t>(x.size()));
    payload += x;
  };
  auto put_range = [&](const mtmatch::range& r) {
    put(static_cast<std::uint32_t>(r.intervals().size()));
    for (const auto& piece : r.intervals()) {
      put(piece.first);
      put(piece.last);
    }
  };
  const auto& dict = s.dictionary();
  put(fill_gaps);
  put(static_cast<std::uint64_t>(dict.dense_columns()));
  put(static_cast<std::uint64_t>(dict.dense_words()));
  put(static_cast<std::uint64_t>(dict.size()));
  for (std::uint32_t id = 0; id < dict.size(); ++id) {
    const auto& c = dict.column(id);
    put(c.value.position);
    put(static_cast<std::uint8_t>(c.value.kind));
    put(c.value.length);
    put(static_cast<std::uint8_t>(c.value.any_length ? 1 : 0));
    put(c.count);
    put_string(c.value.bases);
  }
  put(static_cast<std::uint64_t>(dict.classes()));
  for (std::uint16_t c = 0; c < dict.classes(); ++c) put_range(dict.class_range(c));
  std::vector<mtmatch::range> ranges;
  for (std::uint32_t h = 0; h < s.haplotypes(); ++h) {
    if (ranges.size() <= s.coverage_index(h)) ranges.resize(s.coverage_index(h) + 1);
    ranges[s.coverage_index(h)] = s.coverage(h);
  }
  put(static_cast<std::uint64_t>(ranges.size()));
  for (const auto& r : ranges) put_range(r);
  put(static_cast<std::uint64_t>(s.haplotypes()));
  for (std::uint32_t h = 0; h < s.haplotypes(); ++h) {
    put(s.coverage_index(h));
    const auto ids = s.columns(h);
    put(static_cast<std::uint32_t>(ids.size()));
    for (std::uint32_t id : ids) put(id);
  }
  put(static_cast<std::uint64_t>(s.size()));
  for (std::size_t i = 0; i < s.size(); ++i) {
    put(s.haplotype_of(i));
    put_string(s.id(i));
  }
  std::uint64_t h = 1469598103934665603ULL;
  for (char ch : payload) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
  std::string file = "MTMSTORE";
  auto append = [&](auto v) { file.append(reinterpret_cast<const char*>(&v), sizeof v); };
  append(std::uint32_t{1});
  append(std::uint32_t{0x01020304});
  append(static_cast<std::uint64_t>(payload.size()));
  file += payload;
  append(h);
  return file;
}

TEST(StoreIo, Version1FilesAreStillRead) {
  const auto& s = samples();
  const std::string v1 = version1_bytes(s.sides.relatives, mtmatch::encode_options{}.fill_gaps);
  const std::string path = temp_path("v1.mtm");
  write_bytes(path, v1);
  const profile_store loaded = profile_store::load(path);
  EXPECT_FALSE(loaded.mapped());
  expect_same_store(s.sides.relatives, loaded);
  expect_same_engine(loaded);
  // saved again: version 2, mapped, the same store
  loaded.save(path);
  EXPECT_EQ(get_at<std::uint32_t>(read_bytes(path), off_version), 2U);
  const profile_store again = profile_store::load(path);
  EXPECT_TRUE(again.mapped());
  expect_same_store(s.sides.relatives, again);
  // damaged version-1 files keep their clear errors
  std::string flipped = v1;
  flipped[v1.size() / 2] = static_cast<char>(flipped[v1.size() / 2] ^ 0x10);
  write_bytes(path, flipped);
  EXPECT_TRUE(has(reason(path), "checksum"));
  write_bytes(path, v1.substr(0, v1.size() - 100));
  EXPECT_TRUE(has(reason(path), "truncated"));
  std::filesystem::remove(path);
}

}  // namespace
