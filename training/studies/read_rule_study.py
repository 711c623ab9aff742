"""When does the chip read a stroke? The mass and threshold rule, chosen on VALIDATION people.

The chip reads the best active character when (1) a probability mass reaches
``min_character_mass`` (``min_active_mass`` before this study) and (2) the best's share of
the active set reaches ``threshold``.
Two meanings of (1) are compared:

* ``active``: the mass of the active characters (the rule shipped so far): with digits
  alone active, a drawn 0 the model calls "O" is rejected, and so is everyday motion
  the model calls a letter;
* ``character``: the mass of every character, i.e. everything but the model's "other"
  class: (1) asks "is it a character at all?", (2) "which active one?".

Each is measured on the shipped stroke model (int8, TFLM) for each group alone active
(digits, letters, shapes), the TV example's digits + shapes and all 44:

* read right: unipen / quickdraw VALIDATION writers and players, with one fixed
  air-writing augmentation each (as ``training.strokes.validate``), and 6DMG validation
  writers' real air-written capitals (DTW cuts, letters active);
* everyday reads: strokes the twin's intent rule cuts from sp-sw-har VALIDATION people's
  motion, as it is and 3 times with real rest spliced in, read as any active character,
  per hour of that motion.

    python -m training.studies.read_rule_study [--out training/results/read-rule]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from wand.characters import DIGIT_INDICES, LETTER_INDICES, SHAPE_INDICES, STROKE_LABELS

RESULTS = Path(__file__).resolve().parent.parent / "results" / "read-rule"
SETS = {"digits": DIGIT_INDICES, "letters": LETTER_INDICES, "shapes": SHAPE_INDICES,
        "digits+shapes": sorted(DIGIT_INDICES + SHAPE_INDICES), "all": list(range(len(STROKE_LABELS)))}
MASSES = (0, 32, 64, 96, 128, 160, 192, 208, 224, 240)
THRESHOLDS = (32, 64, 96, 128, 160)
FLOORS = (0, 4, 8, 12, 16, 24, 32)  # step 2: the least summed probability of the ACTIVE characters
# Look-alikes (the O/0, I/1, S/5, Z/2, and the circle): a stroke of one read as the other
# in a profile that listens for the other only is expected, so out-of-set reads are also counted without them.
LOOK_ALIKES = (("letter_o", "digit_0"), ("letter_i", "digit_1"), ("letter_s", "digit_5"), ("letter_z", "digit_2"),
               ("letter_o", "shape_circle"), ("digit_0", "shape_circle"))


def reads(probs: np.ndarray, active: list[int], mass: int, threshold: int, meaning: str,
          floor: int = 0) -> np.ndarray:
    """The chip's decision under ``meaning`` of the mass: the class read, or -1. "character"
    is the chip's own rule (``training.strokes.chip_reads``); "active", the rule before it,
    is the same with the characters not listened for holding nothing. ``floor``: the least
    mass of the active characters (step 2; step 1 chose mass and threshold without one)."""
    from training.strokes import chip_reads
    if meaning == "active":
        probs = probs.copy()
        probs[:, sorted(set(range(len(STROKE_LABELS))) - set(active))] = 0
    return chip_reads(probs, active, mass, threshold, floor)


def measure(report=print) -> dict:
    from training.sixdmg_letters import LETTERS, load_letters
    from training.strokes import (EVERYDAY_VALIDATION_ROUNDS, everyday_strokes, featurized, load_parts,
                                  predict_tflm, validation_air_set)
    from wand.stroke_model import load_stroke_model

    model = load_stroke_model()
    report(f"stroke model crc {model.crc32:08x}, {len(model.labels)} outputs")
    val = load_parts(("validation",))["validation"]
    xa, ya = validation_air_set(val)
    pa = predict_tflm(model.tflite, xa)
    x6, y6, _ = featurized(load_letters(("validation",), "dtw-aligned", report=lambda _s: None)["validation"],
                           LETTERS)
    p6, y6 = predict_tflm(model.tflite, np.array(x6, np.int8)), np.array(y6)
    xe, people, all_hours = everyday_strokes("validation", EVERYDAY_VALIDATION_ROUNDS, 0, report=report)
    hours = all_hours  # every stream counted: as it is and each paused cut
    pe = predict_tflm(model.tflite, xe)
    report(f"validation: {len(ya)} air-augmented strokes of {len(set(val.people))} writers/players, "
           f"{len(y6)} 6DMG letters, {len(xe)} everyday strokes of {len(set(people))} people in {hours:.3f} h")
    probs = {"air": (pa, ya), "6dmg": (p6, y6), "everyday": (pe, hours)}
    rows = []
    for meaning in ("active", "character"):
        for name, act in SETS.items():
            m = np.isin(ya, act)
            for mass in MASSES:
                for thr in THRESHOLDS:
                    row = {"meaning": meaning, "active": name, "mass": mass, "threshold": thr,
                           "read_right": float((reads(pa[m], act, mass, thr, meaning) == ya[m]).mean()),
                           "everyday_per_hour": float((reads(pe, act, mass, thr, meaning) >= 0).sum() / hours)}
                    if name == "letters":
                        row["6dmg_read_right"] = float((reads(p6, act, mass, thr, meaning) == y6).mean())
                    rows.append(row)
    return {"model_crc32": f"{model.crc32:08x}", "validation_strokes": int(len(ya)),
            "validation_people": len(set(val.people)), "validation_6dmg_letters": int(len(y6)),
            "everyday_strokes": int(len(xe)), "everyday_people": len(set(people)), "everyday_hours": hours,
            "rows": rows, "_probs": probs}


def floors(probs: dict, mass: int, threshold: int) -> list[dict]:
    """Step 2, at the chosen character mass and threshold: each floor on the active
    characters' mass, per active set: read right, everyday reads per hour, and strokes of
    characters the set does not listen for read as one it does (all, and without look-alikes)."""
    from training.sixdmg_letters import LETTERS
    (pa, ya), (p6, y6), (pe, hours) = probs["air"], probs["6dmg"], probs["everyday"]
    index = {n: i for i, n in enumerate(STROKE_LABELS)}
    alike = {(index[a], index[b]) for a, b in LOOK_ALIKES} | {(index[b], index[a]) for a, b in LOOK_ALIKES}
    rows = []
    for name, act in SETS.items():
        mine = np.isin(ya, act)
        plain = ~mine & np.array([not any((y, a) in alike for a in act) for y in ya])
        for floor in FLOORS:
            got = reads(pa, act, mass, threshold, "character", floor)
            row = {"active": name, "floor": floor, "read_right": float((got[mine] == ya[mine]).mean()),
                   "everyday_per_hour": float((reads(pe, act, mass, threshold, "character", floor) >= 0).sum() / hours),
                   "out_of_set": int((~mine).sum()), "out_of_set_read": float((got[~mine] >= 0).mean()) if (~mine).any() else 0.0,
                   "unlike_out_of_set": int(plain.sum()),
                   "unlike_out_of_set_read": float((got[plain] >= 0).mean()) if plain.any() else 0.0}
            if name == "letters":
                row["6dmg_read_right"] = float((reads(p6, LETTERS, mass, threshold, "character", floor) == y6).mean())
            rows.append(row)
    return rows


def choose_floor(rows: list[dict]) -> int:
    """The largest floor at which no active set (nor the 6DMG letters) reads more than
    ``TOLERANCE`` fewer strokes right than with no floor."""
    at = {(r["active"], r["floor"]): r for r in rows}
    keys = ("read_right", "6dmg_read_right")
    return max(f for f in FLOORS if all(at[n, f][k] >= at[n, 0][k] - TOLERANCE for n in SETS for k in keys
                                       if k in at[n, f]))


SHIPPED = ("active", 64, 128)  # the rule and defaults before this study
TOLERANCE = 0.015  # the most read-right any set (and the 6DMG letters) may lose to the shipped rule


def choose(rows: list[dict]) -> dict:
    """Fewest everyday reads with all 44 active, among the settings under which every
    active set reads at most ``TOLERANCE`` fewer strokes right than the shipped rule;
    ties to the lower mass and threshold."""
    at = {(r["meaning"], r["mass"], r["threshold"], r["active"]): r for r in rows}

    def scores(r: dict) -> list[float]:
        return [r["read_right"]] + ([r["6dmg_read_right"]] if "6dmg_read_right" in r else [])

    ok = []
    for (meaning, mass, thr, name), r in at.items():
        if name != "all":
            continue
        if all(a >= b - TOLERANCE for n in SETS
               for a, b in zip(scores(at[meaning, mass, thr, n]), scores(at[SHIPPED + (n,)]))):
            ok.append(r)
    best = min(ok, key=lambda r: (r["everyday_per_hour"], r["mass"], r["threshold"]))
    return {"meaning": best["meaning"], "mass": best["mass"], "threshold": best["threshold"],
            "rule": f"fewest everyday reads with all 44 active, no active set (nor the 6DMG letters) reading "
                    f"more than {100 * TOLERANCE:.1f} points fewer right than the shipped rule {SHIPPED}",
            "per_set": {n: {k: at[best["meaning"], best["mass"], best["threshold"], n][k]
                            for k in ("read_right", "6dmg_read_right", "everyday_per_hour")
                            if k in at[best["meaning"], best["mass"], best["threshold"], n]} for n in SETS},
            "shipped_per_set": {n: {k: at[SHIPPED + (n,)][k] for k in ("read_right", "6dmg_read_right",
                                                                       "everyday_per_hour") if k in at[SHIPPED + (n,)]}
                                for n in SETS}}


def table(res: dict) -> str:
    lines = [f"model {res['model_crc32']}; everyday: {res['everyday_strokes']} strokes, {res['everyday_people']} "
             f"validation people, {res['everyday_hours']:.3f} h", "meaning    active         mass thr  read%  "
             "6dmg%  everyday/h"]
    for r in res["rows"]:
        six = f"{100 * r['6dmg_read_right']:5.1f}" if "6dmg_read_right" in r else "    -"
        lines.append(f"{r['meaning']:<10} {r['active']:<14} {r['mass']:>4} {r['threshold']:>3} "
                     f"{100 * r['read_right']:5.1f}  {six}  {r['everyday_per_hour']:8.1f}")
    if res.get("floors"):
        c = res["chosen"]
        lines += ["", f"step 2, character mass {c['mass']}, threshold {c['threshold']}: floor on the active "
                      f"characters' mass (chosen {res['chosen_floor']})",
                  "active         floor  read%  6dmg%  everyday/h  out-of-set read% (n)  without look-alikes (n)"]
        for r in res["floors"]:
            six = f"{100 * r['6dmg_read_right']:5.1f}" if "6dmg_read_right" in r else "    -"
            lines.append(f"{r['active']:<14} {r['floor']:>5}  {100 * r['read_right']:5.1f}  {six}  "
                         f"{r['everyday_per_hour']:10.1f}  {100 * r['out_of_set_read']:6.1f} ({r['out_of_set']:>4})"
                         f"       {100 * r['unlike_out_of_set_read']:6.1f} ({r['unlike_out_of_set']:>4})")
    return "\n".join(lines)


def plot(res: dict, path: Path) -> None:
    """Read right against everyday reads per hour, one panel per active set: each meaning
    of the mass swept at each threshold; the shipped and the chosen setting marked."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(SETS), figsize=(4 * len(SETS), 4), sharey=False)
    chosen = res["chosen"]
    for ax, name in zip(axes, SETS):
        for meaning, style in (("active", "--"), ("character", "-")):
            for thr in THRESHOLDS:
                rs = [r for r in res["rows"] if r["active"] == name and r["meaning"] == meaning
                      and r["threshold"] == thr]
                ax.plot([r["everyday_per_hour"] for r in rs], [100 * r["read_right"] for r in rs], style,
                        marker=".", lw=1, label=f"{meaning} mass, threshold {thr}")
        for (meaning, mass, thr), mark, what in ((SHIPPED, "s", "before"),
                                                 ((chosen["meaning"], chosen["mass"], chosen["threshold"]), "*",
                                                  "chosen")):
            r = next(r for r in res["rows"] if (r["meaning"], r["mass"], r["threshold"], r["active"])
                     == (meaning, mass, thr, name))
            ax.plot(r["everyday_per_hour"], 100 * r["read_right"], mark, ms=11, color="k", label=what)
        ax.set_title(f"{name} active")
        ax.set_xlabel("everyday motion read per hour")
        ax.set_ylabel("validation strokes read right (%)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=6)
    fig.suptitle(f"When the chip reads a stroke (validation people; model {res['model_crc32']}; "
                 f"everyday {res['everyday_hours']:.2f} h of {res['everyday_people']} people)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_floors(res: dict, path: Path) -> None:
    """Step 2: per active set, read right and out-of-set reads (look-alikes left out) against
    the floor on the active characters' mass; the chosen floor marked."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for name in SETS:
        rs = [r for r in res["floors"] if r["active"] == name]
        xs = [r["floor"] for r in rs]
        a.plot(xs, [100 * r["read_right"] for r in rs], marker=".", label=name)
        if rs[0]["unlike_out_of_set"]:
            b.plot(xs, [100 * r["unlike_out_of_set_read"] for r in rs], marker=".", label=name)
    for ax, what in ((a, "validation strokes read right (%)"),
                     (b, "strokes of characters not listened for, read (%)")):
        ax.axvline(res["chosen_floor"], color="k", ls=":", label=f"chosen {res['chosen_floor']}")
        ax.set_xlabel("floor on the active characters' mass (of 255)")
        ax.set_ylabel(what)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    c = res["chosen"]
    fig.suptitle(f"Step 2: the active set's least mass at character mass {c['mass']}, threshold {c['threshold']} "
                 f"(validation people; model {res['model_crc32']}; look-alikes left out on the right)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    res = measure()
    res["chosen"] = choose(res["rows"])
    c = res["chosen"]
    res["floors"] = floors(res.pop("_probs"), c["mass"], c["threshold"]) if c["meaning"] == "character" else []
    res["chosen_floor"] = choose_floor(res["floors"]) if res["floors"] else None
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "validation.json").write_text(json.dumps(res, indent=1) + "\n")
    text = table(res)
    (args.out / "validation.txt").write_text(text + "\n")
    plot(res, args.out / "validation.png")
    if res["floors"]:
        plot_floors(res, args.out / "validation-floor.png")
    print(text)
    print(json.dumps(res["chosen"], indent=1))
    print(f"chosen floor on the active characters' mass: {res['chosen_floor']} (the chip's STROKE_MIN_ACTIVE_MASS)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
