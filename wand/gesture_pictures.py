"""Pictures of gestures, drawn from real tries, so a person can see what to perform.

A drawn gesture is shown as its gyro stroke (``strokes.py``): where the wand points, as
the person holding it sees it. The most typical try (the medoid of the tries' shapes,
size and position taken out) is drawn bold, the others faint; a dot marks the start and
arrows the direction. A push moves the wand along where it points, so its stroke shows
only the wrist's dip: when most of the hand's own acceleration is along the pointing
direction (or the stroke is a few degrees at most) the picture shows instead which way
the wand is first pushed, in the person's frame, seen from above and from the side.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .plots import save_png
from .recordings import Recording, raw_to_physical
from .strokes import extent, gyro_stroke, normalise_points, person_frame_acceleration, resample_path, signed_area

MIN_EXTENT_DEG = 5.0  # a stroke smaller than this draws no shape a person could copy
PUSH_SHARE = 0.5  # above this share of the hand's acceleration along the wand, it is a push
CLOSED = 0.35  # a try ending nearer its start than this share of its size comes back to it
LOOP = 0.4  # |signed area| / size^2 at or above this: a loop (a circle is pi/4; the tti diagonals reach 0.47 at most)
AXES = ("forward", "right", "up")  # person_frame_acceleration's columns
OPPOSITE = {"forward": "back", "right": "left", "up": "down"}


@dataclass
class Gesture:
    """A gesture to draw: its name, what it is, and its real tries."""

    name: str
    description: str
    tries: list[Recording]
    kind: str = "built-in"  # or "recorded"


@dataclass
class Analysis:
    """What the picture shows, worked out from the tries (also what `wand gestures` reports)."""

    gesture: Gesture
    strokes: list[np.ndarray]  # (n, 2) degrees: x your right, y up
    pushes: list[np.ndarray]  # per try, unit direction of the first strong acceleration (forward, right, up)
    medoid: int
    is_push: bool
    why: str  # one line: why this kind of picture
    direction: str  # one line: which way the tries go, with counts
    people: list[str] = field(default_factory=list)


def imu_of(rec: Recording) -> np.ndarray:
    """A try's samples in g and deg/s."""
    return raw_to_physical(rec.samples)


def _first_push(lin: np.ndarray) -> np.ndarray:
    """Unit direction of the first strong acceleration: where its size first reaches half
    its peak, averaged over the next few samples."""
    size = np.linalg.norm(lin, axis=1)
    start = int(np.argmax(size >= 0.5 * size.max()))
    v = lin[start:start + 5].mean(axis=0)
    return v / max(float(np.linalg.norm(v)), 1e-9)


def _medoid(strokes: list[np.ndarray]) -> int:
    shapes = [normalise_points(s) for s in strokes]
    ok = [i for i, s in enumerate(shapes) if s is not None]
    if len(ok) < 2:
        return ok[0] if ok else 0
    a = np.stack([shapes[i] for i in ok])
    d = np.linalg.norm(a[:, None] - a[None], axis=(2, 3)).sum(axis=1)
    return ok[int(np.argmin(d))]


def compass(dx: float, dy: float) -> str:
    """One of eight directions on the person's drawing plane."""
    names = ["right", "up-right", "up", "up-left", "left", "down-left", "down", "down-right"]
    return names[int(np.round(np.degrees(np.arctan2(dy, dx)) / 45.0)) % 8]


def loopiness(points: np.ndarray) -> float:
    """Signed area over size squared: > 0 counter-clockwise, < 0 clockwise as the person sees it."""
    size = extent(points)
    return signed_area(points) / size ** 2 if size > 0 else 0.0


def way(strokes: list[np.ndarray]) -> str:
    """Which way the tries go, with counts: the turning sense of a loop, else where they end."""
    n = len(strokes)
    loops = [loopiness(s) for s in strokes]
    if sum(abs(x) >= LOOP for x in loops) * 2 > n:
        return _most(["clockwise" if x < 0 else "counter-clockwise" for x in loops], "drawn {}")
    back = [np.linalg.norm(s[-1] - s[0]) < CLOSED * max(extent(s), 1e-9) for s in strokes]
    if sum(back) * 2 > n:
        return f"ends near its start in {sum(back)}/{n} tries"
    return _most([compass(*(s[-1] - s[0])) for s in strokes], "ends {} of its start")


def push_word(v: np.ndarray) -> str:
    axis = int(np.argmax(np.abs(v)))
    return AXES[axis] if v[axis] > 0 else OPPOSITE[AXES[axis]]


def _most(words: list[str | None], what: str) -> str:
    count = Counter(w for w in words if w)
    if not count:
        return ""
    word, n = count.most_common(1)[0]
    return f"{what.format(word)} in {n}/{len(words)} tries"


def analyse(g: Gesture) -> Analysis:
    tries = [r for r in g.tries if r.has_gyro and len(r.samples) >= 2]
    if not tries:
        raise ValueError(f"{g.name}: no tries with a gyroscope to draw from")
    imus = [(imu_of(r), float(r.rate_hz)) for r in tries]
    strokes = [gyro_stroke(x, hz) for x, hz in imus]
    lins = [person_frame_acceleration(x, hz) for x, hz in imus]
    energy = np.array([(lin ** 2).sum(axis=0) for lin in lins])
    along = float(np.median(energy[:, 0] / np.maximum(energy.sum(axis=1), 1e-12)))
    size = float(np.median([extent(s) for s in strokes]))
    pushes = [_first_push(lin) for lin in lins]
    is_push = along >= PUSH_SHARE or size < MIN_EXTENT_DEG
    if is_push:
        why = (f"{along:.0%} of the hand's acceleration is along the wand (a push), so the pointing "
               f"direction hardly shows it: arrows show which way the wand is first pushed"
               if along >= PUSH_SHARE else
               f"the wand turns only {size:.0f} degrees: arrows show which way it is first pushed")
        direction = _most([push_word(v) for v in pushes], "first pushed {}")
    else:
        why = f"where the wand points, as you see it (median size {size:.0f} degrees)"
        direction = way(strokes)
    people = sorted({r.person for r in tries})
    return Analysis(g, strokes, pushes, _medoid(strokes), is_push, why, direction, people)


# --- drawing ---------------------------------------------------------------------------

def _subtitle(a: Analysis) -> str:
    n = len(a.strokes)
    people = f"{len(a.people)} {'person' if len(a.people) == 1 else 'people'}"
    return f"from {n} real {'try' if n == 1 else 'tries'} by {people}" + (f"; {a.direction}" if a.direction else "")


def _arrows(ax, path: np.ndarray, color: str, count: int = 4) -> None:
    fine = resample_path(path, 80)
    if fine is None:
        return
    for k in np.linspace(12, 72, count).astype(int):
        ax.annotate("", xy=fine[k + 3], xytext=fine[k],
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=2.2, mutation_scale=18))


def draw_stroke(ax, a: Analysis, small: bool = False) -> None:
    for i, s in enumerate(a.strokes):
        if i != a.medoid:
            c = s - s.mean(axis=0)
            ax.plot(c[:, 0], c[:, 1], color="0.6", lw=0.8, alpha=0.45)
    m = a.strokes[a.medoid] - a.strokes[a.medoid].mean(axis=0)
    ax.plot(m[:, 0], m[:, 1], color="tab:blue", lw=3.2 if not small else 2.4)
    ax.plot(*m[0], "o", color="tab:green", ms=12 if not small else 8, zorder=5)
    if not small:
        ax.annotate("start", m[0], xytext=(-12, -22), textcoords="offset points", color="tab:green", weight="bold")
    _arrows(ax, m, "tab:blue", 4 if not small else 3)
    ax.set_aspect("equal", adjustable="datalim")
    ax.axhline(0, color="0.9", lw=0.6, zorder=0)
    ax.axvline(0, color="0.9", lw=0.6, zorder=0)
    if not small:
        ax.set_xlabel("your left  \u2190  \u2192  your right (degrees)")
        ax.set_ylabel("down  \u2190  \u2192  up (degrees)")


def draw_push(axes, a: Analysis, small: bool = False) -> None:
    """Two views of the first-push directions: from above (right, forward) and from the side (forward, up)."""
    v = np.array(a.pushes)
    mean = v.mean(axis=0)
    mean /= max(float(np.linalg.norm(mean)), 1e-9)
    views = [((1, 0), "seen from above", "your left \u2190 \u2192 your right", "towards you \u2190 \u2192 away from you"),
             ((0, 2), "seen from your side", "towards you \u2190 \u2192 away from you", "down \u2190 \u2192 up")]
    for ax, ((i, j), title, xl, yl) in zip(axes, views):
        for p in v:
            ax.annotate("", xy=(p[i], p[j]), xytext=(0, 0),
                        arrowprops=dict(arrowstyle="-|>", color="0.6", lw=0.8, alpha=0.6))
        ax.annotate("", xy=(mean[i], mean[j]), xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color="tab:red", lw=3.5, mutation_scale=22))
        ax.plot(0, 0, "o", color="tab:green", ms=10 if not small else 6, zorder=5)
        ax.set_xlim(-1.15, 1.15)
        ax.set_ylim(-1.15, 1.15)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=10 if not small else 7)
        if not small:
            ax.set_xlabel(xl)
            ax.set_ylabel(yl)


def picture(a: Analysis):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = a.gesture
    if a.is_push:
        fig, axes = plt.subplots(1, 2, figsize=(9, 5.8))
        draw_push(axes, a)
    else:
        fig, ax = plt.subplots(figsize=(7, 6.5))
        draw_stroke(ax, a)
    title = textwrap.fill(f"{g.name}: {g.description}" if g.description else g.name, 60)
    fig.suptitle(title, fontsize=13, weight="bold", y=0.985)
    fig.text(0.5, 0.875, _subtitle(a), ha="center", fontsize=9.5, color="0.25")
    why = textwrap.fill(a.why, 100)
    fig.text(0.5, 0.012, why, ha="center", va="bottom", fontsize=8.5, color="0.35")
    fig.tight_layout(rect=(0, 0.03 + 0.035 * why.count("\n") + 0.03, 1, 0.865))
    return fig


def contact_sheet(analyses: list[Analysis]):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(4, len(analyses))
    rows = -(-len(analyses) // cols)
    fig = plt.figure(figsize=(3.6 * cols, 3.9 * rows))
    grid = fig.add_gridspec(rows, cols)
    for k, a in enumerate(analyses):
        cell = grid[k // cols, k % cols]
        if a.is_push:
            sub = cell.subgridspec(1, 2, wspace=0.05)
            axes = [fig.add_subplot(sub[0, 0]), fig.add_subplot(sub[0, 1])]
            draw_push(axes, a, small=True)
            head = axes[0]
            axes[0].text(1.05, -0.12, "a push: arrows = first push", transform=axes[0].transAxes, ha="center",
                         fontsize=7, color="0.35")
        else:
            head = fig.add_subplot(cell)
            draw_stroke(head, a, small=True)
            head.tick_params(labelsize=7)
        label = f"{a.gesture.name} ({a.gesture.kind}, {len(a.strokes)} tries)"
        (head if not a.is_push else axes[0]).text(
            0.0 if not a.is_push else 1.05, 1.13 if not a.is_push else 1.2, label, transform=head.transAxes, weight="bold", fontsize=9,
            ha="left" if not a.is_push else "center")
    fig.suptitle("wand gestures: where the wand points, as you see it (green dot = start); "
                 "for a push, which way it is first pushed", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def save_pictures(gestures: list[Gesture], out: Path) -> tuple[list[tuple[Analysis, Path]], Path | None]:
    """One PNG per gesture and a contact sheet (``gestures.png``) in ``out``, each written
    whole or not at all (``save_png``); derived files, so an older picture is replaced."""
    done = []
    for g in gestures:
        a = analyse(g)
        done.append((a, save_png(picture(a), Path(out) / f"{g.kind}-{g.name}.png")))
    sheet = save_png(contact_sheet([a for a, _ in done]), Path(out) / "gestures.png") if done else None
    return done, sheet
