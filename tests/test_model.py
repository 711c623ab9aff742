"""The shipped model: what the firmware carries is what the simulator runs."""

from __future__ import annotations

import re

import numpy as np

from training.export import FIRMWARE_MODEL_DIR, RESOLVER_METHODS, inspect, read_c_array
from wand.model import load_model
from wand.wand_core.classifier import TflmClassifier, open_interpreter


def test_firmware_c_array_is_the_default_model(bundle):
    assert read_c_array(FIRMWARE_MODEL_DIR / "model_data.cc") == bundle.tflite
    assert "alignas(16)" in (FIRMWARE_MODEL_DIR / "model_data.cc").read_text()


def test_firmware_constants_match_the_metadata(bundle):
    h = (FIRMWARE_MODEL_DIR / "model_data.h").read_text()
    consts = {k: int(v, 0) for k, v in re.findall(r"constexpr \w+ (k\w+) = (0x[0-9a-f]+|\d+)u?;", h)}
    assert consts["kModelBytes"] == len(bundle.tflite)
    assert consts["kModelCrc32"] == bundle.crc32
    assert (consts["kRateHz"], consts["kWindow"], consts["kHop"]) == (bundle.rate_hz, bundle.window, bundle.hop)
    assert consts["kNumClasses"] == len(bundle.classes)
    assert (consts["kProbsOutput"], consts["kEmbeddingOutput"]) == (bundle.probs_output, bundle.embedding_output)
    assert consts["kArenaBytes"] >= bundle.arena_bytes
    names = re.search(r"kClassNames\[kNumClasses\] = \{(.*)\};", (FIRMWARE_MODEL_DIR / "model_data.cc").read_text())
    assert re.findall(r'"([^"]+)"', names.group(1)) == bundle.classes


def test_op_resolver_header_lists_exactly_the_models_ops(bundle):
    ops = inspect(bundle.tflite).ops
    text = (FIRMWARE_MODEL_DIR / "model_ops.h").read_text()
    assert re.findall(r"r\.(Add\w+)\(\)", text) == [RESOLVER_METHODS[o] for o in ops]
    assert f"kNumOps = {len(ops)}" in (FIRMWARE_MODEL_DIR / "model_data.h").read_text()


def test_model_fits_the_chip_budget_and_takes_raw_int8(bundle):
    assert len(bundle.tflite) <= 16 * 1024
    assert bundle.arena_bytes <= 16 * 1024
    d = open_interpreter(bundle.tflite, 64 * 1024).get_input_details(0)
    q = d["quantization_parameters"]
    assert d["dtype"] == np.int8 and float(q["scales"][0]) == 1 / 128 and int(q["zero_points"][0]) == 0


def test_tflm_classifier_outputs_probabilities_and_embedding(bundle, vocab):
    from training.windows import WindowSpec, eval_windows
    clf = TflmClassifier(bundle)
    x, _ = eval_windows(vocab["circle_cw"].recordings()[:3], 0, WindowSpec())
    probs, emb = clf.batch(x)
    assert probs.shape == (len(x), len(bundle.classes)) and emb.shape == (len(x), bundle.embedding_dims)
    assert np.all(np.abs(probs.sum(axis=1) - 256) <= len(bundle.classes))  # softmax in 1/256 steps
    assert probs.argmax(axis=1).tolist().count(bundle.classes.index("circle_cw")) >= 2


def test_metadata_round_trip(bundle, tmp_path):
    path = bundle.save(tmp_path / "m.tflite")
    again = load_model(path)
    assert again.tflite == bundle.tflite and again.classes == bundle.classes and again.info == bundle.info
    path.write_bytes(bundle.tflite[:-1] + b"\x00")
    import pytest
    from wand.errors import ModelError
    with pytest.raises(ModelError, match="does not match its metadata"):
        load_model(path)


import pytest  # noqa: E402


@pytest.mark.parametrize("edit, what", [
    (lambda m: [1, 2], "not a JSON object"), (lambda m: m | {"classes": 5}, "classes"),
    (lambda m: m | {"rate_hz": "50"}, "rate_hz '50'"), (lambda m: m | {"rate_hz": 0}, "rate_hz 0"),
    (lambda m: m | {"window": 0}, "window 0"), (lambda m: m | {"channels": 4}, "channels 4"),
    (lambda m: m | {"other_class": 9}, "other_class 9"), (lambda m: m | {"hop": True}, "hop True"),
    (lambda m: m | {"info": []}, "info"), (lambda m: m | {"colour": "red"}, "colour"),
    (lambda m: m | {"crc32": "39f0fd49"}, "crc32 '39f0fd49'"), (lambda m: m | {"crc32": 1.5}, "crc32 1.5"),
    (lambda m: m | {"crc32": -1}, "crc32 -1"),
])
def test_hand_edited_metadata_is_one_line_naming_the_file(bundle, tmp_path, edit, what):
    """A metadata file edited by hand (the helper's attack: each of these was a traceback in
    `wand gestures` or `wand eval`) is refused at load with the file and what to do."""
    import json

    from wand.errors import ModelError
    path = bundle.save(tmp_path / "m.tflite")
    meta = json.loads(path.with_suffix(".json").read_text())
    path.with_suffix(".json").write_text(json.dumps(edit(meta)))
    with pytest.raises(ModelError) as e:
        load_model(path)
    msg = str(e.value)
    assert what in msg and str(path.with_suffix(".json")) in msg and "\n" not in msg and "wand train" in msg


def test_metadata_nested_too_deeply_is_one_line(bundle, tmp_path):
    from wand.errors import ModelError
    path = bundle.save(tmp_path / "m.tflite")
    path.with_suffix(".json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelError, match="nested too deeply"):
        load_model(path)


@pytest.mark.parametrize("tflite, edit, what", [
    (lambda b: b"garbage" * 10, {}, "TFLM cannot read it"),  # once struct.error: an internal error
    (lambda b: b[:len(b) // 2], {}, "TFLM cannot read it"),  # a truncated copy
    (lambda b: b"", {}, "TFLM cannot read it"),
    (lambda b: b, {"window": 5}, "its input is (1, 36, 6)"),  # once ValueError from set_input on the first window
    (lambda b: b, {"channels": 3}, "channels 3"),  # once "cannot reshape array"
    (lambda b: b, {"probs_output": 5}, "fewer outputs"),  # once IndexError on the first window
    (lambda b: b, {"classes": ["other", "a", "b"]}, "3 classes for a model with 4 probabilities"),
])
def test_a_tflite_that_does_not_match_its_metadata_is_one_line_naming_it(bundle, tmp_path, capfd, tflite, edit, what):
    """A model file swapped, truncated or replaced, or metadata edited to another shape (with
    no crc32 to catch it): refused when the classifier opens it, never a TFLM exception on the
    first window (`wand demo`, `wand eval`, `wand enrol`, `wand run --wand sim`)."""
    import json

    from wand.errors import ModelError
    path = bundle.save(tmp_path / "m.tflite")
    path.write_bytes(tflite(bundle.tflite))
    meta = json.loads(path.with_suffix(".json").read_text()) | edit
    del meta["crc32"], meta["bytes"]
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ModelError) as e:
        TflmClassifier(load_model(path))
    msg = str(e.value)
    assert what in msg and str(path) in msg and "\n" not in msg
    assert "out of range" not in capfd.readouterr().err  # TFLM's own report of a missing output is not shown
