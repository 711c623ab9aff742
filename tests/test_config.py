"""The mapping config: examples validate; mistakes name file:line, the value and what is allowed."""

from __future__ import annotations

import pytest

from wand.characters import STROKE_LABELS
from wand.config import example_names, example_path, load_config, parse_config
from wand.errors import ConfigError, WandError


@pytest.mark.parametrize("name", ["tv", "typing", "music", "presentation", "home"])
def test_examples_validate_and_use_known_gestures(name, bundle):
    assert name in example_names()
    cfg = load_config(example_path(name))
    known = set(bundle.gesture_names) | {"shake", "swipe_down", "diagonal_up_right"}  # the data set's others
    known |= set(STROKE_LABELS)  # the air-writing vocabulary
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


# --- strictness: anything wrong is a ConfigError naming file:line, never another exception ---

@pytest.mark.parametrize("text, where, message", [
    ('[profiles.p.gestures]\nshake = "midi.note:²"\n', 2, "note must be 0-127 or a name"),  # '²'.isdigit()
    ('spotting = 5\n[profiles.p.gestures]\nq = "key:a"\n', 1, "[spotting] must be a table"),
    ('wands = [1]\n[profiles.p.gestures]\nq = "key:a"\n', 1, "[wands] must be a table"),
    ('default_profile = []\n[profiles.p.gestures]\nq = "key:a"\n', 1, "default_profile [] is not a profile"),
    ('[profiles.p.gestures]\nq = { action = ["key"] }\n', 2, 'an action table needs action = "KIND"'),
    ('[wands.x]\naddress = 5\n[profiles.p.gestures]\nq = "key:a"\n', 2, "address must be a Bluetooth address"),
    ('[wands.x]\naddress = "kitchen"\n[profiles.p.gestures]\nq = "key:a"\n', 2, "address must be a Bluetooth"),
    ('[wands.x]\ncolour = "red"\n[profiles.p.gestures]\nq = "key:a"\n', 2, "unknown setting 'colour'"),
    ('[wands.x]\nprofile = 3\n[profiles.p.gestures]\nq = "key:a"\n', 2, "no profile 3"),
    ('[profiles.p]\ndescription = 5\n[profiles.p.gestures]\nq = "key:a"\n', 2, "description must be a string"),
    ('[profiles.p]\ngestures = 5\n', 2, "gestures must be a table"),
    ('[profiles.p.gestures]\n"bad\\nname" = "key:a"\n', 2, "a gesture name must be 1-64 printable"),
    ('[profiles.p.gestures]\nq = "midi.program:³"\n', 2, "program must be an integer 0..127"),
    ('[profiles.p.gestures]\nq = "midi.program:+999"\n', 2, "a program step is +1..+127"),
    ('[profiles.p.gestures]\nq = "midi.program:-0"\n', 2, "a program step is +1..+127"),
    ('[profiles.p.gestures]\nq = "midi.cc:¹=5"\n', 2, "cc must be an integer 0..127"),
    ('[profiles.p.gestures]\nq = "pad.axis:x=nan"\n', 2, "value must be a number -1..1"),
    ('[profiles.p.gestures]\nq = { action = "key", key = "a", repeat = true }\n', 2, "repeat must be an integer"),
    ('[profiles.p.gestures]\nq = { action = "text", text = 5 }\n', 2, "text must be a non-empty string"),
    ('[profiles.p.gestures]\nq = "move:1,²"\n', 2, "delta must be 'dx,dy'"),
    ('[midi]\nport = 5\n[profiles.p.gestures]\nq = "key:a"\n', 2, "port must be a non-empty string"),
    ('midi = "x"\n[profiles.p.gestures]\nq = "key:a"\n', 1, "[midi] must be a table"),
    ('[profiles.p.gestures]\nq = { action = "run", argv = ["echo", "a\\u0000b"] }\n', 2, "argv[1] contains a NUL"),
    ('[profiles.p.gestures]\nq = { action = "run", argv = ["/etc/passwd/x"] }\n', 2, "a part of its path is a file"),
    ('[profiles.p.gestures]\nq = { action = "run", argv = ["/etc"] }\n', 2, "it is a folder"),
    ('[profiles.p.gestures]\nq = { action = "run", argv = ["~nouser_xyz/x"] }\n', 2, "no home folder for that user"),
    ('[profiles.p.gestures]\nq = { action = "osc", address = "/a", args = [1e308] }\n', 2, "floats within +-3.4e38"),
    ('[profiles.p.gestures]\nq = { action = "osc", address = "/a", args = [4294967296] }\n', 2, "integers within"),
    ('[profiles.p.gestures]\nq = { action = "osc", address = "/a", args = ["a\\u0000b"] }\n', 2, "without NUL"),
    ('[profiles.p.gestures]\nq = [' + '"key:a",' * 40 + ']\n', 2, "at most 32"),
    ("x = " + "[" * 1000 + "]" * 1000 + "\n", 1, "nest too deeply"),   # RecursionError in tomllib
    ("x = " + "[" * 20 + "]" * 20 + "\n", 1, "nest too deeply"),       # parses, then bounded
])
def test_every_field_is_checked_strictly(tmp_path, text, where, message):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}:{where}"), str(err.value)
    assert message in str(err.value)


def test_a_script_without_shebang_is_refused_at_check_and_one_line_at_run(tmp_path):
    from wand.events import GestureEvent
    from wand.outputs import OutputSet
    script = tmp_path / "zap"
    script.write_text("echo hi\n")
    script.chmod(0o755)
    spec = f'[profiles.p.gestures]\nq = {{ action = "run", argv = ["{script}"] }}\n'
    with pytest.raises(ConfigError, match=r"<config>:2: cannot run .*no '#!' first line"):
        parse_config(spec)
    script.unlink()  # not there at check time: checked again when it runs
    cfg = parse_config(spec)
    script.write_text("echo hi\n")
    script.chmod(0o755)
    with pytest.raises(WandError, match=r"<config>:2: cannot run .*no '#!' first line"):  # checked again
        OutputSet(cfg).perform(cfg.profiles["p"].gestures["q"][0], GestureEvent("w", "q", "model", 1, 1, 1, 1))


def test_a_config_others_may_write_is_refused_like_ssh(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.p.gestures]\nq = "key:a"\n')
    for mode in (0o664, 0o646):
        path.chmod(mode)
        with pytest.raises(ConfigError, match=rf"{path}: writable by other users.*chmod go-w {path}$"):
            load_config(path)
    path.chmod(0o644)
    assert load_config(path).profiles["p"]


def test_size_is_bounded(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.p.gestures]\nq = "key:a"\n' + "# padding\n" * 120_000)
    with pytest.raises(ConfigError, match="too long for a config"):
        load_config(path)


def test_each_output_declares_its_own_kinds_once():
    from wand.outputs import action_kinds, sections, specs
    names = [k.name for s in specs() for k in s.kinds]
    assert len(names) == len(set(names))
    assert {"key", "chord", "text", "click", "move", "scroll", "pad", "pad.axis", "midi.note", "midi.cc",
            "midi.program", "run", "tv", "mqtt", "osc"} == set(action_kinds())
    assert {"keyboard", "midi", "tv", "mqtt", "osc"} == set(sections())
    for spec in specs():
        for kind in spec.kinds:
            assert kind.params and kind.help and callable(kind.describe)


def test_readme_lists_every_action_kind():
    from wand.config import kinds_help
    from wand.paths import REPO_ROOT
    readme = (REPO_ROOT / "README.md").read_text()
    config_part = readme[readme.index("### Config"):readme.index("### Run it at login")]
    assert [k for k in kinds_help() if f"`{k}`" not in config_part] == []


def test_a_renamed_gesture_keeps_working_with_one_line(tmp_path, caplog, bundle):
    """circle_ccw was drawn clockwise by everyone who recorded it: it is now circle_cw, and an
    old config still maps it, saying file:line and what to change."""
    path = tmp_path / "old.toml"
    path.write_text('[profiles.p.gestures]\npush_forward = "key:a"\ncircle_ccw = "key:volume_up"\n')
    with caplog.at_level("WARNING", logger="wand.config"):
        cfg = load_config(path)
    assert "circle_cw" in bundle.gesture_names and "circle_ccw" not in bundle.gesture_names
    assert [a.kind for a in cfg.profiles["p"].gestures["circle_cw"]] == ["key"]
    assert "circle_ccw" not in cfg.profiles["p"].gestures
    [line] = [r.getMessage() for r in caplog.records]
    assert f"{path}:3" in line and "'circle_cw'" in line and "rename it" in line
    with pytest.raises(ConfigError, match=r"old\.toml:4: .*old name of 'circle_cw'.*keep one"):
        path.write_text('[profiles.p.gestures]\npush_forward = "key:a"\ncircle_cw = "key:b"\ncircle_ccw = "key:c"\n')
        load_config(path)
