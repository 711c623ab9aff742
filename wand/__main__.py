"""`python -m wand` and the `wand` console script.

Ctrl-C is caught here, around the imports too (the first second of every command is
spent importing), so it is always one line, never a traceback. SIGINT keeps Python's
own handler, so asyncio.run can turn it into a clean cancellation of the running
command; an ignored SIGINT (a job started in the background) stays ignored.

A Ctrl-C that lands inside a C extension's import can come out as an ImportError (numpy
turns an interrupted import into "do not import numpy from its source directory"). The
signal wakeup fd, which sees every signal whoever swallows its exception, tells the two
apart: an ImportError after a SIGINT is the interrupt; any other is one line saying how
to repair the install.
"""

import os
import signal
import sys


def entry() -> int:
    seen = _watch_signals()
    try:
        from .cli import main
        return main()
    except KeyboardInterrupt:
        print("wand: interrupted", file=sys.stderr)
        return 130
    except ImportError as e:
        if seen is not None and _sigint_seen(seen):
            print("wand: interrupted", file=sys.stderr)
            return 130
        print(f"wand: {e.name or 'a module'} does not import ({str(e).splitlines()[0] if str(e) else e!r}): "
              "reinstall with 'make venv' or 'pip install -e .'", file=sys.stderr)
        return 1
    finally:
        _unwatch(seen)


def _watch_signals() -> tuple[int, int, int] | None:
    """A non-blocking pipe as the signal wakeup fd: (read end, write end, the previous fd)."""
    try:
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        previous = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    except (OSError, ValueError):  # not the main thread, or no pipes: the plain path
        return None
    return r, w, previous


def _sigint_seen(seen: tuple[int, int, int]) -> bool:
    try:
        return bytes([signal.SIGINT]) in os.read(seen[0], 4096)
    except (BlockingIOError, OSError):
        return False


def _unwatch(seen: tuple[int, int, int] | None) -> None:
    if seen is None:
        return
    r, w, previous = seen
    try:
        current = signal.set_wakeup_fd(previous)
        if current != w:  # someone (asyncio) replaced ours meanwhile: leave theirs in place
            signal.set_wakeup_fd(current)
    except ValueError:
        pass
    os.close(r)
    os.close(w)


if __name__ == "__main__":
    raise SystemExit(entry())
