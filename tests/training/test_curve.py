"""`plait curve` (issue 31): nested subsets, the same for every seed, resume from a partial table,
the advice line and the table's schema; real training runs on the tiny random encoder (2 steps)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import spacy
import yaml
from spacy.tokens import DocBin

from plait.data import Gold
from plait.errors import PlaitValueError
from plait.plugins.contracts import GoldInfo
from plait.plugins.registry import get_registry
from plait.training import curve as cv

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TOPICS = {
    "SPORTS": ["the match was won in the final minute", "our team scored twice",
               "a late goal sent fans home", "the coach praised the players"],
    "TECH": ["the new phone has a faster chip", "the app runs on every laptop",
             "this laptop boots in seconds", "the software update fixed bugs"],
    "POLITICS": ["the minister resigned today", "voters went to the polls",
                 "the parliament passed the law", "the election campaign began"],
}
needs_classifier = pytest.mark.skipif("textcat" not in get_registry().components(),
                                      reason="plait-textcat is not installed")


# -- subsets: pure functions ----------------------------------------------------------------------

def test_sizes_parse_counts_fractions_and_all_and_refuse_a_mix():
    assert [s.label for s in cv.parse_sizes("32,0,8,all,16,8")] == ["0", "8", "16", "32", "all"]
    sizes = cv.parse_sizes("0.5,10%,all")
    assert [(s.label, s.fraction) for s in sizes] == [("0.1", 0.1), ("0.5", 0.5), ("all", None)]
    for bad in ("8,0.5", "eight", "-1", "150%", ""):
        with pytest.raises(PlaitValueError, match="E240"):
            cv.parse_sizes(bad)


def test_per_class_subsets_are_nested_and_exact_for_exclusive_labels():
    classes = [["A"]] * 10 + [["B"]] * 5 + [["C"]] * 3 + [[]]
    ranks = cv.ranks(classes, per_class=True, seed=7)
    previous: set = set()
    for k in (1, 2, 4, 8):
        chosen = set(cv.subset(ranks, cv.Size(str(k), count=k), "per-class"))
        assert previous <= chosen  # nested
        per = {c: sum(1 for i in chosen if classes[i] == [c]) for c in "ABC"}
        assert per == {"A": min(k, 10), "B": min(k, 5), "C": min(k, 3)}
        assert 18 not in chosen  # a document with no class is never drawn per class
        previous = chosen
    assert cv.subset(ranks, cv.Size("all"), "per-class") == list(range(19))


def test_multi_label_and_document_subsets_are_nested_too():
    import random

    rng = random.Random(1)
    classes = [sorted(rng.sample("ABCD", rng.randint(1, 3))) for _ in range(60)]
    ranks = cv.ranks(classes, per_class=True, seed=0)
    chosen = [set(cv.subset(ranks, cv.Size(str(k), count=k), "per-class")) for k in (1, 2, 4, 8)]
    assert all(a <= b for a, b in zip(chosen, chosen[1:]))
    for k, subset in zip((1, 2, 4, 8), chosen):  # at least k examples of every class
        assert all(sum(c in classes[i] for i in subset) >= k for c in "ABCD")
    doc_ranks = cv.ranks(classes, per_class=False, seed=0)
    fractions = [set(cv.subset(doc_ranks, cv.Size(f"{f}", fraction=f), "fraction"))
                 for f in (0.1, 0.25, 0.5)]
    assert [len(s) for s in fractions] == [6, 15, 30]
    assert fractions[0] <= fractions[1] <= fractions[2]


def test_subsets_depend_on_the_data_seed_only():
    classes = [["A"], ["B"]] * 20
    assert cv.ranks(classes, per_class=True, seed=3) == cv.ranks(classes, per_class=True, seed=3)
    assert cv.ranks(classes, per_class=True, seed=3) != cv.ranks(classes, per_class=True, seed=4)


def test_classes_come_from_the_components_gold_info_not_a_task_attribute():
    nlp = spacy.blank("en")
    doc = nlp.make_doc("some text")
    doc.user_data["y"] = {"good": 1.0, "bad": 0.0, "ugly": 1.0}
    info = GoldInfo(accepts=("labels",), annotate=lambda d, g: None,
                    read=lambda d: Gold(labels=d.user_data["y"]), exclusive=False)
    spans = GoldInfo(accepts=("spans",), annotate=lambda d, g: None, read=lambda d: None)
    assert cv.doc_classes(doc, {"clf": (info, None)}) == ["good", "ugly"]
    assert cv.doc_classes(doc, {"clf": (info, ["ugly"])}) == ["ugly"]
    two = {"clf": (info, None), "other": (info, ["good"])}
    assert cv.doc_classes(doc, two) == ["clf:good", "clf:ugly", "other:good"]
    sizes = cv.parse_sizes("8,16")
    assert cv.resolve_unit("auto", sizes, {"clf": (info, None)}) == "per-class"
    assert cv.resolve_unit("auto", sizes, {"clf": (info, None), "tagger": (spans, None)}) == "docs"
    with pytest.raises(PlaitValueError, match="E242"):
        cv.resolve_unit("per-class", sizes, {"tagger": (spans, None)})
    with pytest.raises(PlaitValueError, match="E241"):
        cv.resolve_unit("classes", sizes, {"clf": (info, None)})


def _point(size, n_docs, mean, std=0.0):
    return {"size": size, "n_docs": n_docs, "stats": {"clf": {"metric": "acc", "mean": mean,
                                                                 "std": std, "n": 3}}}


def test_advice_says_whether_the_last_doubling_paid_and_extrapolates_the_log_linear_trend():
    rising = [_point("0", 0, 0.2), _point("8", 40, 0.60), _point("16", 80, 0.70),
              _point("32", 160, 0.80)]
    rising[0]["zero_shot"] = True
    [line] = cv.advice(rising, "per-class")
    assert line.startswith("clf: the last doubling (16/class, 80 docs -> 32/class, 160 docs) "
                           "still paid: +10.0 points of acc")
    assert "another doubling may bring about +10.0 (to ~90.0" in line
    flat = [_point("8", 40, 0.80, 0.02), _point("16", 80, 0.805, 0.02)]
    [line] = cv.advice(flat, "per-class")
    assert "gained only +0.5 points" in line and "within the spread" in line
    [line] = cv.advice([_point("8", 40, 0.8), _point("all", 90, 0.7)], "per-class")
    assert "did not pay (-" in line and "all 90 docs" in line
    [line] = cv.advice([_point("8", 40, 0.8)], "per-class")
    assert "one trained size only" in line


# -- real runs --------------------------------------------------------------------------------------

def _corpus(root: Path) -> Path:
    nlp = spacy.blank("en")

    def write(items, path):
        db = DocBin()
        for text, label in items:
            doc = nlp.make_doc(text)
            doc.cats = {topic: float(topic == label) for topic in TOPICS}
            db.add(doc)
        db.to_disk(path)

    items = [(text, label) for label, texts in TOPICS.items() for text in texts]
    write(items, root / "train.spacy")
    write(items[::2], root / "dev.spacy")
    spec = root / "spec.yml"
    spec.write_text(yaml.safe_dump({
        "name": "curve-test", "encoder": "tiny-random", "transformer": {"window": 32, "stride": 24},
        "components": [{"component": "textcat"}],
        "training": {"train": str(root / "train.spacy"), "dev": str(root / "dev.spacy"),
                     "max_steps": 2, "eval_frequency": 2, "warmup_steps": 1, "batch_words": 30}}),
        encoding="utf8")
    return spec


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    if "textcat" not in get_registry().components():
        pytest.skip("plait-textcat is not installed")
    root = tmp_path_factory.mktemp("curve")
    spec = _corpus(root)
    said = []
    table = cv.curve(spec, root / "out", sizes="0,1,2", seeds=(0, 1), progress=False,
                     say=said.append)
    return spec, root / "out", table, said


@needs_classifier
def test_a_curve_trains_nested_subsets_per_seed_and_writes_table_plot_and_advice(made):
    spec, out, table, said = made
    assert "3 run(s) to do" not in said[0] and "5 run(s) to do" in said[0]
    on_disk = json.loads((out / "curve.json").read_text(encoding="utf8"))
    assert on_disk == table
    jsonschema.validate(table, json.loads((ROOT / "docs" / "curve.schema.json").read_text()))
    points = {p["size"]: p for p in table["points"]}
    assert list(points) == ["0", "1", "2"] and table["unit"] == "per-class"
    assert points["0"]["zero_shot"] and [r["seed"] for r in points["0"]["runs"]] == [0]
    for size, k in (("1", 1), ("2", 2)):
        assert points[size]["per_class"] == {"POLITICS": k, "SPORTS": k, "TECH": k}
        assert [r["seed"] for r in points[size]["runs"]] == [0, 1]
        for run in points[size]["runs"]:
            assert run["scores"]["textcat"]["metric"] == "cats_score"
            assert 0.0 <= run["scores"]["textcat"]["value"] <= 1.0
        assert points[size]["stats"]["textcat"]["n"] == 2
    # the zero-shot point is scored by the same scorer, under the same pipe name
    zero = points["0"]["runs"][0]["scores"]["textcat"]
    assert zero["metric"] == "cats_score" and set(zero["scores"]) == \
        set(points["1"]["runs"][0]["scores"]["textcat"]["scores"])
    assert (out / "zero-shot.yml").exists()
    # nested, and one subset per size: every seed trained on the same file
    texts = {size: [d.text for d in DocBin().from_disk(out / "subsets" / f"{size}.spacy")
                    .get_docs(spacy.blank("en").vocab)] for size in ("1", "2")}
    assert set(texts["1"]) < set(texts["2"]) and len(texts["2"]) == 6
    assert len(table["advice"]) == 1 and table["advice"][0].startswith("textcat: the last doubling")
    assert (out / "curve.png").stat().st_size > 1000
    assert not (out / "runs" / "1" / "seed0").exists()  # models deleted once scored
    assert (out / "runs" / "1" / "seed0.log").exists()


@needs_classifier
def test_a_partial_table_resumes_point_by_point(made, tmp_path):
    spec, out, table, _ = made
    again = tmp_path / "out"
    shutil.copytree(out, again)
    partial = json.loads((again / "curve.json").read_text(encoding="utf8"))
    two = next(p for p in partial["points"] if p["size"] == "2")
    two["runs"] = two["runs"][:1]  # as if killed after the first seed of size 2
    (again / "curve.json").write_text(json.dumps(partial), encoding="utf8")
    said = []
    resumed = cv.curve(spec, again, sizes="0,1,2", seeds=(0, 1), progress=False,
                       say=said.append)
    assert "1 run(s) to do" in said[0] and "4 recorded" in said[0]
    for old, new in zip(table["points"], resumed["points"]):
        kept = [r for r in new["runs"] if not (new["size"] == "2" and r["seed"] == 1)]
        assert kept == [r for r in old["runs"] if not (old["size"] == "2" and r["seed"] == 1)]
    assert [r["seed"] for r in resumed["points"][2]["runs"]] == [0, 1]
    # other settings refuse to mix into the same table
    with pytest.raises(PlaitValueError, match="E244.*data_seed"):
        cv.curve(spec, again, sizes="1", seeds=(0,), data_seed=5, progress=False,
                 say=lambda _: None)


@needs_classifier
def test_the_cli_names_a_bad_size_in_one_coded_line(tmp_path):
    from plaittest import run_plait

    spec = _corpus(tmp_path)
    done = run_plait("curve", str(spec), "-o", str(tmp_path / "o"), "--sizes", "8,0.5")
    assert done.returncode == 1 and "E240" in done.stderr and "Traceback" not in done.stderr


@needs_classifier
def test_the_zero_shot_spec_swaps_in_the_stand_in_with_its_own_options(tmp_path):
    from plait.training.spec import load_spec

    spec = load_spec(_corpus(tmp_path))
    swapped, pipes = cv.zero_shot_spec(spec, {"textcat": {"descriptions": {"TECH": "phones"}}})
    assert pipes == ["textcat"]
    [comp] = swapped.components
    assert (comp.component, comp.pipe_name) == ("zeroshot_textcat", "textcat")
    assert comp.options == {"descriptions": {"TECH": "phones"}}
    with pytest.raises(PlaitValueError, match="E247"):
        cv.zero_shot_spec(spec, {"topics": {"scale": 5}})
    with pytest.raises(PlaitValueError, match="E249"):
        cv.curve(tmp_path / "spec.yml", tmp_path / "out", sizes="1", seeds=(), say=lambda _: None)


def test_zero_shot_options_file_must_map_pipes_to_options(tmp_path):
    from plait.cli.curve_cmd import read_options
    from plait.errors import SpecError

    good = tmp_path / "good.yml"
    good.write_text("textcat:\n  descriptions: {TECH: phones}\n", encoding="utf8")
    assert read_options(good) == {"textcat": {"descriptions": {"TECH": "phones"}}}
    bad = tmp_path / "bad.yml"
    bad.write_text("- textcat\n", encoding="utf8")
    with pytest.raises(SpecError, match="E248"):
        read_options(bad)


def test_sentence_sizes_take_whole_documents_until_they_hold_enough_sentences():
    nlp = spacy.blank("en")
    doc = nlp.make_doc("one two . three four . five")
    for i, token in enumerate(doc):
        token.is_sent_start = i in (0, 3, 6)
    assert cv.sentence_count(doc) == 3 and cv.sentence_count(nlp.make_doc("no marks")) == 0
    spans = GoldInfo(accepts=("spans",), annotate=lambda d, g: None, read=lambda d: None)
    sizes = cv.parse_sizes("4,8")
    assert cv.resolve_unit("auto", sizes, {"tagger": (spans, None)}, sentences=True) == "sentences"
    weights = [3, 1, 2, 5, 1, 1, 4, 2]
    ranks = cv.ranks([[]] * len(weights), per_class=False, seed=2)
    small, large = (cv.subset(ranks, size, "sentences", weights) for size in sizes)
    assert set(small) < set(large)
    for chosen, k in ((small, 4), (large, 8)):
        held = sum(weights[i] for i in chosen)
        last = max(chosen, key=ranks.__getitem__)
        assert held >= k and held - weights[last] < k  # the shortest such run in rank order
