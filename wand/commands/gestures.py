"""`wand gestures`: what the wand knows, and a picture of each gesture to learn it from."""

from __future__ import annotations

import sys
from pathlib import Path

from ..characters import SHAPES
from . import add_model_argument
from ._common import given, load_bundle, load_enrolled

HELP = "list the gestures the wand knows (built-in, enrolled, recorded) and draw each one as a PNG"
ORDER = 60


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("--out", metavar="DIR", type=given, help="folder for the pictures (default: <data dir>/gestures)")
    p.add_argument("--all", action="store_true",
                   help="also draw the vocabulary's gestures the model was not trained on (gestures/vocabulary.toml)")
    p.add_argument("--no-pictures", action="store_true", help="only list the gestures")
    p.add_argument("--characters", nargs="*", choices=["digits", "letters", "shapes"], metavar="KIND",
                   help="draw the characters the wand reads in the air, as they are drawn (start dot, arrows), from "
                        "pen data: digits.png, letters.png, shapes.png (default: all three)")


def _recorded(folder: Path | None = None):
    """The user's tries per gesture; a file that cannot be read is skipped with one line."""
    from ..datasets import user_recordings
    return user_recordings(folder)


def _built_in(names: list[str], everything: bool):
    """The model's gestures (and with ``everything`` the rest of the vocabulary) with their real tries."""
    from ..datasets import load_vocabulary
    from ..errors import GestureFileError
    from ..gesture_pictures import Gesture
    vocab = {g.name: g for g in load_vocabulary()}
    wanted = list(names) + ([n for n in vocab if n not in names] if everything else [])
    out = []
    for name in wanted:
        if name not in vocab:
            print(f"no recordings of built-in gesture {name!r} in gestures/vocabulary.toml: not drawn", file=sys.stderr)
            continue
        try:
            tries = vocab[name].recordings()
        except GestureFileError as e:
            print(f"{name}: not drawn: {e}", file=sys.stderr)
            continue
        out.append(Gesture(name, vocab[name].description, tries, "built-in" if name in names else "vocabulary"))
    return out


def _drawings() -> list[str]:
    """Your enrolled drawings ('wand enrol NAME --drawing'; a character: your own way of it)."""
    from ..characters import is_character
    from ..errors import GestureFileError
    from ..stroke_enrol import load_strokes
    try:
        names = sorted(load_strokes().gestures)
    except GestureFileError as e:
        print(f"enrolled drawings not listed: {e}", file=sys.stderr)
        return []
    return [n + (" (your way of it)" if is_character(n) else "") for n in names]


def run(args) -> int:
    bundle = load_bundle(args)
    enrolled = load_enrolled(bundle, None)
    recorded = _recorded()
    print("built into the model: " + ", ".join(bundle.gesture_names))
    print("enrolled (few-shot): " + (", ".join(sorted(enrolled.gestures)) or "none"))
    print("enrolled drawings: " + (", ".join(_drawings()) or "none"))
    print("recorded: " + (", ".join(f"{n} ({len(v)})" for n, v in recorded.items()) or "none"))
    print("drawn in the air (map them in your config; pictures: wand gestures --characters): digit_0..digit_9, "
          "letter_a..letter_z, " + ", ".join(SHAPES))
    if args.no_pictures:
        return 0
    if args.characters is not None:
        return _draw_characters(args)
    return _draw(args, bundle.gesture_names, enrolled, recorded)


def _draw_characters(args) -> int:
    from ..character_pictures import SHEETS, save_sheets
    from ..paths import gesture_pictures_dir
    out = Path(args.out) if args.out else gesture_pictures_dir()
    for path, pictures in save_sheets(out, tuple(args.characters or SHEETS),
                                      say=lambda s: print(s, file=sys.stderr)):
        print(f"{path}  ({len(pictures)} characters, {pictures[0].source}; "
              + "; ".join(f"{c.name} {c.direction}" for c in pictures if c.direction) + ")")
    return 0


def _draw(args, built_in: list[str], enrolled, recorded: dict) -> int:
    from ..gesture_pictures import Gesture, save_pictures
    from ..paths import gesture_pictures_dir
    gestures = _built_in(built_in, args.all)
    gestures += [Gesture(n, tries[0].meta.get("description", "your own recorded gesture"), tries,
                         "enrolled" if n in enrolled.gestures else "recorded") for n, tries in recorded.items()]
    gestures += [_from_templates(n, g, enrolled.rate_hz, enrolled.path)
                 for n, g in sorted(enrolled.gestures.items()) if n not in recorded]
    drawable = []
    for g in gestures:
        if any(r.has_gyro for r in g.tries):
            drawable.append(g)
        else:
            print(f"{g.name}: not drawn: its tries have no gyroscope", file=sys.stderr)
    out = Path(args.out) if args.out else gesture_pictures_dir()
    done, sheet = save_pictures(drawable, out)
    for a, path in done:
        print(f"{path}  ({a.gesture.kind}; {a.direction or 'no clear direction'})")
    if sheet:
        print(f"{sheet}  (all on one sheet)")
    return 0


def _from_templates(name: str, g, rate_hz: int, path) -> "Gesture":
    """An enrolled gesture whose recordings are gone is drawn from what enrolment kept: the
    part of each try the host matches (model rate, the wand's frame)."""
    from ..gesture_pictures import Gesture
    from ..recordings import Recording
    tries = [Recording(name, t, rate_hz, g.person or "you", source=f"{path} ({name}, try {i + 1})")
             for i, t in enumerate(g.tries)]
    return Gesture(name, f"enrolled from {len(tries)} tries (drawn from the part the host matches)", tries, "enrolled")
