"""`python -m wand` and the `wand` console script.

Ctrl-C is caught here, around the imports too (the first second of every command is
spent importing), so it is always one line, never a traceback. SIGINT keeps Python's
own handler, so asyncio.run can turn it into a clean cancellation of the running
command; an ignored SIGINT (a job started in the background) stays ignored.
"""

import sys


def entry() -> int:
    try:
        from .cli import main
        return main()
    except KeyboardInterrupt:
        print("wand: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(entry())
