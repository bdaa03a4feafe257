"""Options ``plait run`` and ``plait serve`` share (one definition, two commands): what to load and
how (a :class:`plait.LoadOptions`), which fields hold the text and the id, and the batching (a
:class:`~plait.runner.batching.BatchOptions`, whose defaults are the only place they are written)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence, Union

import typer

from plait.runner.batching import BatchOptions

MODEL = typer.Argument(..., help="A trained pipeline folder or installed package name")
GPU = typer.Option(False, "--gpu", help="Run on GPU 0")
GPU_ID = typer.Option(None, "--gpu-id", help="Run on this GPU")
QUANTIZE = typer.Option(False, "--quantize", help="int8 weights for the encoder (CPU; ~2x faster)")
RUNTIME = typer.Option("torch", "--runtime", help="What runs the encoder: torch, or onnx (ONNX Runtime "
                       "on the CPU; pip install 'plait\\[onnx]')")
CODE = typer.Option([], "--code", help="Python file with custom components to import")
TEXT_FIELD = typer.Option("text", "--text-field", help="Field holding the text")
ID_FIELD = typer.Option("id", "--id-field", help="Field holding the id (default id: the record's "
                        "number)")
BATCH_SIZE = typer.Option(BatchOptions.batch_size, "--batch-size", help="Most texts in one batch")
SEGMENT_TOKENS = typer.Option(BatchOptions.segment_tokens, "--segment-tokens", help="Longer texts "
                              "are processed in segments of about this many tokens")
PROGRESS = typer.Option(True, "--progress/--no-progress", help="Show a progress bar")


def batch_tokens(name: str, help: str) -> typer.models.OptionInfo:
    """The batch token budget, under the command's own name for it (run: --max-batch-tokens; serve:
    --batch-tokens, the budget requests are gathered up to)."""
    return typer.Option(BatchOptions.max_batch_tokens, name, help=help)


def load_options(gpu: bool, gpu_id: Optional[int], quantize: bool, runtime: str,
                 code: Sequence[Union[str, Path]]):
    """The :class:`plait.LoadOptions` the shared options describe."""
    from plait.runtime.options import LoadOptions

    return LoadOptions(gpu=gpu_id if gpu_id is not None else gpu, quantize=quantize,
                       runtime=runtime, code=tuple(str(c) for c in code))


def batch_options(batch_size: int, max_batch_tokens: int, segment_tokens: int) -> BatchOptions:
    return BatchOptions(batch_size=batch_size, max_batch_tokens=max_batch_tokens,
                        segment_tokens=segment_tokens)
