"""Pen data (UNIPEN ink, 6DMG HTK words) with a hand-edited NaN or infinity is one error
naming the file (and line), not a NaN point that later crashes 'wand gestures --characters'
with "ValueError: cannot convert float NaN to integer"."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from wand.datasets import load_dataset
from wand.errors import GestureFileError


def _unipen(tmp_path, ink: str):
    (tmp_path / "data" / "1a" / "x").mkdir(parents=True)
    (tmp_path / "data" / "1a" / "x" / "a.dat").write_text('.INCLUDE x/a.dat\n.SEGMENT CHARACTER 0 ? "1"\n')
    (tmp_path / "include" / "x").mkdir(parents=True)
    (tmp_path / "include" / "x" / "a.dat").write_text(".WRITER_ID 7\n.PEN_DOWN\n" + ink + ".PEN_UP\n")


def test_unipen_good_ink_still_loads(tmp_path):
    _unipen(tmp_path, "1 2\n3 4\n")
    (s,) = load_dataset(tmp_path, "unipen")
    assert s.label == "1" and s.person == "x:7" and s.points.tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize("point", ["nan 2", "1 inf", "-Infinity 2", "1 1e999"])
def test_unipen_point_that_is_not_finite_names_file_and_line(tmp_path, point):
    _unipen(tmp_path, f"1 2\n{point}\n3 4\n")
    with pytest.raises(GestureFileError, match=r"include/x/a.dat:4: not an 'X Y' pen point"):
        load_dataset(tmp_path, "unipen")


@pytest.mark.parametrize("spec", ["1-0", "0:-1", "2", "0-3"])  # reversed; past the last component
def test_unipen_component_range_that_is_reversed_or_past_the_ink_names_the_line(tmp_path, spec):
    """Once a reversed range read nothing and "0:-1" read a component by negative indexing, silently."""
    _unipen(tmp_path, "1 2\n3 4\n")
    dat = tmp_path / "data" / "1a" / "x" / "a.dat"
    dat.write_text(dat.read_text().replace("CHARACTER 0 ", f"CHARACTER {spec} "))
    with pytest.raises(GestureFileError, match=rf"a.dat:2: component range '{spec}' not in"):
        load_dataset(tmp_path, "unipen")


def _htk(path, frames: np.ndarray) -> None:
    path.write_bytes(struct.pack(">iihh", len(frames), 1, 16, 9) + np.asarray(frames, ">f4").tobytes())


def test_6dmg_good_word_still_loads(tmp_path):
    _htk(tmp_path / "C1_AB.htk", np.arange(12).reshape(3, 4))
    (s,) = load_dataset(tmp_path, "6dmg-words")
    assert (s.label, s.person) == ("AB", "C1") and s.points.tolist() == [[0, 1], [4, 5], [8, 9]]


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_6dmg_frame_that_is_not_finite_names_the_file_and_frame(tmp_path, value):
    frames = np.zeros((5, 4))
    frames[3, 1] = value
    _htk(tmp_path / "C1_AB.htk", frames)
    with pytest.raises(GestureFileError, match=r"C1_AB.htk: frame 3 of 5 holds a value that is not a finite number"):
        load_dataset(tmp_path, "6dmg-words")


def test_the_demo_says_once_which_pen_file_does_not_read_and_goes_on_without_drawings(monkeypatch):
    """A corrupt pen data file: one line naming it, then the demo runs without drawings (it once
    said "no pen strokes here to draw ..." and re-read the data for every character)."""
    from wand import demo
    from wand.config import load_config
    from wand.datasets import synthetic_air
    calls = []

    def broken(part="test"):
        calls.append(part)
        raise GestureFileError("/x/include/a.dat:3: not an 'X Y' pen point: 'nan nan'")
    monkeypatch.setattr(synthetic_air, "pen_strokes", broken)
    lines: list[str] = []
    from wand.paths import EXAMPLES_DIR
    config = load_config(EXAMPLES_DIR / "tv.toml")  # maps digits and shapes: characters to draw
    assert demo._drawings(config, 2, 1, lines.append) == []
    assert lines == ["no drawings: the pen data does not read (/x/include/a.dat:3: not an 'X Y' pen point: 'nan nan')"]
    assert len(calls) == 1
