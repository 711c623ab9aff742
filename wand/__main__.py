"""`python -m wand` and the `wand` console script.

Ctrl-C is caught here, around the imports too (the first second of every command is
spent importing), so it is always one line, never a traceback.
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
