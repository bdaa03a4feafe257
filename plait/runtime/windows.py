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

from plait.errors import Errors, PlaitValueError

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


def strided_pipes(components: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """pipe -> its span getter block, for every pipe of a config's ``components`` whose model
    cuts docs into strided windows."""
    out = {}
    for name, block in (components or {}).items():
        spans = (block.get("model") or {}).get(SPAN_GETTER) if isinstance(block, dict) else None
        if isinstance(spans, dict) and "window" in spans:
            out[name] = spans
    return out


def windows_of(nlp: Any) -> Dict[str, Dict[str, Any]]:
    """pipe -> {window, stride} of every strided transformer pipe, as the pipeline runs."""
    return {name: {"window": spans["window"], "stride": spans.get("stride")}
            for name, spans in strided_pipes(nlp.config["components"]).items()
            if name in nlp.pipe_names}


def window_overrides(name_or_path: Any, window: Optional[int] = None,
                     stride: Optional[int] = None) -> Dict[str, int]:
    """``spacy.load`` config overrides giving every strided transformer pipe of the pipeline at
    ``name_or_path`` the window and stride asked for (the stride defaults to the window: no
    overlap; a stride alone keeps each pipe's window)."""
    if window is None and stride is None:
        return {}
    check_windows(window, stride)
    out: Dict[str, int] = {}
    for name, spans in strided_pipes(_config_of(name_or_path).get("components")).items():
        key = f"components.{name}.model.{SPAN_GETTER}"
        w = int(window) if window is not None else int(spans["window"])
        s = int(stride) if stride is not None else w
        check_windows(w, s)
        out[f"{key}.window"] = w
        out[f"{key}.stride"] = s
    if not out:
        raise PlaitValueError(Errors.E191.format(model=name_or_path))
    return out
