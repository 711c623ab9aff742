"""`wand eval`: measure the installed recogniser on anyone's recordings."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import WandError
from . import add_model_argument
from ._common import non_negative_int, positive_int

HELP = "measure the recogniser 'wand run' uses on recorded tries, long streams, or few-shot enrolment"
ORDER = 105


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("dir", nargs="?", help="folder of wand-csv tries (the '# gesture:' line is the truth)")
    p.add_argument("--stream", nargs="+", metavar="FILE",
                   help="long wand-csv recordings with no gestures in them: false triggers per hour")
    p.add_argument("--enrol", type=positive_int, metavar="K",
                   help="few-shot protocol on DIR: per person and gesture, enrol K random tries, test on the rest")
    p.add_argument("--draws", type=positive_int, default=5, help="random draws for --enrol (default 5)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed for the --enrol draws (default 0)")
    p.add_argument("--config", help="mapping config whose spotting settings to use (default: as 'wand run')")
    p.add_argument("--enrolled", help="enrolment file (default: as 'wand run')")
    p.add_argument("--png", help="where to save the plot (default runs/eval/<protocol>.png)")
    p.add_argument("--json", action="store_true", help="print the results as JSON (for scripts)")


def run(args) -> int:
    from .. import eval as ev
    from ..paths import runs_dir

    if bool(args.dir) == bool(args.stream):
        raise WandError("give a folder of tries (wand eval DIR) or --stream FILE..., not both")
    if args.enrol is not None and not args.dir:
        raise WandError("--enrol K needs a folder of tries: wand eval --enrol K DIR")
    if args.draws < 1:
        raise WandError(f"--draws {args.draws}: at least 1")
    say = (lambda s: print(s, file=sys.stderr)) if args.json else print
    rec = ev.installed(args.model, args.config, args.enrolled, say=say)
    recordings = ev.read_tries([args.dir] if args.dir else args.stream, say, rec.known)
    where = args.dir or ", ".join(args.stream)
    if not recordings:
        raise WandError(f"no readable wand-csv recordings in {where}")
    if args.stream:
        report, protocol = ev.eval_streams(rec, recordings), "stream"
        text = ev.streams_text(report)
    elif args.enrol is not None:
        report, protocol = ev.eval_enrol(rec, recordings, args.enrol, args.draws, args.seed, say), "enrol"
        text = ev.enrol_text(report)
    else:
        report, protocol = ev.eval_tries(rec, recordings), "tries"
        text = ev.tries_text(report)
    png = Path(args.png) if args.png else runs_dir() / "eval" / f"{protocol}.png"
    ev.plot(report, png, f"wand eval ({protocol}): {where}")
    if args.json:
        print(ev.to_json(report, rec, png))
    else:
        print(text)
        print(f"\nrecogniser: model {rec.bundle.crc32:08x}, spotting from {rec.config_path}, "
              f"{len(rec.enrolled.gestures)} enrolled gesture(s); plot: {png}")
    return 0
