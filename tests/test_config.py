"""The mapping config: examples validate; mistakes name file:line, the value and what is allowed."""

from __future__ import annotations

import pytest

from wand.config import example_names, example_path, load_config, parse_config
from wand.errors import ConfigError


@pytest.mark.parametrize("name", ["tv", "music", "presentation"])
def test_examples_validate_and_use_known_gestures(name, bundle):
    assert name in example_names()
    cfg = load_config(example_path(name))
    known = set(bundle.gesture_names) | {"shake", "swipe_down", "diagonal_up_right"}  # the data set's others
    assert cfg.gestures_used() <= known
    assert cfg.profiles[cfg.default_profile].gestures


def test_action_forms():
    cfg = parse_config("""
[spotting]
threshold = 0.8
[profiles.p.gestures]
a = "chord:ctrl+shift+z"
b = ["key:volume_up", "text:hi"]
c = { action = "midi.note", note = "F#3", velocity = "strength", channel = 10 }
d = "midi.program:+1"
e = { action = "run", argv = ["echo", "x"] }
f = "pad.axis:rx=-0.5"
g = "profile:next"
""")
    g = cfg.profiles["p"].gestures
    assert g["a"][0].params["keys"] == ["ctrl", "shift", "z"]
    assert [a.params.get("key") for a in g["b"]] == ["media_volume_up", None]
    assert g["c"][0].params == {"note": 54, "velocity": "strength", "duration_ms": 250, "channel": 10}
    assert g["d"][0].params["step"] == 1
    assert g["e"][0].params["argv"] == ["echo", "x"]
    assert g["f"][0].params["value"] == -0.5
    assert cfg.spotting.threshold == round(0.8 * 256)


@pytest.mark.parametrize("text, where, message", [
    ("[profiles.tv.gestures]\nx = \"key:nokey\"\n", 2, "unknown key 'nokey'"),
    ("[profiles.tv.gestures]\n\n\ny = \"zap:1\"\n", 4, "unknown action 'zap'; allowed: key, chord"),
    ("[profiles.m.gestures]\nq = { action = \"midi.note\", note = 200 }\n", 2, "note must be an integer 0..127, got 200"),
    ("[profiles.m.gestures]\nq = { action = \"midi.cc\", cc = 7, value = 300 }\n", 2, "value must be an integer 0..127"),
    ("[profiles.m.gestures]\nq = { action = \"key\", key = \"a\", colour = 1 }\n", 2, "key does not take colour"),
    ("[profiles.m.gestures]\nq = \"profile:nowhere\"\n", 2, "no profile 'nowhere'; profiles: m"),
    ("[profiles.m.gestures]\nq = { action = \"run\", argv = \"rm -rf /\" }\n", 2, "a list of strings; no shell"),
    ("default_profile = \"zz\"\n[profiles.a.gestures]\nq = \"key:a\"\n", 1, "default_profile 'zz' is not a profile"),
    ("[spotting]\nthreshold = 3\n[profiles.a.gestures]\nq = \"key:a\"\n", 2, "threshold is a probability"),
    ("[spotting]\nagree = 5\n[profiles.a.gestures]\nq = \"key:a\"\n", 1, "agree=5 can never be met"),
    ("colour = 1\n[profiles.a.gestures]\nq = \"key:a\"\n", 1, "unknown setting 'colour'"),
    ("[profiles.a.gestures]\nq = \"key:a\"\n[profiles.a.gestures]\n", 3, "not valid TOML: Cannot declare"),
    ("[profiles.a.gestures]\nq = \"key:a\n", 2, "not valid TOML"),
])
def test_errors_name_file_line_value_and_allowed(tmp_path, text, where, message):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}:{where}") or f"line {where}" in str(err.value)
    assert message in str(err.value)


def test_missing_file_says_how_to_start(tmp_path):
    with pytest.raises(ConfigError, match="wand config example tv"):
        load_config(tmp_path / "none.toml")


def test_wand_bindings_choose_profiles():
    cfg = parse_config("""
[wands.bedroom]
address = "AA:BB:CC:DD:EE:FF"
profile = "music"
[profiles.tv.gestures]
q = "key:a"
[profiles.music.gestures]
q = "midi.note:60"
""")
    assert cfg.profile_for("x", "aa:bb:cc:dd:ee:ff") == "music"
    assert cfg.profile_for("bedroom") == "music"
    assert cfg.profile_for("kitchen") == "tv"
