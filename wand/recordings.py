"""Recorded gestures: the in-memory form, and the project's own file format.

A ``Recording`` is one try of one gesture as raw IMU integers (mg, 0.1 dps) at the
rate it was captured, starting at the motion onset. The ``wand-csv`` file format
(one try per file, see ``gestures/README.md``)::

    # wand-recording v1
    # gesture: shake
    # person: alice
    # board: nano33ble-rev1
    # rate_hz: 50
    # date: 2026-11-22T21:00:00+00:00
    ax_mg,ay_mg,az_mg,gx_ddps,gy_ddps,gz_ddps
    -12,40,1002,3,-5,11
    ...

Files are written whole to a temporary name in ``<recordings>/.incoming/`` (a folder no
loader reads), synced, then linked into place: a session killed at any point leaves only
whole files where loaders look, an existing recording is never replaced, and a full disk
leaves nothing behind but a ``DiskFullError``.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .errors import GestureFileError, WandError, printable
from .trust import TrustError, read_regular

MAGIC = "# wand-recording v1"
COLUMNS = ["ax_mg", "ay_mg", "az_mg", "gx_ddps", "gy_ddps", "gz_ddps"]
RAW_TO_PHYSICAL = np.array([1000.0] * 3 + [10.0] * 3)  # wire units per g and per deg/s, column by column
REQUIRED_META = ("gesture", "rate_hz")
ACC_GYRO = "acc+gyro"  # both sensors: samples (n, 6)
ACC_ONLY = "acc"  # no gyroscope (e.g. SparkFun Edge): samples (n, 3), never padded with made-up rates
CHANNEL_COLUMNS = {ACC_GYRO: 6, ACC_ONLY: 3}
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
RESERVED_NAMES = ("other", "unknown")  # what the model and the daemon call "none of the gestures"
INCOMING = ".incoming"  # temporary files, under the recordings folder; no loader looks there
PERSON_MAX = 64
# What a hand-edited try may hold: the wire's int16 units, a rate some IMU really has
# (LSM9DS1: 10-952 Hz), and a try long enough to resample and short enough to be one gesture.
INT16_MIN, INT16_MAX = -32768, 32767
RATE_MIN_HZ, RATE_MAX_HZ = 10, 1000
MIN_SAMPLES = 2
MAX_TRY_S = 60
MAX_STREAM_S = 24 * 3600  # a long recording of everyday motion (wand eval --stream): a day at most


class DiskFullError(WandError):
    """No space (or quota) left while saving; whatever was saved before is intact."""

    def __init__(self, where: str, detail: str = "") -> None:
        self.where, self.detail = where, detail
        super().__init__(f"disk full: free space on {where}; nothing was lost" + (f" ({detail})" if detail else ""))


@dataclass
class Recording:
    label: str  # gesture name (or a data set's raw label before mapping)
    samples: np.ndarray  # (n, 6) int32: ax ay az in mg, gx gy gz in 0.1 dps (n, 3) when channels is "acc"
    rate_hz: int
    person: str = "unknown"
    session: str = ""
    source: str = ""  # file (and index) it came from, for error messages and plots
    meta: dict[str, str] = field(default_factory=dict)
    channels: str = ACC_GYRO  # which sensors are real: a missing one is absent, not zero

    def __post_init__(self) -> None:
        self.samples = np.asarray(self.samples, dtype=np.int32)
        width = CHANNEL_COLUMNS.get(self.channels)
        if width is None:
            raise GestureFileError(f"{self.source or self.label}: unknown channels {self.channels!r}")
        if self.samples.ndim != 2 or self.samples.shape[1] != width:
            raise GestureFileError(f"{self.source or self.label}: samples must be (n, {width}) for channels "
                                   f"{self.channels}, got {self.samples.shape}")

    @property
    def has_gyro(self) -> bool:
        return self.channels == ACC_GYRO

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz


def raw_to_physical(raw: np.ndarray) -> np.ndarray:
    """(n, 6) wire integers (mg, 0.1 dps) -> g and deg/s; (n, 3) acceleration only -> g."""
    raw = np.asarray(raw, dtype=np.float64)
    return raw / RAW_TO_PHYSICAL[: raw.shape[-1]]


def check_gesture_name(name: str) -> str:
    if not NAME_RE.fullmatch(name):  # fullmatch: '$' would let a trailing newline through
        raise GestureFileError(
            f"bad gesture name {name!r}: use 1-32 lower-case letters, digits, '-' or '_', starting with a letter or digit"
        )
    return name


WINDOWS_DEVICES = frozenset(["con", "prn", "aux", "nul"] + [f"{p}{i}" for p in ("com", "lpt") for i in range(10)])


def check_new_gesture_name(name: str, built_in: list[str] | tuple[str, ...] = ()) -> str:
    """A name for new recordings: valid, and not one the model already means something by."""
    check_gesture_name(name)
    from .characters import not_a_character
    problem = not_a_character(name)
    if problem:  # a config could never map it: the tries would be recorded for nothing
        raise GestureFileError(problem)
    if name in WINDOWS_DEVICES:  # the name is a folder of tries: Windows cannot make one named so
        raise GestureFileError(f"{name!r} is a device name on Windows, where no folder can have it; "
                               f"name your gesture something else (e.g. 'my_{name}')")
    if name in RESERVED_NAMES:
        raise GestureFileError(f"{name!r} is what the wand calls motion that is none of your gestures; "
                               f"name your gesture something else (e.g. 'my_{name}')")
    if name in built_in:
        raise GestureFileError(f"{name!r} is built into the installed model, so tries named so would be "
                               f"confused with it; name your gesture something else (e.g. 'my_{name}')")
    return name


def check_person(person: str) -> str:
    """Who recorded: any printable text without '/' or '\\' (it is part of file names)."""
    bad = [c for c in person if c in "/\\" or not c.isprintable()]
    if not person.strip() or bad or len(person) > PERSON_MAX:
        raise GestureFileError(f"bad person name {person!r}: use 1-{PERSON_MAX} printable characters "
                               "without '/', '\\', newlines or control characters")
    return person


def _clean(value: str) -> str:
    """A metadata value on one header line: control characters (newlines) become spaces."""
    return "".join(c if c.isprintable() else " " for c in str(value)).strip()


def _slug(text: str) -> str:
    """Safe in a file name on every OS."""
    return re.sub(r"[^\w-]", "_", text)[:120] or "_"


def read_wand_csv(path: str | Path, max_s: float = MAX_TRY_S) -> Recording:
    """One try (or, with ``max_s`` up to ``MAX_STREAM_S``, a long recording), every field
    checked: a bad file is one ``GestureFileError`` naming file:line and what to do, so each
    reader can skip it and go on (``read_tries``). The message is safe on a terminal
    whatever the file's name or content."""
    try:
        return _read_wand_csv(Path(path), max_s)
    except GestureFileError as e:
        raise GestureFileError(printable(e, 2000)) from None


def _read_wand_csv(path: Path, max_s: float) -> Recording:
    try:
        lines = read_regular(path).decode("utf-8-sig").splitlines()  # a spreadsheet may save a BOM first
    except TrustError as e:
        raise GestureFileError(str(e)) from None
    except OSError as e:
        raise GestureFileError(f"{path}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise GestureFileError(f"{path}: not a text file") from None
    if not lines or lines[0].strip() != MAGIC:
        raise GestureFileError(f"{path}:1: not a wand recording (first line must be '{MAGIC}')")
    meta: dict[str, str] = {}
    where_meta: dict[str, int] = {}
    rows: list[list[int]] = []
    header_seen = False
    for no, line in enumerate(lines[1:], start=2):
        text = line.strip()
        if not text:
            continue
        if text.startswith("#"):
            key, sep, value = text[1:].partition(":")
            if not sep:
                raise GestureFileError(f"{path}:{no}: metadata lines look like '# key: value', got {text!r}")
            meta[_clean(key)] = _clean(value)  # no control characters reach a terminal or a plot
            where_meta[_clean(key)] = no
            continue
        if not header_seen:
            if [c.strip() for c in text.split(",")] != COLUMNS:
                raise GestureFileError(f"{path}:{no}: column header must be {','.join(COLUMNS)}")
            header_seen = True
            continue
        rows.append(_row(path, no, text))
    for key in REQUIRED_META:
        if key not in meta:
            raise GestureFileError(f"{path}: missing '# {key}: ...' metadata line")  # the line says what to add
    label, rate = _label(path, where_meta["gesture"], meta["gesture"]), _rate(path, where_meta["rate_hz"], meta["rate_hz"])
    if len(rows) < MIN_SAMPLES:
        raise GestureFileError(f"{path}: {len(rows)} sample(s); a try needs at least {MIN_SAMPLES}: record it again")
    if len(rows) > max_s * rate:
        if max_s >= MAX_STREAM_S:
            raise GestureFileError(f"{path}: {len(rows)} samples at {rate} Hz is longer than {max_s / 3600:g} h; "
                                   "cut it into shorter recordings")
        raise GestureFileError(f"{path}: {len(rows)} samples at {rate} Hz is longer than {max_s:g} s; a try is one "
                               "gesture: cut it, or record it again (a long recording of everyday motion goes to "
                               "'wand eval --stream')")
    return Recording(
        label=label, samples=np.array(rows), rate_hz=rate, person=meta.get("person") or "unknown",
        session=meta.get("date", ""), source=str(path), meta=meta,
    )


def _row(path: Path, no: int, text: str) -> list[int]:
    parts = text.split(",")
    if len(parts) != len(COLUMNS):
        raise GestureFileError(f"{path}:{no}: expected {len(COLUMNS)} integers, got {len(parts)} values")
    try:
        row = [int(p) for p in parts]
    except ValueError:
        raise GestureFileError(f"{path}:{no}: values must be integers (mg and 0.1 dps), got {text[:80]!r}") from None
    if not all(INT16_MIN <= v <= INT16_MAX for v in row):
        raise GestureFileError(f"{path}:{no}: values must be in {INT16_MIN}..{INT16_MAX} (the IMU's 16-bit range in "
                               f"mg and 0.1 dps), got {text[:80]!r}")
    return row


def _label(path: Path, no: int, value: str) -> str:
    try:
        return check_gesture_name(value)
    except GestureFileError as e:
        raise GestureFileError(f"{path}:{no}: {e}") from None


def _rate(path: Path, no: int, value: str) -> int:
    try:
        rate = int(value)
    except ValueError:
        rate = None
    if rate is None or not RATE_MIN_HZ <= rate <= RATE_MAX_HZ:
        raise GestureFileError(f"{path}:{no}: rate_hz must be a whole number of samples per second in "
                               f"{RATE_MIN_HZ}..{RATE_MAX_HZ}, got {value[:40]!r}: write the rate it was recorded at")
    return rate


def read_tries(files, say=None) -> list[Recording]:
    """``read_wand_csv`` of each file; a bad one is named in one line (``say``, default
    stderr) and skipped, so one hand-edited try never stops the others being used."""
    out = []
    for f in files:
        try:
            out.append(read_wand_csv(f))
        except GestureFileError as e:
            (say or _say_stderr)(f"skipped {e}")
    return out


def _say_stderr(text: str) -> None:
    import sys
    print(printable(text, 2000), file=sys.stderr)


def write_wand_csv(rec: Recording, folder: str | Path, stem: str | None = None) -> Path:
    """Save one try under ``folder/<gesture>/``; never replaces an existing file."""
    check_gesture_name(rec.label)
    if rec.channels != ACC_GYRO:
        raise GestureFileError(f"{rec.source or rec.label}: a wand recording needs accelerometer and gyroscope; "
                               f"this one has {rec.channels} only")
    if rec.samples.size and not (INT16_MIN <= rec.samples.min() and rec.samples.max() <= INT16_MAX):
        raise GestureFileError(f"{rec.source or rec.label}: values outside the IMU's 16-bit range "
                               f"({INT16_MIN}..{INT16_MAX} mg and 0.1 dps): not saved")
    if not RATE_MIN_HZ <= rec.rate_hz <= RATE_MAX_HZ:
        raise GestureFileError(f"{rec.source or rec.label}: rate {rec.rate_hz} Hz is outside "
                               f"{RATE_MIN_HZ}..{RATE_MAX_HZ}: not saved")
    meta = {"gesture": rec.label, "person": rec.person, "rate_hz": str(rec.rate_hz),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    meta.update({k: v for k, v in rec.meta.items() if k not in ("gesture", "rate_hz")})
    header = [f"# {_slug(k)}: {_clean(v)}" for k, v in meta.items()]
    body = [MAGIC] + header + [",".join(COLUMNS)]
    body += [",".join(str(int(v)) for v in row) for row in rec.samples]
    stem = _slug(stem or f"{meta['date'][:19].replace(':', '').replace('-', '')}-{rec.person}")
    names = (f"{stem}-{n:03d}.csv" for n in range(1, 10000))
    return save_new(Path(folder), rec.label, names, ("\n".join(body) + "\n").encode("utf-8"))


def save_new(folder: Path, sub: str, names, data: bytes) -> Path:
    """Write ``data`` whole as the first free name of ``names`` in ``folder/sub``, never overwriting."""
    def place(tmp: str) -> Path:
        target_dir = folder / sub
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                os.link(tmp, target_dir / name)  # atomic, and fails if the name exists: no silent overwrite
            except FileExistsError:
                continue
            _sync_dir(target_dir)
            return target_dir / name
        raise GestureFileError(f"{target_dir}: no free file name for {sub}")
    return _via_incoming(folder, data, place)


def replace_file(folder: Path, path: Path, data: bytes) -> Path:
    """Write ``data`` as ``path`` (under ``folder``) all at once: the old file or the new, never half."""
    def place(tmp: str) -> Path:
        os.replace(tmp, path)
        _sync_dir(path.parent)
        return path
    return _via_incoming(folder, data, place)


def _via_incoming(folder: Path, data: bytes, place) -> Path:
    tmp = None
    try:
        incoming = folder / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        _sweep(incoming)
        fd, tmp = tempfile.mkstemp(dir=incoming, prefix=f"{os.getpid()}-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        return place(tmp)
    except OSError as e:
        if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise DiskFullError(where(folder)) from None
        raise
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)  # gone already after os.replace
            except FileNotFoundError:
                pass


def _sync_dir(path: Path) -> None:
    """Make a new directory entry durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sweep(incoming: Path) -> None:
    """Remove temporary files of saves that were killed (their process is gone)."""
    for p in incoming.iterdir():
        pid, _, _ = p.name.partition("-")
        try:
            if os.name == "posix":
                os.kill(int(pid), 0)
                continue  # still running
            if time.time() - p.stat().st_mtime < 86400:
                continue
        except ProcessLookupError:
            pass
        except (ValueError, OSError):
            continue
        try:
            p.unlink()
        except OSError:
            pass


def where(path: Path) -> str:
    """The device and mount point holding ``path``, for a 'disk full' line."""
    p = Path(os.path.abspath(path))
    while not p.exists() and p != p.parent:
        p = p.parent
    while not os.path.ismount(p) and p != p.parent:
        p = p.parent
    try:
        with open("/proc/self/mounts", encoding="utf-8") as f:
            devs = [line.split()[0] for line in f if len(line.split()) > 1 and line.split()[1] == str(p)]
    except OSError:
        devs = []
    return f"{devs[-1]} (mounted at {p})" if devs else str(p)


def list_gesture_files(folder: str | Path) -> dict[str, list[Path]]:
    """Recorded gesture files per gesture name (sub-folder) under ``folder``.

    Hidden names (temporary files of older versions, ``.incoming/``) and empty files
    (left by a crash outside this module) are never returned.
    """
    out: dict[str, list[Path]] = {}
    root = Path(folder)
    if not root.is_dir():
        return out
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(f for f in sub.glob("*.csv") if not f.name.startswith(".") and _non_empty(f))
        if files:
            out[sub.name] = files
    return out


def _non_empty(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False
