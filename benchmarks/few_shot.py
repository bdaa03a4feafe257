"""Few labels, side by side: Plait's recipes, SetFit and TF-IDF + logistic regression on the same
training examples, scored on the same test split, several seeds per size.

    python benchmarks/few_shot.py --corpus trec=pipeline/textcat-trec.yml:corpus/fs-trec \
        --sizes 8,16 --seeds 3 --max-steps 60 --setfit-python /path/to/setfit-venv/bin/python

For every corpus (``name=SPEC:DATA``; ``DATA`` holds ``train.spacy``, ``dev.spacy`` and
``test.spacy``, what ``plait corpus`` writes) it runs ``plait curve`` once per Plait recipe, with
the same ``--data-seed``, so every recipe and seed trains on the same nested subsets (per class);
then it reads those subsets back (``subsets/SIZE.spacy``) and trains the peers on exactly the same
documents:

- ``plait``: the spec as it is (its component's default head), cut to ``--max-steps``;
- ``plait few-shot``: the same with ``head_init: fit`` and ``pair_loss: 1`` on the classifier
  (``plait.training.few_shot.SMALL_DATA_OPTIONS``, what ``plait init`` sets for small data; the
  small-data recipe: a head fitted on the frozen encoder before step 1, and SetFit's
  cosine-similarity loss on every pair of a batch), same steps;
- ``plait pair`` (only when asked for in ``--recipes``): the pair loss alone, default head;
- ``setfit``: SetFit 1.x (``benchmarks/setfit_peer.py``, in SetFit's own virtual environment given
  by ``--setfit-python``) from the **same encoder folder** as the spec's, its default recipe (20
  pair iterations, one epoch, logistic-regression head);
- ``tf-idf + lr``: the quality table's TF-IDF + logistic-regression peer
  (``scripts/peers.py``'s ``tfidf_lr_peer``: C picked on the dev split); it has no seed, so it is run
  once per size.

Every score is the macro F over the component's labels (for Plait, the scorer's ``*_macro_f``; for
the peers, scikit-learn's ``f1_score(average="macro")`` of the same decisions). The work folder
(``--work``, default ``curves/few-shot``) keeps every finished run, so a killed benchmark continues
where it stopped; the table is written to ``benchmarks/results/few-shot.json``, which
``benchmarks/tables.py`` renders.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, machine_info, markdown_table, write_json  # noqa: E402
from scripts.peers import tfidf_lr_peer  # noqa: E402  (the quality table's TF-IDF + LR peer)
from plait.training.few_shot import SMALL_DATA_OPTIONS  # noqa: E402  (what plait init sets)

#: Plait's recipes: name -> options set on the spec's classifier (None: the spec as it is).
RECIPES: Dict[str, Optional[Dict[str, Any]]] = {
    "plait": None,
    "plait few-shot": SMALL_DATA_OPTIONS,
    # the pair loss alone, default head
    "plait pair": {"pair_loss": SMALL_DATA_OPTIONS["pair_loss"]},
}
DEFAULT_RECIPES = ("plait", "plait few-shot", "setfit", "tf-idf + lr")


def read_labelled(path: Path, labels: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(texts, gold labels) of a DocBin, read as the quality table's peers read their splits."""
    import spacy

    from scripts.peers import labelled, read_docs

    nlp = spacy.blank("en")
    return labelled([doc for _, doc in read_docs(path, nlp.vocab)], labels)


def macro_f(gold: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(list(gold), list(predicted), labels=sorted(set(gold)), average="macro",
                          zero_division=0))


def spec_component(spec_path: Path) -> Tuple[str, List[str]]:
    """The spec's one classifier: (pipe name, its labels)."""
    from plait.training.spec import load_spec

    comp = load_spec(spec_path).components[0]
    return comp.name or comp.component, list(comp.labels or [])


def encoder_folder(spec_path: Path) -> str:
    """The folder of the spec's encoder (SetFit is given the same weights)."""
    from plait.training.encoders import resolve_encoder
    from plait.training.spec import load_spec

    return str(resolve_encoder(load_spec(spec_path).encoder))


def run_curve(spec: Path, data: Path, work: Path, args: argparse.Namespace,
              options: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    pipe, _ = spec_component(spec)
    cmd = [sys.executable, "-m", "plait", "curve", str(spec), "-o", str(work),
           "--sizes", args.sizes, "--seeds", str(args.seeds), "--data-seed", str(args.data_seed),
           "--test", str(data / "test.spacy"), "--max-steps", str(args.max_steps),
           "--eval-frequency", str(args.max_steps),
           "--paths.train", str(data / "train.spacy"), "--paths.dev", str(data / "dev.spacy")]
    for key, value in (options or {}).items():
        cmd += [f"--components.{pipe}.{key}", json.dumps(value)]
    done = subprocess.run(cmd)
    if done.returncode:
        raise SystemExit(f"plait curve failed ({done.returncode}): {' '.join(cmd)}")
    return json.loads((work / "curve.json").read_text(encoding="utf8"))


def curve_scores(table: Dict[str, Any], pipe: str) -> Dict[str, List[float]]:
    """size -> the macro F of each seed's run."""
    out: Dict[str, List[float]] = {}
    for point in table["points"]:
        values = []
        for run in point["runs"]:
            scores = (run["scores"].get(pipe) or {}).get("scores") or {}
            key = next((k for k in scores if k.endswith("_macro_f")), None)
            if key is not None and scores[key] is not None:
                values.append(float(scores[key]))
        out[point["size"]] = values
    return out


def setfit_run(python: str, model: str, train: List[List[str]], test: List[str], seed: int,
               work: Path) -> Dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    job, result = work / f"job-{seed}.json", work / f"result-{seed}.json"
    job.write_text(json.dumps({"model": model, "seed": seed, "train": train, "test": test}),
                   encoding="utf8")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false")
    with open(work / f"setfit-{seed}.log", "w", encoding="utf8") as log:
        done = subprocess.run([python, str(ROOT / "benchmarks" / "setfit_peer.py"), str(job),
                               str(result)], env=env, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        raise SystemExit(f"SetFit failed ({done.returncode}); see {work / f'setfit-{seed}.log'}")
    job.unlink()
    return json.loads(result.read_text(encoding="utf8"))


def summary(values: Sequence[float]) -> Dict[str, Any]:
    """Mean, std (sample, as ``plait curve`` reports it) and count of the seeds' scores."""
    from plait.training.curve import aggregate

    if not values:
        return {"mean": None, "std": None, "n": 0}
    return aggregate([{"scores": {"f": {"metric": "macro_f", "value": v}}} for v in values])["f"]


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", action="append", required=True,
                    help="name=SPEC:DATA, e.g. trec=pipeline/textcat-trec.yml:corpus/fs-trec")
    ap.add_argument("--sizes", default="8,16", help="Examples per class")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--data-seed", type=int, default=0)
    ap.add_argument("--max-steps", type=int, default=60)
    ap.add_argument("--setfit-python", default=None,
                    help="Python of a virtual environment with setfit (its own pins)")
    ap.add_argument("--recipes", default=",".join(DEFAULT_RECIPES),
                    help=f"Any of: {', '.join([*RECIPES, 'setfit', 'tf-idf + lr'])}")
    ap.add_argument("--work", type=Path, default=Path("curves") / "few-shot")
    ap.add_argument("--output", type=Path,
                    default=ROOT / "benchmarks" / "results" / "few-shot.json")
    args = ap.parse_args(argv)
    wanted = [r.strip() for r in args.recipes.split(",") if r.strip()]
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [r for r in wanted if r not in RECIPES and r not in ("setfit", "tf-idf + lr")]
    if unknown:
        raise SystemExit(f"unknown recipe(s): {', '.join(unknown)}")
    command = " ".join(["python", "benchmarks/few_shot.py",
                        *(argv if argv is not None else sys.argv[1:])])
    # Rows this run does not measure (other corpora, sizes or recipes) are kept: the table fills
    # up one run at a time.
    previous = json.loads(args.output.read_text(encoding="utf8")) if args.output.exists() else {}
    rows: List[Dict[str, Any]] = list(previous.get("rows", []))
    commands: Dict[str, List[str]] = dict(previous.get("settings", {}).get("commands", {}))
    for item in args.corpus:
        name, _, rest = item.partition("=")
        spec_text, _, data_text = rest.rpartition(":")
        spec, data = Path(spec_text), Path(data_text)
        pipe, labels = spec_component(spec)
        base = args.work / name
        scores: Dict[str, Dict[str, List[float]]] = {}
        seconds: Dict[str, float] = {}
        for recipe, options in RECIPES.items():
            if recipe not in wanted:
                continue
            table = run_curve(spec, data, base / recipe.replace(" ", "-"), args, options)
            scores[recipe] = curve_scores(table, pipe)
            seconds[recipe] = sum(r["seconds"] for p in table["points"] for r in p["runs"]) / max(
                1, sum(len(p["runs"]) for p in table["points"]))
        subsets = next((base / r.replace(" ", "-") / "subsets" for r in RECIPES
                        if (base / r.replace(" ", "-") / "subsets").is_dir()), None)
        if subsets is None:  # the subsets are written by plait curve
            raise SystemExit("the peers train on the curve's subsets: keep a Plait recipe in "
                             "--recipes")
        test_texts, gold = read_labelled(data / "test.spacy", labels)
        dev = read_labelled(data / "dev.spacy", labels)
        peers_path = base / "peers.json"
        peers = json.loads(peers_path.read_text(encoding="utf8")) if peers_path.exists() else {}
        for size in sizes:
            train = read_labelled(subsets / f"{size}.spacy", labels)
            if "tf-idf + lr" in wanted:
                key = f"tf-idf + lr/{size}/0"
                if key not in peers:
                    t0 = time.perf_counter()
                    predicted, _ = tfidf_lr_peer(train, dev, test_texts)
                    peers[key] = {"f": macro_f(gold, predicted),
                                  "seconds": round(time.perf_counter() - t0, 1)}
                    peers_path.write_text(json.dumps(peers, indent=1), encoding="utf8")
            if "setfit" in wanted and args.setfit_python:
                for seed in range(args.seeds):
                    key = f"setfit/{size}/{seed}"
                    if key in peers:
                        continue
                    out = setfit_run(args.setfit_python, encoder_folder(spec),
                                     [list(pair) for pair in zip(*train)], test_texts, seed,
                                     base / "setfit")
                    peers[key] = {"f": macro_f(gold, out["predicted"]), "seconds": out["seconds"]}
                    peers_path.write_text(json.dumps(peers, indent=1), encoding="utf8")
                    print(f"✔ {name} setfit {size}/class seed {seed}: {100 * peers[key]['f']:.1f}",
                          flush=True)
        measured = {(recipe, int(size)) for recipe in wanted for size in sizes}
        rows = [r for r in rows if r["corpus"] != name or (r["recipe"], r["per_class"])
                not in measured]
        if command not in commands.setdefault(name, []):
            commands[name].append(command)  # every command that measured rows of this corpus
        for recipe in list(scores) + ["setfit", "tf-idf + lr"]:
            if recipe not in wanted:
                continue
            for size in sizes:
                if recipe in scores:
                    values, secs = scores[recipe].get(size, []), seconds.get(recipe)
                else:
                    found = [v for k, v in peers.items() if k.startswith(f"{recipe}/{size}/")]
                    values = [v["f"] for v in found]
                    secs = statistics.fmean(v["seconds"] for v in found) if found else None
                s = summary(values)
                rows.append({
                    "corpus": name, "per_class": int(size), "recipe": recipe,
                    "macro_f": None if s["mean"] is None else
                    f"{100 * s['mean']:.1f} ± {100 * s['std']:.1f}",
                    "seeds": s["n"], "per_seed": ", ".join(f"{100 * v:.1f}" for v in values),
                    "seconds_per_run": None if secs is None else round(secs, 1),
                    "mean": s["mean"], "std": s["std"]})
        # Written after every corpus, so a run stopped later keeps what it measured.
        data = {"benchmark": "few-shot", "machine": machine_info(),
                "settings": {"data_seed": args.data_seed, "recipes": RECIPES,
                             "metric": "macro F over the component's labels",
                             "commands": commands},
                "rows": rows}
        path = write_json(args.output, data)
        print(f"wrote {path} ({name})", flush=True)
    print(markdown_table(list(rows[0])[:7], [list(r.values())[:7] for r in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
