"""Many-to-many matching: every remains profile against every relative profile.

    >>> import mtmatch
    >>> remains = mtmatch.read_hsd("data/example/remains.hsd")
    >>> relatives = mtmatch.read_hsd("data/example/relatives.hsd")
    >>> m = mtmatch.match(remains, relatives, max_differences=2, top_k=5)
    >>> m.to_pandas().head()          # remains_id relative_id compared_length differences verdict …

Each reported pair carries exactly what ``mtmatch.compare(a, b, tree)`` returns for it; the engine
skips the pairs that provably exceed ``max_differences`` and scores only the pairs it reports.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _core


def _profiles(side: Any, what: str) -> list:
    """A list of Profiles from a list of Profiles, a ProfileFile or a DataFrame (id, range, variants)."""
    if isinstance(side, _core.ProfileFile):
        return list(side.profiles)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a Debian package here
        pd = None
    if pd is not None and isinstance(side, pd.DataFrame):
        from ._classify import _frame_columns, _parse_all
        cols = _frame_columns(side)
        return _parse_all(side[cols["id"]], side[cols["range"]], side[cols["variants"]])
    items = list(side)
    if not all(isinstance(p, _core.Profile) for p in items):
        raise TypeError(f"match: {what} must be a list of Profiles, a ProfileFile or a DataFrame")
    return items


class MatchResult:
    """Reported pairs as numpy columns, in the engine's order (by remains, then relative; top_k: by rank).

    Columns: ``remains`` and ``relative`` (indices into the inputs), ``remains_id``/``relative_id``,
    ``differences``, ``compared_length``, ``verdict``; with ``scores=True`` also
    ``weighted_differences``, ``haplogroup_a``, ``haplogroup_b``, ``discordant``, ``discordant_sites``.
    ``counts`` (counts=True) is a (remains, max_differences + 1) array. ``isa`` names the kernels that
    ran, ``stats`` the engine's counters.
    """

    def __init__(self, raw: dict):
        self.remains: np.ndarray = raw["remains"]
        self.relative: np.ndarray = raw["relative"]
        self.differences: np.ndarray = raw["differences"]
        self.compared_length: np.ndarray = raw["compared_length"]
        names = np.array(raw["verdict_names"])
        self.verdict_code: np.ndarray = raw["verdict_code"]
        self.verdict: np.ndarray = names[self.verdict_code] if len(self.verdict_code) else np.array([], dtype=names.dtype)
        self.remains_ids: list = raw["remains_ids"]
        self.relative_ids: list = raw["relative_ids"]
        ids_a = np.array(self.remains_ids, dtype=object)
        ids_b = np.array(self.relative_ids, dtype=object)
        self.remains_id: np.ndarray = ids_a[self.remains] if len(self.remains) else np.array([], dtype=object)
        self.relative_id: np.ndarray = ids_b[self.relative] if len(self.relative) else np.array([], dtype=object)
        self.scored: bool = raw["scored"]
        if self.scored:
            self.weighted_differences: Optional[np.ndarray] = raw["weighted_differences"]
            self.discordant: Optional[np.ndarray] = raw["discordant"].astype(bool)
            self.discordant_sites: Optional[np.ndarray] = raw["discordant_sites"]
            self.remains_haplogroups: Optional[list] = raw["remains_haplogroups"]
            self.relative_haplogroups: Optional[list] = raw["relative_haplogroups"]
            hg_a = np.array(self.remains_haplogroups, dtype=object)
            hg_b = np.array(self.relative_haplogroups, dtype=object)
            self.haplogroup_a: Optional[np.ndarray] = hg_a[self.remains] if len(self.remains) else np.array([], dtype=object)
            self.haplogroup_b: Optional[np.ndarray] = hg_b[self.relative] if len(self.relative) else np.array([], dtype=object)
            self.tree: Optional[str] = raw["tree"]
        else:
            self.weighted_differences = self.discordant = self.discordant_sites = None
            self.remains_haplogroups = self.relative_haplogroups = None
            self.haplogroup_a = self.haplogroup_b = None
            self.tree = None
        width = raw["counts_width"]
        self.counts: Optional[np.ndarray] = raw["counts"].reshape(-1, width) if width else None
        self.cancelled: bool = raw["cancelled"]
        self.isa: str = raw["isa"]
        self.stats: dict = raw["stats"]

    def __len__(self) -> int:
        return len(self.remains)

    def __repr__(self) -> str:
        what = f"{len(self.counts)} count rows" if self.counts is not None else f"{len(self)} pairs"
        return f"MatchResult({what}, isa='{self.isa}'{', scored' if self.scored else ''})"

    def columns(self) -> dict:
        """The TSV columns of ``mtmatch match`` (and the indices) as a dict of numpy arrays."""
        if self.counts is not None:
            out = {"remains_id": np.array(self.remains_ids, dtype=object)}
            for d in range(self.counts.shape[1]):
                out[f"differences_{d}"] = self.counts[:, d]
            return out
        out = {
            "remains_id": self.remains_id,
            "relative_id": self.relative_id,
            "compared_length": self.compared_length,
            "differences": self.differences,
            "verdict": self.verdict,
        }
        if self.scored:
            out.update({
                "weighted_differences": self.weighted_differences,
                "haplogroup_a": self.haplogroup_a,
                "haplogroup_b": self.haplogroup_b,
                "discordant": self.discordant,
                "discordant_sites": self.discordant_sites,
            })
        out["remains"] = self.remains
        out["relative"] = self.relative
        return out

    def to_pandas(self) -> Any:
        """A pandas DataFrame of columns() (verdict as a categorical). Needs pandas."""
        import pandas as pd
        frame = pd.DataFrame(self.columns())
        if "verdict" in frame:
            frame["verdict"] = pd.Categorical(frame["verdict"], categories=["match", "inconclusive", "exclusion", "no_overlap"])
        return frame


def match(remains: Any, relatives: Any, *, max_differences: Optional[int] = 2, top_k: Optional[int] = None,
          threads: int = 0, tree: Optional["_core.Tree"] = None, scores: bool = True, counts: bool = False,
          ignore_length_variants: bool = True, pattern_match_heteroplasmy: bool = True, inconclusive_at: int = 1,
          exclusion_at: int = 2, diagnostic_weight: float = 5.0, discordant_at: int = 1, fast_search: bool = True,
          isa: Optional[str] = None) -> MatchResult:
    """Match every remains profile against every relative profile.

    ``remains``/``relatives``: lists of :class:`Profile`, :class:`ProfileFile` s or DataFrames with
    columns id, range, variants. Reports the pairs with at most ``max_differences`` differences
    (``None``: no threshold, needs ``top_k``); ``top_k`` keeps the best K relatives per remains, ordered
    by differences, then weighted differences (with ``scores``), then longer compared length, then
    input order. ``scores`` adds the haplogroup-aware columns on ``tree`` (default PhyloTree 17);
    ``counts=True`` returns per-remains counts of relatives with 0 … max_differences differences
    instead of pairs. ``threads=0`` uses all cores; the GIL is released while the C++ engine runs.
    ``fast_search=False`` sends every pair through the kernel (same result; for benchmarks), ``isa``
    pins the kernels ('scalar', 'avx2', 'avx512'). Bad options raise ValueError.
    """
    a = _profiles(remains, "remains")
    b = _profiles(relatives, "relatives")
    raw = _core._match(a, b, max_differences, top_k, threads, tree, scores, counts, fast_search, isa,
                       ignore_length_variants, pattern_match_heteroplasmy, inconclusive_at, exclusion_at,
                       diagnostic_weight, discordant_at)
    return MatchResult(raw)
