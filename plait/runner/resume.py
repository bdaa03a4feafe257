"""Progress checkpoints for ``--resume``: exactly-once output across a killed run.

Results are written in input order (rejects in the same stream), flushed after every batch, and then a
checkpoint ``OUTPUT.progress.json`` records how many input records are done and the byte sizes of the
output and rejects files, replaced atomically. On resume both files are cut back to those sizes (a
partial last line, or lines written after the last checkpoint, go) and that many input records are
skipped. Without a checkpoint (e.g. deleted), complete lines are counted instead (JSONL, text output).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

from plait.errors import PlaitError
from plait.errors import Errors


@dataclass
class Checkpoint:
    records: int = 0  # input records done (written + rejected)
    written: int = 0
    rejected: int = 0
    output_bytes: int = 0
    rejects_bytes: int = 0


def checkpoint_path(output: Path) -> Path:
    return output.with_name(output.name + ".progress.json")


def save_checkpoint(output: Path, ckpt: Checkpoint) -> None:
    path = checkpoint_path(output)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(ckpt)), encoding="utf8")
    os.replace(tmp, path)


def load_checkpoint(output: Path) -> Optional[Checkpoint]:
    path = checkpoint_path(output)
    if not path.exists():
        return None
    return Checkpoint(**json.loads(path.read_text(encoding="utf8")))


def _complete_lines(path: Path) -> tuple:
    """(number of complete lines, byte size up to the end of the last complete line)."""
    if not path.exists():
        return 0, 0
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    return data[:end].count(b"\n"), end


def _truncate(path: Path, size: int) -> None:
    if path.exists() and path.stat().st_size > size:
        with path.open("r+b") as f:
            f.truncate(size)


def prepare_resume(output: Path, rejects: Path, output_format: str) -> Checkpoint:
    """Cut the files back to the last consistent point and say where to restart."""
    ckpt = load_checkpoint(output)
    if ckpt is None:
        if output_format not in ("jsonl", "text"):
            raise PlaitError(Errors.E096.format(checkpoint_path=checkpoint_path(output),
                                                output_format=output_format))
        written, out_end = _complete_lines(output)
        rejected, rej_end = _complete_lines(rejects)
        ckpt = Checkpoint(written + rejected, written, rejected, out_end, rej_end)
    if output.exists() and output.stat().st_size < ckpt.output_bytes or \
            (rejects.exists() and rejects.stat().st_size < ckpt.rejects_bytes):
        raise PlaitError(Errors.E097.format(output=output, rejects=rejects))
    _truncate(output, ckpt.output_bytes)
    _truncate(rejects, ckpt.rejects_bytes)
    return ckpt
