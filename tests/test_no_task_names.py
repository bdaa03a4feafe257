"""The core names no task: plait/ knows the built-in components only through their registrations.

Walks every module under plait/ (AST: string constants, identifiers and attribute names in code;
comments and docstrings are not code) and fails on a built-in task, factory, output field or the Doc
attributes the built-ins write. Task-specific behaviour belongs in the plugins (plugins/*), declared
through ``ComponentInfo`` (its ``output`` contract, scorer, config fragment).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "plait"

# words (matched as whole "_"/"."/"-"-separated parts of a name, or words of a string)
FORBIDDEN_WORDS = {
    "ner", "sentiment", "sentiments", "textcat", "textcats", "summarize", "summarizer",
    "summary", "summaries", "entities", "entity", "categories", "ents", "cats",
    "plait_ner", "plait_sentiment", "plait_textcat", "plait_summarizer", "plait_summarize",
}
# (module relative to plait/, the forbidden word, the code it may appear in ("": any), why it is
# unavoidable there)
ALLOWED: List[Tuple[str, str, str, str]] = [
    # ``RunSummary``/``summary`` there are a batch run's totals (records in/written/rejected), not the
    # summarization task; renaming them is churn in code other branches edit (runner job, CLI).
    ("runner/job.py", "summary", "", "a run's totals (RunSummary), not the summarize task"),
    ("cli/run_cmd.py", "summary", "", "a run's totals (RunSummary), not the summarize task"),
    # the report's layout: HTML's <details><summary> element and its "Summary" heading
    ("evaluation/report.py", "summary", "<summary>", "the HTML <details><summary> element"),
    ("evaluation/report.py", "summary", "## Summary", "the report's overview heading"),
    # issue 11 names this option; it is an alias of the generic --target-field (any 'pair' gold)
    ("cli/data_cmd.py", "summary", "--summary-field", "the option name users are told about"),
    # file formats' own field names, read as they are written (issue 34): spaCy's v2 training JSON
    # keeps a token's entity tag in "ner" and a paragraph's classes in "cats"; CoNLL-U corpora put
    # an entity tag in the MISC column as NER=, NE= or Entity=
    ("io/formats.py", "ner", "ner", "spaCy v2 JSON's token field"),
    ("io/formats.py", "cats", "cats", "spaCy v2 JSON's paragraph field"),
    ("io/formats.py", "ner", "NER", "CoNLL-U MISC key"),
    ("io/formats.py", "entity", "Entity", "CoNLL-U MISC key"),
    # spaCy's own Doc attribute for a doc's classes: the gold pair any component keeping its gold
    # there declares (GoldInfo.annotate/read), not a task
    ("data/gold.py", "cats", "", "spaCy's Doc.cats"),
]

_SPLIT = re.compile(r"[^a-z0-9]+")


def _docstring_nodes(tree: ast.AST) -> set:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                ids.add(id(body[0].value))
    return ids


def _words(text: str) -> set:
    text = text.lower()
    words = set(_SPLIT.split(text))
    # compound names as written (plait_ner, doc.ents) and their "_"-joined forms
    words |= set(re.findall(r"[a-z0-9_]+", text))
    return words


def _split_identifier(name: str) -> set:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()  # RunSummary -> run_summary
    return set(spaced.split("_")) | {spaced}


def hits(path: Path) -> Iterator[Tuple[int, str, str, str]]:
    """(line, word, where, code) for every forbidden word in the code of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf8"), filename=str(path))
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        found: List[Tuple[str, str]] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            found = [(w, "string") for w in _words(node.value) & FORBIDDEN_WORDS]
        elif isinstance(node, ast.Name):
            found = [(w, "name") for w in _split_identifier(node.id) & FORBIDDEN_WORDS]
        elif isinstance(node, ast.Attribute):
            found = [(w, "attribute") for w in _split_identifier(node.attr) & FORBIDDEN_WORDS]
        elif isinstance(node, ast.arg):
            found = [(w, "argument") for w in _split_identifier(node.arg) & FORBIDDEN_WORDS]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found = [(w, "definition") for w in _split_identifier(node.name) & FORBIDDEN_WORDS]
        elif isinstance(node, ast.alias):
            found = [(w, "import") for w in _words(node.name + " " + (node.asname or ""))
                     & FORBIDDEN_WORDS]
        elif isinstance(node, ast.keyword) and node.arg:
            found = [(w, "keyword") for w in _split_identifier(node.arg) & FORBIDDEN_WORDS]
        code = node.value if isinstance(node, ast.Constant) else ""
        for word, where in found:
            yield getattr(node, "lineno", 0), word, where, code


def test_the_checker_sees_names_strings_and_attributes_but_not_docstrings(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Reads doc.ents (documentation may name tasks)."""\n'
                      "# a comment about sentiment\n"
                      "def f(doc):\n"
                      '    """The summary, in a docstring."""\n'
                      "    x = doc.cats\n"
                      '    return {"entities": x, "k": "plait_ner"}\n', encoding="utf8")
    found = {(line, word) for line, word, _, _ in hits(sample)}
    assert found == {(5, "cats"), (6, "entities"), (6, "plait_ner"), (6, "ner")}


def _allowed(rel: str, word: str, code: str) -> bool:
    return any(rel == module and word == w and (not context or context in code)
               for module, w, context, _ in ALLOWED)


def test_core_names_no_task():
    problems = []
    for path in sorted(CORE.rglob("*.py")):
        rel = path.relative_to(CORE).as_posix()
        for line, word, where, code in hits(path):
            if not _allowed(rel, word, code):
                problems.append(f"plait/{rel}:{line}: {where} names '{word}'")
    assert not problems, ("the core names built-in tasks (declare the behaviour in the plugin's "
                          "registration instead):\n" + "\n".join(problems))


def test_allow_list_entries_are_still_needed():
    for module, word, context, _ in ALLOWED:
        path = CORE / module
        assert path.exists() and any(w == word and context in code for _, w, _, code in hits(path)), (
            f"allow-list entry ({module}, {word}, {context!r}) no longer needed: remove it")
