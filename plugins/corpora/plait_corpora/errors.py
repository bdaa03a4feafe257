"""Errors raised by the corpus converters."""
from __future__ import annotations

from pathlib import Path

from plait.errors import PlaitError


class CorpusError(PlaitError, ValueError):
    """A corpus could not be fetched, found or converted."""


class ChecksumError(CorpusError):
    def __init__(self, path: Path, expected: str, actual: str, requirement: str = "") -> None:
        self.path, self.expected, self.actual = Path(path), expected, actual
        what = f" ({requirement})" if requirement else ""
        super().__init__(
            f"Checksum mismatch for {self.path}{what}: expected sha256 {expected}, got {actual}. "
            "The file is corrupt or not the pinned release; delete it and fetch again.")
