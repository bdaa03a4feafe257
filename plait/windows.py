"""The shared transformer's window policy, chosen when a pipeline is loaded.

A transformer pipe cuts each doc into windows of ``window`` tokens, ``stride`` apart
(``spacy-transformers.strided_spans.v1``); windows overlap by ``window - stride``. They are not weights,
so a trained pipeline runs with other windows by overriding its config at load time
(``spacy.load(config=...)``), and saves the windows it ran with. ``benchmarks/speed.py --window`` and
``plait evaluate --window`` measure what a policy costs and gives.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

from .errors import Errors, PlaitValueError

SPAN_GETTER = "get_spans"


def check_windows(window: Optional[int], stride: Optional[int]) -> None:
    """A coded error for a window or stride that can't work (stride defaults to the window)."""
    if window is None and stride is None:
        return
    w = window if window is not None else stride
    s = stride if stride is not None else window
    ok = all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (w, s))
    if not ok or (window is not None and s > w):
        raise PlaitValueError(Errors.E190.format(window=window, stride=stride))


def _config_of(name_or_path: Any) -> Any:
    from spacy.util import get_package_path, is_package, load_config

    path = Path(str(name_or_path))
    if not path.exists() and is_package(str(name_or_path)):
        path = Path(get_package_path(str(name_or_path)))
        found = sorted(path.glob("*/config.cfg"))
        path = found[0].parent if found else path
    return load_config(path / "config.cfg", interpolate=False)


def window_overrides(name_or_path: Any, window: Optional[int] = None,
                     stride: Optional[int] = None) -> Dict[str, int]:
    """``spacy.load`` config overrides giving every strided transformer pipe of the pipeline at
    ``name_or_path`` the window and stride asked for (the stride defaults to the window: no
    overlap; a stride alone keeps each pipe's window)."""
    if window is None and stride is None:
        return {}
    check_windows(window, stride)
    config = _config_of(name_or_path)
    out: Dict[str, int] = {}
    for name, block in (config.get("components") or {}).items():
        spans = (block.get("model") or {}).get(SPAN_GETTER) if isinstance(block, dict) else None
        if not isinstance(spans, dict) or "window" not in spans:
            continue
        key = f"components.{name}.model.{SPAN_GETTER}"
        w = int(window) if window is not None else int(spans["window"])
        s = int(stride) if stride is not None else w
        check_windows(w, s)
        out[f"{key}.window"] = w
        out[f"{key}.stride"] = s
    if not out:
        raise PlaitValueError(Errors.E191.format(model=name_or_path))
    return out
