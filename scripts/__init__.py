"""The project's workflow scripts (project.yml, scripts/*.sh), run as ``python scripts/NAME.py``; a
package so that the tests import them as ``scripts.NAME`` (the repository root is pytest's rootdir)."""
