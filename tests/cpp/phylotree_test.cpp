// Tests of the loaded PhyloTree: structure, re-rooting, expected profiles (against an independent walk
// of the written branches and against DOMAIN.md §5.4), weights, hotspots, and located parse errors.
#include "mtmatch/phylotree.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace {

using mtmatch::node_id;
using mtmatch::phylotree;
using mtmatch::tree_poly;

const std::string data_dir = MTMATCH_DATA_DIR;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> texts(std::span<const tree_poly> polys) {
  std::vector<std::string> out;
  for (const auto& p : polys) out.push_back(p.to_string());
  return out;
}

// Expected polys inside the control region 16024-576, as text.
std::set<std::string> control_region(const phylotree& t, const char* name) {
  std::set<std::string> out;
  for (const auto& p : t.expected(t.at(name))) {
    if (p.position >= 16024 || p.position <= 576) out.insert(p.to_string());
  }
  return out;
}

std::set<std::string> words(const std::string& s) {
  std::set<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

TEST(Phylotree, DefaultTreeIsPhylotree17RootedAtMtMrca) {
  const phylotree& t = mtmatch::phylotree17();
  EXPECT_EQ(t.size(), 5435);
  EXPECT_EQ(t.name(t.root()), "mt-MRCA");
  EXPECT_EQ(t.parent(t.root()), mtmatch::no_node);
  EXPECT_EQ(t.name(t.rcrs_node()), "H2a2a1");
  EXPECT_TRUE(t.expected(t.rcrs_node()).empty());
  EXPECT_EQ(t.file_rank(t.rcrs_node()), 0);
  EXPECT_EQ(t.tree_name(), "phylotree-rcrs@17.3");
  EXPECT_EQ(&t, mtmatch::phylotree17_shared().get());
}

TEST(Phylotree, BasalNamesAreFixed) {
  const phylotree& t = mtmatch::phylotree17();
  EXPECT_EQ(t.name(t.parent(t.at("L0"))), "mt-MRCA");
  EXPECT_EQ(t.name(t.parent(t.at("L1"))), "L1'2'3'4'5'6");
  EXPECT_EQ(t.name(t.parent(t.at("L5"))), "L2'3'4'5'6");
  EXPECT_EQ(t.find("L2'3'4'6+"), mtmatch::no_node);
  // The copy as published, names untouched: the node above L0 is mislabelled.
  mtmatch::phylotree_options raw;
  raw.fix_basal_names = false;
  auto original = phylotree::load(data_dir + "/phylotree17/tree.xml", data_dir + "/phylotree17/weights.txt",
                                  data_dir + "/phylotree17/hotspots.txt", raw);
  EXPECT_EQ(original->find("mt-MRCA"), mtmatch::no_node);
  EXPECT_EQ(original->name(original->parent(original->at("L0"))), "L1'2'3'4'5'6");
  EXPECT_EQ(original->size(), t.size());
}

TEST(Phylotree, StructureIsConsistent) {
  const phylotree& t = mtmatch::phylotree17();
  std::int32_t edges = 0;
  for (node_id n = 0; n < t.size(); ++n) {
    EXPECT_EQ(t.at(t.name(n)), n);
    for (node_id c : t.children(n)) {
      EXPECT_EQ(t.parent(c), n);
      EXPECT_EQ(t.depth(c), t.depth(n) + 1);
      EXPECT_GT(c, n);  // pre-order
      ++edges;
    }
    if (n != t.root()) {
      EXPECT_LT(t.parent(n), n);
      EXPECT_TRUE(t.is_ancestor(t.parent(n), n));
    }
    EXPECT_GT(t.subtree_end(n), n);
    EXPECT_LE(t.subtree_end(n), t.size());
  }
  EXPECT_EQ(edges, t.size() - 1);
}

TEST(Phylotree, AncestorsAndLcaMatchANaiveWalk) {
  const phylotree& t = mtmatch::phylotree17();
  auto path = [&](node_id n) {
    std::vector<node_id> up;
    for (; n != mtmatch::no_node; n = t.parent(n)) up.push_back(n);
    return up;
  };
  std::mt19937 rng(17);
  std::uniform_int_distribution<node_id> pick(0, t.size() - 1);
  for (int i = 0; i < 2000; ++i) {
    const node_id a = pick(rng);
    const node_id b = i % 5 == 0 ? t.parent(a) == mtmatch::no_node ? a : t.parent(a) : pick(rng);
    const std::vector<node_id> pa = path(a);
    const std::vector<node_id> pb = path(b);
    node_id naive = mtmatch::no_node;
    for (node_id x : pa) {
      if (std::find(pb.begin(), pb.end(), x) != pb.end()) {
        naive = x;
        break;
      }
    }
    ASSERT_EQ(t.lca(a, b), naive) << t.name(a) << " " << t.name(b);
    EXPECT_EQ(t.is_ancestor(a, b), std::find(pb.begin(), pb.end(), a) != pb.end());
  }
  EXPECT_TRUE(t.is_ancestor(t.at("H"), t.at("H2a2a1")));
  EXPECT_FALSE(t.is_ancestor(t.at("H2a2a1"), t.at("H")));
  EXPECT_EQ(t.name(t.lca(t.at("M7b1a1"), t.at("B5a"))), "L3");
  EXPECT_EQ(t.name(t.lca(t.at("B4a"), t.at("B5a"))), "B4'5");
}

// The expected profile of a node, recomputed from the polys written on its path in the file: a poly
// replaces whatever its site held, `X!` removes X; then written the canonical way.
TEST(Phylotree, ExpectedProfilesFollowTheWrittenPath) {
  const phylotree& t = mtmatch::phylotree17();
  auto site = [](const tree_poly& p) {
    return std::make_pair(p.position, p.kind == mtmatch::variant_kind::insertion ? p.index + 1 : 0);
  };
  int rewritten = 0;
  for (node_id n = 0; n < t.size(); n += 7) {
    std::vector<tree_poly> have;
    for (const auto& step : t.file_path(n)) {
      if (step.back) {
        have.erase(std::remove(have.begin(), have.end(), step.poly), have.end());
      } else {
        have.erase(std::remove_if(have.begin(), have.end(), [&](const tree_poly& p) { return site(p) == site(step.poly); }),
                   have.end());
        have.push_back(step.poly);
      }
    }
    std::sort(have.begin(), have.end());
    // Polys to variants, by hand: one variant per substitution, per run of deleted bases, and per
    // run of inserted bases after one position.
    std::vector<mtmatch::variant> vs;
    for (const auto& p : have) {
      mtmatch::variant* last = vs.empty() ? nullptr : &vs.back();
      if (p.kind == mtmatch::variant_kind::deletion && last && last->kind == p.kind && last->position + last->length == p.position) {
        ++last->length;
      } else if (p.kind == mtmatch::variant_kind::insertion && last && last->kind == p.kind && last->position == p.position &&
                 p.index == 1 + last->length) {
        last->bases += p.bases;
        last->length = static_cast<std::int32_t>(last->bases.size());
      } else {
        vs.push_back({p.position, p.kind, p.kind == mtmatch::variant_kind::deletion ? 1 : static_cast<std::int32_t>(p.bases.size()), p.bases, false});
      }
    }
    std::vector<tree_poly> want;
    for (const auto& v : mtmatch::canonicalize(mtmatch::range::whole(), vs)) {
      for (const auto& p : mtmatch::split_variant(v)) want.push_back(p);
    }
    std::sort(want.begin(), want.end());
    if (want != have) ++rewritten;
    std::span<const tree_poly> expected = t.expected(n);
    ASSERT_EQ(std::vector<tree_poly>(expected.begin(), expected.end()), want) << t.name(n);
  }
  EXPECT_LT(rewritten, t.size() / 7 / 10);  // PhyloTree's own notation is mostly canonical already
}

TEST(Phylotree, BranchesAreTheDifferenceToTheParent) {
  const phylotree& t = mtmatch::phylotree17();
  for (node_id n = 1; n < t.size(); ++n) {
    std::set<tree_poly> mine(t.expected(n).begin(), t.expected(n).end());
    std::set<tree_poly> theirs(t.expected(t.parent(n)).begin(), t.expected(t.parent(n)).end());
    for (const auto& c : t.branch(n)) {
      if (c.gained) {
        EXPECT_TRUE(mine.contains(c.poly) && !theirs.contains(c.poly));
        theirs.insert(c.poly);
      } else {
        EXPECT_TRUE(!mine.contains(c.poly) && theirs.contains(c.poly));
        theirs.erase(c.poly);
      }
    }
    ASSERT_EQ(mine, theirs) << t.name(n);
  }
  // Read in the phylogenetic direction: H is defined by 2706A 7028C, the rCRS by 263A.
  EXPECT_EQ(t.branch_string(t.at("H")), "2706A 7028C");
  EXPECT_EQ(t.branch_string(t.at("H2a2a1")), "263A");
  EXPECT_EQ(t.branch_string(t.at("M")), "489C 10400T 14783C 15043A");
  EXPECT_EQ(t.branch_string(t.at("R9")), "3970T 13928C 16304C");
}

// DOMAIN.md §5.4: control-region motifs computed from PhyloTree 17 by path accumulation.
TEST(Phylotree, ControlRegionMotifsOfDomainTable) {
  const phylotree& t = mtmatch::phylotree17();
  const std::map<std::string, std::string> motifs = {
      {"M", "16223T 73G 263G 489C"},
      {"M7b1a1", "16129A 16223T 16297C 73G 150T 199C 263G 489C"},
      {"M7c1", "16223T 16295T 73G 146C 199C 263G 489C"},
      {"M71", "16223T 16271C 73G 263G 489C"},
      {"M74", "16223T 16311C 16362C 73G 263G 489C"},
      {"D4", "16223T 16362C 73G 263G 489C"},
      {"E", "16223T 16362C 16390A 73G 263G 489C"},
      {"G2a", "16223T 16227G 16278T 16362C 73G 263G 489C"},
      {"N9a", "16223T 16257A 16261T 73G 150T 263G"},
      {"A", "16223T 16290T 16319A 73G 235G 263G"},
      {"R9", "16304C 73G 263G"},
      {"F1a1", "16129A 16162G 16172C 16304C 73G 249d 263G"},
      {"B4a", "16189C 16217C 16261T 73G 263G"},
      {"B5a", "16140C 16189C 16266A 73G 210G 263G"},
      {"B6", "16189C 73G 150T 263G"},
  };
  for (const auto& [name, motif] : motifs) EXPECT_EQ(control_region(t, name.c_str()), words(motif)) << name;
  // Key coding variants of the same table.
  auto has = [&](const char* name, const char* poly) {
    const auto e = texts(t.expected(t.at(name)));
    return std::find(e.begin(), e.end(), poly) != e.end();
  };
  for (const char* p : {"10400T", "14783C", "15043A"}) EXPECT_TRUE(has("M", p));
  for (const char* p : {"4071T", "5351G", "9824C", "12405T"}) EXPECT_TRUE(has("M7b1a1", p));
  for (const char* p : {"8281d", "8289d", "5465C"}) EXPECT_TRUE(has("B4a", p));
  for (const char* p : {"3970T", "13928C"}) EXPECT_TRUE(has("R9", p));
}

TEST(Phylotree, ExpectedVariantsMergeIndels) {
  const phylotree& t = mtmatch::phylotree17();
  const auto v = t.expected_variants(t.at("B4a"));
  auto block = std::find_if(v.begin(), v.end(), [](const mtmatch::variant& x) { return x.kind == mtmatch::variant_kind::deletion && x.length > 1; });
  ASSERT_NE(block, v.end());
  EXPECT_EQ(block->position, 8281);
  EXPECT_EQ(block->length, 9);
  const auto l5 = t.expected_variants(t.at("L5a1"));  // 455.1T 455.2T on the path: one insertion "TT…"
  auto ins = std::find_if(l5.begin(), l5.end(), [](const mtmatch::variant& x) { return x.kind == mtmatch::variant_kind::insertion && x.position == 455; });
  ASSERT_NE(ins, l5.end());
  EXPECT_EQ(ins->bases.substr(0, 2), "TT");
  // Every expected profile is already canonical.
  for (node_id n = 0; n < t.size(); n += 5) {
    const auto e = t.expected_variants(n);
    EXPECT_EQ(mtmatch::canonicalize(mtmatch::range::whole(), e), e) << t.name(n);
  }
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
}

TEST(Phylotree, WeightsAndOccurrences) {
  const phylotree& t = mtmatch::phylotree17();
  EXPECT_EQ(t.max_occurrences(), 197);
  EXPECT_DOUBLE_EQ(t.weight(tree_poly::parse("152C")), 1.0);
  EXPECT_EQ(t.occurrences(tree_poly::parse("152C")), 197);
  EXPECT_EQ(t.occurrences(tree_poly::parse("16189C")), 110);
  EXPECT_DOUBLE_EQ(t.weight(tree_poly::parse("16519C")), 0.0);  // a hotspot: not in the file
  EXPECT_EQ(t.occurrences(tree_poly::parse("3010A")) > 0, true);
  EXPECT_GE(t.site_occurrences(152), 197);
  EXPECT_EQ(t.site_occurrences(0), 0);
  const phylotree& fu = mtmatch::phylotree17_fu();
  EXPECT_EQ(fu.size(), 6380);
  EXPECT_EQ(fu.max_occurrences(), 275);  // column 6, detected
  EXPECT_EQ(fu.occurrences(tree_poly::parse("152C")), 275);
  EXPECT_EQ(fu.name(fu.root()), "mt-MRCA");
  EXPECT_EQ(fu.name(fu.rcrs_node()), "H2a2a1");
  EXPECT_NE(fu.find("M4\"67"), mtmatch::no_node);  // &quot; in the attribute
  // Every weight of weights.txt is reproduced by 10 - 9 ln(occ)/ln(occ_max) to within 0.1.
  std::istringstream in(slurp(data_dir + "/phylotree17/weights.txt"));
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string poly;
    double weight = 0;
    double occ = 0;
    fields >> poly >> weight >> occ;
    const double formula = 10.0 - 9.0 * std::log(occ) / std::log(197.0);
    EXPECT_NEAR(weight, formula, 0.1 + 1e-9) << poly;
    ++rows;
  }
  EXPECT_EQ(rows, 4560);
}

TEST(Phylotree, Hotspots) {
  const phylotree& t = mtmatch::phylotree17();
  EXPECT_EQ(t.hotspots().size(), 13u);
  for (const char* h : {"315.1C", "309.1C", "309.1CC", "523d", "524d", "16519C", "16182C", "16193.1C", "3107d"}) {
    EXPECT_TRUE(t.is_hotspot(tree_poly::parse(h))) << h;
    EXPECT_DOUBLE_EQ(t.weight(tree_poly::parse(h)), 0.0) << h;
  }
  EXPECT_FALSE(t.is_hotspot(tree_poly::parse("16519T")));
  EXPECT_FALSE(t.in_tree(tree_poly::parse("16519C")));
  EXPECT_TRUE(t.in_tree(tree_poly::parse("16223T")));
}

TEST(Phylotree, PolyNotation) {
  for (const char* s : {"16223T", "523d", "315.1C", "8289.1CCCCCTCTA", "573.XC", "455.2T", "16311Y"}) {
    EXPECT_EQ(tree_poly::parse(s).to_string(), s);
  }
  const tree_poly bare = tree_poly::parse("8289");  // HaploGrep: a bare position is the transition
  const std::map<char, char> transition = {{'A', 'G'}, {'G', 'A'}, {'C', 'T'}, {'T', 'C'}};
  EXPECT_EQ(bare.to_string(), "8289" + std::string(1, transition.at(mtmatch::rcrs()[8289])));
  EXPECT_EQ(tree_poly::parse("573.XC").index, 0);
  EXPECT_THROW((void)tree_poly::parse("16223Z"), mtmatch::error);
  EXPECT_THROW((void)tree_poly::parse("99999A"), mtmatch::error);
  EXPECT_THROW((void)tree_poly::parse("309.C"), mtmatch::error);
  // A profile's variants in HaploGrep's per-poly form.
  mtmatch::variant del{8281, mtmatch::variant_kind::deletion, 9, "", false};
  EXPECT_EQ(mtmatch::split_variant(del).size(), 9u);
  mtmatch::variant ins{309, mtmatch::variant_kind::insertion, 2, "CC", false};
  ASSERT_EQ(mtmatch::split_variant(ins).size(), 1u);
  EXPECT_EQ(mtmatch::split_variant(ins)[0].to_string(), "309.1CC");
}

TEST(Phylotree, LoadsFromFilesLikeTheEmbeddedCopy) {
  auto t = phylotree::load(data_dir + "/phylotree17/fu-rcrs-1.2/tree.xml", data_dir + "/phylotree17/fu-rcrs-1.2/weights.txt",
                           data_dir + "/phylotree17/hotspots.txt");
  const phylotree& fu = mtmatch::phylotree17_fu();
  ASSERT_EQ(t->size(), fu.size());
  for (node_id n = 0; n < t->size(); n += 97) {
    EXPECT_EQ(t->name(n), fu.name(n));
    EXPECT_EQ(texts(t->expected(n)), texts(fu.expected(n)));
  }
  EXPECT_THROW((void)phylotree::load("no/such/tree.xml", "w", "h"), mtmatch::error);
}

// Bad input names the file, line, column and token.
TEST(Phylotree, ParseErrorsAreLocated) {
  const std::string weights = "152C\t1.0\t197.0\t1.0\t1.0\t1.0\n16223T\t6.7\t30\t6.7\t6.7\t6.7\n";
  const std::string hotspots = "# hotspots\n16519C\n";
  auto fails = [&](const std::string& xml, const std::string& w, const std::string& h) -> mtmatch::error {
    try {
      (void)phylotree::parse(xml, w, h);
    } catch (const mtmatch::error& e) {
      return e;
    }
    ADD_FAILURE() << "no error for:\n" << xml;
    return mtmatch::error("none");
  };
  const std::string good =
      "<?xml version=\"1.0\"?>\r\n<phylotree>\r\n<haplogroup name='H2a2a1'><details/>\r\n"
      "  <haplogroup name=\"A &amp; B\"><details a=\"1\"><poly> 16223T </poly><!-- c --></details></haplogroup>\r\n"
      "</haplogroup>\r\n</phylotree>\r\n";
  auto t = phylotree::parse(good, weights, hotspots);
  ASSERT_EQ(t->size(), 2);
  EXPECT_EQ(texts(t->expected(t->at("A & B"))), std::vector<std::string>{"16223T"});

  mtmatch::error e = fails("<phylotree>\n<haplogroup name=\"H\"><details>\n  <poly>16223Z</poly></details></haplogroup></phylotree>",
                           weights, hotspots);
  EXPECT_EQ(e.where().file, "tree.xml");
  EXPECT_EQ(e.where().line, 3u);
  EXPECT_EQ(e.where().column, 9u);
  EXPECT_EQ(e.where().token, "16223Z");
  e = fails("<phylotree>\n<haplogroup name=\"H\"><details></haplogroup></phylotree>", weights, hotspots);
  EXPECT_EQ(e.where().line, 2u);
  EXPECT_EQ(e.where().token, "</haplogroup>");
  e = fails("<phylotree>\n<haplogroup name=H><details/></haplogroup></phylotree>", weights, hotspots);
  EXPECT_EQ(e.where().line, 2u);
  EXPECT_EQ(e.where().token, "name");
  e = fails("<phylotree>\n<haplogroup><details/></haplogroup></phylotree>", weights, hotspots);
  EXPECT_THAT(e.what(), testing::HasSubstr("without a name"));
  e = fails("<phylotree><haplogroup name=\"H\"><details/></haplogroup>", weights, hotspots);
  EXPECT_THAT(e.what(), testing::HasSubstr("never closed"));
  e = fails("<phylotree><haplogroup name=\"H\"><details/></haplogroup><haplogroup name=\"H\"/></phylotree>", weights, hotspots);
  EXPECT_THAT(e.what(), testing::HasSubstr("exactly one top-level"));
  e = fails(good, "152C\tone\t197\n", hotspots);
  EXPECT_EQ(e.where().file, "weights.txt");
  EXPECT_EQ(e.where().line, 1u);
  EXPECT_EQ(e.where().column, 6u);
  EXPECT_EQ(e.where().token, "one");
  e = fails(good, weights, "16519C\n16519Q\n");
  EXPECT_EQ(e.where().file, "hotspots.txt");
  EXPECT_EQ(e.where().line, 2u);
  EXPECT_EQ(e.where().token, "16519Q");
}

}  // namespace
