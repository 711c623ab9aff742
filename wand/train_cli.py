"""`wand train`: retrain the on-chip model, with progress, a run folder and flashing steps."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelError, WandError
from .model import ModelBundle, load_model
from .paths import runs_dir

DEFAULT_EPOCHS, DEFAULT_AUGMENT = 40, 10

FLASH_STEPS = """to put it on the wand:
  arduino-cli compile --fqbn arduino:mbed_nano:nano33ble firmware/magic_wand
  arduino-cli upload  --fqbn arduino:mbed_nano:nano33ble -p /dev/ttyACM0 firmware/magic_wand
(Rev2 boards: add --build-property "compiler.cpp.extra_flags=-DWAND_BOARD_REV=2"; see firmware/README.md)"""


class Progress:
    """Epoch lines overwrite each other on a terminal; everything else is a new line."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout  # looked up now, not at import (tests capture it)
        self.tty = self.stream.isatty()
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


ACCURACY_TOLERANCE = 0.02  # held-out accuracy may drop this much (about one try in 60) and still count as as-good
TRIGGER_TOLERANCE = (1.25, 1.0)  # false triggers/min may rise to old * 1.25 + 1 and still count as as-good
CHANCE_FACTOR = 1.5  # held-out accuracy at or below 1.5x chance is "chance level"


def install_target() -> tuple[Path, Path, Path]:
    """(installed .tflite, firmware model folder, folder keeping the previous model)."""
    from training.export import FIRMWARE_MODEL_DIR

    from .model import DEFAULT_MODEL
    from .paths import previous_model_dir
    return DEFAULT_MODEL, FIRMWARE_MODEL_DIR, previous_model_dir()


def train_cli(args) -> int:
    if args.undo:
        return undo()
    if args.install_from:
        return install_run(Path(args.install_from), args.force)
    from training.train import TrainConfig, run

    from .demo import format_table

    out = Path(args.out) if args.out else runs_dir() / time.strftime("train-%Y%m%d-%H%M%S")
    cfg = TrainConfig(epochs=args.epochs, n_aug=args.augment, include_user=not args.no_user)
    m = run(cfg, out, install=False, report=Progress())
    held = m["held_out"]
    rows = [[c, f"{v['precision']:.0%}", f"{v['recall']:.0%}", v["support"]]
            for c, v in held["per_class"].items() if v["support"]]
    print(format_table(["gesture", "precision", "recall", "held-out tries"], rows))
    cost = m["cost"]
    print(f"held-out-person accuracy {held['accuracy']:.1%}; false triggers {m['false_triggers']['per_minute']:.1f}"
          f"/min on unknown motion; model {cost['model_bytes']} bytes, arena {cost['arena_bytes']} bytes, "
          f"{cost['macs']} MACs per inference ('make -C firmware/tests qemu-check' measures it on a Cortex-M4)")
    if m.get("yours"):
        per = ", ".join(f"{c} {v['recall']:.0%}" for c, v in m["yours"]["per_class"].items() if v["support"])
        print(f"your own gestures, held-out tries: {m['yours']['accuracy']:.1%} of {m['yours']['tries']} "
              f"recognised ({per})")
    for warning in weak_model(m):
        print(f"warning: {warning}")
    print(f"plots and metrics: {out}")
    if args.install:
        return install_run(out, args.force, m)
    print(f"to use it: 'wand run --model {out / 'gesture_model.tflite'}', or install it with "
          f"'wand train --install-from {out}', then\n" + FLASH_STEPS)
    return 0


def weak_model(metrics: dict) -> list[str]:
    """Reasons a model is no better than guessing (a too-short training, usually)."""
    n = sum(1 for c in metrics["classes"] if c != "other")
    chance = 1.0 / max(n, 1)
    out = []
    acc = metrics["held_out"]["accuracy"]
    if acc <= CHANCE_FACTOR * chance:
        out.append(f"held-out-person accuracy {acc:.1%} is at chance level ({chance:.0%} for {n} gestures): "
                   f"train longer (--epochs {DEFAULT_EPOCHS}, --augment {DEFAULT_AUGMENT} are the defaults)")
    yours = metrics.get("yours")
    if yours and yours["accuracy"] <= CHANCE_FACTOR * chance:
        out.append(f"your own gestures are recognised in {yours['accuracy']:.1%} of held-out tries: record more "
                   "tries, or train longer")
    return out


@dataclass
class Comparison:
    lines: list[str]  # what was compared, for the user
    worse: list[str]  # why the new model is worse (empty: as good or better)


def compare(new: ModelBundle, metrics: dict, installed: ModelBundle) -> Comparison:
    """The new model against the installed one: held-out accuracy on the people both were
    tested on, and false triggers on the same unknown motion through the same spotter."""
    from training import evaluate

    from .datasets import load_vocabulary
    from .protocol import ConfigPacket
    lines, worse = [], []
    new_people = {f["person"]: (f["spot_accuracy"], f["tries"]) for f in metrics["held_out"]["folds"]}
    old_people = {p: (v["accuracy"], v["tries"])
                  for p, v in installed.info.get("held_out", {}).get("people", {}).items()}
    if old_people:
        common = sorted(set(new_people) & set(old_people))
        acc_new, acc_old = _pooled(new_people, common), _pooled(old_people, common)
        who, note = ", ".join(common) or "no person in common", ""
    else:  # a model from before per-person figures were kept: its pooled figure
        common = sorted(new_people)
        acc_new, acc_old = _pooled(new_people, common), installed.info.get("held_out_accuracy")
        who, note = ", ".join(common), " (its recorded figure)"
    better = False  # clearly more accurate: then more false triggers are a trade, not a regression
    if acc_new is not None and acc_old is not None:
        lines.append(f"held-out-person accuracy on {who}: new {acc_new:.1%}, installed {acc_old:.1%}{note}")
        if acc_new < acc_old - ACCURACY_TOLERANCE:
            worse.append(f"held-out accuracy {acc_new:.1%} < installed {acc_old:.1%}")
        better = acc_new > acc_old + ACCURACY_TOLERANCE
    motion = metrics["false_triggers"]["motion"]
    if motion:
        try:
            config = ConfigPacket(**metrics.get("spotter", {}))
        except TypeError:
            config = ConfigPacket()
        recs = [r for g in load_vocabulary() if g.name in motion for r in g.recordings()]
        old_fpm, _, _ = evaluate.false_triggers_per_minute(installed, recs, config)
        new_fpm = metrics["false_triggers"]["per_minute"]
        lines.append(f"false triggers on unknown motion ({', '.join(motion)}): new {new_fpm:.1f}/min, "
                     f"installed {old_fpm:.1f}/min")
        scale, extra = TRIGGER_TOLERANCE
        if new_fpm > old_fpm * scale + extra:
            if better:
                lines.append("more false triggers, but clearly more accurate: counted as not worse")
            else:
                worse.append(f"false triggers {new_fpm:.1f}/min > installed {old_fpm:.1f}/min")
    return Comparison(lines, worse)


def _pooled(people: dict[str, tuple[float, int]], names: list[str]) -> float | None:
    tries = sum(people[n][1] for n in names)
    return sum(people[n][0] * people[n][1] for n in names) / tries if tries else None


def install_run(run_dir: Path, force: bool, metrics: dict | None = None) -> int:
    """Install a training run's model if it is not worse than the installed one (or ``force``)."""
    from training import export

    from .model import keep_installed
    metrics_path = run_dir / "metrics.json"
    try:
        metrics = metrics or json.loads(metrics_path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise WandError(f"{metrics_path}: not a training run's metrics ({e}); pass a folder 'wand train' wrote")
    new = load_model(run_dir / "gesture_model.tflite")
    tflite, firmware, keep = install_target()
    try:
        installed = load_model(tflite)
    except ModelError:
        installed = None  # nothing (valid) installed: nothing to compare with or keep
    if installed is not None and installed.crc32 == new.crc32:
        print(f"this model ({new.crc32:08x}) is already installed")
        return 0
    try:
        problems = weak_model(metrics)
        cmp = compare(new, metrics, installed) if installed is not None else None
    except (KeyError, TypeError) as e:
        raise WandError(f"{metrics_path}: not a training run's metrics (no {e}); pass a folder 'wand train' "
                        "wrote") from None
    if cmp is not None:
        for line in cmp.lines:
            print(line)
        problems += [f"worse than the installed model: {w}" for w in cmp.worse]
    if problems and not force:
        print(f"not installed: {'; '.join(problems)}. The installed model stays. To install this one anyway: "
              f"'wand train --install-from {run_dir} --force'")
        return 1
    kept = keep_installed(tflite, firmware, keep) if installed is not None else None
    for p in export.install(new, tflite, firmware):
        print(f"installed {p}")
    print(f"installed model {new.crc32:08x} as the default (simulator, demo, firmware/magic_wand/src/model/)"
          + (f"; the previous one ({installed.crc32:08x}) is kept in {kept}: 'wand train --undo' puts it back"
             if kept else ""))
    _enrolments_note(new)
    print(FLASH_STEPS)
    return 0


def undo() -> int:
    from .model import restore_kept
    tflite, firmware, keep = install_target()
    bundle = restore_kept(tflite, firmware, keep)
    print(f"restored the previous model {bundle.crc32:08x} (trained {bundle.info.get('date', '?')}); the one it "
          f"replaced is kept in {keep} ('wand train --undo' again swaps back)")
    _enrolments_note(bundle)
    print(FLASH_STEPS)
    return 0


def _enrolments_note(bundle: ModelBundle) -> None:
    """An enrolment file from before DTW holds one model's embeddings, meaningless to another
    model: say so. Today's enrolments are IMU templates and survive a new model."""
    from .paths import enrolled_file
    path = enrolled_file()
    try:
        data = json.loads(path.read_text())
        crc, names = int(data["model_crc32"], 16), sorted(data.get("gestures", {}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    if names and crc != bundle.crc32:
        print(f"your enrolled gestures ({', '.join(names)}) were made for model {crc:08x}; they do not work with "
              f"this one: redo each with 'wand enrol NAME --replace' (the recordings are kept)")
