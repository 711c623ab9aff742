"""Who the daemon acts for: wands the user paired, and files only the user can change.

``wand pair`` bonds with a wand (LE Secure Connections; the OS keeps the keys) and
records it here by address, with its bonding state. ``wand run`` acts only for wands
in this list unless started with ``--any``. Like ssh with its keys, a file that decides
what the daemon does (config, enrolment, paired wands) is refused while a stranger could
have written it (``check_trusted``, ``read_trusted``); every file reader opens through
``read_regular`` so that a FIFO or device is refused instead of hanging it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .errors import WandError, printable
from .paths import paired_file
from .transport.names import clean_name


class TrustError(WandError):
    """A file the daemon must not use: not a regular file, or others could change it."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _check_regular(path: Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise TrustError(f"{path}: is {_kind(st.st_mode)}, not a regular file: give the path of a file")


def _user(uid: int) -> str:
    try:
        import pwd
        return f"user {pwd.getpwuid(uid).pw_name!r} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _home() -> Path | None:
    try:
        import pwd
        return Path(os.path.realpath(pwd.getpwuid(os.geteuid()).pw_dir))
    except (ImportError, KeyError):
        return None


def _check_owner_and_mode(path: Path, st: os.stat_result) -> None:
    me = os.geteuid()
    if st.st_uid not in (0, me):
        raise TrustError(f"{path}: owned by {_user(st.st_uid)}, not by you, so the daemon will not use it: "
                         f"copy it to a file of your own (e.g. 'cp {shlex.quote(str(path))} ~/') and use that")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise TrustError(f"{path}: writable by other users, so the daemon will not use it: "
                         f"fix it: chmod go-w {shlex.quote(str(path))}")


def _check_parents(path: Path) -> None:
    """Every folder above the real file, up to your home folder or '/', as ssh's secure_path:
    owned by you or root, and not writable by others unless sticky (like /tmp, where others
    cannot rename or delete your file)."""
    me, home = os.geteuid(), _home()
    d = Path(os.path.realpath(path)).parent
    while True:
        try:
            st = os.stat(d)
        except OSError:
            return  # vanished while we looked: the open that follows will say so
        if st.st_uid not in (0, me):
            raise TrustError(f"{path}: its folder {d} belongs to {_user(st.st_uid)}, who could replace the file, "
                             "so the daemon will not use it: move it to a folder of your own")
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not st.st_mode & stat.S_ISVTX:
            fix = "move it to a folder only you can write"
            if st.st_uid == me and d != Path(d.anchor):
                fix += f", or fix the folder: chmod go-w {shlex.quote(str(d))}"
            raise TrustError(f"{path}: its folder {d} is writable by other users, who could replace the file, so "
                             f"the daemon will not use it: {fix}")
        if d == home or d == d.parent:
            return
        d = d.parent


def check_trusted(path: str | Path) -> os.stat_result:
    """Refuse (``TrustError``) what a stranger could have written, as ssh does: not a regular
    file (a FIFO would hang the reader, a device is no file); owned by another user than you
    or root; writable by group or others; in a folder others may write without the sticky
    bit, up the path. Only stats: nothing is opened."""
    path = Path(path)
    st = os.stat(path)
    _check_regular(path, st)
    if os.name != "nt":  # ACLs, not mode bits: nothing meaningful to check there
        _check_owner_and_mode(path, st)
        _check_parents(path)
    return st


check_private = check_trusted  # the older name


def read_regular(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most ``limit`` + 1, so a caller can say "too big").

    Opened without blocking and checked with fstat before any read: a FIFO, a device or a
    folder is refused (``TrustError``) and never hangs. ``OSError`` (missing, no
    permission) passes through for the caller to word."""
    return _read(Path(path), limit, trusted=False)


def read_trusted(path: str | Path, limit: int | None = None) -> bytes:
    """``read_regular`` of a file that decides what the daemon does (config, enrolment,
    paired wands): refused unless only you (or root) could have written it and its folders."""
    return _read(Path(path), limit, trusted=True)


def _read(path: Path, limit: int | None, trusted: bool) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)  # the file opened, not whatever the name points at a moment later
        _check_regular(path, st)
        if trusted and os.name != "nt":
            _check_owner_and_mode(path, st)
            _check_parents(path)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        return f.read() if limit is None else f.read(limit + 1)


@dataclass
class PairedWand:
    address: str
    name: str
    bonding: str  # "bonded": keys kept, later links encrypted; "paired": this link only
    paired_at: str = ""


BONDING_STATES = ("bonded", "paired")
_ADDRESS = re.compile(r"[0-9A-F]{2}(:[0-9A-F]{2}){5}|[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}")  # MAC; macOS: UUID


def _check_paired(w: PairedWand) -> None:
    """A wand as ``wand pair`` wrote it; hand-edited fields would reach the terminal and the scan."""
    if not _ADDRESS.fullmatch(w.address):
        raise ValueError(f"address {printable(w.address)}: a Bluetooth address (AA:BB:CC:DD:EE:FF) or a macOS UUID")
    if w.bonding not in BONDING_STATES:
        raise ValueError(f"{w.address}: bonding {printable(w.bonding)}, not one of {', '.join(BONDING_STATES)}")
    if not isinstance(w.paired_at, str) or not w.paired_at.isprintable():
        raise ValueError(f"{w.address}: paired_at {printable(w.paired_at)} is not a date")


@dataclass
class PairedWands:
    path: Path
    wands: dict[str, PairedWand] = field(default_factory=dict)  # by upper-case address

    @classmethod
    def load(cls, path: Path | None = None) -> "PairedWands":
        path = Path(path or paired_file())
        try:
            raw = read_trusted(path)
        except FileNotFoundError:
            return cls(path)
        except OSError as e:
            raise WandError(f"{path}: cannot read ({e.strerror})") from None
        try:
            data = json.loads(raw)
            wands = {a.upper(): PairedWand(**{**w, "address": a.upper(), "name": clean_name(w.get("name"))})
                     for a, w in data.get("wands", {}).items()}
            for w in wands.values():
                _check_paired(w)
        except (OSError, ValueError, TypeError, AttributeError, RecursionError) as e:
            why = "nested too deeply" if isinstance(e, RecursionError) else printable(e)
            raise WandError(f"{path}: not a paired-wands file ({why}); pair again with "
                            "'wand pair' after moving it away") from None
        return cls(path, wands)

    def allows(self, address: str) -> bool:
        return address.upper() in self.wands

    def add(self, address: str, name: str, bonding: str) -> PairedWand:
        w = PairedWand(address.upper(), clean_name(name), bonding,
                       datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.wands[w.address] = w
        return w

    def remove(self, address: str) -> bool:
        return self.wands.pop(address.upper(), None) is not None

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"wands": {a: {k: v for k, v in asdict(w).items() if k != "address"} for a, w in sorted(self.wands.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".paired-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        return self.path
