"""The Python API: ``plait.load`` a trained pipeline, ``plait.process`` records into results.

>>> import plait
>>> nlp = plait.load("training/news/model-best")
>>> for result in plait.process(nlp, [{"id": "a1", "text": "Apple buys a startup."}]):
...     print(result.id, [(e.text, e.label) for e in result.entities or []])
"""
from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, Optional, Sequence, Tuple, Union

from .results import Result
from .runner.batching import BatchOptions
from .runner.records import RawRecord, to_item
from .errors import Errors

PathLike = Union[str, Path]


def load(name_or_path: PathLike, *, gpu: Union[bool, int] = False,
         code: Optional[Sequence[PathLike]] = None, exclude: Sequence[str] = (),
         disable: Sequence[str] = (), config: Optional[Dict[str, Any]] = None,
         quantize: bool = False, runtime: str = "torch") -> Any:
    """Load a trained pipeline from a folder or an installed package (``spacy.load``).

    ``gpu``: ``True`` (GPU 0) or a GPU id to require a GPU; ``code``: Python files to import first,
    for custom components (as ``spacy train --code``); ``quantize``: int8 weights for the encoder
    (CPU only; the pipeline can't then be saved); ``runtime``: what runs the encoder, ``"torch"``
    (default; ``quantize`` uses torch's dynamic int8 Linear, see ``plait.quantize``) or ``"onnx"``
    (ONNX Runtime on the CPU, the same outputs in float, ``quantize`` its int8; see ``plait.onnxrt``;
    needs ``pip install 'plait[onnx]'``).
    """
    import spacy

    from .isolation import isolate_spacy_plugins
    from .runner.loading import import_code

    isolate_spacy_plugins()
    if runtime not in ("torch", "onnx"):
        from .onnxrt import check_runtime

        check_runtime(runtime)
    import_code(code)
    if gpu is not False:
        if quantize:
            from .quantize import QuantizationError

            raise QuantizationError(Errors.E072)
        if runtime == "onnx":
            from .errors import Errors
            from .onnxrt import OnnxRuntimeError

            raise OnnxRuntimeError(Errors.E042.format(pipe="transformer", device=f"GPU {gpu}"))
        spacy.require_gpu(0 if gpu is True else int(gpu))
    nlp = spacy.load(name_or_path, exclude=list(exclude), disable=list(disable), config=config or {})
    if runtime == "onnx":
        from .onnxrt import use_onnxruntime

        nlp = use_onnxruntime(nlp, quantize=quantize)
    elif quantize:
        from .quantize import quantize_pipeline

        nlp = quantize_pipeline(nlp)
    return nlp


def process(nlp: Any, records: Iterable[Union[Dict[str, Any], str]], *, text_field: str = "text",
            id_field: Optional[str] = "id", batch_size: int = 64, max_batch_tokens: int = 8192,
            segment_tokens: int = 2048, max_chars: int = 0, n_process: int = 1,
            code: Sequence[PathLike] = (), quantize: bool = False,
            runtime: str = "torch") -> Iterator[Result]:
    """Map records (dicts or strings) to :class:`~plait.results.Result`, lazily and in input order.

    ``nlp`` is a loaded pipeline or a path/package name. A bad record (no text, a non-string or empty
    text) gives a result with ``errors`` set, in its place. Texts longer than ``segment_tokens`` are
    processed in segments and merged; ``max_chars`` (0: no limit) cuts longer texts (``truncated``).
    ``n_process > 1`` runs that many spawned worker processes, each loading the pipeline once
    (the modules defining a loaded pipeline's custom factories are imported in each; for a path, pass
    ``code``, Python files to import first, as ``plait.load``). ``quantize`` and ``runtime`` (as in
    :func:`load`) apply when ``nlp`` is a path or name (each worker applies them after loading); for a
    loaded pipeline, pass them to ``plait.load`` instead, for ``n_process == 1``.
    """
    opts = BatchOptions(batch_size=batch_size, max_batch_tokens=max_batch_tokens,
                        segment_tokens=segment_tokens)
    raws = (RawRecord(line, value=value) for line, value in enumerate(records, 1))
    items = (to_item(raw, raw.line - 1, text_field=text_field, id_field=id_field) for raw in raws)
    return _run(nlp, items, opts, max_chars, n_process, tuple(str(c) for c in code), quantize, runtime)


def _run(nlp: Any, items: Iterable[Any], opts: BatchOptions, max_chars: int,
         n_process: int, code: Tuple[str, ...], quantize: bool = False,
         runtime: str = "torch") -> Iterator[Result]:
    from .runner.engines import LocalEngine
    from .runner.loading import LoadSpec, factory_modules
    from .runner.pool import PoolEngine
    from .runner.stream import results

    tmp: Optional[str] = None
    engine: Any
    if n_process > 1:
        if isinstance(nlp, (str, Path)):
            spec = LoadSpec(str(nlp), code=code, quantize=quantize, runtime=runtime)
        else:  # workers load a copy written to disk once
            meta = getattr(nlp, "meta", {})
            if meta.get("plait_quantized") or meta.get("plait_runtime"):
                from .quantize import QuantizationError

                raise QuantizationError(Errors.E073)
            tmp = tempfile.mkdtemp(prefix="plait-pipeline-")
            nlp.to_disk(tmp)
            spec = LoadSpec(tmp, code=code, modules=factory_modules(nlp))
        engine = PoolEngine(spec, n_process)
    else:
        engine = LocalEngine(load(nlp, code=code, quantize=quantize, runtime=runtime)
                             if isinstance(nlp, (str, Path)) else nlp)
    try:
        yield from results(items, engine, opts, max_chars)
    finally:
        engine.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def process_one(nlp: Any, text: str, **kwargs: Any) -> Result:
    """Process a single text."""
    return next(itertools.islice(process(nlp, [text], **kwargs), 1))
