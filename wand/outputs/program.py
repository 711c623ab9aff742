"""Run a program named in the user's own config: argv as given, never through a shell.

What can be known when the config is checked is checked then (a NUL byte, a path through
a file, a file that is not a program or has no '#!' line); what can change later (the
program was removed) is one clear line at run time.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import subprocess
import threading
from typing import Any

from ..errors import ConfigError, DeviceError
from .base import MAX_LIST, MAX_TEXT, Action, ActionKind, Output, OutputSpec, Param

ORDER = 40
log = logging.getLogger("wand.outputs")
ARGV_HELP = "run needs argv = [\"program\", \"arg\", ...] (a list of strings; no shell)"


def check_argv(value: Any, where: str) -> list[str]:
    if (not isinstance(value, list) or not value or len(value) > MAX_LIST
            or not all(isinstance(a, str) and len(a) <= MAX_TEXT for a in value) or not value[0]):
        raise ConfigError(f"{where}: {ARGV_HELP}")
    for i, a in enumerate(value):
        if "\0" in a:
            raise ConfigError(f"{where}: argv[{i}] contains a NUL byte, which no program can receive")
    problem = _not_runnable(value[0])
    if problem:
        raise ConfigError(f"{where}: cannot run {value[0]!r}: {problem}")
    return list(value)


def _not_runnable(prog: str) -> str | None:
    """Why a program given by path can never start, or None (a bare name is found on PATH at run time)."""
    if "/" not in prog:
        return None
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
    try:
        with open(prog, "rb") as f:
            head = f.read(4)
    except OSError:
        return None  # executable but unreadable: the kernel may still run it
    if head[:2] != b"#!" and head != b"\x7fELF":
        return "it has no '#!' first line (add one, e.g. '#!/bin/sh'), so the system cannot start it"
    return None


RUN = ActionKind("run", "a command: { action = \"run\", argv = [\"prog\", \"arg\"] } (no shell)", (
    Param("argv", "custom", parse=check_argv),
    Param("timeout_s", "int", 10, lo=1, hi=3600),
), describe=lambda p, e: "run " + " ".join(p["argv"]))


class ProgramOutput(Output):
    name = "run"

    def perform(self, action: Action, event) -> str:
        argv = action.params["argv"]
        env = os.environ | {"WAND_GESTURE": event.gesture, "WAND_NAME": event.wand,
                            "WAND_STRENGTH": f"{event.strength:.3f}"}
        try:
            proc = subprocess.Popen(argv, shell=False, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        except OSError as e:  # missing, not executable, no '#!' (ENOEXEC), a path through a file...
            hint = " (a script needs a '#!' first line)" if e.errno == errno.ENOEXEC else ""
            raise DeviceError(f"{action.where}: cannot run {argv[0]!r}: {e.strerror}{hint}") from None
        except ValueError as e:  # e.g. an embedded NUL byte in the environment
            raise DeviceError(f"{action.where}: cannot run {argv[0]!r}: {e}") from None
        # Reap it in the background: a long-running program must not hold up other actions.
        threading.Thread(target=_reap, args=(proc, argv[0], action.params["timeout_s"]), daemon=True).start()
        return f"started {' '.join(argv)}"


def _reap(proc: subprocess.Popen, name: str, timeout: int) -> None:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        log.info("%s still running after %ds; left running", name, timeout)
        return
    if proc.returncode:
        last = (err or "").strip().splitlines()[-1:] or [""]
        log.warning("%s exited with %d %s", name, proc.returncode, last[0])


OUTPUTS = (OutputSpec("run", (RUN,), lambda s, c: ProgramOutput()),)
