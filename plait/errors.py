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

    # Own data: reading, importing, stats, init, train (plait/data, plait data/init/train)
    E100 = ("No such file or folder: {path}")
    E101 = ("{path}: unknown format '{fmt}'; use one of {known}.")
    E102 = ("Cannot tell the format of '{path}' from its name or content; pass --format (one of "
            "{known}).")
    E103 = ("Parquet needs pyarrow, which is not installed: pip install 'plait[io]' (or pip install "
            "pyarrow).")
    E104 = ("Bad record {reject}. Pass on_reject= to collect bad records instead of stopping.")
    E105 = ("No installed component has task '{task}'. Tasks of the installed components: {known}.")
    E106 = ("Components {names} all have task '{task}' and declare how to import gold data; name "
            "one with --component.")
    E107 = ("Component '{name}' (task '{task}') does not declare how to import gold data (no "
            "ComponentInfo.gold), so `plait data import` can't make its corpus.")
    E108 = ("{what} accepts {accepts} records, and this input gives '{shape}' records. {hint}")
    E109 = ("Unknown --align '{mode}': choose one of strict, contract, expand.")
    E110 = ("--split '{value}' is not three fractions or percentages (like 80/10/10) that add up "
            "to 100%.")
    E111 = ("{path}: output folder is not empty ({found}); pass --force to replace it.")
    E112 = ("Records read ({read}) != imported ({imported}) + rejected ({rejected}): records were "
            "lost; please report this with the input's format.")
    E113 = ("{path}: not an imported data folder (no meta.json). Make one with `plait data import`.")
    E114 = ("{path}: meta.json is not readable: {error}")
    E115 = ("No usable records in {inputs}: all {rejected} were rejected (see {rejects}).")
    E116 = ("Data folders {paths} are both for component '{name}' (task '{task}'): one component "
            "trains on one folder. Import both files with one `plait data import` instead.")
    E117 = ("{path} already exists; pass --force to overwrite it, or -o for another path.")
    E118 = ("Override '{arg}' is not in spaCy's form `--section.key value`.")
    E119 = ("The pipeline spec {path} names data that does not exist: {split} = {data}. Import it "
            "with `plait data import`, or fix training.{split} in the spec.")
    E121 = ("No records reached the train split ({counts}); import more data, or give --train.")
    E122 = ("--train, --dev and --test are all given, so the inputs {inputs} have no split to go "
            "to; pass them as one of those, or drop one of the three.")
    E123 = ("Invalid tag sequence at token {token}: {msg}")
    E124 = ("The data folders {paths} have no dev docs: training evaluates on dev. Import with "
            "--dev FILE, or let `plait data import` split the inputs.")


class Warnings(metaclass=ErrorsWithCodes):
    W001 = ("A span of {n} wordpieces is longer than the encoder's limit of {limit}, so the encoder "
            "only sees its first {limit}: the rest of it gets no transformer features (doc starting "
            "'{start}'). Lower the transformer's `window` (a spec's `transformer.window`) so every "
            "span fits; the doc is marked doc.user_data['plait.truncated'] = True.")


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


class DataError(PlaitError, ValueError):
    """A user's data can't be read or imported as asked."""
