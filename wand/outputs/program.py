"""Run a program named in the user's own config: argv as given, never through a shell.

What can be known when the config is checked is checked then (a NUL byte, a path through
a file, a file that is not a program or has no '#!' line, a program others may change);
what can change later (the program was removed or made writable) is checked again, and
is one clear line, at run time.

Which file runs is decided the same way at check and at run time: a bare name is looked
up on PATH, a relative path is taken from the config file's folder (never from whatever
folder the checker or the daemon was started in).

Each program runs in a session (process group) of its own, so what it starts goes with
it: at ``timeout_s`` and when the daemon stops, the whole group gets SIGTERM, then
SIGKILL after ``GRACE_S``. Its stderr is logged as one line, escape codes removed.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DeviceError, WandError
from ..transport.names import clean_text
from .base import MAX_LIST, MAX_TEXT, Action, ActionKind, Output, OutputSpec, Param

ORDER = 40
log = logging.getLogger("wand.outputs")
ARGV_HELP = "run needs argv = [\"program\", \"arg\", ...] (a list of strings; no shell)"
GRACE_S = 2.0  # between SIGTERM and SIGKILL
STDERR_MAX = 64 * 1024  # bytes of a program's stderr looked at (its last line is logged)
POLL_S = 0.1  # how often a program's leftover process group is looked at


def config_dir(where: str) -> Path | None:
    """The folder of the config an action came from ("FILE:LINE"), or None (no file)."""
    name = where.rsplit(":", 1)[0]
    return None if not name or name.startswith("<") else Path(name).expanduser().absolute().parent


def resolve(prog: str, base: Path | None) -> str | None:
    """The file ``prog`` names: a bare name on PATH (None if not there), a relative path
    from the config's folder ``base``, an absolute path as it is; ValueError for ~nouser/."""
    if "/" not in prog:
        return shutil.which(prog)
    try:
        path = Path(prog).expanduser()
    except RuntimeError:  # ~nouser/...: no such user's home
        raise ValueError(f"{prog!r}: no home folder for that user; write the full path") from None
    if not path.is_absolute() and base is not None:
        path = base / path
    return str(path)


def check_argv(value: Any, where: str) -> list[str]:
    if (not isinstance(value, list) or not value or len(value) > MAX_LIST
            or not all(isinstance(a, str) and len(a) <= MAX_TEXT for a in value) or not value[0]):
        raise ConfigError(f"{where}: {ARGV_HELP}")
    for i, a in enumerate(value):
        if "\0" in a:
            raise ConfigError(f"{where}: argv[{i}] contains a NUL byte, which no program can receive")
    try:
        path = resolve(value[0], config_dir(where))
    except ValueError as e:
        raise ConfigError(f"{where}: {e}") from None
    problem = _not_runnable(path) if path else None  # a bare name not on PATH may be installed later
    if problem:
        raise ConfigError(f"{where}: cannot run {_named(value[0], path)}: {problem}")
    return list(value)


def _named(prog: str, path: str | None) -> str:
    """The program as the config names it, and the file that is where they differ."""
    return f"{prog!r}" + (f" ({path})" if path and path != prog else "")


def _not_runnable(prog: str) -> str | None:
    """Why the program file can never start or must not be trusted, or None."""
    try:
        st = os.stat(prog)
    except FileNotFoundError:
        return None  # it may be installed later: reported at run time
    except NotADirectoryError:
        return "a part of its path is a file, not a folder"
    except OSError as e:
        return e.strerror
    if stat.S_ISDIR(st.st_mode):
        return "it is a folder"
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file"
    if not os.access(prog, os.X_OK):
        return f"it is not executable (chmod +x {prog})"
    untrusted = _untrusted(prog)
    if untrusted:
        return untrusted
    try:
        with open(prog, "rb") as f:
            head = f.read(4)
    except OSError:
        return None  # executable but unreadable: the kernel may still run it
    if head[:2] != b"#!" and head != b"\x7fELF":
        return "it has no '#!' first line (add one, e.g. '#!/bin/sh'), so the system cannot start it"
    return None


def _untrusted(prog: str) -> str | None:
    """Why others could change what runs (the file, or its folders: wand.trust's rules), or None."""
    from ..trust import check_trusted
    try:
        check_trusted(prog)
    except WandError as e:
        return str(e).split(f"{prog}: ", 1)[-1]
    except OSError:
        return None  # gone since it was looked at: the start says so
    return None


RUN = ActionKind("run", "a command: { action = \"run\", argv = [\"prog\", \"arg\"] } (no shell)", (
    Param("argv", "custom", parse=check_argv),
    Param("timeout_s", "int", 10, lo=1, hi=3600),
), describe=lambda p, e: "run " + " ".join(p["argv"]))


class ProgramOutput(Output):
    name = "run"

    def __init__(self) -> None:
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._closed = False

    def perform(self, action: Action, event) -> str:
        argv = action.params["argv"]
        path = self._program(action)
        env = os.environ | {"WAND_GESTURE": event.gesture, "WAND_NAME": event.wand,
                            "WAND_STRENGTH": f"{event.strength:.3f}"}
        with self._lock:
            if self._closed:
                raise DeviceError(f"{action.where}: not started: the daemon is stopping")
            try:
                proc = subprocess.Popen(argv, executable=path, shell=False, env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            except OSError as e:  # removed since the check, no '#!' (ENOEXEC), a path through a file...
                hint = " (a script needs a '#!' first line)" if e.errno == errno.ENOEXEC else ""
                raise DeviceError(f"{action.where}: cannot run {_named(argv[0], path)}: {e.strerror}{hint}") from None
            except ValueError as e:  # e.g. an embedded NUL byte in the environment
                raise DeviceError(f"{action.where}: cannot run {argv[0]!r}: {e}") from None
            self._running.add(proc)
        # Reaped in the background: a long-running program must not hold up other actions.
        threading.Thread(target=self._reap, args=(proc, argv[0], action.params["timeout_s"]), daemon=True).start()
        return f"started {' '.join(argv)}"

    @staticmethod
    def _program(action: Action) -> str:
        """The file to run, found and trusted now (it may have changed since the check)."""
        prog = action.params["argv"][0]
        try:
            path = resolve(prog, config_dir(action.where))
        except ValueError as e:
            raise DeviceError(f"{action.where}: cannot run it: {e}") from None
        if path is None:
            raise DeviceError(f"{action.where}: cannot run {prog!r}: not found on PATH ({os.environ.get('PATH', '')})")
        problem = _not_runnable(path)
        if problem:
            raise DeviceError(f"{action.where}: cannot run {_named(prog, path)}: {problem}")
        return path

    def _reap(self, proc: subprocess.Popen, name: str, timeout: int) -> None:
        """Wait for the program and its group until ``timeout``; then stop what is left."""
        deadline = time.monotonic() + timeout
        err = b""
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        except (ValueError, OSError):  # its pipe closed under it (the daemon stopping)
            pass
        while group_alive(proc) and time.monotonic() < deadline:
            time.sleep(POLL_S)  # what it started in the background runs on, until the timeout
        if group_alive(proc):
            stop_group(proc)
            log.warning("%s (or what it started) still running after %d s (timeout_s): stopped",
                        clean_text(name, 80), timeout)
        with self._lock:
            self._running.discard(proc)
        if proc.returncode and proc.returncode > 0:
            last = (err or b"")[-STDERR_MAX:].decode("utf-8", "replace").strip().split("\n")[-1:] or [""]
            log.warning("%s exited with %d %s", clean_text(name, 80), proc.returncode, clean_text(last[0]))

    def close(self) -> None:
        """The daemon stops: so does every program it started, with what they started."""
        with self._lock:
            self._closed = True
            running = list(self._running)
        for proc in running:
            stop_group(proc)


def group_alive(proc: subprocess.Popen) -> bool:
    """Whether any process of the program's group is left (its leader reaped first, since a
    zombie still counts). The number stays reserved while any member runs."""
    proc.poll()
    try:
        os.killpg(proc.pid, 0)  # start_new_session: the program leads its own group
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(proc: subprocess.Popen, grace_s: float = GRACE_S) -> None:
    """SIGTERM to the program's whole process group, SIGKILL after ``grace_s`` to what is left."""
    _signal_group(proc.pid, signal.SIGTERM)
    end = time.monotonic() + grace_s
    while group_alive(proc) and time.monotonic() < end:
        time.sleep(POLL_S)
    if group_alive(proc):
        _signal_group(proc.pid, signal.SIGKILL)
        end = time.monotonic() + grace_s
        while group_alive(proc) and time.monotonic() < end:
            time.sleep(POLL_S)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass  # the whole group is gone
    except PermissionError as e:  # a member became setuid: nothing more we may do
        log.warning("cannot signal process group %d: %s", pgid, e.strerror)


OUTPUTS = (OutputSpec("run", (RUN,), lambda s, c: ProgramOutput()),)
