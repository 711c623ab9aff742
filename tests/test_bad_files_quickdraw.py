"""A hand-edited Quick, Draw! ndjson line is one file:line error whatever is wrong with it
(not an object, no word or key_id, a stroke that is not [x[], y[], t[]], NaN or Infinity, a
file that is not UTF-8): never a KeyError / TypeError / AttributeError reaching the CLI, and
never a NaN point that crashes 'wand gestures --characters' later."""

from __future__ import annotations

import pytest

from wand.datasets import load_dataset
from wand.errors import GestureFileError

GOOD = '{"word":"star","key_id":"1","drawing":[[[1,2,3],[4,5,6],[0,10,20]]]}'


def test_a_good_line_still_loads(tmp_path):
    (tmp_path / "star.ndjson").write_text(GOOD + "\n\n" + GOOD.replace('"1"', '"2"') + "\n")
    strokes = load_dataset(tmp_path, "quickdraw-shapes")
    assert [s.person for s in strokes] == ["1", "2"] and strokes[0].points[:, 1].tolist() == [-4, -5, -6]
    assert strokes[0].times_ms[0].tolist() == [0, 10, 20]


@pytest.mark.parametrize("line", [
    "[1, 2]", "5", "null",
    '{"key_id":"1","drawing":[[[1,2],[3,4]]]}',  # no word
    '{"word":"star","drawing":[[[1,2],[3,4]]]}',  # no key_id
    '{"word":5,"key_id":"1","drawing":[[[1,2],[3,4]]]}',
    '{"word":null,"key_id":"1","drawing":[[[1,2],[3,4]]]}',
    '{"word":"","key_id":"1","drawing":[[[1,2],[3,4]]]}',
    '{"word":"star","key_id":null,"drawing":[[[1,2],[3,4]]]}',
    '{"word":"star","key_id":"1","drawing":null}',
    '{"word":"star","key_id":"1","drawing":5}',
    '{"word":"star","key_id":"1","drawing":[5]}',
    '{"word":"star","key_id":"1","drawing":[[[1,2]]]}',
    '{"word":"star","key_id":"1","drawing":[[[1,2,3],[4,5]]]}',
    '{"word":"star","key_id":"1","drawing":[[[1,2,3],[4,5,6],[1]]]}',
    '{"word":"star","key_id":"1","drawing":[[[[1],[2]],[[3],[4]]]]}',
    '{"word":"star","key_id":"1","drawing":[[["a","b"],["c","d"]]]}',
    '{"word":"star","key_id":"1","drawing":[[[NaN,1],[2,3]]]}',
    '{"word":"star","key_id":"1","drawing":[[[1,2],[Infinity,3]]]}',
    "[" * 100000 + "]" * 100000,
])
def test_a_bad_line_is_one_error_naming_file_and_line(tmp_path, line):
    (tmp_path / "star.ndjson").write_text(GOOD + "\n" + line + "\n")
    with pytest.raises(GestureFileError, match=r"star.ndjson:2: not a Quick, Draw! drawing"):
        load_dataset(tmp_path, "quickdraw-shapes")


@pytest.mark.parametrize("key", ["word", "key_id", "drawing"])
def test_a_missing_key_is_named(tmp_path, key):
    (tmp_path / "star.ndjson").write_text(GOOD.replace(f'"{key}"', '"other"') + "\n")
    with pytest.raises(GestureFileError, match=rf"star.ndjson:1: not a Quick, Draw! drawing \(no '{key}'\)"):
        load_dataset(tmp_path, "quickdraw-shapes")


def test_a_file_that_is_not_utf8_or_not_a_file_is_one_error(tmp_path):
    (tmp_path / "star.ndjson").write_bytes(GOOD.encode() + b"\n\xff\xfe\n")
    with pytest.raises(GestureFileError, match=r"star.ndjson: not a UTF-8 text file"):
        load_dataset(tmp_path, "quickdraw-shapes")
    (tmp_path / "star.ndjson").unlink()
    (tmp_path / "star.ndjson").mkdir()
    with pytest.raises(GestureFileError, match=r"star.ndjson: is a folder, not a regular file"):
        load_dataset(tmp_path, "quickdraw-shapes")
