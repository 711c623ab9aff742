"""A hand-edited tflm-magic-wand file: a reading beyond the sensor's 16-bit range is one
file:line error (it used to wrap to another reading in int32 -> int16), and a FIFO named
like a data file is refused instead of waited on for ever."""

from __future__ import annotations

import os

import numpy as np
import pytest

from wand.datasets import load_named
from wand.datasets.tflm import read_tflm_tries
from wand.errors import GestureFileError

GOOD = "-,-,-\n" + "12.5,-980.0,33.0\n" * 5 + "-,-,-\n"


def test_good_tries_still_read(tmp_path):
    path = tmp_path / "output_wing_x.txt"
    path.write_text(GOOD * 2)
    tries = read_tflm_tries(path)
    assert len(tries) == 2 and tries[0].shape == (5, 3) and tries[0][0].tolist() == [12.5, -980.0, 33.0]


@pytest.mark.parametrize("value", ["40000.0", "-32768.5", "1" + "0" * 30])
def test_a_reading_beyond_the_sensor_range_names_the_line(tmp_path, value):
    path = tmp_path / "output_wing_x.txt"
    path.write_text(GOOD + f"-,-,-\n1.0,{value},2.0\n")
    with pytest.raises(GestureFileError, match=rf"output_wing_x.txt:9: .* outside the sensor's range"):
        read_tflm_tries(path)


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    path = tmp_path / "output_wing_x.txt"
    os.mkfifo(path)
    with pytest.raises(GestureFileError, match="output_wing_x.txt"):
        read_tflm_tries(path)


def test_the_shared_data_set_reads_as_before():
    recs = load_named("tflm-magic-wand")
    assert recs and all(np.abs(r.samples).max() <= 32767 for r in recs)


@pytest.mark.parametrize("dataset, name", [
    ("quickdraw-shapes", "star.ndjson"), ("petewarden-digits", "petewarden_1.json"),
    ("sp-sw-har", "s01/s01_01_sw.csv"), ("6dmg-words", "C1_ABC.htk"),
])
def test_every_loader_refuses_a_fifo_named_like_its_files(tmp_path, dataset, name):
    """No loader waits on a FIFO (or a device) named like one of its files: one line naming it."""
    from wand.datasets import load_dataset
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    with pytest.raises(GestureFileError, match=f"{name}: is a FIFO"):
        load_dataset(tmp_path, dataset)
