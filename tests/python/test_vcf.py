"""mtmatch.read_vcf / read_profiles from Python, and control-region classification against a HaploGrep 2
emulator that reproduces HaploGrep's published calls on the 1000 Genomes data."""
import csv
import gzip
import os
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse

import mtmatch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TEST_DATA = os.path.join(ROOT, "tests", "data")
VCF = os.path.join(TEST_DATA, "vcf")
TREE = os.path.join(ROOT, "data", "phylotree17")
THOUSAND_GENOMES = os.path.join(VCF, "ALL.chrMT.phase3_callmom-v0_4.20130502.genotypes.vcf.gz")


def test_read_vcf_matches_haplogreps_hsd():
    hsd = mtmatch.read_hsd(os.path.join(VCF, "H100.hsd"))
    for name in ("H100.vcf", "H100.vcf.gz"):
        f = mtmatch.read_vcf(os.path.join(VCF, name))
        assert f.ok and f.records == 1 and len(f) == 1
        assert f.profiles[0] == hsd.profiles[0]
        assert f.profiles[0].id == "Sample1"


def test_errors_name_file_line_column_and_token():
    path = os.path.join(VCF, "H100_complex.vcf")
    f = mtmatch.read_vcf(path)
    assert not f.ok and len(f) == 0
    assert [(e["line"], e["column"], e["token"]) for e in f.errors] == [(10, 4, "16570"), (21, 12, "A")]
    assert "does not match the rCRS" in f.errors[1]["reason"]
    assert f.rejected == [(10, "Sample1")]
    with pytest.raises(ValueError, match="16570"):
        mtmatch.read_vcf(path, strict=True)
    with pytest.raises(ValueError):
        mtmatch.read_vcf(os.path.join(VCF, "1000Gdel.vcf"))  # htslib cannot read its header


def test_options_samples_range_and_heteroplasmy():
    f = mtmatch.read_vcf(THOUSAND_GENOMES, samples=["HG01595", "HG00096"], range="16024-576")
    assert [p.id for p in f] == ["HG01595", "HG00096"]
    assert all(p.range == "1-576;16024-16569" for p in f)
    assert "16519C" in f.profiles[1].canonical() and "750G" not in f.profiles[1].canonical()
    # NA20877 has levels in FORMAT HP: 73 is G at 95.9 %.
    for name in ("NA20877.vcf", "NA20877.bcf"):
        mixed = mtmatch.read_vcf(os.path.join(VCF, name))
        assert "73R" in mixed.profiles[0].canonical().split()
        major = mtmatch.read_vcf(os.path.join(VCF, name), min_heteroplasmy=0.05)
        assert "73G" in major.profiles[0].canonical().split()
    with pytest.raises(ValueError):
        mtmatch.read_vcf(THOUSAND_GENOMES, min_heteroplasmy=2.0)


def test_read_profiles_picks_the_reader(tmp_path):
    vcf = mtmatch.read_profiles(os.path.join(VCF, "H100.vcf"))
    hsd = mtmatch.read_profiles(os.path.join(VCF, "H100.hsd"))
    assert vcf.profiles == hsd.profiles
    table = tmp_path / "x.csv"
    table.write_text("id,range,variants\nSample1,1-16569," + hsd.profiles[0].canonical() + "\n")
    assert mtmatch.read_profiles(str(table)).profiles == hsd.profiles
    with pytest.raises(ValueError):
        mtmatch.read_profiles(os.path.join(VCF, "H100.hsd"), format="vcf")
    with pytest.raises(ValueError):
        mtmatch.read_profiles(os.path.join(VCF, "H100.hsd"), format="fasta")


# --- A HaploGrep 2 emulator ------------------------------------------------------------------------
#
# HaploGrep 2 as haplogrep-core does it: a haplogroup expects the polys written on its path from the
# rCRS root of tree.xml (`X!` takes X out again, a later substitution at a site does not replace an
# earlier one); a sample has the polys haplogrep-core's VcfImporter writes for each record (ALT vs
# REF base by base, a shorter ALT deletes the bases after it, a longer one inserts `POS.1…`, `*` a
# deletion); hotspots are left out; insertions match by position only; weights from weights.txt;
# the best weighted Kulczynski wins, ties going to the first haplogroup in the file. Sums are exact
# (weights have one decimal), as they are when HaploGrep adds the same weights along one path.


def _insertion_free_key(poly):
    m = re.match(r"^(\d+)\.(\d+|X)\w+$", poly)
    return m.group(1) + ".ins" if m else poly


def _position(poly):
    return int(re.match(r"\d+", poly).group())


class HaploGrep2:
    def __init__(self):
        self.weights = {}
        with open(os.path.join(TREE, "weights.txt")) as f:
            for line in f:
                fields = line.split("\t")
                if len(fields) > 1:
                    self.weights[fields[0].strip()] = float(fields[1])
        with open(os.path.join(TREE, "hotspots.txt")) as f:
            self.hotspots = {s.strip() for s in f if s.strip() and not s.startswith("#")}
        # phylotree-rcrs-17 misnames the three basal nodes (data/README.md); HaploGrep's own copy does not.
        renamed = {"L1'2'3'4'5'6": "mt-MRCA", "L2'3'4'5'6": "L1'2'3'4'5'6", "L2'3'4'6+": "L2'3'4'5'6"}
        self.names, self.expected = [], []

        def walk(node, expected):
            for child in node.findall("haplogroup"):
                polys = list(expected)
                for element in child.findall("details/poly"):
                    p = element.text.strip()
                    if p.endswith("!"):
                        if p.rstrip("!") in polys:
                            polys.remove(p.rstrip("!"))
                    else:
                        polys.append(p)
                self.names.append(renamed.get(child.get("name"), child.get("name")))
                self.expected.append(polys)
                walk(child, polys)

        walk(ET.parse(os.path.join(TREE, "tree.xml")).getroot(), [])
        self.columns = {}
        for polys in self.expected:
            for p in polys:
                self.columns.setdefault(_insertion_free_key(p), len(self.columns))

    def matrix(self, keep):
        """Weights of the expected polys (rows: haplogroups, columns: poly identities) inside a range."""
        rows, cols, vals = [], [], []
        for i, polys in enumerate(self.expected):
            for p in polys:
                if keep(_position(p)):
                    rows.append(i)
                    cols.append(self.columns[_insertion_free_key(p)])
                    vals.append(round(self.weights.get(p, 0.0) * 10))  # tenths: exact integers
        m = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(len(self.names), len(self.columns)), dtype=np.int64)
        return m, np.asarray(m.sum(axis=1)).ravel()

    @staticmethod
    def sample_polys(pos, ref, alt):
        if alt == "*":
            return [f"{pos}d"]
        if len(alt) == len(ref):
            return [f"{pos + i}{b}" for i, (a, b) in enumerate(zip(ref, alt)) if a != b]
        if len(ref) > len(alt):
            return [f"{pos + len(alt) + i}d" for i in range(len(ref) - len(alt))]
        return [f"{pos}.1{alt[1:] if len(ref) == 1 else alt[:len(alt) - len(ref)]}"]

    def classify(self, polys, matrix, keep):
        m, expected = matrix
        sample = [p for p in polys if p not in self.hotspots and keep(_position(p))]
        s = sum(round(self.weights.get(p, 0.0) * 10) for p in sample)
        x = np.zeros(len(self.columns), dtype=np.int64)
        for p in sample:
            column = self.columns.get(_insertion_free_key(p))
            if column is not None:
                x[column] = 1
        found = m @ x
        approx = 0.5 * found / max(s, 1) * (s > 0) + np.where(expected > 0, 0.5 * found / np.maximum(expected, 1), 0.5)
        best, best_score = None, None
        for i in np.nonzero(approx >= approx.max() - 1e-9)[0]:  # exact among the near-best, file order
            f, e = Fraction(int(found[i])), Fraction(int(expected[i]))
            score = (f / s if s else 0) / 2 + (f / e if e else 1) / 2
            if best_score is None or score > best_score:
                best, best_score = i, score
        return self.names[best], float(best_score)


def _read_1000g_calls():
    with gzip.open(THOUSAND_GENOMES, "rt") as f:
        records = []
        for line in f:
            if line.startswith("##"):
                continue
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "#CHROM":
                samples = fields[9:]
                continue
            records.append((int(fields[1]), fields[3], fields[4].split(","), fields[9:]))
    polys = {}
    for i, sample in enumerate(samples):
        out = []
        for pos, ref, alts, genotypes in records:
            if genotypes[i] not in ("0", "."):
                out += HaploGrep2.sample_polys(pos, ref, alts[int(genotypes[i]) - 1])
        polys[sample] = out
    return polys


@pytest.fixture(scope="module")
def haplogrep_run():
    with open(os.path.join(TEST_DATA, "haplocheck_1000g_haplogroups.csv")) as f:
        truth = {r["SampleID"]: r for r in csv.DictReader(f) if r["HG calmom"] != "not included"}
    return HaploGrep2(), _read_1000g_calls(), truth


def test_emulator_reproduces_haplogreps_published_calls(haplogrep_run):
    emulator, polys, truth = haplogrep_run
    whole = lambda p: True
    matrix = emulator.matrix(whole)
    same = same_quality = 0
    for sample, t in truth.items():
        name, quality = emulator.classify(polys[sample], matrix, whole)
        same += name == t["HG calmom"]
        same_quality += name == t["HG calmom"] and abs(round(quality, 4) - float(t["Quality calmom"])) < 1.5e-4
    assert len(truth) == 2503
    assert same == 2503 and same_quality == 2503


def test_control_regions_agree_with_haplogrep_on_the_control_region(haplogrep_run):
    """mtmatch on control regions vs HaploGrep 2 on the same control regions (emulated; measured 99.1 %).

    The remaining differences: HaploGrep keeps both substitutions of a site hit twice on a path
    (16266A then 16266T) where mtmatch keeps the later; the canonical form rewrites some indel motifs
    (M39's 55.1T 59d 60d 65.1T 66T) so that partial matches in samples no longer line up by
    position; HaploGrep's VCF import puts some deletions off their place (308 CCTCCCC>CTCCCC as 314d).
    """
    emulator, polys, truth = haplogrep_run
    in_cr = lambda p: p >= 16024 or p <= 576
    matrix = emulator.matrix(in_cr)
    f = mtmatch.read_vcf(THOUSAND_GENOMES, samples=list(truth), range="16024-576")
    assert f.ok and len(f) == len(truth)
    ours = {c.id: c.haplogroup for c in mtmatch.classify(f, hits=1, details=False)}
    agree = {"all": [0, 0], "EAS": [0, 0], "KHV": [0, 0]}
    for sample, t in truth.items():
        name, _ = emulator.classify(polys[sample], matrix, in_cr)
        for group in ("all", t["super_pop"], t["pop"]):
            if group in agree:
                agree[group][0] += name == ours[sample]
                agree[group][1] += 1
    rate = {g: a / n for g, (a, n) in agree.items()}
    print("control regions, mtmatch vs emulated HaploGrep 2:", {g: f"{a}/{n}" for g, (a, n) in agree.items()})
    assert rate["all"] >= 0.985
    assert rate["EAS"] >= 0.99
    assert rate["KHV"] >= 0.985
