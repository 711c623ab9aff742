"""`wand train`: retrain the on-chip model, with progress, a run folder and flashing steps."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .paths import runs_dir

FLASH_STEPS = """to put it on the wand:
  arduino-cli compile --fqbn arduino:mbed_nano:nano33ble firmware/magic_wand
  arduino-cli upload  --fqbn arduino:mbed_nano:nano33ble -p /dev/ttyACM0 firmware/magic_wand
(Rev2 boards: add --build-property "compiler.cpp.extra_flags=-DWAND_BOARD_REV=2"; see firmware/README.md)"""


class Progress:
    """Epoch lines overwrite each other on a terminal; everything else is a new line."""

    def __init__(self, stream=sys.stdout) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._open = False

    def __call__(self, text: str) -> None:
        if self.tty and " epoch " in f" {text}":
            self.stream.write("\r\033[K" + text)
            self._open = True
        else:
            if self._open:
                self.stream.write("\n")
                self._open = False
            self.stream.write(text + "\n")
        self.stream.flush()


def train_cli(args) -> int:
    from training.train import TrainConfig, run

    from .demo import format_table

    out = Path(args.out) if args.out else runs_dir() / time.strftime("train-%Y%m%d-%H%M%S")
    cfg = TrainConfig(epochs=args.epochs, n_aug=args.augment, include_user=not args.no_user)
    m = run(cfg, out, install=args.install, report=Progress())
    held = m["held_out"]
    rows = [[c, f"{v['precision']:.0%}", f"{v['recall']:.0%}", v["support"]]
            for c, v in held["per_class"].items() if v["support"]]
    print(format_table(["gesture", "precision", "recall", "held-out tries"], rows))
    cost = m["cost"]
    print(f"held-out-person accuracy {held['accuracy']:.1%}; false triggers {m['false_triggers']['per_minute']:.1f}"
          f"/min on unknown motion; model {cost['model_bytes']} bytes, arena {cost['arena_bytes']} bytes, "
          f"~{cost['m4_latency_ms']:.1f} ms on a 64 MHz Cortex-M4")
    print(f"plots and metrics: {out}")
    if args.install:
        print("installed as the default model (simulator, demo, firmware/magic_wand/src/model/)")
        print(FLASH_STEPS)
    else:
        print(f"to use it: 'wand run --model {out / 'gesture_model.tflite'}', or re-run with --install, then\n"
              + FLASH_STEPS)
    return 0
