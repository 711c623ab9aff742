"""Keys and mouse without X: the uinput backend. Every key name the config accepts has an
evdev code; which backend 'auto' picks and why; the clear error where /dev/uinput is
missing (this kernel), and real key events read back where it exists."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from wand.config import parse_config
from wand.errors import DeviceError
from wand.events import GestureEvent
from wand.outputs import OutputSet
from wand.outputs._uinput import UinputKeyboard, char_code, key_code
from wand.outputs.keyboard import KEY_ALIASES, SPECIAL_KEYS, KeyboardSettings, choose_backend, key_name

ecodes = pytest.importorskip("evdev").ecodes
EVENT = GestureEvent("w", "g", "model", 0.9, 0.5, 1, 1000)
TYPABLE = string.ascii_letters + string.digits + string.punctuation + " \n\t"


def test_every_key_name_the_config_accepts_has_an_evdev_code():
    names = sorted(SPECIAL_KEYS | set(KEY_ALIASES)) + list(string.ascii_letters + string.digits + string.punctuation)
    for name in names:
        canonical = key_name(name, "<test>")  # what the config keeps
        code, _ = key_code(canonical)
        assert isinstance(getattr(ecodes, code), int), (name, code)


def test_typed_characters_map_to_us_layout_keys_with_shift():
    assert char_code("a") == ("KEY_A", False) and char_code("A") == ("KEY_A", True)
    assert char_code("!") == ("KEY_1", True) and char_code("?") == ("KEY_SLASH", True)
    assert char_code("\n") == ("KEY_ENTER", False)
    for ch in TYPABLE:
        code, _ = char_code(ch)
        assert isinstance(getattr(ecodes, code), int), ch
    # pynput's names and the kernel's agree on what matters to a TV or a slide deck
    assert key_code("page_up")[0] == "KEY_PAGEUP" and key_code("media_volume_up")[0] == "KEY_VOLUMEUP"


def test_a_character_uinput_cannot_type_is_one_line():
    kb = UinputKeyboard.__new__(UinputKeyboard)
    with pytest.raises(DeviceError, match=r"<config>:2: the uinput backend types US-layout ASCII only; .*'é'"):
        kb._code("é", "<config>:2")


@pytest.mark.parametrize("backend, env, platform, chosen, why", [
    ("auto", {"DISPLAY": ":0"}, "linux", "pynput", "an X display"),
    ("auto", {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", "uinput", "Wayland session"),
    ("auto", {}, "linux", "uinput", "no X display"),
    ("auto", {}, "darwin", "pynput", "darwin has no uinput"),
    ("uinput", {"DISPLAY": ":0"}, "linux", "uinput", '[keyboard] backend = "uinput"'),
    ("pynput", {"WAYLAND_DISPLAY": "w"}, "linux", "pynput", '[keyboard] backend = "pynput"'),
])
def test_backend_choice_says_why(backend, env, platform, chosen, why):
    got, reason = choose_backend(KeyboardSettings(backend), env, platform)
    assert got == chosen and why in reason


@pytest.mark.skipif(Path("/dev/uinput").exists(), reason="this machine has /dev/uinput")
def test_missing_uinput_is_one_clear_line_and_other_outputs_keep_working(tmp_path):
    cfg = parse_config('[keyboard]\nbackend = "uinput"\n[profiles.p.gestures]\n'
                       'a = "key:channel_up"\nb = "click:left"\nc = "osc:/x"\n')
    reports = []
    outs = OutputSet(cfg, report=reports.append)
    g = cfg.profiles["p"].gestures
    with pytest.raises(DeviceError, match=r'keyboard output unavailable: uinput chosen because of \[keyboard\] '
                                          r'backend = "uinput".*/dev/uinput.*modprobe uinput') as e:
        outs.perform(g["a"][0], EVENT)
    assert "\n" not in str(e.value)
    with pytest.raises(DeviceError, match=r"mouse output unavailable.*/dev/uinput"):
        outs.perform(g["b"][0], EVENT)
    assert len(reports) == 2
    assert outs.perform(g["c"][0], EVENT).startswith("OSC /x")  # UDP to nobody: still sent
    outs.close()


@pytest.mark.skipif(not Path("/dev/uinput").exists(), reason="no /dev/uinput in this kernel")
def test_keys_reach_a_real_uinput_device():
    import evdev
    kb = UinputKeyboard()
    try:
        dev = evdev.InputDevice(kb._dev.ui.device.path)
        cfg = parse_config('[profiles.p.gestures]\na = "text:Hi"\nb = "key:volume_up"\n')
        for a in (cfg.profiles["p"].gestures["a"][0], cfg.profiles["p"].gestures["b"][0]):
            kb.perform(a, EVENT)
        got = []
        while True:
            ev = dev.read_one()
            if ev is None:
                break
            if ev.type == ecodes.EV_KEY and ev.value == 1:
                got.append(ecodes.KEY[ev.code])
        assert got == ["KEY_LEFTSHIFT", "KEY_H", "KEY_I", "KEY_VOLUMEUP"]
    finally:
        kb.close()
