"""The stroke model bundle: ``stroke_model.tflite`` plus ``stroke_model.json`` beside it.

Input int8 (1, 32, 4), scale 1.0, zero point 0: the output of
``wand.wand_core.stroke_features.stroke_input`` fed as it is. Output int8 (1, K) softmax,
scale 1/256, zero point -128: +128 gives probabilities 0..255, as for the IMU model.
``labels`` are ``wand.characters.STROKE_LABELS`` in order, optionally followed by
``STROKE_OTHER`` (everyday motion; checked on load).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .characters import STROKE_MODEL_LABELS, STROKE_OTHER
from .errors import ModelError
from .paths import ASSETS_DIR

STROKE_MODEL = ASSETS_DIR / "stroke_model.tflite"
ARENA_LIMIT = 1 << 24  # as the gesture model's metadata (wand.model): far above any chip's RAM


@dataclass
class StrokeModel:
    tflite: bytes
    labels: list[str]
    arena_bytes: int
    meta: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def crc32(self) -> int:
        return zlib.crc32(self.tflite) & 0xFFFFFFFF


def load_stroke_model(path: str | Path | None = None) -> StrokeModel:
    path = Path(path) if path else STROKE_MODEL
    meta_path = path.with_suffix(".json")
    if not path.is_file() or not meta_path.is_file():
        raise ModelError(f"{path if not path.is_file() else meta_path}: stroke model file missing; "
                         f"build it with 'python -m training.strokes --install'")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as e:
        raise ModelError(f"{meta_path}:{e.lineno}: not valid JSON ({e.msg})") from None
    except (RecursionError, UnicodeDecodeError) as e:
        raise ModelError(f"{meta_path}: not stroke model metadata ("
                         f"{'nested too deeply' if isinstance(e, RecursionError) else 'not UTF-8 text'}); "
                         "re-export the model") from None
    if not isinstance(meta, dict):
        raise ModelError(f"{meta_path}: not stroke model metadata (not a JSON object); re-export the model")
    labels, arena = meta.get("labels", []), meta.get("arena_bytes", 0)
    if not isinstance(labels, list):
        raise ModelError(f"{meta_path}: labels {labels!r:.60}: a list of names; re-export the model")
    if type(arena) is not int or not 0 <= arena <= ARENA_LIMIT:
        raise ModelError(f"{meta_path}: arena_bytes {arena!r:.60}: a whole number 0..{ARENA_LIMIT}; "
                         "re-export the model")
    m = StrokeModel(tflite=path.read_bytes(), labels=labels, arena_bytes=arena, meta=meta, path=path)
    if meta.get("crc32") != m.crc32:
        raise ModelError(f"{path}: does not match {meta_path.name} (crc32 {m.crc32:08x}); re-export both together")
    if tuple(m.labels) not in STROKE_MODEL_LABELS:
        raise ModelError(f"{meta_path}: labels differ from wand.characters.STROKE_LABELS (with or without a last "
                         f"'{STROKE_OTHER}'); re-export the model")
    outputs = _outputs(m.tflite, path)
    if outputs != len(m.labels):  # e.g. "other" added to the labels of a model without that class
        raise ModelError(f"{meta_path}: {len(m.labels)} labels for a model with {outputs} outputs; re-export both "
                         "together")
    return m


def _outputs(tflite: bytes, path: Path) -> int:
    """The model's number of outputs, as TFLM reads the file (one line if it cannot)."""
    from .wand_core.classifier import open_interpreter
    try:
        return int(np.prod(open_interpreter(tflite, 64 * 1024).get_output_details(0)["shape"]))
    except Exception as e:  # noqa: BLE001 - TFLM reports a broken flatbuffer as RuntimeError/ValueError
        raise ModelError(f"{path}: TFLM cannot read it ({type(e).__name__}); re-export the model") from None


class StrokeInterpreter:
    """Callable: int8 stroke input (32, 4) -> probabilities 0..255 per class, via TFLM."""

    def __init__(self, model: StrokeModel) -> None:
        from .wand_core.classifier import open_interpreter

        self.model = model
        self._it = open_interpreter(model.tflite, max(2 * model.arena_bytes, 64 * 1024))
        self._shape = tuple(int(v) for v in self._it.get_input_details(0)["shape"])

    def __call__(self, features) -> np.ndarray:
        self._it.set_input(np.asarray(features, np.int8).reshape(self._shape), 0)
        self._it.invoke()
        return self._it.get_output(0).reshape(-1).astype(np.int32) + 128

    def batch(self, features: np.ndarray) -> np.ndarray:
        return np.array([self(f) for f in features], np.int32).reshape(len(features), len(self.model.labels))
