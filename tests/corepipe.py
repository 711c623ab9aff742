"""Drives the C++ core harness in lockstep with a Python classifier (TFLM)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from wand.wand_core.core import CoreSpec


class CppCore:
    def __init__(self, exe: Path, spec: CoreSpec, num_classes: int, embedding_dims: int, classifier,
                 stroke_classifier=None, stroke_classes: int = 0) -> None:
        self.classifier = classifier
        self.stroke_classifier = stroke_classifier
        self.windows: list[bytes] = []
        self.stroke_inputs: list[bytes] = []
        args = [str(exe), str(spec.source_rate_hz), str(spec.model_rate_hz), str(spec.window), str(spec.hop),
                str(spec.other_class), str(num_classes), str(embedding_dims)]
        if stroke_classifier is not None:
            args.append(str(stroke_classes))
        self.last_line = ""
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.shape = (spec.window, 6)

    def command(self, line: str) -> list[bytes]:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        packets = []
        while True:
            out = self.proc.stdout.readline()
            if not out:
                raise RuntimeError(f"harness exited (rc {self.proc.poll()})")
            tag, _, rest = out.rstrip("\n").partition(" ")
            if tag == "K":
                return packets
            if tag == "P":
                packets.append(bytes.fromhex(rest))
            elif tag == "I":
                window = bytes.fromhex(rest)
                self.windows.append(window)
                probs, emb = self.classifier(np.frombuffer(window, np.int8).reshape(self.shape))
                emb_hex = bytes(v & 0xFF for v in emb).hex()
                self.proc.stdin.write(f"O {bytes(probs).hex()} {emb_hex}\n")
                self.proc.stdin.flush()
            elif tag == "J":
                features = bytes.fromhex(rest)
                self.stroke_inputs.append(features)
                probs = self.stroke_classifier(list(np.frombuffer(features, np.int8)))
                self.proc.stdin.write(f"O {bytes(int(p) for p in probs).hex()}\n")
                self.proc.stdin.flush()
            elif tag == "T":
                self.last_line = rest
            elif tag == "E":
                raise RuntimeError(f"harness rejected a command: {rest}")

    def stroke_state(self) -> tuple[int, int]:
        """(state, outcome) of the chip's stroke spotter."""
        return self.stroke_status()[:2]

    def stroke_status(self) -> tuple[int, ...]:
        """(stroke state, stroke outcome, gestures held, gestures dropped for a character,
        1 while the running capture's decision is to be dropped, characters yielded to a gesture)."""
        self.command("T")
        return tuple(int(v) for v in self.last_line.split())

    def push(self, sample) -> list[bytes]:
        return self.command("S " + " ".join(str(int(v)) for v in sample))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=600)  # a hang guard: it exits at end of input
