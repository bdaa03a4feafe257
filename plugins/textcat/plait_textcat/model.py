"""The ``plait.textcat.v1`` architecture: tok2vec -> mean pooling -> (hidden layer) -> label logits.

The model outputs *logits*; the component turns them into probabilities (softmax for exclusive
classes, sigmoid for multi-label), so one model definition serves both modes and the loss gradient
(cross-entropy / binary cross-entropy) is exact. Light on purpose: no torch at import time.
"""
from __future__ import annotations

from typing import List, Optional

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model
from thinc.types import Floats2d


@registry.architectures("plait.textcat.v1")
def build_textcat_model(
    tok2vec: Model[List[Doc], List[Floats2d]],
    hidden_width: int = 0,
    dropout: float = 0.0,
    nO: Optional[int] = None,
) -> Model[List[Doc], Floats2d]:
    """Document classifier over any token-vector layer (a TransformerListener or a CNN tok2vec).

    tok2vec: one vector per token for each doc. Empty docs are fine (mean of nothing is zeros).
    hidden_width: width of an optional Maxout hidden layer after pooling (0: none, linear head).
    dropout: dropout rate applied to the pooled (or hidden) representation.
    nO: number of labels; normally left unset and fixed by the component's ``initialize``.
    """
    from thinc.api import Dropout, Linear, Maxout, chain, list2ragged, reduce_mean, zero_init

    pooling = reduce_mean()
    layers: list = [tok2vec, list2ragged(), pooling]
    if hidden_width:
        layers.append(Maxout(nO=hidden_width, nP=2, normalize=True))
    if dropout:
        layers.append(Dropout(dropout))
    output = Linear(nO=nO, init_W=zero_init)
    model = chain(*layers, output)
    model.name = "plait-textcat"
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output)
    model.set_ref("pooling", pooling)  # its output is the pooled vectors (the pair loss's)
    model.attrs["plait_textcat"] = True
    return model
