"""`wand demo --hid`: the wand as a Bluetooth keyboard / TV remote, with no hardware.

On one bumble LocalLink (real HCI, ATT, SMP in one process): the simulated wand (real
recordings through the int8 model) serves HID over GATT; a "computer" pushes the TV
example's profile as the wand's mapping table over the wand service, as `wand config push`
does, and leaves; a "TV" bonds with the wand (LE Secure Connections), reads the report
map, subscribes to the input reports, and prints each report as the usage it carries.
The wand then acts alone: no daemon is running.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Callable

from . import hid
from .config import example_path, load_config
from .model import load_model
from .protocol import PKT_GESTURE, GesturePacket
from .recordings import Recording
from .datasets import load_vocabulary

_NAMES = {(hid.REPORT_CONSUMER, u): n for n, u in hid.CONSUMER_USAGES.items()}
_NAMES.update({(hid.REPORT_KEYBOARD, u): n for n, u in hid.KEY_USAGES.items() if len(n) > 1 or n.isalnum()})


def describe_report(report: bytes) -> str | None:
    """[id, payload...] -> what a host reads from it ("consumer volume_up"); None for a release."""
    rid, body = report[0], report[1:]
    if rid == hid.REPORT_CONSUMER:
        usage = int.from_bytes(body[:2], "little")
        return f"consumer {_NAMES.get((rid, usage), hex(usage))} (0x{usage:03X})" if usage else None
    if rid == hid.REPORT_KEYBOARD:
        mods = " + ".join(n for n, b in hid.MODIFIER_BITS.items() if body[0] & b and not n.endswith("_l"))
        key = body[2]
        return (f"keyboard {(mods + ' + ') if mods else ''}{_NAMES.get((rid, key), hex(key))} (0x{key:02X})"
                if key else None)
    if rid == hid.REPORT_MOUSE:
        buttons, dx, dy, wheel = body[0], *(int.from_bytes(body[i:i + 1], "little", signed=True) for i in (1, 2, 3))
        return f"mouse buttons {buttons:03b} move {dx},{dy} wheel {wheel}" if buttons or dx or dy or wheel else None
    return f"report {rid}: {body.hex()}"


@dataclass
class HidDemoResult:
    table_state: tuple[str, int, int]
    reports: list[bytes] = field(default_factory=list)
    gestures: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # each report: sent by the wand -> received by the host


def _takes(bundle, per_gesture: int) -> list[Recording]:
    takes = []
    for g in load_vocabulary():
        if g.name in bundle.classes:
            takes += g.recordings()[:per_gesture]
    return takes


async def bond_and_subscribe(host, address: str, on_report: Callable[[int, bytes], None]):
    """What a HID host (a TV, a phone) does with the wand: connect, bond (LE Secure
    Connections), read the report map, subscribe to every input report (its id from the
    report reference descriptor). Returns the connection and the report map."""
    from bumble import gatt
    from bumble.device import Peer

    connection = await host.connect(address)
    await connection.pair()
    peer = Peer(connection)
    await peer.discover_services([gatt.GATT_HUMAN_INTERFACE_DEVICE_SERVICE])
    service = peer.get_services_by_uuid(gatt.GATT_HUMAN_INTERFACE_DEVICE_SERVICE)[0]
    await peer.discover_characteristics(service=service)
    report_map = bytes(await peer.read_value(service.get_characteristics_by_uuid(gatt.GATT_REPORT_MAP_CHARACTERISTIC)[0]))
    for char in service.get_characteristics_by_uuid(gatt.GATT_REPORT_CHARACTERISTIC):
        await peer.discover_descriptors(char)
        rid = bytes(await peer.read_value(char.get_descriptor(gatt.GATT_REPORT_REFERENCE_DESCRIPTOR)))[0]
        await peer.subscribe(char, lambda v, rid=rid: on_report(rid, bytes(v)))
    return connection, report_map


def run_hid_demo(per_gesture: int = 2, line: Callable[[str], None] = print, model_path: str | None = None,
                 profile: str = "smart_tv", speed: float = 4.0) -> HidDemoResult:
    bundle = load_model(model_path)
    config = load_config(example_path("tv"))
    pushed = hid.plan(config.profiles[profile], {g: i for i, g in enumerate(bundle.classes)}, bundle.crc32)
    line(f"profile {profile!r} of the TV example -> {len(pushed.table.entries)} HID step(s) for the wand; "
         f"left to the daemon: {len(pushed.refused)}")
    return asyncio.run(_run(bundle, _takes(bundle, per_gesture), pushed.table.encode(), line, speed))


async def _run(bundle, takes, table: bytes, line, speed: float) -> HidDemoResult:
    from bumble.controller import Controller
    from bumble.device import Device
    from bumble.hci import Address
    from bumble.host import Host
    from bumble.link import LocalLink
    from bumble.transport.common import AsyncPipeSink

    from .simwand.device import SimulatedWand
    from .simwand.peripheral import WandPeripheral
    from .transport.base import WandClient
    from .transport.bumble import BumbleBackend

    link = LocalLink()

    def device(i: int) -> Device:
        address = ":".join([f"E{i}"] * 6)
        controller = Controller(f"C{i}", link=link, public_address=address)
        return Device(address=Address(address), host=Host(controller, AsyncPipeSink(controller)))

    computer, wand_dev, tv = device(0), device(1), device(2)
    for d in (computer, wand_dev, tv):
        await d.power_on()
    wand = SimulatedWand(bundle, takes, name="wand-sim")
    await WandPeripheral(wand_dev, wand).advertise(interval_ms=20)
    address = str(wand_dev.random_address)
    backend = BumbleBackend(computer, address, name="wand-sim")
    await backend.connect()
    result = HidDemoResult(await WandClient(backend).push_hid_table(table))
    await backend.disconnect()
    line(f"pushed over GATT: the wand says {result.table_state[0]!r}, {result.table_state[1]} step(s) kept in flash; "
         "the computer leaves")

    connection, report_map = await bond_and_subscribe(tv, address, lambda rid, value: on_report(rid, value))
    line(f"a TV bonds with the wand (LE Secure Connections, encrypted: {connection.is_encrypted}) and reads its "
         f"{len(report_map)}-byte report map: keyboard, consumer control, mouse")
    sent_at: list[float] = []  # when the wand sent each report (its core makes them as it sends the event)
    expected = [0]  # reports the table says the spotted gestures make
    wand.on_hid_report.append(lambda _report: sent_at.append(time.perf_counter()))

    def on_emit(e) -> None:
        if e.packet[0] == PKT_GESTURE and GesturePacket.decode(e.packet).gesture_id < len(bundle.classes):
            g = GesturePacket.decode(e.packet)
            line(f"  wand spots {bundle.classes[g.gesture_id]} (conf {g.confidence / 256:.2f})")
            result.gestures += 1
            expected[0] += len(wand.hid.on_event(e.packet))
    wand.on_emit = on_emit

    def on_report(rid: int, value: bytes) -> None:
        report = bytes([rid]) + value
        result.reports.append(report)
        if sent_at:  # notifications keep their order on the link
            result.latencies_ms.append((time.perf_counter() - sent_at.pop(0)) * 1000)
        text = describe_report(report)
        if text is not None:
            line(f"    TV receives {text}")
    await wand.run(speed=speed)
    deadline = time.monotonic() + 600  # a hang guard: returns as soon as the last report crossed the link
    while len(result.reports) < expected[0] and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await connection.disconnect()
    presses = sum(1 for r in result.reports if describe_report(r))
    lat = sorted(result.latencies_ms)
    median = f"{lat[len(lat) // 2]:.1f} ms" if lat else "n/a"
    line(f"\n{result.gestures} gestures -> {presses} key / media presses at the TV, each released; "
         f"report sent by the wand -> received by the host: median {median} (simulator, one process, "
         "no radio interval; a real link adds up to one connection interval, 7.5-50 ms)")
    return result
