"""Property-based fuzzing (hypothesis): decoders and the event stream never let an
exception escape, and the stream's books always balance.

Example counts are bounded so CI time stays small; ``deadline=None`` because a loaded
machine must not turn slowness into failure. WAND_FUZZ_SCALE multiplies the counts for
a long run (the numbers in the report came from one).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from wand import protocol
from wand.enrol import EnrolmentSet
from wand.errors import PacketError
from wand.events import EventStream
from wand.events.sequencing import MEMORY
from wand.protocol import ConfigPacket, GesturePacket, ImuPacket, StatusPacket

SCALE = int(os.environ.get("WAND_FUZZ_SCALE", "1"))
FAST = settings(max_examples=1500 * SCALE, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=200 * SCALE, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

u8, u16, u32 = st.integers(0, 0xFF), st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF)
i8, i16 = st.integers(-128, 127), st.integers(-32768, 32767)
gesture_packets = st.builds(GesturePacket, u16, u8, u8, u8, u32, st.lists(i8, max_size=8).map(tuple))
imu_packets = st.builds(ImuPacket, u16, st.lists(st.tuples(*[i16] * 6), min_size=1, max_size=16).map(tuple))
status_packets = st.builds(StatusPacket, u8, u8, u8, u16, u32, u8, u32, u8)
config_packets = st.builds(ConfigPacket, st.integers(1, 255), st.integers(1, 8), st.integers(0, 60000),
                           st.integers(1, 16000), st.integers(1, 60000), st.integers(0, 60000),
                           st.integers(1, 255), st.integers(8, 15), st.integers(0, 15))
any_packet = st.one_of(gesture_packets, imu_packets, status_packets, config_packets)


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int) -> bytes:
    b = bytearray(data)
    for pos, val in edits:
        if b:
            b[pos % len(b)] = val
    return bytes(b[:cut]) if cut < len(b) else bytes(b) + bytes(cut - len(b))


@FAST
@given(st.binary(max_size=220))
def test_decoders_take_any_bytes(data):
    for decode in (protocol.decode, GesturePacket.decode, ImuPacket.decode, ConfigPacket.decode, StatusPacket.decode):
        try:
            decode(data)
        except PacketError:
            pass  # the one exception a decoder may raise


@FAST
@given(any_packet, st.lists(st.tuples(st.integers(0, 255), u8), max_size=4), st.integers(0, 220))
def test_decoders_take_mutated_valid_packets(packet, edits, cut):
    data = packet.encode()
    assert protocol.decode(data) == packet  # round trip
    try:
        protocol.decode(_mutate(data, edits, cut))
    except PacketError:
        pass


@SLOW
@given(st.lists(st.one_of(st.binary(max_size=30), gesture_packets.map(GesturePacket.encode)), max_size=60))
def test_event_stream_takes_any_notifications(bundle, notifications):
    import numpy as np
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("wiggle", [np.tile([0, 0, 1000, 0, 0, 0], (48, 1)), np.tile([0, 0, 1000, 900, 0, 0], (48, 1))])
    s = EventStream("w", bundle, es, max_age_ms=3000)
    for data in notifications:
        s.feed(data)
        s.feed_imu(data)  # any bytes on the IMU channel too
    st_ = s.stats
    assert st_.received == len(notifications) == st_.delivered + st_.duplicates + st_.corrupt
    assert st_.lost >= 0 and st_.late >= 0


@SLOW
@given(st.lists(st.one_of(gesture_packets.map(lambda p: ("g", p.encode())), imu_packets.map(lambda p: ("i", p.encode())),
                          st.just(("overdue", b""))), max_size=80))
def test_valid_imu_and_gesture_packets_in_any_order_never_break_the_matcher(bundle, notifications):
    """Well-formed packets with any numbers, extreme readings and any interleaving: the
    ring, the cut and the DTW match take them; every gesture packet comes out once."""
    import numpy as np
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("wiggle", [np.tile([0, 0, 1000, 0, 0, 0], (48, 1)), np.tile([0, 0, 1000, 900, 0, 0], (48, 1))])
    es.enrol("jab", [np.tile([32767, -32768, 0, 32767, -32768, 0], (40, 1))])
    s = EventStream("w", bundle, es, max_age_ms=None)
    out = []
    for kind, data in notifications:
        if kind == "g":
            out += [e for e in [s.feed(data)] if e is not None]
        elif kind == "i":
            out += s.feed_imu(data)
        else:
            out += s.overdue(max_s=0.0)
    out += s.flush()
    st_ = s.stats
    assert st_.received == st_.delivered + st_.duplicates + st_.corrupt
    assert st_.corrupt == 0 and len(out) == st_.delivered
    assert all(e.gesture for e in out)


@st.composite
def arrivals(draw):
    """A wand's genuine events (consecutive numbers from anywhere, with a wrap possible, or
    a reboot) as they might arrive: re-sent, locally reordered, with stray numbers."""
    start = draw(u16)
    n = draw(st.integers(1, 60))
    reboot_at = draw(st.one_of(st.none(), st.integers(1, n)))
    events, t, seq = [], draw(st.integers(0, 10**6)), start
    for i in range(n):
        if i == reboot_at:
            seq, t = 0, draw(st.integers(0, 10**6))
        events.append((seq & 0xFFFF, t))
        seq, t = seq + 1, t + draw(st.integers(1, 5000))
    out = list(events)
    for _ in range(draw(st.integers(0, 10))):  # re-sends of recent events
        k = draw(st.integers(0, len(events) - 1))
        out.insert(min(len(out), k + draw(st.integers(0, 8))), events[k])
    for _ in range(draw(st.integers(0, 5))):  # local reordering
        k = draw(st.integers(0, max(0, len(out) - 2)))
        out[k:k + 2] = out[k:k + 2][::-1]
    for _ in range(draw(st.integers(0, 3))):  # stray packets with any number
        out.insert(draw(st.integers(0, len(out))), (draw(u16), draw(st.integers(0, 2**32 - 1))))
    return out


@SLOW
@given(arrivals())
def test_every_event_delivered_exactly_once_whatever_the_order(bundle, packets):
    assert len(packets) <= MEMORY  # within the de-duplication memory the rule is exact
    s = EventStream("w", bundle, None, max_age_ms=None)
    delivered = []
    for seq, t in packets:
        e = s.feed(GesturePacket(seq, 1, 200, 100, t, (0,) * 8).encode())
        if e is not None:
            delivered.append((e.seq, e.wand_time_ms))
    assert len(delivered) == len(set(delivered))  # nothing twice
    assert set(delivered) == set(packets)  # nothing new dropped
    st_ = s.stats
    assert st_.delivered == len(delivered) and st_.duplicates == len(packets) - len(delivered)
    assert st_.received == st_.delivered + st_.duplicates + st_.corrupt and st_.lost >= 0


@SLOW
@given(u16, st.integers(1, 200), st.lists(st.integers(0, 198), max_size=8, unique=True))
def test_in_order_stream_with_local_swaps_counts_nothing_lost(bundle, start, n, swaps):
    order = list(range(n))
    for k in swaps:
        if k + 1 < n:
            order[k], order[k + 1] = order[k + 1], order[k]
    s = EventStream("w", bundle, None, max_age_ms=None)
    for i in order:
        assert s.feed(GesturePacket((start + i) & 0xFFFF, 1, 200, 100, 1000 + 20 * i, ()).encode()) is not None
    assert s.stats.lost == 0 and s.stats.delivered == n


@SLOW
@given(st.lists(st.binary(max_size=30), max_size=20))
def test_daemon_callback_never_raises(bundle, notifications):
    from wand.config import example_path, load_config
    from wand.daemon import Daemon, WandState
    from wand.outputs import OutputSet
    import asyncio

    async def go():
        daemon = Daemon(load_config(example_path("tv")), bundle, OutputSet(dry_run=True), None, line=lambda s: None)
        state = WandState("w", "a", stream=EventStream("w", bundle, None, None))
        for data in notifications:
            daemon._on_packet(state, data)
        return state.stream.stats
    stats = asyncio.run(go())
    assert stats.received == len(notifications)


if __name__ == "__main__":
    pytest.main([__file__, "-q"])
