"""A hand-edited gestures/vocabulary.toml is one error naming the file, the gesture and the
key (a gesture that is not a table, a name that is not a string or not a gesture name, an
unknown role, sources that are not tables with dataset and file strings, a name defined
twice, a file that is not UTF-8): never a KeyError / TypeError from 'wand gestures',
'demo' or 'train'."""

from __future__ import annotations

import pytest

from wand.datasets import load_vocabulary
from wand.errors import GestureFileError

SRC = '{ dataset = "tiny-trainable-instruments", format = "tti-csv", file = "notebooks/gesture/data/gesture0.csv" }'


def _vocab(tmp_path, text):
    p = tmp_path / "vocabulary.toml"
    p.write_text(text) if isinstance(text, str) else p.write_bytes(text)
    return p


@pytest.mark.parametrize("text, says", [
    ('gesture = "x"\n', "each gesture is a \\[\\[gesture\\]\\] table"),
    ("gesture = [1, 2]\n", "each gesture is a \\[\\[gesture\\]\\] table"),
    ('[gesture]\nname = "a"\n', "each gesture is a \\[\\[gesture\\]\\] table"),
    ('[[gesture]]\ndescription = "x"\n', "gesture #1 has no 'name'"),
    ("[[gesture]]\nname = 5\n", "gesture #1: name must be a string"),
    ('[[gesture]]\nname = "Circle CW"\n', "gesture #1: bad gesture name 'Circle CW'"),
    ('[[gesture]]\nname = "a"\n[[gesture]]\nname = "a"\n', "gesture #2: 'a' is defined twice"),
    ('[[gesture]]\nname = "a"\nrole = "modle"\n', "gesture a: role = 'modle'; use 'model' or 'unseen'"),
    ('[[gesture]]\nname = "a"\ndescription = 5\n', "gesture a: description must be a string"),
    ('[[gesture]]\nname = "a"\nsources = "abc"\n', "gesture a: sources must be a list"),
    ('[[gesture]]\nname = "a"\nsources = { dataset = "x" }\n', "gesture a: sources must be a list"),
    ('[[gesture]]\nname = "a"\nsources = ["abc"]\n', "gesture a: source #1 must be"),
    ('[[gesture]]\nname = "a"\nsources = [{ file = "x.csv" }]\n', "gesture a: source #1 needs dataset"),
    ('[[gesture]]\nname = "a"\nsources = [{ dataset = "tiny-trainable-instruments" }]\n',
     "gesture a: source #1 needs file"),
    ('[[gesture]]\nname = "a"\nsources = [{ dataset = 5, file = "x" }]\n', "gesture a: source #1 needs dataset"),
    ('[[gesture]]\nname = "a"\nsources = [{ dataset = "d", file = 5 }]\n', "gesture a: source #1 needs file"),
    ('[[gesture]]\nname = "a"\nsources = [{ dataset = "d", file = "f", person = 5 }]\n',
     "gesture a: source #1: person must be a string"),
    (bytes(range(256)), "not UTF-8 text"),
    ("[[gesture]]\nname = 'caf\xe9'\n".encode("latin-1"), "not UTF-8 text"),
])
def test_a_bad_vocabulary_is_one_error_naming_file_gesture_and_key(tmp_path, text, says):
    with pytest.raises(GestureFileError, match=rf"vocabulary.toml: {says}"):
        load_vocabulary(_vocab(tmp_path, text))


def test_a_good_vocabulary_still_loads_and_reads_its_tries(tmp_path):
    (g,) = load_vocabulary(_vocab(tmp_path, f'[[gesture]]\nname = "a"\nrole = "unseen"\nsources = [{SRC}]\n'))
    assert (g.name, g.role, g.description) == ("a", "unseen", "")
    assert len(g.recordings()) == 10 and {r.label for r in g.recordings()} == {"a"}


def test_the_projects_vocabulary_loads():
    assert {g.role for g in load_vocabulary()} == {"model", "unseen"}
