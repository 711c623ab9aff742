"""Full-integer int8 conversion with a representative set.

The input tensor must come out with scale 1/128 and zero point 0, so the chip can feed
its int8 features without arithmetic: the representative set holds one window at each
end of the int8 range to pin the calibration to exactly [-1, 127/128].
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from wand.errors import ModelError
from wand.wand_core.classifier import open_interpreter

INPUT_SCALE = 1.0 / 128.0


def to_int8_tflite(model: tf.keras.Model, rep_windows: np.ndarray, max_rep: int = 300, seed: int = 0) -> bytes:
    """Keras model + float representative windows (n, W, C) -> int8 .tflite bytes."""
    rng = np.random.default_rng(seed)
    picks = rep_windows[rng.permutation(len(rep_windows))[:max_rep]].astype(np.float32)
    picks = np.clip(picks, -1.0, 127.0 / 128.0)  # what int8 inputs / 128 can be
    shape = picks.shape[1:]
    extremes = np.full((1,) + shape, -1.0, np.float32)
    extremes[0, ::2] = 127.0 / 128.0

    def representative():
        yield [extremes]
        for w in picks:
            yield [w[None]]

    tflite = convert_int8(model, representative, shape)
    check_io(tflite)
    return tflite


def convert_int8(model: tf.keras.Model, representative, shape: tuple[int, ...]) -> bytes:
    """Full-integer int8 .tflite (int8 in, int8 out) calibrated on ``representative()``."""
    # A fixed batch of 1 lets the converter fold the reshapes' shape arithmetic away
    # (else it emits SHAPE/PACK ops the chip would have to run for nothing).
    fixed = tf.keras.models.clone_model(model, input_tensors=tf.keras.Input(shape, batch_size=1))
    fixed.set_weights(model.get_weights())
    converter = tf.lite.TFLiteConverter.from_keras_model(fixed)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    # Dense weights per tensor: the Arduino TFLM library's FULLY_CONNECTED kernel reads one
    # scale only, so per-channel weights (the converter's default since TF 2.1x) run wrong
    # on the chip while pip tflite-micro runs them right (measured: every inference differed).
    converter._experimental_disable_per_channel_quantization_for_dense_layers = True
    return converter.convert()


def check_io(tflite: bytes) -> None:
    """Fail loudly if the input quantization is not the one the firmware assumes."""
    d = open_interpreter(tflite, 256 * 1024).get_input_details(0)
    q = d["quantization_parameters"]
    scale, zp = float(q["scales"][0]), int(q["zero_points"][0])
    if d["dtype"] != np.int8 or abs(scale - INPUT_SCALE) > 1e-9 or zp != 0:
        raise ModelError(f"model input is {np.dtype(d['dtype']).name} scale {scale} zero point {zp}; "
                         f"the firmware feeds int8 with scale 1/128, zero point 0")
