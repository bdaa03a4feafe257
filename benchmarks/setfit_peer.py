"""SetFit as a measured peer of the few-shot benchmark (``benchmarks/few_shot.py``), run in
SetFit's own virtual environment (its pins are not Plait's): reads one job as JSON, trains SetFit
on the job's training texts from the given sentence-transformers folder, predicts the test texts
and writes the predictions and seconds as JSON.

    /path/to/setfit-venv/bin/python benchmarks/setfit_peer.py job.json result.json

A job: ``{"model": FOLDER, "seed": 0, "train": [[text, label], ...], "test": [text, ...],
"num_iterations": 20, "batch_size": 16, "num_epochs": 1}``. Nothing here imports Plait.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time


def main(argv):
    job = json.loads(open(argv[0], encoding="utf8").read())
    import torch
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    torch.manual_seed(job["seed"])
    start = time.perf_counter()
    texts = [t for t, _ in job["train"]]
    labels = [lab for _, lab in job["train"]]
    model = SetFitModel.from_pretrained(job["model"], local_files_only=True)
    scratch = tempfile.mkdtemp(prefix="setfit-")  # its trainer's checkpoints, not in the checkout
    args = TrainingArguments(output_dir=scratch, save_strategy="no",
                             batch_size=job.get("batch_size", 16),
                             num_epochs=job.get("num_epochs", 1),
                             num_iterations=job.get("num_iterations", 20),
                             seed=job["seed"], report_to="none", show_progress_bar=False)
    trainer = Trainer(model=model, args=args,
                      train_dataset=Dataset.from_dict({"text": texts, "label": labels}))
    trainer.train()
    trained = time.perf_counter() - start
    predicted = [str(p) for p in model.predict(job["test"], batch_size=64)]
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    out = {"predicted": predicted, "train_seconds": round(trained, 1),
           "seconds": round(time.perf_counter() - start, 1)}
    with open(argv[1], "w", encoding="utf8") as f:
        json.dump(out, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
