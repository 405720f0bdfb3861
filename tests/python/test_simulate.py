import csv
import filecmp
import os

import pytest
from scipy import stats

import mtmatch

FILES = [
    "remains.hsd",
    "relatives.hsd",
    "martyrs.csv",
    "remains.csv",
    "relatives.csv",
    os.path.join("truth", "remains.csv"),
    os.path.join("truth", "relatives.csv"),
    os.path.join("truth", "martyrs.hsd"),
    os.path.join("truth", "families.csv"),
]

MATERNAL = {"mother", "maternal_grandmother", "sibling", "mother_sibling", "mother_sister_child",
            "sister_child", "child_of_woman_martyr"}
NON_MATERNAL = {"father", "father_sibling", "brother_child", "mother_brother_child", "child_of_man_martyr"}


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    """A small set with many pedigree mutations, length changes and artefacts."""
    out = tmp_path_factory.mktemp("busy")
    summary = mtmatch.simulate(out, seed=5, martyrs=300, mutation_rate=0.5, length_change_rate=0.3,
                               artefacts=0.4, missing_stretches=0.4, family_sampled=1.0, extra_samples=2.0)
    return out, summary


def test_same_seed_gives_byte_identical_files(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    mtmatch.simulate(a, seed=42, martyrs=120)
    mtmatch.simulate(b, seed=42, martyrs=120)
    mtmatch.simulate(c, seed=43, martyrs=120)
    for name in FILES:
        assert filecmp.cmp(a / name, b / name, shallow=False), name
    assert not filecmp.cmp(a / "truth" / "martyrs.hsd", c / "truth" / "martyrs.hsd", shallow=False)


def test_outputs_parse_with_the_project_parsers(busy):
    out, s = busy
    remains = mtmatch.read_hsd(str(out / "remains.hsd"))
    relatives = mtmatch.read_hsd(str(out / "relatives.hsd"))
    truth = mtmatch.read_hsd(str(out / "truth" / "martyrs.hsd"))
    for f in (remains, relatives, truth):
        assert f.ok, f.errors[:3]
        assert not f.rejected
    assert len(remains) == s["remains"]
    assert len(relatives) == s["relative_profiles"]
    assert len(truth) == s["martyrs"] == 300
    assert len(rows(out / "martyrs.csv")) == 300
    assert len(rows(out / "remains.csv")) == s["remains"]
    assert len(rows(out / "relatives.csv")) == s["relatives_listed"]
    # Every sampled relative's sample is in relatives.hsd; every remains row has its profile.
    sample_ids = {p.id for p in relatives}
    listed = rows(out / "relatives.csv")
    assert {r["sample_id"] for r in listed if r["sample_id"]} == sample_ids
    assert {r["remains_id"] for r in rows(out / "remains.csv")} == {p.id for p in remains}
    # Both kinds of unmatched cases occur.
    assert s["remains_without_family"] > 0
    assert s["families_sampled_no_remains"] > 0
    assert s["remains_unregistered"] >= 0


def test_registry_flags_non_maternal_relatives(busy):
    out, s = busy
    listed = rows(out / "relatives.csv")
    seen = set()
    for r in listed:
        seen.add(r["relationship"])
        if r["relationship"] in NON_MATERNAL:
            assert r["maternal"] == "0" and r["transmissions"] == ""
        else:
            assert r["relationship"] in MATERNAL
            assert r["maternal"] == "1" and 1 <= int(r["transmissions"]) <= 4
    assert s["nonmaternal_profiles"] > 0
    assert {"mother", "maternal_grandmother", "sibling", "sister_child"} <= seen


def test_relatives_differ_from_the_martyr_by_exactly_the_recorded_mutations(busy):
    out, _ = busy
    martyrs = {p.id: p for p in mtmatch.read_hsd(str(out / "truth" / "martyrs.hsd"))}
    relatives = {p.id: p for p in mtmatch.read_hsd(str(out / "relatives.hsd"))}
    checked = counted_total = 0
    for row in rows(out / "truth" / "relatives.csv"):
        if row["relationship"] not in MATERNAL:
            assert row["differences"] == ""
            continue
        seen = relatives[row["relative_id"]]
        changes = mtmatch.parse_site_changes(row["differences"]) + mtmatch.parse_site_changes(row["artefacts"])
        visible = [c for c in changes if c.visible_in(seen.range)]
        c = mtmatch.compare(martyrs[row["martyr_id"]], seen)
        counted = [x for x in visible if x.kind == "difference"]
        assert c.differences == len(counted), (row, str(c.differing))
        assert sorted(d.position for d in c.ignored if d.kind == "heteroplasmy_compatible") == \
            pytest.approx(sorted(x.position for x in visible if x.kind == "heteroplasmy_compatible"), abs=6)
        assert len([d for d in c.ignored if d.kind == "length_variant"]) == \
            len([x for x in visible if x.kind == "length_variant"])
        counted_total += len(counted)
        checked += 1
    assert checked > 300 and counted_total > 50


def test_remains_differ_from_their_martyr_by_their_artefacts_only(busy):
    out, _ = busy
    martyrs = {p.id: p for p in mtmatch.read_hsd(str(out / "truth" / "martyrs.hsd"))}
    remains = {p.id: p for p in mtmatch.read_hsd(str(out / "remains.hsd"))}
    artefacts = 0
    for row in rows(out / "truth" / "remains.csv"):
        if not row["martyr_id"]:
            continue
        seen = remains[row["remains_id"]]
        changes = [x for x in mtmatch.parse_site_changes(row["artefacts"]) if x.visible_in(seen.range)]
        c = mtmatch.compare(martyrs[row["martyr_id"]], seen)
        assert c.differences == len([x for x in changes if x.kind == "difference"]), row
        artefacts += len(changes)
    assert artefacts > 10


def test_haplogroup_frequencies_match_the_table():
    table = mtmatch.population_table()
    assert sum(r["percent"] for r in table) == pytest.approx(100.0)
    n = 20000
    founders = mtmatch.simulate_founders(n, seed=3)
    counts = {r["haplogroup"]: 0 for r in table}
    for f in founders:
        counts[f["row"]] += 1
    observed = [counts[r["haplogroup"]] for r in table]
    expected = [n * r["percent"] / 100 for r in table]
    chi2, p = stats.chisquare(observed, expected)
    assert p > 1e-3, (chi2, p)
    # Class totals (DOMAIN.md section 6 composite prior) within 4 binomial standard deviations.
    by_class = {}
    for r, k in zip(table, observed):
        by_class.setdefault(r["class"], [0, 0.0])
        by_class[r["class"]][0] += k
        by_class[r["class"]][1] += r["percent"] / 100
    for name, (k, share) in by_class.items():
        assert abs(k - n * share) <= 4 * (n * share * (1 - share)) ** 0.5 + 1, name


def test_notation_variety_changes_the_text_never_the_profiles(tmp_path):
    plain, varied = tmp_path / "plain", tmp_path / "varied"
    mtmatch.simulate(plain, seed=9, martyrs=150, notation_variety=0.0, missing_stretches=0.5)
    mtmatch.simulate(varied, seed=9, martyrs=150, notation_variety=1.0, missing_stretches=0.5)
    for name in ("remains.hsd", "relatives.hsd"):
        assert (plain / name).read_text() != (varied / name).read_text()
        a = list(mtmatch.read_hsd(str(plain / name)))
        b = list(mtmatch.read_hsd(str(varied / name)))
        assert len(a) == len(b) > 50
        assert a == b


def test_unknown_and_bad_options_are_refused(tmp_path):
    with pytest.raises(TypeError, match="no_such_option"):
        mtmatch.simulate(tmp_path, martyrs=5, no_such_option=1)
    with pytest.raises(ValueError, match="remains_share"):
        mtmatch.simulate(tmp_path, martyrs=5, remains_share=2.0)


def test_province_haplotype_sharing_is_near_the_published_vietnamese_figure(tmp_path):
    """Nguyen et al. 2022: 173 Vietnamese HVS-I/II profiles, 145 haplotypes, RMP 0.96 %."""
    s = mtmatch.simulate(tmp_path, seed=1, martyrs=30000, sharing_province="P01")
    genomes = s["province_genomes"]
    assert len(genomes) > 1500
    hvs = mtmatch.measure_sharing(genomes, "16024-16365;73-340", subsample=173)
    cr = mtmatch.measure_sharing(genomes, "16024-16569;1-576", subsample=173)
    whole = mtmatch.measure_sharing(genomes, "1-16569")
    print("\nP01", len(genomes), "profiles; HVS-I/II", hvs, "\nCR", cr, "\nmitogenome", whole)
    assert 0.6e-2 < hvs["subsample_random_match_probability"] < 1.6e-2
    assert 130 < hvs["subsample_haplotypes"] < 160
    # Common haplotypes are shared by many unrelated families; whole mitogenomes share far less.
    assert hvs["largest_group"] >= 20
    assert whole["random_match_probability"] < cr["random_match_probability"] < hvs["random_match_probability"]


def test_cli_and_python_make_the_same_files(tmp_path):
    import subprocess
    # The CLI sits next to the module in the build tree: <build>/bin/mtmatch, <build>/python/mtmatch.
    cli = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(mtmatch.__file__))), "bin", "mtmatch")
    if not os.path.exists(cli):
        pytest.skip("mtmatch CLI not built next to the Python module")
    done = subprocess.run([cli, "simulate", "--seed", "7", "--martyrs", "60", "--out", str(tmp_path / "cli")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "martyrs                60" in done.stdout
    mtmatch.simulate(tmp_path / "py", seed=7, martyrs=60)
    for name in FILES:
        assert filecmp.cmp(tmp_path / "cli" / name, tmp_path / "py" / name, shallow=False), name
    bad = tmp_path / "bad.tsv"
    bad.write_text("F1a\t60\nB5a\tforty\n")
    done = subprocess.run([cli, "simulate", "--martyrs", "5", "--population", str(bad), "--out", str(tmp_path / "x")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "bad.tsv:2:5: forty" in done.stderr
