"""A hand-edited petewarden_<d>.json is one error naming the file and what is wrong (top
level not an object, strokes not a list, a stroke without points or label, a point without
x / y or with a NaN), never a KeyError / TypeError reaching 'wand bench strokes'."""

from __future__ import annotations

import pytest

from wand.datasets import load_dataset
from wand.errors import GestureFileError

POINTS = '[{"x":0.1,"y":0.2},{"x":0.3,"y":0.1}]'


def test_a_good_file_still_loads(tmp_path):
    (tmp_path / "petewarden_1.json").write_text(f'{{"strokes":[{{"index":7,"label":"1","strokePoints":{POINTS}}}]}}')
    (s,) = load_dataset(tmp_path, "petewarden-digits")
    assert s.label == "1" and s.points.tolist() == [[0.1, 0.2], [0.3, 0.1]] and s.source.endswith("#7")


@pytest.mark.parametrize("text, says", [
    ("[1, 2]", "a 'strokes' list"),
    ('{"strokes": null}', "a 'strokes' list"),
    ('{"strokes": {"a": 1}}', "a 'strokes' list"),
    ('{"strokes": "abc"}', "a 'strokes' list"),
    ('{"strokes": [5]}', r"strokes\[0\] must have"),
    ('{"strokes": [{"index": 0, "label": "1"}]}', r"strokes\[0\] must have 'strokePoints'"),
    (f'{{"strokes": [{{"index": 0, "strokePoints": {POINTS}}}]}}', r"strokes\[0\] must have .*'label'"),
    ('{"strokes": [{"label": "1", "strokePoints": [{"y": 2}]}]}', r"strokes\[0\]: every stroke point"),
    ('{"strokes": [{"label": "1", "strokePoints": [[1, 2]]}]}', r"strokes\[0\]: every stroke point"),
    ('{"strokes": [{"label": "1", "strokePoints": [{"x": "a", "y": 2}]}]}', r"strokes\[0\]: every stroke point"),
    ('{"strokes": [{"label": "1", "strokePoints": [{"x": null, "y": 2}]}]}', r"strokes\[0\]: a point is not"),
    ('{"strokes": [{"label": "1", "strokePoints": [{"x": NaN, "y": 2}]}]}', r"strokes\[0\]: a point is not"),
    ('{"strokes": [{"label": "1", "strokePoints": [{"x": 1e400, "y": 2}]}]}', r"strokes\[0\]: a point is not"),
])
def test_a_bad_file_is_one_error_naming_it(tmp_path, text, says):
    (tmp_path / "petewarden_1.json").write_text(text)
    with pytest.raises(GestureFileError, match=rf"petewarden_1.json: not a petewarden stroke file \(.*{says}"):
        load_dataset(tmp_path, "petewarden-digits")
