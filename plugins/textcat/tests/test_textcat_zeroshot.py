"""``plait_zeroshot_textcat`` (issue 31): labels from their names or descriptions, by cosine to the
shared encoder's mean-pooled vectors, scored by textcat's scorer. Mechanics on the tiny random
encoder; one integration test with the real MiniLM encoder on obvious texts."""
from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.training import Example

from plait.errors import PlaitValueError
from plait.testing import LISTENER, TRANSFORMER, transformer_config
from plait_textcat.scoring import score_textcat

TOPICS = ["SPORTS", "TECH", "POLITICS"]


def zero_shot_nlp(exclusive: bool = True, encoder: str = "", **config):
    nlp = spacy.blank("en")
    nlp.add_pipe("transformer", config=transformer_config(encoder) if encoder else TRANSFORMER)
    nlp.add_pipe("plait_zeroshot_textcat", name="topics", config={
        "model": {"@architectures": "plait.zeroshot_textcat.v1", "tok2vec": dict(LISTENER)},
        "exclusive": exclusive, **config})
    return nlp


def examples(nlp, data):
    return [Example.from_dict(nlp.make_doc(text), {"cats": {t: float(t == label) for t in TOPICS}})
            for text, label in data]


DATA = [("the match was won", "SPORTS"), ("a new phone chip", "TECH"),
        ("the minister resigned", "POLITICS")]


def test_labels_from_names_and_descriptions_and_a_label_text_is_its_own_best_match():
    nlp = zero_shot_nlp(descriptions={"TECH": "computers and phones"})
    nlp.initialize(lambda: examples(nlp, DATA))
    pipe = nlp.get_pipe("topics")
    assert pipe.labels == tuple(TOPICS)
    assert pipe.label_texts() == ["SPORTS", "computers and phones", "POLITICS"]
    docs = list(nlp.pipe(["SPORTS", "computers and phones", "POLITICS", "something else"]))
    for doc, label in zip(docs, TOPICS):  # cosine 1 with its own label vector
        assert doc._.categories == [label]
        assert max(doc.cats, key=doc.cats.get) == label
    for doc in docs:
        assert set(doc.cats) == set(TOPICS) and sum(doc.cats.values()) == pytest.approx(1.0, 1e-5)
    scores = pipe.predict([nlp.make_doc(t) for t in ("a", "b c", "")])
    assert scores.shape == (3, 3) and not scores[2].any()  # an empty doc: zeros, not run


def test_multi_label_scores_are_independent_and_labels_can_come_from_descriptions_alone():
    nlp = zero_shot_nlp(exclusive=False, descriptions={"rain": "wet weather", "sun": "sunny day"})
    nlp.initialize(lambda: [])
    assert nlp.get_pipe("topics").labels == ("rain", "sun")
    doc = nlp("wet weather")
    assert all(0.0 < v < 1.0 for v in doc.cats.values())
    assert doc._.categories == ["rain"]


def test_scored_by_the_textcat_scorer_and_saved_with_its_label_vectors(tmp_path):
    nlp = zero_shot_nlp()
    nlp.initialize(lambda: examples(nlp, DATA))
    egs = [Example(nlp(eg.reference.text), eg.reference) for eg in examples(nlp, DATA)]
    scores = nlp.get_pipe("topics").score(egs)
    assert set(scores) == set(score_textcat(egs, labels=TOPICS))
    assert scores["cats_n_docs"] == 3 and scores["cats_score_desc"] == "macro F"
    nlp.to_disk(tmp_path / "zs")
    again = spacy.load(tmp_path / "zs")
    for text in ("the match was won", "phones"):
        assert again(text).cats == pytest.approx(nlp(text).cats, abs=1e-6)


def test_training_leaves_its_label_vectors_and_keeps_the_listener_contract():
    nlp = zero_shot_nlp()
    egs = examples(nlp, DATA)
    optimizer = nlp.initialize(lambda: egs)
    before = nlp.get_pipe("topics").model.get_ref("output_layer").get_param("W").copy()
    losses = nlp.update(egs, sgd=optimizer)
    assert losses["topics"] == 0.0 and "transformer" in losses
    after = nlp.get_pipe("topics").model.get_ref("output_layer").get_param("W")
    assert numpy.array_equal(before, after)


def test_initialize_needs_the_pipeline_and_two_exclusive_labels():
    nlp = zero_shot_nlp()
    with pytest.raises(PlaitValueError, match="TEXTCAT013"):
        nlp.get_pipe("topics").initialize(lambda: examples(nlp, DATA))
    with pytest.raises(PlaitValueError, match="TEXTCAT009"):
        nlp.get_pipe("topics").initialize(lambda: [], nlp=nlp, labels=["one"])
    with pytest.raises(PlaitValueError, match="TEXTCAT010"):
        zero_shot_nlp(exclusive=False).initialize(lambda: [])


def test_it_composes_over_the_shared_transformer_as_textcat_s_zero_shot_stand_in():
    from plait.plugins.registry import get_registry
    from plait.training.compose import compose
    from plait.training.spec import PipelineSpec

    registry = get_registry()
    assert registry.component("textcat").zero_shot == "zeroshot_textcat"
    spec = PipelineSpec.model_validate({
        "name": "zs", "encoder": "tiny-random",
        "components": [{"component": "zeroshot_textcat", "name": "topics", "labels": TOPICS,
                        "options": {"descriptions": {"TECH": "computers"}}}]})
    config = compose(spec)
    block = config["components"]["topics"]
    assert block["factory"] == "plait_zeroshot_textcat"
    assert block["model"]["tok2vec"]["@architectures"] == \
        "spacy-transformers.TransformerListener.v1"
    assert block["scorer"] == {"@scorers": "plait.textcat_scorer.v1"}
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    nlp.initialize(lambda: [])
    assert nlp.get_pipe("topics").label_texts() == ["SPORTS", "computers", "POLITICS"]


@pytest.mark.integration
def test_minilm_tells_sport_from_politics_with_no_example():
    nlp = zero_shot_nlp(encoder="minilm-l6", descriptions={
        "sport": "sport: football, tennis, athletes and matches",
        "politics": "politics: government, elections and parliament"})
    nlp.initialize(lambda: [])
    texts = {"The striker scored twice and the team won the cup final.": "sport",
             "The tennis champion lost the match in three sets.": "sport",
             "Parliament voted on the new budget after a long debate.": "politics",
             "The prime minister called an early general election.": "politics"}
    for doc, label in zip(nlp.pipe(texts), texts.values()):
        assert doc._.categories == [label], (doc.text, doc.cats)
