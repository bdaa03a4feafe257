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

    # Serving (plait serve: HTTP service, dynamic batching, Ray Serve)
    E130 = ("The request body is {size} bytes, over the limit of {limit} bytes (--max-body-bytes). "
            "Send the records in smaller requests.")
    E131 = ("The request holds {n} records, over the limit of {limit} per request (--max-records). "
            "Split it into requests of at most {limit} records.")
    E132 = ("Record {record}: the text field '{field}' has {n} characters, over the limit of {limit} "
            "(--max-chars). Split the text, or raise the limit.")
    E133 = ("The request body is not valid JSON: {error}.")
    E134 = ("The request body is {kind}: send one record (an object, or a string) or a non-empty "
            "list of records.")
    E135 = ("Record {record} is {kind}: a record is an object with a '{field}' field, or a string.")
    E136 = ("Record {record} has no text field '{field}'.")
    E137 = ("Record {record}: the text field '{field}' is {kind}, not a string.")
    E138 = ("Record {record}: the text field '{field}' is empty or only whitespace.")
    E139 = ("Record {record}: the id field '{field}' is {kind}; an id is a string or an integer.")
    E140 = ("The server is busy: its queue holds {depth} requests (the limit, --queue-size). Retry "
            "after {retry} s.")
    E141 = ("The request was not answered within {timeout:g} s (--timeout); the server is "
            "overloaded or the texts are too long for that limit.")
    E142 = ("Processing the batch holding this request failed: {error}. The server keeps serving; "
            "please report this with the records that caused it.")
    E143 = ("Processing failed for {n} record(s) of the request: {details}.")
    E144 = ("The pipeline is not ready: {state}.")
    E145 = ("Missing or wrong API key: send the header 'Authorization: Bearer <key>'.")
    E146 = ("`plait serve` needs {packages}, which {verb} not installed ({error}). Install it with "
            "`pip install 'plait[{extra}]'`.")
    E147 = ("Could not load the pipeline '{model}': {error}")
    E148 = ("Invalid serve option: {error}")
    E149 = ("Record {record} holds invalid Unicode (a lone surrogate escape such as \\udc80): "
            "send the text as valid UTF-8.")


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
