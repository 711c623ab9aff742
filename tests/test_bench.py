"""`wand bench`: the TFLM example's data preparation on its real files, the intervals,
determinism for a seed, and that a smoke run never claims a target."""

from __future__ import annotations

import math

import numpy as np
import pytest

from training.baselines import deterministic
from training.baselines import tflm_magic_wand as tm
from wand import bench
from wand.cli import main


@pytest.fixture(scope="module")
def prepared():
    return tm.prepare_seed(0)


def test_tflm_tries_are_read_as_the_example_reads_them():
    root = tm.dataset_dir()
    tries = tm.read_tries(root / "wing" / "output_wing_liucx.txt", "wing", "liucx")
    # SOURCE.md: liucx did 20 wing tries; the files hold x,y,z in mg at 25 Hz.
    assert len(tm.usable(tries)) == 20
    lines = (root / "wing" / "output_wing_liucx.txt").read_text(errors="replace").splitlines()
    first = next(line.split(",") for line in lines if line.count(",") == 2 and line.split(",")[2].strip() != "-")
    assert tries[0].data[0] == [float(v) for v in first]
    assert all(len(row) == 3 for t in tries for row in t.data)
    pieces = tm.read_negative_pieces(root / "negative" / "output_negative_1.txt", "negative1")
    assert all(len(p.data) == 120 for p in pieces[:-1]) and len(pieces[-1].data) <= 120


def test_tflm_person_split_and_windows(prepared):
    p = prepared
    gesture_people = lambda tries: {t.name for t in tries if not t.name.startswith("negative")}  # noqa: E731
    assert gesture_people(p.train) == {"hyw", "shiyun", "tangsy", "dengyl", "jiangyh", "xunkai"}
    assert gesture_people(p.valid) == {"lsj", "pengxl"}
    assert gesture_people(p.test) == {"liucx", "zhangxy"}
    # SOURCE.md counts: liucx 20/21/22, zhangxy 21/21/22 (wing/ring/slope).
    assert sum(t.label != "negative" for t in p.test) == 127
    assert {t.name for t in p.test if t.label == "negative"} == {"negative1", "negative8"}
    assert all(t.generated for t in p.test if t.name == "negative8")
    # Two 128-sample windows per try; 25 augmented copies per training try.
    assert p.x_test.shape == (2 * len(p.test), tm.SEQ_LENGTH, 3)
    assert len(p.x_train) == 2 * 25 * len(p.train)
    assert list(p.y_test[:2]) == [tm.LABELS.index(p.test[0].label)] * 2
    # Padded before: the try sits at the end; padded after: at the start.
    t = np.asarray(p.test[0].data)[: tm.SEQ_LENGTH]
    np.testing.assert_allclose(p.x_test[0][-len(t):], t, rtol=1e-6)
    np.testing.assert_allclose(p.x_test[1][:len(t)], t, rtol=1e-6)
    assert p.test_recorded.sum() == 2 * sum(not t.generated for t in p.test)


def test_time_warp_matches_the_original_formula():
    data = [[float(i), 0.0, -float(i)] for i in range(10)]
    out = tm.time_wrapping(3, 2, data)  # 2/3 of the length: (10 // 3 - 1) * 2 samples
    # out[2i + k] = (x[3i + k] * (2 - k) + x[3i + k + 1] * k) / 2: i = 1, k = 1 -> (x4 + x5) / 2
    assert len(out) == 4 and out[3] == [4.5, 0.0, -4.5] and out[0] == data[0]


def test_intervals():
    lo, hi = bench.t_interval([0.90, 0.92, 0.94])
    half = 4.302653 * 0.02 / math.sqrt(3)  # t(0.975, 2 dof) x sd / sqrt(n)
    assert lo == pytest.approx(0.92 - half, abs=1e-5) and hi == pytest.approx(0.92 + half, abs=1e-5)
    assert all(math.isnan(v) for v in bench.t_interval([0.9]))
    assert bench.t_interval([0.5, 0.5, 0.5]) == (0.5, 0.5)
    # The figure issue 14 quotes: 58 of 60 tries -> 88.6-99.1%.
    wl, wh = bench.wilson(58, 60)
    assert (round(wl, 3), round(wh, 3)) == (0.886, 0.991)
    # Poisson: 0 events in 1 h -> 0-3.69/h; 10 events in 2 h -> 2.40-9.20/h (Garwood).
    assert bench.poisson_rate(0, 1.0) == (0.0, pytest.approx(3.689, abs=1e-3))
    lo, hi = bench.poisson_rate(10, 2.0)
    assert (round(lo, 2), round(hi, 2)) == (2.40, 9.20)
    f = bench.Figure("m", [0.95, 0.97, 0.96], 60, ["a", "b"])
    assert f.mean == pytest.approx(0.96) and f.sd == pytest.approx(0.01)
    assert f.wilson95 == bench.wilson(round(0.96 * 60), 60)


def _tasks(acc: float, tries: int = 1000) -> dict:
    fig = {"mean": acc, "per_seed": [acc] * 3, "tries": tries, "wilson95": bench.wilson(acc * tries, tries)}
    return {"wand": {"figures": {"ours": fig, "tflm": {"mean": 0.0}}, "vocabulary": 8,
                     "false_triggers_per_hour": [0.5, 0.5, 0.5]}}


def test_quick_never_claims_a_target_and_zero_never_passes():
    lines: list[str] = []
    checks = bench.model_targets(_tasks(0.99), quick=True, report=lines.append)
    assert checks and all(v == bench.SMOKE for _, v in checks)
    assert not any(line.endswith(": met") for line in lines)
    zero = dict(bench.model_targets(_tasks(0.0), quick=False, report=lambda s: None))
    assert all(v != "met" for v in zero.values())  # 0% beats neither a target nor a 0% baseline
    full = bench.model_targets(_tasks(0.99), quick=False, report=lambda s: None)
    assert any(v == "met" for _, v in full)  # the check can pass: it is not a constant
    few = dict(bench.model_targets(_tasks(1.0, tries=30), quick=False, report=lambda s: None))
    assert any(v.startswith("met on the mean, not established (95% lower bound 88.6%") for v in few.values())


def test_a_seed_gives_identical_numbers(prepared):
    """Two runs of a tiny config with one seed: same data, same weights, same decisions."""
    small = tm.Prepared(prepared.train, [], prepared.test, prepared.x_train[::50], prepared.y_train[::50],
                        prepared.x_test[:40], prepared.y_test[:40])
    runs = []
    for _ in range(2):
        deterministic(7)
        again = tm.prepare_seed(7)
        res = tm.train_and_test(small, 7, epochs=1, steps=5, report=lambda s: None)
        probs = tm.run_tflite(res.tflite_float, small.x_test[..., None])
        runs.append((again.x_train[:100].copy(), res.test_pred, probs))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    np.testing.assert_array_equal(runs[0][2], runs[1][2])  # bit-identical weights give identical outputs


@pytest.mark.slow
def test_bench_model_quick_is_a_smoke_run(tmp_path, capsys):
    assert main(["bench", "model", "--quick", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "tflm-magic-wand, its person split" in text and "wand data, declared split" in text
    assert "95% Wilson (tries)" in text and "TFLM magic_wand example" in text and "1-NN DTW" in text
    assert bench.SMOKE in text and ": met" not in text and "NOT met" not in text
    assert (tmp_path / "bench-model.json").exists() and (tmp_path / "confusion-wand-ours.png").exists()
    assert (tmp_path / "accuracy-vs-false.png").exists()


def test_missing_bench_extra_is_one_line_saying_how_to_install(tmp_path, capsys, monkeypatch):
    import training.baselines as baselines
    monkeypatch.setattr(baselines, "missing", lambda: ["aeon: ImportError: Numba needs NumPy 2.3 or less"])
    assert main(["bench", "model", "--quick", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'magic-wand[bench]'" in err and "aeon" in err


def test_bench_recognisers_runs_the_study_into_the_run_folder(tmp_path, monkeypatch):
    from training.studies.recognisers import study
    seen = []
    monkeypatch.setattr(study, "main", lambda argv: seen.append(argv) or 0)
    assert main(["bench", "recognisers", "--seeds", "2", "--out", str(tmp_path)]) == 0
    assert seen == [["--out", str(tmp_path / "recognisers"), "--seeds", "2"]]
    assert main(["bench", "recognisers", "--quick", "--out", str(tmp_path)]) == 0
    assert seen[-1][-1] == "--quick" and seen[-1][seen[-1].index("--seeds") + 1] == "1"


def test_bench_strokes_quick_is_a_smoke_run(strokes_quick):
    import json

    from wand.characters import STROKE_LABELS
    text, tmp_path = strokes_quick
    assert bench.SMOKE in text and "NOT met" not in text and "--quick: smoke run" in text
    assert "95% Wilson (strokes)" in text and "1-NN DTW" in text and "n/a (no characters today)" in text
    res = json.loads((tmp_path / "strokes" / "results.json").read_text())
    assert res["quick"] is True and res["label"] == bench.SMOKE
    rows = {(f["test"], f["active"]): f for f in res["figures"]}
    assert set(rows) == {(t, a) for t, own in (("wand digits", "digits"), ("capitals", "letters"),
                                                ("pen digits", "digits"), ("shapes", "shapes"))
                         for a in (own, "all 44")}
    assert rows[("wand digits", "digits")]["target"] == 0.98 and rows[("capitals", "letters")]["target"] == 0.97
    assert all(f["verdict"] in ("-", bench.SMOKE) for f in res["figures"])
    assert all(0.0 <= f["ours"]["mean"] <= 1.0 and f["ours"]["tries"] > 0 for f in res["figures"])
    cm = json.loads((tmp_path / "strokes" / "confusion-capitals-all44.json").read_text())
    assert set(cm["labels"]) <= set(STROKE_LABELS) and sum(map(sum, cm["confusion"])) == rows[("capitals", "all 44")]["ours"]["tries"]
    assert (tmp_path / "strokes" / "confusion-wand-digits-digits.png").stat().st_size > 1000
