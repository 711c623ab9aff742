"""`python -m wand` and the `wand` console script.

Ctrl-C is caught here, around the imports too (the first second of every command is
spent importing), so it is always one line, never a traceback. And it always stops wand:
should a library swallow the KeyboardInterrupt (once in a loaded CI run an interrupt
during start-up was lost and the demo ran on), a watchdog ends the process a few seconds
later with the same line and status.
"""

import os
import signal
import sys
import threading

FORCE_AFTER_S = 5.0
reported = threading.Event()  # the one "interrupted" line has been printed


def interrupted(command: str = "") -> int:
    if not reported.is_set():
        reported.set()
        print(f"wand{' ' + command if command else ''}: interrupted", file=sys.stderr, flush=True)
    return 130


def _force_exit() -> None:
    interrupted()
    os._exit(130)


def _on_sigint(signum, frame) -> None:
    timer = threading.Timer(FORCE_AFTER_S, _force_exit)
    timer.daemon = True  # a clean exit before then does not wait for it
    timer.start()
    raise KeyboardInterrupt


def entry() -> int:
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        from .cli import main
        return main()
    except KeyboardInterrupt:
        return interrupted()


if __name__ == "__main__":
    raise SystemExit(entry())
