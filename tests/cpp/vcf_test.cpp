#include "mtmatch/vcf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mtmatch/normalize.hpp"
#include "mtmatch/profile.hpp"
#include "mtmatch/reference.hpp"

namespace {

using mtmatch::profile;
using mtmatch::profile_file;
using mtmatch::range;
using mtmatch::read_vcf;
using mtmatch::variant;
using mtmatch::variant_kind;
using mtmatch::vcf_options;

const std::string data_dir = std::string(MTMATCH_TEST_DATA_DIR) + "/vcf/";

// A scratch directory for VCF text written by the tests, removed at the end.
class VcfFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mtmatch_vcf_test_" + std::to_string(std::random_device{}()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

// The header of the hand-written files: GT plus a mutserve-like AF.
std::string header(const std::string& samples, const std::string& contig = "MT", const std::string& extra = "") {
  return "##fileformat=VCFv4.2\n##contig=<ID=" + contig +
         ",length=16569>\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n" +
         extra + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + samples + "\n";
}

// Tab-separates a record written with spaces, for readability.
std::string rec(std::string line) {
  std::replace(line.begin(), line.end(), ' ', '\t');
  return line + "\n";
}

const profile* by_id(const profile_file& f, const std::string& id) {
  for (const profile& p : f.profiles) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::string all_errors(const profile_file& f) {
  std::string out;
  for (const auto& e : f.errors) out += std::string(e.what()) + "\n";
  return out;
}

// --- HaploGrep's own inputs ---------------------------------------------------------------------

TEST(Vcf, H100MatchesHaploGrepsHsdTranscription) {
  const profile_file hsd = mtmatch::read_hsd(data_dir + "H100.hsd");
  ASSERT_TRUE(hsd.ok() && hsd.profiles.size() == 1);
  for (const char* name : {"H100.vcf", "H100.vcf.gz"}) {
    const profile_file f = read_vcf(data_dir + name);
    ASSERT_TRUE(f.ok()) << all_errors(f);
    ASSERT_EQ(f.profiles.size(), 1u);
    EXPECT_EQ(f.records, 1u);
    EXPECT_EQ(f.profiles[0].id, "Sample1");
    EXPECT_EQ(f.profiles[0].coverage, hsd.profiles[0].coverage);
    EXPECT_EQ(f.profiles[0].variants, hsd.profiles[0].variants) << name << ": " << f.profiles[0];
  }
}

TEST(Vcf, DiploidGenotypesAndQuotedInfoReadLikeHaploid) {
  const profile_file haploid = read_vcf(data_dir + "haplogrep-cmd_HG00097.vcf");
  const profile_file diploid = read_vcf(data_dir + "HG00097_Diploid.vcf");  // 1/1 and "AC=1;AN=1073"
  ASSERT_TRUE(haploid.ok()) << all_errors(haploid);
  ASSERT_TRUE(diploid.ok()) << all_errors(diploid);
  ASSERT_EQ(haploid.profiles.size(), 1u);
  ASSERT_EQ(diploid.profiles.size(), 1u);
  EXPECT_EQ(haploid.profiles[0], diploid.profiles[0]);
  // Both files have `.` at 5744 and 5746: unreadable, left out of the range.
  EXPECT_FALSE(haploid.profiles[0].coverage.contains(5744));
  EXPECT_FALSE(haploid.profiles[0].coverage.contains(5746));
  EXPECT_TRUE(haploid.profiles[0].coverage.contains(5745));
  EXPECT_EQ(haploid.profiles[0].coverage.length(), 16569 - 2);
}

TEST(Vcf, RefThatIsNotTheRcrsIsAnErrorNamingTheRecord) {
  // haplogrep-core's copy writes `CC -> CCC` at 315, where the rCRS reads C G.
  const profile_file f = read_vcf(data_dir + "haplogrep-core_HG00097.vcf");
  ASSERT_EQ(f.errors.size(), 1u);
  const auto& where = f.errors[0].where();
  EXPECT_EQ(where.file, data_dir + "haplogrep-core_HG00097.vcf");
  EXPECT_EQ(where.line, 118u);
  EXPECT_EQ(where.column, 10u);  // REF: "MT\t315\t.\t" is 9 characters
  EXPECT_EQ(where.token, "CC");
  EXPECT_NE(f.errors[0].reason().find("does not match the rCRS ('CG')"), std::string::npos) << f.errors[0].what();
  EXPECT_TRUE(f.profiles.empty());
  ASSERT_EQ(f.rejected.size(), 1u);
  EXPECT_EQ(f.rejected[0].id, "HG00097");
  EXPECT_EQ(f.rejected[0].line, 118u);
  EXPECT_EQ(f.records, 1u);
}

TEST(Vcf, PositionsOutsideTheRcrsAndWrongRefAreReported) {
  const profile_file f = read_vcf(data_dir + "H100_complex.vcf");
  ASSERT_EQ(f.errors.size(), 2u) << all_errors(f);
  EXPECT_EQ(f.errors[0].where().line, 10u);
  EXPECT_EQ(f.errors[0].where().column, 4u);
  EXPECT_EQ(f.errors[0].where().token, "16570");
  EXPECT_EQ(f.errors[1].where().line, 21u);
  EXPECT_EQ(f.errors[1].where().token, "A");
  EXPECT_NE(f.errors[1].reason().find("16189"), std::string::npos);
  EXPECT_TRUE(f.profiles.empty());
  ASSERT_EQ(f.rejected.size(), 1u);
  EXPECT_EQ(f.rejected[0].line, 10u);  // the first error
  vcf_options strict;
  strict.strict = true;
  try {
    (void)read_vcf(data_dir + "H100_complex.vcf", strict);
    FAIL() << "strict reading must throw";
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().line, 10u);
  }
}

TEST(Vcf, LeftAlignedIndelsAndStarAllelesBecomeCanonicalVariants) {
  // `CACCCCCTCTACCCCCTCTA -> CACCCCCTCTA` at 8270 deletes one CCCCCTCTA copy, `TA -> T` at 8306
  // deletes an A of 8307-8308, and `*` at 15941 deletes that T (HaploGrep writes 15941d).
  const profile_file f = read_vcf(data_dir + "testIndel.vcf");
  ASSERT_TRUE(f.ok()) << all_errors(f);
  ASSERT_EQ(f.profiles.size(), 1u);
  EXPECT_EQ(f.profiles[0], profile::parse("8281-8289d 8307d 8860G 15940C 15941d", "1-16569", "TL064"));
}

TEST(Vcf, HeaderHtslibCannotReadIsAnErrorNamingTheChromLine) {
  try {
    (void)read_vcf(data_dir + "1000Gdel.vcf");  // its #CHROM line ends in tabs: empty sample names
    FAIL() << "expected an error";
  } catch (const mtmatch::error& e) {
    EXPECT_EQ(e.where().line, 8u);
    EXPECT_EQ(e.where().token, "#CHROM");
  }
  EXPECT_THROW((void)read_vcf(data_dir + "no_such_file.vcf"), mtmatch::error);
  EXPECT_THROW((void)read_vcf(std::string(MTMATCH_TEST_DATA_DIR) + "/H100.hsd"), mtmatch::error);
}

// The levels of NA20877 (FORMAT HP: the non-reference allele's level, `1/0:1451:0.959:0.041`) read
// straight from the text, the slow way: one mixture per `a/b` genotype whose minor level reaches the
// threshold.
std::size_t mixtures_in_na20877(double threshold) {
  std::ifstream in(data_dir + "NA20877.vcf");
  std::string line;
  std::size_t count = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string f; std::getline(split, f, '\t');) fields.push_back(f);
    if (fields[1] == "3107") continue;  // the placeholder: never a variant
    std::vector<std::string> values;
    std::stringstream parts(fields[9]);
    for (std::string v; std::getline(parts, v, ':');) values.push_back(v);
    const std::string& gt = values[0];
    if (gt.find('/') == std::string::npos || gt[0] == gt[2]) continue;
    const double alt = std::stod(values[2]);  // HP: the first non-reference allele
    if (std::min(alt, 1.0 - alt) >= threshold) ++count;
  }
  return count;
}

TEST(Vcf, HeteroplasmyLevelsDecideWhichAllelesCount) {
  for (const char* name : {"NA20877.vcf", "NA20877.vcf.gz", "NA20877.bcf"}) {
    for (double threshold : {0.0, 0.05, 0.2}) {
      vcf_options options;
      options.min_heteroplasmy = threshold;
      const profile_file f = read_vcf(data_dir + name, options);
      ASSERT_TRUE(f.ok()) << all_errors(f);
      ASSERT_EQ(f.profiles.size(), 1u);
      const auto heteroplasmies = std::count_if(f.profiles[0].variants.begin(), f.profiles[0].variants.end(),
                                                [](const variant& v) { return v.is_heteroplasmy(); });
      EXPECT_EQ(static_cast<std::size_t>(heteroplasmies), mixtures_in_na20877(threshold)) << name << " at " << threshold;
      // 73 is `1/0` with G at 95.9 %: a mixture R below 4.1 %, G above.
      const bool mixed = threshold <= 0.041;
      EXPECT_EQ(std::count(f.profiles[0].variants.begin(), f.profiles[0].variants.end(),
                           variant{73, variant_kind::substitution, 1, mixed ? "R" : "G", false}),
                1)
          << name << " at " << threshold;
    }
  }
}

TEST(Vcf, BcfErrorsHaveNoLineButNameTheSite) {
  vcf_options options;
  options.samples = {"NA20877.MT.bam", "missing"};
  const profile_file f = read_vcf(data_dir + "NA20877.bcf", options);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].where().token, "missing");
  EXPECT_EQ(f.errors[0].where().column, 0u);
  EXPECT_EQ(f.profiles.size(), 1u);
}

// --- the 1000 Genomes calls ---------------------------------------------------------------------

TEST(Vcf, ThousandGenomesEastAsianSubsetReadsLikeTheFullFile) {
  const profile_file eas = read_vcf(data_dir + "1000G_phase3_EAS_chrMT_callmom.vcf.gz");
  ASSERT_TRUE(eas.ok()) << all_errors(eas);
  ASSERT_EQ(eas.profiles.size(), 515u);
  vcf_options options;
  for (const profile& p : eas.profiles) options.samples.push_back(p.id);
  const profile_file all = read_vcf(data_dir + "ALL.chrMT.phase3_callmom-v0_4.20130502.genotypes.vcf.gz", options);
  ASSERT_TRUE(all.ok()) << all_errors(all);
  ASSERT_EQ(all.profiles.size(), 515u);
  for (std::size_t i = 0; i < eas.profiles.size(); ++i) EXPECT_EQ(eas.profiles[i], all.profiles[i]);
  // Control regions: the same sequence over 16024-576 as the whole-molecule profile.
  options.coverage = range::parse("16024-576");
  const profile_file cr = read_vcf(data_dir + "1000G_phase3_EAS_chrMT_callmom.vcf.gz", options);
  ASSERT_TRUE(cr.ok()) << all_errors(cr);
  ASSERT_EQ(cr.profiles.size(), 515u);
  for (std::size_t i = 0; i < cr.profiles.size(); ++i) {
    EXPECT_EQ(cr.profiles[i].coverage, options.coverage);
    EXPECT_EQ(cr.profiles[i].variants, mtmatch::canonicalize(options.coverage, eas.profiles[i].variants)) << cr.profiles[i];
  }
}

TEST(Vcf, ThousandGenomesMultiBaseRecordsComparedBaseByBase) {
  vcf_options options;
  options.samples = {"HG00096", "HG00543"};
  const profile_file f = read_vcf(data_dir + "ALL.chrMT.phase3_callmom-v0_4.20130502.genotypes.vcf.gz", options);
  ASSERT_TRUE(f.ok()) << all_errors(f);
  ASSERT_EQ(f.profiles.size(), 2u);
  // HG00096: `TCTA -> CCCC` at 8286 (ALT 1), `CN -> C` at 3106 (dropped: the 3107 placeholder).
  EXPECT_EQ(f.profiles[0], profile::parse("152C 263G 750G 1438G 4769G 8286C 8288C 8289C 8592A 8860G 10394T 15326G 15340G 16519C",
                                          "1-16569", "HG00096"));
  // HG00543: `CA -> TG` at 262, `AA -> GA,GG` at 750 (ALT 1), `CT -> TT,GC,GT,TC,AT` at 16188 (ALT 4),
  // `C -> T,A,G` at 16266 (ALT 3).
  EXPECT_EQ(f.profiles[1], profile::parse("73G 200G 210G 262T 263G 709A 750G 1438G 2706G 3537G 4769G 7028T 8584A 8860G "
                                          "9950C 9962A 10388G 10398G 11151T 11719A 14766T 15235G 15326G 15671G 16188T "
                                          "16189C 16266G 16278T 16519C",
                                          "1-16569", "HG00543"));
}

// --- hand-written cases -------------------------------------------------------------------------

TEST_F(VcfFiles, MultiAllelicMnpAndPlaceholderRecords) {
  const std::string path = write("mnp.vcf", header("S1\tS2\tS3") +
                                                rec("MT 73 . A G,C . . . GT 1 2 0") +
                                                rec("MT 248 . AA A . . . GT 1 0 0") +
                                                rec("MT 309 . CT CCT,CCCT,TT,C . . . GT 1 2 3") +
                                                rec("MT 310 . T C . . . GT 0 0 4") +  // S3: there is no ALT 4
                                                rec("MT 750 . AA GA,GG . . . GT 1 2 0") +
                                                rec("MT 3106 . CN C . . . GT 1 1 0") +
                                                rec("MT 3107 . N C . . . GT 0 0 1") +
                                                rec("MT 14766 . CT TT,TC . . . GT 1 2 0"));
  const profile_file f = read_vcf(path);
  // S3 at 310: ALT 4 does not exist.
  ASSERT_EQ(f.errors.size(), 1u) << all_errors(f);
  EXPECT_EQ(f.errors[0].where().line, 8u);
  EXPECT_EQ(f.errors[0].where().column, 27u);  // "MT\t310\t.\tT\tC\t.\t.\t.\tGT\t0\t0\t" is 26 characters
  EXPECT_EQ(f.errors[0].where().token, "4");
  ASSERT_EQ(f.profiles.size(), 2u);
  EXPECT_EQ(f.profiles[0], profile::parse("73G 249d 309.1C 750G 14766T", "1-16569", "S1"));
  EXPECT_EQ(f.profiles[1], profile::parse("73C 309.1CC 750G 751G 14766T 14767C", "1-16569", "S2"));
  ASSERT_EQ(f.rejected.size(), 1u);
  EXPECT_EQ(f.rejected[0].id, "S3");
}

TEST_F(VcfFiles, DeletionsAcrossThePlaceholderKeepTheirOtherBases) {
  const std::string path = write("placeholder.vcf", header("S1\tS2") + rec("MT 3106 . CNT C,CN . . . GT 1 2"));
  const profile_file f = read_vcf(path);
  ASSERT_TRUE(f.ok()) << all_errors(f);
  EXPECT_EQ(*by_id(f, "S1"), profile::parse("3108d", "1-16569", "S1"));
  EXPECT_EQ(*by_id(f, "S2"), profile::parse("3108d", "1-16569", "S2"));
}

TEST_F(VcfFiles, EveryMitochondrialContigNameIsAcceptedOthersAreNot) {
  for (const char* contig : {"MT", "chrM", "NC_012920.1", "rCRS"}) {
    const std::string path = write(std::string(contig) + ".vcf", header("S", contig) + rec(std::string(contig) + " 263 . A G . . . GT 1"));
    const profile_file f = read_vcf(path);
    ASSERT_TRUE(f.ok()) << contig << ": " << all_errors(f);
    EXPECT_EQ(f.profiles.at(0), profile::parse("263G", "1-16569", "S"));
  }
  const std::string path = write("chr1.vcf", header("S1\tS2", "chr1") + rec("chr1 263 . A G . . . GT 1 0"));
  const profile_file f = read_vcf(path);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].where().line, 5u);
  EXPECT_EQ(f.errors[0].where().column, 1u);
  EXPECT_EQ(f.errors[0].where().token, "chr1");
  EXPECT_TRUE(f.profiles.empty());
  EXPECT_EQ(f.rejected.size(), 2u);
}

TEST_F(VcfFiles, MissingCallsLeaveTheirPositionsOutOfTheRange) {
  const std::string path = write("missing.vcf", header("S1\tS2") + rec("MT 16182 . AAC A,GAC . . . GT ./. 1/1") +
                                                    rec("MT 16189 . T C . . . GT . 1") + rec("MT 16519 . T N . . . GT 1 0"));
  const profile_file f = read_vcf(path);
  ASSERT_TRUE(f.ok()) << all_errors(f);
  ASSERT_EQ(f.profiles.size(), 2u);
  EXPECT_EQ(f.profiles[0].coverage, range::parse("1-16181;16185-16188;16190-16518;16520-16569"));
  EXPECT_TRUE(f.profiles[0].variants.empty()) << f.profiles[0];
  EXPECT_EQ(f.profiles[1], profile::parse("16183d 16184d 16189C", "1-16569", "S2"));
}

TEST_F(VcfFiles, CallsThatDisagreeAcrossRecordsRejectTheSample) {
  const std::string path = write("conflict.vcf", header("S1\tS2") + rec("MT 750 . A G . . . GT 1 1") + rec("MT 750 . AA CA . . . GT 0 1"));
  const profile_file f = read_vcf(path);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].where().line, 6u);
  EXPECT_NE(f.errors[0].reason().find("(line 5)"), std::string::npos) << f.errors[0].what();
  EXPECT_NE(f.errors[0].reason().find("S2"), std::string::npos);
  ASSERT_EQ(f.profiles.size(), 1u);
  EXPECT_EQ(f.profiles[0], profile::parse("750G", "1-16569", "S1"));
  ASSERT_EQ(f.rejected.size(), 1u);
  EXPECT_EQ(f.rejected[0].id, "S2");
  EXPECT_EQ(f.rejected[0].line, 6u);
}

TEST_F(VcfFiles, OverlappingRecordsThatAgreeMerge) {
  // callMom writes `TTACTAAAGT -> CTACTAAAGT` at 195 and `T -> C` at 204; GATK writes the deletion and
  // a `*` at the deleted site.
  const std::string path = write("overlap.vcf", header("S") + rec("MT 195 . TTACTAAAGT CTACTAAAGT . . . GT 1") +
                                                     rec("MT 204 . T C . . . GT 1") + rec("MT 248 . AA A . . . GT 1") +
                                                     rec("MT 249 . A * . . . GT 1"));
  const profile_file f = read_vcf(path);
  ASSERT_TRUE(f.ok()) << all_errors(f);
  EXPECT_EQ(f.profiles.at(0), profile::parse("195C 204C 249d", "1-16569", "S"));
}

TEST_F(VcfFiles, MixturesBecomeIupacCodesOrTheirMajorAllele) {
  const std::string extra = "##FORMAT=<ID=AF,Number=1,Type=String,Description=\"mutserve: level of the non-reference alleles\">\n";
  const std::string path =
      write("af.vcf", header("S1\tS2\tS3", "chrM", extra) + rec("chrM 73 . A G . PASS . GT:AF 1:. 0/1:0.3 1/0:0.98") +
                          rec("chrM 66 . G A,* . PASS . GT:AF 0/2:0.116 2/0:0.9 0:.") +
                          rec("chrM 150 . C T,G . PASS . GT:AF 1/2:0.7,0.3 0 0") +
                          rec("chrM 16093 . T C . PASS . GT:AF 0/1:0.044 0 1:."));
  const profile_file all = read_vcf(path);
  ASSERT_TRUE(all.ok()) << all_errors(all);
  // 66 in S2: `*` at 90 % deletes the G; in S1 the reference (88 %) wins. 150 in S1: T/G = K.
  EXPECT_EQ(*by_id(all, "S1"), profile::parse("73G 150K 16093Y", "1-16569", "S1"));
  EXPECT_EQ(*by_id(all, "S2"), profile::parse("66d 73R", "1-16569", "S2"));
  EXPECT_EQ(*by_id(all, "S3"), profile::parse("73R 16093C", "1-16569", "S3"));
  vcf_options options;
  options.min_heteroplasmy = 0.1;
  const profile_file ten = read_vcf(path, options);
  ASSERT_TRUE(ten.ok()) << all_errors(ten);
  EXPECT_EQ(*by_id(ten, "S1"), profile::parse("73G 150K", "1-16569", "S1"));
  EXPECT_EQ(*by_id(ten, "S3"), profile::parse("73G 16093C", "1-16569", "S3"));
  options.min_heteroplasmy = 0.35;
  EXPECT_EQ(*by_id(read_vcf(path, options), "S1"), profile::parse("73G 150T", "1-16569", "S1"));
}

TEST_F(VcfFiles, LevelsPerAltAlleleAndAlleleDepths) {
  const std::string extra =
      "##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"Mutect2: per ALT\">\n"
      "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n";
  const std::string path = write("mutect.vcf", header("S1\tS2", "MT", extra) + rec("MT 150 . C T,G . . . GT:AF 1/2:0.3,0.7 0/2:.,0.2") +
                                                      rec("MT 248 . AA A . . . GT:AD 0/1:10,90 0/1:90,10"));
  vcf_options options;
  options.min_heteroplasmy = 0.5;
  options.level_fields = {"AF", "AD"};
  const profile_file f = read_vcf(path, options);
  ASSERT_TRUE(f.ok()) << all_errors(f);
  // S1: G at 70 % (per ALT, not genotype order); the deletion at 90 % of the depth.
  EXPECT_EQ(*by_id(f, "S1"), profile::parse("150G 249d", "1-16569", "S1"));
  // S2: a missing level means no levels: the two bases stay a mixture (C/G = S); at 248 the
  // reference has 90 % of the depth.
  EXPECT_EQ(*by_id(f, "S2"), profile::parse("150S", "1-16569", "S2"));
}

TEST_F(VcfFiles, IndelMixtureWithoutLevelsIsAnErrorForThatSample) {
  const std::string path = write("mix.vcf", header("S1\tS2") + rec("MT 248 . AA A . . . GT 0/1 1/1") + rec("MT 263 . A G . . . GT 0/1 1"));
  const profile_file f = read_vcf(path);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].where().line, 5u);
  EXPECT_EQ(f.errors[0].where().token, "0/1");
  EXPECT_NE(f.errors[0].reason().find("no IUPAC code"), std::string::npos) << f.errors[0].what();
  ASSERT_EQ(f.profiles.size(), 1u);
  EXPECT_EQ(f.profiles[0], profile::parse("249d 263G", "1-16569", "S2"));
}

TEST_F(VcfFiles, RecordsHtslibCannotParseRejectEverySample) {
  const std::string path = write("bad.vcf", header("S1\tS2") + rec("MT 263 . A G . . . GT 1 1") + rec("MT x7 . A G . . . GT 1 0"));
  const profile_file f = read_vcf(path);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].where().line, 6u);
  EXPECT_TRUE(f.profiles.empty());
  EXPECT_EQ(f.rejected.size(), 2u);
}

TEST_F(VcfFiles, SamplesAndRangeOptions) {
  const std::string path = write("opts.vcf", header("S1\tS2\tS3") + rec("MT 73 . A G . . . GT 1 1 0") + rec("MT 8860 . A G . . . GT 1 1 1") +
                                                  rec("MT 16519 . T C . . . GT 0 1 1"));
  vcf_options options;
  options.samples = {"S3", "S1"};
  options.coverage = range::parse("16024-576");
  const profile_file f = read_vcf(path, options);
  ASSERT_TRUE(f.ok()) << all_errors(f);
  ASSERT_EQ(f.profiles.size(), 2u);
  EXPECT_EQ(f.profiles[0], profile::parse("16519C", "16024-576", "S3"));
  EXPECT_EQ(f.profiles[1], profile::parse("73G", "16024-576", "S1"));
  options.min_heteroplasmy = 1.5;
  EXPECT_THROW((void)read_vcf(path, options), mtmatch::error);
}

TEST_F(VcfFiles, ReadProfilesPicksTheReaderByName) {
  using mtmatch::profile_format;
  EXPECT_TRUE(mtmatch::is_vcf_path("a.vcf"));
  EXPECT_TRUE(mtmatch::is_vcf_path("dir/A.VCF.GZ"));
  EXPECT_TRUE(mtmatch::is_vcf_path("a.vcf.bgz"));
  EXPECT_TRUE(mtmatch::is_vcf_path("a.bcf"));
  EXPECT_FALSE(mtmatch::is_vcf_path("a.hsd"));
  EXPECT_FALSE(mtmatch::is_vcf_path("vcf"));
  const std::string vcf = write("x.vcf", header("S") + rec("MT 263 . A G . . . GT 1"));
  const std::string hsd = write("x.hsd", "S\t1-16569\t?\t263G\n");
  const std::string csv = write("x.csv", "id,range,variants\nS,1-16569,263G\n");
  const profile expected = profile::parse("263G", "1-16569", "S");
  EXPECT_EQ(mtmatch::read_profiles(vcf).profiles.at(0), expected);
  EXPECT_EQ(mtmatch::read_profiles(hsd).profiles.at(0), expected);
  EXPECT_EQ(mtmatch::read_profiles(csv).profiles.at(0), expected);
  EXPECT_EQ(mtmatch::read_profiles(hsd, profile_format::hsd).profiles.at(0), expected);
  EXPECT_THROW((void)mtmatch::read_profiles(hsd, profile_format::vcf), mtmatch::error);
}

// --- property test: random samples written as left-aligned VCF ------------------------------------

// A VCF allele for one canonical variant, left-aligned with its anchor base as VCF callers write it.
struct vcf_allele {
  int pos = 0;
  std::string ref, alt;
};

vcf_allele left_aligned(const variant& v) {
  const auto& r = mtmatch::rcrs();
  if (v.kind == variant_kind::deletion) {
    int first = v.position, last = v.last();
    while (first > 2 && r[first - 1] == r[last] && first - 1 != 3107 && last != 3107) {
      --first;
      --last;
    }
    return {first - 1, std::string(r.slice(first - 1, last)), std::string(1, r[first - 1])};
  }
  if (v.kind == variant_kind::insertion) {
    int anchor = v.position;
    std::string bases = v.bases;
    while (anchor > 1 && r[anchor] == bases.back() && anchor != 3107) {
      bases = bases.back() + bases.substr(0, bases.size() - 1);
      --anchor;
    }
    return {anchor, std::string(1, r[anchor]), std::string(1, r[anchor]) + bases};
  }
  return {v.position, std::string(1, r[v.position]), v.bases};
}

TEST_F(VcfFiles, RandomSamplesRoundTripThroughLeftAlignedVcf) {
  std::mt19937 rng(20240611);
  const auto& r = mtmatch::rcrs();
  const std::string bases = "ACGT";
  const std::string mixtures = "RYKMSW";
  constexpr int samples = 64;
  std::vector<profile> truth(samples);
  // (pos, ref) → ALT list, and per sample the genotype text at that key.
  std::map<std::pair<int, std::string>, std::vector<std::string>> alts;
  std::map<std::pair<int, std::string>, std::map<int, std::string>> genotypes;
  auto allele_index = [&](const std::pair<int, std::string>& key, const std::string& alt) {
    auto& list = alts[key];
    const auto it = std::find(list.begin(), list.end(), alt);
    if (it != list.end()) return static_cast<int>(it - list.begin()) + 1;
    list.push_back(alt);
    return static_cast<int>(list.size());
  };
  int shifted = 0, mnps = 0, mixed = 0;  // how much of VCF's variety the random file has
  for (int s = 0; s < samples; ++s) {
    std::vector<variant> raw;
    std::set<int> used;
    std::uniform_int_distribution<int> position(2, 16560);
    for (int k = 0; k < 30; ++k) {
      const int p = position(rng);
      if (used.count(p) || used.count(p - 1) || used.count(p + 1) || (p > 3100 && p < 3115)) continue;
      for (int d = -8; d <= 8; ++d) used.insert(p + d);
      const int kind = static_cast<int>(rng() % 10);
      if (kind < 5) {
        for (int q = p; q <= p + (rng() % 3 == 0 ? 1 : 0); ++q) {  // sometimes two in a row: an MNP
          char b = bases[rng() % 4];
          while (b == r[q]) b = bases[rng() % 4];
          raw.push_back({q, variant_kind::substitution, 1, std::string(1, b), false});
        }
      } else if (kind < 6) {
        raw.push_back({p, variant_kind::substitution, 1, std::string(1, mixtures[rng() % 6]), false});
      } else if (kind < 8) {
        raw.push_back({p, variant_kind::deletion, 1 + static_cast<int>(rng() % 3), "", false});
      } else {
        std::string ins;
        for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i) ins += bases[rng() % 4];
        raw.push_back({p, variant_kind::insertion, static_cast<int>(ins.size()), ins, false});
      }
    }
    range coverage = range::whole();
    // One missing stretch per sample, away from its variants.
    for (int tries = 0; tries < 50; ++tries) {
      const int a = position(rng);
      if (std::none_of(used.begin(), used.end(), [&](int u) { return u >= a - 2 && u <= a + 6; }) && (a > 3115 || a + 4 < 3100)) {
        coverage = coverage.without(a, a + 3);
        genotypes[{a, std::string(r.slice(a, a + 3))}][s] = ".";
        alts[{a, std::string(r.slice(a, a + 3))}];
        break;
      }
    }
    truth[s].id = "S" + std::to_string(s);
    truth[s].coverage = coverage;
    truth[s].variants = mtmatch::canonicalize(coverage, raw);
    for (std::size_t i = 0; i < truth[s].variants.size(); ++i) {
      const variant& v = truth[s].variants[i];
      if (v.is_heteroplasmy()) {  // a mixture: REF/ALT or ALT/ALT genotype
        const std::uint8_t set = mtmatch::iupac::bases_of(v.bases[0]);
        std::vector<std::string> members;
        for (char b : bases) {
          if (set & mtmatch::iupac::bases_of(b)) members.emplace_back(1, b);
        }
        const std::pair<int, std::string> key{v.position, std::string(1, r[v.position])};
        auto index = [&](const std::string& b) { return b[0] == r[v.position] ? 0 : allele_index(key, b); };
        genotypes[key][s] = std::to_string(index(members[0])) + "/" + std::to_string(index(members[1]));
        ++mixed;
        continue;
      }
      // Two substitutions next to each other may travel as one MNP record.
      if (v.kind == variant_kind::substitution && i + 1 < truth[s].variants.size()) {
        const variant& w = truth[s].variants[i + 1];
        if (w.kind == variant_kind::substitution && !w.is_heteroplasmy() && w.position == v.position + 1 && rng() % 2 == 0) {
          const std::pair<int, std::string> key{v.position, std::string(r.slice(v.position, w.position))};
          genotypes[key][s] = std::to_string(allele_index(key, v.bases + w.bases));
          ++mnps;
          ++i;
          continue;
        }
      }
      const vcf_allele a = left_aligned(v);
      if (v.is_indel() && a.pos != (v.kind == variant_kind::deletion ? v.position - 1 : v.position)) ++shifted;
      const std::pair<int, std::string> key{a.pos, a.ref};
      genotypes[key][s] = std::to_string(allele_index(key, a.alt));
    }
  }
  std::string names;
  for (int s = 0; s < samples; ++s) names += (s ? "\t" : "") + truth[s].id;
  std::string text = header(names);
  for (const auto& [key, list] : alts) {
    std::string alt;
    for (const std::string& a : list) alt += (alt.empty() ? "" : ",") + a;
    text += "MT\t" + std::to_string(key.first) + "\t.\t" + key.second + "\t" + (alt.empty() ? "." : alt) + "\t.\t.\t.\tGT";
    for (int s = 0; s < samples; ++s) {
      const auto& g = genotypes[key];
      const auto it = g.find(s);
      text += "\t" + (it == g.end() ? std::string("0") : it->second);
    }
    text += "\n";
  }
  EXPECT_GT(shifted, 20);
  EXPECT_GT(mnps, 2);
  EXPECT_GT(mixed, 20);
  const profile_file f = read_vcf(write("random.vcf", text));
  ASSERT_TRUE(f.ok()) << all_errors(f);
  ASSERT_EQ(f.profiles.size(), static_cast<std::size_t>(samples));
  for (int s = 0; s < samples; ++s) EXPECT_EQ(f.profiles[s], truth[s]);
}

}  // namespace
