"""Model architectures: ours, and the TFLM magic_wand CNN as the baseline.

Ours is built for the nRF52840 (256 KB RAM, shared with BLE and the sketch):
strided convolutions instead of pooling, so no full-resolution activation is ever
kept for a pooling layer, and the whole activation working set stays a few KB; a
global average over time at the end; batch norm is folded into the convolutions by
the converter.

Both expose a ``features`` layer. After training, ``with_embedding`` adds the model's
second output: those features projected onto their 8 principal directions (a fixed
linear layer). The host enrols new gestures by nearest neighbours on it (few-shot, no
retraining). Measured on the data set's gestures the model never saw, this projection
told them apart better than the classifier's own narrow bottleneck, and better than
training the features for extra "motion" classes, which cost held-out accuracy.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TF C++ errors like NodeDef version notes are not ours

import tensorflow as tf  # noqa: E402

keras = tf.keras
layers = keras.layers

EMBEDDING_DIMS = 8


def wand_cnn(window: int, channels: int, num_classes: int, width: int = 16,
             embedding_dims: int = EMBEDDING_DIMS) -> keras.Model:
    inp = keras.Input((window, channels), name="imu")
    x = layers.Reshape((window, 1, channels))(inp)
    for filters, kernel in ((width, 5), (width + width // 2, 3), (2 * width, 3)):
        x = layers.Conv2D(filters, (kernel, 1), strides=(2, 1), padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    # Average over time: where in the window a stroke feature sits varies from person to
    # person (speed, onset); held-out-person accuracy rose from ~80% to ~90% with this.
    # An AveragePooling2D over the whole time axis, not GlobalAveragePooling2D: the latter
    # becomes MEAN, whose int8 kernel is float in the Arduino TFLM library and integer in
    # pip tflite-micro (374 of 1,920 outputs differed by one step; 3 of 90 tries decided
    # differently). AVERAGE_POOL_2D is integer (round half away from zero) in the
    # reference kernel and in CMSIS-NN's arm_avgpool_s8 alike, so chip and host agree.
    x = layers.AveragePooling2D(pool_size=(x.shape[1], 1))(x)
    x = layers.Flatten(name="features")(x)
    x = layers.Dropout(0.25)(x)
    x = layers.Dense(embedding_dims, name="bottleneck")(x)
    probs = layers.Dense(num_classes, activation="softmax", name="probs")(x)
    return keras.Model(inp, probs, name="wand_cnn")


def stroke_cnn(points: int, channels: int, num_classes: int, width: int = 24, dense: int = 64) -> keras.Model:
    """The stroke model: (32, 4) int8 x, y, dx, dy as floats -> class probabilities.

    Strided convolutions as in ``wand_cnn``, but the last feature map (4 steps) is
    flattened, not averaged: where along the stroke a feature sits is what tells a "6"
    from a "9" or an "N" from a "Z". The input is the featurizer's int8 unscaled (the
    int8 input scale is 1.0); batch norm after the first convolution absorbs the range.
    Ops after conversion: RESHAPE, CONV_2D, FULLY_CONNECTED, SOFTMAX (a subset of the IMU
    model's, so one op resolver serves both).
    """
    inp = keras.Input((points, channels), name="stroke")
    x = layers.Reshape((points, 1, channels))(inp)
    for filters, kernel, stride in ((width, 5, 1), (width + width // 2, 3, 2), (2 * width, 3, 2),
                                    (2 * width + width // 2, 3, 2)):
        x = layers.Conv2D(filters, (kernel, 1), strides=(stride, 1), padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    x = layers.Flatten(name="features")(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(dense, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    probs = layers.Dense(num_classes, activation="softmax", name="probs")(x)
    return keras.Model(inp, probs, name="stroke_cnn")


class AccelOnly(layers.Layer):
    """Keep the three acceleration channels (the magic_wand model never saw a gyro)."""

    def call(self, x):
        return x[:, :, :3]


def magic_wand_baseline(window: int, channels: int, num_classes: int) -> keras.Model:
    """The TFLM magic_wand example's CNN (train.py build_cnn): accelerometer only.

    Same layers and sizes; input (window, 3, 1) from our windows' acceleration channels,
    output sized to our classes. No embedding: it exposes the last hidden layer instead.
    """
    inp = keras.Input((window, channels), name="imu")  # the wand's windows; it keeps acceleration
    x = AccelOnly()(inp)
    x = layers.Reshape((window, 3, 1))(x)
    x = layers.Conv2D(8, (4, 3), padding="same", activation="relu")(x)
    x = layers.MaxPool2D((3, 3))(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Conv2D(16, (4, 1), padding="same", activation="relu")(x)
    x = layers.MaxPool2D((3, 1), padding="same")(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Flatten()(x)
    hidden = layers.Dense(16, activation="relu", name="features")(x)
    x = layers.Dropout(0.1)(hidden)
    probs = layers.Dense(num_classes, activation="softmax", name="probs")(x)
    return keras.Model(inp, probs, name="magic_wand_baseline")


def with_embedding(model: keras.Model, windows, dims: int = EMBEDDING_DIMS) -> keras.Model:
    """[probs, embedding]: the ``features`` layer's principal projection as a second output.

    ``windows`` (float model inputs) fix the projection: their features' mean and top
    principal directions become a Dense layer's bias and weights.
    """
    import numpy as np

    features = keras.Model(model.input, model.get_layer("features").output)
    f = np.asarray(features.predict(windows, verbose=0, batch_size=256), np.float64)
    f = f.reshape(len(f), -1)
    mean = f.mean(axis=0)
    _, _, vt = np.linalg.svd(f - mean, full_matrices=False)
    proj = vt[:dims].T  # (features, dims)
    dense = layers.Dense(dims, name="embedding")
    emb = dense(layers.Flatten()(model.get_layer("features").output))
    dense.set_weights([proj.astype(np.float32), (-mean @ proj).astype(np.float32)])
    return keras.Model(model.input, [model.output, emb], name=model.name + "_with_embedding")


# A new architecture: a builder (window, channels, num_classes) -> a Keras model with a
# ``features`` layer, added here; training, export and the bench pick it by name.
ARCHITECTURES = {"wand": wand_cnn, "magic_wand": magic_wand_baseline}


def build(arch: str, window: int, channels: int, num_classes: int) -> keras.Model:
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; known: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[arch](window, channels, num_classes)
