"""The spawned worker pool: same results as one process, in order; errors surface; clean shutdown."""
from __future__ import annotations

import itertools
import multiprocessing as mp

import pytest

import plait
from plait.runner.batching import BatchOptions
from plait.runtime.loading import LoadSpec
from plait.runner.pool import PoolEngine, WorkerError
from plait.io.records import RawRecord, to_item
from plait.runner.stream import results
import runnertest as support
from runnertest import TEXTS, build_pipeline, long_text


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return build_pipeline(tmp_path_factory.mktemp("pool") / "m")


def _records():
    recs = [{"id": f"r{i}", "text": TEXTS[i % 4] + f" Item {i}."} for i in range(40)]
    recs[7] = {"id": "bad", "text": ""}
    recs[13] = {"id": "boom", "text": "BOOM"}
    recs[21] = {"id": "long", "text": long_text(2000, seed=5)}
    return recs


def test_two_processes_give_identical_results_in_order(model):
    nlp = plait.load(model)
    one = [r.model_dump() for r in plait.process(nlp, _records(), batch_size=4, segment_tokens=200)]
    two = [r.model_dump() for r in plait.process(nlp, _records(), batch_size=4, segment_tokens=200,
                                                 n_process=2)]
    assert two == one
    assert [r["id"] for r in two][:8] == ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "bad"]
    assert two[21]["segments"] > 1 and two[13]["errors"]


def test_pool_from_a_path_and_no_process_left_behind(model):
    before = set(mp.active_children())
    gen = plait.process(str(model), ({"text": f"Apple {i}."} for i in itertools.count()),
                        n_process=2, max_batch_tokens=8, code=[support.CODE_FILE])
    first = list(itertools.islice(gen, 5))
    gen.close()  # an early stop shuts the workers down
    assert [r.id for r in first] == [1, 2, 3, 4, 5]
    assert set(mp.active_children()) == before


def test_a_worker_that_cannot_load_the_pipeline_raises(tmp_path):
    engine = PoolEngine(LoadSpec(str(tmp_path / "missing")), 2)
    items = [to_item(RawRecord(1, value="Apple."), 0)]
    with pytest.raises(WorkerError, match="failed to load the pipeline"):
        try:
            list(results(items, engine, BatchOptions()))
        finally:
            engine.close()
    assert not engine._procs
