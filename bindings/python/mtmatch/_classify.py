"""Haplogroup classification (HaploGrep-style weighted Kulczynski on PhyloTree 17).

    >>> import mtmatch
    >>> p = mtmatch.Profile.parse("16129A 16223T 16297C 73G 150T 199C 263G 489C", range="16024-576")
    >>> mtmatch.classify(p).haplogroup
    'M7b1a1'
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from . import _core

_COLUMNS = ("id", "range", "variants")


def _tree(tree: Optional["_core.Tree"]) -> "_core.Tree":
    return _core.Tree.phylotree17() if tree is None else tree


def _frame_columns(frame: Any) -> dict:
    """Maps id/range/variants (any case) to the DataFrame's own column names."""
    lower = {str(c).lower(): c for c in frame.columns}
    missing = [c for c in _COLUMNS if c not in lower]
    if missing:
        raise ValueError(f"classify: DataFrame needs columns {', '.join(_COLUMNS)}; missing {', '.join(missing)}")
    return {c: lower[c] for c in _COLUMNS}


def _parse_all(ids: Iterable[str], ranges: Iterable[str], variants: Iterable[str]) -> list:
    profiles = []
    for row, (i, r, v) in enumerate(zip(ids, ranges, variants)):
        try:
            profiles.append(_core.Profile.parse("" if v is None else str(v), str(r), str(i)))
        except ValueError as e:
            raise ValueError(f"classify: row {row} ({i}): {e}") from None
    return profiles


def classify(profiles: Any, *, ranges: Any = "1-16569", ids: Any = None, tree: Optional["_core.Tree"] = None,
             hits: int = 2, details: bool = True, threads: int = 0) -> Any:
    """Assign haplogroups as HaploGrep does.

    ``profiles`` may be

    * a :class:`Profile` -> one :class:`Classification`;
    * a list of Profiles or a :class:`ProfileFile` -> a list of Classifications;
    * a pandas DataFrame with columns ``id``, ``range``, ``variants`` -> a DataFrame with HaploGrep's
      columns (SampleID, Haplogroup, Quality, Range, …), one row per profile, in order;
    * a sequence or numpy array of variant strings (with ``ranges`` one range or one per profile, and
      optional ``ids``) -> a dict of numpy arrays ``id``, ``haplogroup``, ``quality`` (the fast path).

    ``tree`` defaults to PhyloTree 17 (``Tree.phylotree17()``); ``Tree.forensic_update()`` is the other
    embedded tree. ``hits`` ranked haplogroups are kept (2 = best and runner-up); ``threads=0`` uses all
    cores. Bad variants raise ValueError naming the row, token and reason.
    """
    t = _tree(tree)
    if isinstance(profiles, _core.Profile):
        return _core._classify([profiles], t, hits, details, 1)[0]
    if isinstance(profiles, _core.ProfileFile):
        return _core._classify(list(profiles.profiles), t, hits, details, threads)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a Debian package here
        pd = None
    if pd is not None and isinstance(profiles, pd.DataFrame):
        cols = _frame_columns(profiles)
        parsed = _parse_all(profiles[cols["id"]], profiles[cols["range"]], profiles[cols["variants"]])
        results = _core._classify(parsed, t, hits, details, threads)
        return pd.DataFrame({
            "SampleID": [c.id for c in results],
            "Haplogroup": [c.haplogroup for c in results],
            "Quality": [c.quality for c in results],
            "Range": [c.range for c in results],
            "RunnerUp": [c.runner_up for c in results],
            "RunnerUpQuality": [c.runner_up_quality for c in results],
            "Ties": [c.ties for c in results],
            "CommonAncestor": [c.common_ancestor for c in results],
            "Not_Found_Polys": [" ".join(c.not_found) for c in results],
            "Found_Polys": [" ".join(c.found) for c in results],
            "Remaining_Polys": [" ".join(f"{p} ({k})" for p, k in c.remaining) for c in results],
        })
    items = list(profiles)
    if all(isinstance(p, _core.Profile) for p in items):
        return _core._classify(items, t, hits, details, threads)
    if all(isinstance(p, str) or p is None for p in items):
        import numpy as np
        n = len(items)
        range_list = [ranges] * n if isinstance(ranges, str) else list(ranges)
        id_list = [str(i) for i in range(n)] if ids is None else [str(i) for i in ids]
        if len(range_list) != n or len(id_list) != n:
            raise ValueError(f"classify: {n} variant strings but {len(range_list)} ranges and {len(id_list)} ids")
        parsed = _parse_all(id_list, range_list, items)
        names, quality = _core._classify_best(parsed, t, threads)
        return {"id": np.array(id_list, dtype=object), "haplogroup": np.array(names, dtype=object), "quality": quality}
    raise TypeError("classify: expected a Profile, a list of Profiles, a ProfileFile, a DataFrame or variant strings")
