"""Small helpers shared by the async tests."""

from __future__ import annotations

import asyncio
from typing import Callable


async def until(pred: Callable[[], bool], timeout: float = 120.0, every: float = 0.005) -> None:
    """Wait until ``pred()`` holds; fail the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {getattr(pred, '__name__', 'a condition')}")
        await asyncio.sleep(every)


async def drive(wand, done: Callable[[], bool], before_next=None) -> None:
    """Replay a SimulatedWand's tries one packet at a time, yielding to the loop after each;
    ``before_next(emitted)`` may hold the wand (e.g. until the daemon reconnected), so a
    test paces the wand by events, not by this machine's speed."""
    for emitted in wand.replay():
        await asyncio.sleep(0)
        if before_next is not None:
            await before_next(emitted)
        if done():
            return


# --- custom (enrolled) gestures over a real link ----------------------------------------
UNSEEN = ("shake", "diagonal_up_right")  # gestures/vocabulary.toml role "unseen", one person (tti-20210623)


def enrol_unseen(bundle, vocab, path, tries: int = 3):
    """What ``wand enrol`` leaves behind: the first ``tries`` of each unseen gesture cut by
    the wand's own replay (``cut_tries``) and saved to ``path``; returns the other tries,
    each with the gesture it is, for the wand to perform."""
    from wand.enrol import EnrolmentSet, cut_tries

    es = EnrolmentSet(bundle.rate_hz, path=path)
    for name in UNSEEN:
        es.enrol(name, [c.segment for c in cut_tries(bundle, vocab[name].recordings()[:tries])])
    es.save()
    return [(name, r) for name in UNSEEN for r in vocab[name].recordings()[tries:tries + 5]]


class LinkTally:
    """Counts what the wand sent and what the daemon received, and paces the wand by it:
    each packet waits until the daemon has it (lockstep), so no step depends on speed."""

    def __init__(self, wand, daemon, name: str) -> None:
        from wand.protocol import PKT_GESTURE, PKT_IMU, PKT_STROKE_CONFIG, ConfigPacket, StrokeConfigPacket

        self.daemon, self.name = daemon, name
        self.imu_sent = self.imu_got = 0
        self.imu_batches: set[int] = set()
        self.gestures_sent: list[tuple[int, int]] = []  # (seq, take)
        self.configs: list[ConfigPacket] = []  # every config the wand received, in order
        self.stroke_configs: list[StrokeConfigPacket] = []  # every stroke config (active set) it received
        self._gesture, self._imu = PKT_GESTURE, PKT_IMU
        write, on_imu = wand.write, daemon._on_imu

        def wand_write(uuid, data):
            if data[0] == PKT_STROKE_CONFIG:
                self.stroke_configs.append(StrokeConfigPacket.decode(data))
            else:
                self.configs.append(ConfigPacket.decode(data))
            write(uuid, data)

        def daemon_on_imu(st, data):
            self.imu_got += 1
            self.imu_batches.add(data[3])  # samples in this notification (its count byte)
            on_imu(st, data)
        wand.write, daemon._on_imu, wand.on_emit = wand_write, daemon_on_imu, self._emitted

    def _emitted(self, e) -> None:
        if e.packet[0] == self._imu:
            self.imu_sent += 1
        elif e.packet[0] == self._gesture:
            self.gestures_sent.append((int.from_bytes(e.packet[1:3], "little"), e.take))

    async def received(self, e) -> None:
        """``drive``'s ``before_next``: hold the wand until the daemon has this packet."""
        st = self.daemon.wands[self.name]
        if e.packet[0] == self._imu:
            await until(lambda: self.imu_got >= self.imu_sent, every=0.001)
        else:
            await until(lambda: st.stream.stats.received >= len(self.gestures_sent), every=0.001)
