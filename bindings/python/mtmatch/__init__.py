"""mtmatch: match mtDNA profiles of unidentified remains against their maternal relatives.

The heavy lifting is in the C++ core (``mtmatch._core``); this package re-exports it with
keyword-only conveniences.
"""

from ._core import RCRS_LENGTH, __version__, rcrs, rcrs_base

__all__ = ["RCRS_LENGTH", "__version__", "rcrs", "rcrs_base"]
