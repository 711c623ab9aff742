"""The wand's IMU stream on the host: a short ring of model-rate samples, and the cut.

The wand numbers its streamed samples (``ImuPacket.first_seq``: model-rate samples since
boot, mod 2**16) and dates a gesture packet by the same count (``timestamp_ms =
samples * 1000 // rate``, ``WandCore.time_ms``), so the host knows exactly which samples
a gesture occupied, whatever arrived late, twice or not at all.

The cut (``gesture_span``, ``decision_sample``): the samples from the spotter's onset to
its decision. For a packet the model did not name, the spotter decided after
``max_inferences`` inferences, so the decision is ``window + (max_inferences - 1) * hop``
samples after the onset (48 at 50 Hz with the defaults: 0.96 s). Chosen on validation
tries (nano33-spells train and validation parts, tti-20210623; 3 tries, closed-set 1-NN
DTW, 5 draws): cutting the tries at 40 / 48 / 60 / 75 samples gave 76 / 82 / 81 / 82%
(nano33) and 97 / 100 / 100 / 100% (tti) against 81 / 92% for the whole try: the data
sets' tries are 1 s long and start at the trigger, so onset-to-decision holds the
gesture. It needs no look-back (the recorded tries hold nothing before the trigger, so a
"last rest before the onset" cut would differ between enrolment and use) and no
look-ahead (the event goes out as soon as the decision's samples are in). Enrolment
cuts its templates with this same ring and cut (``wand.enrol.templates_from_tries``).
"""

from __future__ import annotations

import numpy as np

from ..protocol import ConfigPacket, ImuPacket

SEQ_MOD = 1 << 16
RING_SAMPLES = 256  # 5 s at 50 Hz: the gesture (~1 s) plus any lag between the two notifications
MIN_PRESENT = 0.8  # a segment with more than a fifth of its samples lost is not matched


def gesture_span(window: int, hop: int, config: ConfigPacket) -> int:
    """Samples from the onset to the decision of a gesture the model did not name."""
    return window + (config.max_inferences - 1) * hop


def onset_candidates(window: int, hop: int, config: ConfigPacket, named: bool) -> list[int]:
    """How many samples before the decision the onset can be (0 = the decision sample): the
    spotter decides after k inferences, k = max_inferences for a packet it left unnamed and
    agree..max_inferences for one it named."""
    ks = [config.max_inferences] if not named else range(config.agree, config.max_inferences + 1)
    return [window + (k - 1) * hop - 1 for k in ks]


def decision_sample(timestamp_ms: int, rate_hz: int) -> int:
    """The sample (mod 2**16) the wand decided on: the inverse of ``WandCore.time_ms`` (the
    decision is stamped after its sample is counted). Exact for rates up to 1000 Hz; the
    wand's 32-bit millisecond clock wraps after 49 days, and this with it."""
    return (-(-timestamp_ms * rate_hz // 1000) - 1) % SEQ_MOD


def _signed(delta: int) -> int:
    delta %= SEQ_MOD
    return delta - SEQ_MOD if delta >= SEQ_MOD // 2 else delta


class ImuRing:
    """The last ``capacity`` samples by their (unwrapped) number; late and repeated packets
    are placed where they belong, lost ones leave holes."""

    def __init__(self, capacity: int = RING_SAMPLES) -> None:
        self.capacity = capacity
        self._samples: dict[int, tuple[int, ...]] = {}
        self.newest: int | None = None  # unwrapped number of the newest sample held
        self.restarts = 0

    def clear(self) -> None:
        self._samples.clear()
        self.newest = None

    def _unwrap(self, seq16: int) -> int:
        assert self.newest is not None
        return self.newest + _signed(seq16 - self.newest)

    def feed(self, packet: ImuPacket) -> None:
        if self.newest is not None:
            first = self._unwrap(packet.first_seq)
            if first + len(packet.samples) <= self.newest - self.capacity:
                # far behind everything held: the wand restarted its count (a reboot)
                self.restarts += 1
                self.clear()
        if self.newest is None:
            first = packet.first_seq
            self.newest = first - 1
        for i, s in enumerate(packet.samples):
            self._samples[first + i] = s
        self.newest = max(self.newest, first + len(packet.samples) - 1)
        if len(self._samples) > self.capacity:
            oldest = self.newest - self.capacity
            for k in [k for k in self._samples if k <= oldest]:
                del self._samples[k]

    def get(self, seq16: int) -> tuple[int, ...] | None:
        return None if self.newest is None else self._samples.get(self._unwrap(seq16))

    def covers(self, last16: int) -> bool:
        """Whether samples up to ``last16`` have arrived (or been passed: lost ones stay lost)."""
        return self.newest is not None and _signed(last16 - self.newest) <= 0

    def cut(self, last16: int, length: int) -> np.ndarray | None:
        """Samples ``last16 - length + 1 .. last16`` present in the ring, (n, 6) int, in order;
        None where too many of them are missing (lost, or older than the ring)."""
        if self.newest is None:
            return None
        last = self._unwrap(last16)
        got = [self._samples[k] for k in range(last - length + 1, last + 1) if k in self._samples]
        if len(got) < MIN_PRESENT * length:
            return None
        return np.array(got, np.int64).reshape(-1, 6)
