"""The firmware's C++ core (built for the host) and the Python simulator make the same
decisions on real recordings, window for window and packet for packet."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corepipe import CppCore
from wand.protocol import CONFIG_FLAG_STREAM_IMU, GesturePacket, ConfigPacket
from wand.simwand.classifier import TflmClassifier
from wand.simwand.core import CoreSpec, WandCore


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
    py_packets, cpp_packets = [], []
    for rec in tti_recordings:
        py.idle(50)
        py.reset()
        cpp.command("W 50")
        cpp.command("R")
        for s in rec.samples:
            py_packets += py.push(tuple(int(v) for v in s))
            cpp_packets += cpp.push(s)
    cpp.close()
    assert len(py_windows) >= 2 * len(tti_recordings)  # the spotter really ran on each try
    assert cpp.windows == py_windows
    assert cpp_packets == py_packets
    gestures = [GesturePacket.decode(p) for p in py_packets]
    assert len(gestures) == len(tti_recordings)  # one decision per try
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
    kinds = {p[0] for p in py_packets}
    assert kinds == {0x01, 0x02}  # gesture and IMU packets both compared


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
