"""Capitals cut from 6DMG air-written words: real air-writing letters for testing and training.

A 6DMG word (``wand.datasets.sixdmg``) is 2-4 capitals written one over the other in one
continuous motion; nobody marked where one letter ends. Two ways to cut a word of N
letters into N pieces, every frame in exactly one piece except the cut frame itself,
which ends one piece and starts the next:

* ``aligned`` (forced alignment): the N-1 cuts, chosen among the word's speed minima (a
  pen-lift-like pause or a corner: where a letter joins the next), that maximise the sum
  of the stroke model's log-probabilities of the KNOWN letters, in order (dynamic
  programming over the candidates). The model sees only the 26 letters (renormalised over
  them); the word's letters are the only label used. Each piece is at least
  ``MIN_SHARE`` of an even share of the word's frames, so one letter cannot shrink to a
  tick that happens to look like it.
* ``equal``: N pieces of equal arc length; no model involved.

CAVEAT: aligned cuts are chosen by a model, so accuracy on them leans towards that model
(it picked the cut where its own reading was best). Report the equal cuts beside it, and a
model-free recogniser (DTW) on both. Either way a letter inside a word carries the joining
motion to the next letter (a run-up or overshoot the intent rule would not see).
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from wand.characters import STROKE_LABELS
from wand.datasets import Stroke, load_split_data

from .strokes import featurize, predict_tflm

DATASET = "6dmg-airwriting-words"
LETTERS = [i for i, n in enumerate(STROKE_LABELS) if n.startswith("letter_")]
CUTS = ("aligned", "equal")
MIN_SHARE = 0.25  # a piece holds at least this fraction of frames / N
SMOOTH = 5  # frames of the moving average over speed before looking for minima
MIN_ORDER = 3  # a candidate is the slowest frame within +-3 frames (50 ms at 60 Hz)
PROB_FLOOR = 0.5  # added to the int8 probabilities (0..255) so log never meets 0
CUT_FILE = Path(__file__).parent / "results" / "sixdmg" / "cuts.json"

Scorer = Callable[[np.ndarray], np.ndarray]  # (n, 32, 4) int8 -> (n, 44) probabilities


@dataclass
class CutWord:
    word: Stroke
    cuts: list[int]  # frame index of every boundary, 0 and the last frame included: N + 1 of them
    how: str  # "aligned" or "equal"
    score: float = math.nan  # sum of letter log-probabilities (aligned only)

    def letters(self) -> list[Stroke]:
        pts = self.word.points
        out = []
        for i, ch in enumerate(self.word.label):
            a, b = self.cuts[i], self.cuts[i + 1]
            out.append(Stroke(label=ch, segments=[pts[a:b + 1]], person=self.word.person,
                              source=f"{self.word.source}#{i}",
                              meta={"word": self.word.label, "frames": f"{a}-{b}", "cut": self.how}))
        return out


def candidates(points: np.ndarray) -> list[int]:
    """Frames where the (smoothed) speed is a local minimum: where letters can join."""
    from scipy.ndimage import uniform_filter1d
    from scipy.signal import argrelmin

    speed = uniform_filter1d(np.linalg.norm(np.diff(points, axis=0), axis=1), SMOOTH)
    return [int(i) + 1 for i in argrelmin(speed, order=MIN_ORDER)[0]]


def equal_cuts(word: Stroke) -> CutWord:
    """N pieces of equal arc length."""
    pts, n = word.points, len(word.label)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    inner = [int(np.searchsorted(arc, arc[-1] * k / n)) for k in range(1, n)]
    return CutWord(word, [0, *inner, len(pts) - 1], "equal")


def shipped_scorer() -> Scorer:
    """The shipped int8 stroke model through TFLM, as the chip runs it."""
    from wand.stroke_model import load_stroke_model

    tflite = load_stroke_model().tflite
    return lambda x: predict_tflm(tflite, x)


def letter_logprobs(probs: np.ndarray) -> np.ndarray:
    """(n, 44) probabilities -> (n, 26) log-probabilities over the letters only."""
    p = probs[:, LETTERS].astype(np.float64) + PROB_FLOOR
    return np.log(p / p.sum(axis=1, keepdims=True))


def align(word: Stroke, scorer: Scorer) -> CutWord:
    """The N-1 cuts among speed minima that maximise the sum of the known letters' log-probabilities."""
    pts, label = word.points, word.label
    n, last = len(label), len(word.points) - 1
    if n == 1:
        return CutWord(word, [0, last], "aligned", 0.0)
    least = max(2, int(MIN_SHARE * last / n))
    nodes = [0, *[c for c in candidates(pts) if least <= c <= last - least], last]
    pairs = [(a, b) for a in range(len(nodes)) for b in range(a + 1, len(nodes))
             if nodes[b] - nodes[a] >= least and (a > 0 or b < len(nodes) - 1)]
    feats = [featurize(pts[nodes[a]:nodes[b] + 1]) for a, b in pairs]
    ok = [i for i, f in enumerate(feats) if f is not None]
    lp = letter_logprobs(scorer(np.array([feats[i] for i in ok], np.int8))) if ok else np.zeros((0, 26))
    seg = {pairs[i]: row for i, row in zip(ok, lp)}
    col = [LETTERS.index(STROKE_LABELS.index(f"letter_{c.lower()}")) for c in label]
    # best[k][b]: best score of letters 0..k with letter k ending at node b
    best = [dict() for _ in range(n)]
    back: list[dict[int, int]] = [dict() for _ in range(n)]
    for (a, b), row in seg.items():
        if a == 0:
            best[0][b] = row[col[0]]
    for k in range(1, n):
        for (a, b), row in seg.items():
            if a in best[k - 1] and (k < n - 1 or b == len(nodes) - 1) and (k == n - 1 or b < len(nodes) - 1):
                s = best[k - 1][a] + row[col[k]]
                if s > best[k].get(b, -math.inf):
                    best[k][b], back[k][b] = s, a
    end = len(nodes) - 1
    if end not in best[n - 1]:
        return equal_cuts(word)  # too few candidates to place N letters: fall back, say so
    path = [end]
    for k in range(n - 1, 0, -1):
        path.append(back[k][path[-1]])
    path.append(0)
    return CutWord(word, [nodes[i] for i in reversed(path)], "aligned", float(best[n - 1][end]))


def cut_words(words: Sequence[Stroke], how: str, scorer: Scorer | None = None) -> list[CutWord]:
    if how not in CUTS:
        raise ValueError(f"cut {how!r}: use one of {CUTS}")
    if how == "equal":
        return [equal_cuts(w) for w in words]
    scorer = scorer or shipped_scorer()
    return [align(w, scorer) for w in words]


# --- the cut file: every word's aligned cuts, made once with the shipped model ---------------
RULE = {"candidates": f"speed minima (moving average {SMOOTH}, +-{MIN_ORDER} frames)", "min_share": MIN_SHARE,
        "prob_floor": PROB_FLOOR, "active": "26 letters"}


def _key(word: Stroke) -> str:
    return Path(word.source).stem


def read_cut_file(path: Path = CUT_FILE) -> dict | None:
    """The cut file when it was made by today's shipped model with today's rule, else None."""
    from wand.stroke_model import load_stroke_model

    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    ok = data.get("model_crc32") == f"{load_stroke_model().crc32:08x}" and data.get("rule") == RULE
    return data if ok else None


def load_letters(parts: Sequence[str] = ("train",), how: str = "aligned", words_per_writer: int = 0,
                 report=print) -> dict[str, list[Stroke]]:
    """Letters cut from the words of the declared writer split: part -> letter strokes
    (``words_per_writer``: only each writer's first words, in file order; 0: all).

    Aligned cuts come from the cut file when it matches the shipped model (instant);
    otherwise they are recomputed with it (about 0.1 s a word on one core)."""
    split = {p: _first_words(v, words_per_writer) for p, v in load_split_data(DATASET).items()}
    saved = read_cut_file() if how == "aligned" else None
    if how == "aligned" and saved is None:
        report(f"{CUT_FILE.name} is missing or from another model: aligning with the shipped model "
               f"(write it with 'python -m training.sixdmg_letters --write')")
    out = {}
    for part in parts:
        if saved is not None:
            cws = [CutWord(w, saved["cuts"][_key(w)], "aligned") for w in split[part]]
        else:
            cws = cut_words(split[part], how)
        out[part] = [letter for cw in cws for letter in cw.letters()]
    return out


def _first_words(words: Sequence[Stroke], per_writer: int) -> list[Stroke]:
    if per_writer <= 0:
        return list(words)
    seen: dict[str, int] = {}
    out = []
    for w in words:
        seen[w.person] = seen.get(w.person, 0) + 1
        if seen[w.person] <= per_writer:
            out.append(w)
    return out


def length_shares(cws: Sequence[CutWord]) -> np.ndarray:
    """Each letter's frames as a share of an even split of its word (1.0: exactly even)."""
    return np.array([(cw.cuts[i + 1] - cw.cuts[i]) * len(cw.word.label) / (len(cw.word.points) - 1)
                     for cw in cws for i in range(len(cw.word.label))])


def _median_by_letter(cws: Sequence[CutWord], shares: np.ndarray) -> dict[str, float]:
    """Plausibility: one-stroke letters (I, L, C, V) should come out short, E, H, M, B long."""
    labels = np.array([c for cw in cws for c in cw.word.label])
    med = {str(c): float(np.median(shares[labels == c])) for c in sorted(set(labels))}
    return {c: round(v, 3) for c, v in sorted(med.items(), key=lambda kv: kv[1])}


def _sample_png(cws: Sequence[CutWord], path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from wand.plots import save_png

    fig, axs = plt.subplots(len(cws), 5, figsize=(9, 1.9 * len(cws)))
    for row, cw in zip(axs, cws):
        pts = cw.word.points
        for i in range(len(cw.word.label)):
            seg = pts[cw.cuts[i]:cw.cuts[i + 1] + 1]
            row[0].plot(seg[:, 0], seg[:, 1], lw=0.8)
        row[0].set_title(f"{cw.word.person} {cw.word.label} (whole word)", fontsize=7)
        for ax, letter in zip(row[1:], cw.letters()):
            p = letter.points
            ax.plot(p[:, 0], p[:, 1], lw=1)
            ax.plot(*p[0], "o", color="green", ms=3)
            ax.set_title(f"{letter.label}: frames {letter.meta['frames']}", fontsize=7)
        for ax in row:
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle("6DMG validation writers: letters cut by forced alignment with the shipped model "
                 "(green: start)", fontsize=8)
    fig.tight_layout()
    return save_png(fig, path, dpi=60)


def write_cut_file(report=print) -> dict:
    """Align every word with the shipped model; write the cuts, their length statistics and
    a picture of validation writers' cuts (never test writers': they are only scored)."""
    from wand.stroke_model import load_stroke_model

    split = load_split_data(DATASET)
    scorer = shipped_scorer()
    cuts, stats = {}, {}
    for part, words in split.items():
        cws = cut_words(words, "aligned", scorer)
        cuts.update({_key(cw.word): cw.cuts for cw in cws})
        shares = length_shares(cws)
        eq = length_shares(cut_words(words, "equal"))
        stats[part] = {"writers": sorted({w.person for w in words}), "words": len(words),
                       "letters": int(len(shares)), "fell_back_to_equal": sum(cw.how != "aligned" for cw in cws),
                       "share_of_even_split_percentiles_1_10_50_90_99": np.percentile(shares, [1, 10, 50, 90, 99]).round(3).tolist(),
                       "equal_cuts_share_percentiles_1_10_50_90_99": np.percentile(eq, [1, 10, 50, 90, 99]).round(3).tolist(),
                       "median_share_by_letter": _median_by_letter(cws, shares)}
        report(f"{part}: {stats[part]}")
        if part == "validation":
            _sample_png(cws[5::75][:8], CUT_FILE.with_name("validation-cuts.png"))
    data = {"dataset": DATASET, "model_crc32": f"{load_stroke_model().crc32:08x}", "rule": RULE,
            "about": "cut frames per word (file stem): N + 1 frame indices, first 0, last the final frame",
            "cuts": cuts}
    CUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    CUT_FILE.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    CUT_FILE.with_name("cut-stats.json").write_text(json.dumps({k: v for k, v in data.items() if k != "cuts"}
                                                               | {"stats": stats}, indent=2) + "\n")
    return data | {"stats": stats}


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"align every word and write {CUT_FILE}")
    a = ap.parse_args(argv)
    if a.write:
        write_cut_file()
        print(f"wrote {CUT_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
