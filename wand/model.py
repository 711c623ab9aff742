"""The gesture model bundle: ``.tflite`` bytes plus the metadata JSON beside it.

The bundle in ``wand/assets`` is the one the simulator, the demo and the firmware's
generated ``model_data.cc`` all carry (a test checks the bytes are the same).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ModelError
from .paths import ASSETS_DIR

DEFAULT_MODEL = ASSETS_DIR / "gesture_model.tflite"


@dataclass
class ModelBundle:
    tflite: bytes
    classes: list[str]  # index = gesture id on the wire; classes[other_class] is "other"
    rate_hz: int
    window: int
    hop: int
    channels: int = 6
    other_class: int = 0
    probs_output: int = 0
    embedding_output: int = 1
    embedding_dims: int = 8
    arena_bytes: int = 0
    source_rate_hz: int = 119
    info: dict = field(default_factory=dict)  # training provenance and metrics
    path: Path | None = None

    @property
    def crc32(self) -> int:
        return zlib.crc32(self.tflite) & 0xFFFFFFFF

    @property
    def gesture_names(self) -> list[str]:
        return [c for i, c in enumerate(self.classes) if i != self.other_class]

    def meta(self) -> dict:
        keys = ("classes", "rate_hz", "window", "hop", "channels", "other_class", "probs_output",
                "embedding_output", "embedding_dims", "arena_bytes", "source_rate_hz", "info")
        return {k: getattr(self, k) for k in keys} | {"crc32": self.crc32, "bytes": len(self.tflite)}

    def save(self, tflite_path: str | Path) -> Path:
        tflite_path = Path(tflite_path)
        tflite_path.parent.mkdir(parents=True, exist_ok=True)
        tflite_path.write_bytes(self.tflite)
        tflite_path.with_suffix(".json").write_text(json.dumps(self.meta(), indent=2) + "\n")
        self.path = tflite_path
        return tflite_path


def load_model(path: str | Path | None = None) -> ModelBundle:
    path = Path(path) if path else DEFAULT_MODEL
    meta_path = path.with_suffix(".json")
    if not path.is_file():
        raise ModelError(f"{path}: model file not found; train one with 'wand train' or pass --model")
    if not meta_path.is_file():
        raise ModelError(f"{meta_path}: model metadata missing (it is written next to the .tflite by 'wand train')")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as e:
        raise ModelError(f"{meta_path}:{e.lineno}: not valid JSON ({e.msg})") from None
    tflite = path.read_bytes()
    meta.pop("bytes", None)
    crc = meta.pop("crc32", None)
    try:
        bundle = ModelBundle(tflite=tflite, path=path, **meta)
    except TypeError as e:
        raise ModelError(f"{meta_path}: unexpected metadata ({e})") from None
    if crc is not None and crc != bundle.crc32:
        raise ModelError(f"{path}: does not match its metadata (crc32 {bundle.crc32:08x}, expected {crc:08x}); "
                         "re-export the model")
    return bundle
