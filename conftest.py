"""Shared pytest set-up for the core and plugin tests: offline Hugging Face, a fresh plugin registry."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _fresh_registry():
    """Each test sees the plugins installed in the environment, discovered afresh."""
    from plait.plugins.registry import reset_registry

    reset_registry()
    yield
    reset_registry()

