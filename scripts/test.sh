#!/usr/bin/env bash
# The test command: set up the environment (idempotent), then run the whole test suite.
#   bash scripts/test.sh            # everything CI runs
#   bash scripts/test.sh -m "not integration" -x   # extra pytest arguments pass through
#   PLAIT_TEST_WORKERS=1 bash scripts/test.sh     # one process (default: a worker per core, at most 4;
#                                                 # each test file stays on one worker: --dist loadfile)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
WORKERS="${PLAIT_TEST_WORKERS:-$(.venv/bin/python -c 'import os; print(max(1, min(4, len(os.sched_getaffinity(0)))))')}"
PARALLEL=()
[ "$WORKERS" -gt 1 ] && PARALLEL=(-n "$WORKERS" --dist loadfile)
exec .venv/bin/python -m pytest -q -ra "${PARALLEL[@]}" "$@"
