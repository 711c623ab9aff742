"""`wand enrol`: few-shot, no retraining."""

from __future__ import annotations

from pathlib import Path

from ..errors import WandError
from . import add_model_argument
from ._common import load_bundle, load_enrolled, positive_int

HELP = "teach the daemon a recorded gesture from a few tries (no retraining)"
ORDER = 80


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("name", help="recorded gesture to enrol (from the recordings folder, NAME/)")
    p.add_argument("--tries", type=positive_int, default=3, help="how many recorded tries to use (default 3)")
    p.add_argument("--recordings", help="recordings folder (default ~/.local/share/wand/recordings)")
    p.add_argument("--enrolled", help="enrolment file (default ~/.config/wand/enrolled.json)")
    p.add_argument("--replace", action="store_true", help="replace an existing enrolment of NAME")
    p.add_argument("--radius", type=float,
                   help="rejection distance (cosine, default from the tries' spread, at least 0.2): "
                        "smaller = fewer false matches, more misses")


def run(args) -> int:
    from ..paths import recordings_dir
    from ..recordings import check_gesture_name, list_gesture_files, read_wand_csv
    from ..simwand.device import embeddings
    bundle = load_bundle(args)
    name = check_gesture_name(args.name)
    folder = Path(args.recordings) if args.recordings else recordings_dir()
    files = list_gesture_files(folder).get(name, [])
    if not files:
        raise WandError(f"no recordings of {name!r} in {folder}: record some with 'wand record {name}'")
    enrolled = load_enrolled(bundle, args.enrolled)
    if name in enrolled.gestures and not args.replace:
        raise WandError(f"{name!r} is already enrolled in {enrolled.path}; pass --replace to re-enrol it")
    tries = [read_wand_csv(f) for f in files[-args.tries:]]
    embs = embeddings(bundle, tries)
    if len(embs) < len(tries):
        print(f"{len(tries) - len(embs)} of {len(tries)} tries had no gesture start the wand would see "
              "(too gentle?); enrolling with the rest")
    if not embs:
        raise WandError(f"none of the tries of {name!r} starts with enough motion for the wand to notice")
    if args.radius is not None and not 0.0 < args.radius < 2.0:
        raise WandError(f"--radius {args.radius}: a cosine distance between 0 and 2")
    g = enrolled.enrol(name, embs, person=tries[0].person, radius=args.radius)
    path = enrolled.save()
    print(f"enrolled {name!r} from {len(embs)} tries (rejection distance {g.radius:.2f}) in {path}; "
          f"map it in your config, e.g. {name} = \"key:enter\"")
    return 0
