"""Example Plait plugin (see plugin.py)."""
