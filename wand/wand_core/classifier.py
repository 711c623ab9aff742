"""Model inference through the TFLM interpreter itself (``tflite-micro`` package).

The same interpreter code the chip runs, compiled for the host, so the int8 outputs
are the chip's, bit for bit.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile

import numpy as np

from ..errors import ModelError
from ..model import ModelBundle
from ..protocol import EMBEDDING_MAX


def open_interpreter(tflite: bytes, arena_size: int):
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError as e:
        raise ModelError(f"the TFLM interpreter is not installed ({e}); run: pip install tflite-micro") from None
    return runtime.Interpreter.from_bytes(tflite, arena_size=arena_size)


class TflmClassifier:
    """Callable: int8 window (W, C) -> (probabilities 0..255, int8 embedding)."""

    def __init__(self, bundle: ModelBundle, arena_size: int | None = None) -> None:
        self.bundle = bundle
        arena = arena_size or max(bundle.arena_bytes * 2, 64 * 1024)
        where = bundle.path or "the model"
        try:
            self._interp = open_interpreter(bundle.tflite, arena)
        except ModelError:
            raise
        except Exception as e:  # noqa: BLE001 - a broken flatbuffer is struct.error, RuntimeError, ValueError...
            raise ModelError(f"{where}: TFLM cannot read it (not a .tflite model, or a damaged one: "
                             f"{type(e).__name__}); re-export it with 'wand train' or restore the file") from None
        problem = _mismatch(self._interp, bundle)
        if problem:
            raise ModelError(f"{where}: the model does not match its metadata ({problem}); re-export both "
                             "together with 'wand train' or restore the files")
        self.calls = 0

    def __call__(self, window: np.ndarray) -> tuple[list[int], tuple[int, ...]]:
        self._interp.set_input(np.asarray(window, np.int8).reshape(1, self.bundle.window, self.bundle.channels), 0)
        self._interp.invoke()
        self.calls += 1
        probs = self._interp.get_output(self.bundle.probs_output).reshape(-1).astype(np.int32) + 128
        emb = self._interp.get_output(self.bundle.embedding_output).reshape(-1)[:EMBEDDING_MAX]
        return [int(p) for p in probs], tuple(int(v) for v in emb)

    def batch(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Many windows -> (n, K) probabilities 0..255 and (n, E) embeddings."""
        out_p, out_e = [], []
        for w in windows:
            p, e = self(w)
            out_p.append(p)
            out_e.append(e)
        return np.array(out_p, np.int32).reshape(len(windows), -1), np.array(out_e, np.int32).reshape(len(windows), -1)


def _shape(details: dict) -> tuple[int, ...]:
    return tuple(int(v) for v in details["shape"])


def _mismatch(interp, bundle: ModelBundle) -> str | None:
    """What of the metadata (window, channels, outputs, classes) the .tflite does not have, or None."""
    want = (1, bundle.window, bundle.channels)
    got = _shape(interp.get_input_details(0))
    if got != want:
        return f"its input is {got}, the metadata says window {bundle.window} x channels {bundle.channels}"
    n_out = 1 + max(bundle.probs_output, bundle.embedding_output)
    try:
        with _capture_stderr([]):  # TFLM also prints "index out of range" to fd 2: the exception says it
            outputs = [_shape(interp.get_output_details(i)) for i in range(n_out)]
    except IndexError:
        return f"probs_output {bundle.probs_output} / embedding_output {bundle.embedding_output}: it has fewer outputs"
    classes = int(np.prod(outputs[bundle.probs_output]))
    if classes != len(bundle.classes):
        return f"{len(bundle.classes)} classes for a model with {classes} probabilities"
    return None


@contextlib.contextmanager
def _capture_stderr(into: list[str]):
    """TFLM's allocation report goes to fd 2 from C++; read it back."""
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            into.append(tmp.read().decode("utf-8", "replace"))


def measure_arena(tflite: bytes, window_shape: tuple[int, ...], size: int = 256 * 1024) -> int:
    """Bytes of tensor arena TFLM used for one inference (its RecordingMicroAllocator, host build).

    Probing smaller arenas instead is unsafe: this TFLM build can crash outright when
    an allocation fails part-way.
    """
    it = open_interpreter(tflite, size)
    it.set_input(np.zeros((1,) + tuple(window_shape), np.int8), 0)
    it.invoke()
    report: list[str] = []
    with _capture_stderr(report):
        it.print_allocations()
    m = re.search(r"Arena allocation total (\d+) bytes", report[0])
    if not m:
        raise ModelError(f"TFLM did not report its arena use: {report[0][:200]!r}")
    return int(m.group(1))
