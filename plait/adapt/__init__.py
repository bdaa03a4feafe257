"""Continued training of encoders on unlabelled text: the plumbing ``plait pretrain`` (masked
language modelling) and ``plait distill`` (a smaller student matching a teacher) share.

- :mod:`.sources`: text sources (files, folders, named corpora' train splits) -> documents + sha256;
- :mod:`.windows`: held-out slice and packing of documents into windows of the encoder's length;
- :mod:`.loop`: the training loop (held-out evaluation, log, best and last checkpoints, early stop,
  resume with the same data order, step/time budgets, warm-up + decay, GPU mixed precision);
- :mod:`.mlm` and :mod:`.distill`: the two objectives and their entry points.

Task-agnostic: nothing here knows what the encoder will later be fine-tuned for.
"""
