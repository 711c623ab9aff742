"""`wand eval` on tiny wand-csv sets written from REAL data-set tries (never invented samples)."""

from __future__ import annotations

import json

import pytest

from wand.cli import main
from wand.datasets import load_named, load_vocabulary
from wand.recordings import write_wand_csv


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """4 tries each of two built-in gestures by tti-peter and tti-data, 5 of an unseen one,
    and two everyday-motion streams from sp-sw-har; all real, written as wand-csv."""
    root = tmp_path_factory.mktemp("eval")
    vocab = {g.name: g for g in load_vocabulary()}
    for name in ("push_forward", "circle_cw"):
        for person in ("tti-peter", "tti-data"):
            for i, r in enumerate([r for r in vocab[name].recordings() if r.person == person][:4]):
                r.meta = {"source": r.source}
                write_wand_csv(r, root / "tries", stem=f"{person}-{i}")
    for i, r in enumerate(vocab["shake"].recordings()[:5]):
        r.meta = {"source": r.source}
        write_wand_csv(r, root / "tries", stem=f"shake-{i}")
    for r in load_named("sp-sw-har")[:2]:
        r.label = "everyday"
        r.meta = {"source": r.source}
        write_wand_csv(r, root / "streams", stem=r.session)
    return root


@pytest.fixture(autouse=True)
def no_user_files(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_eval_tries_prints_accuracy_confusion_and_a_png(tiny, tmp_path, capsys):
    png = tmp_path / "tries.png"
    assert main(["eval", str(tiny / "tries"), "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert "using the TV example's spotting settings" in out  # no config: what `wand run` would use
    assert "push_forward" in out and "shake (not known)" in out and "confusion" in out
    assert "of 16 tries recognised" in out and "per person: tti-data" in out
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_eval_json_is_for_scripts_and_counts_every_try(tiny, tmp_path, capsys):
    assert main(["eval", str(tiny / "tries"), "--json", "--png", str(tmp_path / "t.png")]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["protocol"] == "tries" and d["summary"]["known_tries"] == 16 and d["summary"]["unseen_tries"] == 5
    assert sum(map(sum, d["confusion"]["counts"])) == 21
    assert d["per_gesture"]["push_forward"]["tries"] == 8
    assert set(d["per_gesture"]["shake"]) >= {"rejected", "false_accepts"}
    assert d["recogniser"]["config"].endswith("tv.toml") and len(d["per_take"]) == 21


def test_bad_and_mislabelled_files_are_named_and_the_rest_evaluated(tiny, tmp_path, capsys):
    import shutil
    folder = tmp_path / "mixed"
    shutil.copytree(tiny / "tries", folder)
    (folder / "push_forward" / "broken.csv").write_text("# wand-recording v1\n# gesture: push_forward\n")
    moved = sorted((folder / "circle_cw").glob("*.csv"))[0]
    moved = moved.rename(folder / "push_forward" / f"moved-{moved.name}")  # its header says circle_cw
    (folder / "alice").mkdir()  # a folder per person is fine: not a gesture name
    shutil.copy(sorted((folder / "circle_cw").glob("*.csv"))[0], folder / "alice" / "try.csv")
    assert main(["eval", str(folder), "--json", "--png", str(tmp_path / "t.png")]) == 0
    cap = capsys.readouterr()
    assert "broken.csv: missing '# rate_hz: ...' metadata line; skipped" in cap.err
    assert f"{moved.name}: its header says gesture 'circle_cw' but it is in folder 'push_forward'" in cap.err
    assert json.loads(cap.out)["summary"]["known_tries"] == 16  # 16 - moved + alice's
    assert "alice" not in cap.err


def test_eval_stream_counts_false_triggers_per_hour(tiny, tmp_path, capsys):
    files = sorted(str(p) for p in (tiny / "streams" / "everyday").glob("*.csv"))
    assert main(["eval", "--stream", *files, "--json", "--png", str(tmp_path / "s.png")]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["protocol"] == "stream" and len(d["files"]) == 2
    assert d["hours"] == pytest.approx(sum(r.duration_s for r in load_named("sp-sw-har")[:2]) / 3600, rel=1e-3)
    assert d["false_triggers"] == sum(f["triggers"] for f in d["files"])
    assert d["false_triggers_per_hour"] == pytest.approx(d["false_triggers"] / d["hours"])


def test_eval_stream_takes_recordings_longer_than_a_try(tmp_path, capsys):
    """--stream is for long recordings: one over the 60 s a try may last (real sp-sw-har
    motion of several recordings joined end to end) is evaluated, not refused; as a try in a
    folder it is refused with one line that points to --stream."""
    import numpy as np
    from wand.recordings import Recording
    parts = load_named("sp-sw-har")[:8]
    samples = np.concatenate([r.samples for r in parts])
    assert len(samples) > 60 * parts[0].rate_hz
    path = write_wand_csv(Recording("everyday", samples, parts[0].rate_hz, "sp-sw-har joined",
                                    meta={"source": "sp-sw-har, 8 recordings joined"}), tmp_path / "long")
    assert main(["eval", "--stream", str(path), "--json", "--png", str(tmp_path / "s.png")]) == 0
    cap = capsys.readouterr()
    d = json.loads(cap.out)
    assert d["hours"] == pytest.approx(len(samples) / parts[0].rate_hz / 3600, rel=1e-3) and "skipped" not in cap.err
    assert main(["eval", str(tmp_path / "long"), "--json", "--png", str(tmp_path / "t.png")]) == 1
    err = capsys.readouterr().err
    assert "longer than 60 s" in err and "'wand eval --stream'" in err


def test_eval_enrol_few_shot_per_person_and_gesture(tiny, tmp_path, capsys):
    assert main(["eval", "--enrol", "2", str(tiny / "tries"), "--draws", "2", "--json",
                 "--png", str(tmp_path / "e.png")]) == 0
    d = json.loads(capsys.readouterr().out)
    rows = {(r["person"], r["gesture"]): r for r in d["per_person_gesture"]}
    assert set(rows) == {("tti-peter", "push_forward"), ("tti-peter", "circle_cw"), ("tti-data", "push_forward"),
                         ("tti-data", "circle_cw"), ("tti-20210623", "shake")}
    assert rows[("tti-peter", "push_forward")]["tests"] == 2 and rows[("tti-peter", "push_forward")]["others"] == 4
    assert rows[("tti-20210623", "shake")]["false_accept_rate"] is None  # that person has no other gesture here
    assert 0.0 <= d["summary"]["accuracy"] <= 1.0 and d["draws"] == 2
    again = main(["eval", "--enrol", "2", str(tiny / "tries"), "--draws", "2", "--json",
                  "--png", str(tmp_path / "e.png")])
    assert again == 0 and json.loads(capsys.readouterr().out)["per_person_gesture"] == d["per_person_gesture"]
    # K as large as anyone's tries leaves nothing to test: one line and a failure, not an empty table
    assert main(["eval", "--enrol", "500", str(tiny / "tries"), "--json", "--png", str(tmp_path / "e.png")]) == 1
    cap = capsys.readouterr()
    assert cap.out == "" and "--enrol 500: no person" in cap.err and "give a smaller K" in cap.err


def test_eval_usage_errors_are_one_line(tiny, tmp_path, capsys):
    assert main(["eval"]) == 1
    assert "give a folder of tries" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:  # a usage error, from the shared numeric validator
        main(["eval", "--enrol", "0", str(tiny / "tries")])
    assert e.value.code == 2 and "--enrol: must be a whole number 1 or more" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["eval", str(tmp_path / "empty")]) == 1
    assert "no readable wand-csv recordings" in capsys.readouterr().err


def test_eval_gestures_reads_the_projects_own_tti_csv_recordings(tmp_path, capsys):
    """`wand eval gestures`: tti-csv files carry no gesture names; the vocabulary names each
    file, so every try of the project's copy is read under its gesture and person."""
    import shutil
    from wand.paths import GESTURES_DIR
    expected = {}
    for g in load_vocabulary():
        for src in g.sources:
            path = GESTURES_DIR / "datasets" / src["dataset"] / src["file"]
            if path.exists():
                expected[(g.name, src["person"])] = len(read_tti(path))
    assert main(["eval", str(GESTURES_DIR), "--json", "--png", str(tmp_path / "g.png")]) == 0
    d = json.loads(capsys.readouterr().out)
    got = {}
    for t in d["per_take"]:
        got[(t["truth"], t["person"])] = got.get((t["truth"], t["person"]), 0) + 1
    assert got == expected and len(expected) >= 6
    folder = tmp_path / "stray"
    folder.mkdir()
    shutil.copy(next((GESTURES_DIR / "datasets").rglob("gesture0.csv")), folder / "gesture0.csv")
    assert main(["eval", str(folder), "--json"]) == 1  # a tti-csv file the vocabulary does not name
    assert "gesture0.csv: a tti-csv file that gestures/vocabulary.toml does not name" in capsys.readouterr().err


def read_tti(path):
    from wand.datasets import read_tti_csv
    return read_tti_csv(path)


def test_eval_json_counts_rejections_by_cause_with_wilson_intervals(tiny, tmp_path, capsys):
    assert main(["eval", str(tiny / "tries"), "--json", "--png", str(tmp_path / "t.png")]) == 0
    d = json.loads(capsys.readouterr().out)  # stdout is the JSON alone
    takes = [t for t in d["per_take"] if t["truth"] in ("push_forward", "circle_cw")]
    assert set(d["rejections"]) == {"no_intent", "never_cut", "unknown", "other_gesture"}
    wrong = [t for t in takes if t["decision"] != t["truth"]]
    assert sum(d["rejections"].values()) == len(wrong)
    assert d["rejections"]["never_cut"] == sum(t["decision"] == "(none)" for t in takes)
    assert d["rejections"]["unknown"] == sum(t["decision"] == "unknown" for t in takes)
    for person in ("tti-peter", "tti-data"):
        p = d["accuracy_per_person"][person]
        right = sum(t["decision"] == t["truth"] for t in takes if t["person"] == person)
        assert p["n"] == 8 and p["rate"] == right / 8 and p["ci95"][0] <= p["rate"] <= p["ci95"][1]
        assert 0 < p["ci95"][1] - p["ci95"][0] < 1  # 8 tries: an interval, not a point
    assert set(d["accuracy_per_gesture"]) == {"push_forward", "circle_cw"}  # shake is not known: not an accuracy
    assert d["per_gesture"]["circle_cw"]["causes"].keys() == d["rejections"].keys()


def test_hold_still_appends_rest_in_memory_only(tiny, tmp_path, capsys):
    from wand.eval import hold_still
    from wand.recordings import read_wand_csv
    files = sorted((tiny / "tries").rglob("*.csv"))
    before = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    rec = read_wand_csv(files[0])
    held = hold_still(rec, 1.5)
    n = len(rec.samples)
    assert held.samples[:n].tolist() == rec.samples.tolist() and len(held.samples) == n + round(1.5 * rec.rate_hz)
    rest = held.samples[n:]
    assert (rest[:, 3:] == 0).all() and (rest == rest[0]).all()
    assert abs(float((rest[0, :3].astype(float) ** 2).sum()) ** 0.5 - 1000) < 2  # gravity: 1 g
    assert main(["eval", str(tiny / "tries"), "--hold-still", "1.5", "--json", "--png", str(tmp_path / "h.png")]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["hold_still_s"] == 1.5 and "putting 1.5 s of rest before and after" in cap.err
    both = hold_still(rec, 1.5, 0.5)  # --hold-still puts rest before the try too (recordings cut at its start)
    head = round(0.5 * rec.rate_hz)
    assert both.samples[head:head + n].tolist() == rec.samples.tolist() and len(both.samples) == len(held.samples) + head
    assert (both.samples[:head, 3:] == 0).all() and (both.samples[:head] == both.samples[0]).all()
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files} == before  # never written into data
    with pytest.raises(SystemExit) as e:
        main(["eval", str(tiny / "tries"), "--hold-still", "-1"])
    assert e.value.code == 2 and "--hold-still: must be a number 0 or more" in capsys.readouterr().err


def test_eval_enrol_leaves_one_gesture_out_as_other(tiny, tmp_path, capsys):
    assert main(["eval", "--enrol", "2", str(tiny / "tries"), "--draws", "2", "--json",
                 "--png", str(tmp_path / "e.png")]) == 0
    d = json.loads(capsys.readouterr().out)
    rows = {(r["person"], r["gesture"]): r for r in d["per_person_gesture"]}
    for person in ("tti-peter", "tti-data"):
        for g in ("push_forward", "circle_cw"):
            r = rows[(person, g)]  # enrolled with the other gesture in 2 draws, left out in 2
            assert r["others"] == 4 and r["false_accept_rate"] is not None and r["accuracy"] is not None
            assert set(r["causes"]) == {"no_intent", "never_cut", "unknown", "other_gesture"}
            assert sum(r["causes"].values()) == round((1 - r["accuracy"]) * r["tests"] * 2)
    s = d["summary"]
    assert set(s["accuracy_per_person"]) == {"tti-peter", "tti-data", "tti-20210623"}
    assert s["rejections"] == {c: sum(r["causes"][c] for r in rows.values()) for c in s["rejections"]}


@pytest.fixture(scope="module")
def synthetic_chars(tmp_path_factory):
    """SYNTHETIC air-written digits (wand.datasets.synthetic_air: a virtual wand drawn along
    held-out writers' pen strokes, with real rest noise), as wand-csv: whole tries, the same
    cut at the drawing's start (no rest before: no intent) and at its end (no rest after: a
    recording that stops at the gesture's end)."""
    import dataclasses
    import numpy as np
    from wand.datasets.synthetic_air import synthetic_try
    root = tmp_path_factory.mktemp("chars")
    for seed in (0, 3):
        r = synthetic_try("digit_4", seed)
        r.meta = {"source": "SYNTHETIC (wand.datasets.synthetic_air)"}
        moving = np.nonzero(np.abs(r.samples[:, 3:]).sum(axis=1) >= 400)[0]  # 40 deg/s: drawing
        for part, samples in (("whole", r.samples), ("no-rest-before", r.samples[moving[0]:]),
                              ("no-rest-after", r.samples[:moving[-1] + 1])):
            write_wand_csv(dataclasses.replace(r, samples=samples, person=part), root / part, stem=f"s{seed}")
    config = root / "digits.toml"
    config.write_text('[tv]\nbackend = "cec"\n[profiles.tv.gestures]\n'
                      + "".join(f'digit_{d} = "tv:digits={d}"\n' for d in range(10)))
    config.chmod(0o600)
    return root, config


def test_eval_characters_rejections_by_cause_and_hold_still(synthetic_chars, tmp_path, capsys):
    root, config = synthetic_chars

    notes = {}

    def run(folder, *extra):
        assert main(["eval", str(root / folder), "--config", str(config), "--json", "--png", str(tmp_path / "c.png"),
                     *extra]) == 0
        cap = capsys.readouterr()
        notes[(folder,) + extra] = cap.err
        return json.loads(cap.out)
    whole = run("whole")
    assert whole["recogniser"]["characters"] == [f"digit_{d}" for d in range(10)]  # the profile's active set
    assert whole["accuracy_per_gesture"]["digit_4"]["n"] == 2 and whole["rejections"]["no_intent"] == 0
    assert sum(t["decision"] == "digit_4" for t in whole["per_take"]) >= 1  # the chain reads a drawn 4
    before = run("no-rest-before")  # nobody held still first: the stroke path never starts
    assert not any(t["decision"].startswith("digit_") for t in before["per_take"])
    assert before["rejections"]["no_intent"] >= 1 and before["rejections"]["never_cut"] == 0
    after = run("no-rest-after")  # the recording stops as the drawing ends: never cut
    assert not any(t["decision"].startswith("digit_") for t in after["per_take"])
    assert after["rejections"]["never_cut"] >= 1 and after["rejections"]["no_intent"] == 0
    held = run("no-rest-after", "--hold-still", "1")  # rest appended: the drawing's end is seen
    assert held["rejections"]["never_cut"] == 0 and held["hold_still_s"] == 1.0
    assert sum(t["decision"] == "digit_4" for t in held["per_take"]) >= 1
    held = run("no-rest-before", "--hold-still", "1")  # rest put before too: the hold that arms the drawing
    assert held["rejections"]["no_intent"] == 0
    assert sum(t["decision"] == "digit_4" for t in held["per_take"]) >= 1
    # the cut tries are named, with what to do; whole tries and rest-added ones are not
    n = len(whole["per_take"])
    assert "start turning" not in notes[("whole",)]
    assert f"{n} of {n} drawn tries start turning with no 0.3 s hold before and 0 end" in notes[("no-rest-before",)]
    assert f"0 of {n} drawn tries start turning with no 0.3 s hold before and {n} end still" in notes[("no-rest-after",)]
    assert "--hold-still 1 puts rest" in notes[("no-rest-after",)]
    assert "start turning" not in notes[("no-rest-before", "--hold-still", "1")]


def test_eval_listens_for_the_characters_the_tries_name(synthetic_chars, tmp_path, capsys):
    """No config: the TV example stands in, but it maps no letters; the tries name digit_4,
    so the wand listens for exactly that, as a profile mapping it would. A config whose
    profile lacks it keeps its own active set and says so in one line."""
    root, _ = synthetic_chars
    assert main(["eval", str(root / "whole"), "--json", "--png", str(tmp_path / "c.png")]) == 0
    cap = capsys.readouterr()
    d = json.loads(cap.out)
    assert d["recogniser"]["characters"] == ["digit_4"] and "listening for the 1 character(s)" in cap.err
    assert sum(t["decision"] == "digit_4" for t in d["per_take"]) >= 1
    from wand import eval as ev
    rec = ev.installed(say=lambda s: None)
    assert ev.listen_for(rec, ["digit_4"], lambda s: None).strokes.over_gesture == 0  # no gesture mapped: none yields
    assert ev.listen_for(rec, ["digit_4", "circle_cw"], lambda s: None).strokes.over_gesture == rec.strokes.over_gesture
    letters = tmp_path / "letters.toml"
    letters.write_text('[profiles.typing.gestures]\nletter_a = "key:a"\n')
    letters.chmod(0o600)
    assert main(["eval", str(root / "whole"), "--config", str(letters), "--json", "--png", str(tmp_path / "l.png")]) == 0
    cap = capsys.readouterr()
    d = json.loads(cap.out)
    assert d["recogniser"]["characters"] == ["letter_a"] and "does not listen for 1 character(s) the tries" in cap.err
    assert not any(t["decision"] == "digit_4" for t in d["per_take"])


def test_eval_enrol_drawings_on_real_tries_with_rest_added(tmp_path, capsys):
    """`wand eval --enrol 2 --drawings`: REAL tti-data tries with 1 s of rest added before and
    after (they start at the capture trigger), each person's gestures enrolled as drawings,
    one left out in turn; decided through the twin's stroke spotter and the host's matching."""
    from wand.stroke_enrol import padded
    vocab = {g.name: g for g in load_vocabulary()}
    for name in ("circle_cw", "diagonal_up_left"):
        for i, r in enumerate([r for r in vocab[name].recordings() if r.person == "tti-data"][:5]):
            r = padded(r)
            r.meta = {"source": f"{r.source} with 1 s of rest added before and after"}
            write_wand_csv(r, tmp_path / "tries", stem=f"t{i}")
    assert main(["eval", "--enrol", "2", "--drawings", str(tmp_path / "tries"), "--draws", "2", "--json",
                 "--png", str(tmp_path / "e.png")]) == 0
    cap = capsys.readouterr()
    assert "enrolling the tries as drawings" in cap.err
    d = json.loads(cap.out)
    rows = {r["gesture"]: r for r in d["per_person_gesture"]}
    assert set(rows) == {"circle_cw", "diagonal_up_left"}
    for r in rows.values():
        assert r["tests"] == 3 and r["others"] == 5 and r["false_accept_rate"] is not None
        assert sum(r["causes"].values()) == round((1 - r["accuracy"]) * r["tests"] * 2)
    assert rows["circle_cw"]["accuracy"] >= 0.5 and rows["diagonal_up_left"]["accuracy"] >= 0.5  # drawings that differ


def test_a_folder_tree_deeper_than_the_recursion_limit_is_read(tiny, tmp_path, capsys):
    """rglob recursed once per folder level: a tree 1000 folders deep was 'internal error:
    RecursionError'. The walk keeps its own stack: here it reads a tree deeper than the
    recursion limit it runs under, where rglob fails. (A 1000-deep tree is not made here:
    pytest's own clean-up of old tmp folders would recurse on it.)"""
    import inspect
    import os
    import sys

    from wand.eval import _csv_files
    deep = tmp_path / "deep"
    path = deep
    for _ in range(300):
        path = path / "a"
    os.makedirs(path)
    src = sorted((tiny / "tries").rglob("*.csv"))[0]
    (path / src.name).write_bytes(src.read_bytes())
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 150)
    try:
        with pytest.raises(RecursionError):
            list(deep.rglob("*.csv"))
        assert _csv_files(deep, print) == [path / src.name]
    finally:
        sys.setrecursionlimit(limit)
    assert main(["eval", str(deep), "--json", "--png", str(tmp_path / "p.png")]) == 0
    assert len(json.loads(capsys.readouterr().out)["per_take"]) == 1


@pytest.mark.parametrize("args, what", [(["--draws", "1000000000"], "--draws: must be a whole number 1 or more and at most 1000")])
def test_eval_options_that_would_run_for_ever_are_refused(tiny, args, what, capsys):
    with pytest.raises(SystemExit):
        main(["eval", str(tiny / "tries"), "--enrol", "1", *args])
    assert what in capsys.readouterr().err
