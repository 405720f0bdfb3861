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

import copy
import functools
import inspect
from typing import Any, Callable, Optional

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

    ``grouped`` (``group_identical=True``): a row is a pair of distinct haplotypes (identical profiles
    of a side), standing for every pair of their members; ``remains``/``relative`` are haplotype
    numbers, ``members_of_remains(h)``/``members_of_relative(h)`` the profile indices, ``remains_id``
    etc. name the first member, ``profile_pairs`` counts the profile pairs the rows stand for, and
    ``expand()`` gives the ungrouped result.
    """

    def __init__(self, raw: dict):
        self.remains: np.ndarray = raw["remains"]
        self.relative: np.ndarray = raw["relative"]
        self.differences: np.ndarray = raw["differences"]
        self.compared_length: np.ndarray = raw["compared_length"]
        self.verdict_code: np.ndarray = raw["verdict_code"]
        self.verdict_names: list = raw["verdict_names"]
        self.remains_ids: list = raw["remains_ids"]
        self.relative_ids: list = raw["relative_ids"]
        self.scored: bool = raw["scored"]
        self.weighted_differences: Optional[np.ndarray] = raw.get("weighted_differences")
        self.discordant: Optional[np.ndarray] = raw["discordant"].view(bool) if self.scored else None
        self.discordant_sites: Optional[np.ndarray] = raw.get("discordant_sites")
        self.remains_haplogroups: Optional[list] = raw.get("remains_haplogroups")
        self.relative_haplogroups: Optional[list] = raw.get("relative_haplogroups")
        self.tree: Optional[str] = raw.get("tree")
        width = raw["counts_width"]
        self.counts: Optional[np.ndarray] = raw["counts"].reshape(-1, width) if width else None
        self.cancelled: bool = raw["cancelled"]
        self.grouped: bool = raw.get("grouped", False)
        self.profile_pairs: int = raw.get("profile_pairs", len(self.remains))
        self._members = ((raw["remains_members_begin"], raw["remains_members"]),
                         (raw["relative_members_begin"], raw["relative_members"])) if self.grouped else None
        self.isa: str = raw["isa"]
        self.stats: dict = raw["stats"]

    # Per-row text columns are built on first use: at tens of millions of rows they cost more than
    # the match itself.
    @staticmethod
    def _expand(values: Optional[list], index: np.ndarray) -> Optional[np.ndarray]:
        if values is None:
            return None
        table = np.array(values, dtype=object)
        return table[index] if len(index) else np.array([], dtype=object)

    @functools.cached_property
    def verdict(self) -> np.ndarray:
        """'match', 'inconclusive', 'exclusion' or 'no_overlap' per row (from verdict_code)."""
        return np.array(self.verdict_names)[self.verdict_code]

    def _profile(self, side: int) -> np.ndarray:
        """Per row, the profile index of that side (grouped: the haplotype's first member)."""
        rows = self.remains if side == 0 else self.relative
        if not self.grouped:
            return rows
        begin, members = self._members[side]
        return members[begin[rows]] if len(rows) else rows

    def members_of_remains(self, h: int) -> np.ndarray:
        """Grouped: the remains profiles (indices into the input) of remains haplotype ``h``."""
        begin, members = self._members[0]
        return members[begin[h]:begin[h + 1]]

    def members_of_relative(self, h: int) -> np.ndarray:
        """Grouped: the relative profiles (indices into the input) of relatives haplotype ``h``."""
        begin, members = self._members[1]
        return members[begin[h]:begin[h + 1]]

    @functools.cached_property
    def remains_id(self) -> np.ndarray:
        return self._expand(self.remains_ids, self._profile(0))

    @functools.cached_property
    def relative_id(self) -> np.ndarray:
        return self._expand(self.relative_ids, self._profile(1))

    @functools.cached_property
    def haplogroup_a(self) -> Optional[np.ndarray]:
        """Best haplogroup of the remains profile of each row (None unless scored)."""
        return self._expand(self.remains_haplogroups, self._profile(0))

    @functools.cached_property
    def haplogroup_b(self) -> Optional[np.ndarray]:
        """Best haplogroup of the relative profile of each row (None unless scored)."""
        return self._expand(self.relative_haplogroups, self._profile(1))

    def expand(self) -> "MatchResult":
        """The profile pairs a grouped result stands for, as an ungrouped result sorted by remains
        index then relative index (what ``match`` returns without ``group_identical``). Needs memory
        for ``profile_pairs`` rows; an ungrouped result is returned as it is."""
        if not self.grouped:
            return self
        (begin_a, members_a), (begin_b, members_b) = self._members
        size_a = np.diff(begin_a).astype(np.int64)[self.remains]
        size_b = np.diff(begin_b).astype(np.int64)[self.relative]
        per_row = size_a * size_b
        row = np.repeat(np.arange(len(self.remains)), per_row)
        offset = np.arange(int(per_row.sum()), dtype=np.int64) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        a = members_a[begin_a[self.remains[row]] + offset // size_b[row]]
        b = members_b[begin_b[self.relative[row]] + offset % size_b[row]]
        order = np.lexsort((b, a))
        row = row[order]
        out = copy.copy(self)
        for name in ("differences", "compared_length", "verdict_code", "weighted_differences", "discordant",
                     "discordant_sites"):
            value = getattr(self, name)
            if value is not None:
                setattr(out, name, value[row])
        out.remains = a[order].astype(self.remains.dtype)
        out.relative = b[order].astype(self.relative.dtype)
        out.grouped = False
        out._members = None
        for cached in ("verdict", "remains_id", "relative_id", "haplogroup_a", "haplogroup_b"):
            out.__dict__.pop(cached, None)
        return out

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
        if self.grouped:
            out["remains_haplotype"] = self.remains
            out["relative_haplotype"] = self.relative
            out["remains_count"] = np.diff(self._members[0][0])[self.remains]
            out["relative_count"] = np.diff(self._members[1][0])[self.relative]
        else:
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


def _progress_caller(progress: Optional[Callable]) -> Optional[Callable]:
    """The user's callback as the engine calls it: (done, total, stage)."""
    if progress is None:
        return None
    if not callable(progress):
        raise TypeError("match: progress must be a callable progress(done, total) or progress(done, total, stage)")
    try:
        inspect.signature(progress).bind(0, 0, "match")
        return progress
    except TypeError:  # takes (done, total)
        return lambda done, total, stage: progress(done, total)
    except ValueError:  # no signature to inspect (some builtins): the documented two arguments
        return lambda done, total, stage: progress(done, total)


def match(remains: Any, relatives: Any, *, max_differences: Optional[int] = 2, top_k: Optional[int] = None,
          threads: int = 0, tree: Optional["_core.Tree"] = None, scores: bool = True, counts: bool = False,
          ignore_length_variants: bool = True, pattern_match_heteroplasmy: bool = True, inconclusive_at: int = 1,
          exclusion_at: int = 2, diagnostic_weight: float = 5.0, discordant_at: int = 1, fast_search: bool = True,
          isa: Optional[str] = None, progress: Optional[Callable] = None,
          group_identical: bool = False) -> MatchResult:
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

    ``progress``: called now and then as ``progress(done, total)`` — or ``progress(done, total, stage)``
    if it takes three arguments — with the progress of the current stage: ``'classify'`` (haplotypes
    classified, with ``scores``), ``'match'`` (distinct haplotype pairs through the engine), ``'score'``
    (remains haplotypes scored). Each stage starts a new count, and its last call has
    ``done == total``. Return ``None`` or ``True`` to go on; ``False`` cancels (the result then has
    ``cancelled == True`` and holds what was found so far). Calls come from one thread at a time (not
    always the calling thread), at most about 20 a second. An exception raised in the callback cancels
    the run and is raised again by ``match()`` once the engine has stopped; so is Ctrl-C
    (``KeyboardInterrupt``) when noticed at a progress step on the calling thread, with or without
    a callback.

    ``group_identical=True`` (threshold queries): one row per pair of distinct haplotypes instead of
    one per profile pair — a national search has billions of profile pairs within a threshold; see
    :class:`MatchResult` (``expand()``, ``members_of_remains``).
    """
    a = _profiles(remains, "remains")
    b = _profiles(relatives, "relatives")
    raw = _core._match(a, b, max_differences, top_k, threads, tree, scores, counts, fast_search, isa,
                       ignore_length_variants, pattern_match_heteroplasmy, inconclusive_at, exclusion_at,
                       diagnostic_weight, discordant_at, _progress_caller(progress), group_identical)
    return MatchResult(raw)
