"""`wand record NAME`: tries of a gesture from the wand's raw IMU stream.

The wand streams its model-rate samples while streaming is on (config flag). Tries are
cut out automatically with the wand's own onset rule (so a recorded try starts where the
wand's spotter would start looking), each one is shown as a trace plot, kept or
discarded, and saved at once: an interrupted session keeps every try already kept.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from .errors import PacketError, WandError
from .protocol import CONFIG_FLAG_STREAM_IMU, ConfigPacket, ImuPacket
from .recordings import (DiskFullError, Recording, check_new_gesture_name, check_person, replace_file,
                         write_wand_csv)
from .wand_core.features import motion

TRY_SECONDS = 1.0  # as long as the data set's tries; the model looks at the first 0.72 s


@dataclass
class Segmenter:
    """Cuts tries out of a sample stream: onset over the gate, fixed length, then stillness."""

    config: ConfigPacket
    length: int  # samples per try
    state: str = "idle"  # idle -> capturing -> settling -> idle
    _buf: list[tuple[int, ...]] = field(default_factory=list)
    _quiet: int = 0
    _next_seq: int | None = None
    dropped: int = 0

    def feed(self, packet: ImuPacket) -> list[np.ndarray]:
        """Samples from one IMU packet -> the tries it completed."""
        done = []
        if self._next_seq is not None:
            gap = (packet.first_seq - self._next_seq) & 0xFFFF
            if gap:
                self._gap(gap)
        self._next_seq = (packet.first_seq + len(packet.samples)) & 0xFFFF
        for s in packet.samples:
            out = self._sample(s)
            if out is not None:
                done.append(out)
        return done

    def _gap(self, gap: int) -> None:
        """Samples missing from the stream (lost packets, or the wand idled)."""
        if gap >= 0x8000:
            return  # an old packet again: ignore
        if self.state == "capturing":
            self.dropped += 1  # a try with a hole would be a distorted trace: skip it
            self._buf, self.state = [], "settling"
        if gap >= self.config.quiet_samples:
            self.state = "idle"

    def _sample(self, s: tuple[int, ...]) -> np.ndarray | None:
        acc, gyro = motion(s)
        self._quiet = self._quiet + 1 if gyro < self.config.gyro_quiet_ddps else 0
        if self.state == "idle":
            if acc >= self.config.acc_gate_mg or gyro >= self.config.gyro_gate_ddps:
                self.state, self._buf = "capturing", []
            else:
                return None
        if self.state == "capturing":
            self._buf.append(tuple(s))
            if len(self._buf) >= self.length:
                self.state = "settling"
                return np.array(self._buf, np.int32)
            return None
        if self._quiet >= self.config.quiet_samples:
            self.state = "idle"
        return None


def plot_try(samples: np.ndarray, rate_hz: int, title: str) -> bytes:
    """The try's trace as PNG bytes (written by the caller all at once)."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.arange(len(samples)) / rate_hz
    fig, (a, g) = plt.subplots(2, 1, figsize=(7, 4.2), sharex=True)
    for i, axis in enumerate("xyz"):
        a.plot(t, samples[:, i] / 1000.0, label=f"a{axis}")
        g.plot(t, samples[:, 3 + i] / 10.0, label=f"g{axis}")
    a.set_ylabel("acceleration (g)")
    g.set_ylabel("rotation (deg/s)")
    g.set_xlabel("seconds from motion onset")
    a.legend(loc="upper right", ncol=3, fontsize=8)
    g.legend(loc="upper right", ncol=3, fontsize=8)
    a.set_title(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return buf.getvalue()


def progress_bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else width
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total}"


@dataclass
class Session:
    """One recording session: what to record, where, and how to ask the user."""

    name: str
    tries: int
    out: Path
    rate_hz: int
    person: str
    board: str
    ask: Callable[[str], bool]
    say: Callable[[str], None] = print
    source: str = "wand"
    kept: list[Path] = field(default_factory=list)
    discarded: int = 0

    def _kept_so_far(self) -> str:
        return (f"{len(self.kept)} tries of {self.name!r} saved in {self.out / self.name}; "
                "run the same command again to add more")

    def on_try(self, samples: np.ndarray) -> bool:
        """Handle one captured try; True when the session is complete."""
        n = len(self.kept) + 1
        rec = Recording(self.name, samples, self.rate_hz, self.person,
                        meta={"board": self.board, "source": self.source, "try": str(n)})
        peak = np.abs(samples[:, 3:]).sum(axis=1).max() / 10.0
        if self.ask(f"try {n} of {self.tries}: {len(samples)} samples, peak rotation {peak:.0f} deg/s. keep?"):
            png = plot_try(samples, self.rate_hz, f"{self.name}: try {n} ({self.person})")
            try:
                path = write_wand_csv(rec, self.out)
            except DiskFullError as e:
                raise DiskFullError(e.where, self._kept_so_far()) from None
            except OSError as e:  # the folder vanished, became read-only, ...
                raise WandError(f"cannot save in {self.out}: {e.strerror}; {self._kept_so_far()}") from None
            self.kept.append(path)
            try:
                plot = replace_file(self.out, path.with_suffix(".png"), png)
            except DiskFullError as e:  # the try itself is saved; only its picture is missing
                raise DiskFullError(e.where, f"{self._kept_so_far()}; the last one has no trace plot") from None
            except OSError as e:
                raise WandError(f"cannot save the trace plot in {self.out}: {e.strerror}; {self._kept_so_far()}; "
                                "the last one has no trace plot") from None
            self.say(f"  saved {path} (trace {plot.name})  {progress_bar(len(self.kept), self.tries)}")
        else:
            self.discarded += 1
            self.say(f"  discarded; again  {progress_bar(len(self.kept), self.tries)}")
        if len(self.kept) < self.tries:
            self.say(f"try {len(self.kept) + 1} of {self.tries}: go")
            return False
        return True


async def record(client, session: Session, config: ConfigPacket, timeout_s: float | None = None,
                 driver=None, lost: asyncio.Event | None = None) -> Session:
    """Stream from ``client`` (a WandClient) until the session has its tries.

    ``driver``: an awaitable that produces the samples (the simulator's replay), if any.
    ``lost``: set when the link drops; the session then ends with the tries kept so far.
    """
    seg = Segmenter(config, int(TRY_SECONDS * session.rate_hz))
    finished = asyncio.Event()
    failed: list[WandError] = []  # raised in the notification callback, reported here
    corrupt = [0]

    def on_packet(data: bytes) -> None:
        if finished.is_set():
            return
        try:
            packet = ImuPacket.decode(data)
        except PacketError:
            corrupt[0] += 1  # counted and skipped: one bad packet must not end the session
            return
        try:
            for samples in seg.feed(packet):
                if session.on_try(samples):
                    finished.set()
                    return
        except WandError as e:  # a full disk, a folder that cannot be written: stop with what is saved
            failed.append(e)
            finished.set()
        except Exception as e:  # a bug: never into the BLE stack or the replay; reported below
            failed.append(WandError(f"recording stopped by an internal error ({type(e).__name__}: {e}); "
                                    f"{session._kept_so_far()}"))
            finished.set()

    await client.write_config(replace(config, flags=config.flags | CONFIG_FLAG_STREAM_IMU))
    await client.subscribe_imu(on_packet)
    session.say(f"recording {session.tries} tries of {session.name!r}: hold the wand still, then do the "
                f"gesture when asked\ntry 1 of {session.tries}: go")
    waiters = [asyncio.ensure_future(finished.wait())]
    if driver is not None:
        waiters.append(asyncio.ensure_future(driver))
    if lost is not None:
        waiters.append(asyncio.ensure_future(lost.wait()))
    done, pending = await asyncio.wait(waiters, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    for p in pending:
        p.cancel()
    for d in done:  # the replay's own failure, read here (never "exception was never retrieved")
        if not d.cancelled() and d.exception() is not None and not failed:
            e = d.exception()
            failed.append(e if isinstance(e, WandError) else WandError(f"the wand's stream stopped "
                                                                      f"({type(e).__name__}: {e})"))
    if lost is not None and lost.is_set():
        raise WandError(f"the wand disconnected during recording; {len(session.kept)} tries kept in "
                        f"{session.out / session.name}: run the same command again to add more")
    await client.write_config(config)  # streaming off again
    if failed:
        raise failed[0]
    if seg.dropped:
        session.say(f"{seg.dropped} tries were cut short by lost samples and skipped")
    if corrupt[0]:
        session.say(f"{corrupt[0]} corrupt IMU packets were skipped")
    return session


def record_cli(args) -> int:
    from .paths import recordings_dir
    from .model import load_model
    from .transport.base import WandClient
    from .transport.link import links_from_args, open_first

    out = Path(args.out) if args.out else recordings_dir()
    bundle = load_model(args.model)
    name = check_new_gesture_name(args.name, bundle.gesture_names)
    check_person(args.person)
    check_writable_folder(out)
    interactive = sys.stdin.isatty() and not args.yes

    def ask(question: str) -> bool:
        if not interactive:
            print(question + " yes")
            return True
        return input(question + " [Y/n] ").strip().lower() in ("", "y", "yes")

    config = ConfigPacket()
    links = links_from_args(args)  # --wand (or --address/--sim): the link is chosen in transport/link.py
    session = Session(name, args.tries, out, bundle.rate_hz, args.person, "nano33ble", ask)

    async def go() -> Session:
        backend = await open_first(links, bundle, sim_speed=20.0)
        session.source = backend.source
        lost = asyncio.Event()
        backend.set_disconnected_callback(lost.set)
        await backend.connect()
        try:
            client = WandClient(backend)
            status = await client.read_status()
            session.board = {1: "nano33ble-rev1", 2: "nano33ble-rev2"}.get(status.board, session.board)
            return await record(client, session, config, driver=backend.driver(), lost=lost)
        finally:
            backend.set_disconnected_callback(None)
            await backend.disconnect()

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        print(f"\nstopped: {len(session.kept)} tries kept in {out / name}")
        return 130
    if not session.kept:
        raise WandError(f"no tries of {name!r} kept ({session.discarded} discarded): record again")
    print(f"{len(session.kept)} tries of {name!r} kept in {out / name} ({session.discarded} discarded); "
          f"next: 'wand enrol {name}' (few-shot, no retraining) or 'wand train --install'")
    return 0 if len(session.kept) >= args.tries else 1


def check_writable_folder(out: Path) -> None:
    """Before connecting: the recordings folder exists (or is made) and can be written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WandError(f"cannot make the recordings folder {out}: {e.strerror}; choose another with --out") from None
    try:  # a real write: permissions say nothing about /proc, a read-only mount or root
        fd, probe = tempfile.mkstemp(dir=out, prefix=".wand-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise WandError(f"cannot write in the recordings folder {out}: {e.strerror}; choose another with --out") \
            from None
