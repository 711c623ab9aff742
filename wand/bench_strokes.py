"""`wand bench strokes`: the air-writing vocabulary's stroke model on people it never saw.

The int8 model runs through the TFLM interpreter, as the chip runs it. The recipe the
product ships (``training.strokes.Recipe``, chosen on validation writers) is retrained
with 3 seeds on the train writers only; each seed is scored on the same test strokes:

* digits on ALL of Pete Warden's wand-drawn digits (real wand strokes, never trained on;
  one person, 1,000 strokes);
* capitals on the UNIPEN test writers (pen on a tablet, 26 letters);
* digits on the UNIPEN test writers; shapes on Quick, Draw! test players;

each with the active set a profile would send (digits only / letters only / shapes only)
and with all 44 classes active (where the look-alikes O/0, I/1, S/5, Z/2 meet). Beside it:
the shipped model itself (one model: Wilson interval only), and a 1-nearest-neighbour DTW
baseline (dtaidistance) on the same int8 features with templates from the train writers.
There is no character recogniser today: that column says n/a.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .bench import SMOKE, Figure, _ratio, target_verdict
from .characters import DIGIT_INDICES, LETTER_INDICES, SHAPE_INDICES, STROKE_LABELS
from .demo import format_table
from .protocol import StrokeConfigPacket

TARGETS = {("wand digits", "digits"): 0.98, ("capitals", "letters"): 0.97}
GROUPS = {
    "digits": DIGIT_INDICES,
    "letters": LETTER_INDICES,
    "shapes": SHAPE_INDICES,
    "all 44": list(range(len(STROKE_LABELS))),
}
DTW_TEMPLATES = 10  # per class, from the train writers, per seed (quick: 2); 440 x 6,000 DTWs take minutes


@dataclass
class StrokeTest:
    name: str
    about: str
    x: np.ndarray  # (n, 32, 4) int8
    y: np.ndarray  # class indices
    people: list[str]
    own: str  # the active set of its own group
    probs: dict[str, list[np.ndarray]] = field(default_factory=dict)  # method -> per seed (n, classes)

    def rests_on(self) -> str:
        n = len(set(self.people))
        return f"{n} {'person' if n == 1 else 'people'}, {len(self.y)} strokes"


def _per_class(xs: list, ys: list, people: list, n: int, rng) -> tuple[list, list, list]:
    if n <= 0:
        return xs, ys, people
    keep = sorted(i for c in set(ys) for i in rng.permutation([j for j, v in enumerate(ys) if v == c])[:n])
    return [xs[i] for i in keep], [ys[i] for i in keep], [people[i] for i in keep]


def _test(name: str, about: str, strokes, own: str, per_class: int, rng) -> StrokeTest:
    from training.strokes import featurized

    xs, ys, people = _per_class(*featurized(strokes, GROUPS[own]), per_class, rng)
    return StrokeTest(name, about, np.array(xs, np.int8), np.array(ys), people, own)


def test_sets(quick: bool) -> list[StrokeTest]:
    from .datasets import load_named, load_split_data

    rng = np.random.default_rng(0)
    n = 4 if quick else 0
    pen = load_split_data("unipen-digits-upper")["test"]
    shapes = load_split_data("quickdraw-shapes")["test"]
    return [
        _test("wand digits", "petewarden-digits: ALL wand-drawn digits (real wand strokes, never trained on)",
              load_named("petewarden-digits"), "digits", n, rng),
        _test("capitals", "unipen-digits-upper TEST writers, capitals (pen on a tablet)", pen, "letters", n, rng),
        _test("pen digits", "unipen-digits-upper TEST writers, digits (pen on a tablet)", pen, "digits", n, rng),
        _test("shapes", "quickdraw-shapes TEST players, the 8 vocabulary shapes (canvas)", shapes, "shapes", n, rng),
    ]


def _quick_recipe():
    from training.strokes import Recipe
    return Recipe(epochs=1, copies=0, shape_copies=1, max_per_class=20, everyday_rounds=1)


def _dtw_probs(train, tests: list[StrokeTest], per_class: int, seed: int) -> list[np.ndarray]:
    """1-NN DTW as pseudo-probabilities: 255 for the class of the nearest template among
    each class's nearest distance ranked (so an active set ranks classes as for the model)."""
    from training.strokes import dtw_templates, nearest_template

    templates, labels = dtw_templates(train, range(len(STROKE_LABELS)), per_class, np.random.default_rng(1000 + seed))
    # larger is nearer: ranked like probabilities
    return [-nearest_template(templates, labels, len(STROKE_LABELS), t.x) for t in tests]


def _accuracy(probs: np.ndarray, y: np.ndarray, active: str, read: bool = False) -> float:
    """Ranked first among the active set; or (``read``) what the chip reads at the default
    threshold and character mass: a stroke it rejects counts as missed."""
    from training.strokes import chip_reads, ranked

    cfg = StrokeConfigPacket()
    got = chip_reads(probs, GROUPS[active], cfg.min_character_mass, cfg.threshold) if read else \
        ranked(probs, GROUPS[active])
    return float((got == y).mean())


def _figure(method: str, t: StrokeTest, key: str, active: str, read: bool = False) -> Figure:
    return Figure(method, [_accuracy(p, t.y, active, read) for p in t.probs[key]], len(t.y), sorted(set(t.people)))


def _confusions(tests: list[StrokeTest], out: Path) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from training.strokes import ranked

    from .plots import save_png

    written = []
    for t in tests:
        for active in (t.own, "all 44"):
            pred = ranked(t.probs["ours"][0], GROUPS[active])
            labels = sorted(set(t.y.tolist()) | set(pred.tolist()))
            cm = np.zeros((len(labels), len(labels)), np.int64)
            for a, b in zip(t.y, pred):
                cm[labels.index(a), labels.index(b)] += 1
            names = [STROKE_LABELS[i].split("_", 1)[1] for i in labels]
            stem = f"confusion-{t.name.replace(' ', '-')}-{active.replace(' ', '')}"
            (out / f"{stem}.json").write_text(json.dumps({"labels": [STROKE_LABELS[i] for i in labels],
                                                          "rows": "true class", "columns": "ranked first",
                                                          "seed": 0, "active": active, "confusion": cm.tolist()}))
            fig, ax = plt.subplots(figsize=(0.22 * len(labels) + 2.5, 0.22 * len(labels) + 2))
            ax.imshow(np.log1p(cm), cmap="Blues")
            ax.set_xticks(range(len(labels)), names, fontsize=6, rotation=90)
            ax.set_yticks(range(len(labels)), names, fontsize=6)
            ax.set_xlabel("ranked first (int8 model, TFLM)")
            ax.set_ylabel("drawn")
            ax.set_title(f"{t.name}, active {active}: {np.trace(cm) / cm.sum():.1%} of {cm.sum()} (seed 0)", fontsize=8)
            fig.tight_layout()
            written.append(save_png(fig, out / f"{stem}.png"))
    return written


def bench_strokes(out: Path, quick: bool = False, seeds: list[int] | None = None, report=print) -> dict:
    from training.strokes import Recipe, load_parts, predict_tflm, train_model

    from .bench_air_letters import air_letter_rows, air_letter_tests
    from .stroke_model import load_stroke_model

    seeds = seeds or ([0] if quick else [0, 1, 2])
    out = out / "strokes"
    out.mkdir(parents=True, exist_ok=True)
    if quick:
        report(f"--quick: {SMOKE} (1 epoch on 20 strokes per class, 4 test strokes per class, seed {seeds})")
    recipe = _quick_recipe() if quick else Recipe()
    tests = test_sets(quick)
    air = air_letter_tests(quick, report)  # real air-written capitals: a table of their own
    train = load_parts(("train",))["train"]
    shipped = load_stroke_model()
    for t in tests + air:
        t.probs["shipped"] = [predict_tflm(shipped.tflite, t.x)]
        t.probs["ours"], t.probs["dtw"] = [], []
    for seed in seeds:
        report(f"seed {seed}: training the shipped recipe on the train writers")
        tflite, _ = train_model(recipe, seed, {"train": train}, report=lambda s: report("  " + s.strip()))
        for t in tests + air:
            t.probs["ours"].append(predict_tflm(tflite, t.x))
        for t, p in zip(tests + air, _dtw_probs(train, tests + air, 2 if quick else DTW_TEMPLATES, seed)):
            t.probs["dtw"].append(p)
    rows, figures = [], []
    for t in tests:
        for active in (t.own, "all 44"):
            ours, dtw, ship = (_figure(m, t, k, active) for m, k in (("int8 model, TFLM", "ours"),
                                                                   ("1-NN DTW", "dtw"), ("shipped", "shipped")))
            reads, ship_reads = (_figure(m, t, k, active, read=True)
                                 for m, k in (("chip reads", "ours"), ("shipped, chip reads", "shipped")))
            target = TARGETS.get((t.name, active))
            # judged on what the chip reads: a stroke under the threshold or character mass is a miss
            verdict = "-" if target is None else target_verdict(reads.mean >= target, quick)
            rows.append([f"{t.name} ({t.rests_on()})", active, *ours.cells(), *reads.cells()[::2],
                         f"{ship.mean:.1%} / {ship_reads.mean:.1%}", f"{dtw.mean:.1%} ± {dtw.sd:.1%}",
                         _ratio(ours.mean, dtw.mean), "n/a (no characters today)",
                         "-" if target is None else f">= {target:.0%}", verdict])
            figures.append({"test": t.name, "about": t.about, "active": active, "ours": ours.to_json(),
                            "ours_read": reads.to_json(), "dtw": dtw.to_json(), "shipped": ship.to_json(),
                            "shipped_read": ship_reads.to_json(), "target": target, "verdict": verdict})
    cfg = StrokeConfigPacket()
    report("\n" + format_table(["test strokes (never trained on)", "active set", "ranked first mean ± sd",
                                 "95% t (seeds)", "95% Wilson (strokes)", "chip reads mean ± sd",
                                 "95% Wilson (reads)", "shipped: ranked / reads", "1-NN DTW", "vs DTW",
                                 "today's recogniser", "target (on reads)", "verdict"], rows))
    report(f"ranked first: the best active class; chip reads: what the wand reads at the default threshold "
           f"{cfg.threshold} and character mass {cfg.min_character_mass} (the rest is rejected: a miss). The model's "
           "last class, when it has one, is everyday motion ('other'): it takes mass, never a reading.")
    chip = {"model_bytes": len(shipped.tflite), "arena_bytes": shipped.arena_bytes, "crc32": f"{shipped.crc32:08x}"}
    report(f"chip: shipped stroke model (crc32 {chip['crc32']}) {chip['model_bytes']} bytes (target <= 65536: "
           f"{target_verdict(chip['model_bytes'] <= 65536, quick)}), arena {chip['arena_bytes']} bytes "
           f"(target <= 32768: {target_verdict(chip['arena_bytes'] <= 32768, quick)})")
    sub = f", at most {recipe.max_per_class} per class" if recipe.max_per_class else ""
    report(f"rests on: {len(seeds)} seed(s) {seeds} of the shipped recipe retrained on {len(set(train.people))} "
           f"train writers/players ({len(train.y)} strokes{sub}, air-writing augmentation)"
           + (f" and the 10 6DMG train writers' air-written capitals ({recipe.air_letters} cuts{sub})"
              if recipe.air_letters else "") + "; DTW (pen and canvas templates only): "
           f"{2 if quick else DTW_TEMPLATES} un-augmented templates per class from the same train writers, per "
           f"seed. Wilson intervals count distinct test strokes (not strokes x seeds). Pen and canvas test "
           f"strokes are not air-writing; petewarden-digits is one person's real wand strokes.")
    air_figures = air_letter_rows(air, quick, report)
    paths = _confusions(tests, out)
    results = {"quick": quick, "label": SMOKE if quick else "figures", "seeds": seeds, "recipe": str(recipe),
               "figures": figures, "chip": chip, "confusions": [p.name for p in paths], "air_letters": air_figures}
    (out / "results.json").write_text(json.dumps(_plain(results), indent=2) + "\n")
    return results


def _plain(o):
    """JSON-safe: numpy scalars as numbers, NaN (an interval over one seed) as null."""
    if isinstance(o, dict):
        return {k: _plain(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_plain(v) for v in o]
    if isinstance(o, (np.floating, np.integer)):
        o = o.item()
    return None if isinstance(o, float) and math.isnan(o) else o
