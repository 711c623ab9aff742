"""Events: de-duplication, loss and reboot accounting, stale re-sends, naming (few-shot: test_fewshot.py)."""

from __future__ import annotations


import numpy as np
import pytest

from wand.events import EventStream
from wand.protocol import GESTURE_UNKNOWN, GesturePacket, StatusPacket


def pkt(seq, gid=1, t=1000, emb=(0,) * 8, conf=230) -> bytes:
    return GesturePacket(seq, gid, conf, 128, t, emb).encode()


def test_duplicates_dropped_gaps_counted_corrupt_skipped(bundle):
    s = EventStream("w", bundle, max_age_ms=None)
    got = [s.feed(pkt(n)) for n in (0, 1, 1, 0, 4, 5)]
    assert [e.seq if e else None for e in got] == [0, 1, None, None, 4, 5]
    assert (s.stats.duplicates, s.stats.lost) == (2, 2)
    assert s.feed(b"\x01\x02") is None and s.stats.corrupt == 1
    assert s.feed(pkt(6)).seq == 6  # and the stream goes on


def test_sequence_wraps_around(bundle):
    s = EventStream("w", bundle, max_age_ms=None)
    assert [s.feed(pkt(n)).seq for n in (65534, 65535, 0, 1)] == [65534, 65535, 0, 1]
    assert s.stats.lost == 0


def test_reboot_resets_the_sequence(bundle):
    s = EventStream("w", bundle, max_age_ms=None)
    s.feed(pkt(40, t=90_000))
    s.on_connect(StatusPacket(uptime_ms=2_000))  # clock went backwards: the wand restarted
    assert s.feed(pkt(0, t=1_500)) is not None
    assert s.stats.reboots == 1 and s.stats.duplicates == 0


def test_resent_events_older_than_max_age_are_marked_stale(bundle):
    s = EventStream("w", bundle, max_age_ms=3000)
    s.on_connect(StatusPacket(uptime_ms=100_000))
    assert s.feed(pkt(1, t=90_000)).stale
    assert not s.feed(pkt(2, t=99_500)).stale


def test_names_from_the_model_and_unknown(bundle):
    s = EventStream("w", bundle, max_age_ms=None)
    e = s.feed(pkt(0, gid=bundle.classes.index("circle_cw")))
    assert (e.gesture, e.source) == ("circle_cw", "model") and e.confidence == pytest.approx(230 / 256)
    u = s.feed(pkt(1, gid=GESTURE_UNKNOWN))
    assert (u.gesture, u.source) == ("unknown", "unknown")


def test_reordered_event_is_delivered_late_not_lost(bundle):
    s = EventStream("w", bundle, max_age_ms=None)
    got = [s.feed(pkt(n, t=1000 + 20 * n)) for n in (0, 1, 3, 2, 4)]
    assert [e.seq for e in got] == [0, 1, 3, 2, 4]
    assert (s.stats.lost, s.stats.late, s.stats.duplicates) == (0, 1, 0)
    assert s.feed(pkt(2, t=1040)) is None and s.stats.duplicates == 1  # and its re-send is still a re-send


def test_one_far_ahead_packet_does_not_swallow_the_events_after_it(bundle):
    s = EventStream("w", bundle, max_age_ms=None)
    for n in range(10):
        assert s.feed(pkt(n, t=20 * n)) is not None
    assert s.feed(pkt(40000, t=7)) is not None  # one bad number: delivered, but not the new front
    genuine = [s.feed(pkt(n & 0xFFFF, t=20 * n)) for n in range(10, 10 + 16384)]
    assert all(e is not None for e in genuine)
    assert (s.stats.duplicates, s.stats.lost, s.stats.delivered) == (0, 0, 10 + 1 + 16384)


def test_a_real_jump_is_followed_once_two_packets_agree(bundle):
    s = EventStream("w", bundle, max_age_ms=None)
    s.feed(pkt(0, t=0))
    assert s.feed(pkt(5000, t=90_000)) is not None and s.stats.lost == 0
    assert s.feed(pkt(5001, t=90_500)) is not None
    assert s.stats.lost == 4999 and s.feed(pkt(5002, t=91_000)) is not None and s.stats.lost == 4999


def test_reboot_after_uptime_passed_the_last_event_loses_nothing(bundle):
    """The wand restarted and ran longer than our last event's time: the status read cannot
    tell, but the sequence restarting with new timestamps does (was 20 of 20 dropped)."""
    s = EventStream("w", bundle, max_age_ms=None)
    for n in range(20):
        s.feed(pkt(n, t=1000 + 100 * n))
    s.on_connect(StatusPacket(uptime_ms=500_000))
    after = [s.feed(pkt(n, t=400_000 + 100 * n)) for n in range(20)]
    assert all(e is not None for e in after)
    assert (s.stats.reboots, s.stats.duplicates, s.stats.lost) == (1, 0, 0)
    assert s.feed(pkt(19, t=400_000 + 1900)) is None  # re-sends of the new boot are still dropped


def test_reboot_told_by_the_status_clock_even_after_uptime_passed_the_last_event(bundle, monkeypatch):
    """Between two status reads 60 s apart the wand's clock advanced only 55 s: it restarted
    (its uptime already passed our last event's time, so that check alone cannot tell)."""
    import wand.events as ev
    clock = [1000.0]
    monkeypatch.setattr(ev.time, "monotonic", lambda: clock[0])
    s = EventStream("w", bundle, max_age_ms=None)
    s.on_connect(StatusPacket(uptime_ms=1_000))
    s.feed(pkt(7, t=3_000))
    clock[0] += 60.0
    s.on_connect(StatusPacket(uptime_ms=55_000))
    assert s.stats.reboots == 1
    clock[0] += 60.0
    s.on_connect(StatusPacket(uptime_ms=115_000))  # a wand that kept running: no reboot
    assert s.stats.reboots == 1


def stroke(seq, name="digit_5", t=1000, second="digit_3"):
    from wand.characters import index
    from wand.protocol import STROKE_UNKNOWN, StrokePacket
    return StrokePacket(seq, index(name) if name else STROKE_UNKNOWN, 240, index(second), 12, STROKE_UNKNOWN, 0,
                        t, 30, 51).encode()


def test_strokes_and_gestures_share_one_sequence_space(bundle):
    """Stroke packets are named by their character, keep their runner-ups, and are de-duplicated
    and reordered with the gesture packets: one wand, one counter."""
    s = EventStream("w", bundle, max_age_ms=None)
    got = [s.feed(p) for p in (pkt(0), stroke(1), stroke(1), pkt(0), stroke(3, "letter_z", second="digit_2"),
                               stroke(2, "shape_circle"), stroke(4, None))]
    assert [(e.seq, e.gesture, e.source) if e else None for e in got] == [
        (0, bundle.classes[1], "model"), (1, "digit_5", "stroke"), None, None, (3, "letter_z", "stroke"),
        (2, "shape_circle", "stroke"), (4, "unknown", "unknown")]
    assert got[1].runner_ups == (("digit_3", 12 / 255),) and got[1].confidence == 240 / 255
    assert got[1].strength == 51 / 255 and got[1].wand_time_ms == 1000
    assert (s.stats.duplicates, s.stats.lost, s.stats.late) == (2, 0, 1)
    assert s.feed(stroke(5)[:-1]) is None and s.stats.corrupt == 1  # a short stroke packet: skipped
    assert s.feed(stroke(6)).seq == 6


def test_a_stroke_behind_a_gesture_waiting_for_its_imu_keeps_the_wands_order(bundle, vocab):
    from wand.enrol import EnrolmentSet, cut_tries
    from wand.protocol import ImuPacket
    rec = vocab["shake"].recordings()[0]
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("wiggle", [cut_tries(bundle, [rec])[0].segment])
    s = EventStream("w", bundle, es, max_age_ms=None)
    assert s.feed_imu(ImuPacket(100, ((0, 0, 1000, 0, 0, 0),)).encode()) == []  # the stream has begun
    assert s.feed(pkt(0, gid=GESTURE_UNKNOWN, t=10_000)) is None  # waits for the IMU up to its decision
    assert s.feed(stroke(1, t=10_500)) is None  # behind it
    assert [(e.seq, e.gesture) for e in s.flush()] == [(0, "unknown"), (1, "digit_5")]
