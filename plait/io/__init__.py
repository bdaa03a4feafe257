"""The one IO layer: file formats (readers and writers, :mod:`.formats`), input records and their
checks (:mod:`.records`), and the published result model (:mod:`.results`). ``plait run``,
``plait data import``, ``plait pretrain``/``distill`` and ``plait serve`` all read through it."""
