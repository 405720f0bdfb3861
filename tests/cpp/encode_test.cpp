// The variant dictionary and the profile store: lossless, ordered as documented, small.
#include "mtmatch/encode.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "engine_fixtures.hpp"
#include "mtmatch/error.hpp"
#include "mtmatch/match.hpp"
#include "mtmatch/normalize.hpp"

namespace {

using engine_fixtures::phylo_profiles;
using engine_fixtures::random_profiles;
using mtmatch::profile;

std::vector<profile> random_set(std::uint64_t seed, int n) {
  random_profiles gen(seed);
  auto ranges = engine_fixtures::test_ranges();
  std::vector<profile> out;
  for (int i = 0; i < n; ++i)
    out.push_back(gen.random_profile(ranges[gen.rng()() % ranges.size()], 1 + static_cast<int>(gen.rng()() % 30), "P" + std::to_string(i)));
  return out;
}

std::vector<profile> realistic_set(std::uint64_t seed, int n) {
  phylo_profiles gen(seed);
  std::vector<profile> out;
  for (int i = 0; i < n; ++i) out.push_back(gen.individual("P" + std::to_string(i)));
  return out;
}

TEST(Encode, DecodeGivesEveryProfileBack) {
  for (const auto& set : {random_set(1, 300), realistic_set(2, 300)}) {
    const std::vector<profile> none;
    auto sides = mtmatch::encode(set, none);
    ASSERT_EQ(sides.remains.size(), set.size());
    for (std::size_t i = 0; i < set.size(); ++i) EXPECT_EQ(sides.remains.decode(i), set[i]) << i;
    EXPECT_EQ(sides.relatives.size(), 0U);
    EXPECT_EQ(sides.relatives.haplotypes(), 0U);
  }
}

TEST(Encode, IdenticalHaplotypesAreStoredOnce) {
  auto set = realistic_set(3, 400);
  set.push_back(set[7]);
  set.back().id = "copy-of-7";
  std::map<std::pair<std::string, std::string>, std::vector<std::uint32_t>> groups;
  for (std::uint32_t i = 0; i < set.size(); ++i) groups[{set[i].coverage.to_string(), set[i].canonical()}].push_back(i);
  const std::vector<profile> none;
  auto sides = mtmatch::encode(set, none);
  const auto& store = sides.remains;
  EXPECT_EQ(store.haplotypes(), groups.size());
  for (const auto& [key, members] : groups) {
    const std::uint32_t h = store.haplotype_of(members.front());
    for (std::uint32_t m : members) EXPECT_EQ(store.haplotype_of(m), h);
    auto got = store.members(h);
    EXPECT_EQ(std::vector<std::uint32_t>(got.begin(), got.end()), members);
  }
  EXPECT_EQ(store.id(set.size() - 1), "copy-of-7");
  EXPECT_EQ(store.decode(set.size() - 1).id, "copy-of-7");
}

TEST(Encode, RowsAreGroupedByClassThenCount) {
  auto set = random_set(4, 300);
  const std::vector<profile> none;
  auto sides = mtmatch::encode(set, none);
  const auto& store = sides.remains;
  for (std::uint32_t h = 1; h < store.haplotypes(); ++h) {
    ASSERT_LE(store.coverage_class(h - 1), store.coverage_class(h));
    if (store.coverage_class(h - 1) != store.coverage_class(h)) continue;
    ASSERT_LE(store.ragged(h - 1), store.ragged(h)) << "clean rows first";
    if (store.ragged(h - 1) == store.ragged(h)) { EXPECT_LE(store.ordinary_count(h - 1), store.ordinary_count(h)); }
  }
  // ragged rows: their exact range lies inside their class range and differs from it
  int with_missing_columns = 0;
  for (std::uint32_t h = 0; h < store.haplotypes(); ++h) {
    const auto& exact = store.coverage(h);
    const auto& cls = sides.dictionary->class_range(store.coverage_class(h));
    EXPECT_EQ(exact.intersect(cls), exact);
    EXPECT_EQ(store.ragged(h), !(exact == cls));
    // missing_dense(h) is exactly the core columns of its class that its own range does not cover
    // (the engine reads coverage of ragged pairs from it)
    const auto missing = store.missing_dense(h);
    with_missing_columns += missing.empty() ? 0 : 1;
    for (std::uint32_t id = 0; id < sides.dictionary->dense_columns(); ++id) {
      const bool listed = std::find(missing.begin(), missing.end(), id) != missing.end();
      const bool uncovered = sides.dictionary->class_covers(store.coverage_class(h), id) && !store.covers(h, id);
      ASSERT_EQ(listed, uncovered) << "haplotype " << h << " column " << mtmatch::to_string(sides.dictionary->column(id).value);
    }
  }
  EXPECT_GT(with_missing_columns, 5);
  for (std::uint32_t h = 0; h < store.haplotypes(); ++h) {
    const auto c = store.coverage_class(h);
    EXPECT_LE(store.class_begin(c), h);
    EXPECT_LT(h, store.class_end(c));
  }
}

TEST(Encode, DictionaryOrderAndFlags) {
  auto set = realistic_set(5, 500);
  auto more = random_set(6, 200);
  set.insert(set.end(), more.begin(), more.end());
  const std::vector<profile> none;
  mtmatch::encode_options small;
  small.dense_bits = 512;  // force a tail
  auto sides = mtmatch::encode(set, none, small);
  const auto& dict = *sides.dictionary;
  ASSERT_GT(dict.size(), dict.dense_columns()) << "expected a tail with a 512-bit core";
  EXPECT_EQ(dict.dense_columns(), 512U);
  EXPECT_EQ(dict.dense_words(), 8U);
  // the core holds the most frequent variants
  std::uint32_t least_dense = ~0U, most_tail = 0;
  for (std::uint32_t id = 0; id < dict.size(); ++id) {
    if (id < dict.dense_columns()) least_dense = std::min(least_dense, dict.column(id).count);
    else most_tail = std::max(most_tail, dict.column(id).count);
  }
  EXPECT_GE(least_dense, most_tail);
  // inside the core: ordinary columns by (rotated) position, then length variants by position
  auto rotated = [](std::int32_t p) { return (p - 16024 + 16569) % 16569; };
  bool in_length_block = false;
  for (std::uint32_t id = 1; id < dict.dense_columns(); ++id) {
    const auto& prev = dict.column(id - 1);
    const auto& cur = dict.column(id);
    if (cur.is(mtmatch::column_length_variant) && !prev.is(mtmatch::column_length_variant)) {
      EXPECT_FALSE(in_length_block);
      in_length_block = true;
      continue;
    }
    EXPECT_EQ(cur.is(mtmatch::column_length_variant), prev.is(mtmatch::column_length_variant));
    EXPECT_LE(rotated(prev.first), rotated(cur.first));
  }
  // flags agree with the variant
  for (std::uint32_t id = 0; id < dict.size(); ++id) {
    const auto& c = dict.column(id);
    EXPECT_EQ(dict.find(c.value), id);
    EXPECT_EQ(c.is(mtmatch::column_heteroplasmy), c.value.is_heteroplasmy());
    EXPECT_EQ(c.is(mtmatch::column_deletion), c.value.kind == mtmatch::variant_kind::deletion);
    if (c.is(mtmatch::column_heteroplasmy)) { EXPECT_GE(c.slack, 2); }
    if (c.is(mtmatch::column_length_variant)) { EXPECT_TRUE(mtmatch::is_length_variant(c.value) || c.value.is_indel()); }
    EXPECT_EQ(dict.site_position(c.site), c.first);
  }
}

TEST(Encode, ClassMasksFollowTheRanges) {
  auto set = random_set(7, 300);
  const std::vector<profile> none;
  auto sides = mtmatch::encode(set, none);
  const auto& dict = *sides.dictionary;
  ASSERT_GE(dict.classes(), 3U);
  for (std::uint16_t c = 0; c < dict.classes(); ++c) {
    const mtmatch::range& r = dict.class_range(c);
    const std::uint64_t* dense = dict.class_dense_mask(c);
    for (std::uint32_t id = 0; id < dict.size(); ++id) {
      const auto& v = dict.column(id).value;
      const bool inside = v.kind == mtmatch::variant_kind::insertion ? r.contains_insertion(v.position)
                          : v.kind == mtmatch::variant_kind::deletion ? r.contains_all(v.position, v.last())
                                                                       : r.contains(v.position);
      EXPECT_EQ(dict.class_covers(c, id), inside) << mtmatch::to_string(v) << " in " << r.to_string();
      if (id < dict.dense_columns()) { EXPECT_EQ(((dense[id / 64] >> (id % 64)) & 1U) != 0, inside); }
    }
    EXPECT_EQ(dict.find_class(r), c);
  }
}

TEST(Encode, ControlRegionProfilesStaySmall) {
  // 4000 phylogeny-structured control-region profiles: core + tail + bookkeeping per profile.
  auto set = realistic_set(8, 4000);
  const std::vector<profile> none;
  auto sides = mtmatch::encode(set, none);
  const double per_profile = static_cast<double>(sides.remains.bytes()) / static_cast<double>(set.size());
  EXPECT_LE(per_profile, 256.0);
  EXPECT_LE(sides.dictionary->dense_words() * 8, 256U);
}

TEST(Encode, ProfilesOutsideTheDictionaryAreNamed) {
  auto set = realistic_set(9, 20);
  const std::vector<profile> none;
  auto sides = mtmatch::encode(set, none);
  profile stranger = set.front();
  stranger.id = "stranger";
  stranger.variants.push_back(engine_fixtures::substitution(1000, 'C'));
  stranger.coverage = mtmatch::range::whole();
  std::vector<profile> one{stranger};
  try {
    mtmatch::profile_store store(sides.dictionary, one);
    FAIL() << "expected an error";
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().token, "stranger");
  }
}

TEST(Encode, ShortGapsShareTheClassOfTheFullRange) {
  const std::vector<profile> none;
  std::vector<profile> set(4);
  set[0].coverage = mtmatch::range::parse("16024-576");
  set[1].coverage = mtmatch::range::parse("16024-576").without(16150, 16170);
  set[2].coverage = mtmatch::range::parse("16024-576").without(1, 10);  // the gap across the origin
  set[3].coverage = mtmatch::range::parse("16024-576").without(100, 300);  // too long: a class of its own
  auto sides = mtmatch::encode(set, none);
  const auto& dict = *sides.dictionary;
  EXPECT_EQ(dict.find_class(set[0].coverage), dict.find_class(set[1].coverage));
  EXPECT_EQ(dict.find_class(set[0].coverage), dict.find_class(set[2].coverage));
  EXPECT_NE(dict.find_class(set[0].coverage), dict.find_class(set[3].coverage));
  EXPECT_EQ(dict.classes(), 2U);
  for (std::size_t i = 0; i < set.size(); ++i) EXPECT_EQ(sides.remains.decode(i).coverage, set[i].coverage);
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("mtmatch_encode_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

TEST(StoreFile, SaveLoadRoundTrip) {
  auto set = realistic_set(11, 400);
  auto more = random_set(12, 100);
  set.insert(set.end(), more.begin(), more.end());
  const std::vector<profile> none;
  auto sides = mtmatch::encode(set, none);
  const std::string path = temp_path("roundtrip.mtm");
  sides.remains.save(path);
  auto loaded = mtmatch::profile_store::load(path);
  std::filesystem::remove(path);
  ASSERT_EQ(loaded.size(), set.size());
  EXPECT_EQ(loaded.haplotypes(), sides.remains.haplotypes());
  EXPECT_EQ(loaded.dictionary().size(), sides.dictionary->size());
  EXPECT_EQ(loaded.dictionary().dense_words(), sides.dictionary->dense_words());
  for (std::size_t i = 0; i < set.size(); ++i) EXPECT_EQ(loaded.decode(i), set[i]) << i;
  for (std::uint32_t id = 0; id < loaded.dictionary().size(); ++id) {
    EXPECT_EQ(loaded.dictionary().column(id).value, sides.dictionary->column(id).value);
    EXPECT_EQ(loaded.dictionary().column(id).slack, sides.dictionary->column(id).slack);
  }
}

TEST(StoreFile, DamagedFilesAreRefusedWithTheReason) {
  auto set = realistic_set(13, 50);
  const std::vector<profile> none;
  auto sides = mtmatch::encode(set, none);
  const std::string path = temp_path("damaged.mtm");
  sides.remains.save(path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto write = [&](const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  };
  auto reason = [&]() -> std::string {
    try {
      (void)mtmatch::profile_store::load(path);
    } catch (const mtmatch::error& e) {
      EXPECT_EQ(e.where().file, path);
      return e.what();
    }
    return "loaded";
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x10);
  write(flipped);
  EXPECT_NE(reason().find("checksum"), std::string::npos);
  write(bytes.substr(0, bytes.size() - 100));
  EXPECT_NE(reason().find("truncated"), std::string::npos);
  write("hello, not a store");
  EXPECT_NE(reason().find("not an mtmatch store"), std::string::npos);
  std::string other_version = bytes;
  other_version[8] = 9;
  write(other_version);
  EXPECT_NE(reason().find("version"), std::string::npos);
  std::filesystem::remove(path);
  EXPECT_NE(reason().find("cannot open"), std::string::npos);
}

TEST(StoreFile, NewRemainsAgainstASavedStore) {
  // relatives saved alone; remains arrive later with variants and a coverage the store never saw
  auto relatives = realistic_set(14, 300);
  auto remains = realistic_set(15, 60);
  auto strangers = random_set(16, 20);
  remains.insert(remains.end(), strangers.begin(), strangers.end());
  const std::vector<profile> none;
  const std::string path = temp_path("relatives.mtm");
  mtmatch::encode(none, relatives).relatives.save(path);
  auto saved = mtmatch::profile_store::load(path);
  std::filesystem::remove(path);
  const std::span<const profile> sets[1] = {remains};
  auto dict = mtmatch::variant_dictionary::extend(saved.dictionary_ptr(), sets);
  EXPECT_GT(dict->size(), saved.dictionary().size());
  for (std::uint32_t id = 0; id < saved.dictionary().size(); ++id) EXPECT_EQ(dict->column(id).value, saved.dictionary().column(id).value);
  auto rel = saved.reencoded(dict);
  mtmatch::profile_store rem(dict, remains);
  mtmatch::match_options o;
  o.max_differences = 3;
  auto got = mtmatch::match(rem, rel, o);
  auto want = mtmatch::match(remains, relatives, o);
  EXPECT_EQ(got.remains, want.remains);
  EXPECT_EQ(got.relative, want.relative);
  EXPECT_EQ(got.differences, want.differences);
  EXPECT_EQ(got.compared_length, want.compared_length);
  EXPECT_GT(want.size(), 0U);
  // nothing new: the dictionary is reused as is
  const std::span<const profile> known[1] = {relatives};
  EXPECT_EQ(mtmatch::variant_dictionary::extend(saved.dictionary_ptr(), known), saved.dictionary_ptr());
}

TEST(Encode, OptionsAreValidated) {
  mtmatch::encode_options o;
  o.dense_bits = 100;
  EXPECT_THROW(o.validate(), mtmatch::error);
  o.dense_bits = 1024;
  EXPECT_NO_THROW(o.validate());
  o.max_dense_bits = 0;
  EXPECT_THROW(o.validate(), mtmatch::error);
  o = {};
  o.fill_gaps = -1;
  EXPECT_THROW(o.validate(), mtmatch::error);
  auto set = realistic_set(10, 50);
  const std::vector<profile> none;
  mtmatch::encode_options wide;
  wide.dense_bits = 2048;
  EXPECT_EQ(mtmatch::encode(set, none, wide).dictionary->dense_words(), 32U);
}

}  // namespace
