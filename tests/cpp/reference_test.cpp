#include "mtmatch/reference.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "mtmatch/error.hpp"

namespace {

// The FASTA in data/ read the plain way: the embedded copy must be exactly this.
std::string read_fasta_bases(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::string bases;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '>') continue;
    for (char c : line) {
      if (!std::isspace(static_cast<unsigned char>(c))) bases += static_cast<char>(std::toupper(c));
    }
  }
  return bases;
}

TEST(Reference, LengthAndName) {
  EXPECT_EQ(mtmatch::rcrs().length(), 16569);
  EXPECT_EQ(mtmatch::rcrs().name(), "NC_012920.1");
}

TEST(Reference, EmbeddedSequenceEqualsTheFastaFile) {
  std::string from_file = read_fasta_bases(std::string(MTMATCH_DATA_DIR) + "/rCRS.fasta");
  ASSERT_EQ(from_file.size(), 16569u);
  EXPECT_EQ(mtmatch::rcrs().bases(), from_file);
}

TEST(Reference, KnownBases) {
  const auto& ref = mtmatch::rcrs();
  EXPECT_EQ(ref.base(1), 'G');
  EXPECT_EQ(ref.base(73), 'A');
  EXPECT_EQ(ref.base(263), 'A');
  EXPECT_EQ(ref.base(310), 'T');
  EXPECT_EQ(ref.base(3107), 'N');
  EXPECT_EQ(ref.base(16223), 'C');
  EXPECT_EQ(ref.base(16519), 'T');
  EXPECT_EQ(ref.base(16569), 'G');
  EXPECT_EQ(ref.slice(16184, 16193), "CCCCCTCCCC");
  EXPECT_EQ(ref.slice(303, 315), "CCCCCCCTCCCCC");
  EXPECT_EQ(ref.slice(515, 524), "ACACACACAC");
  EXPECT_EQ(ref.slice(8272, 8289), "CCCCCTCTACCCCCTCTA");
}

TEST(Reference, OnlyNIsThePlaceholder) {
  auto bases = mtmatch::rcrs().bases();
  EXPECT_EQ(std::count(bases.begin(), bases.end(), 'N'), 1);
  EXPECT_TRUE(std::all_of(bases.begin(), bases.end(), [](char c) { return std::string("ACGTN").find(c) != std::string::npos; }));
}

TEST(Reference, BoundsAreChecked) {
  const auto& ref = mtmatch::rcrs();
  EXPECT_THROW((void)ref.base(0), mtmatch::error);
  EXPECT_THROW((void)ref.base(16570), mtmatch::error);
  EXPECT_THROW((void)ref.base(-5), mtmatch::error);
  EXPECT_THROW((void)ref.slice(16560, 16570), mtmatch::error);
  EXPECT_THROW((void)ref.slice(20, 10), mtmatch::error);
  try {
    (void)ref.base(16570);
    FAIL() << "no exception";
  } catch (const mtmatch::error& e) {
    EXPECT_NE(std::string(e.what()).find("16570"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1-16569"), std::string::npos) << e.what();
  }
}

TEST(Error, LocationIsComposedIntoTheMessage) {
  mtmatch::error with_file({"profiles.hsd", 12, 31, "73A"}, "rCRS already has A at 73");
  EXPECT_STREQ(with_file.what(), "profiles.hsd:12:31: 73A: rCRS already has A at 73");
  mtmatch::error without_file({"", 0, 5, "16570T"}, "position outside 1-16569");
  EXPECT_STREQ(without_file.what(), "column 5: 16570T: position outside 1-16569");
  EXPECT_EQ(without_file.reason(), "position outside 1-16569");
  EXPECT_EQ(without_file.where().column, 5u);
}

}  // namespace
