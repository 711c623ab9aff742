"""Configs name the air-writing vocabulary: digit_0..9, letter_a..z, shape_*; a misspelt
character is file:line with a did-you-mean; every example passes `wand config check`."""

from __future__ import annotations

import os
import string
import subprocess
import sys

import pytest

from wand.characters import DIGITS, LETTERS, SHAPES, STROKE_LABELS, index, mask_of
from wand.config import example_names, example_path, load_config, parse_config
from wand.errors import ConfigError
from wand.protocol import STROKE_FLAG_CHARACTERS_FIRST, STROKE_FLAG_ENABLED


def wand(*args, timeout=600):  # a hang guard, not a speed limit
    return subprocess.run([sys.executable, "-m", "wand", *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ), cwd=os.getcwd())


@pytest.mark.parametrize("name", ["tv", "typing", "music", "presentation"])
def test_every_example_passes_wand_config_check(name):
    assert name in example_names()
    done = wand("config", "check", str(example_path(name)))
    assert done.returncode == 0, done.stderr
    assert ": ok," in done.stdout
    note = next((line for line in done.stdout.splitlines() if line.startswith("note:")), "")
    assert not any(c in note.split() or c + "," in note for c in STROKE_LABELS), "characters are built in"


def test_typing_example_types_each_letter_and_digit():
    profile = load_config(example_path("typing")).profiles["typing"]
    for name in DIGITS + LETTERS:
        (action,) = profile.gestures[name]
        assert action.kind == "key" and action.params["key"] == name.split("_")[1]


def test_tv_example_draw_5_is_channel_5_and_shapes_are_commands():
    cfg = load_config(example_path("tv"))
    smart = cfg.profiles["smart_tv"].gestures
    for d in string.digits:
        (action,) = smart[f"digit_{d}"]
        assert (action.kind, action.params["command"], action.params["digits"]) == ("tv", "digits", d)
    shapes = [g for g in smart if g in SHAPES]
    assert len(shapes) >= 4 and all(smart[g][0].kind == "tv" for g in shapes)
    mask = cfg.stroke_mask("smart_tv")
    assert mask == mask_of(DIGITS + tuple(shapes))
    assert mask & (1 << index("digit_0")) and not mask & (1 << index("letter_o"))  # 0 is never read as O


def test_tv_example_gives_no_motion_two_meanings():
    """Drawn from a hold, a line is diagonal_up_left and a circle is circle_cw (the arbitration
    study's validation tries: 3 of 10 diagonals read as a line): no example profile maps both."""
    same = {"diagonal_up_left": "shape_line", "diagonal_up_right": "shape_line", "circle_cw": "shape_circle"}
    for name in ("tv", "typing"):
        for pname, profile in load_config(example_path(name)).profiles.items():
            both = [(g, c) for g, c in same.items() if g in profile.gestures and c in profile.gestures]
            assert not both, f"{name}.toml [{pname}] maps {both}"


@pytest.mark.parametrize("bad, suggestion", [("letter_Z", "letter_z"), ("shape_circel", "shape_circle"),
                                             ("letter-q", "letter_q"), ("Digit_5", "digit_5")])
def test_misspelt_character_is_file_line_with_did_you_mean(tmp_path, bad, suggestion):
    path = tmp_path / "c.toml"
    path.write_text(f'[profiles.p.gestures]\nletter_a = "key:a"\n{bad} = "key:z"\n')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert f"{path}:3:" in str(e.value) and f"did you mean {suggestion!r}" in str(e.value)
    done = wand("config", "check", str(path))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and f"c.toml:3" in done.stderr


def test_a_name_outside_the_character_spaces_stays_a_custom_gesture():
    cfg = parse_config('[profiles.p.gestures]\nzorro = "key:z"\ndigitally = "key:d"\nletter_z = "key:z"\n')
    assert set(cfg.profiles["p"].gestures) == {"zorro", "digitally", "letter_z"}
    assert cfg.stroke_mask("p") == 1 << index("letter_z")


def test_unknown_custom_name_notes_a_near_built_in(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[profiles.p.gestures]\ncirlce_cw = "key:a"\n')
    done = wand("config", "check", str(path))
    assert done.returncode == 0 and "cirlce_cw (did you mean 'circle_cw'?)" in done.stdout


@pytest.mark.parametrize("lines, flags", [
    ("", STROKE_FLAG_ENABLED | STROKE_FLAG_CHARACTERS_FIRST),  # the default: one event per drawing
    ("characters_first = false", STROKE_FLAG_ENABLED),  # both sent, as before the arbitration
    ("enabled = false", STROKE_FLAG_CHARACTERS_FIRST),  # one switch leaves the other alone
    ("enabled = false\ncharacters_first = false", 0),
])
def test_characters_first_is_a_strokes_switch(lines, flags):
    cfg = parse_config(f'[strokes]\n{lines}\n[profiles.p.gestures]\ndigit_5 = "key:5"\n')
    assert cfg.strokes.flags == flags
    assert cfg.stroke_config("p").flags == flags  # what the daemon writes to the wand


def test_characters_first_must_be_true_or_false(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[strokes]\ncharacters_first = "yes"\n[profiles.p.gestures]\ndigit_5 = "key:5"\n')
    with pytest.raises(ConfigError, match=r"c\.toml:2: .*characters_first must be true or false"):
        load_config(path)


def test_character_mass_is_a_strokes_setting_and_the_old_name_says_its_new_one(tmp_path):
    cfg = parse_config('[strokes]\nmin_character_mass = 192\n[profiles.p.gestures]\ndigit_5 = "key:5"\n')
    assert cfg.stroke_config("p").min_character_mass == 192
    assert parse_config('[profiles.p.gestures]\ndigit_5 = "key:5"\n').stroke_config("p").min_character_mass == 224
    path = tmp_path / "c.toml"
    path.write_text('[strokes]\nmin_active_mass = 64\n[profiles.p.gestures]\ndigit_5 = "key:5"\n')
    with pytest.raises(ConfigError, match=r"c\.toml:2: min_active_mass is now min_character_mass"):
        load_config(path)


def test_a_character_yields_only_where_the_profile_maps_a_model_gesture():
    """The TV example maps push_forward and digits: a character under over_gesture yields to a
    held gesture there; the typing example maps no gesture of the model, so a character always wins."""
    model = ["diagonal_up_left", "circle_cw", "push_forward"]
    tv = load_config(example_path("tv"))
    assert tv.stroke_config("tv", model).over_gesture == 248  # the default, chosen on validation
    typing = load_config(example_path("typing"))
    assert typing.stroke_config("typing", model).over_gesture == 0
    assert tv.stroke_config("tv", ["wiggle"]).over_gesture == 0  # a model whose gestures tv does not map
    assert tv.stroke_config("tv").over_gesture == 248  # no model given: any gesture name counts


@pytest.mark.parametrize("value, score", [(0, 0), (0.9, 228), (0.97, 248), (1, 252)])
def test_over_gesture_is_a_probability_sent_in_steps_of_4(value, score):
    cfg = parse_config(f'[strokes]\nover_gesture = {value}\n[profiles.p.gestures]\npush_forward = "key:a"\n'
                       'digit_5 = "key:5"\n')
    assert cfg.stroke_config("p", ["push_forward"]).over_gesture == score


def test_over_gesture_out_of_range_is_one_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[strokes]\nover_gesture = 2\n[profiles.p.gestures]\ndigit_5 = "key:5"\n')
    with pytest.raises(ConfigError, match=r"c\.toml:2: over_gesture is a probability between 0 and 1"):
        load_config(path)


def test_a_name_in_the_characters_name_spaces_that_no_config_could_map_is_refused_up_front(tmp_path, monkeypatch):
    """`letter_zz`: recording, importing or enrolling it used to work, then every config
    refused to map it. Now each refuses it at once, with the config's own words."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var))
    monkeypatch.setenv("WAND_RECORDINGS", str(tmp_path / "recordings"))
    src = "gestures/datasets/tiny-trainable-instruments/databases/gesture/custom/20210623/gesture0.csv"
    done = wand("import", src, "--gesture", "letter_zz", "--out", str(tmp_path / "rec"))
    assert done.returncode == 1 and "'letter_zz' is not a character the wand reads (did you mean 'letter_z'?)" \
        in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "rec" / "letter_zz").exists()
    for args in (["enrol", "letter_zz", "--drawing"], ["enrol", "shape_circel"]):
        done = wand(*args)
        assert done.returncode == 1 and "is not a character the wand reads (did you mean" in done.stderr, done.stderr


@pytest.mark.parametrize("key", ['"letter z"', '"letter_z\\u0000"', "'letter Z'"])
def test_a_quoted_key_is_reported_at_its_own_line(tmp_path, key):
    """Quoted keys were reported at their table's line (2), not their own (3)."""
    path = tmp_path / "c.toml"
    path.write_text(f'[profiles.p.gestures]\nletter_a = "key:a"\n{key} = "key:z"\n')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert str(e.value).startswith(f"{path}:3:"), str(e.value)


def test_a_config_under_an_unknown_users_home_and_an_example_that_is_a_path_are_one_line(tmp_path):
    """'~nouser/x.toml' was 'internal error: RuntimeError' (expanduser); 'config example
    ../../pyproject' printed pyproject.toml as an example (and --write would install it)."""
    for args in (["config", "check", "~nouser_xyz/x.toml"], ["demo", "--config", "~nouser_xyz/x.toml"]):
        done = wand(*args)
        assert done.returncode == 1 and "no home folder for that user; write the full path" in done.stderr, done.stderr
        assert "internal error" not in done.stderr and done.stderr.count("\n") == 1
    done = wand("config", "example", "../../pyproject")
    assert done.returncode == 1 and done.stdout == "" and "no example '../../pyproject'; examples:" in done.stderr
    with pytest.raises(ConfigError, match="no example"):
        example_path("../examples/tv")
