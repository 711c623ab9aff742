"""Pictures of the air-writing vocabulary: each character drawn the way the wand reads it.

A wand draws one continuous stroke, so a character is its pen strokes joined in writing
order, the pen-up jumps bridged by straight lines (dashed here: draw them too, without
stopping). The picture is the most typical try (the DTW medoid of up to ``SAMPLE`` tries,
each resampled by arc length and size-normalised), bold, over faint others; a green dot
marks the start and arrows the direction. The tries are pen data: UNIPEN tablet
characters by its train writers for digits and letters, Quick, Draw! canvas drawings by
its train players for shapes (``wand.datasets.synthetic_air.pen_strokes``), not wand IMU:
how people write, which is what the stroke model was trained to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .characters import DIGITS, LETTERS, SHAPES
from .gesture_pictures import way
from .plots import save_png
from .strokes import normalise_points, resample_path

SAMPLE = 40  # tries per character the medoid is chosen from (seeded)
FAINT = 12  # other tries drawn faintly behind it
SHEETS = {"digits": DIGITS, "letters": LETTERS, "shapes": SHAPES}
SOURCES = {"digit": "UNIPEN pen data, train writers", "letter": "UNIPEN pen data, train writers",
           "shape": "Quick, Draw! canvas data, train players"}


@dataclass
class CharacterPicture:
    name: str
    typical: list[np.ndarray]  # the medoid's pen segments (x right, y up), in writing order
    others: list[np.ndarray]  # other tries, joined, for the faint background
    tries: int  # tries it was chosen from
    writers: int
    direction: str  # which way it goes (gesture_pictures.way)

    @property
    def source(self) -> str:
        return SOURCES[self.name.split("_")[0]]


def _joined(stroke) -> np.ndarray:
    return stroke.points  # segments joined in order: the pen-up jump becomes a straight line


def dtw_medoid(paths: list[np.ndarray]) -> int:
    """The try with the least summed DTW distance to the others (shapes resampled by arc
    length, centred and scaled: size and speed taken out)."""
    from dtaidistance import dtw_ndim
    shapes = [normalise_points(p) for p in paths]
    ok = [i for i, s in enumerate(shapes) if s is not None]
    if len(ok) < 2:
        return ok[0] if ok else 0
    d = dtw_ndim.distance_matrix([shapes[i] for i in ok], use_c=True)
    d = np.where(np.isfinite(d), d, d.T)  # the library fills one triangle
    np.fill_diagonal(d, 0.0)
    return ok[int(np.argmin(d.sum(axis=1)))]


def analyse(name: str, strokes, seed: int = 0) -> CharacterPicture:
    rng = np.random.default_rng(seed)
    pick = [strokes[i] for i in sorted(rng.choice(len(strokes), min(SAMPLE, len(strokes)), replace=False))]
    paths = [_joined(s) for s in pick]
    m = dtw_medoid(paths)
    direction = way([paths[m]]).replace(" in 1/1 tries", "")
    others = [p for i, p in enumerate(paths) if i != m][:FAINT]
    return CharacterPicture(name, pick[m].segments, others, len(pick), len({s.person for s in pick}), direction)


def _frame(points: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Centred on ``ref``'s box and scaled so its larger side is 1."""
    lo, hi = ref.min(axis=0), ref.max(axis=0)
    return (points - (lo + hi) / 2) / max(float((hi - lo).max()), 1e-9)


def draw(ax, c: CharacterPicture) -> None:
    whole = np.concatenate(c.typical)
    for p in c.others:
        q = _frame(p, p)
        ax.plot(q[:, 0], q[:, 1], color="0.65", lw=0.7, alpha=0.4)
    segs = [_frame(s, whole) for s in c.typical]
    for k, s in enumerate(segs):
        ax.plot(s[:, 0], s[:, 1], color="tab:blue", lw=3)
        if k + 1 < len(segs):  # the pen lifted here; the wand keeps drawing straight to the next stroke
            jump = np.stack([s[-1], segs[k + 1][0]])
            ax.plot(jump[:, 0], jump[:, 1], color="tab:blue", lw=1.8, ls=(0, (2, 2)))
    path = _frame(whole, whole)
    fine = resample_path(path, 60)
    if fine is not None:
        for k in (8, 26, 44):
            ax.annotate("", xy=fine[k + 3], xytext=fine[k],
                        arrowprops=dict(arrowstyle="-|>", color="tab:blue", lw=2, mutation_scale=16))
    ax.plot(*path[0], "o", color="tab:green", ms=10, zorder=5)
    ax.set_xlim(-0.75, 0.75)
    ax.set_ylim(-0.75, 0.75)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(c.name, fontsize=11, weight="bold")


def sheet(title: str, pictures: list[CharacterPicture]):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(6, len(pictures))
    rows = -(-len(pictures) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols, 2.6 * rows + 1.0), squeeze=False)
    for ax, c in zip(axes.flat, pictures):
        draw(ax, c)
    for ax in list(axes.flat)[len(pictures):]:
        ax.axis("off")
    tries = sum(c.tries for c in pictures)
    fig.suptitle(f"{title}: draw them in the air like this (green dot = start; dashed = keep drawing where "
                 f"the pen lifted)", fontsize=11, weight="bold")
    fig.text(0.5, 0.01, f"from {pictures[0].source}: the most typical of {tries // len(pictures)} tries per character "
             "(DTW medoid), others faint. Drawn with a pen or on a canvas, not recorded with a wand.", ha="center", fontsize=8.5, color="0.35")
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    return fig


def save_sheets(out: Path, which: tuple[str, ...] = tuple(SHEETS), say=print) -> list[tuple[Path, list]]:
    """``digits.png``, ``letters.png``, ``shapes.png`` in ``out`` (derived files: replaced)."""
    from .datasets.synthetic_air import pen_strokes
    strokes = pen_strokes("train")
    done = []
    for kind in which:
        names = [n for n in SHEETS[kind] if strokes.get(n)]
        missing = [n for n in SHEETS[kind] if not strokes.get(n)]
        if missing:
            say(f"{kind}: no pen data for {', '.join(missing)} on this machine: not drawn")
        if not names:
            continue
        pictures = [analyse(n, strokes[n]) for n in names]
        done.append((save_png(sheet(kind, pictures), Path(out) / f"{kind}.png"), pictures))
    return done


