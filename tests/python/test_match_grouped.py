"""mtmatch.match(group_identical=True): one row per pair of distinct haplotypes, standing for every
pair of their members; expand() gives back what match() returns without grouping."""

import os

import numpy as np
import pytest

import mtmatch
from conftest import DATA_DIR

EXAMPLE = os.path.join(DATA_DIR, "example")


@pytest.fixture(scope="module")
def sides():
    remains = list(mtmatch.read_hsd(os.path.join(EXAMPLE, "remains.hsd")).profiles)
    relatives = list(mtmatch.read_hsd(os.path.join(EXAMPLE, "relatives.hsd")).profiles)
    # identical profiles on both sides, so that haplotypes have several members
    return remains + remains[:15], relatives + relatives[:40:2]


@pytest.mark.parametrize("scores", [True, False])
def test_grouped_expands_to_the_ungrouped_result(sides, scores):
    a, b = sides
    plain = mtmatch.match(a, b, max_differences=2, scores=scores)
    grouped = mtmatch.match(a, b, max_differences=2, scores=scores, group_identical=True)
    assert grouped.grouped and not plain.grouped
    assert grouped.profile_pairs == len(plain)
    assert len(grouped) < len(plain)
    columns = grouped.columns()
    assert (columns["remains_count"] * columns["relative_count"]).sum() == len(plain)
    expanded = grouped.expand()
    for name in ("remains", "relative", "differences", "compared_length", "verdict", "remains_id", "relative_id"):
        np.testing.assert_array_equal(getattr(expanded, name), getattr(plain, name), err_msg=name)
    if scores:
        for name in ("weighted_differences", "discordant", "discordant_sites", "haplogroup_a", "haplogroup_b"):
            np.testing.assert_array_equal(getattr(expanded, name), getattr(plain, name), err_msg=name)
    # every member of a row's haplotypes is the same profile
    for i in range(len(grouped)):
        ids = {a[m].canonical() for m in grouped.members_of_remains(int(grouped.remains[i]))}
        assert len(ids) == 1
        assert grouped.remains_id[i] == a[int(grouped.members_of_remains(int(grouped.remains[i]))[0])].id


def test_grouped_needs_a_threshold_query(sides):
    a, b = sides
    with pytest.raises(ValueError, match="group_identical"):
        mtmatch.match(a, b, max_differences=2, top_k=3, group_identical=True)
    with pytest.raises(ValueError, match="group_identical"):
        mtmatch.match(a, b, max_differences=2, counts=True, group_identical=True)
