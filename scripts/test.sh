#!/usr/bin/env bash
# The test command: set up the environment (idempotent), then run the whole test suite.
#   bash scripts/test.sh            # everything CI runs
#   bash scripts/test.sh -m "not integration" -x   # extra pytest arguments pass through
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python -m pytest -q -ra "$@"
