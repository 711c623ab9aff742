"""Sequencing: which gesture packets are new, which are re-sends, which went missing.

The wand numbers its gesture packets (16 bits, wrapping) and re-sends its last few when
a host subscribes. A packet is identified by its sequence number *and* its wand
timestamp: a re-send repeats both, while a wand that rebooted starts its numbers over
with new timestamps. So de-duplication never depends on the order packets arrive in:

- reordering (``0 1 3 2 4``): 2 was counted lost when 3 came; it arrives late, is
  delivered, and is no longer lost;
- a packet a little behind the front in both number and time is a late one of the
  same run: delivered;
- one packet with a far-away number (more than ``LOOKAHEAD`` ahead, or behind but newer
  in time) is delivered but does not move the front: only a second packet that
  continues from it makes it the new front (the wand really jumped, or restarted its
  numbers: a reboot whose uptime already passed our last event's time);
- a reboot seen in the status read at connect (uptime below the last event's time)
  starts a new sequence at once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

SEQ_MOD = 1 << 16
LOOKAHEAD = 1024  # more gestures than anyone makes out of range; beyond it a jump needs a second packet
MEMORY = 256  # packets remembered for de-duplication (the wand re-sends at most EVENT_QUEUE_LEN)
MISSING_MAX = 64  # missing numbers remembered so a late arrival can still be delivered


@dataclass
class SequenceStats:
    received: int = 0  # every notification, = delivered + duplicates + corrupt
    delivered: int = 0
    duplicates: int = 0
    corrupt: int = 0
    lost: int = 0  # numbers skipped and not (yet) arrived
    late: int = 0  # arrived after a later one, delivered anyway
    reboots: int = 0  # the wand's numbering restarted
    stale: int = 0  # delivered but too old to act on
    imu_corrupt: int = 0  # IMU notifications that did not decode (skipped)
    no_imu: int = 0  # an unnamed gesture with enrolled gestures, but its IMU segment lost or not streamed
    errors: int = 0  # a packet the daemon could not handle (reported, skipped)

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def ahead(seq: int, front: int) -> int:
    """How far ``seq`` is past ``front``, modulo the 16-bit wrap (0 = same number)."""
    return (seq - front) % SEQ_MOD


class Sequencer:
    """Decides, per packet, deliver or drop; keeps the counts honest."""

    def __init__(self, stats: SequenceStats | None = None) -> None:
        self.stats = stats or SequenceStats()
        self._seen: set[tuple[int, int]] = set()
        self._order: deque[tuple[int, int]] = deque()
        self._front: int | None = None  # newest number of the current run
        self.front_time = 0  # its wand timestamp (ms)
        self._missing: deque[int] = deque(maxlen=MISSING_MAX)
        self._candidate: int | None = None  # a far-away number waiting for a second packet

    def new_boot(self) -> None:
        """The wand restarted (status says so): numbering starts over."""
        self.stats.reboots += 1
        self._front, self.front_time, self._candidate = None, 0, None
        self._missing.clear()

    def accept(self, seq: int, wand_time_ms: int) -> bool:
        """True: a new event, deliver it. False: a re-send already delivered."""
        key = (seq, wand_time_ms)
        if key in self._seen:
            self.stats.duplicates += 1
            return False
        self._remember(key)
        self.stats.delivered += 1
        if self._front is None:
            self._advance(seq, wand_time_ms)
        elif 0 < ahead(seq, self._front) <= LOOKAHEAD:
            self._skip(self._front, seq)
            self._advance(seq, wand_time_ms)
        elif seq in self._missing:
            self._missing.remove(seq)
            self.stats.lost -= 1
            self.stats.late += 1
        elif ahead(self._front, seq) <= LOOKAHEAD and wand_time_ms < self.front_time:
            self.stats.late += 1  # older in number and time: a late one of this run, not a restart
        elif self._candidate is not None and 0 < ahead(seq, self._candidate) <= LOOKAHEAD:
            self._jump(seq, wand_time_ms)
        else:
            self._candidate = seq  # delivered; becomes the front only if the next one agrees
        return True

    def _jump(self, seq: int, wand_time_ms: int) -> None:
        """Two packets agree on a far-away numbering: follow them."""
        assert self._front is not None and self._candidate is not None
        if ahead(self._candidate, self._front) < SEQ_MOD // 2 and wand_time_ms >= self.front_time:
            self._skip(self._front, self._candidate)  # same run, far ahead: the gap was lost
        else:
            self.stats.reboots += 1  # numbers went back: a new boot we were not told of
            self._missing.clear()
        self._skip(self._candidate, seq)
        self._advance(seq, wand_time_ms)

    def _advance(self, seq: int, wand_time_ms: int) -> None:
        self._front, self.front_time, self._candidate = seq, wand_time_ms, None

    def _skip(self, after: int, upto: int) -> None:
        """Numbers strictly between ``after`` and ``upto`` went missing (for now)."""
        gap = ahead(upto, after) - 1
        if gap <= 0:
            return
        self.stats.lost += gap
        for k in range(max(1, gap - MISSING_MAX + 1), gap + 1):
            self._missing.append((after + k) % SEQ_MOD)

    def _remember(self, key: tuple[int, int]) -> None:
        self._seen.add(key)
        self._order.append(key)
        if len(self._order) > MEMORY:
            self._seen.discard(self._order.popleft())
