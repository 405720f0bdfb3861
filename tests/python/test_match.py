"""mtmatch.match against mtmatch.compare(a, b, tree) on every pair of a small set."""

import os
import subprocess
import threading

import numpy as np
import pandas as pd
import pytest

import mtmatch
from conftest import DATA_DIR

EXAMPLE = os.path.join(DATA_DIR, "example")


@pytest.fixture(scope="module")
def sides():
    remains = mtmatch.read_hsd(os.path.join(EXAMPLE, "remains.hsd"))
    relatives = mtmatch.read_hsd(os.path.join(EXAMPLE, "relatives.hsd"))
    assert remains.ok and relatives.ok
    # A small set: every pair goes through the reference; duplicates make ties by input order.
    a = list(remains.profiles)[:36]
    b = list(relatives.profiles)[:150]
    b = b + b[:20:3]
    return a, b


@pytest.fixture(scope="module")
def oracle(sides):
    a, b = sides
    tree = mtmatch.Tree.phylotree17()
    return [[mtmatch.compare(x, y, tree) for y in b] for x in a]


def expected_rows(oracle, k, top):
    rows = []
    for i, per in enumerate(oracle):
        cand = [(c.differences, c.weighted_differences, -c.compared_length, j, c) for j, c in enumerate(per)
                if c.verdict != "no_overlap" and (k is None or c.differences <= k)]
        if top is not None:
            cand.sort(key=lambda t: t[:4])
            cand = cand[:top]
        rows += [(i, j, c) for _, _, _, j, c in cand]
    return rows


def check(result, rows):
    assert len(result) == len(rows)
    for n, (i, j, c) in enumerate(rows):
        assert (result.remains[n], result.relative[n]) == (i, j), n
        assert result.differences[n] == c.differences
        assert result.compared_length[n] == c.compared_length
        assert result.verdict[n] == c.verdict
        assert result.weighted_differences[n] == c.weighted_differences
        assert result.haplogroup_a[n] == c.haplogroup_a
        assert result.haplogroup_b[n] == c.haplogroup_b
        assert bool(result.discordant[n]) == c.discordant
        assert result.discordant_sites[n] == c.discordant_sites


@pytest.mark.parametrize("k", [0, 2, 4])
def test_threshold_equals_compare(sides, oracle, k):
    a, b = sides
    m = mtmatch.match(a, b, max_differences=k)
    assert m.scored and not m.cancelled
    assert m.isa == mtmatch.active_isa()
    check(m, expected_rows(oracle, k, None))
    assert m.remains.dtype == np.uint32 and m.differences.dtype == np.uint16
    assert m.weighted_differences.dtype == np.float64


@pytest.mark.parametrize("k,top", [(None, 1), (None, 4), (2, 3), (5, 6)])
def test_top_k_orders_by_weighted_differences(sides, oracle, k, top):
    a, b = sides
    m = mtmatch.match(a, b, max_differences=k, top_k=top, threads=2)
    check(m, expected_rows(oracle, k, top))


def test_every_isa_gives_the_same(sides):
    a, b = sides
    first = None
    for isa in mtmatch.supported_isas():
        m = mtmatch.match(a, b, max_differences=3, isa=isa, fast_search=isa != "scalar")
        assert m.isa == isa
        cols = {k: v for k, v in m.columns().items()}
        if first is None:
            first = cols
            continue
        for name, col in cols.items():
            assert np.array_equal(col, first[name]), name
    assert mtmatch.active_isa() in mtmatch.supported_isas()


def test_without_scores_and_counts(sides, oracle):
    a, b = sides
    m = mtmatch.match(a, b, max_differences=2, scores=False)
    assert not m.scored and m.weighted_differences is None and m.haplogroup_a is None
    rows = expected_rows(oracle, 2, None)
    assert [(int(i), int(j)) for i, j in zip(m.remains, m.relative)] == [(i, j) for i, j, _ in rows]
    c = mtmatch.match(a, b, max_differences=3, counts=True)
    assert c.counts.shape == (len(a), 4)
    want = np.zeros((len(a), 4), dtype=np.int64)
    for i, per in enumerate(oracle):
        for x in per:
            if x.verdict != "no_overlap" and x.differences <= 3:
                want[i, x.differences] += 1
    assert np.array_equal(c.counts, want)
    # the engine's counters: pairs that pass the bound, of which some needed settling per site
    st = c.stats
    assert st["kernel_pairs"] <= st["distinct_pairs"]
    assert 0 < st["candidates"] <= st["kernel_pairs"]
    assert st["reference_calls"] <= st["settled"] <= st["candidates"]
    frame = c.to_pandas()
    assert list(frame.columns) == ["remains_id", "differences_0", "differences_1", "differences_2", "differences_3"]


def test_inputs_and_pandas(sides):
    a, b = sides
    files = mtmatch.read_hsd(os.path.join(EXAMPLE, "remains.hsd")), mtmatch.read_hsd(os.path.join(EXAMPLE, "relatives.hsd"))
    from_files = mtmatch.match(*files, max_differences=1, top_k=2)
    from_lists = mtmatch.match(list(files[0].profiles), list(files[1].profiles), max_differences=1, top_k=2)
    assert np.array_equal(from_files.relative, from_lists.relative)
    frame_in = pd.DataFrame({"ID": [p.id for p in a], "Range": [p.range for p in a], "Variants": [p.canonical() for p in a]})
    from_frame = mtmatch.match(frame_in, b, max_differences=2)
    from_profiles = mtmatch.match(a, b, max_differences=2)
    assert np.array_equal(from_frame.relative, from_profiles.relative)
    assert list(from_frame.remains_id) == list(from_profiles.remains_id)
    df = from_profiles.to_pandas()
    assert list(df.columns[:9]) == ["remains_id", "relative_id", "compared_length", "differences", "verdict",
                                    "weighted_differences", "haplogroup_a", "haplogroup_b", "discordant"]
    assert len(df) == len(from_profiles)
    assert set(df["verdict"].astype(str)) <= {"match", "inconclusive", "exclusion"}
    assert (df["remains_id"] == [a[i].id for i in from_profiles.remains]).all()


def test_errors(sides):
    a, b = sides
    with pytest.raises(ValueError, match="max_differences, top_k"):
        mtmatch.match(a, b, max_differences=None)
    with pytest.raises(ValueError, match="diagnostic_weight"):
        mtmatch.match(a, b, diagnostic_weight=20)
    with pytest.raises(ValueError):
        mtmatch.match(a, b, isa="sse9")
    with pytest.raises(TypeError):
        mtmatch.match(["16223T"], b)
    empty = mtmatch.match([], b)
    assert len(empty) == 0 and empty.to_pandas().empty


def test_gil_is_released():
    remains = list(mtmatch.read_hsd(os.path.join(EXAMPLE, "remains.hsd")).profiles)
    relatives = list(mtmatch.read_hsd(os.path.join(EXAMPLE, "relatives.hsd")).profiles)
    ticks = 0
    done = threading.Event()

    def work():
        for _ in range(3):
            mtmatch.match(remains, relatives, max_differences=3, threads=1)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
    t.join()
    # With the GIL held for the whole run the loop would barely turn.
    assert ticks > 1000


def test_dense_codes_and_kernel():
    """The peers benchmark's kernel binding: distances equal numpy's popcount of masked XOR."""
    remains = list(mtmatch.read_hsd(os.path.join(EXAMPLE, "remains.hsd")).profiles)[:50]
    relatives = list(mtmatch.read_hsd(os.path.join(EXAMPLE, "relatives.hsd")).profiles)
    codes = mtmatch._core._dense_codes(remains, relatives, 1024)
    qa, qb, mask = codes["remains"], codes["relatives"], codes["mask"]
    assert qa.shape == (50, 16) and qb.shape == (len(relatives), 16) and mask.shape == (16,)
    x = (qa[:, None, :] ^ qb[None, :, :]) & mask
    want = np.unpackbits(x.view(np.uint8), axis=-1).sum(axis=-1)
    index = mtmatch._core._DenseCodes(qb)
    for isa in mtmatch.supported_isas():
        got = index.distances(qa, mask=mask, isa=isa)
        assert np.array_equal(got, want), isa
        dist, idx = index.nearest(qa, mask=mask, isa=isa, threads=2)
        assert np.array_equal(dist, want.min(axis=1))
        assert np.array_equal(idx, want.argmin(axis=1))
        assert np.array_equal(index.count_within(qa, 3, mask=mask, isa=isa, threads=2), (want <= 3).sum(axis=1))
    with pytest.raises(TypeError):
        mtmatch._core._DenseCodes(qb.astype(np.int64))  # no silent conversion


def test_cli_match_equals_python(tmp_path):
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(mtmatch._core.__file__))))
    cli = os.path.join(build, "bin", "mtmatch")
    if not os.path.exists(cli):
        pytest.skip("the mtmatch tool is not built next to the module")
    out = tmp_path / "m.tsv"
    r, q = os.path.join(EXAMPLE, "remains.hsd"), os.path.join(EXAMPLE, "relatives.hsd")
    run = subprocess.run([cli, "match", "--remains", r, "--relatives", q, "--top", "3", "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "\r" not in run.stderr  # no progress bar when stderr is not a terminal
    table = pd.read_csv(out, sep="\t", keep_default_na=False)
    py = mtmatch.match(mtmatch.read_hsd(r), mtmatch.read_hsd(q), top_k=3).to_pandas()
    assert list(table.columns) == list(py.columns[:9])
    assert list(table["relative_id"]) == list(py["relative_id"])
    assert list(table["differences"]) == list(py["differences"])
    assert np.allclose(table["weighted_differences"], py["weighted_differences"], atol=5e-5)
    assert list(table["haplogroup_b"]) == list(py["haplogroup_b"])
    assert list(table["discordant"]) == [int(x) for x in py["discordant"]]
