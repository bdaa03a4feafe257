"""The user's own data: reading files of any supported format (streamed, every bad record reported),
and importing them as gold-annotated spaCy corpora for the components that declare how (``gold``).

Light to import: spaCy is imported only when docs are made.
"""
from __future__ import annotations

from plait.data.gold import Gold
from plait.io.formats import FORMATS, Reject, detect_format
from plait.data.texts import TextItem, read_texts

__all__ = ["FORMATS", "Gold", "Reject", "TextItem", "detect_format", "read_texts"]
