"""A hand-edited sp-sw-har file: not UTF-8 text, a value that is not finite or does not fit
the wire, or a timestamp that is not Unix ms, is one file(:line) error, never an internal
error (a UnicodeDecodeError, numpy's 'arange: cannot compute length', or a MemoryError from
resampling a 'recording' of thousands of years onto a 100 Hz grid)."""

from __future__ import annotations

import numpy as np
import pytest

from wand.datasets import load_dataset
from wand.datasets.sphar import COLUMNS, read_sphar_csv
from wand.errors import GestureFileError

HEAD = ",".join(COLUMNS) + "\n"


def _row(ts, v="0.5", label="SEATED") -> str:
    return f"{v},{v},9.8,{v},{v},{v},{ts},{label}\n"


GOOD = "".join(_row(1657544371648 + 10 * i) for i in range(6))


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, (HEAD + GOOD).encode("utf-16"),
                                  (HEAD + GOOD + _row(1657544371708, label="CAF\xc9")).encode("latin-1")])
def test_a_file_that_is_not_utf8_text_is_one_error_naming_it(tmp_path, data):
    (tmp_path / "s01").mkdir()
    path = tmp_path / "s01" / "s01_01_sw.csv"
    path.write_bytes(data)
    with pytest.raises(GestureFileError, match=r"s01_01_sw.csv: not a UTF-8 text CSV file"):
        load_dataset(tmp_path, "sp-sw-har")


@pytest.mark.parametrize("row", [_row("nan"), _row("inf"), _row(1657544371708, v="nan"),
                                 _row(1657544371708, v="-inf"), _row(1657544371708, v="1e30")])
def test_a_value_or_timestamp_that_is_not_finite_or_too_big_names_the_line(tmp_path, row):
    path = tmp_path / "s01_01_sw.csv"
    path.write_text(HEAD + row + GOOD)
    with pytest.raises(GestureFileError, match=r"s01_01_sw.csv:2: values must be finite numbers"):
        read_sphar_csv(path)


@pytest.mark.parametrize("last", ["1e15", "1657544371648000"])  # a year off, or microseconds
def test_timestamps_that_span_more_than_a_day_are_refused_before_resampling(tmp_path, last):
    path = tmp_path / "s01_01_sw.csv"
    path.write_text(HEAD + GOOD + _row(last))
    with pytest.raises(GestureFileError, match=r"s01_01_sw.csv: its timestamps span .* h, more than 24 h"):
        read_sphar_csv(path)


def test_an_earlier_timestamp_is_dropped_like_a_repeated_one(tmp_path):
    path = tmp_path / "s01_01_sw.csv"
    path.write_text(HEAD + _row(0) + _row(10) + _row(5) + _row(7) + _row(20) + _row(30))
    rec = read_sphar_csv(path)
    assert len(rec.samples) == 4 and np.isfinite(rec.samples).all()
