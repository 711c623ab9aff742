"""The stroke model: pen and canvas strokes -> air-writing augmentation -> int8 CNN -> export.

The product pipeline for the air-writing vocabulary (issue 19; ``wand.characters``):

1. data: UNIPEN digits and capitals (``unipen-digits-upper``) and Quick, Draw! shapes
   (``quickdraw-shapes``), each cut by its declared split by person; multi-stroke
   characters are joined in writing order, the pen-up jump bridged by a straight line (a
   wand draws one continuous stroke); and real air-written capitals: 6DMG train writers'
   words cut into letters by DTW forced alignment to pen templates (``sixdmg_letters``,
   no stroke model in the cut, so the training data does not depend on the model it
   trains); and "other": the strokes the twin's intent rule cuts from sp-sw-har train
   people's everyday motion, as it is and with real rest spliced in (``everyday_strokes``),
   a 45th class no profile can listen for: the chip reads a stroke only when the 44
   characters together outweigh it (``StrokeConfigPacket.min_character_mass``). Pete
   Warden's wand digits are never trained on.
2. augment (train only): a multi-stroke character's augmented copy is, with chance
   ``Recipe.forms_p``, drawn in another one-stroke form (``strokes_augment.one_stroke_forms``:
   its pen strokes in another order and direction, as a wand writer who cannot lift the
   pen draws it); then ``strokes_augment.air_write`` on float points;
3. featurize: the larger box side scaled to ``INT_SIDE`` integer units, then
   ``stroke_input``, the chip's own integer featurizer: int8 (32, 4) x, y, dx, dy;
4. train a small 1-D CNN (``training.arch.stroke_cnn``) on the train people, choose the
   recipe on validation people (``python -m training.strokes --validate``);
5. quantize to full int8 with input scale exactly 1.0 and zero point 0 (the featurizer's
   int8 IS the input), int8 softmax output;
6. export (``training.strokes_export``): ``wand/assets/stroke_model.{tflite,json}`` and
   ``firmware/magic_wand/src/model/stroke_model_data.{h,cc}``.

Run: ``nice python -m training.strokes --install`` (a few minutes on two cores).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from wand.characters import DIGIT_INDICES, LETTER_INDICES, SHAPE_INDICES, STROKE_LABELS
from wand.datasets import Stroke, load_split_data
from wand.protocol import STROKE_MIN_ACTIVE_MASS, StrokeConfigPacket
from wand.wand_core.stroke_features import STROKE_CHANNELS, STROKE_POINTS, stroke_input

from .strokes_augment import FORM_RULES, AirWriting, Form, air_write, allowed_forms, draw_form, one_stroke_forms

INT_SIDE = 4096  # pen coordinates -> integers: the larger box side spans this many units
PEN_DATA = "unipen-digits-upper"
SHAPE_DATA = "quickdraw-shapes"
INPUT_SHAPE = (STROKE_POINTS, STROKE_CHANNELS)
EVERYDAY_DATA = "sp-sw-har"  # real everyday wrist motion (gyroscope): the "other" class, train people only
OTHER = len(STROKE_LABELS)  # the model's extra last class: "not a character" (a mask bit no profile sets)


def vocabulary_name(stroke: Stroke) -> str | None:
    """The vocabulary name of a data set label: "7" -> digit_7, "Z" -> letter_z, circle -> shape_circle."""
    lab = stroke.label
    if len(lab) == 1 and lab.isdigit():
        name = f"digit_{lab}"
    elif len(lab) == 1 and lab.isalpha():
        name = f"letter_{lab.lower()}"
    else:
        name = f"shape_{lab}"
    return name if name in _INDEX else None


_INDEX = {n: i for i, n in enumerate(STROKE_LABELS)}


def featurize(points: np.ndarray) -> np.ndarray | None:
    """Float points (x right, y up, any unit) -> the chip's int8 input (32, 4); None if no length."""
    pts = np.asarray(points, np.float64)
    lo = pts.min(axis=0)
    side = float((pts.max(axis=0) - lo).max())
    if side <= 0:
        return None
    ints = np.rint((pts - lo) * (INT_SIDE / side)).astype(np.int64)
    feat = stroke_input(ints.tolist())
    return None if feat is None else np.array(feat, np.int8).reshape(INPUT_SHAPE)


def dtw_templates(data: "Labelled", classes, per_class: int, rng: np.random.Generator):
    """Up to ``per_class`` random featurized strokes of each class in ``classes`` (class
    ids of ``data.y``), as the 1-NN DTW baseline's templates; labels are positions in ``classes``."""
    templates, labels = [], []
    for col, c in enumerate(classes):
        for i in rng.permutation(np.flatnonzero(data.y == c))[:per_class]:
            f = featurize(data.points[i])
            if f is not None:
                templates.append(np.ascontiguousarray(f, np.double))
                labels.append(col)
    return templates, np.array(labels)


def nearest_template(templates: list, labels: np.ndarray, n_classes: int, x) -> np.ndarray:
    """(len x, n_classes): each stroke's DTW distance to the nearest template of each class
    (inf for a class without templates). One C call for all pairs."""
    from dtaidistance import dtw_ndim

    n = len(templates)
    series = templates + [np.ascontiguousarray(f, np.double) for f in x]
    d = np.asarray(dtw_ndim.distance_matrix_fast(series, block=((0, n), (n, len(series))), compact=False))[:n, n:]
    best = np.full((len(series) - n, n_classes), np.inf)
    for c in range(n_classes):
        if (labels == c).any():
            best[:, c] = d[labels == c].min(axis=0)
    return best


@dataclass(frozen=True)
class Recipe:
    """Everything that decides the shipped model; chosen on validation people."""

    epochs: int = 20
    copies: int = 3  # augmented copies of each pen character per training set
    shape_copies: int = 30  # canvas shapes are few (23-60 per shape): more copies each
    clean: bool = True  # keep each stroke un-augmented once too
    width: int = 28  # 28 / 80: the largest tried that keeps the model under 64 KB (about 60 KB)
    dense: int = 80
    dropout: float = 0.3
    batch: int = 128
    lr: float = 3e-3
    max_per_class: int = 0  # subsample pen characters per class (0: all), to keep runs quick
    forms_p: float = 0.5  # chance an augmented copy of a multi-stroke character is drawn in another one-stroke form
    forms_rule: str = "any"  # which forms (strokes_augment.FORM_RULES)
    air_letters: str = "dtw-aligned"  # also train on 6DMG train writers' capitals cut this way ("": none)
    air_copies: int = 2  # augmented copies of each such real air-written letter (4: no better on validation)
    everyday_rounds: int = 30  # >0: an "other" class of everyday motion's strokes, cut this many ways (chosen on validation)
    augment: AirWriting = AirWriting()


@dataclass
class Labelled:
    points: list[np.ndarray]  # the strokes joined in writing order
    y: np.ndarray
    people: list[str]
    segments: list[list[np.ndarray]] = field(default_factory=list)  # per stroke: the pen strokes
    _forms: dict[int, list[Form]] = field(default_factory=dict, repr=False, compare=False)

    def forms(self, i: int) -> list[Form]:
        """Stroke ``i``'s writing order first, then its other one-stroke forms: worked out when
        first drawn (most loads, e.g. DTW templates and test sets, never draw one)."""
        if i not in self._forms:
            self._forms[i] = one_stroke_forms(self.segments[i])
        return self._forms[i]

    def drawn(self, i: int, rng: np.random.Generator, forms_p: float, rule: str) -> np.ndarray:
        """Stroke ``i`` as one line: writing order, or with chance ``forms_p`` another form ``rule`` allows."""
        forms = allowed_forms(self.forms(i), rule) if self.segments and forms_p > 0 else []
        if not forms or rng.random() >= forms_p:
            return self.points[i]
        return draw_form(self.segments[i], forms[int(rng.integers(len(forms)))])


def _add(data: Labelled, strokes, person_prefix: str = "") -> Labelled:
    """``data`` with the vocabulary strokes among ``strokes`` appended (others skipped)."""
    ys = []
    for s in strokes:
        v = vocabulary_name(s)
        if v is None or len(s.points) < 2:
            continue
        data.points.append(s.points)
        data.people.append(person_prefix + s.person)
        data.segments.append(s.segments)
        ys.append(_INDEX[v])
    data.y = np.concatenate([data.y, np.array(ys, np.int64)])
    return data


def load_parts(parts: tuple[str, ...] = ("train", "validation")) -> dict[str, Labelled]:
    """Vocabulary strokes of the declared splits: part -> joined points, class index, person."""
    out = {p: Labelled([], np.zeros(0, np.int64), []) for p in parts}
    for name in (PEN_DATA, SHAPE_DATA):
        split = load_split_data(name)
        for part in parts:
            _add(out[part], split[part])
    return out


def featurized(strokes, classes) -> tuple[list[np.ndarray], list[int], list[str]]:
    """The chip's int8 input, class index and person of each vocabulary stroke in ``classes``."""
    xs, ys, people = [], [], []
    for s in strokes:
        v = vocabulary_name(s)
        f = featurize(s.points) if v else None
        if f is not None and _INDEX[v] in classes:
            xs.append(f)
            ys.append(_INDEX[v])
            people.append(s.person)
    return xs, ys, people


def _subsample(data: Labelled, per_class: int, rng: np.random.Generator) -> Labelled:
    if per_class <= 0:
        return data
    keep = []
    for c in np.unique(data.y):
        idx = np.flatnonzero(data.y == c)
        keep += list(rng.permutation(idx)[:per_class])
    keep = sorted(keep)
    return Labelled([data.points[i] for i in keep], data.y[keep], [data.people[i] for i in keep],
                    [data.segments[i] for i in keep])


def air_letters(how: str, report=print) -> Labelled:
    """6DMG TRAIN writers' capitals, cut from their words ``how`` (training.sixdmg_letters):
    real air-writing (tracked 2-D position, not IMU); each letter keeps its joining motion."""
    from .sixdmg_letters import load_letters

    letters = load_letters(("train",), how, report=report)["train"]
    return _add(Labelled([], np.zeros(0, np.int64), []), letters, person_prefix="6dmg:")


def everyday_strokes(part: str, rounds: int, seed: int = 0, report=print,
                     limit: int = 0, twists: bool = False) -> tuple[np.ndarray, list[str], float]:
    """The chip's int8 input of every stroke the intent rule cuts from sp-sw-har ``part``
    people's everyday motion: each recording as it is, then ``rounds`` times cut into
    0.5-4 s pieces with real rest noise between them (``wand.bench_air.with_pauses``, a
    different cut each round), so a person who pauses all the time is in it. Real motion,
    spliced pauses; the strokes are the twin's own (resampler, gyro offset, projection,
    featurizer), as the chip would classify them. ``limit``: the part's first recordings
    only (tests). ``twists``: also the brackets the chip drops as twists (STROKE_MAX_ROLL_SHARE):
    training keeps them, so "other" learns every bracket everyday motion makes (and the
    shipped model, trained before the twist rule, is reproduced); measurements leave them out,
    as the chip does. -> (n, 32, 4) int8, each stroke's person, and the hours of motion cut
    (each recording counted once per stream: as it is and ``rounds`` times)."""
    from wand.bench_air import twin_spotter, with_pauses

    recs = load_split_data(EVERYDAY_DATA)[part]
    recs = recs[:limit] if limit > 0 else recs
    spot, rng, t0 = twin_spotter(max_roll_share=256 if twists else None), np.random.default_rng(seed), time.time()
    xs, people = [], []
    for r in recs:
        streams = [r.samples] + [with_pauses(r.samples, r.rate_hz, rng)[0] for _ in range(rounds)]
        for x in streams:
            for d in spot(x, r.rate_hz):
                xs.append(np.array(d.features, np.int8).reshape(INPUT_SHAPE))
                people.append(r.person)
    report(f"  {len(xs)} everyday strokes cut from {len(recs)} {EVERYDAY_DATA} {part} recordings "
           f"({len(set(people))} people, {rounds} paused cuts each) in {time.time() - t0:.0f} s")
    hours = sum(r.duration_s for r in recs) / 3600 * (rounds + 1)
    return np.array(xs, np.int8).reshape((-1,) + INPUT_SHAPE), people, hours


def num_outputs(recipe: Recipe) -> int:
    """The model's classes: the vocabulary, plus "other" when trained with everyday motion."""
    return len(STROKE_LABELS) + (1 if recipe.everyday_rounds > 0 else 0)


def is_shape(label: int) -> bool:
    return STROKE_LABELS[label].startswith("shape_")


def make_set(data: Labelled, recipe: Recipe, rng: np.random.Generator,
             augment: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Featurized (n, 32, 4) int8 and labels; augmented copies when ``augment``."""
    xs, ys = [], []
    for i, (pts, y) in enumerate(zip(data.points, data.y)):
        n = (recipe.shape_copies if is_shape(int(y)) else recipe.copies) if augment else 0
        variants = ([pts] if (recipe.clean or not augment) else []) + [
            air_write(data.drawn(i, rng, recipe.forms_p, recipe.forms_rule), rng, recipe.augment) for _ in range(n)]
        for v in variants:
            f = featurize(v)
            if f is not None:
                xs.append(f)
                ys.append(y)
    return np.array(xs, np.int8).reshape((-1,) + INPUT_SHAPE), np.array(ys, np.int64)


def train_float(x: np.ndarray, y: np.ndarray, recipe: Recipe, seed: int, report=print):
    """The float Keras model, trained on int8 features as floats (the int8 input scale is 1.0)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    from .arch import stroke_cnn

    tf.keras.utils.set_random_seed(seed)
    model = stroke_cnn(STROKE_POINTS, STROKE_CHANNELS, num_outputs(recipe), recipe.width, recipe.dense,
                       recipe.dropout)
    steps = max(1, len(x) // recipe.batch) * recipe.epochs
    lr = tf.keras.optimizers.schedules.CosineDecay(recipe.lr, steps)
    model.compile(tf.keras.optimizers.Adam(lr), "sparse_categorical_crossentropy", metrics=["accuracy"])
    t0 = time.time()
    hist = model.fit(x.astype(np.float32), y, batch_size=recipe.batch, epochs=recipe.epochs, verbose=0, shuffle=True)
    report(f"  trained {recipe.epochs} epochs on {len(x)} strokes in {time.time() - t0:.0f} s "
           f"(train accuracy {hist.history['accuracy'][-1]:.3f})")
    return model


def quantize(model, rep: np.ndarray, seed: int = 0, max_rep: int = 500) -> bytes:
    """Full-integer int8; the representative set holds exact -128 and 127 in every channel,
    so the input comes out with scale 1.0 and zero point 0 (checked)."""
    rng = np.random.default_rng(seed)
    picks = rep[rng.permutation(len(rep))[:max_rep]].astype(np.float32)
    extremes = np.full((1,) + INPUT_SHAPE, -128.0, np.float32)
    extremes[0, ::2] = 127.0

    def representative():
        yield [extremes]
        for w in picks:
            yield [w[None]]

    from .quantize import convert_int8
    from .train import quiet
    with quiet():
        tflite = convert_int8(model, representative, INPUT_SHAPE)
    from .strokes_export import check_io
    check_io(tflite)
    return tflite


def predict_tflm(tflite: bytes, x: np.ndarray) -> np.ndarray:
    """(n, classes) probabilities 0..255 through the TFLM interpreter, as the chip computes them."""
    from wand.wand_core.classifier import open_interpreter

    it = open_interpreter(tflite, 64 * 1024)
    out = np.zeros((len(x), int(np.prod(it.get_output_details(0)["shape"]))), np.int32)
    for i, w in enumerate(x):
        it.set_input(np.asarray(w, np.int8).reshape((1,) + INPUT_SHAPE), 0)
        it.invoke()
        out[i] = it.get_output(0).reshape(-1).astype(np.int32) + 128
    return out


def ranked(probs: np.ndarray, active: list[int] | None = None) -> np.ndarray:
    """The top class among the active ones (all 44 characters when None; never "other",
    which no mask can set): what the chip reports."""
    act = np.array(sorted(active) if active is not None else range(len(STROKE_LABELS)))
    return act[probs[:, act].argmax(axis=1)]


def accuracy_by_group(probs: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Accuracy over all 44, and over digits / letters / shapes each with only its own group active."""
    groups = {"digit": DIGIT_INDICES, "letter": LETTER_INDICES, "shape": SHAPE_INDICES}
    out = {}
    thr = StrokeConfigPacket().threshold
    for g, act in groups.items():
        m = np.isin(y, act)
        if m.any():
            out[g] = float((ranked(probs[m], act) == y[m]).mean())
            # what the chip reads (threshold, character mass: all but "other", when the model has it)
            for mass in (64, 128, 224):
                out[f"{g}_read_mass{mass}"] = float((chip_reads(probs[m], act, mass, thr) == y[m]).mean())
    out["all_44"] = float((ranked(probs) == y).mean())
    return out


def train_model(recipe: Recipe, seed: int, parts: dict[str, Labelled] | None = None,
                report=print) -> tuple[bytes, dict]:
    """Train on the train people, quantize; validation figures when validation is loaded."""
    parts = parts or load_parts()
    rng = np.random.default_rng(seed)
    train = _subsample(parts["train"], recipe.max_per_class, rng)
    t0 = time.time()
    x, y = make_set(train, recipe, rng)
    air = None
    if recipe.air_letters:
        air = _subsample(air_letters(recipe.air_letters, report), recipe.max_per_class, rng)
        xa, ya = make_set(air, replace(recipe, copies=recipe.air_copies), rng)
        x, y = np.concatenate([x, xa]), np.concatenate([y, ya])
    everyday = 0
    if recipe.everyday_rounds > 0:
        # max_per_class (quick runs) also takes only that many everyday recordings
        xe, _, _ = everyday_strokes("train", recipe.everyday_rounds, seed, report, limit=recipe.max_per_class,
                                    twists=True)
        x, y, everyday = np.concatenate([x, xe]), np.concatenate([y, np.full(len(xe), OTHER)]), len(xe)
    report(f"  {len(x)} training strokes ({len(train.y)} pen/canvas originals"
           f"{f', {len(air.y)} 6DMG air-written letters' if air is not None else ''}"
           f"{f', {everyday} everyday-motion strokes as other' if everyday else ''}) featurized in "
           f"{time.time() - t0:.0f} s")
    model = train_float(x, y, recipe, seed, report)
    tflite = quantize(model, x, seed)
    info: dict = {"seed": seed, "recipe": asdict(recipe),
                  "train_strokes": int(len(train.y)) + (len(air.y) if air is not None else 0),
                  "train_people": len(set(train.people)) + (len(set(air.people)) if air is not None else 0),
                  "data": {"trained_on": [f"{PEN_DATA}: train writers (gestures/splits/{PEN_DATA}.toml)",
                                          f"{SHAPE_DATA}: train players (gestures/splits/{SHAPE_DATA}.toml)"]
                           + ([f"6dmg-airwriting-words: train writers' capitals, {recipe.air_letters} cuts "
                               "(gestures/splits/6dmg-airwriting-words.toml, training/sixdmg_letters.py)"]
                              if air is not None else [])
                           + ([f"{EVERYDAY_DATA}: train people's everyday motion as 'other', cut by the intent "
                               f"rule as it is and {recipe.everyday_rounds} times with real rest spliced in "
                               f"(gestures/splits/{EVERYDAY_DATA}.toml)"] if everyday else []),
                           "chosen_on": "validation writers and players of the same splits",
                           "never_seen": ["test writers and players", "petewarden-digits (real wand strokes)"]}}
    if "validation" in parts and len(parts["validation"].y):
        info.update(validate(tflite, parts["validation"], recipe))
        for k in ("validation", "validation_air", "validation_air_forms_any", "validation_air_forms_shorter",
                  "validation_6dmg", "validation_everyday"):
            report(f"  {k} (int8, TFLM): {json.dumps(_rounded(info[k]))}")
    return tflite, info


def _rounded(v):
    """Figures to 4 places, nested dicts included (for the run's report)."""
    if isinstance(v, dict):
        return {k: _rounded(x) for k, x in v.items()}
    return round(v, 4) if isinstance(v, float) else v


VALIDATION_AIR_SEED = 1234  # one fixed air-writing copy of each validation stroke, alike for every recipe


def validation_air_set(val: Labelled, forms_p: float = 0.0, rule: str = "any") -> tuple[np.ndarray, np.ndarray]:
    """One fixed air-writing copy of each validation stroke (VALIDATION_AIR_SEED), alike for
    every recipe and study; ``forms_p``/``rule``: multi-stroke characters in other forms."""
    air = Recipe(copies=1, shape_copies=1, clean=False, forms_p=forms_p, forms_rule=rule)
    return make_set(val, air, np.random.default_rng(VALIDATION_AIR_SEED))


def validate(tflite: bytes, val: Labelled, recipe: Recipe) -> dict:
    """Accuracy on validation people's strokes as written ("validation"), with one fixed
    air-writing augmentation each ("validation_air": the pen data stands in for air-writing,
    which is what the recipe is for; the augmentation itself stays the study's), and the
    same with every multi-stroke character drawn in one other one-stroke form of each rule
    ("validation_air_forms_<rule>": how a wand writer who cannot lift the pen may draw it)."""
    xv, yv = make_set(val, recipe, np.random.default_rng(0), augment=False)
    out = {"validation": accuracy_by_group(predict_tflm(tflite, xv), yv),
           "validation_strokes": int(len(yv)), "validation_people": len(set(val.people))}
    for key, p, rule in (("validation_air", 0.0, "any"), ("validation_air_forms_any", 1.0, "any"),
                         ("validation_air_forms_shorter", 1.0, "shorter")):
        xa, ya = validation_air_set(val, p, rule)
        out[key] = accuracy_by_group(predict_tflm(tflite, xa), ya)
    out["validation_6dmg"] = validate_air_letters(tflite)
    out["validation_everyday"] = validate_everyday(tflite)
    return out


EVERYDAY_VALIDATION_ROUNDS = 3  # paused cuts of the validation people's motion (as wand bench air's seeds)


def validate_everyday(tflite: bytes, masses: tuple[int, ...] = (0, 32, 64, 96, 128, 160, 192, 224)) -> dict:
    """sp-sw-har VALIDATION people's everyday motion, each recording paused 3 ways: strokes
    the intent rule cuts per hour of motion, and how many the chip would read with all 44
    active at the default threshold, for each ``min_character_mass`` up to the shipped 224
    (the knob an "other" class turns into a reject; without one the character mass is
    always 255). Hours count the paused cuts only, as before (the plain streams' few
    strokes are in the count)."""
    x, _, all_hours = everyday_strokes("validation", EVERYDAY_VALIDATION_ROUNDS, 0, report=lambda _s: None)
    hours = all_hours * EVERYDAY_VALIDATION_ROUNDS / (EVERYDAY_VALIDATION_ROUNDS + 1)
    probs = predict_tflm(tflite, x) if len(x) else np.zeros((0, len(STROKE_LABELS)), np.int32)
    thr = StrokeConfigPacket().threshold
    return {"hours": hours, "strokes": int(len(x)), "strokes_per_hour": len(x) / hours,
            "read_per_hour": {str(m): float((chip_reads(probs, None, m, thr) >= 0).sum() / hours) for m in masses}}


def chip_reads(probs: np.ndarray, active: list[int] | None, mass: int, threshold: int,
               floor: int = STROKE_MIN_ACTIVE_MASS) -> np.ndarray:
    """What the chip reads (``wand_core.stroke.decide``): the best active class, or -1 when
    all characters' summed probability (not "other") is under ``mass``, the active set's
    under ``floor`` (the chip's STROKE_MIN_ACTIVE_MASS) or the best's share of it under
    ``threshold``."""
    act = np.array(sorted(active) if active is not None else range(len(STROKE_LABELS)))
    p = probs[:, act].astype(np.int64)
    total = p.sum(axis=1)
    characters = probs[:, :len(STROKE_LABELS)].astype(np.int64).sum(axis=1)
    best = p.argmax(axis=1)
    share = (2 * p[np.arange(len(p)), best] * 255 + total) // (2 * np.maximum(total, 1))  # div_round
    ok = (characters >= mass) & (total >= floor) & (share >= threshold)  # threshold 0 reads even a zero share
    return np.where(ok, act[best], -1)


def validate_air_letters(tflite: bytes) -> dict[str, float]:
    """Letters-only accuracy on 6DMG VALIDATION writers' real air-written capitals, per cut
    ("aligned": cut by the shipped model, so it leans its way; "dtw-aligned": no model)."""
    from .sixdmg_letters import LETTERS, load_letters

    cfg, out = StrokeConfigPacket(), {}
    for how in ("aligned", "dtw-aligned"):
        x, y, _ = featurized(load_letters(("validation",), how, report=lambda _s: None)["validation"], LETTERS)
        probs = predict_tflm(tflite, np.array(x, np.int8))
        out[how] = float((ranked(probs, LETTERS) == np.array(y)).mean())
        out[f"{how}_read"] = float((chip_reads(probs, LETTERS, cfg.min_character_mass, cfg.threshold)
                                    == np.array(y)).mean())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--copies", type=int)
    ap.add_argument("--width", type=int)
    ap.add_argument("--dense", type=int)
    ap.add_argument("--dropout", type=float)
    ap.add_argument("--shape-copies", type=int)
    ap.add_argument("--max-per-class", type=int)
    ap.add_argument("--forms-p", type=float, help="chance an augmented multi-stroke character takes another one-stroke form")
    ap.add_argument("--forms-rule", choices=FORM_RULES)
    ap.add_argument("--air-letters", choices=("none", "aligned", "dtw-aligned"),
                    help="6DMG train writers' air-written capitals cut this way (default dtw-aligned; none: pen only)")
    ap.add_argument("--air-copies", type=int, help="augmented copies of each 6DMG letter")
    ap.add_argument("--everyday-rounds", type=int, help="an 'other' class of everyday motion cut this many ways (0: none)")
    ap.add_argument("--log", help="append the run's recipe and validation figures to this JSON-lines file")
    ap.add_argument("--no-augment", action="store_true", help="validation study: no air-writing augmentation")
    ap.add_argument("--install", action="store_true", help="write the assets and firmware files")
    ap.add_argument("--out", help="also save the .tflite + .json here")
    a = ap.parse_args(argv)
    recipe = Recipe()
    for k in ("epochs", "copies", "width", "dense", "dropout", "shape_copies", "max_per_class", "forms_p",
              "forms_rule", "air_letters", "air_copies", "everyday_rounds"):
        if getattr(a, k) is not None:
            recipe = replace(recipe, **{k: getattr(a, k)})
    if recipe.air_letters == "none":
        recipe = replace(recipe, air_letters="")
    if a.no_augment:
        recipe = replace(recipe, copies=0, shape_copies=0, air_copies=0, clean=True)
    tflite, info = train_model(recipe, a.seed)
    if a.log:
        with open(a.log, "a") as f:
            f.write(json.dumps(info) + "\n")
    from .strokes_export import export
    paths = export(tflite, info, install=a.install, out=Path(a.out) if a.out else None)
    for p in paths:
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
