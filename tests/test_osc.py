"""OSC to a real python-osc server on loopback: address, fixed args and strength as a float."""

from __future__ import annotations

import threading
import time

import pytest

from wand.config import parse_config
from wand.errors import ConfigError
from wand.events import GestureEvent
from wand.outputs import OutputSet


@pytest.fixture
def osc_server():
    from pythonosc.dispatcher import Dispatcher
    from pythonosc.osc_server import ThreadingOSCUDPServer
    got: list[tuple] = []
    d = Dispatcher()
    d.set_default_handler(lambda address, *args: got.append((address, *args)))
    server = ThreadingOSCUDPServer(("127.0.0.1", 0), d)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], got
    server.shutdown()
    server.server_close()


def test_messages_carry_strength_as_a_float(osc_server):
    port, got = osc_server
    cfg = parse_config(f"""
[osc]
port = {port}
[profiles.p.gestures]
a = "osc:/wand/circle"
b = {{ action = "osc", address = "/fx/wet", args = [1, "x"], strength = false }}
""")
    outs = OutputSet(cfg)
    g = cfg.profiles["p"].gestures
    assert outs.perform(g["a"][0], GestureEvent("w", "a", "model", 0.9, 0.75, 1, 1)) == "OSC /wand/circle [0.75]"
    outs.perform(g["b"][0], GestureEvent("w", "b", "model", 0.9, 0.2, 2, 2))
    end = time.monotonic() + 600  # a hang guard: the loop ends as soon as both arrive
    while len(got) < 2 and time.monotonic() < end:
        time.sleep(0.02)
    outs.close()
    assert sorted(got) == [("/fx/wet", 1, "x"), ("/wand/circle", 0.75)]
    assert isinstance(dict((m[0], m) for m in got)["/wand/circle"][1], float)


@pytest.mark.parametrize("spec, msg", [('"osc:wand"', "an OSC address is like /wand/circle"),
                                       ('{ action = "osc", address = "/a", args = [[1]] }', "OSC args must be"),
                                       ('{ action = "osc", address = "/a", strength = 1 }', "strength must be true or false")])
def test_bad_osc_actions_name_their_line(spec, msg):
    with pytest.raises(ConfigError, match=msg) as err:
        parse_config(f"[profiles.p.gestures]\n\na = {spec}\n")
    assert str(err.value).startswith("<config>:3:")


def test_dry_run_describes_osc():
    cfg = parse_config('[profiles.p.gestures]\na = "osc:/x"\n')
    line = OutputSet(cfg, dry_run=True).perform(cfg.profiles["p"].gestures["a"][0],
                                                 GestureEvent("w", "a", "model", 0.9, 0.5, 1, 1))
    assert line == "(dry run) OSC /x [0.5]"
