"""`plait pretrain`: continued masked-LM training on the tiny encoder and small text files written
here; the output is an encoder folder transformers, specs and packaged pipelines use."""
from __future__ import annotations

import json
import shutil

import numpy
import pytest

from adapttest import log_records, run_child, state_dict_close, train_and_package_spec, write_text
from plaittest import run_plait

from plait.adapt.loop import LoopSettings
from plait.adapt.mlm import pretrain, whole_word_mask
from plait.adapt.text_sources import read_sources
from plait.adapt.chunks import pack
from plait.training.encoders import tiny_encoder_path
from plait.errors import AdaptError, PlaitError

FAST = ["--window", "32", "--batch-size", "8", "--lr", "2e-3", "--warmup", "2", "--no-progress"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private PLAIT_HOME (local encoders), with the tiny encoder already built in it."""
    home = tmp_path / "home"
    monkeypatch.setenv("PLAIT_HOME", str(home))
    tiny_encoder_path()
    return home


def test_cli_pretrain_gives_a_masked_lm_whose_heldout_perplexity_fell(tmp_path, home):
    text = write_text(tmp_path / "news.txt")
    bad = tmp_path / "more.jsonl"
    bad.write_text('{"body": "the film was good news"}\n{"body": broken\n{"title": "no body"}\n'
                   '{"body": "critics loved the city"}\n', encoding="utf8")
    out = tmp_path / "adapted"
    env = {"PLAIT_HOME": str(home)}
    res = run_plait("pretrain", "-o", str(out), "--encoder", "tiny-random", "--text", str(text),
                    "--text", str(bad), "--text-field", "body", "--max-steps", "30",
                    "--eval-every", "10", "--register", "my-news", *FAST, env=env)
    assert res.returncode == 0, res.stderr + res.stdout
    # The encoder ships no MLM head: one is created, tied to the word embeddings, and we say so.
    assert "ships no masked-LM head" in res.stdout and "tied to the word embeddings" in res.stdout
    # Bad records are reported by source and line, and kept in rejects.jsonl.
    assert f"{bad}:2" in res.stderr and f"{bad}:3" in res.stderr
    rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text().splitlines()]
    assert [(r["line"]) for r in rejects] == [2, 3]

    from transformers import AutoModelForMaskedLM, AutoTokenizer

    model = AutoModelForMaskedLM.from_pretrained(str(out))
    tok = AutoTokenizer.from_pretrained(str(out))
    assert model.get_output_embeddings().weight is model.get_input_embeddings().weight
    assert model(**tok("the [MASK] said", return_tensors="pt")).logits.shape[-1] == len(tok)

    manifest = json.loads((out / "plait-encoder.json").read_text())
    assert manifest["kind"] == "pretrained" and manifest["base_encoder"]["name"] == "tiny-random"
    assert manifest["perplexity_after"] < manifest["perplexity_before"] * 0.8
    assert manifest["steps"] == 30 and manifest["tokens"] > 1000
    import hashlib

    assert [s["sha256"] for s in manifest["sources"]] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (text, bad)]
    assert manifest["sources"][1]["documents"] == 2 and manifest["sources"][1]["rejected"] == 2
    evals = [r for r in log_records(out) if r["event"] == "eval"]
    assert [r["step"] for r in evals] == [0, 3, 10, 20, 30]  # 3: the head warm-up's end
    assert {"loss", "perplexity", "accuracy"} <= set(evals[-1]["heldout"])
    assert not (out / "checkpoints").exists()  # removed once the run ended
    # Registered under a name, listed by `plait encoders`.
    listed = run_plait("encoders", env=env)
    assert "my-news" in listed.stdout and str(out.resolve()) in listed.stdout


def test_a_spec_naming_the_folder_trains_and_packages_and_loads_without_it(tmp_path, home):
    text = write_text(tmp_path / "news.txt", n_docs=60)
    out = tmp_path / "enc"
    pretrain(out, encoder="tiny-random", sources=[str(text)], window=32, progress=False,
             settings=LoopSettings(max_steps=8, eval_every=4, batch_size=8, learning_rate=2e-3))
    model_dir = train_and_package_spec(str(out), tmp_path / "work")
    shutil.rmtree(out)  # the packaged pipeline carries the weights
    import spacy

    from plait.plugins.registry import PluginRegistry, reset_registry

    reset_registry(PluginRegistry(entry_points=False))
    nlp = spacy.load(model_dir)
    doc = nlp("the movie was good")
    assert set(doc.cats) == {"GOOD", "BAD"}
    assert doc._.trf_data.tensors[0].shape[-1] == 32


def test_resume_after_a_kill_continues_with_the_same_data_order(tmp_path, home):
    text = write_text(tmp_path / "news.txt", n_docs=80)
    settings = {"max_steps": 16, "eval_every": 5, "batch_size": 4, "learning_rate": 2e-3,
                "warmup": 2}
    common = {"encoder": "tiny-random", "sources": [str(text)], "window": 32}
    killed = tmp_path / "killed"
    res = run_child("pretrain", 7, output=str(killed), settings=settings, **common)
    assert res.returncode == -9, res.stderr  # SIGKILL
    assert (killed / "checkpoints" / "last" / "state.json").exists()
    assert not (killed / "plait-encoder.json").exists()
    # Without --resume the folder is not silently overwritten.
    again = run_plait("pretrain", "-o", str(killed), "--encoder", "tiny-random", "--text",
                      str(text), "--window", "32", env={"PLAIT_HOME": str(home)})
    assert again.returncode == 1 and "E175" in again.stderr and "--resume" in again.stderr
    res = run_plait("pretrain", "-o", str(killed), "--encoder", "tiny-random", "--text",
                    str(text), "--window", "32", "--max-steps", "16", "--eval-every", "5",
                    "--batch-size", "4", "--lr", "2e-3", "--warmup", "2", "--resume",
                    "--no-progress", env={"PLAIT_HOME": str(home)})
    assert res.returncode == 0, res.stderr
    straight = tmp_path / "straight"
    res = run_child("pretrain", -1, output=str(straight), settings=settings, **common)
    assert res.returncode == 0, res.stderr
    a, b = log_records(killed), log_records(straight)
    resumed = next(r for r in a if r["event"] == "resume")
    assert resumed["step"] == 5  # the last checkpoint before the kill at step 7
    evals_a = {r["step"]: r for r in a if r["event"] == "eval"}
    evals_b = {r["step"]: r for r in b if r["event"] == "eval"}
    # (step 1: the end of the default head warm-up, a tenth of the run, of the new MLM head)
    assert sorted(evals_a) == sorted(evals_b) == [0, 1, 5, 10, 15, 16]
    for step in evals_b:  # same batches in the same order, same masks, same held-out figures
        assert evals_a[step]["data_digest"] == evals_b[step]["data_digest"]
        assert evals_a[step]["heldout"]["loss"] == pytest.approx(evals_b[step]["heldout"]["loss"],
                                                                 rel=1e-4)
    assert state_dict_close(killed, straight)
    # A resume with other settings is refused (the data order would differ).
    other = tmp_path / "other"
    run_child("pretrain", 7, output=str(other), settings=settings, **common)
    res = run_plait("pretrain", "-o", str(other), "--encoder", "tiny-random", "--text", str(text),
                    "--window", "32", "--batch-size", "8", "--resume", env={"PLAIT_HOME": str(home)})
    assert res.returncode == 1 and "E174" in res.stderr


def test_whole_word_masking_masks_whole_words_at_15_percent_with_80_10_10():
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_encoder_path()))
    docs = ["pharmacokinetics of zygomorphic flowers were studied in london " * 3] * 40
    windows = pack(docs, tok, 64)
    from plait.adapt.chunks import collate

    ids, _, words = collate(windows, list(range(len(windows))), tok.pad_token_id)
    rng = numpy.random.default_rng(0)
    random_ids = numpy.arange(5, len(tok))
    inputs, labels = whole_word_mask(ids, words, rng, prob=0.15, mask_id=tok.mask_token_id,
                                     random_ids=random_ids)
    chosen = labels != -100
    text_pieces = words >= 0
    assert not (chosen & ~text_pieces).any()  # specials and separators are never predicted
    share = chosen.sum() / text_pieces.sum()
    assert 0.14 < share < 0.25  # at least 15%; a chosen word's pieces all count
    for row in range(ids.shape[0]):  # every piece of a chosen word is chosen
        for w in numpy.unique(words[row][chosen[row]]):
            assert chosen[row][words[row] == w].all()
    replaced = inputs[chosen]
    as_mask = (replaced == tok.mask_token_id).mean()
    kept = (replaced == ids[chosen]).mean()
    assert 0.75 < as_mask < 0.85 and 0.06 < kept < 0.15


def test_add_words_joins_frequent_split_words_initialised_as_their_pieces_mean(tmp_path, home):
    text = tmp_path / "domain.txt"
    text.write_text("\n".join(["the pharmacokinetics of zygomorphic flowers"] * 30
                              + ["zygomorphic pharmacokinetics said london"] * 20
                              + ["quixotic once"]), encoding="utf8")
    out = tmp_path / "enc"
    manifest = pretrain(out, encoder="tiny-random", sources=[str(text)], window=32, add_words=3,
                        progress=False, settings=LoopSettings(max_steps=1, eval_every=1,
                                                              learning_rate=1e-9, warmup=0))
    added = [a["word"] for a in manifest["added_words"]]
    # most frequent first (ties by spelling); a word seen once is not domain vocabulary
    assert added == ["pharmacokinetics", "zygomorphic", "flowers"]
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(out))
    base_tok = AutoTokenizer.from_pretrained(str(tiny_encoder_path()))
    assert tok.tokenize("Zygomorphic flow") == ["zygomorphic", "f", "##l", "##o", "##w"]
    emb = AutoModel.from_pretrained(str(out)).get_input_embeddings().weight
    base = AutoModel.from_pretrained(str(tiny_encoder_path())).get_input_embeddings().weight
    pieces = base_tok("zygomorphic", add_special_tokens=False)["input_ids"]
    new_id = tok.convert_tokens_to_ids("zygomorphic")
    assert new_id >= base.shape[0] and emb.shape[0] == len(tok)
    assert numpy.allclose(emb[new_id].detach().numpy(), base[pieces].mean(0).detach().numpy(),
                          atol=1e-4)


def test_bad_text_sources_are_reported_clearly(tmp_path, home):
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"x": 1}\nnot json\n', encoding="utf8")
    seen = []
    with pytest.raises(AdaptError, match=r"E170.*2 rejected"):
        pretrain(tmp_path / "o", encoder="tiny-random", sources=[str(empty)], on_reject=seen.append)
    assert [(r.line) for r in seen] == [1, 2] and str(empty) in str(seen[0])
    with pytest.raises(AdaptError, match=r"E171.*no-such-file.*Named corpora"):
        pretrain(tmp_path / "o", encoder="tiny-random", sources=[str(tmp_path / "no-such-file")])
    one = tmp_path / "one.txt"
    one.write_text("just one document\n", encoding="utf8")
    with pytest.raises(AdaptError, match="E173"):
        pretrain(tmp_path / "o", encoder="tiny-random", sources=[str(one)])
    two = write_text(tmp_path / "two.txt", n_docs=10)
    with pytest.raises(AdaptError, match=r"E184.*at most 512"):
        pretrain(tmp_path / "o", encoder="tiny-random", sources=[str(two)], window=4096)


def test_named_and_converted_corpora_contribute_their_train_split_only(tmp_path, home):
    import spacy
    from spacy.tokens import DocBin

    from plait.plugins.hookspecs import hookimpl
    from plait.plugins.registry import PluginRegistry, reset_registry
    from plait.plugins.contracts import CorpusInfo

    def convert(output_dir, *, seed=0, limit=None, source=None):
        nlp = spacy.blank("en")
        output_dir.mkdir(parents=True, exist_ok=True)
        for split in ("train", "dev", "test"):
            db = DocBin()
            for i in range(3):
                db.add(nlp.make_doc(f"{split} text number {i}"))
            db.to_disk(output_dir / f"{split}.spacy")
        return {"train": 3, "dev": 3, "test": 3}

    class P:
        @hookimpl
        def register_corpora(register):
            register(CorpusInfo(name="toy-reviews", task="sentiment", convert=convert))

    registry = PluginRegistry(entry_points=False)
    registry.add_plugin(P, "p")
    reset_registry(registry)
    texts = read_sources(["corpus:toy-reviews"])
    assert texts.documents == [f"train text number {i}" for i in range(3)]
    assert texts.sources[0].kind == "corpus" and "train split only" in texts.sources[0].note
    folder = home / "corpora" / "toy-reviews-seed0"  # a converted folder: train.spacy only too
    assert read_sources([str(folder)]).documents == texts.documents


def test_encoders_add_list_remove_and_refusals(tmp_path, home):
    env = {"PLAIT_HOME": str(home)}
    enc = tmp_path / "my-enc"
    shutil.copytree(tiny_encoder_path(), enc)
    res = run_plait("encoders", "add", "domain-bert", str(enc), env=env)
    assert res.returncode == 0, res.stderr
    assert json.loads((home / "encoders.json").read_text())["encoders"]["domain-bert"]["path"] \
        == str(enc.resolve())
    assert "domain-bert" in run_plait("encoders", env=env).stdout
    from plait.training.encoders import resolve_encoder

    assert resolve_encoder("domain-bert") == enc.resolve()
    bad = run_plait("encoders", "add", "tiny-random", str(enc), env=env)
    assert bad.returncode == 1 and "E181" in bad.stderr
    bad = run_plait("encoders", "add", "Bad Name", str(enc), env=env)
    assert bad.returncode == 1 and "E182" in bad.stderr
    bad = run_plait("encoders", "add", "nothing", str(tmp_path), env=env)
    assert bad.returncode == 1 and "E180" in bad.stderr
    assert run_plait("encoders", "remove", "domain-bert", env=env).returncode == 0
    assert "domain-bert" not in run_plait("encoders", env=env).stdout
    # A broken list is reported as its plugin's failure; the built-in encoders keep working.
    (home / "encoders.json").write_text("{not json", encoding="utf8")
    res = run_plait("encoders", env=env)
    assert "minilm-l6" in res.stdout and "tiny-random" in res.stdout
    with pytest.raises(PlaitError, match="E183"):
        from plait.training.encoders import local_encoders

        local_encoders()


def test_project_pretrain_command_runs_and_is_skipped_while_its_text_is_unchanged(tmp_path, home):
    import subprocess
    import sys

    from plaittest import ROOT

    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(ROOT / "project.yml", work / "project.yml")
    (work / "corpus" / "mine" / "train").mkdir(parents=True)
    write_text(work / "corpus" / "mine" / "train" / "text.txt", n_docs=40)
    args = [sys.executable, "-m", "spacy", "project", "run", "pretrain", ".", "--vars.spec", "mine",
            "--vars.pretrain_base", "tiny-random", "--vars.pretrain_steps", "4",
            "--vars.pretrain_window", "32"]
    env = {**__import__("os").environ, "PLAIT_HOME": str(home)}
    first = subprocess.run(args, cwd=work, capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    manifest = json.loads((work / "encoders" / "mine" / "plait-encoder.json").read_text())
    assert manifest["steps"] == 4
    second = subprocess.run(args, cwd=work, capture_output=True, text=True, env=env)
    assert second.returncode == 0 and "Skipping 'pretrain'" in second.stdout


def test_head_warm_up_trains_the_new_head_alone_then_the_encoder(tmp_path, home):
    """A new (random) MLM head first trains alone over the frozen encoder: after the warm-up the
    encoder's weights are bit-identical to the stock encoder's and the held-out perplexity fell;
    past it, the encoder moves."""
    from safetensors.torch import load_file
    from transformers import AutoModel

    text = write_text(tmp_path / "news.txt")
    stock = {k: v.clone() for k, v in AutoModel.from_pretrained(str(tiny_encoder_path()))
             .state_dict().items()}

    def run(out, steps):
        return pretrain(out, encoder="tiny-random", sources=[str(text)], window=32,
                        progress=False, head_steps=30,
                        settings=LoopSettings(max_steps=steps, eval_every=steps, batch_size=8,
                                              learning_rate=1e-2, warmup=2, patience=0))

    def encoder_weights(out):
        saved = load_file(str(out / "model.safetensors"))
        return {k.split("bert.", 1)[1]: v for k, v in saved.items() if k.startswith("bert.")}

    warm = run(tmp_path / "warm", 30)
    assert warm["settings"]["head_steps"] == 30
    assert warm["perplexity_after"] < warm["perplexity_before"] * 0.8
    after_warm_up = encoder_weights(tmp_path / "warm")
    assert after_warm_up and all(
        k not in stock or (after_warm_up[k] == stock[k]).all() for k in after_warm_up)
    more = run(tmp_path / "more", 40)
    # the end of the warm-up is evaluated: the stock encoder under the trained head
    assert [r["step"] for r in log_records(tmp_path / "more") if r["event"] == "eval"] == [0, 30, 40]
    head_only = next(r["heldout"] for r in log_records(tmp_path / "more") if r.get("step") == 30)
    assert more["perplexity_head_only"] == pytest.approx(head_only["perplexity"])
    assert more["perplexity_head_only"] < more["perplexity_before"] * 0.8
    moved = encoder_weights(tmp_path / "more")
    layer = next(k for k in moved if "encoder.layer.0.attention.self.query.weight" in k)
    assert not (moved[layer] == stock[layer]).all()


def test_the_head_warm_up_defaults_to_a_tenth_of_the_run_for_a_created_head():
    from plait.adapt.mlm import default_head_steps

    assert default_head_steps(True, 2000) == 200 and default_head_steps(True, 50000) == 500
    assert default_head_steps(True, 5) == 1 and default_head_steps(False, 2000) == 0
