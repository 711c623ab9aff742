"""`wand`: the command line. Every failure a user can fix is one line, no traceback.

The commands live one per module in ``wand/commands``; this module only builds the
parser from them and applies the error policy.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .commands import discover
from .errors import WandError, printable

COMMANDS = discover()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wand", description="magic wand: gestures in, keys/mouse/gamepad/MIDI out")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, mod in COMMANDS.items():
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP, epilog=getattr(mod, "EPILOG", None))
        p.set_defaults(func=mod.run)
        mod.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        logging.getLogger("bleak").setLevel(logging.ERROR)  # its guesses about BlueZ are not the user's problem
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except WandError as e:
        print(f"wand {args.command}: error: {printable(e, 2000)}", file=sys.stderr)  # names from files: no raw escapes
        return 1
    except KeyboardInterrupt:
        print(f"wand {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as e:
        if e.filename is None or os.environ.get("WAND_DEBUG"):
            return _internal(args.command, e)
        # a path of the user's (a file where a folder must be, a folder without write
        # permission) that a command met while working: the path and what to do, not a bug
        where = e.filename2 if e.filename2 is not None else e.filename  # a rename's target, not its temporary file
        print(f"wand {args.command}: error: {printable(where, 500)}: {e.strerror}; {_fix(e)}", file=sys.stderr)
        return 1
    except Exception as e:  # a bug, not a user error: one line unless asked for the traceback
        return _internal(args.command, e)


def _fix(e: OSError) -> str:
    import errno
    return {errno.EEXIST: "a file stands where a folder must be: move it away",
            errno.ENOTDIR: "a file stands where a folder must be: move it away",
            errno.EISDIR: "a folder stands where a file must be: move it away",
            errno.EACCES: "no permission: check the owner and mode of it and of the folders above it",
            errno.EPERM: "not permitted: check the owner and mode of it and of the folders above it",
            errno.EROFS: "the file system is read-only: choose another place",
            errno.ENOSPC: "the disk is full: free some space"}.get(e.errno, "check this path")


def _internal(command: str, e: Exception) -> int:
    """An exception that is a bug: one line (the traceback with WAND_DEBUG=1), exit 70."""
    if os.environ.get("WAND_DEBUG"):
        raise e
    print(f"wand {command}: internal error: {type(e).__name__}: {printable(e, 2000)} "
          "(set WAND_DEBUG=1 for the traceback, and please report it)", file=sys.stderr)
    return 70


if __name__ == "__main__":
    sys.exit(main())
