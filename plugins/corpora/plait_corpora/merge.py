"""Combine several converted corpora into one folder per split.

spaCy's ``Corpus`` reads every ``.spacy`` file under a directory, so ``out/train/<corpus>.spacy``
(one file per corpus) makes ``[corpora.train] path = out/train`` read them all.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, Iterable, Mapping, Union

from .base import SPLITS
from .errors import CorpusError
from .errors import Errors

PathLike = Union[str, Path]


def merge_corpora(inputs: Union[Mapping[str, PathLike], Iterable[PathLike]],
                  output_dir: PathLike) -> Dict[str, Dict[str, Path]]:
    """Copy ``<input>/<split>.spacy`` to ``<output_dir>/<split>/<name>.spacy`` for every input.

    ``inputs`` maps a name to a converted corpus folder, or is a list of folders (named after the
    folder). Returns split -> name -> written path. A missing split file is an error naming it.
    """
    if not isinstance(inputs, Mapping):
        folders = [Path(p) for p in inputs]
        names = [p.name for p in folders]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise CorpusError(Errors.CORPUS007.format(sorted=sorted(dup)))
        inputs = dict(zip(names, folders))
    if not inputs:
        raise CorpusError(Errors.CORPUS008)
    for name, folder in inputs.items():
        for split in SPLITS:
            if not (Path(folder) / f"{split}.spacy").is_file():
                raise CorpusError(Errors.CORPUS009.format(value=Path(folder) / f'{split}.spacy',
                                                          name=name))
    out = Path(output_dir)
    written: Dict[str, Dict[str, Path]] = {}
    for split in SPLITS:
        (out / split).mkdir(parents=True, exist_ok=True)
        written[split] = {}
        for name, folder in inputs.items():
            target = out / split / f"{name}.spacy"
            shutil.copyfile(Path(folder) / f"{split}.spacy", target)
            written[split][name] = target
    return written
