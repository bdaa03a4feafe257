"""Plait's coded error catalogue, in the style of spaCy's ``spacy.errors``.

Every error a user can meet carries a stable code (``E0xx``) so it can be searched for and documented.
Messages are templates filled with ``str.format`` keywords.
"""
from __future__ import annotations


class ErrorsWithCodes(type):
    def __getattribute__(cls, code: str) -> str:  # noqa: N805 - metaclass
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    # Plugins
    E001 = ("Plugin '{plugin}' (distribution {dist} {version}) failed to {stage}: {error}")
    E002 = ("{kind} '{name}' is claimed by two plugins: '{first}' (distribution {first_dist}) and "
            "'{second}' (distribution {second_dist}). Uninstall one of them, or block one with "
            "PLAIT_BLOCK_PLUGINS.")
    E003 = ("Plugin '{plugin}' registered an invalid {kind}: {error}")
    E004 = ("Unknown {kind} '{name}'. Known {kind}s: {known}.{hint}")
    E005 = ("Plugin '{plugin}' implements hooks that Plait does not define: {hooks}. "
            "Check their spelling against plait.hookspecs.")
    # Encoders
    E010 = ("Encoder '{name}' resolved to '{path}', which is not a Hugging Face model folder "
            "(no config.json). Is its package ({package}) installed completely?")
    E011 = ("Encoder '{name}' could not be resolved: {error}")
    # Pipeline specs
    E020 = ("{path}: invalid pipeline spec at '{loc}': {msg}.{hint}")
    E021 = ("{path}: could not read the pipeline spec: {error}")
    E022 = ("{path}: component '{component}' is not installed. Installed components: {known}.{hint}")
    E023 = ("{path}: two components are both named '{name}' in the pipeline; give one a distinct "
            "'name'.")
    E024 = ("{path}: option '{option}' for component '{name}' sets '{key}', which is not a mapping "
            "in the component's config fragment.")
    # Training
    E030 = ("Training stopped at step {step}: the loss of component '{component}' is {value}. "
            "Lower the learning rate, raise warm-up, or check the training data for broken "
            "examples.")
    # Inference runtimes
    E040 = ("Unknown runtime '{name}': choose one of {known}.")
    E041 = ("The 'onnx' runtime needs onnxruntime{extra}, which is not installed ({error}). "
            "Install it with `pip install 'plait[onnx]'`.")
    E042 = ("The 'onnx' runtime runs on the CPU: the '{pipe}' transformer is on {device}. Load the "
            "pipeline without a GPU (no `gpu=`/`--gpu`), or keep the 'torch' runtime on a GPU.")
    E043 = ("The '{pipe}' transformer runs in ONNX Runtime (inference only): it can't be {action}. "
            "Load the pipeline again with the 'torch' runtime (the default) to {action2} it.")
    E044 = ("The '{pipe}' transformer exported to ONNX does not reproduce the torch model: largest "
            "difference {diff:.3g} on a test batch (tolerance {tol:g}). Keep the 'torch' runtime for "
            "this model, and please report it with the encoder's name.")
    E045 = ("The '{pipe}' transformer was already quantized with torch (`quantize` under the 'torch' "
            "runtime): load the float pipeline and ask for `runtime='onnx', quantize=True` instead.")
    # Component outputs and evaluation (issue 14: output contract, plait evaluate)
    E050 = ("Test data '{path}' does not exist: give a .spacy file or a folder of them.")
    E051 = ("No .spacy files under '{path}': `plait evaluate` reads spaCy DocBin test splits "
            "(e.g. corpus/<name>/test).")
    E052 = ("Could not read the DocBin '{path}': {error}")
    E053 = ("'{model}' has no component to evaluate: no pipe is made by an installed Plait "
            "component and none has a scorer (pipeline: {pipes}).")
    E054 = ("No metrics to report in '{path}': {error}. Write them with `plait evaluate MODEL DATA "
            "--output {path}`.")
    E055 = ("Could not load the pipeline '{model}': {error}")

    # Plugin isolation, load options, plugin author kit (issue 14, part 2: E070-E099)
    E070 = ("lazy() needs a 'module:attribute' target, got '{target}'.")
    E071 = ("{path}: component '{component}': plugin '{plugin}' failed to load: {error} "
            "(distribution {dist}; `plait plugins` shows every plugin's state).")
    E080 = ("'{name}' can't name a component: use 2-41 lowercase letters, digits and underscores, "
            "starting with a letter (it becomes the result field, doc._.{name} and plait_{name}).")
    E081 = ("{path} exists and is not empty: choose another --output folder, or pass --force to "
            "overwrite the files `plait new` writes.")
    # Coded messages of raises that had none (issue 14, part 2)
    E072 = ('int8 quantization runs on the CPU: drop either gpu or quantize')
    E073 = ("a quantized or ONNX Runtime pipeline can't be copied to worker processes: pass its path "
            "with quantize=True / runtime='onnx', and each worker applies them after loading")
    E074 = ('{source}: components[{i}].component: {exc}')
    E075 = ("The '{pipe_name}' transformer already runs in ONNX Runtime ({value}): load the pipeline "
            'again to change that.')
    E076 = ('add_plugin() must be called before the registry is first used')
    E077 = ('pass either a record or keyword arguments, not both')
    E078 = ('expected {expected}, got {got}')
    E079 = ('This torch build has no quantized CPU engine (x86/fbgemm/qnnpack): supported engines: '
            '{supported_engines}.')
    E082 = ("unknown format '{explicit}'; use one of {join}")
    E083 = ("cannot tell the format of '{path}' from its extension; pass "
            '--input-format/--output-format ({join})')
    E084 = ("Parquet needs pyarrow, which is not installed: pip install 'plait[io]' (or pip install "
            'pyarrow)')
    E085 = ('use reject()')
    E086 = ("unknown engine '{engine}'; use local or ray")
    E087 = ("cannot load the pipeline '{model}': {exc}")
    E088 = ('input not found: {input}')
    E089 = ('--resume needs a line-based output (jsonl, csv, text), not parquet')
    E090 = ('{output} exists: pass --resume to continue it or --overwrite')
    E091 = ('--code file not found: {path}')
    E092 = ('n_process must be >= 1')
    E093 = ('a worker process died (exit code {exitcode}) without reporting an error (see its output '
            'above). Killed for memory? A script that starts workers needs an `if __name__ == '
            "'__main__':` guard (spawn start method).")
    E094 = ('worker {what}: {payload}')
    E095 = ("--engine ray needs Ray Data, which is not installed: pip install 'plait[ray]' (or pip "
            "install 'ray[data]')")
    E096 = ('cannot resume: no checkpoint {checkpoint_path} and {output_format} output cannot be '
            'counted by lines')
    E097 = ('cannot resume: {output} or {rejects} is shorter than its checkpoint says; was it edited?')
    E098 = ('engine returned no result for records {value}')
    E099 = ("options= takes a plait.LoadOptions, got {got}.")


class Warnings(metaclass=ErrorsWithCodes):
    W001 = ("A span of {n} wordpieces is longer than the encoder's limit of {limit}, so the encoder "
            "only sees its first {limit}: the rest of it gets no transformer features (doc starting "
            "'{start}'). Lower the transformer's `window` (a spec's `transformer.window`) so every "
            "span fits; the doc is marked doc.user_data['plait.truncated'] = True.")
    # Plugin isolation (issue 14, part 2)
    W070 = ("spaCy factory '{name}' ({value}, distribution {dist} {version}) failed to import and "
            "is left out of this process, so other pipelines still load: {error}")


class PlaitError(Exception):
    """Base class of the errors Plait raises on purpose."""


class PluginError(PlaitError):
    pass


class SpecError(PlaitError, ValueError):
    pass


class UnknownNameError(PlaitError, KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


class TrainingDiverged(PlaitError, RuntimeError):
    pass


class PlaitValueError(PlaitError, ValueError):
    """A bad value (an argument, a record's field); still a ``ValueError`` for callers."""


class PlaitTypeError(PlaitError, TypeError):
    """A value of the wrong type; still a ``TypeError`` for callers."""


class PlaitFileNotFoundError(PlaitError, FileNotFoundError):
    """A file Plait was pointed at is missing; still a ``FileNotFoundError`` for callers."""


class PlaitRuntimeError(PlaitError, RuntimeError):
    """Something went wrong while running; still a ``RuntimeError`` for callers."""


class ScaffoldError(PlaitError, ValueError):
    """``plait new``: a name or folder it can't use."""
