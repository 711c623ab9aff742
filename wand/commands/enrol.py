"""`wand enrol`: few-shot, no retraining."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import WandError
from . import add_model_argument
from ._common import given, load_bundle, load_enrolled, number, positive_int

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
    p.add_argument("--enrolled", type=given, help="enrolment file (default ~/.config/wand/enrolled.json)")
    p.add_argument("--replace", action="store_true", help="replace an existing enrolment of NAME")
    p.add_argument("--drawing", action="store_true",
                   help="enrol NAME as a drawing in the air (hold still, draw, hold still), matched on the stroke the "
                        "wand draws; a character name (letter_z, digit_5, shape_circle) always is one: your own way "
                        "of drawing it")
    p.add_argument("--enrolled-strokes", type=given, help="drawings file (default ~/.config/wand/enrolled-strokes.json)")
    p.add_argument("--radius", type=number(0, 100.0, lo_open=True),  # enrol.MAX_RADIUS
                   help="rejection threshold: how far a motion may be from the nearest try, in units of the "
                        f"tries' own spread (DTW distance / spread; default {RADIUS_DEFAULT_TEXT}): smaller = fewer "
                        "false matches, more misses")


def run(args) -> int:
    from ..characters import is_character
    if args.drawing or is_character(args.name):
        return run_drawing(args)
    from ..enrol import DEFAULT_RADIUS, MAX_RADIUS, builtin_rivals, cut_tries
    bundle = load_bundle(args)
    name, files = _recorded(args, MAX_RADIUS, f"default {DEFAULT_RADIUS:g}", "")
    enrolled = load_enrolled(bundle, args.enrolled)
    if name in enrolled.gestures and not args.replace:
        raise WandError(f"{name!r} is already enrolled in {enrolled.path}; pass --replace to re-enrol it")
    tries = _usable_tries(name, files, args.tries)
    cuts = cut_tries(bundle, tries)
    segments = [c.segment for c in cuts if c.segment is not None]
    silent = sum(c.gesture_id is None for c in cuts)
    named = [bundle.classes[c.gesture_id] for c in cuts if c.gesture_id is not None and c.segment is None
             and c.gesture_id < len(bundle.classes)]
    if silent:
        print(f"{silent} of {len(tries)} tries had no gesture start the wand would see (too gentle?)")
    if _drawn_instead(name, tries, len(segments)):
        rc = run_drawing(args, drawing_only=True)
        if args.replace and name in enrolled.gestures:  # the name means one thing: the drawing, now saved
            enrolled.remove(name)
            print(f"removed the gesture enrolment of {name!r} from {enrolled.save()}")
        return rc
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


def _drawn_instead(name: str, tries: list, gesture_cuts: int) -> bool:
    """Tries too gentle for the gesture spotter (fewer than half reach the wand as a gesture)
    may still be drawings between two rests, which start at 40 deg/s: then NAME is enrolled as
    a drawing (``stroke_enrol.prefers_drawing``), said in one line."""
    import functools

    from ..stroke_enrol import PAD_S, drawn_stroke, prefers_drawing

    @functools.cache
    def drawn() -> int:
        return sum(drawn_stroke(t, pad_s=PAD_S) is not None for t in tries)
    if not prefers_drawing(gesture_cuts, len(tries), drawn):
        return False
    print(f"{drawn()} of {len(tries)} tries are drawings the wand cuts between two rests: enrolling {name!r} as a "
          f"drawing, as 'wand enrol {name} --drawing' does")
    return True


def _recorded(args, max_radius: float, default: str, how: str) -> tuple[str, list[Path]]:
    """The name, checked, and its recorded tries' files; --radius checked."""
    from ..paths import recordings_dir
    from ..characters import not_a_character
    from ..recordings import RESERVED_NAMES, check_gesture_name, list_gesture_files
    name = check_gesture_name(args.name)
    if name in RESERVED_NAMES:  # `wand record` refuses it; a folder made by hand could still hold tries
        raise WandError(f"{name!r} is what the wand calls motion that is none of your gestures, so it cannot be "
                        f"enrolled: rename the folder of tries (e.g. to 'my_{name}') and enrol that")
    problem = not_a_character(name)
    if problem:  # no config could map it: enrolling it would be for nothing
        raise WandError(problem)
    if args.radius is not None and not 0.0 < args.radius <= max_radius:
        raise WandError(f"--radius {args.radius}: a multiple of the tries' spread, above 0 and at most {max_radius:g} "
                        f"({default})")
    folder = Path(args.recordings) if args.recordings else recordings_dir()
    files = list_gesture_files(folder).get(name, [])
    if not files:
        raise WandError(f"no recordings of {name!r} in {folder}: record some with 'wand record {name}'{how}")
    return name, files


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
    if ok == 0:
        return _none_recognised(name, len(why))
    if ok < len(why):
        more = max(5, len(why) + 2)
        print(f"  more tries help: 'wand record {name}', then 'wand enrol {name} --replace --tries {more}'")
    return 0


def _usable_tries(name: str, files: list[Path], wanted: int) -> list:
    """The newest ``wanted`` tries that read (a bad file is named in one line and skipped);
    fewer than asked is said, none is an error."""
    from ..recordings import read_tries
    tries = read_tries(files)[-wanted:]
    other = [t for t in tries if t.label != name]
    if other:  # a try moved into this folder by hand: the folder is what `wand enrol NAME` means
        from ..errors import printable
        print(f"note: {len(other)} of these tries say another gesture in their '# gesture:' line (e.g. "
              f"{printable(other[0].source, 200)}: {printable(other[0].label, 40)}); they are enrolled as {name!r}, "
              "the folder they are in")
    if not tries:
        raise WandError(f"no usable recordings of {name!r} (each was skipped above): record some with "
                        f"'wand record {name}'")
    if len(tries) < wanted:
        print(f"only {len(tries)} usable recorded tries of {name!r}, fewer than the {wanted} asked for: "
              f"enrolling from {len(tries)} (record more with 'wand record {name}')")
    return tries


def _none_recognised(name: str, n: int) -> int:
    """Enrolled, but it will rarely be recognised: say so plainly, and in the exit status."""
    more = max(5, n + 2)
    print(f"warning: {name!r} is enrolled, but none of its {n} tries was recognised by the others, so expect it "
          f"to be missed: record {more} tries done alike ('wand record {name} --tries {more}'), then "
          f"'wand enrol {name} --replace --tries {more}' (exit status {SELF_CHECK_FAILED})", file=sys.stderr)
    return SELF_CHECK_FAILED


def run_drawing(args, drawing_only: bool = False) -> int:
    """A drawing (or your own way of drawing a character): each try's stroke as the wand cuts
    it between two rests, matched by DTW on its shape; saved beside the IMU enrolments.
    ``drawing_only``: the tries were too gentle to enrol as a gesture (so no hint offers that)."""
    from ..characters import is_character
    from ..stroke_enrol import DEFAULT_STROKE_RADIUS, MAX_RADIUS, PAD_S, drawn_stroke, load_strokes
    name, files = _recorded(args, MAX_RADIUS, f"default for drawings {DEFAULT_STROKE_RADIUS:g}",
                            " (hold the wand still, draw, hold still)")
    drawings = load_strokes(args.enrolled_strokes)
    if name in drawings.gestures and not args.replace:
        raise WandError(f"{name!r} is already enrolled in {drawings.path}; pass --replace to re-enrol it")
    tries = _usable_tries(name, files, args.tries)
    from ..protocol import STROKE_MAX_ROLL_SHARE
    from ..wand_core.stroke import Outcome
    why: list[list] = [[] for _ in tries]
    strokes = [drawn_stroke(t, pad_s=PAD_S, dropped=w) for t, w in zip(tries, why)]
    cut = [s.points for s in strokes if s is not None]
    twisted = sum(s is None and Outcome.TWISTED in w for s, w in zip(strokes, why))
    drawing_only = drawing_only or is_character(name)  # nothing else to offer
    instead = _or_as_gesture(name, drawing_only)
    twist = (f"turned the wand about its own long axis (over {round(100 * STROKE_MAX_ROLL_SHARE / 256)}% of its "
             "turning): a twist (a swipe, a turned wrist) moves "
             f"the tip nowhere, so draw with the tip{instead}")
    if not cut:
        if twisted == len(tries):
            raise WandError(f"no drawing of {name!r} was cut from its tries: each {twist}")
        raise WandError(f"no drawing of {name!r} was cut from its tries: record it again, drawing larger and "
                        "holding still before and after" + (f" ({twisted} {twist})" if twisted else ""))
    if len(cut) < len(tries):
        print(f"{len(tries) - len(cut)} of {len(tries)} tries held no drawing the wand would cut "
              f"(too small, too short, too long or twisted; {PAD_S:g} s of rest was added around each)")
    if twisted:
        print(f"{twisted} of them {twist}")
    g = drawings.enrol(name, cut, person=tries[0].person, radius=args.radius)
    path = drawings.save()
    what = "your own way of drawing the character" if is_character(name) else "a drawing of your own"
    print(f"enrolled {name!r} ({what}) from {len(cut)} tries (spread {g.scale:.3f}, radius {g.radius:g}) in {path}; "
          f"map it in your config, e.g. {name} = \"key:enter\"")
    _small_turn_hint(name, cut, drawing_only)
    return _drawing_self_check(drawings, name)


def _or_as_gesture(name: str, drawing_only: bool) -> str:
    """The other way to enrol NAME, for a hint: none for a character or tries too gentle for a gesture."""
    return "" if drawing_only else f", or enrol it as a gesture ('wand enrol {name}' without --drawing)"


SMALL_TURN_DEG = 20.0  # a hint, not a rule: tti-20210623's swipes turn the wand 9-19 degrees, its diagonals 30-50


def _small_turn_hint(name: str, cut: list, drawing_only: bool) -> None:
    """A drawing is read from where the wand points: tries that barely turn it (a swipe or a
    push carries the wand along) draw a wobble, which matches poorly. Say so, and what to do."""
    import math

    import numpy as np

    from ..strokes import extent
    from ..wand_core.stroke import POINT_ONE  # a stroke point is radians * POINT_ONE
    turned = math.degrees(float(np.median([extent(np.asarray(c, np.float64)) for c in cut])) / POINT_ONE)
    if turned < SMALL_TURN_DEG:
        print(f"note: these tries turn the wand only about {turned:.0f} degrees: a drawing is read from where the "
              f"wand points, so draw larger, turning the wrist{_or_as_gesture(name, drawing_only)}")


def _drawing_self_check(drawings, name: str) -> int:
    """Each try judged by the others (it is left out and matched against the rest)."""
    import dataclasses

    from ..stroke_enrol import StrokeEnrolment
    g = drawings.gestures[name]
    if len(g.tries) < 2:
        print(f"with one try there is nothing to check it against: record more ('wand record {name}')")
        return 0
    ok = 0
    for i in range(len(g.tries)):
        rest = StrokeEnrolment({n: dataclasses.replace(o) for n, o in drawings.gestures.items() if n != name})
        rest.enrol(name, g.tries[:i] + g.tries[i + 1:], radius=g.radius)
        ok += rest.match(g.tries[i]) == name
    print(f"self-check: {ok} of {len(g.tries)} tries recognised by the other tries")
    return _none_recognised(name, len(g.tries)) if ok == 0 else 0
