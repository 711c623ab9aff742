"""`wand import`: CSV recordings as gesture tries."""

from __future__ import annotations

from pathlib import Path

from ..errors import WandError

HELP = "import CSV recordings (like ../shared/datasets) as gesture tries"
ORDER = 90


def add_arguments(p) -> None:
    p.add_argument("files", nargs="+", help="CSV files (tiny-trainable-instruments format: aX,aY,aZ,gX,gY,gZ)")
    p.add_argument("--gesture", required=True, help="gesture name for the imported tries")
    p.add_argument("--person", default="imported")
    p.add_argument("--format", default="tti-csv", help="input format (default tti-csv)")
    p.add_argument("--out", help="recordings folder (default ~/.local/share/wand/recordings)")


def run(args) -> int:
    from ..datasets import FORMATS, read_tti_csv
    from ..paths import recordings_dir
    from ..recordings import check_gesture_name, write_wand_csv
    name = check_gesture_name(args.gesture)
    if args.format != "tti-csv":
        raise WandError(f"import reads files of format tti-csv; {args.format!r} is a folder format "
                        f"({', '.join(FORMATS)})")
    out = Path(args.out) if args.out else recordings_dir()
    saved = 0
    for f in args.files:
        for rec in read_tti_csv(Path(f), label=name, person=args.person):
            rec.meta = {"board": "nano33ble-rev1", "source": rec.source}
            print(f"  {write_wand_csv(rec, out, stem=f'{Path(f).stem}-{args.person}')}")
            saved += 1
    print(f"imported {saved} tries of {name!r} into {out / name}")
    return 0
