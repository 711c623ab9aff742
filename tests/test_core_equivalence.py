"""The firmware's C++ core (built for the host) and the Python simulator make the same
decisions on real recordings, window for window and packet for packet."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corepipe import CppCore
from wand.protocol import CONFIG_FLAG_STREAM_IMU, PACKET_TYPE_OFFSET, PKT_GESTURE, PKT_IMU, ConfigPacket, GesturePacket
from wand.wand_core.classifier import TflmClassifier
from wand.wand_core.core import CoreSpec, WandCore
from wand.wand_core.spotter import State


def _pair(core_harness, bundle, rate):
    clf = TflmClassifier(bundle)
    spec = CoreSpec(rate, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
    py_windows = []
    py = WandCore(spec, clf, on_inference=lambda r: py_windows.append(r.window))
    cpp = CppCore(core_harness, spec, len(bundle.classes), bundle.embedding_dims, clf)
    cpp.command("C " + py.config.encode().hex())
    return py, py_windows, cpp


def test_takes_replayed_like_the_simulator_match(core_harness, bundle, tti_recordings):
    """Every try of every session, each from a fresh start after an idle pause."""
    py, py_windows, cpp = _pair(core_harness, bundle, 119)
    py_packets, cpp_packets, undecided = [], [], 0
    for rec in tti_recordings:
        py.idle(50)
        py.reset()
        cpp.command("W 50")
        cpp.command("R")
        got = []
        for s in rec.samples:
            got += py.push(tuple(int(v) for v in s))
            cpp_packets += cpp.push(s)
        # One decision per try; none only where the try's samples ran out while the spotter
        # was still deciding (a late onset: the live wand decides on the samples that follow).
        assert len(got) == 1 or (not got and py.state == State.CAPTURE), (rec.source, len(got), py.state)
        undecided += not got
        py_packets += got
    cpp.close()
    assert len(py_windows) >= 2 * len(tti_recordings)  # the spotter really ran on each try
    assert cpp.windows == py_windows
    assert cpp_packets == py_packets
    gestures = [GesturePacket.decode(p) for p in py_packets]
    assert undecided <= len(tti_recordings) // 30 and len(gestures) == len(tti_recordings) - undecided
    assert {g.gesture_id for g in gestures} > {0xFF}  # known gestures were spotted, not only unknowns


def test_continuous_stream_with_reconfiguration_and_imu_stream_match(core_harness, bundle, tti_recordings):
    """Tries back to back without resets, spotting retuned half-way, raw stream on, then a resend."""
    py, py_windows, cpp = _pair(core_harness, bundle, 119)
    retuned = replace(ConfigPacket(), threshold=120, agree=1, cooldown_ms=900, quiet_samples=3,
                      flags=ConfigPacket().flags | CONFIG_FLAG_STREAM_IMU)
    py.imu_batch = 3
    cpp.command("B 3")
    py_packets, cpp_packets = [], []
    half = len(tti_recordings) // 2
    for i, rec in enumerate(tti_recordings):
        if i == half:
            py.configure(retuned)
            cpp.command("C " + retuned.encode().hex())
        for s in rec.samples:
            py_packets += py.push(tuple(int(v) for v in s))
            cpp_packets += cpp.push(s)
    cpp_packets += cpp.command("Q")
    py_packets += py.resend_queued()
    cpp.close()
    assert cpp.windows == py_windows
    assert cpp_packets == py_packets
    kinds = {p[PACKET_TYPE_OFFSET] for p in py_packets}
    assert kinds == {PKT_GESTURE, PKT_IMU}  # gesture and IMU packets both compared


@pytest.mark.parametrize("rate", [100, 50])
def test_other_imu_rates_match(core_harness, bundle, tti_recordings, rate):
    """The resampler on a Rev2-like 100 Hz stream and an already-50 Hz stream (recordings
    re-labelled with another rate: the arithmetic is what is compared)."""
    py, py_windows, cpp = _pair(core_harness, bundle, rate)
    py_packets, cpp_packets = [], []
    for rec in tti_recordings[:30]:
        for s in rec.samples:
            py_packets += py.push(tuple(int(v) for v in s))
            cpp_packets += cpp.push(s)
    cpp.close()
    assert py_windows and cpp.windows == py_windows
    assert cpp_packets == py_packets


def test_rejected_config_is_reported_by_the_firmware_decoder(core_harness, bundle):
    _, _, cpp = _pair(core_harness, bundle, 119)
    bad = bytearray(ConfigPacket().encode())
    bad[3] = 9  # agree beyond max_inferences
    with pytest.raises(RuntimeError, match="config rejected"):
        cpp.command("C " + bad.hex())
    cpp.close()


def test_imu_stream_toggled_mid_batch_matches_and_sends_no_stale_samples(core_harness, bundle, tti_recordings):
    """Issue 10: stream on with batches of 5, off part-way through a batch, on again: both
    sides drop the part batch, so every IMU packet's first sequence number is fresh."""
    from wand.protocol import ImuPacket

    py, _, cpp = _pair(core_harness, bundle, 119)
    on = replace(ConfigPacket(), flags=ConfigPacket().flags | CONFIG_FLAG_STREAM_IMU)
    py.imu_batch = 5
    cpp.command("B 5")
    py_packets, cpp_packets = [], []
    samples = [s for rec in tti_recordings[:3] for s in rec.samples]
    for i, s in enumerate(samples):
        if i % 37 in (0, 20):  # toggle every 20 / 17 samples: never on a batch boundary of 5 at 50 Hz
            cfg = on if i % 37 == 0 else ConfigPacket()
            py.configure(cfg)
            cpp.command("C " + cfg.encode().hex())
        py_packets += py.push(tuple(int(v) for v in s))
        cpp_packets += cpp.push(s)
    cpp.close()
    assert cpp_packets == py_packets
    imu = [ImuPacket.decode(p) for p in py_packets if p[PACKET_TYPE_OFFSET] == PKT_IMU]
    assert len(imu) > 5
    # Reference: the same samples with the stream always on, one sample per packet.
    ref_core, _, ref_cpp = _pair(core_harness, bundle, 119)
    ref_cpp.close()
    ref_core.configure(on)
    truth = {}
    for s in samples:
        for p in ref_core.push(tuple(int(v) for v in s)):
            if p[PACKET_TYPE_OFFSET] == PKT_IMU:
                pkt = ImuPacket.decode(p)
                truth[pkt.first_seq] = pkt.samples[0]
    for pkt in imu:  # every sample is the one its sequence number names: nothing stale
        assert pkt.samples == tuple(truth[pkt.first_seq + k] for k in range(len(pkt.samples)))


# --- the stroke spotter (issue 19) ---------------------------------------------------------

def _stroke_pair(core_harness, bundle, rate, stroke_cfg=None, stroke_clf=None):
    from stroke_tries import HashClassifier
    from wand.protocol import StrokeConfigPacket

    clf, stroke_clf = TflmClassifier(bundle), stroke_clf or HashClassifier()
    spec = CoreSpec(rate, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
    py_inputs = []
    py = WandCore(spec, clf, stroke_classifier=stroke_clf, stroke_config=stroke_cfg or StrokeConfigPacket(),
                  on_stroke=lambda s: py_inputs.append(bytes(v & 0xFF for v in s.features)))
    cpp = CppCore(core_harness, spec, len(bundle.classes), bundle.embedding_dims, clf, stroke_clf, 44)
    cpp.command("C " + py.config.encode().hex())
    cpp.command("C " + py.stroke_config.encode().hex())
    return py, py_inputs, cpp


def _py_status(py) -> tuple[int, ...]:
    return (int(py.strokes.state), int(py.strokes.outcome), py.held_gestures, py.dropped_gestures,
            int(py.dropping_capture), py.yielded_characters)


def _run_both(py, cpp, samples, states: bool = False):
    py_packets, cpp_packets, mismatched = [], [], 0
    for s in samples:
        py_packets += py.push(tuple(int(v) for v in s))
        cpp_packets += cpp.push(s)
        if states and cpp.stroke_status() != _py_status(py):
            mismatched += 1
    return py_packets, cpp_packets, mismatched


def test_stroke_packets_from_real_tries_match_byte_for_byte(core_harness, bundle, tti_recordings):
    """Every tti try, with holds around it (tests/stroke_tries.py), through both cores:
    the same stroke inputs, the same stroke and gesture packets, the same state each sample
    (stroke spotter and arbitration: gestures held and dropped)."""
    from stroke_tries import with_holds
    from wand.protocol import PKT_STROKE, STROKE_UNKNOWN, StrokePacket

    py, py_inputs, cpp = _stroke_pair(core_harness, bundle, 119)
    py_packets, cpp_packets, mismatched = [], [], 0
    for i, rec in enumerate(tti_recordings):
        got_py, got_cpp, bad = _run_both(py, cpp, with_holds(rec), states=i % 10 == 0)
        py_packets += got_py
        cpp_packets += got_cpp
        mismatched += bad
    final = cpp.stroke_status()
    cpp.close()
    assert mismatched == 0 and final == _py_status(py)
    assert py.dropped_gestures >= 5  # gestures set off by drawn characters were dropped on both
    assert cpp.stroke_inputs == py_inputs and len(py_inputs) >= 70  # most tries make a stroke
    assert cpp_packets == py_packets
    strokes = [StrokePacket.decode(p) for p in py_packets if p[0] == PKT_STROKE]
    assert len(strokes) + py.yielded_characters == len(py_inputs)  # the rest yielded to a held gesture
    assert py.yielded_characters > 0 and py.dropped_gestures > 0  # the character won some, the gesture others
    assert {s.char_id == STROKE_UNKNOWN for s in strokes} == {True, False}  # read and unknown both compared


def test_stroke_stream_with_reconfiguration_matches(core_harness, bundle, tti_recordings):
    """Tries back to back (the end's hold arms the next), the stroke config rewritten
    half-way (active set, levels, unknowns off), strokes off and on again, nano-rate 100 Hz."""
    from stroke_tries import with_holds
    from wand.characters import mask_of
    from wand.protocol import CONFIG_FLAG_LED, StrokeConfigPacket

    py, py_inputs, cpp = _stroke_pair(core_harness, bundle, 100)
    digits = replace(StrokeConfigPacket(), active_mask=mask_of([f"digit_{d}" for d in range(10)]), threshold=90,
                     rest_dps=15, start_dps=30, rest_samples=10, end_samples=8, min_extent_deg=5)
    steps = {20: digits, 40: replace(digits, flags=0), 45: replace(digits, min_character_mass=0)}
    py_packets, cpp_packets = [], []
    for i, rec in enumerate(tti_recordings[:60]):
        if i in steps:
            py.configure_strokes(steps[i])
            cpp.command("C " + steps[i].encode().hex())
        if i == 50:
            quiet = replace(ConfigPacket(), flags=CONFIG_FLAG_LED)  # no unknowns: gesture or stroke
            py.configure(quiet)
            cpp.command("C " + quiet.encode().hex())
        got_py, got_cpp, _ = _run_both(py, cpp, with_holds(rec, lead=30, tail=30))
        py_packets += got_py
        cpp_packets += got_cpp
    cpp_packets += cpp.command("Q")
    py_packets += py.resend_queued()
    cpp.close()
    assert cpp.stroke_inputs == py_inputs and len(py_inputs) >= 30
    assert cpp_packets == py_packets


def test_rejected_stroke_config_is_reported_by_the_firmware_decoder(core_harness, bundle):
    from wand.protocol import StrokeConfigPacket

    _, _, cpp = _stroke_pair(core_harness, bundle, 119)
    bad = bytearray(StrokeConfigPacket().encode())
    bad[P_START] = bad[P_START - 1]  # start level == rest level
    with pytest.raises(RuntimeError, match="config rejected"):
        cpp.command("C " + bad.hex())
    cpp.close()


P_START = 13  # StrokeConfig start_dps offset (checked against the layout below)


def test_stroke_config_offset_used_above():
    from wand.protocol import STROKE_CONFIG_LAYOUT
    assert STROKE_CONFIG_LAYOUT.offset("start_dps") == P_START


def test_nano33_spells_strokes_match(core_harness, bundle):
    """One person's 125 spells on the wand's own board (longer, loopier strokes than tti)."""
    from stroke_tries import with_holds
    from wand.datasets import find_dataset, load_dataset

    spells = load_dataset(find_dataset("nano33-spells"), "nano33-spells")
    py, py_inputs, cpp = _stroke_pair(core_harness, bundle, 119)
    py_packets, cpp_packets, _ = _run_both(py, cpp, [s for rec in spells for s in with_holds(rec)])
    cpp.close()
    assert len(py_inputs) >= len(spells) // 2 and cpp.stroke_inputs == py_inputs
    assert cpp_packets == py_packets


def test_the_real_stroke_model_on_real_tries_matches(core_harness, bundle, tti_recordings):
    """The shipped stroke model (TFLM, as on the chip) on every tti try and nano33 spell:
    the same characters, scores and runner-ups from chip and twin."""
    from stroke_tries import with_holds
    from wand.datasets import find_dataset, load_dataset
    from wand.protocol import PKT_STROKE, StrokePacket
    from wand.stroke_model import StrokeInterpreter, load_stroke_model

    model = StrokeInterpreter(load_stroke_model())
    py, py_inputs, cpp = _stroke_pair(core_harness, bundle, 119, stroke_clf=model)
    spells = load_dataset(find_dataset("nano33-spells"), "nano33-spells")
    samples = [s for rec in list(tti_recordings) + spells for s in with_holds(rec)]
    py_packets, cpp_packets, _ = _run_both(py, cpp, samples)
    cpp.close()
    assert cpp.stroke_inputs == py_inputs and len(py_inputs) >= 100
    assert cpp_packets == py_packets
    chars = {StrokePacket.decode(p).char_id for p in py_packets if p[0] == PKT_STROKE}
    assert len(chars) >= 3  # the model read several characters into these strokes


@pytest.mark.parametrize("stream", ["DRAWN", "WIGGLE", "SHORT"])
@pytest.mark.parametrize("stroke_cfg, probs", [
    (dict(), (255,) + (0,) * 43),  # read: the held gestures are dropped
    (dict(min_character_mass=255), (200,) + (0,) * 43),  # unknown: released
    (dict(min_extent_deg=180), (255,) + (0,) * 43),  # too small: released
    (dict(max_samples=30), (255,) + (0,) * 43),  # aborted mid-drawing: released
    (dict(flags=0), (255,) + (0,) * 43),  # strokes off: nothing held
    (dict(flags=1), (255,) + (0,) * 43),  # strokes on, not characters first: both sent
    (dict(over_gesture=252), (250, 5) + (0,) * 42),  # read at 250, under over_gesture: yields to the gesture
    (dict(over_gesture=248), (250, 5) + (0,) * 42),  # read over over_gesture: the character wins
])
def test_arbitration_matches_sample_for_sample(core_harness, stream, stroke_cfg, probs):
    """Drawings fast enough to set off the IMU spotter (tests/stroke_tries.py), one of them
    with five gestures in one drawing (the held queue's overflow), one ending before the
    gesture model decides: the same packets, and the same held and dropped counts after
    every sample, then a strokes-off toggle mid-drawing."""
    import stroke_tries
    from wand.protocol import StrokeConfigPacket

    spec = CoreSpec(50, 50, 25, 5)
    cfg = replace(StrokeConfigPacket(), **stroke_cfg)
    spotting = replace(ConfigPacket(), quiet_samples=2, agree=1, cooldown_ms=0)
    py = WandCore(spec, stroke_tries.confident_gesture, config=spotting, stroke_classifier=stroke_tries.fixed_stroke(probs),
                  stroke_config=cfg)
    cpp = CppCore(core_harness, spec, 4, 0, stroke_tries.confident_gesture, stroke_tries.fixed_stroke(probs), 44)
    for c in (spotting, cfg):
        cpp.command("C " + c.encode().hex())
    samples = getattr(stroke_tries, stream)
    py_packets, cpp_packets, mismatched = _run_both(py, cpp, samples * 2, states=True)
    off = replace(cfg, flags=0)  # turned off while gestures are held: they go out at the next sample
    got_py, got_cpp, bad = _run_both(py, cpp, samples[:60], states=True)
    py.configure_strokes(off)
    cpp.command("C " + off.encode().hex())
    got_py2, got_cpp2, bad2 = _run_both(py, cpp, samples[60:], states=True)
    cpp_packets += got_cpp + got_cpp2 + cpp.command("Q")
    py_packets += got_py + got_py2 + py.resend_queued()
    cpp.close()
    assert mismatched + bad + bad2 == 0 and cpp_packets == py_packets and py_packets


def test_a_board_with_a_gyro_offset_matches(core_harness, bundle, tti_recordings):
    """Every tti try between holds, back to back, with a SYNTHETIC constant offset on every
    gyro reading (30 deg/s summed: over the rest threshold): both cores learn the same
    offset sample for sample (it is kept across a reset) and send the same packets."""
    from stroke_tries import with_holds

    py, py_inputs, cpp = _stroke_pair(core_harness, bundle, 119)
    offset = (120, -80, 100)
    samples = [s[:3] + tuple(s[3 + i] + offset[i] for i in range(3))
               for rec in tti_recordings for s in with_holds(rec)]
    half = len(samples) // 2
    py_packets, cpp_packets, _ = _run_both(py, cpp, samples[:half])
    py.reset()
    cpp.command("R")
    got_py, got_cpp, mismatched = _run_both(py, cpp, samples[half:], states=True)
    cpp.close()
    assert mismatched == 0
    assert cpp_packets + got_cpp == py_packets + got_py and cpp.stroke_inputs == py_inputs
    assert sum(abs(py.gyro_bias.bias[i] - offset[i]) for i in range(3)) < 60, py.gyro_bias.bias  # learned it
    assert len(py_inputs) >= 70, len(py_inputs)  # most tries make a stroke, as with no offset
