"""`wand enrol`: few-shot, no retraining."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import WandError
from . import add_model_argument
from ._common import load_bundle, load_enrolled, number, positive_int

HELP = "teach the daemon a recorded gesture from a few tries (no retraining)"
ORDER = 80
SELF_CHECK_FAILED = 3  # exit status: enrolled and saved, but the self-check recognised none of its tries
EPILOG = (f"exit status: 0 enrolled; {SELF_CHECK_FAILED} enrolled, but the self-check recognised none of the tries "
          "(a warning says what to do); 1 not enrolled (the error says why)")


RADIUS_DEFAULT_TEXT = "1.25"  # fewshot.DEFAULT_RADIUS, written out so building the parser imports no numpy


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("name", help="recorded gesture to enrol (from the recordings folder, NAME/)")
    p.add_argument("--tries", type=positive_int, default=3, help="how many recorded tries to use (default 3)")
    p.add_argument("--recordings", help="recordings folder (default ~/.local/share/wand/recordings)")
    p.add_argument("--enrolled", help="enrolment file (default ~/.config/wand/enrolled.json)")
    p.add_argument("--replace", action="store_true", help="replace an existing enrolment of NAME")
    p.add_argument("--radius", type=number(0, 100.0, lo_open=True),  # enrol.MAX_RADIUS
                   help="rejection threshold: how far a motion may be from the nearest try, in units of the "
                        f"tries' own spread (DTW distance / spread; default {RADIUS_DEFAULT_TEXT}): smaller = fewer "
                        "false matches, more misses")


def run(args) -> int:
    from ..enrol import DEFAULT_RADIUS, MAX_RADIUS, builtin_rivals, cut_tries
    from ..paths import recordings_dir
    from ..recordings import check_gesture_name, list_gesture_files, read_tries
    bundle = load_bundle(args)
    name = check_gesture_name(args.name)
    if args.radius is not None and not 0.0 < args.radius <= MAX_RADIUS:
        raise WandError(f"--radius {args.radius}: a multiple of the tries' spread, above 0 and at most {MAX_RADIUS:g} "
                        f"(default {DEFAULT_RADIUS:g})")
    folder = Path(args.recordings) if args.recordings else recordings_dir()
    files = list_gesture_files(folder).get(name, [])
    if not files:
        raise WandError(f"no recordings of {name!r} in {folder}: record some with 'wand record {name}'")
    enrolled = load_enrolled(bundle, args.enrolled)
    if name in enrolled.gestures and not args.replace:
        raise WandError(f"{name!r} is already enrolled in {enrolled.path}; pass --replace to re-enrol it")
    tries = read_tries(files)[-args.tries:]  # a bad file is named in one line and skipped
    if len(tries) < args.tries:
        print(f"only {len(tries)} usable recorded tries of {name!r}, fewer than the {args.tries} asked for: "
              f"enrolling from {len(tries)} (record more with 'wand record {name}')")
    if not tries:
        raise WandError(f"no usable recordings of {name!r} in {folder}: record some with 'wand record {name}'")
    cuts = cut_tries(bundle, tries)
    segments = [c.segment for c in cuts if c.segment is not None]
    silent = sum(c.gesture_id is None for c in cuts)
    named = [bundle.classes[c.gesture_id] for c in cuts if c.gesture_id is not None and c.segment is None
             and c.gesture_id < len(bundle.classes)]
    if silent:
        print(f"{silent} of {len(tries)} tries had no gesture start the wand would see (too gentle?)")
    if named:
        print(f"{len(named)} of {len(tries)} tries the model already takes for its own gesture "
              f"({', '.join(sorted(set(named)))}): tries like those will be performed as that gesture, not {name!r}")
    if not segments:
        raise WandError(f"none of the tries of {name!r} reaches the wand as a new gesture: "
                        "record it again, moving more clearly (or differently from the built-in gestures)")
    if len(segments) < len(tries):
        print(f"enrolling with the other {len(segments)}")
    g = enrolled.enrol(name, segments, person=tries[0].person, radius=args.radius)
    path = enrolled.save()
    print(f"enrolled {name!r} from {len(segments)} tries (spread {g.scale:.3f}, rejection radius {g.radius:g}) "
          f"in {path}; map it in your config, e.g. {name} = \"key:enter\"")
    return _report_self_check(enrolled, name, builtin_rivals(bundle))


def _report_self_check(enrolled, name: str, rivals) -> int:
    """Each try judged by the others: how often the user can expect to be understood, and
    what to change when a try is not (issue 15 measures ~64% at 3 tries; this says it for
    this user's own gesture)."""
    why = enrolled.self_check(name, rivals)
    if not why:
        print(f"with one try there is nothing to check it against: record more ('wand record {name}')")
        return 0
    ok = why.count("recognised")
    print(f"self-check: {ok} of {len(why)} tries recognised by the other tries")
    reasons = sorted({w for w in why if w != "recognised"})
    for r in reasons:
        print(f"  {why.count(r)} {'try' if why.count(r) == 1 else 'tries'}: {r}")
    if any(" like " in r or r.startswith("nearer your") for r in reasons):
        print("  a gesture less like the others is recognised more reliably")
    more = max(5, len(why) + 2)
    if ok == 0:  # enrolled, but it will rarely be recognised: say so plainly, and in the exit status
        print(f"warning: {name!r} is enrolled, but none of its {len(why)} tries was recognised by the others, so "
              f"expect it to be missed: record {more} tries done alike ('wand record {name} --tries {more}'), then "
              f"'wand enrol {name} --replace --tries {more}' (exit status {SELF_CHECK_FAILED})", file=sys.stderr)
        return SELF_CHECK_FAILED
    if ok < len(why):
        print(f"  more tries help: 'wand record {name}', then 'wand enrol {name} --replace --tries {more}'")
    return 0
