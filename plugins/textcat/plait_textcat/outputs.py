"""The ``categories`` output contract of ``plait_textcat``: ``doc.cats`` as ``{label: score}``.

Imported by the ``plait`` entry point (plugin.py): no spaCy or torch import here.
"""
from __future__ import annotations

from typing import Any, Dict, List

FIELD = "categories"


def read_categories(doc: Any, pipe_name: str) -> Dict[str, float]:
    """Every score in ``doc.cats`` (all the pipeline's classifiers write there)."""
    return {str(k): float(v) for k, v in doc.cats.items()}


def merge_categories(parts, text: str, warnings: List[str]) -> Dict[str, float]:
    """Scores averaged weighted by segment length (plait's "scores" merge)."""
    from plait.runtime.outputs import merge_scores

    return merge_scores(parts, text, warnings)


def output_info():
    from plait.plugins.contracts import OutputInfo

    return OutputInfo(field=FIELD, read=read_categories, merge=merge_categories,
                      python_type=Dict[str, float], view="scores", assigns=["doc.cats"],
                      description="Category scores (doc.cats) of the pipeline's classifiers.")
