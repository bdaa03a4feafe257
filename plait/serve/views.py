"""Which result fields the loaded pipeline writes and how a UI shows each one (its ``view``)."""
from __future__ import annotations

import logging
from typing import Any, Dict, List

log = logging.getLogger("plait.serve")
VIEWS = ("spans", "scores", "sentence-polarity", "extract", "json")


def output_views(nlp: Any) -> List[Dict[str, Any]]:
    """``[{"pipe", "field", "view", "schema"}]`` for the outputs the pipeline's components declare
    (their output contracts, :func:`plait.runtime.outputs.outputs_for`), in pipeline order. A failure to read
    the contracts gives ``[]``: the page then shows every result field as readable JSON."""
    from plait.runtime.outputs import contract_schema, outputs_for

    try:
        found = outputs_for(nlp)
    except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the server down
        log.warning("plait serve: could not read the pipeline's output contracts: %s", exc)
        return []
    return [{"pipe": pipe, "field": field, "view": info.view if info.view in VIEWS else "json",
             "schema": contract_schema(info)}
            for field, (pipe, info) in found.items()]
