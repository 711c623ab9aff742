"""The gestures page: every gesture the wand knows, its picture (`wand gestures`' own
drawing) and what it does in the active profile."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from ..recordings import NAME_RE
from .drawing import PYPLOT


@dataclass
class GestureBook:
    daemon: object  # the running Daemon: its model, enrolment, config and wands' profiles
    recordings: Path
    _built_in: list | None = None
    _pictures: dict[tuple[str, int], bytes] = field(default_factory=dict)

    def gestures(self) -> dict:
        """Name -> ``gesture_pictures.Gesture``: built-in, recorded, enrolled (as `wand gestures`)."""
        from ..commands.gestures import _built_in, _from_templates, _recorded
        from ..gesture_pictures import Gesture
        with PYPLOT:  # the first listing reads the data set; pictures wait for it
            if self._built_in is None:
                self._built_in = _built_in(self.daemon.bundle.gesture_names, False)
        enrolled = self.daemon.enrolled
        names = set(enrolled.gestures) if enrolled else set()
        out = {g.name: g for g in self._built_in}
        for n, tries in _recorded(self.recordings).items():
            out[n] = Gesture(n, "your own recorded gesture", tries, "enrolled" if n in names else "recorded")
        for n in sorted(names - set(out)):
            out[n] = _from_templates(n, enrolled.gestures[n], enrolled.rate_hz, enrolled.path)
        return out

    def active_profile(self) -> str:
        d = self.daemon
        for st in d.wands.values():
            if st.profile:
                return st.profile
        return d.config.default_profile

    def listing(self) -> dict:
        profile = self.active_profile()
        mapped = self.daemon.config.profiles[profile].gestures
        rows = [{"name": n, "kind": g.kind, "description": g.description, "tries": len(g.tries),
                 "mapping": [a.describe() for a in mapped.get(n, ())],
                 "picture": any(r.has_gyro for r in g.tries)}
                for n, g in self.gestures().items()]
        known = {r["name"] for r in rows}
        return {"profile": profile, "gestures": rows,
                "unknown_mapped": sorted(n for n in mapped if n not in known)}

    def picture(self, name: str) -> bytes | None:
        """The gesture's picture as PNG (drawn once per number of tries), or None."""
        if not NAME_RE.fullmatch(name.removesuffix(".png")):
            return None
        g = self.gestures().get(name.removesuffix(".png"))
        if g is None or not any(r.has_gyro for r in g.tries):
            return None
        key = (g.name, len(g.tries))
        with PYPLOT:
            if key not in self._pictures:
                self._pictures[key] = _png(g)
            return self._pictures[key]


def _png(g) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..gesture_pictures import analyse, picture
    fig = picture(analyse(g))
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=80)
    finally:
        plt.close(fig)
    return buf.getvalue()
