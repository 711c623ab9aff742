"""The stroke spotter (wand/wand_core/stroke.py) on real wand tries with a known shape:
intent, direction, agreement with the float geometry, and how the active set is ranked.
The C++ twin is compared byte for byte in tests/test_core_equivalence.py."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from stroke_tries import HashClassifier, rest_sample, with_holds
from wand.characters import mask_of
from wand.protocol import CONFIG_FLAG_LED, STROKE_FLAG_ENABLED, STROKE_MAX_ROLL_SHARE, STROKE_MIN_ACTIVE_MASS, STROKE_UNKNOWN, ConfigPacket, GesturePacket, StrokeConfigPacket, StrokePacket
from wand.strokes import FORWARD, orientations, signed_area
from wand.wand_core.core import CoreSpec, WandCore
from wand.wand_core.resampler import Resampler
from wand.wand_core.stroke import ONE, Orientation, Outcome, StrokeSpotter, StrokeState, decide

RATE = 50
CFG = StrokeConfigPacket()


def _resampled(samples, rate_in: int) -> list[tuple[int, ...]]:
    rs = Resampler(rate_in, RATE)
    return [s for raw in samples for s in rs.push(tuple(raw))]


def _strokes(samples, cfg: StrokeConfigPacket = CFG, **kw):
    """(stroke, index of the sample that ended it) for every stroke in a 50 Hz stream."""
    spot, out = StrokeSpotter(cfg, RATE, **kw), []
    for i, s in enumerate(samples):
        st = spot.on_sample(s, i * 20)
        if st is not None:
            out.append((st, i))
    return out, spot


def _tries(vocab, name):
    return vocab[name].recordings()


def _net(vocab, name, **kw):
    """Each try's stroke, start to end (degrees, x right, y up), and the strokes themselves."""
    nets, strokes = [], []
    for rec in _tries(vocab, name):
        found, _ = _strokes(_resampled(with_holds(rec), rec.rate_hz), **kw)
        assert len(found) <= 1
        if found:
            pts = np.array(found[0][0].points) / 65536 * 57.2958
            nets.append(pts[-1] - pts[0])
            strokes.append(pts)
    return np.array(nets), strokes


def test_tti_diagonals_and_swipes_go_the_way_they_were_drawn(vocab):
    """As wand/strokes.py establishes in float: up-left ends up and left, up-right up and
    right, swipe-down lower; every try that is not too small becomes one stroke. A swipe
    carries the wand down, turning it about its long axis more than the chip allows (roll share
    0.5-0.6): the chip drops it as a twist, so its geometry is checked with that rule off."""
    up_left, _ = _net(vocab, "diagonal_up_left")
    up_right, _ = _net(vocab, "diagonal_up_right")
    down, _ = _net(vocab, "swipe_down", max_roll_share=256)
    assert len(up_left) == 20 and len(up_right) == 10 and len(down) >= 6
    assert len(_net(vocab, "swipe_down")[0]) == 0
    assert np.sum((up_left[:, 0] < 0) & (up_left[:, 1] > 0)) == 20
    assert np.sum((up_right[:, 0] > 0) & (up_right[:, 1] > 0)) == 10
    assert np.sum(down[:, 1] < 0) >= len(down) - 1


def test_tti_circles_are_clockwise(vocab):
    _, circles = _net(vocab, "circle_cw")
    assert len(circles) >= 19
    assert all(signed_area(p) < 0 for p in circles)


def _float_points(segment, gravity_mg):
    """The same definition in float with exact rotations (wand/strokes.py's orientations)."""
    flip = np.array([1.0, -1.0, 1.0])
    gyro = np.vstack([np.zeros(3), np.array(segment, np.float64)[:, 3:6] / 10.0 * flip])
    p = orientations(gyro, RATE) @ FORWARD
    ahead = p.mean(axis=0)
    ahead /= np.linalg.norm(ahead)
    g = np.asarray(gravity_mg, np.float64) * flip
    up = g - (g @ ahead) * ahead
    up /= np.linalg.norm(up)
    right = np.cross(ahead, up)
    return np.stack([p @ right, p @ up], axis=1)


def test_integer_stroke_agrees_with_exact_float_rotations(vocab):
    """On every tti try of the four shapes: the Q30 small-angle quaternion and integer
    projection land within 0.05 degrees of float Rodrigues rotations (strokes span 10-100)."""
    worst, compared = 0.0, 0
    for name in ("diagonal_up_left", "diagonal_up_right", "swipe_down", "circle_cw"):
        for rec in _tries(vocab, name):
            samples = _resampled(with_holds(rec), rec.rate_hz)
            found, _ = _strokes(samples, max_roll_share=256)  # swipes too: the chip drops them as twists
            for stroke, end in found:
                last = end - CFG.end_samples  # the last moving sample
                first = last - stroke.samples + 1
                segment = samples[first:last + 1]
                hold = np.array(samples[:first])[:, :3]  # the lead hold, up to the stroke: all still
                assert np.abs(hold).sum() > 0 and np.abs(np.array(samples[:first])[:, 3:]).sum(axis=1).max() < 200
                ref = _float_points(segment, hold.mean(axis=0))
                got = np.array(stroke.points, np.float64) / 65536
                worst = max(worst, float(np.abs(got - ref).max()))
                compared += 1
    assert compared >= 55
    assert np.degrees(worst) < 0.05


def test_a_still_wand_and_motion_without_a_hold_never_stroke(vocab, tti_recordings):
    still = [rest_sample((0, 0, 1000))] * 500
    found, spot = _strokes(still)
    assert not found and spot.state == StrokeState.ARMED
    # The tries as recorded begin moving: no hold, no stroke (however letter-like).
    for rec in tti_recordings[:30]:
        found, spot = _strokes(_resampled(rec.samples, rec.rate_hz))
        assert not found and spot.state == StrokeState.IDLE


def _turn(gz_ddps: int, n: int) -> list[tuple[int, ...]]:
    return [(0, 0, 1000, 0, 0, gz_ddps)] * n


HOLD = [rest_sample((0, 0, 1000))] * 20


def test_intent_outcomes():
    # a gentle turn (60 deg/s, far below the 200 deg/s IMU gate) for 0.5 s is a stroke
    found, spot = _strokes(HOLD + _turn(600, 25) + HOLD)
    assert len(found) == 1 and found[0][0].samples == 25 and spot.outcome == Outcome.CLASSIFIED
    # the end's hold arms the next character at once: two strokes back to back
    found, _ = _strokes(HOLD + _turn(600, 25) + HOLD + _turn(-600, 25) + HOLD)
    assert len(found) == 2
    # drift between the rest and start levels never starts a stroke; long enough, it disarms
    found, spot = _strokes(HOLD + _turn(300, 50))
    assert not found and spot.state == StrokeState.ARMED
    found, spot = _strokes(HOLD + _turn(300, CFG.max_samples + 1))
    assert spot.state == StrokeState.IDLE and spot.outcome == Outcome.TOO_LONG
    found, spot = _strokes(HOLD + _turn(600, 5) + HOLD)
    assert not found and spot.outcome == Outcome.TOO_SHORT
    found, spot = _strokes(HOLD + _turn(600, 12) + HOLD, replace(CFG, min_extent_deg=30))  # 14 degrees
    assert not found and spot.outcome == Outcome.TOO_SMALL
    found, spot = _strokes(HOLD + _turn(600, CFG.max_samples + 2) + HOLD)
    assert not found and spot.outcome == Outcome.TOO_LONG
    # a tumble (pointing turned 360 deg) has no plane to draw on
    found, spot = _strokes(HOLD + _turn(3600, 50) + HOLD)
    assert not found and spot.outcome == Outcome.DEGENERATE


def _twist(gx_ddps: int, gz_ddps: int, n: int) -> list[tuple[int, ...]]:
    return [(0, 0, 1000, gx_ddps, 0, gz_ddps)] * n


def test_a_twist_about_the_long_axis_is_not_a_drawing():
    """A stroke turning more about board x (the wand's long axis) than STROKE_MAX_ROLL_SHARE
    of its summed |gyro| is dropped as TWISTED, whatever its tip drew; at the share exactly it is drawn."""
    assert STROKE_MAX_ROLL_SHARE == 102
    # 510 / (510 + 770) = 102 / 256 exactly: still a drawing (the tip turns 38 degrees across)
    found, spot = _strokes(HOLD + _twist(510, 770, 25) + HOLD)
    assert len(found) == 1 and spot.outcome == Outcome.CLASSIFIED
    found, spot = _strokes(HOLD + _twist(511, 769, 25) + HOLD)  # one 0.1 deg/s more roll: a twist
    assert not found and spot.outcome == Outcome.TWISTED
    found, spot = _strokes(HOLD + _twist(-2000, 600, 25) + HOLD)  # a forearm turning a key, the tip swinging too
    assert not found and spot.outcome == Outcome.TWISTED
    # the twist before a re-arming hold does not count against the drawing after it
    found, spot = _strokes(HOLD + _twist(2000, 0, 10) + HOLD + _turn(600, 25) + HOLD)
    assert len(found) == 1 and spot.outcome == Outcome.CLASSIFIED
    # the study's other shares, through the same twin: 256 turns the rule off
    found, _ = _strokes(HOLD + _twist(-2000, 600, 25) + HOLD, max_roll_share=256)
    assert len(found) == 1


def test_a_left_turn_draws_to_the_left():
    """Board convention (tests/test_loaders.py): +gz is a turn to the left."""
    found, _ = _strokes(HOLD + _turn(600, 25) + HOLD)
    pts = np.array(found[0][0].points)
    assert pts[-1, 0] < pts[0, 0] - 20000 and abs(pts[-1, 1] - pts[0, 1]) < 200
    o = Orientation(RATE)
    for _ in range(50):
        o.step((0, 0, 900))  # 90 deg/s for 1 s
    x, y, z = o.pointing()
    assert abs(x) < ONE // 1000 and y > ONE - ONE // 1000 and z == 0  # pointing left (+y right-handed)


def test_decide_ranks_only_the_active_set():
    probs = [0] * 44
    probs[0], probs[10 + 14], probs[5] = 118, 102, 20  # digit_0, letter_o, digit_5
    every = decide(probs, CFG)
    assert every.char_id == STROKE_UNKNOWN  # 0 or O? 118/240 of the mass is under the threshold 128
    assert every.confidence == 125 and every.ranked == ((0, 125), (24, 108), (5, 21))
    digits = replace(CFG, active_mask=mask_of([f"digit_{d}" for d in range(10)]))
    d = decide(probs, digits)  # a TV profile listens for digits: 0 it is
    assert d.char_id == 0 and d.ranked == ((0, 218), (5, 37), (1, 0))
    # the mass counts every character, active or not: 240 here, O's 102 included
    assert decide(probs, replace(digits, min_character_mass=240)).char_id == 0
    assert d.model_first and not decide(probs, replace(digits, min_character_mass=241)).model_first
    o_first = list(probs)
    o_first[24] = 130  # O now more probable than 0: 0 is still read, but not the model's first
    assert decide(o_first, digits).char_id == 0 and not decide(o_first, digits).model_first
    assert decide(probs, replace(digits, min_character_mass=241)).char_id == STROKE_UNKNOWN
    # ... but never the model's last class, everyday motion: the same stroke with 40 on "other"
    other = [p * 200 // 240 for p in probs] + [40]  # 98, 85, 16 on digit_0, letter_o, digit_5
    assert decide(other, digits).char_id == STROKE_UNKNOWN  # 199 on characters, under the default 224
    assert decide(other, replace(digits, min_character_mass=199)).ranked[0] == (0, 219)
    assert decide(other, replace(digits, min_character_mass=199)).char_id == 0
    letters_only = replace(CFG, active_mask=mask_of(["letter_x"]))
    assert decide(probs, letters_only).char_id == STROKE_UNKNOWN  # no mass on the one active letter
    # a K drawn in a digits profile: the digits must hold STROKE_MIN_ACTIVE_MASS (8) between them
    k = [0] * 44
    k[20], k[4], k[1] = 240, 6, 2  # letter_k, digit_4, digit_1
    assert STROKE_MIN_ACTIVE_MASS == 8
    assert decide(k, digits).char_id == 4 and decide(k, digits).confidence == 191  # 8: read (6 of 8)
    k[1] = 1
    assert decide(k, digits).char_id == STROKE_UNKNOWN and decide(k, digits).ranked[0] == (4, 219)
    ties = [7] * 44
    assert decide(ties, replace(CFG, min_character_mass=0, threshold=0)).ranked == ((0, 6), (1, 6), (2, 6))
    assert decide([0] * 44, CFG).char_id == STROKE_UNKNOWN and decide([0] * 44, CFG).confidence == 0
    assert decide(probs, replace(CFG, active_mask=0)) == decide([0] * 44, replace(CFG, active_mask=0))


def _core(stroke_cfg=CFG, config=ConfigPacket()):
    clf = HashClassifier()
    core = WandCore(CoreSpec(119, RATE, 50, 10), lambda w: ([255] + [0] * 3, ()), config=config,
                    stroke_classifier=clf, stroke_config=stroke_cfg)
    return core, clf


def test_core_sends_stroke_packets_in_the_gesture_sequence(vocab):
    core, clf = _core()
    packets = []
    for rec in _tries(vocab, "diagonal_up_left")[:5]:
        for s in with_holds(rec):
            packets += core.push(s)
    strokes = [StrokePacket.decode(p) for p in packets if p[0] == 0x05]
    assert len(strokes) == 5 == clf.calls
    gestures = [GesturePacket.decode(p) for p in packets if p[0] == 0x01]  # the IMU spotter's unknowns
    assert gestures and sorted(p.seq for p in strokes + gestures) == list(range(len(packets)))  # one counter
    assert all(20 <= p.samples <= 60 and p.strength > 0 for p in strokes)
    assert core.resend_queued() == packets[-8:]  # both kinds held for a reconnect


def test_unknown_strokes_are_sent_only_when_asked(vocab):
    never = replace(CFG, threshold=255, min_character_mass=255)
    rec = _tries(vocab, "diagonal_up_left")[0]
    quiet, _ = _core(never, replace(ConfigPacket(), flags=CONFIG_FLAG_LED))
    assert not [p for s in with_holds(rec) for p in quiet.push(s)]
    told, _ = _core(never)
    pkts = [StrokePacket.decode(p) for s in with_holds(rec) for p in told.push(s)]
    assert len(pkts) == 1 and pkts[0].char_id == STROKE_UNKNOWN and pkts[0].second_id != STROKE_UNKNOWN


def test_strokes_off_resets_and_feeds_nothing(vocab):
    core, clf = _core(replace(CFG, flags=0))
    for s in with_holds(_tries(vocab, "diagonal_up_left")[0]):
        assert not core.push(s)
    assert clf.calls == 0 and core.strokes.state == StrokeState.IDLE


@pytest.mark.parametrize("bad", [dict(rest_dps=40, start_dps=40), dict(min_samples=50, max_samples=40)])
def test_config_rules_hold(bad):
    from wand.errors import PacketError
    with pytest.raises(PacketError):
        replace(CFG, **bad).encode()


# --- arbitration (issue 19): a drawn character must not also fire a built-in gesture -------

QUIET = replace(ConfigPacket(), flags=CONFIG_FLAG_LED)  # read events only: no unknowns sent
READ = (255,) + (0,) * 43  # a stroke model sure of digit_0
UNSURE = (200,) + (0,) * 43  # ... with too little mass for min_character_mass=255


def _arb_core(stroke_cfg=CFG, config=QUIET, probs=READ, **spotting):
    from stroke_tries import confident_gesture, fixed_stroke
    return WandCore(CoreSpec(RATE, RATE, 25, 5), confident_gesture, config=replace(config, **spotting),
                    stroke_classifier=fixed_stroke(probs), stroke_config=stroke_cfg)


def _sent(core, samples) -> list[tuple[int, bytes]]:
    """(index of the sample that sent it, packet) for each packet."""
    return [(i, p) for i, s in enumerate(samples) for p in core.push(s)]


def test_a_drawn_character_drops_the_gesture_it_set_off():
    from stroke_tries import DRAWN
    off = _sent(_arb_core(replace(CFG, flags=0)), DRAWN)
    assert [(i, p[0]) for i, p in off] == [(59, 0x01)]  # strokes off: the spotter's gesture, mid-drawing
    core = _arb_core()
    on = _sent(core, DRAWN)
    assert [i for i, _ in on] == [74] and len(on) == 1  # only the character, at the stroke's end
    stroke = StrokePacket.decode(on[0][1])
    assert stroke.char_id == 0 and stroke.seq == 0  # the dropped gesture took no sequence number
    assert core.dropped_gestures == 1 and core.held_gestures == 0
    assert core.resend_queued() == [on[0][1]]


@pytest.mark.parametrize("cfg, probs, outcome", [
    (replace(CFG, min_character_mass=255), UNSURE, Outcome.CLASSIFIED),  # read as unknown
    (replace(CFG, min_extent_deg=180), READ, Outcome.TOO_SMALL),
    (replace(CFG, max_samples=30), READ, Outcome.TOO_LONG),  # aborted while drawing
])
def test_a_rejected_stroke_releases_the_gesture_unchanged(cfg, probs, outcome):
    from stroke_tries import DRAWN
    (_, gesture), = _sent(_arb_core(replace(CFG, flags=0)), DRAWN)
    core = _arb_core(cfg, probs=probs)
    (i, held), = _sent(core, DRAWN)
    assert held == gesture and i > 59  # the same bytes (seq, timestamp), only later
    assert core.strokes.outcome == outcome and core.dropped_gestures == 0
    # Unknowns sent: the gesture goes first (it is older), the unknown character after it.
    told = _sent(_arb_core(cfg, config=ConfigPacket(), probs=probs), DRAWN)
    if outcome == Outcome.CLASSIFIED:
        assert [p for _, p in told][0] == gesture
        assert StrokePacket.decode(told[1][1]).char_id == STROKE_UNKNOWN and StrokePacket.decode(told[1][1]).seq == 1


def test_many_gestures_in_one_drawing_hold_four_and_send_the_oldest():
    from stroke_tries import WIGGLE
    # the wiggle's 30 deg/s pauses re-arm the gesture spotter (a loose rest, set here), not
    # the stroke spotter (15 deg/s): five gestures inside one drawing
    spotting = dict(quiet_samples=2, gyro_quiet_ddps=600, agree=1, cooldown_ms=0)
    off = [p for _, p in _sent(_arb_core(replace(CFG, flags=0), **spotting), WIGGLE)]
    assert len(off) == 5 and [GesturePacket.decode(p).seq for p in off] == list(range(5))
    core = _arb_core(**spotting)
    read = _sent(core, WIGGLE)
    assert read[0][1] == off[0] and core.dropped_gestures == 4  # the fifth pushed the first out
    assert StrokePacket.decode(read[1][1]).seq == 1 and len(read) == 2
    unsure = _arb_core(replace(CFG, min_character_mass=255), probs=UNSURE, **spotting)
    assert [p for _, p in _sent(unsure, WIGGLE)] == off


def test_a_character_under_over_gesture_yields_to_the_held_gesture():
    """READ is digit_0 at score 255; (250, 5, ...) scores 250 among all 44: under
    over_gesture=252 the held gesture goes out unchanged and the character does not; nor
    does a character the model does not rank first among all 44, however it scores."""
    from stroke_tries import DRAWN, SHORT
    (_, gesture), = _sent(_arb_core(replace(CFG, flags=0)), DRAWN)
    core = _arb_core(replace(CFG, over_gesture=252), probs=(250, 5) + (0,) * 42)
    assert [(i, p) for i, p in _sent(core, DRAWN)] == [(74, gesture)]
    assert core.yielded_characters == 1 and core.dropped_gestures == 0
    sure = _arb_core(replace(CFG, over_gesture=252))  # score 255 reaches it: the character wins
    assert [p[0] for _, p in _sent(sure, DRAWN)] == [0x05] and sure.yielded_characters == 0
    # Read at 255 among the active digits, but the model ranks letter_o first: a circle
    # performed from a hold that the profile can only read as 0. The gesture goes out.
    digits = replace(CFG, active_mask=mask_of([f"digit_{d}" for d in range(10)]))
    o_like = _arb_core(digits, probs=(40,) + (0,) * 23 + (200,) + (0,) * 19)
    assert [(i, p) for i, p in _sent(o_like, DRAWN)] == [(74, gesture)] and o_like.yielded_characters == 1
    always = _arb_core(replace(digits, over_gesture=0), probs=(40,) + (0,) * 23 + (200,) + (0,) * 19)
    assert [p[0] for _, p in _sent(always, DRAWN)] == [0x05]  # over_gesture 0: a read character always wins
    zero = _arb_core(digits, probs=(200,) + (0,) * 23 + (40,) + (0,) * 19)  # 0 first: it wins
    assert [p[0] for _, p in _sent(zero, DRAWN)] == [0x05] and zero.dropped_gestures == 1
    # A short character is out before the gesture is decided: it stays the one event.
    short = _arb_core(replace(CFG, over_gesture=252), probs=(250, 5) + (0,) * 42)
    assert [(i, p[0]) for i, p in _sent(short, SHORT)] == [(49, 0x05)] and short.dropped_gestures == 1


def test_without_characters_first_both_are_sent_as_before():
    """flags = enabled only: the gesture goes out mid-drawing and the character after it."""
    from stroke_tries import DRAWN, SHORT
    both = replace(CFG, flags=STROKE_FLAG_ENABLED)
    core = _arb_core(both)
    sent = _sent(core, DRAWN)
    assert [(i, p[0]) for i, p in sent] == [(59, 0x01), (74, 0x05)]
    assert StrokePacket.decode(sent[1][1]).seq == 1 and core.dropped_gestures == 0
    assert [(i, p[0]) for i, p in _sent(_arb_core(both), SHORT)] == [(49, 0x05), (59, 0x01)]


def test_a_short_character_drops_the_gesture_its_capture_decides_after_it():
    """The stroke ends (read) before the gesture model decides: that capture's gesture is dropped
    when it comes; an unread stroke lets it through; the next capture starts afresh."""
    from stroke_tries import SHORT
    core = _arb_core()
    sent = _sent(core, SHORT)
    assert [(i, p[0]) for i, p in sent] == [(49, 0x05)] and core.dropped_gestures == 1
    assert not core.dropping_capture  # the capture ended: nothing left to drop
    again = _sent(core, SHORT)  # the same drawing once more, from the end hold
    assert [p[0] for _, p in again] == [0x05] and core.dropped_gestures == 2
    unsure = _arb_core(replace(CFG, min_character_mass=255), probs=UNSURE)
    assert [(i, p[0]) for i, p in _sent(unsure, SHORT)] == [(59, 0x01)] and unsure.dropped_gestures == 0


def test_strokes_off_sends_the_old_bytes_on_real_tries(vocab, bundle, tti_recordings):
    """Real tries with holds, the shipped gesture model: strokes off (flags 0) sends exactly
    what a wand without a stroke model sends; a stroke model that never reads a character
    sends those bytes too, some of them later (held through a drawing, then released)."""
    from wand.wand_core.classifier import TflmClassifier

    clf = TflmClassifier(bundle)
    spec = CoreSpec(119, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
    samples = [s for rec in tti_recordings for s in with_holds(rec)]

    def run(**kw):
        return _sent(WandCore(spec, clf, config=QUIET, **kw), samples)

    plain = run()
    off = run(stroke_classifier=HashClassifier(), stroke_config=replace(CFG, flags=0))
    never = run(stroke_classifier=HashClassifier(), stroke_config=replace(CFG, threshold=255, min_character_mass=255))
    assert len(plain) >= 60 and off == plain  # 66 of 90 tries name a gesture
    assert [p for _, p in never] == [p for _, p in plain]
    assert sum(a[0] > b[0] for a, b in zip(never, plain)) >= 30  # held through a drawing
