"""Plait's coded error catalogue, in the style of spaCy's ``spacy.errors``.

Every error a user can meet carries a stable code (``E0xx``) so it can be searched for and documented.
Messages are templates filled with ``str.format`` keywords. There is one catalogue per distribution:
this one (``E``/``W`` codes, in blocks by area, one code per kind of mistake: no two codes say the
same thing) and one per plugin, each a :class:`Catalogue` with its own prefix (``NER``, ``TEXTCAT``...).
``tests/test_error_catalogue.py`` fails on a code defined twice, a code nothing uses and a message
printed with two prefixes. The CLI prints a :class:`PlaitError` once, at its edge (``plait.cli.app``).
"""
from __future__ import annotations


class ErrorsWithCodes(type):
    """Reading a message off a catalogue prefixes its code: ``Errors.E001`` is ``"[E001] ..."``."""

    def __getattribute__(cls, code: str) -> str:  # noqa: N805 - metaclass
        msg = super().__getattribute__(code)
        if code.startswith("_") or not isinstance(msg, str):
            return msg
        return f"[{code}] {msg}"


class Catalogue(metaclass=ErrorsWithCodes):
    """A table of coded messages; the one way to declare one, in the core and in every plugin::

        class Errors(Catalogue, prefix="NER"):
            NER001 = ("Component '{name}': no entity labels found in the training examples.")

    Each code is the prefix and three digits, and is printed once, as ``[NER001] message``: a message
    carries no prefix of its own (no ``[plait_ner]``; the code already says whose it is).
    """

    def __init_subclass__(cls, prefix: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        for code, msg in vars(cls).items():
            if code.startswith("_"):
                continue
            if not (prefix and code.startswith(prefix) and code[len(prefix):].isdigit()):
                raise TypeError(f"{cls.__module__}.{cls.__qualname__}.{code}: a code is "
                                f"'{prefix}' and digits")
            if not isinstance(msg, str) or msg.lstrip().startswith("["):
                raise TypeError(f"{cls.__module__}.{cls.__qualname__}.{code}: a message is a string "
                                "with no prefix of its own (its code is added when it is read)")


class Errors(Catalogue, prefix="E"):
    # Plugins: discovery, registry, hooks, isolation, lazy entry points (plait/plugins)
    E001 = ("Plugin '{plugin}' (distribution {dist} {version}) failed to {stage}: {error}")
    E002 = ("{kind} '{name}' is claimed by two plugins: '{first}' (distribution {first_dist}) and "
            "'{second}' (distribution {second_dist}). Uninstall one of them, or block one with "
            "PLAIT_BLOCK_PLUGINS.")
    E003 = ("Plugin '{plugin}' registered an invalid {kind}: {error}")
    E004 = ("Unknown {kind} '{name}'. Known {kind}s: {known}.{hint}")
    E005 = ("Plugin '{plugin}' implements hooks that Plait does not define: {hooks}. "
            "Check their spelling against plait.plugins.hookspecs.")
    E070 = ("lazy() needs a 'module:attribute' target, got '{target}'.")
    E071 = ("{path}: component '{component}': plugin '{plugin}' failed to load: {error} "
            "(distribution {dist}; `plait plugins` shows every plugin's state).")
    E076 = ('add_plugin() must be called before the registry is first used')
    E077 = ('pass either a record or keyword arguments, not both')
    E078 = ('expected {expected}, got {got}')

    # Encoders: resolving a spec's encoder name (plait/training/encoders)
    E010 = ("Encoder '{name}' resolved to '{path}', which is not a Hugging Face model folder "
            "(no config.json). Is its package ({package}) installed completely?")
    E011 = ("Encoder '{name}' could not be resolved: {error}")

    # Pipeline specs and composing a config (plait/training/spec, compose)
    E020 = ("{path}: invalid pipeline spec at '{loc}': {msg}.{hint}")
    E021 = ("{path}: could not read the pipeline spec: {error}")
    E022 = ("{path}: component '{component}' is not installed. Installed components: {known}.{hint}")
    E024 = ("{path}: option '{option}' for component '{name}' sets '{key}', which is not a mapping "
            "in the component's config fragment.")
    E074 = ('{source}: components[{i}].component: {exc}')
    E201 = ("{path}: the composed pipeline could not be built: {error}. A component's factory "
            "raised while it was made; `plait plugins` builds each factory and names the plugin.")

    # Training: plait train, overrides, divergence (plait/training/trainer, callbacks)
    E030 = ("Training stopped at step {step}: the loss of component '{component}' is {value}. "
            "Lower the learning rate, raise warm-up, or check the training data for broken "
            "examples.")
    E118 = ("Override '{arg}' is not in spaCy's form `--section.key value`.")
    E119 = ("The pipeline spec {path} names data that does not exist: {split} = {data}. Import it "
            "with `plait data import`, or fix training.{split} in the spec.")

    # Learning curves: plait curve (plait/training/curve; issue 31, E240-E249)
    E240 = ("Sizes '{sizes}': '{part}' is not a size. Give counts (0,8,16,32,all: per class for "
            "classifiers, else documents) or fractions (0.1,0.25,50%,all), not both.")
    E241 = ("Unknown --unit '{unit}': choose one of {units}.")
    E242 = ("--unit per-class needs every component's gold to be labels; {pipes} "
            "{verb} not. Use --unit docs, or fractions.")
    E243 = ("The learning curve of {path} has no {what} data: {data} does not exist. Give --test, "
            "or fix the spec's training paths.")
    E244 = ("Cannot continue the learning curve in {path}: {reason}. Use another --output "
            "folder, or delete the table to start again.")
    E245 = ("Size 0 is the zero-shot point, and no component of {path} ({components}) names a "
            "zero-shot stand-in. Drop 0 from --sizes.")
    E246 = ("Size {size} ({unit}) selects no training document from {path}.")
    E247 = ("Zero-shot options name {pipes}, which no zero-shot stand-in replaces (replaced: "
            "{swapped}).")
    E248 = ("{path}: the zero-shot options are not a mapping of pipe name to options ({error}).")
    E249 = ("A learning curve needs at least one training seed (--seeds 1 or more).")

    # Training checkpoints and `plait train --resume` (issue 32; E210-E219)
    E210 = ("Training stopped at step {step}: its checkpoint could not be written to {dir}: {error}. "
            "{previous} Free some disk space, then continue with `{command}`.")
    E211 = ("{dir}: the checkpoint of step {step} was made with another config: {keys} changed. "
            "Resume with the same spec and overrides, or train afresh (without --resume, or into "
            "another -o folder).")
    E212 = ("{dir}: the training data changed since the checkpoint of step {step}: {what}. Resume "
            "with the same data, or train afresh (without --resume, or into another -o folder).")
    E213 = ("The checkpoint does not fit the pipeline built from the config: it holds {what}, "
            "which the pipeline lacks or has in another shape.")
    E214 = ("Can't checkpoint {what}: `plait train` saves thinc parameters and PyTorch models only.")
    E215 = ("Invalid --{key} {value!r}: checkpoints.every_steps (0: off) and every_minutes (0: "
            "off) take a number >= 0, checkpoints.keep an integer >= 1.")
    E216 = ("{path}: the checkpoint can't be read ({error}). Remove that folder to resume from the "
            "one before it, or train afresh without --resume.")
    E217 = ("Training stopped by {signal} at step {step}; its checkpoint is in {dir}. Continue with "
            "`{command}`.")
    E218 = ("The training corpus ({corpus}) holds no examples.")
    # Fine-tuning recipe: two stages, per-group learning rates, class balance (plait/training/finetune, balance)
    E150 = ("plait.fine_tuning.v1: head_steps ({head_steps}), encoder_lr_scale ({scale}), "
            "encoder_warmup_steps ({warmup}), feature_cache_mb ({cache}) and trainable_layers "
            "({layers}) must not be negative.")
    E151 = ("plait.fine_tuning.v1: the pipeline has no component '{name}' to fine-tune (its "
            "components: {pipes}). Set the callback's `encoder` to the shared transformer's name.")
    E152 = ("{path}: training.{key} needs the encoder to train, but training.freeze_encoder is true "
            "(the encoder never trains). Drop freeze_encoder for a two-stage run, or drop {key}.")
    E153 = ("{component} '{name}': unknown {option} {value!r}; use \"balanced\" (weights from the "
            "training data's label counts), a mapping of label to weight, or null (no weighting).")
    E154 = ("{component} '{name}': {option} gives a weight for unknown label(s) {labels}; its "
            "labels are {known}.")
    E155 = ("{component} '{name}': the weight of label '{label}' is {value!r}; weights must be "
            "positive finite numbers.")
    E156 = ("{path}: {option} needs two-stage fine-tuning or per-group learning rates in the "
            "config ([training.before_update] of plait.fine_tuning.v1), which it has not. Compose it "
            "from a spec with training.head_steps or training.encoder_learning_rate.")
    E157 = ("plait.fine_tuning.v1: trainable_layers is {layers}, but the encoder '{name}' has "
            "{count} transformer layers (found as the longest layer list of its Hugging Face "
            "model{where}). Use 1 to {count}, or 0 to train them all.")
    # small-data recipe: head_init and pair_loss (plait/training/few_shot)
    E158 = ("{component} '{name}': head_init is {value!r}; use null (the output layer starts at "
            "zero) or \"fit\" (fitted on the frozen encoder's pooled vectors of the training docs).")
    E159 = ("{component} '{name}': pair_loss is {value!r}; it is a weight, 0 (none) or more.")
    E160 = ("{component} '{name}': head_init \"fit\" runs the training docs through the "
            "pipeline's encoder, so initialize() needs the pipeline: call nlp.initialize(), not "
            "the component's.")

    # Runtime: loading a pipeline, load options, quantization, ONNX Runtime, windows, outputs (plait/runtime)
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
    E046 = ("Could not load the pipeline '{model}': {error}")
    E072 = ('int8 quantization runs on the CPU: drop either gpu or quantize')
    E075 = ("The '{pipe_name}' transformer already runs in ONNX Runtime ({value}): load the pipeline "
            'again to change that.')
    E079 = ('This torch build has no quantized CPU engine (x86/fbgemm/qnnpack): supported engines: '
            '{supported_engines}.')
    E099 = ("options= takes a plait.LoadOptions, got {got}.")
    E190 = ("window {window} / stride {stride}: both must be positive integers and the stride at "
            "most the window (a stride over the window would leave tokens outside every window).")
    E191 = ("'{model}' has no transformer with strided windows to set (no pipe whose model has a "
            "`get_spans` with a window); --window/--stride apply to Plait's shared transformer.")
    E200 = ("Pipe '{pipe}' (factory '{factory}', distribution {dist}) has no output contract, because "
            "its plugin '{plugin}' failed to register: {failure}. Its output would be missing from "
            "every result, so the pipeline is not run. Fix the plugin (`plait plugins` shows its "
            "state), or remove the pipe.")

    # Evaluation: plait evaluate / report (plait/evaluation)
    E050 = ("Test data '{path}' does not exist: give a .spacy file or a folder of them.")
    E051 = ("No .spacy files under '{path}': `plait evaluate` reads spaCy DocBin test splits "
            "(e.g. corpus/<name>/test).")
    E052 = ("Could not read the DocBin '{path}': {error}")
    E053 = ("'{model}' has no component to evaluate: no pipe is made by an installed Plait "
            "component and none has a scorer (pipeline: {pipes}).")
    E054 = ("No metrics to report in '{path}': {error}. Write them with `plait evaluate MODEL DATA "
            "--output {path}`.")

    # IO and records: file formats, the one record check (plait/io)
    E085 = ('use reject()')
    E100 = ("No such file or folder: {path}")
    E101 = ("{path}: unknown format '{fmt}'; use one of {known}.")
    E102 = ("Cannot tell the format of '{path}' from its name or content; pass {option} (one "
            "of {known}).")
    E103 = ("Parquet needs pyarrow, which is not installed: pip install 'plait[io]' (or pip install "
            "pyarrow).")
    E104 = ("Bad record {reject}. Pass on_reject= to collect bad records instead of stopping.")
    E238 = ("{where}: no {start} ... {end} block to write the generated result fields into.")

    # Runner: plait run, worker pools, Ray Data, resume (plait/runner)
    E073 = ("a quantized or ONNX Runtime pipeline can't be copied to worker processes: pass its path "
            "with quantize=True / runtime='onnx', and each worker applies them after loading")
    E086 = ("unknown engine '{engine}'; use local or ray")
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

    # Serving: plait serve, request bodies, batching, Ray Serve (plait/serve)
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
    E148 = ("Invalid serve option: {error}")
    E149 = ("Record {record} holds invalid Unicode (a lone surrogate escape such as \\udc80): "
            "send the text as valid UTF-8.")
    E230 = ("{where} nests {depth} levels deep, over the limit of {limit}{option}: records "
            "and their fields are kept as they are, so they are refused before they are parsed "
            "rather than failing later.")
    E231 = ("The client closed the connection before the answer ({stage}); its queued work was "
            "dropped.")
    E232 = ("The result of record {record} could not be turned into JSON ({error}); the other "
            "records of the batch are answered.")
    E233 = ("No such route: {method} {path}. Routes: {routes}.")
    E234 = ("{method} is not allowed on {path}: use {allowed}.")
    E235 = ("The request body's Content-Type is '{given}': send JSON, with 'Content-Type: "
            "application/json' (curl: --json, or -H 'Content-Type: application/json').")
    E239 = ("plait serve {why} ({model}); what it printed:\n{output}")

    # Own data: import, stats, init, splits, tags (plait/data)
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
    E112 = ("Records read ({read}) != imported ({imported}) + rejected ({rejected}) + skipped by "
            "answer ({skipped}): records were lost; please report this with the input's format.")
    E113 = ("{path}: not an imported data folder (no meta.json). Make one with `plait data import`.")
    E114 = ("{path}: meta.json is not readable: {error}")
    E115 = ("No usable records in {inputs}: all {rejected} were rejected{skipped} (see {rejects}).")
    E116 = ("Data folders {paths} are both for component '{name}' (task '{task}'): one component "
            "trains on one folder. Import both files with one `plait data import` instead.")
    E117 = ("{path} already exists; pass --force to overwrite it, or -o for another path.")
    E120 = ("Excel .xlsx files need openpyxl, which is not installed: pip install 'plait[io]' (or "
            "pip install openpyxl), or save the sheet as CSV.")
    E121 = ("No records reached the train split ({counts}); import more data, or give --train.")
    E122 = ("--train, --dev and --test are all given, so the inputs {inputs} have no split to go "
            "to; pass them as one of those, or drop one of the three.")
    E123 = ("Invalid tag sequence at token {token}: {msg}")
    E124 = ("The data folders {paths} have no dev docs: training evaluates on dev. Import with "
            "--dev FILE, or let `plait data import` split the inputs.")
    E125 = ("--delimiter '{value}' is not one character: give the one character that separates the "
            "fields (tab, or \\t, for a tab).")
    E236 = ("--encoding '{value}' is not an encoding Python knows; e.g. utf-8, cp1252, latin-1, "
            "utf-16.")
    # whole-file diagnoses: every record of a file (or all of its first ones) failed the same way
    E126 = ("{path}: none of its {n} records has a text field '{field}'; its fields are "
            "{fields}.{hint} Name the text field with --text-field.")
    E127 = ("{path}: {what}; its fields are probably separated by {found}, not {used}. Pass "
            "--delimiter {flag}.")
    E128 = ("{path}: {n} of its {read} records are not UTF-8, and its bytes read as {encoding}. "
            "Pass --encoding {encoding}.")
    E129 = ("{path}: none of its {n} records has a gold field ({names}); its fields are "
            "{fields}.{hint} Name the gold field with {option}.")
    # plait init --budget (plait/data/init_spec)
    E237 = ("--budget '{value}' is not a time budget: give seconds, minutes or hours like 90s, 20m, "
            "1.5h, or 'none' to size training to the data alone.")

    # Adapting encoders: plait pretrain / distill / encoders (plait/adapt)
    E170 = ("No text to {verb} on: the sources ({sources}) gave {docs} usable document(s){rejects}. "
            "Give files with one document per line, JSONL/CSV with `--text-field`, .spacy files, "
            "folders of them, or named corpora.")
    E171 = ("Text source '{source}' does not exist and is not a named corpus. Named corpora: "
            "{known}.{hint}")
    E172 = ("Named corpus '{name}' could not be converted for its train split: {error}. Convert "
            "it yourself (`plait corpus {name} DIR --source ...`) and pass DIR/train.spacy.")
    E173 = ("The held-out slice needs at least 2 documents (one to train on, one to hold out); the "
            "sources gave {docs}. Add text.")
    E174 = ("Cannot resume from '{path}': {reason}. Start again without --resume (it overwrites "
            "the checkpoints), or pass the same encoder, text and settings as the first run.")
    E175 = ("Output folder '{path}' already holds a run ({what}). Pass --resume to continue it, "
            "--overwrite to start again, or choose another folder.")
    E176 = ("--gpu-id {gpu_id} asked for a GPU, but torch sees {found}. Use --gpu-id -1 for the "
            "CPU.")
    E177 = ("Encoder folder '{path}' cannot be loaded as a masked language model: {error}")
    E178 = ("The student needs between 1 and {teacher} layers (the teacher's count); asked for "
            "{layers}.")
    E179 = ("--init-layers must name {layers} distinct teacher layers between 0 and {last}; got "
            "{given}.")
    E180 = ("'{path}' is not a Hugging Face encoder folder (no config.json): cannot register it as "
            "encoder '{name}'.")
    E181 = ("Encoder name '{name}' is taken by {owner}; choose another name for the local encoder.")
    E182 = ("Encoder name '{name}' is not valid: use lower-case letters, digits, '-', '_' or '.', "
            "starting with a letter.")
    E183 = ("The local encoder list {path} is not valid JSON ({error}); fix or delete it.")
    E184 = ("--window {window} is out of range: the encoder takes at most {limit} wordpieces, and a "
            "window needs at least 8.")
    E185 = ("Text source '{source}' could not be read: {error}")

    # Scaffold: plait new component (plait/plugins/scaffold)
    E080 = ("'{name}' can't name a component: use 2-41 lowercase letters, digits and underscores, "
            "starting with a letter (it becomes the result field, doc._.{name} and plait_{name}).")
    E081 = ("{path} exists and is not empty: choose another --output folder, or pass --force to "
            "overwrite the files `plait new` writes.")
    E082 = ("--kind {kind!r} is not a kind of component `plait new` writes: use {kinds}.")
    E083 = ("--labels {labels!r}: {problem} (give them comma-separated, e.g. --labels high,low).")

class Warnings(Catalogue, prefix="W"):
    W001 = ("A span of {n} wordpieces is longer than the encoder's limit of {limit}, so the encoder "
            "only sees its first {limit}: the rest of it gets no transformer features (doc starting "
            "'{start}'). Lower the transformer's `window` (a spec's `transformer.window`) so every "
            "span fits; the doc is marked doc.user_data['plait.truncated'] = True.")
    W002 = ("training.max_steps ({steps}) is not a multiple of training.eval_frequency ({every}): "
            "spaCy evaluates only every {every} steps, so the last {rest} steps are never scored and "
            "model-best cannot include them. Make max_steps a multiple of eval_frequency (e.g. "
            "{suggest}).")
    W003 = ("{path}: {n} of its {read} records were rejected as not UTF-8, and the file's bytes "
            "read as {encoding}: pass --encoding {encoding} to import them.")
    # Plugin isolation (issue 14, part 2)
    W070 = ("spaCy factory '{name}' ({value}, distribution {dist} {version}) failed to import and "
            "is left out of this process, so other pipelines still load: {error}")


# The errors Plait raises on purpose: PlaitError, and one subclass per way a caller catches them
# (as the built-in exception it also is, or a KeyError, or a failed training run). The CLI prints any
# of them once, as one line (plait.cli.app); a message always comes from a catalogue above.
class PlaitError(Exception):
    """Base class of the errors Plait raises on purpose."""


class PlaitValueError(PlaitError, ValueError):
    """A bad value: an argument, a spec, a record, a data folder, a setting; still a ``ValueError``."""


class PlaitTypeError(PlaitError, TypeError):
    """A value of the wrong type; still a ``TypeError`` for callers."""


class PlaitFileNotFoundError(PlaitError, FileNotFoundError):
    """A file Plait was pointed at is missing; still a ``FileNotFoundError`` for callers."""


class PlaitRuntimeError(PlaitError, RuntimeError):
    """Something went wrong while running; still a ``RuntimeError`` for callers."""


class PluginError(PlaitError):
    """A plugin failed to load or register."""


class UnknownNameError(PlaitError, KeyError):
    """An unknown component, encoder or other registered name."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


class TrainingDiverged(PlaitError, RuntimeError):
    """Training stopped on a non-finite loss."""


# Names importers know, for the one value-error class (the code in the message names the area).
SpecError = DataError = AdaptError = ComponentConfigError = PlaitValueError
