"""Training callbacks for composed configs, registered through spaCy's entry points.

- ``plait.ConsoleLogger.v1`` (``spacy_loggers``): spaCy's console logger that stops the run with a clear
  message when a component's loss turns NaN or infinite.
- ``plait.tune_on_dev.v1`` (``spacy_misc``): a ``[training.before_to_disk]`` callback that, before each
  checkpoint is written, runs the pipeline over the dev corpus and lets every component with a
  ``tune_on_dev(examples, nlp)`` method fit what it stores (calibration temperatures, thresholds).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple, Union

from spacy.util import registry

from plait.errors import Errors, TrainingDiverged


def check_losses(losses: Dict[str, float], step: Any = "?") -> None:
    for component, value in (losses or {}).items():
        if not math.isfinite(float(value)):
            raise TrainingDiverged(Errors.E030.format(step=step, component=component, value=value))


@registry.loggers("plait.ConsoleLogger.v1")
def console_logger(progress_bar: Optional[str] = None, console_output: bool = True,
                   output_file: Optional[Union[str, Path]] = None) -> Callable:
    base = registry.loggers.get("spacy.ConsoleLogger.v3")(
        progress_bar=progress_bar, console_output=console_output, output_file=output_file)

    def setup(nlp: Any, stdout: IO = sys.stdout, stderr: IO = sys.stderr) -> Tuple[Callable, Callable]:
        log_step, finalize = base(nlp, stdout, stderr)

        def step(info: Optional[Dict[str, Any]]) -> None:
            if info is not None:
                check_losses(info.get("losses", {}), info.get("step", "?"))
            log_step(info)

        return step, finalize

    return setup


@registry.misc("plait.tune_on_dev.v1")
def tune_on_dev(path: Union[str, Path, None], max_docs: int = 1000) -> Callable:
    """Before each save: run the pipeline on dev and call ``tune_on_dev`` on the components."""

    def before_to_disk(nlp: Any) -> Any:
        tuners = [(name, proc) for name, proc in nlp.pipeline if hasattr(proc, "tune_on_dev")]
        if not tuners or not path or not Path(path).exists():
            return nlp
        from spacy.training import Corpus

        corpus = Corpus(path, limit=max_docs)
        examples = list(corpus(nlp))
        if not examples:
            return nlp
        docs = nlp.pipe([eg.predicted for eg in examples])
        for eg, doc in zip(examples, docs):
            eg.predicted = doc
        for name, proc in tuners:
            proc.tune_on_dev(examples, nlp)
        return nlp

    return before_to_disk


@registry.callbacks("plait.initialize_frozen.v1")
def initialize_frozen(components: List[str]) -> Callable:
    """``[initialize.before_init]``: initialize frozen components that are not sourced.

    spaCy skips frozen components at initialization (it expects them sourced from a trained pipeline);
    a frozen *encoder* named by Plait still has to load its weights and set its width before the
    listening components are initialized.
    """

    def before_init(nlp: Any) -> Any:
        from spacy.training import Example

        names = [n for n, _ in nlp.components]  # frozen components are disabled here
        for name in components:
            proc = nlp.get_pipe(name)
            doc = nlp.make_doc("Plait initializes the frozen encoder.")
            proc.initialize(lambda: [Example(doc, doc.copy())])
            if hasattr(proc, "find_listeners"):  # give the listeners downstream its width
                for _, other in nlp.components[names.index(name) + 1:]:
                    proc.find_listeners(other)
        return nlp

    return before_init
