"""Capitals cut from 6DMG air-written words: real air-writing letters for testing and training.

A 6DMG word (``wand.datasets.sixdmg``) is 2-4 capitals written one over the other in one
continuous motion; nobody marked where one letter ends. Three ways to cut a word of N
letters into N pieces, every frame in exactly one piece except the cut frame itself,
which ends one piece and starts the next:

* ``aligned`` (forced alignment): the N-1 cuts, chosen among the word's speed minima (a
  pen-lift-like pause or a corner: where a letter joins the next), that maximise the sum
  of the stroke model's log-probabilities of the KNOWN letters, in order (dynamic
  programming over the candidates). The model sees only the 26 letters (renormalised over
  them); the word's letters are the only label used. Each piece is at least
  ``MIN_SHARE`` of an even share of the word's frames, so one letter cannot shrink to a
  tick that happens to look like it.
* ``dtw-aligned``: the same search, scoring each piece by minus its DTW distance to the
  nearest pen template of the known letter: a forced alignment that owes nothing to the
  stroke model (slow: 1-3 s a word).
* ``equal``: N pieces of equal arc length; no recogniser involved.

CAVEAT: aligned cuts are chosen by a model, so accuracy on them leans towards that model
(it picked the cut where its own reading was best), as dtw-aligned cuts lean towards DTW.
Report the three side by side. Either way a letter inside a word carries the joining
motion to the next letter (a run-up or overshoot the intent rule would not see).

Cut files (``results/sixdmg/cuts*.json``, ``python -m training.sixdmg_letters --write
aligned|dtw-aligned``) keep every word's cuts with what made them (the shipped model's
crc32, the rule), so training and the bench read them instantly while they match.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from wand.characters import LETTER_INDICES, STROKE_LABELS
from wand.datasets import PARTS, Stroke, load_split_data

from .strokes import featurize, predict_tflm

DATASET = "6dmg-airwriting-words"
LETTERS = LETTER_INDICES  # the letters' class indices
CUTS = ("aligned", "dtw-aligned", "equal")
MIN_SHARE = 0.25  # a piece holds at least this fraction of frames / N
SMOOTH = 5  # frames of the moving average over speed before looking for minima
MIN_ORDER = 3  # a candidate is the slowest frame within +-3 frames (50 ms at 60 Hz)
PROB_FLOOR = 0.5  # added to the int8 probabilities (0..255) so log never meets 0
CUT_FILE = Path(__file__).parent / "results" / "sixdmg" / "cuts.json"

Scorer = Callable[[np.ndarray], np.ndarray]  # (n, 32, 4) int8 -> (n, 26) scores of the letters, higher better
DTW_TEMPLATES = 5  # per letter, pen train writers, un-augmented (more is slower: 26 x this DTWs a piece)
DTW_SEED = 19


@dataclass
class CutWord:
    word: Stroke
    cuts: list[int]  # frame index of every boundary, 0 and the last frame included: N + 1 of them
    how: str  # "aligned" (the shipped model), "dtw-aligned" (DTW, no model) or "equal"
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
    """Log-probabilities of the 26 letters from the shipped int8 stroke model through TFLM."""
    from wand.stroke_model import load_stroke_model

    tflite = load_stroke_model().tflite
    return lambda x: letter_logprobs(predict_tflm(tflite, x))


def dtw_scorer(per_letter: int = DTW_TEMPLATES, seed: int = DTW_SEED) -> Scorer:
    """Minus the DTW distance to the nearest pen template of each letter: a forced alignment
    that owes nothing to the stroke model (templates: pen TRAIN writers, un-augmented)."""
    from .strokes import dtw_templates, load_parts, nearest_template

    train = load_parts(("train",))["train"]
    templates, labels = dtw_templates(train, LETTERS, per_letter, np.random.default_rng(seed))

    def score(x: np.ndarray) -> np.ndarray:
        return -nearest_template(templates, labels, len(LETTERS), x)
    return score


def letter_logprobs(probs: np.ndarray) -> np.ndarray:
    """(n, 44) probabilities -> (n, 26) log-probabilities over the letters only."""
    p = probs[:, LETTERS].astype(np.float64) + PROB_FLOOR
    return np.log(p / p.sum(axis=1, keepdims=True))


def align(word: Stroke, scorer: Scorer, how: str = "aligned") -> CutWord:
    """The N-1 cuts among speed minima that maximise the sum of the known letters' scores
    (log-probabilities for the model, minus DTW distances for ``dtw_scorer``)."""
    pts, label = word.points, word.label
    n, last = len(label), len(word.points) - 1
    if n == 1:
        return CutWord(word, [0, last], how, 0.0)
    least = max(2, int(MIN_SHARE * last / n))
    nodes = [0, *[c for c in candidates(pts) if least <= c <= last - least], last]
    pairs = [(a, b) for a in range(len(nodes)) for b in range(a + 1, len(nodes))
             if nodes[b] - nodes[a] >= least and (a > 0 or b < len(nodes) - 1)]
    feats = [featurize(pts[nodes[a]:nodes[b] + 1]) for a, b in pairs]
    ok = [i for i, f in enumerate(feats) if f is not None]
    lp = scorer(np.array([feats[i] for i in ok], np.int8)) if ok else np.zeros((0, 26))
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
    return CutWord(word, [nodes[i] for i in reversed(path)], how, float(best[n - 1][end]))


def cut_words(words: Sequence[Stroke], how: str, scorer: Scorer | None = None) -> list[CutWord]:
    if how not in CUTS:
        raise ValueError(f"cut {how!r}: use one of {CUTS}")
    if how == "equal":
        return [equal_cuts(w) for w in words]
    scorer = scorer or (shipped_scorer() if how == "aligned" else dtw_scorer())
    return [align(w, scorer, how) for w in words]


# --- cut files: every word's aligned cuts, made once -----------------------------------------
RULE = {"candidates": f"speed minima (moving average {SMOOTH}, +-{MIN_ORDER} frames)", "min_share": MIN_SHARE,
        "prob_floor": PROB_FLOOR, "active": "26 letters"}
DTW_RULE = {k: v for k, v in RULE.items() if k != "prob_floor"} | {
    "scores": f"minus the DTW distance to the nearest of {DTW_TEMPLATES} pen templates per letter "
              f"(unipen train writers, seed {DTW_SEED})"}
CUT_FILES = {"aligned": CUT_FILE, "dtw-aligned": CUT_FILE.with_name("cuts-dtw.json")}


def _key(word: Stroke) -> str:
    return Path(word.source).stem


def _stamp(how: str) -> dict:
    """What a cut file must have been made with to be used today."""
    if how == "dtw-aligned":
        return {"rule": DTW_RULE}
    from wand.stroke_model import load_stroke_model
    return {"rule": RULE, "model_crc32": f"{load_stroke_model().crc32:08x}"}


def read_cut_file(how: str = "aligned") -> dict | None:
    """The cut file when it was made with today's rule (and shipped model, for ``aligned``), else None."""
    try:
        data = json.loads(CUT_FILES[how].read_text())
    except (OSError, ValueError):
        return None
    return data if all(data.get(k) == v for k, v in _stamp(how).items()) else None


def load_letters(parts: Sequence[str] = ("train",), how: str = "aligned", words_per_writer: int = 0,
                 report=print) -> dict[str, list[Stroke]]:
    """Letters cut from the words of the declared writer split: part -> letter strokes
    (``words_per_writer``: only each writer's first words, in file order; 0: all).

    Aligned cuts come from the cut file when it matches (instant); words it lacks are
    aligned now (about 0.1 s a word with the model, 1-3 s with DTW, on one core)."""
    split = {p: _first_words(v, words_per_writer) for p, v in load_split_data(DATASET).items()}
    saved = (read_cut_file(how) or {}).get("cuts", {}) if how in CUT_FILES else {}
    out = {}
    for part in parts:
        todo = [w for w in split[part] if _key(w) not in saved]
        if todo and how in CUT_FILES:
            report(f"{CUT_FILES[how].name}: {len(todo)} {part} words missing or cut by another model/rule: "
                   f"aligning them now (write the file with 'python -m training.sixdmg_letters --write {how}')")
        fresh = {_key(cw.word): cw for cw in cut_words(todo, how)} if todo else {}
        cws = [fresh.get(_key(w)) or CutWord(w, saved[_key(w)], how) for w in split[part]]
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


def _sample_png(cws: Sequence[CutWord], path: Path, how: str) -> Path:
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
    by = "the shipped model" if how == "aligned" else "DTW to pen templates (no model)"
    fig.suptitle(f"6DMG validation writers: letters cut by forced alignment with {by} (green: start)", fontsize=8)
    fig.tight_layout()
    return save_png(fig, path, dpi=60)


def _percentiles(v: np.ndarray) -> list[float]:
    return np.percentile(v, [1, 10, 50, 90, 99]).round(3).tolist()


def _agreement(cws: Sequence[CutWord], other: dict, frames: int = 5) -> float:
    """Share of inner cuts within ``frames`` of the other rule's cut of the same word."""
    d = np.concatenate([np.abs(np.array(cw.cuts[1:-1]) - np.array(other[_key(cw.word)][1:-1])) for cw in cws])
    return round(float((d <= frames).mean()), 3)


def write_cut_file(how: str = "aligned", parts: Sequence[str] = PARTS, report=print) -> dict:
    """Align the words of ``parts``; write the cuts, their length statistics and a picture
    of validation writers' cuts (never test writers': they are only scored)."""
    split = load_split_data(DATASET)
    scorer = shipped_scorer() if how == "aligned" else dtw_scorer()
    model_cuts = (read_cut_file("aligned") or {}).get("cuts") if how != "aligned" else None
    path = CUT_FILES[how]
    cuts, stats = {}, {}
    for part in parts:
        words = split[part]
        cws = cut_words(words, how, scorer)
        cuts.update({_key(cw.word): cw.cuts for cw in cws})
        shares = length_shares(cws)
        eq = length_shares(cut_words(words, "equal"))
        stats[part] = {"writers": sorted({w.person for w in words}), "words": len(words),
                       "letters": int(len(shares)), "fell_back_to_equal": sum(cw.how != how for cw in cws),
                       "share_of_even_split_percentiles_1_10_50_90_99": _percentiles(shares),
                       "equal_cuts_share_percentiles_1_10_50_90_99": _percentiles(eq),
                       "median_share_by_letter": _median_by_letter(cws, shares)}
        if model_cuts:
            stats[part]["inner_cuts_within_5_frames_of_model_aligned"] = _agreement(cws, model_cuts)
        report(f"{part}: {stats[part]}")
        if part == "validation":
            _sample_png(cws[5::75][:8], path.with_name(path.stem.replace("cuts", "validation-cuts") + ".png"), how)
    data = {"dataset": DATASET, "cut": how, **_stamp(how),
            "about": "cut frames per word (file stem): N + 1 frame indices, first 0, last the final frame",
            "cuts": cuts}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    path.with_name(path.stem.replace("cuts", "cut-stats") + ".json").write_text(
        json.dumps({k: v for k, v in data.items() if k != "cuts"} | {"stats": stats}, indent=2) + "\n")
    return data | {"stats": stats}


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", choices=list(CUT_FILES), help="align the words and write that cut file")
    ap.add_argument("--parts", nargs="+", choices=PARTS, help="writer parts to cut (default: all)")
    a = ap.parse_args(argv)
    if a.write:
        parts = a.parts or PARTS
        write_cut_file(a.write, parts)
        print(f"wrote {CUT_FILES[a.write]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
