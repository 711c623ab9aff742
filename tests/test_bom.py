"""A file saved with a UTF-8 byte-order mark (Notepad, a spreadsheet's "CSV UTF-8") reads
as the same file without it: the config, a recorded try, a tiny-trainable-instruments CSV."""

from __future__ import annotations

import numpy as np

from wand.config import load_config
from wand.datasets import read_tti_csv
from wand.datasets.tti import TTI_HEADER
from wand.recordings import Recording, read_wand_csv, write_wand_csv

BOM = b"\xef\xbb\xbf"


def test_a_config_with_a_bom_reads(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(BOM + b'[profiles.p.gestures]\nshake = "key:a"\n')
    path.chmod(0o600)
    assert list(load_config(path).profiles) == ["p"]


def test_a_recording_with_a_bom_reads_as_without(tmp_path):
    rec = Recording(label="zorro", samples=np.arange(60, dtype=np.int64).reshape(10, 6), rate_hz=119, person="me")
    path = write_wand_csv(rec, tmp_path)
    plain = read_wand_csv(path)
    path.write_bytes(BOM + path.read_bytes())
    again = read_wand_csv(path)
    assert again.label == plain.label == "zorro" and np.array_equal(again.samples, plain.samples)


def test_a_tti_csv_with_a_bom_reads(tmp_path):
    path = tmp_path / "gesture0.csv"
    path.write_bytes(BOM + (",".join(TTI_HEADER) + "\n" + "0.1,0.2,0.9,1,2,3\n" * 119).encode())
    [rec] = read_tti_csv(path, "g", "p")
    assert rec.samples.shape == (119, 6)
