"""A hand-edited gestures/splits/<name>.toml is one error naming the file and the key:
fractions that are not three numbers from 0 to 1 summing to 1 (text, a table, NaN, inf,
negative), a part that is not a list of ids, single_person not a boolean, a file that is
not UTF-8. Never a ValueError / TypeError, nor a NaN fraction crashing Split.apply later."""

from __future__ import annotations

import numpy as np
import pytest

from wand.datasets import load_split
from wand.errors import GestureFileError
from wand.recordings import Recording

TRY = 'by = "try"\nsingle_person = true\n'


@pytest.mark.parametrize("text, says", [
    (TRY + 'fractions = ["a", "b", "c"]\n', "fractions must be three numbers"),
    (TRY + 'fractions = ["0.6", "0.2", "0.2"]\n', "fractions must be three numbers"),
    (TRY + "fractions = 5\n", "fractions must be three numbers"),
    (TRY + 'fractions = "abc"\n', "fractions must be three numbers"),
    (TRY + "fractions = {a = 1}\n", "fractions must be three numbers"),
    (TRY + "fractions = [1979-05-27, 0.5, 0.5]\n", "fractions must be three numbers"),
    (TRY + "fractions = [true, false, false]\n", "fractions must be three numbers"),
    (TRY + "fractions = [nan, 0.5, 0.5]\n", "fractions must be three numbers"),
    ('by = "person-hash"\nfractions = [nan, nan, nan]\n', "fractions must be three numbers"),
    (TRY + "fractions = [inf, -inf, 0.0]\n", "fractions must be three numbers"),
    (TRY + "fractions = [1.5, -0.5, 0.0]\n", "fractions must be three numbers"),
    ('by = "person"\ntrain = 5\n', "train must be a list of person ids"),
    ('by = "person"\ntrain = "s01"\n', "train must be a list of person ids"),
    ('by = "person"\ntest = {a = "b"}\n', "test must be a list of person ids"),
    ('by = "person"\nvalidation = [["s01"]]\n', "validation must be a list of person ids"),
    ('by = "try"\nsingle_person = "yes"\n', "single_person must be true or false"),
])
def test_a_bad_key_is_one_error_naming_file_and_key(tmp_path, text, says):
    p = tmp_path / "x.toml"
    p.write_text(text)
    with pytest.raises(GestureFileError, match=rf"x.toml: {says}"):
        load_split("x", p)


@pytest.mark.parametrize("data", [bytes(range(256)), 'why = "caf\xe9"\n'.encode("latin-1"),
                                  'by = "try"\n'.encode("utf-16")])
def test_a_file_that_is_not_utf8_is_one_error(tmp_path, data):
    p = tmp_path / "x.toml"
    p.write_bytes(data)
    with pytest.raises(GestureFileError, match=r"x.toml: not UTF-8 text"):
        load_split("x", p)


def test_good_splits_still_apply(tmp_path):
    p = tmp_path / "x.toml"
    items = [Recording(lab, np.zeros((3, 6)), 50, person="p1") for lab in "aaaaabbbbb"]
    p.write_text(TRY + "fractions = [0.6, 0.2, 0.2]\n")
    assert [len(v) for v in load_split("x", p).apply(items).values()] == [6, 2, 2]
    p.write_text(TRY + "fractions = [1, 0, 0]\n")  # integers are numbers too
    assert [len(v) for v in load_split("x", p).apply(items).values()] == [10, 0, 0]
    p.write_text('by = "person"\ntrain = ["p1", 7]\n')
    assert load_split("x", p).people["train"] == ["p1", "7"]
