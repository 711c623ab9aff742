"""A hand-edited tiny-trainable-instruments / nano33-spells file that is not UTF-8 text
(binary data, saved as UTF-16 or Latin-1) is one line naming it, in the loader and in
every command that reads the vocabulary's files: never an internal error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from wand.datasets import load_dataset, read_tti_csv
from wand.datasets.tti import TTI_HEADER
from wand.errors import GestureFileError

HEADER = ",".join(TTI_HEADER) + "\n"
ROWS = "0.1,0.2,0.9,1,2,3\n" * 119


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)),  # binary
    (HEADER + ROWS).encode("utf-16"),  # saved as UTF-16
    (HEADER + "# caf\xe9\n" + ROWS).encode("latin-1"),  # a Latin-1 note
])
def test_a_file_that_is_not_utf8_text_is_one_error_naming_it(tmp_path, data):
    bad = tmp_path / "gesture0.csv"
    bad.write_bytes(data)
    with pytest.raises(GestureFileError, match=r"gesture0.csv: not a text CSV file \(binary data at byte \d+\)"):
        read_tti_csv(bad)
    (tmp_path / "Revelio.csv").write_bytes(data)
    with pytest.raises(GestureFileError, match=r"Revelio.csv: not a text CSV file"):
        load_dataset(tmp_path, "nano33-spells")


def test_a_vocabulary_source_that_is_binary_is_one_error_naming_it(tmp_path):
    """What 'wand gestures', 'demo' and 'train' read: a vocabulary source replaced by binary data."""
    from wand.datasets import load_vocabulary
    bad = tmp_path / "gesture0.csv"
    bad.write_bytes(b"aX,aY,aZ,gX,gY,gZ\n\xff\xfe1,2\n")
    vocab = tmp_path / "vocabulary.toml"
    vocab.write_text(f'[[gesture]]\nname = "zorro"\nsources = [{{ dataset = "tiny-trainable-instruments", '
                     f'file = "{bad}" }}]\n')  # an absolute file: the data set's folder is not used
    with pytest.raises(GestureFileError, match="gesture0.csv: not a text CSV file"):
        load_vocabulary(vocab)[0].recordings()


def test_import_of_a_binary_file_still_says_nothing_was_imported(tmp_path):
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(bytes(range(256)) * 4)
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_DATA_HOME=str(tmp_path / "d"))
    done = subprocess.run([sys.executable, "-m", "wand", "import", str(blob), "--gesture", "zorro",
                           "--out", str(tmp_path / "rec")], capture_output=True, text=True, env=env)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert f"{blob}: not a text CSV file" in done.stderr and "nothing was imported" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
