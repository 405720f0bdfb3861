import random

import pytest

import mtmatch


EQUIVALENT = [
    ("302.1C", "309.1C"),
    ("303.1C 315.1C", "309.1C 315.1C"),
    ("310.1C", "315.1C"),
    ("248d", "249d"),
    ("514-515d", "523-524d"),
    ("522d 523d", "523d 524d"),
    ("8272-8280d", "8281-8289d"),
    ("513.1CA", "524.1AC"),
    ("568.1C", "573.1C"),
    ("309T 310C", "309d 315.1C"),
    ("16183C 16188T 16189C 16193.1C", "16183d 16193.1C 16193.2C"),
]


@pytest.mark.parametrize("a,b", EQUIVALENT)
def test_equivalent_spellings_have_one_canonical_form(a, b):
    pa = mtmatch.Profile.parse(a)
    pb = mtmatch.Profile.parse(b)
    assert pa.canonical() == pb.canonical()
    assert pa == pb
    assert mtmatch.compare(pa, pb).differences == 0


def test_parse_render_parse_is_identity():
    p = mtmatch.Profile.parse("16223t, 16093Y 73G\t263G 302.1CC 315+C 8281-8289d 16519C", range="1-16569", id="R1")
    again = mtmatch.Profile.parse(p.canonical(), range=p.range, id="R1")
    assert again == p
    assert p.id == "R1"
    assert p.range == "1-16569"
    assert [str(v) for v in p.variants][:2] == ["73G", "263G"]
    kinds = {v.kind for v in p.variants}
    assert kinds == {"substitution", "deletion", "insertion"}
    assert any(v.is_heteroplasmy for v in p.variants)


def test_ranges_wrap_and_missing_positions_narrow():
    p = mtmatch.Profile.parse("16223T 16300N 73G", range="16024-576")
    assert p.covered_length == 546 + 576 - 1
    assert "16300" not in p.range.split(";")[0] or p.range.count(";") == 2


@pytest.mark.parametrize(
    "text,rng,fragment",
    [
        ("73A", "1-16569", "73A: rCRS already has A at 73"),
        ("16570T", "1-16569", "16570T: position outside 1-16569"),
        ("16223T 300G", "16024-16365", "300G: outside the profile's range 16024-16365"),
        ("hello", "1-16569", "hello: not a variant"),
    ],
)
def test_bad_input_raises_value_error_naming_column_and_token(text, rng, fragment):
    with pytest.raises(ValueError) as info:
        mtmatch.Profile.parse(text, range=rng)
    message = str(info.value)
    assert fragment in message
    assert "column" in message


def test_compare_counts_events_and_reports_heteroplasmy():
    a = mtmatch.Profile.parse("16093Y 16223T 73G 263G 8281-8289d")
    b = mtmatch.Profile.parse("16093C 16223T 73G 263G")
    c = mtmatch.compare(a, b)
    assert c.differences == 1  # the 9-bp deletion is one event; 16093Y vs C is compatible
    assert c.verdict == "inconclusive"
    assert c.compared_length == 16568  # 3107 is never compared
    assert [d.kind for d in c.ignored] == ["heteroplasmy_compatible"]
    literal = mtmatch.compare(a, b, pattern_match_heteroplasmy=False)
    assert literal.differences == 2 and literal.verdict == "exclusion"


def test_compare_over_common_range_and_no_overlap():
    remains = mtmatch.Profile.parse("16223T 16362C", range="16024-16365")
    relative = mtmatch.Profile.parse("16223T 16362C 73G 263G 489C", range="16024-576")
    c = mtmatch.compare(remains, relative)
    assert (c.differences, c.verdict, c.compared_length) == (0, "match", 342)
    far = mtmatch.Profile.parse("8860G", range="8000-9000")
    assert mtmatch.compare(remains, far).verdict == "no_overlap"


def test_length_variants_are_ignored_by_default_and_counted_on_request():
    a = mtmatch.Profile.parse("73G 263G 309.1C 315.1C")
    b = mtmatch.Profile.parse("73G 263G 315.1C")
    assert mtmatch.compare(a, b).differences == 0
    assert mtmatch.compare(a, b, ignore_length_variants=False).differences == 1


def test_read_hsd_collects_errors_and_keeps_good_records(tmp_path):
    path = tmp_path / "x.hsd"
    path.write_text(
        "SampleId\tRange\tHaplogroup\tPolymorphisms\n"
        "A\t16024-576\t?\t16223T\t73G\n"
        "B\t16024-576\t?\t73A\n"
        "C\t16024-576\t?\t16519C\t302.1C\n"
    )
    f = mtmatch.read_hsd(str(path))
    assert [p.id for p in f.profiles] == ["A", "C"]
    assert f.profiles[1].canonical() == "309.1C 16519C" or "309.1C" in f.profiles[1].canonical()
    assert f.rejected == [(3, "B")]
    assert len(f.errors) == 1
    err = f.errors[0]
    assert (err["line"], err["column"], err["token"]) == (3, 15, "73A")
    assert err["message"].startswith(f"{path}:3:15: 73A: ")
    with pytest.raises(ValueError, match="73A"):
        mtmatch.read_hsd(str(path), strict=True)


def test_random_substitutions_round_trip():
    rng = random.Random(5)
    ref = mtmatch.rcrs()
    for _ in range(200):
        sites = rng.sample(range(16024, 16366), 8)
        tokens = []
        for s in sites:
            base = rng.choice([b for b in "ACGT" if b != ref[s - 1]])
            tokens.append(f"{s}{base}")
        p = mtmatch.Profile.parse(" ".join(tokens), range="16024-16365")
        assert sorted(str(v) for v in p.variants) == sorted(tokens)
