"""``plait run``: a file of records through a pipeline into a results file, nothing lost.

Every input record ends up in exactly one of the output and the rejects file; at the end
``records in == written + rejected`` is checked. Output is written in input order and checkpointed
after every batch, so ``resume=True`` continues a killed run with no duplicate and no gap.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

from plait.errors import PlaitError
from plait.runner.batching import BatchOptions
from plait.io.formats import (LINE_FORMATS, RUN_FORMATS, RejectsWriter, count_records, detect_format,
                              open_writer, read_records)
from plait.io.records import Item, to_item
from plait.runtime.options import LoadOptions
from plait.runner.resume import Checkpoint, checkpoint_path, prepare_resume, save_checkpoint
from plait.errors import Errors


@dataclass
class RunConfig:
    model: str
    input: Path
    output: Path
    input_format: Optional[str] = None
    output_format: Optional[str] = None
    text_field: str = "text"
    id_field: Optional[str] = "id"
    rejects: Optional[Path] = None
    resume: bool = False
    overwrite: bool = False
    engine: str = "local"  # local | ray
    n_process: int = 1
    address: Optional[str] = None
    num_gpus: float = 0.0
    options: LoadOptions = field(default_factory=LoadOptions)  # how each copy is loaded
    batch: BatchOptions = field(default_factory=BatchOptions)
    max_chars: int = 0
    limit: int = 0  # stop after this many records in this run (0: all)
    progress: bool = True

    @property
    def load_options(self) -> LoadOptions:
        """How each copy of the pipeline is loaded (:class:`plait.LoadOptions`)."""
        return self.options

    @property
    def rejects_path(self) -> Path:
        return self.rejects or self.output.with_name(self.output.name + ".rejects.jsonl")


@dataclass
class RunSummary:
    records_in: int
    written: int
    rejected: int
    resumed_from: int = 0
    output: Optional[Path] = None
    rejects: Optional[Path] = None
    problems: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.records_in == self.written + self.rejected and not self.problems


def make_engine(cfg: RunConfig) -> Any:
    from plait.runner.launch import open_engine

    try:
        return open_engine(cfg.model, cfg.load_options, n_process=cfg.n_process, engine=cfg.engine,
                           address=cfg.address, num_gpus=cfg.num_gpus)
    except OSError as exc:  # spaCy's "can't find model" (E050) and unreadable folders
        raise PlaitError(Errors.E087.format(model=cfg.model, exc=exc)) from exc


def _progress(cfg: RunConfig, total: Optional[int], initial: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="doc", disable=not cfg.progress, dynamic_ncols=True,
                smoothing=0.1, desc="plait run")


def run_job(cfg: RunConfig, engine: Any = None,
            on_group: Optional[Callable[[Checkpoint], None]] = None) -> RunSummary:
    """Run ``cfg``. ``engine`` overrides the one ``cfg`` describes; ``on_group`` sees each checkpoint."""
    from plait.runner.stream import result_groups

    in_fmt = detect_format(cfg.input, cfg.input_format, formats=RUN_FORMATS)
    out_fmt = detect_format(cfg.output, cfg.output_format, formats=RUN_FORMATS)
    if not cfg.input.exists():
        raise PlaitError(Errors.E088.format(input=cfg.input))
    rejects = cfg.rejects_path
    if cfg.resume:
        if out_fmt == "parquet":
            raise PlaitError(Errors.E089)
        ckpt = prepare_resume(cfg.output, rejects, out_fmt)
    else:
        if cfg.output.exists() and not cfg.overwrite:
            raise PlaitError(Errors.E090.format(output=cfg.output))
        ckpt = Checkpoint()
        checkpoint_path(cfg.output).unlink(missing_ok=True)
    start = ckpt.records
    raws: Iterator[Any] = read_records(cfg.input, in_fmt, skip=start)
    if cfg.limit:
        raws = itertools.islice(raws, cfg.limit)
    seen = 0

    def items() -> Iterator[Item]:
        nonlocal seen
        for seq, raw in enumerate(raws, start):
            seen += 1
            yield to_item(raw, seq, text_field=cfg.text_field, id_field=cfg.id_field)

    total = count_records(cfg.input, in_fmt) if cfg.progress else None
    if total is not None and cfg.limit:
        total = min(total, start + cfg.limit)
    engine = engine or make_engine(cfg)
    out = open_writer(cfg.output, out_fmt, append=cfg.resume)
    rejects.parent.mkdir(parents=True, exist_ok=True)
    rej = RejectsWriter(rejects.open("ab" if cfg.resume else "wb"))
    bar = _progress(cfg, total, start)
    try:
        for group in result_groups(items(), engine, cfg.batch, cfg.max_chars):
            for result in group:
                if result.errors:
                    rej.reject(result.line, result.id, "; ".join(result.errors), result._record)
                    ckpt.rejected += 1
                else:
                    out.write(result)
                    ckpt.written += 1
            ckpt.records += len(group)
            if out.resumable:
                ckpt.output_bytes, ckpt.rejects_bytes = out.flush(), rej.flush()
                save_checkpoint(cfg.output, ckpt)
            bar.update(len(group))
            if on_group:
                on_group(ckpt)
    finally:
        bar.close()
        engine.close()
        out.close()
        rej.close()
    if out.resumable:
        save_checkpoint(cfg.output, ckpt)
    summary = RunSummary(start + seen, ckpt.written, ckpt.rejected, start, cfg.output, rejects)
    _verify(summary, out_fmt)
    return summary


def _verify(summary: RunSummary, out_fmt: str) -> None:
    """Count what is on disk, independently of the counters, where lines are records."""
    assert summary.output is not None and summary.rejects is not None
    if out_fmt in LINE_FORMATS:
        n_out = _count_lines(summary.output)
        if n_out != summary.written:
            summary.problems.append(f"{summary.output} holds {n_out} lines, expected {summary.written}")
    n_rej = _count_lines(summary.rejects)
    if n_rej != summary.rejected:
        summary.problems.append(f"{summary.rejects} holds {n_rej} lines, expected {summary.rejected}")


def _count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            n += chunk.count(b"\n")
    return n
