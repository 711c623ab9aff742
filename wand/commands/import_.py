"""`wand import`: CSV recordings as gesture tries, all files or none, each file once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import GestureFileError, ModelError, WandError
from ._common import given

HELP = "import CSV recordings (like ../shared/datasets) as gesture tries"
ORDER = 90
HASH_KEY = "source_sha256"  # header line naming the imported file's content: re-imports are skipped


def add_arguments(p) -> None:
    p.add_argument("files", nargs="+", help="CSV files (tiny-trainable-instruments format: aX,aY,aZ,gX,gY,gZ)")
    p.add_argument("--gesture", required=True, help="gesture name for the imported tries")
    p.add_argument("--person", default="imported")
    p.add_argument("--format", default="tti-csv", help="input format (default tti-csv)")
    p.add_argument("--out", type=given, help="recordings folder (default ~/.local/share/wand/recordings)")


def run(args) -> int:
    from ..datasets import FORMATS
    from ..model import load_model
    from ..paths import recordings_dir
    from ..recordings import DiskFullError, check_new_gesture_name, check_person, write_wand_csv
    try:
        built_in = load_model().gesture_names
    except ModelError:
        built_in = []  # no installed model: no built-in names to collide with
    name = check_new_gesture_name(args.gesture, built_in)
    check_person(args.person)
    if args.format != "tti-csv":
        raise WandError(f"import reads files of format tti-csv; {args.format!r} is a folder format "
                        f"({', '.join(FORMATS)})")
    out = Path(args.out) if args.out else recordings_dir()
    plan = _read_all(args.files, name, args.person, imported(out))  # every file checked before any is written
    written: list[Path] = []
    try:
        for f, digest, recs in plan:
            for rec in recs:
                rec.meta = {"board": "nano33ble-rev1", "source": rec.source, HASH_KEY: digest}
                written.append(write_wand_csv(rec, out, stem=f"{Path(f).stem}-{args.person}"))
                print(f"  {written[-1]}")
    except BaseException as e:  # all or nothing: take back this import's files
        for w in written:
            w.unlink(missing_ok=True)
        if isinstance(e, DiskFullError):
            raise DiskFullError(e.where, "the import was undone; run it again after freeing space") from None
        if isinstance(e, OSError):  # a file where a folder must be, a read-only folder, ...
            raise WandError(f"cannot save in {out}: {e.strerror} ({e.filename}); the import was undone: "
                            "make it a folder you can write, or pass --out") from None
        raise
    print(f"imported {len(written)} tries of {name!r} from {len(plan)} file(s) into {out / name}")
    return 0


def _read_all(files: list[str], name: str, person: str, done: dict[str, Path]):
    from ..datasets import read_tti_csv
    from ..trust import TrustError, read_regular
    plan, digests = [], set()
    for f in files:
        path = Path(f)
        try:
            digest = hashlib.sha256(read_regular(path)).hexdigest()  # a FIFO or device: refused, never a hang
        except TrustError as e:
            raise GestureFileError(f"{e}; nothing was imported") from None
        except OSError as e:
            raise GestureFileError(f"{path}: cannot read ({e.strerror}); nothing was imported") from None
        if digest in done:
            print(f"skipped {path}: already imported as {done[digest]}")
            continue
        if digest in digests:
            print(f"skipped {path}: the same content as a file before it")
            continue
        digests.add(digest)
        try:
            recs = read_tti_csv(path, label=name, person=person)
        except UnicodeDecodeError as e:
            raise GestureFileError(f"{path}: not a text CSV file (binary data at byte {e.start}); import reads "
                                   "tti-csv files (header aX,aY,aZ,gX,gY,gZ); nothing was imported") from None
        except GestureFileError as e:
            raise GestureFileError(f"{e}; nothing was imported") from None
        plan.append((f, digest, recs))
    return plan


def imported(folder: Path) -> dict[str, Path]:
    """Content hash -> a recording already imported from that file, read from the files' headers."""
    from ..recordings import MAGIC, list_gesture_files
    out: dict[str, Path] = {}
    for files in list_gesture_files(folder).values():
        for path in files:
            try:
                with path.open(encoding="utf-8", errors="replace") as fh:
                    if fh.readline().strip() != MAGIC:
                        continue
                    for line in fh:
                        if not line.startswith("#"):
                            break
                        key, _, value = line[1:].partition(":")
                        if key.strip() == HASH_KEY:
                            out.setdefault(value.strip(), path)
            except OSError:
                continue
    return out
