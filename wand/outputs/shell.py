"""Run a program named in the user's own config: argv as given, never through a shell."""

from __future__ import annotations

import logging
import os
import subprocess
import threading

from ..config import Action
from ..errors import DeviceError
from ..events import GestureEvent
from .base import Output

log = logging.getLogger("wand.outputs")


class ShellOutput(Output):
    name = "run"
    kinds = frozenset({"run"})

    def perform(self, action: Action, event: GestureEvent) -> str:
        argv = action.params["argv"]
        env = os.environ | {"WAND_GESTURE": event.gesture, "WAND_NAME": event.wand,
                            "WAND_STRENGTH": f"{event.strength:.3f}"}
        try:
            proc = subprocess.Popen(argv, shell=False, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        except (FileNotFoundError, PermissionError) as e:
            raise DeviceError(f"{action.where}: cannot run {argv[0]!r}: {e.strerror}") from None
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
