"""Events: de-duplication, loss and reboot accounting, stale re-sends, few-shot naming."""

from __future__ import annotations


import numpy as np
import pytest

from wand.enrol import EnrolmentSet, load
from wand.errors import GestureFileError
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


def _set(bundle) -> EnrolmentSet:
    return EnrolmentSet(bundle.crc32, bundle.info["embedding_centre"])


def test_enrolled_gesture_recognised_and_far_motion_rejected(bundle):
    centre = np.array(bundle.info["embedding_centre"])
    direction = np.zeros(8)
    direction[0] = 40 if centre[0] < 0 else -40  # inside int8 on both sides of the centre
    ex = [tuple(int(v) for v in centre + direction + d) for d in ([0] * 8, [2] + [0] * 7, [0, 3] + [0] * 6)]
    es = _set(bundle)
    es.enrol("wiggle", ex)
    s = EventStream("w", bundle, es, max_age_ms=None)
    near = s.feed(pkt(0, gid=GESTURE_UNKNOWN, emb=tuple(int(v) for v in centre + direction + 1)))
    assert (near.gesture, near.source) == ("wiggle", "enrolled")
    far = s.feed(pkt(1, gid=GESTURE_UNKNOWN, emb=tuple(int(v) for v in centre - direction)))
    assert far.gesture == "unknown"


def test_model_gesture_kept_when_it_is_nearer_than_the_enrolled_one(bundle):
    proto = bundle.info["prototypes"]["push_forward"][0]
    es = _set(bundle)
    es.enrol("other_thing", [tuple(-v for v in proto)])
    s = EventStream("w", bundle, es, max_age_ms=None)
    e = s.feed(pkt(0, gid=bundle.classes.index("push_forward"), emb=tuple(proto)))
    assert e.gesture == "push_forward"


def test_enrolment_file_round_trip_and_model_check(bundle, tmp_path):
    es = _set(bundle)
    es.enrol("wiggle", [(1,) * 8, (2,) * 8])
    path = es.save(tmp_path / "enrolled.json")
    again = load(path, bundle.crc32, bundle.info["embedding_centre"])
    assert again.gestures["wiggle"].examples == [[1] * 8, [2] * 8]
    path.write_text("{not json")
    with pytest.raises(GestureFileError, match=r"enrolled.json:1: not valid JSON"):
        load(path, bundle.crc32, [0] * 8)


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


def test_embedding_of_another_length_is_not_matched_and_not_an_error(bundle):
    es = _set(bundle)
    es.enrol("wiggle", [(1,) * 8, (2,) * 8])
    s = EventStream("w", bundle, es, max_age_ms=None)
    e = s.feed(pkt(0, gid=bundle.classes.index("push_forward"), emb=(1, 2, 3, 4)))
    assert (e.gesture, e.source) == ("push_forward", "model")
    u = s.feed(pkt(1, gid=GESTURE_UNKNOWN, emb=()))
    assert u.gesture == "unknown" and s.stats.embedding_mismatch == 2


def test_enrolment_for_another_model_is_an_empty_set_and_re_enrolling_keeps_the_old_file(bundle, tmp_path, caplog):
    """After 'wand train --install' or --model: a warning, not a failure, and the suggested fix works."""
    es = _set(bundle)
    es.enrol("wiggle", [(1,) * 8, (2,) * 8])
    path = es.save(tmp_path / "enrolled.json")
    other = load(path, bundle.crc32 ^ 1, bundle.info["embedding_centre"])
    assert other.gestures == {} and other.other_model == bundle.crc32
    assert "enrolled for another model" in caplog.text and "wand enrol NAME --replace" in caplog.text
    other.enrol("wiggle", [(3,) * 8])
    assert other.save() == path
    assert load(path, bundle.crc32 ^ 1, bundle.info["embedding_centre"]).gestures["wiggle"].examples == [[3] * 8]
    kept = tmp_path / f"enrolled-{bundle.crc32:08x}.json"
    assert load(kept, bundle.crc32, bundle.info["embedding_centre"]).gestures["wiggle"].examples == [[1] * 8, [2] * 8]


def test_enrolment_file_writable_by_others_is_refused_like_ssh(bundle, tmp_path):
    es = _set(bundle)
    es.enrol("wiggle", [(1,) * 8])
    path = es.save(tmp_path / "enrolled.json")
    path.chmod(0o666)
    with pytest.raises(GestureFileError, match=r"writable by other users.*chmod go-w .*enrolled.json"):
        load(path, bundle.crc32, bundle.info["embedding_centre"])
    path.chmod(0o644)
    assert "wiggle" in load(path, bundle.crc32, bundle.info["embedding_centre"]).gestures


@pytest.mark.parametrize("gestures", [
    {"g": {"name": "g", "examples": [["a"] * 8], "radius": 0.2}},
    {"g": {"name": "g", "examples": [[1] * 4], "radius": 0.2}},
    {"g": {"name": "g", "examples": [], "radius": 0.2}},
    [1, 2],
])
def test_hand_edited_enrolment_with_wrong_shapes_fails_on_load_not_per_event(bundle, tmp_path, gestures):
    import json
    path = tmp_path / "enrolled.json"
    path.write_text(json.dumps({"model_crc32": f"{bundle.crc32:08x}", "centre": [0] * 8, "gestures": gestures}))
    with pytest.raises(GestureFileError, match="not an enrolment file"):
        load(path, bundle.crc32, [0] * 8)


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
