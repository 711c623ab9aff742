"""Stand-alone mode over real GATT (issue 23): the simulated wand (bumble peripheral)
serves HID over GATT; `wand config push`'s table goes over the wand service; a bumble host
that bonds like a TV reads the report map, subscribes, and receives the reports a replayed
gesture should produce, decoded by hid-tools into usages."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("bumble")
hidtools = pytest.importorskip("hidtools.hid")

from bumble.link import LocalLink  # noqa: E402

from helpers import until  # noqa: E402
from test_ble_bumble import _device  # noqa: E402
from wand import hid  # noqa: E402
from wand.config import example_path, load_config  # noqa: E402
from wand.hid_demo import bond_and_subscribe  # noqa: E402
from wand.simwand.device import SimulatedWand  # noqa: E402
from wand.simwand.peripheral import WandPeripheral  # noqa: E402
from wand.transport.base import WandClient  # noqa: E402
from wand.transport.bumble import BumbleBackend  # noqa: E402


def test_a_bonded_host_gets_the_reports_a_pushed_table_says(bundle, vocab):
    config = load_config(example_path("tv"))
    profile = config.profiles[config.default_profile]
    mapped = {g: a for g, a in profile.gestures.items() if g == "circle_cw"}
    assert mapped, "the TV example maps circle_cw"
    plan = hid.plan(type(profile)(profile.name, "", mapped), {c: i for i, c in enumerate(bundle.classes)},
                    bundle.crc32)
    assert not plan.refused

    async def go():
        link = LocalLink()
        computer, wand_dev, tv = _device(link, 0), _device(link, 1), _device(link, 2)
        for d in (computer, wand_dev, tv):
            await d.power_on()
        wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:2])
        spotted = []
        circle = bundle.classes.index("circle_cw")
        wand.on_emit = lambda e: spotted.append(e) if e.packet[0] == 0x01 and e.packet[3] == circle else None
        await WandPeripheral(wand_dev, wand).advertise(interval_ms=20)
        address = str(wand_dev.random_address)
        backend = BumbleBackend(computer, address, name="wand-ble")
        await backend.connect()
        state = await WandClient(backend).push_hid_table(plan.table.encode())
        await backend.disconnect()
        got: list[bytes] = []
        connection, report_map = await bond_and_subscribe(tv, address, lambda rid, value: got.append(bytes([rid]) + value))
        encrypted = connection.is_encrypted
        await wand.run(speed=0)
        await until(lambda: spotted and len(got) >= 6 * len(spotted), timeout=600)
        await connection.disconnect()
        return state, report_map, encrypted, got, wand.hid_flash, len(spotted)
    state, report_map, encrypted, got, flash, spotted = asyncio.run(go())
    assert state == ("ok", len(plan.table.entries), hid.TABLE_CRC.unpack_from(flash, len(flash) - 4)[0])
    assert hid.Table.decode(flash) == plan.table  # what the wand keeps in flash is what was pushed
    assert report_map == hid.REPORT_MAP and encrypted and spotted >= 1
    rd = hidtools.ReportDescriptor.from_bytes(list(report_map))
    text = [rd.format_report(list(r)).strip() for r in got]
    # circle_cw = volume_up x3 in the example: per gesture three presses, each released
    assert len(text) == 6 * spotted
    assert text[0::2] == ["ReportID: 2 /Consumer Devices ['Volume Up']"] * 3 * spotted
    assert all("Volume" not in t and t.startswith("ReportID: 2") for t in text[1::2])
