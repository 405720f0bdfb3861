import pytest

import mtmatch


def _fasta_bases(path):
    with open(path) as f:
        return "".join(line.strip().upper() for line in f if not line.startswith(">"))


def test_rcrs_is_the_bundled_fasta():
    import conftest
    seq = mtmatch.rcrs()
    assert len(seq) == mtmatch.RCRS_LENGTH == 16569
    assert seq == _fasta_bases(f"{conftest.DATA_DIR}/rCRS.fasta")


@pytest.mark.parametrize("position,base", [(73, "A"), (263, "A"), (310, "T"), (3107, "N"), (16519, "T")])
def test_known_bases(position, base):
    assert mtmatch.rcrs()[position - 1] == base
    assert mtmatch.rcrs_base(position) == base


@pytest.mark.parametrize("position", [0, -1, 16570])
def test_bounds(position):
    with pytest.raises(ValueError, match="outside 1-16569"):
        mtmatch.rcrs_base(position)
