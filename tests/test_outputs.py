"""Each action type end to end through its real seam.

keyboard/mouse: pynput on an Xvfb display, observed by pynput listeners (X RECORD);
MIDI: python-rtmidi on a JACK dummy server, observed by a receiving port;
game pad: the real evdev uinput call path (this kernel has no /dev/uinput: clear error);
programs: a real child process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from wand.config import parse_config
from wand.outputs.midi import MidiSettings
from wand.errors import DeviceError
from wand.events import GestureEvent
from wand.outputs import OutputSet

EVENT = GestureEvent("w", "g", "model", 0.9, 0.5, 1, 1000)


def actions(*specs, head=""):
    body = "\n".join(f"g{i} = {s}" for i, s in enumerate(specs))
    cfg = parse_config(f"{head}[profiles.p.gestures]\n{body}\n")
    return [a for i in range(len(specs)) for a in cfg.profiles["p"].gestures[f"g{i}"]]


def _wait(pred, timeout=600.0):  # a hang guard: returns as soon as pred() holds
    end = time.monotonic() + timeout
    while time.monotonic() < end and not pred():
        time.sleep(0.02)
    return pred()


def test_keyboard_actions_reach_the_x_server(xdisplay):
    from pynput import keyboard
    seen = []
    listener = keyboard.Listener(on_press=lambda k: seen.append(getattr(k, "char", None) or getattr(k, "name", str(k))))
    listener.start()
    listener.wait()
    try:
        outs = OutputSet()
        for a in actions('"key:channel_up"', '"text:ok"', '"chord:ctrl+z"',
                         '{ action = "key", key = "volume_up", repeat = 2, interval_ms = 10 }'):
            outs.perform(a, EVENT)
        assert _wait(lambda: {"page_up", "o", "k", "ctrl", "z", "media_volume_up"} <= set(seen)), seen
        assert seen.count("media_volume_up") >= 2
    finally:
        listener.stop()
        keyboard.Controller().tap(keyboard.Key.shift)  # the X record thread stops at its next event
        listener.join(timeout=5)


def test_mouse_actions_reach_the_x_server(xdisplay):
    from pynput import mouse
    seen = []
    listener = mouse.Listener(on_click=lambda x, y, b, pressed: seen.append(("click", b.name, pressed)),
                              on_scroll=lambda x, y, dx, dy: seen.append(("scroll", dy)),
                              on_move=lambda x, y: seen.append(("move", x, y)))
    listener.start()
    listener.wait()
    try:
        mouse.Controller().position = (100, 100)
        outs = OutputSet()
        for a in actions('"click:right"', '"scroll:0,-2"', '"move:30,20"'):
            outs.perform(a, EVENT)
        assert _wait(lambda: ("click", "right", True) in seen and ("scroll", -1) in seen
                     and any(e[0] == "move" and e[1:] == (130, 120) for e in seen)), seen
    finally:
        listener.stop()
        mouse.Controller().move(1, 0)  # the X record thread stops at its next event
        listener.join(timeout=5)


def test_midi_actions_arrive_at_a_receiving_port(jack_midi):
    mido = jack_midi
    outs = OutputSet(MidiSettings(port="wand test", virtual=True))
    acts = actions('{ action = "midi.note", note = "C4", velocity = "strength", duration_ms = 50 }',
                   '"midi.cc:7=100"', '"midi.program:+1"', '"midi.program:+1"', '"midi.program:-1"')
    outs.perform(acts[0], EVENT)  # opens the port
    port = [n for n in mido.get_input_names() if "wand test" in n]
    assert port, mido.get_input_names()
    with mido.open_input(port[0]) as inp:
        time.sleep(0.2)
        for a in acts:
            outs.perform(a, EVENT)
        got = []
        # wait for what is expected (the note-off comes on a timer), generously: CI may be loaded
        _wait(lambda: got.extend(inp.iter_pending()) or (any(m.type == "note_off" for m in got)
                                                         and sum(m.type == "program_change" for m in got) == 3),
              timeout=600)  # a hang guard: returns as soon as both arrive
    outs.close()
    kinds = [(m.type, getattr(m, "note", None), getattr(m, "velocity", None)) for m in got if "note" in m.type]
    assert ("note_on", 60, 64) in kinds and ("note_off", 60, 0) in kinds  # velocity from strength 0.5
    assert any(m.type == "control_change" and m.control == 7 and m.value == 100 for m in got)
    assert [m.program for m in got if m.type == "program_change"] == [1, 2, 1]


def test_midi_without_alsa_or_jack_is_a_clear_error(monkeypatch):
    import mido
    monkeypatch.delenv("MIDO_BACKEND", raising=False)
    mido.set_backend("mido.backends.rtmidi/LINUX_ALSA")
    if Path("/dev/snd/seq").exists():
        pytest.skip("this machine has an ALSA sequencer")
    try:
        from wand.outputs.midi import MidiOutput
        with pytest.raises(DeviceError, match=r"MIDI output unavailable .*ALSA sequencer"):
            MidiOutput(MidiSettings())
    finally:
        mido.set_backend(None)


def test_gamepad_through_evdev_or_a_clear_error():
    from wand.outputs.gamepad import EvdevGamepad
    if Path("/dev/uinput").exists():
        pad = EvdevGamepad()  # a machine with uinput: the device really is created
        for a in actions('{ action = "pad", button = "a", hold_ms = 1 }', '"pad.axis:x=0.5"'):
            pad.perform(a, EVENT)
        pad.close()
        return
    with pytest.raises(DeviceError, match=r"/dev/uinput.*modprobe uinput"):
        EvdevGamepad()


def test_a_missing_device_stops_only_its_own_output(tmp_path):
    reports = []
    outs = OutputSet(report=reports.append)
    marker = tmp_path / "ran"
    pad, run = actions('"pad:a"', f'{{ action = "run", argv = ["{sys.executable}", "-c", '
                                  f'"import os,pathlib; pathlib.Path(r\'{marker}\').write_text(os.environ[\'WAND_GESTURE\'])"] }}')
    if not Path("/dev/uinput").exists():
        with pytest.raises(DeviceError):
            outs.perform(pad, EVENT)
        with pytest.raises(DeviceError):  # retried later, not on every gesture: reported once
            outs.perform(pad, EVENT)
        assert len(reports) == 1 and "gamepad" in reports[0]
        assert "unavailable" in outs.status()["gamepad"]
    assert outs.perform(run, EVENT).startswith("started")
    assert _wait(lambda: marker.exists() and marker.read_text() == "g")


def test_run_reports_a_missing_program_with_its_config_line():
    outs = OutputSet()
    (a,) = actions('{ action = "run", argv = ["/no/such/program"] }')
    with pytest.raises(DeviceError, match=r"<config>:2: cannot run '/no/such/program'"):
        outs.perform(a, EVENT)


def test_keyboard_without_a_display_is_a_clear_error(monkeypatch):
    import subprocess
    code = ("from wand.outputs.keyboard import KeyboardOutput\n"
            "from wand.errors import DeviceError\n"
            "try:\n    KeyboardOutput()\nexcept DeviceError as e:\n    print(e)\n")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "keyboard output unavailable" in done.stdout and "DISPLAY" in done.stdout, done.stdout + done.stderr


def test_dry_run_describes_every_action_kind():
    outs = OutputSet(dry_run=True)
    acts = actions('"key:a"', '"chord:ctrl+c"', '"text:x"', '"click:left"', '"move:1,2"', '"scroll:0,1"',
                   '"pad:b"', '"pad.axis:y=1"', '"midi.note:60"', '"midi.cc:1=strength"', '"midi.program:3"',
                   '{ action = "run", argv = ["x"] }')
    lines = [outs.perform(a, EVENT) for a in acts]
    assert all(line.startswith("(dry run) ") for line in lines)
    assert "MIDI CC 1=64 ch 1" in lines[9]


def test_dry_run_describes_the_network_outputs_too():
    outs = OutputSet(dry_run=True)
    lines = [outs.perform(a, EVENT) for a in actions('"tv:channel_up"', '"tv:digits=42"', '"mqtt:gesture"',
                                                      '"osc:/wand/g"', head='[tv]\nbackend = "cec"\n')]
    assert lines == ["(dry run) TV channel_up", "(dry run) TV digits 42",
                     "(dry run) MQTT publish g (strength 0.50)", "(dry run) OSC /wand/g [0.5]"]


def test_a_reloaded_config_reopens_only_outputs_whose_settings_changed():
    cfg = parse_config('[osc]\nport = 9000\n[profiles.p.gestures]\na = "osc:/a"\n')
    outs = OutputSet(cfg)
    (osc,) = cfg.profiles["p"].gestures["a"]
    outs.perform(osc, EVENT)
    first = outs._open["osc"]
    outs.update(parse_config('[osc]\nport = 9000\n[profiles.p.gestures]\na = "osc:/a"\n'))
    assert outs._open["osc"] is first  # same settings: kept open
    outs.update(parse_config('[osc]\nport = 9001\n[profiles.p.gestures]\na = "osc:/a"\n'))
    assert "osc" not in outs._open
    outs.perform(osc, EVENT)
    assert outs._open["osc"].settings.port == 9001
    outs.close()


def test_a_library_exception_inside_an_output_is_one_line_with_the_config_line(monkeypatch):
    from wand.outputs.osc import OscOutput
    (a,) = actions('"osc:/a"')
    outs = OutputSet()
    monkeypatch.setattr(OscOutput, "perform", lambda self, action, event: 1 / 0)
    with pytest.raises(DeviceError, match=r"^<config>:2: osc output failed \(ZeroDivisionError: division by zero\)$"):
        outs.perform(a, EVENT)
    outs.close()
