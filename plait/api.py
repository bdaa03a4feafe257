"""The Python API: ``plait.load`` a trained pipeline, ``plait.process`` records into results.

>>> import plait
>>> nlp = plait.load("training/news/model-best")
>>> for result in plait.process(nlp, [{"id": "a1", "text": "Apple buys a startup."}]):
...     print(result.id, [(e.text, e.label) for e in result.entities or []])
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, Optional, Sequence, Union

from plait.runtime.options import LoadOptions
from plait.io.results import Result
from plait.runner.batching import BatchOptions
from plait.io.records import RawRecord, to_item

PathLike = Union[str, Path]


def load(name_or_path: PathLike, options: Optional[LoadOptions] = None, *,
         gpu: Optional[Union[bool, int]] = None, code: Optional[Sequence[PathLike]] = None,
         exclude: Optional[Sequence[str]] = None, disable: Optional[Sequence[str]] = None,
         config: Optional[Dict[str, Any]] = None, quantize: Optional[bool] = None,
         runtime: Optional[str] = None, window: Optional[int] = None,
         stride: Optional[int] = None) -> Any:
    """Load a trained pipeline from a folder or an installed package (``spacy.load``).

    ``options`` (:class:`plait.LoadOptions`) says how; the keyword arguments override its fields:
    ``gpu``: ``True`` (GPU 0) or a GPU id to require a GPU; ``code``: Python files to import first,
    for custom components (as ``spacy train --code``); ``quantize``: int8 weights for the encoder
    (CPU only; the pipeline can't then be saved); ``runtime``: what runs the encoder, ``"torch"``
    (default; ``quantize`` uses torch's dynamic int8 Linear, see ``plait.runtime.quantize``) or ``"onnx"``
    (ONNX Runtime on the CPU, the same outputs in float, ``quantize`` its int8; see ``plait.runtime.onnxrt``;
    needs ``pip install 'plait[onnx]'``); ``exclude`` / ``disable`` / ``config`` as ``spacy.load``;
    ``window`` / ``stride``: run the shared transformer with these windows (in tokens; the stride
    defaults to the window, i.e. no overlap) instead of the trained pipeline's (``plait.runtime.windows``).
    """
    from plait.runtime.loading import load_pipeline

    opts = LoadOptions.of(options, gpu=gpu, code=code, exclude=exclude, disable=disable,
                          config=config, quantize=quantize, runtime=runtime, window=window,
                          stride=stride)
    return load_pipeline(name_or_path, opts)


def process(nlp: Any, records: Iterable[Union[Dict[str, Any], str]], *, text_field: str = "text",
            id_field: Optional[str] = "id", batch_size: int = 64, max_batch_tokens: int = 8192,
            segment_tokens: int = 2048, max_chars: int = 0, n_process: int = 1,
            options: Optional[LoadOptions] = None, code: Optional[Sequence[PathLike]] = None,
            quantize: Optional[bool] = None, runtime: Optional[str] = None) -> Iterator[Result]:
    """Map records (dicts or strings) to :class:`~plait.io.results.Result`, lazily and in input order.

    ``nlp`` is a loaded pipeline or a path/package name. A bad record (no text, a non-string or empty
    text) gives a result with ``errors`` set, in its place. Texts longer than ``segment_tokens`` are
    processed in segments and merged; ``max_chars`` (0: no limit) cuts longer texts (``truncated``).
    ``n_process > 1`` runs that many spawned worker processes, each loading the pipeline once
    (the modules defining a loaded pipeline's custom factories are imported in each; for a path, pass
    ``code``, Python files to import first, as ``plait.load``). ``options``
    (:class:`plait.LoadOptions`; ``code``, ``quantize`` and ``runtime`` override its fields) apply when
    ``nlp`` is a path or name (each worker applies them after loading); for a loaded pipeline, pass
    them to ``plait.load`` instead (only ``code`` reaches the workers).
    """
    opts = BatchOptions(batch_size=batch_size, max_batch_tokens=max_batch_tokens,
                        segment_tokens=segment_tokens)
    load_opts = LoadOptions.of(options, code=code, quantize=quantize, runtime=runtime)
    raws = (RawRecord(line, value=value) for line, value in enumerate(records, 1))
    items = (to_item(raw, raw.line - 1, text_field=text_field, id_field=id_field) for raw in raws)
    return _run(nlp, items, opts, max_chars, n_process, load_opts)


def _run(nlp: Any, items: Iterable[Any], opts: BatchOptions, max_chars: int, n_process: int,
         options: LoadOptions) -> Iterator[Result]:
    from plait.runner.launch import open_engine
    from plait.runner.stream import results

    engine = open_engine(nlp, options, n_process=n_process)
    try:
        yield from results(items, engine, opts, max_chars)
    finally:
        engine.close()


def process_one(nlp: Any, text: str, **kwargs: Any) -> Result:
    """Process a single text."""
    return next(itertools.islice(process(nlp, [text], **kwargs), 1))
