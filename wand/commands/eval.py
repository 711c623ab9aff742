"""`wand eval`: measure the installed recogniser on anyone's recordings."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import WandError
from . import add_model_argument
from ._common import given, non_negative_int, number, positive_int

HELP = "measure the recogniser 'wand run' uses on recorded tries, long streams, or few-shot enrolment"
ORDER = 105


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("dir", nargs="?", help="folder of wand-csv tries (the '# gesture:' line is the truth)")
    p.add_argument("--stream", nargs="+", metavar="FILE",
                   help="long wand-csv recordings with no gestures in them: false triggers per hour")
    p.add_argument("--enrol", type=positive_int, metavar="K",
                   help="few-shot protocol on DIR: per person and gesture, enrol K random tries, test on the rest")
    p.add_argument("--drawings", action="store_true",
                   help="with --enrol: enrol the tries as drawings (as 'wand enrol --drawing': the stroke between two "
                        "rests); the default when every try is a character (digit_5, letter_z, shape_circle)")
    p.add_argument("--draws", type=number(1, 1000, integer=True), default=5,
                   help="random draws for --enrol (default 5, at most 1000)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed for the --enrol draws (default 0)")
    p.add_argument("--hold-still", type=number(0, 60.0), default=0.0, metavar="S",
                   help="put S seconds of rest before and after each try (for recordings cut at the gesture's start "
                        "and end): the wand held still where the try began and ended; evaluation only, nothing is "
                        "written")
    p.add_argument("--config", type=given, help="mapping config whose spotting settings to use (default: as 'wand run')")
    p.add_argument("--enrolled", type=given, help="enrolment file (default: as 'wand run')")
    p.add_argument("--png", type=given, help="where to save the plot (default runs/eval/<protocol>.png)")
    p.add_argument("--json", action="store_true", help="print the results as JSON (for scripts)")


def run(args) -> int:
    from collections import Counter

    from .. import eval as ev
    from ..paths import runs_dir

    if bool(args.dir) == bool(args.stream):
        raise WandError("give a folder of tries (wand eval DIR) or --stream FILE..., not both")
    if args.enrol is not None and not args.dir:
        raise WandError("--enrol K needs a folder of tries: wand eval --enrol K DIR")
    if args.draws < 1:
        raise WandError(f"--draws {args.draws}: at least 1")
    if not 0.0 <= args.hold_still <= 60.0:
        raise WandError(f"--hold-still {args.hold_still}: seconds of rest, 0..60")
    say = (lambda s: print(s, file=sys.stderr)) if args.json else print
    rec = ev.installed(args.model, args.config, args.enrolled, say=say)
    from ..recordings import MAX_STREAM_S, MAX_TRY_S
    recordings = ev.read_tries([args.dir] if args.dir else args.stream, say, rec.known,
                               MAX_TRY_S if args.dir else MAX_STREAM_S)  # streams are hours of motion
    where = args.dir or ", ".join(args.stream)
    if not recordings:
        raise WandError(f"no readable wand-csv recordings in {where}")
    rec = ev.listen_for(rec, (r.label for r in recordings), say)
    from ..characters import is_character
    if args.dir and not args.hold_still:
        note = ev.unframed_note([r for r in recordings if args.drawings or is_character(r.label)], rec)
        if note:
            say(note)
    if args.hold_still and args.dir:
        say(f"putting {args.hold_still:g} s of rest before and after each try (the wand held still where the try "
            "began and ended: gravity alone, gyro 0); evaluation only, no file is changed")
        recordings = [ev.hold_still(r, args.hold_still, args.hold_still) for r in recordings]
    if args.stream:
        report, protocol = ev.eval_streams(rec, recordings), "stream"
        text = ev.streams_text(report)
    elif args.enrol is not None:
        drawings = args.drawings or all(is_character(r.label) for r in recordings)
        if drawings:
            say("enrolling the tries as drawings (the stroke between two rests, as 'wand enrol --drawing')")
        report = ev.eval_enrol(rec, recordings, args.enrol, args.draws, args.seed, say, drawings=drawings)
        if not report.rows:
            most = max(Counter((r.person, r.label) for r in recordings).values())
            raise WandError(f"--enrol {args.enrol}: no person in {where} has more than {args.enrol} tries of any "
                            f"gesture (at most {most}), so nothing is left to test; give a smaller K")
        protocol = "enrol"
        text = ev.enrol_text(report)
    else:
        report, protocol = ev.eval_tries(rec, recordings), "tries"
        text = ev.tries_text(report)
    png = Path(args.png) if args.png else runs_dir() / "eval" / f"{protocol}.png"
    ev.plot(report, png, f"wand eval ({protocol}): {where}")
    if args.json:
        print(ev.to_json(report, rec, png, hold_still_s=args.hold_still if args.dir else 0.0))
    else:
        print(text)
        print(f"\nrecogniser: model {rec.bundle.crc32:08x}, spotting from {rec.config_path}, "
              f"{len(rec.enrolled.gestures)} enrolled gesture(s); plot: {png}")
    return 0
