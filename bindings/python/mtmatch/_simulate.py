"""Keyword-only facade of the simulator (C++ core: mtmatch._core._simulate_to_directory)."""

from . import _core


def _options(seed, martyrs, population, settings):
    o = _core.SimulateOptions()
    o.seed = int(seed)
    o.martyrs = int(martyrs)
    if population is not None:
        o.population = str(population)
    for name, value in settings.items():
        if name.startswith("_") or not hasattr(o, name) or name in ("validate", "population"):
            raise TypeError(f"simulate() got an unknown option {name!r}")
        if name in ("remains_coverage", "relative_coverage") and isinstance(value, dict):
            value = _core.CoverageMix(**value)
        setattr(o, name, value)
    o.validate()
    return o


def simulate(out, *, seed=1, martyrs=1000, population=None, sharing_province=None, **options):
    """Simulate martyrs, their maternal families, remains and relatives' profiles into directory `out`.

    Writes remains.hsd, relatives.hsd, martyrs.csv, remains.csv, relatives.csv and the ground truth
    (truth/remains.csv, truth/relatives.csv, truth/martyrs.hsd, truth/families.csv). The same seed and
    options give byte-identical files. Any field of SimulateOptions can be given by name, e.g.
    ``mutation_rate=0.07`` or ``relative_coverage={"control_region": 1.0}``.

    Returns a dict of counts; with ``sharing_province="P01"`` also ``"province_genomes"``: the true
    whole-mitogenome Profiles of that province's martyrs (for measure_sharing).

        >>> import mtmatch, tempfile
        >>> s = mtmatch.simulate(tempfile.mkdtemp(), seed=7, martyrs=50)
        >>> s["martyrs"]
        50
    """
    o = _options(seed, martyrs, population, options)
    summary, genomes = _core._simulate_to_directory(o, str(out), sharing_province or "")
    if sharing_province:
        summary["province_genomes"] = genomes
    return summary


def simulate_founders(n, *, seed=1, stream=0, population=None, **options):
    """`n` founders drawn fresh from the population table: dicts with the table row, the PhyloTree 17
    node and the canonical whole-mitogenome variants."""
    o = _options(seed, 0, population, options)
    return _core._simulate_founders(o, int(n), int(stream))
