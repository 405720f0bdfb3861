#include "mtmatch/profile_io.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace {

using mtmatch::parse_hsd;
using mtmatch::parse_profile_table;

TEST(ProfileIo, ReadsHsdWithHeaderQuotedRangesAndComments) {
  const std::string text =
      "SampleId\tRange\tHaplogroup\tPolymorphisms\n"
      "# a comment\n"
      "R1\t\"16024-16569 ; 1-576 ;\"\t\t16223T\t16093Y\t73G\t263G\t309.1C\t309.2C\t315.1C\n"
      "\n"
      "R2\t16024-16365;73-340\tM7b1a1\t16129a 16223t 16297c 73g 150t 199c 263g\r\n"
      "R3\t1-16569\t?\t263G\t8281-8289d\t523DEL\t524DEL\n";
  auto file = parse_hsd(text, "x.hsd");
  ASSERT_TRUE(file.ok()) << file.errors.front().what();
  ASSERT_EQ(file.profiles.size(), 3u);
  EXPECT_EQ(file.records, 3u);
  EXPECT_EQ(file.profiles[0].id, "R1");
  EXPECT_EQ(file.profiles[0].coverage, mtmatch::range::parse("16024-576"));
  EXPECT_EQ(file.profiles[0].variants.size(), 6u);
  EXPECT_EQ(file.profiles[1].declared_haplogroup, "M7b1a1");
  EXPECT_EQ(file.profiles[1].variants.size(), 7u);
  EXPECT_EQ(file.profiles[2].declared_haplogroup, "");
}

TEST(ProfileIo, BadRecordsAreReportedAndRejectedGoodOnesKept) {
  const std::string text =
      "A\t16024-576\t?\t16223T\t73G\n"
      "B\t16024-576\t?\t16223T\t73A\t16570T\n" // two errors in one record
      "C\t16024-16365\t?\t16223T\t300G\n"      // outside the range
      "D\t16024-99999\t?\t16223T\n"            // bad range
      "A\t16024-576\t?\t16224C\n"              // duplicate ID
      "E\t16024-576\t?\t16519C\n";
  auto file = parse_hsd(text, "bad.hsd");
  ASSERT_EQ(file.profiles.size(), 2u);
  EXPECT_EQ(file.profiles[0].id, "A");
  EXPECT_EQ(file.profiles[1].id, "E");
  EXPECT_EQ(file.records, 6u);
  ASSERT_EQ(file.rejected.size(), 4u);
  EXPECT_EQ(file.rejected[0].id, "B");
  EXPECT_EQ(file.rejected[0].line, 2u);
  ASSERT_EQ(file.errors.size(), 5u);
  EXPECT_STREQ(file.errors[0].what(), "bad.hsd:2:22: 73A: rCRS already has A at 73");
  EXPECT_EQ(file.errors[2].where().line, 3u);
  EXPECT_EQ(file.errors[2].where().token, "300G");
  EXPECT_NE(std::string(file.errors[2].what()).find("outside the profile's range 16024-16365"), std::string::npos);
  EXPECT_EQ(file.errors[3].where().token, "16024-99999");
  EXPECT_EQ(file.errors[3].where().column, 3u);
  EXPECT_NE(std::string(file.errors[4].what()).find("ID written twice"), std::string::npos);
}

TEST(ProfileIo, StrictStopsAtTheFirstError) {
  const std::string text = "A\t16024-576\t?\t16223T\nB\t16024-576\t?\t73A\nC\t16024-576\t?\t16223T\n";
  try {
    (void)parse_hsd(text, "s.hsd", {.strict = true});
    FAIL();
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().line, 2u);
    EXPECT_EQ(e.where().token, "73A");
  }
}

TEST(ProfileIo, WriteThenReadIsTheIdentity) {
  const std::string text =
      "R1\t16024-576\tF1a1\t16129A\t16162G\t16172C\t16304C\t73G\t249d\t263G\t309.1C\t309.2C\t315.1C\n"
      "R2\t1-16569\t?\t263G\t8281-8289d\t16093Y\t8289.1CCCCCTCTA\n";
  auto first = parse_hsd(text);
  ASSERT_TRUE(first.ok());
  std::ostringstream out;
  mtmatch::write_hsd(out, first.profiles);
  auto second = parse_hsd(out.str());
  ASSERT_TRUE(second.ok()) << second.errors.front().what();
  EXPECT_EQ(first.profiles, second.profiles);
}

TEST(ProfileIo, ReadsCsvAndTsvTables) {
  auto csv = parse_profile_table("id,range,haplogroup,variants\nQ1,16024-576,B5a,\"16140C 16189C 16266A 73G 210G 263G\"\nQ2,16024-16365,,16223T\n", "t.csv");
  ASSERT_TRUE(csv.ok()) << csv.errors.front().what();
  ASSERT_EQ(csv.profiles.size(), 2u);
  EXPECT_EQ(csv.profiles[0].variants.size(), 6u);
  EXPECT_EQ(csv.profiles[0].declared_haplogroup, "B5a");
  auto tsv = parse_profile_table("variants\tid\trange\n16223T 73A\tQ3\t16024-576\n", "t.tsv");
  ASSERT_EQ(tsv.errors.size(), 1u);
  EXPECT_EQ(tsv.errors[0].where().line, 2u);
  EXPECT_EQ(tsv.errors[0].where().column, 8u);
  EXPECT_EQ(tsv.errors[0].where().token, "73A");
  auto no_header = parse_profile_table("a,b,c\n1,2,3\n", "h.csv");
  ASSERT_EQ(no_header.errors.size(), 1u);
  EXPECT_NE(std::string(no_header.errors[0].what()).find("id, range and variants"), std::string::npos);
}

TEST(ProfileIo, MissingFileIsAClearError) {
  try {
    (void)mtmatch::read_hsd("no/such/file.hsd");
    FAIL();
  } catch (const mtmatch::error& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/file.hsd"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
}

}  // namespace
