"""Baselines for ``wand bench``, one module per method.

tflm_magic_wand  the TFLM magic_wand example's recipe, reproduced from its source
dtw              1-nearest-neighbour dynamic time warping (dtaidistance)
minirocket       MiniRocket features + ridge classifier (aeon, scikit-learn)

Each method takes tries as float arrays (n, channels) and returns a class per try, so
the bench runs them all on the same split. They need the ``bench`` extra:
``pip install 'magic-wand[bench]'``.
"""

from __future__ import annotations

import os
import random

import numpy as np

INSTALL = "pip install 'magic-wand[bench]'  (dtaidistance, aeon, scikit-learn)"


def deterministic(seed: int) -> None:
    """Seed python, numpy and TF and make TF ops deterministic (single-threaded)."""
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TF C++ errors like NodeDef version notes are not ours
    random.seed(seed)
    np.random.seed(seed)
    import tensorflow as tf
    try:  # only possible before TF starts its thread pools; later calls keep the first setting
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass
    tf.config.experimental.enable_op_determinism()
    tf.keras.utils.set_random_seed(seed)


def missing() -> list[str]:
    """The bench extra's modules that do not import here (with the reason)."""
    out = []
    for mod in ("dtaidistance", "aeon.transformations.collection.convolution_based", "sklearn.linear_model"):
        try:
            __import__(mod)
        except Exception as e:  # aeon can fail on a numba/numpy mismatch, not only when absent
            out.append(f"{mod.split('.')[0]}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    return out
