"""mtmatch.Tree, mtmatch.classify and compare(a, b, tree) from Python."""
import os

import numpy as np
import pandas as pd
import pytest

import mtmatch

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_DATA = os.path.join(os.path.dirname(HERE), "data")
M7B1A1 = "16129A 16223T 16297C 73G 150T 199C 263G 489C 315.1C"
B5A = "16140C 16189C 16266A 73G 210G 263G 315.1C"
F1A1 = "16129A 16162G 16172C 16304C 73G 249d 263G 315.1C"


@pytest.fixture(scope="module")
def tree():
    return mtmatch.Tree.phylotree17()


def test_tree_structure(tree):
    assert len(tree) == 5435
    assert tree.root == "mt-MRCA"
    assert tree.rcrs_haplogroup == "H2a2a1"
    assert tree.parent("L0") == "mt-MRCA"
    assert tree.parent("mt-MRCA") is None
    assert tree.lca("M7b1a1", "B5a") == "L3"
    assert tree.is_ancestor("H", "H2a2a1")
    assert not tree.is_ancestor("H2a2a1", "H")
    assert tree.branch("H") == "2706A 7028C"
    assert "M7b1a1" in tree and "X9z9" not in tree
    assert tree.expected("H2a2a1") == []
    assert {"16129A", "16223T", "150T", "489C"} <= set(tree.expected("M7b1a1"))
    assert tree.weight("152C") == 1.0
    assert tree.occurrences("152C") == 197
    assert tree.is_hotspot("16519C")
    assert len(tree.hotspots) == 13
    assert tree.stability_weight("16519C") == 0.0
    assert "mt-MRCA" == tree.names()[0]
    with pytest.raises(ValueError, match="no haplogroup named"):
        tree.parent("X9z9")


def test_forensic_update_and_loading(tree):
    fu = mtmatch.Tree.forensic_update()
    assert len(fu) == 6380
    assert fu.max_occurrences == 275
    root = os.path.join(os.path.dirname(os.path.dirname(HERE)), "data", "phylotree17")
    loaded = mtmatch.Tree.load(os.path.join(root, "tree.xml"), os.path.join(root, "weights.txt"),
                               os.path.join(root, "hotspots.txt"), name="pt17")
    assert loaded.name == "pt17" and len(loaded) == len(tree)
    with pytest.raises(ValueError, match="cannot open"):
        mtmatch.Tree.load("no/tree.xml", "no/weights.txt", "no/hotspots.txt")


def test_classify_one_profile(tree):
    c = mtmatch.classify(mtmatch.Profile.parse(M7B1A1, range="16024-576", id="r1"))
    assert c.id == "r1"
    assert c.haplogroup == "M7b1a1"
    assert c.quality == pytest.approx(1.0)
    assert c.ties == 1 and c.common_ancestor == "M7b1a1"
    assert ("315.1C", "hotspot") in c.remaining
    assert "16129A" in c.found
    assert c.hits[0] == ("M7b1a1", c.quality)
    assert mtmatch.classify(mtmatch.Profile.parse("")).haplogroup == "H2a2a1"


def test_every_tenth_node_classifies_to_itself(tree):
    names = tree.names()[::10]
    profiles = [tree.expected_profile(n) for n in names]
    results = mtmatch.classify(profiles, tree=tree, hits=1, details=False)
    same = sum(r.haplogroup == n for r, n in zip(results, names))
    assert same >= len(names) - 5


def test_classify_dataframe_and_arrays(tree):
    frame = pd.DataFrame({"ID": ["a", "b", "c"], "Range": ["16024-576"] * 3, "Variants": [M7B1A1, B5A, F1A1]})
    out = mtmatch.classify(frame)
    assert list(out["SampleID"]) == ["a", "b", "c"]
    assert list(out["Haplogroup"]) == ["M7b1a1", "B5a", "F1a1"]
    assert {"Quality", "Range", "Not_Found_Polys", "Remaining_Polys", "CommonAncestor"} <= set(out.columns)
    arrays = mtmatch.classify(np.array([M7B1A1, B5A]), ranges="16024-576", ids=["x", "y"], threads=2)
    assert list(arrays["haplogroup"]) == ["M7b1a1", "B5a"]
    assert arrays["quality"].dtype == np.float64
    assert list(arrays["id"]) == ["x", "y"]
    with pytest.raises(ValueError, match="missing variants"):
        mtmatch.classify(pd.DataFrame({"id": ["a"], "range": ["1-16569"]}))
    with pytest.raises(ValueError, match="row 1"):
        mtmatch.classify(["73G", "73Q"])


def test_classify_hsd_file(tree):
    f = mtmatch.read_hsd(os.path.join(TEST_DATA, "haplogrep-core_HaplogroupTest.hsd"))
    results = {c.id: c.haplogroup for c in mtmatch.classify(f)}
    assert results["core_testH"] == "H"
    assert results["core_testHV"] == "HV"


def test_compare_with_tree(tree):
    a = mtmatch.Profile.parse(B5A, range="16024-576")
    b = mtmatch.Profile.parse(F1A1, range="16024-576")
    plain = mtmatch.compare(a, b)
    assert plain.weighted_differences == 0.0 and plain.haplogroup_a == ""
    c = mtmatch.compare(a, b, tree)
    assert c.differences == plain.differences
    assert 0 < c.weighted_differences < c.differences
    assert (c.haplogroup_a, c.haplogroup_b) == ("B5a", "F1a1")
    assert c.discordant and c.discordant_sites >= 2
    same = mtmatch.compare(a, mtmatch.Profile.parse(B5A + " 16519C", range="16024-576"), tree)
    assert same.differences == 1 and same.weighted_differences == 0.0 and not same.discordant
    with pytest.raises(ValueError, match="diagnostic_weight"):
        mtmatch.compare(a, b, tree, diagnostic_weight=12)


def test_cli_classify(tmp_path):
    import subprocess
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(mtmatch._core.__file__))))
    cli = os.path.join(build, "bin", "mtmatch")
    if not os.path.exists(cli):
        pytest.skip("the mtmatch tool is not built next to the module")
    out = tmp_path / "out.tsv"
    run = subprocess.run([cli, "classify", os.path.join(TEST_DATA, "haplogrep-core_HaplogroupTest.hsd"), "-o", str(out),
                          "--hits", "2"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "22 of 22 records classified on phylotree-rcrs@17.3" in run.stderr
    table = pd.read_csv(out, sep="\t")
    assert list(table.columns[:5]) == ["SampleID", "Haplogroup", "Rank", "Quality", "Range"]
    assert {"Not_Found_Polys", "Remaining_Polys"} <= set(table.columns)
    assert len(table) == 44 and set(table["Rank"]) == {1, 2}
    best = table[table["Rank"] == 1].set_index("SampleID")
    assert best.loc["core_testHV", "Haplogroup"] == "HV"
    bad = tmp_path / "bad.hsd"
    bad.write_text("s1\t1-16569\t?\t73G\t263Q\n")
    run = subprocess.run([cli, "classify", str(bad)], capture_output=True, text=True)
    assert run.returncode != 0
    assert "bad.hsd:1:" in run.stderr and "263Q" in run.stderr
