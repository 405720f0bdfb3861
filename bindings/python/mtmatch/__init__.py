"""mtmatch: match mtDNA profiles of unidentified remains against their maternal relatives.

The heavy lifting is in the C++ core (``mtmatch._core``); this package re-exports it with
keyword-only conveniences.

    >>> import mtmatch
    >>> a = mtmatch.Profile.parse("16223T 73G 263G 302.1C 315.1C", range="16024-576")
    >>> a.canonical()
    '16223T 73G 263G 309.1C 315.1C'
    >>> mtmatch.compare(a, mtmatch.Profile.parse("16223T 73G 263G 315.1C", range="16024-16365")).verdict
    'match'
"""

from ._core import (
    RCRS_LENGTH,
    Comparison,
    Profile,
    ProfileFile,
    SiteDifference,
    Variant,
    __version__,
    compare,
    rcrs,
    rcrs_base,
    read_hsd,
    read_profile_table,
    write_hsd,
)

__all__ = [
    "RCRS_LENGTH",
    "Comparison",
    "Profile",
    "ProfileFile",
    "SiteDifference",
    "Variant",
    "__version__",
    "compare",
    "rcrs",
    "rcrs_base",
    "read_hsd",
    "read_profile_table",
    "write_hsd",
]

# The simulator: realistic populations, families, remains and relatives with ground truth.
from ._core import CoverageMix, SimulateOptions, SiteChange, measure_sharing, parse_site_changes, population_table  # noqa: E402
from ._simulate import simulate, simulate_founders  # noqa: E402

__all__ += ["CoverageMix", "SimulateOptions", "SiteChange", "measure_sharing", "parse_site_changes",
            "population_table", "simulate", "simulate_founders"]

# Haplogroups: the PhyloTree, HaploGrep-style classification; compare(a, b, tree) adds the
# haplogroup-aware fields (weighted_differences, haplogroup_a/b, discordant).
from ._core import Classification, Tree  # noqa: E402
from ._classify import classify  # noqa: E402

__all__ += ["Classification", "Tree", "classify"]

# VCF/BCF input: one profile per sample (mtmatch.read_vcf), and any profile file by its extension.
from ._core import read_profiles, read_vcf  # noqa: E402

__all__ += ["read_profiles", "read_vcf"]

# Many-to-many matching (the engine plus the haplogroup-aware columns) and the kernels' instruction set.
from ._core import active_isa, supported_isas  # noqa: E402
from ._match import MatchResult, match  # noqa: E402

__all__ += ["MatchResult", "active_isa", "match", "supported_isas"]
