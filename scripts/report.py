"""Human-readable Markdown report (with plots) from ``plait evaluate``'s metrics: a thin wrapper of
``plait report``.

    python scripts/report.py metrics/demo/metrics.json --output metrics/demo/report.md \
        --title "Plait demo" --note "NER gold is silver"

The sections come from the components' plugins (plait.evaluation.report); see docs/evaluation.md.
"""
from __future__ import annotations

import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    from plait.cli.app import build_app

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        build_app()(["report", *args], prog_name="plait", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
