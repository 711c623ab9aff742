"""Who the daemon acts for: wands the user paired, and files only the user can change.

``wand pair`` bonds with a wand (LE Secure Connections; the OS keeps the keys) and
records it here by address, with its bonding state. ``wand run`` acts only for wands
in this list unless started with ``--any``. Like ssh with its keys, a file that decides
what the daemon does (the enrolment file) is refused while others may write it.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .errors import WandError
from .paths import paired_file
from .transport.names import clean_name


def check_private(path: Path) -> None:
    """Refuse a file that group or others may write (a stranger's edit would be obeyed)."""
    if os.name == "nt":
        return  # ACLs, not mode bits: nothing meaningful to check here
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise WandError(f"{path}: writable by other users, so the daemon will not use it: run 'chmod go-w {path}'")


@dataclass
class PairedWand:
    address: str
    name: str
    bonding: str  # "bonded": keys kept, later links encrypted; "paired": this link only
    paired_at: str = ""


@dataclass
class PairedWands:
    path: Path
    wands: dict[str, PairedWand] = field(default_factory=dict)  # by upper-case address

    @classmethod
    def load(cls, path: Path | None = None) -> "PairedWands":
        path = Path(path or paired_file())
        if not path.exists():
            return cls(path)
        check_private(path)
        try:
            data = json.loads(path.read_text())
            wands = {a.upper(): PairedWand(**{**w, "address": a.upper(), "name": clean_name(w.get("name"))})
                     for a, w in data.get("wands", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError) as e:
            raise WandError(f"{path}: not a paired-wands file ({type(e).__name__}: {e}); pair again with "
                            "'wand pair' after moving it away") from None
        return cls(path, wands)

    def allows(self, address: str) -> bool:
        return address.upper() in self.wands

    def add(self, address: str, name: str, bonding: str) -> PairedWand:
        w = PairedWand(address.upper(), clean_name(name), bonding,
                       datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.wands[w.address] = w
        return w

    def remove(self, address: str) -> bool:
        return self.wands.pop(address.upper(), None) is not None

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"wands": {a: {k: v for k, v in asdict(w).items() if k != "address"} for a, w in sorted(self.wands.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".paired-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        return self.path
