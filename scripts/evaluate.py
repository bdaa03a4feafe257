"""Per-component evaluation of a trained Plait pipeline: a thin wrapper of ``plait evaluate``.

    python scripts/evaluate.py training/demo/model-best corpus/demo/test --output metrics/demo/metrics.json

Same arguments as ``python -m plait evaluate MODEL DATA [--output metrics.json] [--report report.md]
[--gpu-id N] [--silver TASK]``: every component is scored by its own spaCy scorer (the plugins'), see
docs/evaluation.md.
"""
from __future__ import annotations

import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    from plait.cli.app import build_app

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        build_app()(["evaluate", *args], prog_name="plait", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
