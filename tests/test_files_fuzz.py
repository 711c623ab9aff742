"""Property-based fuzzing (hypothesis) of the files a user can hand-edit (issue 20 item 1):
wand-csv tries, the enrolment file and the daemon's status file. Each is either read whole
and valid, or refused with one line naming the file (and line) that never carries raw
control characters; never an internal error. Accepted tries and enrolments are then used
the way the commands use them (pictures, matching, self-check, the sim replay through
``wand enrol``, ``wand eval``, ``wand gestures``).

Counts: the CI run uses the counts below; WAND_FUZZ_SCALE multiplies them for a long run.
The tried / survived counts of every hypothesis test appear in the pytest summary
(``conftest.py``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import fuzzcount

from wand.cli import main
from wand.enrol import FORMAT, EnrolmentSet, load
from wand.errors import GestureFileError
from wand.gesture_pictures import Gesture, analyse
from wand.recordings import (COLUMNS, INT16_MAX, INT16_MIN, MAGIC, MIN_SAMPLES, NAME_RE, RATE_MAX_HZ, RATE_MIN_HZ,
                             Recording, read_wand_csv, write_wand_csv)

SCALE = int(os.environ.get("WAND_FUZZ_SCALE", "1"))
FUZZ = settings(max_examples=250 * SCALE, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
FAST = settings(FUZZ, max_examples=1000 * SCALE)
COMMANDS = settings(max_examples=4 * SCALE, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what could rewrite a terminal (tab is harmless)

nasty_text = st.one_of(
    st.sampled_from(["", " ", "\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "circle_cw", "other", "a" * 40, "zorro\r",
                     "\u202eevil", "名字", "\0", "x/y", "-", "NaN", "\ud7ff"]),
    st.text(max_size=12))
rates = st.one_of(st.integers(-5, 2000).map(str), st.integers().map(str),
                  st.sampled_from(["0", "-1", "1e3", "50.5", "nan", "inf", "", "١٢٠", "9" * 30, "5_0", " 50 "]),
                  nasty_text)
values = st.one_of(st.integers(-200, 1200), st.integers(INT16_MIN, INT16_MAX), st.integers(-40000, 40000),
                   st.integers())
cells = st.one_of(values.map(str), st.sampled_from(["", "nan", "1.5", "1e3", "+7", "0x10", " 3", "--1", "٣"]))


def rarely(draw, k: int = 11) -> bool:
    """True about one time in k+1 (a middle value: hypothesis favours the ends of a range)."""
    return draw(st.integers(0, k)) == k // 2


def sometimes(draw, good, bad):
    """Mostly right (so tries get past the first check and deeper), wrong one time in twelve."""
    return draw(bad) if rarely(draw) else good


@st.composite
def wand_csv_texts(draw) -> str:
    """A wand-csv try: each part right, or wrong in one of the ways a hand edit is."""
    lines = [sometimes(draw, MAGIC, st.sampled_from(["# wand-recording v2", "", "ax_mg,ay_mg", MAGIC + "x"]))]
    meta = {"gesture": sometimes(draw, "zorro", nasty_text),
            "rate_hz": sometimes(draw, draw(st.one_of(st.sampled_from(["50", "119", "10", "1000"]),
                                                      st.integers(10, 1000).map(str))), rates),
            "person": draw(nasty_text)}
    for key in draw(st.permutations(list(meta))):
        if not rarely(draw, 15):  # now and then a line is missing
            lines.append(f"# {key}: {meta[key]}")
    if rarely(draw, 7):
        lines.append(draw(st.sampled_from(["# no colon here", "#:", "# date: 2026", f"# {draw(nasty_text)}: x"])))
    header = ",".join(COLUMNS)
    lines.append(sometimes(draw, header, st.sampled_from([header.upper(), ",".join(COLUMNS[:5]), header + ",x"])))
    n = sometimes(draw, draw(st.integers(2, 150)), st.integers(0, 3))
    base = draw(st.sampled_from(["quiet", "wild", "wild", "cells"]))
    for i in range(n):
        width = sometimes(draw, 6, st.sampled_from([5, 7, 1])) if base == "cells" else 6
        if base == "quiet":
            row = [str(v) for v in np.array([0, 0, 1000, 0, 0, 0]) + draw(st.integers(-50, 50)) * (i % 7)]
        elif base == "wild":
            row = [str(draw(st.integers(INT16_MIN, INT16_MAX))) for _ in range(width)]
        else:
            row = [draw(cells) if rarely(draw, 60) else str(draw(st.integers(-3000, 3000)))
                   for _ in range(width)]
        lines.append(",".join(row))
    text = "\n".join(lines) + "\n"
    edits = st.tuples(st.floats(0, 1), st.sampled_from(["insert", "delete"]),
                      st.text(alphabet=",#:\n -0123456789e\x1b", min_size=1, max_size=3))
    for where, how, chunk in draw(st.lists(edits, max_size=2)) if rarely(draw, 4) else []:
        i = int(where * len(text))
        text = text[:i] + chunk + text[i:] if how == "insert" else text[:i] + text[i + len(chunk):]
    return text


def one_clean_line(message: str, path: Path) -> None:
    assert message.startswith(str(path)), message
    assert "\n" not in message and not CONTROL.search(message), repr(message)


def check_try(rec: Recording) -> None:
    """What every reader downstream relies on, for a try the reader accepted."""
    assert NAME_RE.fullmatch(rec.label)
    assert RATE_MIN_HZ <= rec.rate_hz <= RATE_MAX_HZ
    assert rec.samples.shape[0] >= MIN_SAMPLES and rec.samples.shape[1] == 6
    assert INT16_MIN <= rec.samples.min() and rec.samples.max() <= INT16_MAX
    assert not any(CONTROL.search(k + v) for k, v in rec.meta.items())


@FUZZ
@given(text=wand_csv_texts())
def test_wand_csv_reader_accepts_only_valid_tries_and_names_the_rest(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("csv") / "try.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        rec = read_wand_csv(path)
    except GestureFileError as e:
        one_clean_line(str(e), path)
        fuzzcount.record("wand-csv fuzz: tries refused with one file(:line) line", 1, 1)
        return
    fuzzcount.record("wand-csv fuzz: tries accepted, checked and drawn", 1, 1)
    check_try(rec)
    a = analyse(Gesture(rec.label, "", [rec]))  # what `wand gestures` draws from it
    assert len(a.strokes) == 1 and np.isfinite(a.strokes[0]).all()


@FAST
@given(data=st.binary(max_size=300))
def test_wand_csv_reader_on_arbitrary_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bin") / "try.csv"
    path.write_bytes(MAGIC.encode() + b"\n" + data if data[:1] != b"!" else data)
    try:
        check_try(read_wand_csv(path))
    except GestureFileError as e:
        one_clean_line(str(e), path)


# --- the enrolment file -------------------------------------------------------------------------------

def _valid_enrolment() -> dict:
    rng = np.random.default_rng(0)
    tries = lambda k: [(rng.normal(0, 300, (30, 6)).astype(int) + k * 200).tolist() for _ in range(3)]  # noqa: E731
    es = EnrolmentSet(50)
    es.enrol("zorro", [np.array(t) for t in tries(0)])
    es.enrol("wiggle", [np.array(t) for t in tries(3)])
    return {"format": FORMAT, "rate_hz": 50, "gestures": {n: dict(vars(g)) for n, g in es.gestures.items()}}


VALID_ENROLMENT = _valid_enrolment()
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-3, 2000), st.floats(),
                         st.floats(-1, 200), nasty_text, st.sampled_from(["circle_cw", FORMAT, "zorro"]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(nasty_text, inner, max_size=3)), max_leaves=10)


def json_paths(node, prefix=()):
    """Key paths into a JSON tree; long lists only at their ends, so mutations spread over fields."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from json_paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i in sorted({0, len(node) - 1}) if node else []:
            yield from json_paths(node[i], prefix + (i,))


def json_mutate(data, path, how: str, value):
    data = json.loads(json.dumps(data))  # a deep copy
    if not path:
        return value if how == "replace" else data
    parent = data
    for k in path[:-1]:
        parent = parent[k]
    if how == "delete":
        del parent[path[-1]]
    elif how == "add" and isinstance(parent, dict):
        parent[f"{path[-1]}\x1b[1m"] = value
    elif how == "rename" and isinstance(parent, dict):
        parent["circle_cw" if isinstance(path[-1], str) else path[-1]] = parent.pop(path[-1])
    else:
        parent[path[-1]] = value
    return data


mutations = st.tuples(st.randoms(use_true_random=False), st.sampled_from(["replace", "delete", "add", "rename"]),
                      json_values)


def mutated(data, mutation):
    pick, how, value = mutation
    return json_mutate(data, pick.choice(list(json_paths(data))), how, value)


@FUZZ
@given(mutation=mutations, model_rate=st.sampled_from([50, 50, 25, 119]),
       segment=st.lists(st.tuples(*[st.integers(INT16_MIN, INT16_MAX)] * 6), min_size=0, max_size=40))
def test_enrolment_file_loads_valid_or_is_one_line(tmp_path_factory, mutation, model_rate, segment):
    path = tmp_path_factory.mktemp("enrol") / "enrolled.json"
    path.write_text(json.dumps(mutated(VALID_ENROLMENT, mutation)))
    path.chmod(0o600)
    try:
        es = load(path, model_rate, built_in=("circle_cw", "push_forward"))
    except GestureFileError as e:
        one_clean_line(str(e), path)
        fuzzcount.record("enrolment fuzz: files refused with one line", 1, 1)
        return
    fuzzcount.record("enrolment fuzz: files accepted, then matched and self-checked", 1, 1)
    assert "circle_cw" not in es.gestures  # a built-in name is left out
    for name, g in es.gestures.items():
        assert NAME_RE.fullmatch(name) and g.name == name and 0 < g.radius and np.isfinite(g.scale) and g.scale > 0
        assert not CONTROL.search(g.person + g.created)
    if es.gestures:  # what the daemon does with every unnamed gesture, and what `wand enrol` prints
        es._rescale()
        es.match(np.array(segment, np.int64).reshape(-1, 6))
        for name in es.gestures:
            es.self_check(name)


@FAST
@given(text=st.one_of(st.text(max_size=60), st.sampled_from(['{"format": "wand-enrolled-dtw-imu/1"', "[]", "null",
                                                             '{"model_crc32": 5}', '{"model_crc32": "zz"}', "1e999",
                                                             '{"rate_hz": 0}', "[" * 5000])),
       cut=st.integers(0, 2000))
def test_enrolment_file_as_text(tmp_path_factory, text, cut):
    path = tmp_path_factory.mktemp("enrol") / "enrolled.json"
    path.write_text(text if cut % 3 else json.dumps(VALID_ENROLMENT)[:cut] + text)
    path.chmod(0o600)
    try:
        load(path, 50)
    except GestureFileError as e:
        one_clean_line(str(e), path)


# --- the status file, through `wand status` ------------------------------------------------------------

VALID_STATUS = {
    "pid": 1, "updated": 1.7e9, "model_crc32": "0badcafe", "outputs": {"keyboard": "open", "midi": "unavailable: x"},
    "enrolled": ["zorro"], "imu_stream": "IMU stream on",
    "wands": {"wand-1": {"address": "C8:00:00:00:00:0A", "state": "connected", "profile": "tv", "connects": 2,
                         "battery_percent": 80, "last_gesture": "circle_cw", "last_error": None,
                         "events": {"received": 5, "delivered": 4, "lost": 1}}},
}


def run_wand(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def no_internal_error(rc: int, out: str, err: str) -> None:
    assert rc != 70 and "internal error" not in err and "Traceback" not in out + err, err
    assert not CONTROL.search(out.replace("\n", "") + err.replace("\n", "")), repr(out + err)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    base = tmp_path_factory.mktemp("run")
    (base / "wand").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_RUNTIME_DIR", str(base))
        yield base / "wand" / "status.json"


@FUZZ
@given(mutation=mutations, as_text=st.one_of(st.none(), st.text(max_size=40), st.binary(max_size=40)))
def test_wand_status_on_a_hand_edited_status_file(runtime, mutation, as_text):
    if as_text is None:
        runtime.write_text(json.dumps(mutated(VALID_STATUS, mutation)))
    else:
        runtime.write_bytes(as_text.encode("utf-8", "surrogatepass") if isinstance(as_text, str) else as_text)
    rc, out, err = run_wand("status")
    no_internal_error(rc, out, err)
    assert rc in (0, 1)
    if rc == 1 and "not a status file" in out + err:
        assert (out + err).count("\n") == 1


# --- bad tries beside good ones, through the real commands ---------------------------------------------

@pytest.fixture(scope="module")
def good_tries(vocab):
    return vocab["shake"].recordings()[:3]


@COMMANDS
@given(text=wand_csv_texts())
def test_one_bad_try_is_named_and_skipped_by_gestures_enrol_and_eval(tmp_path_factory, good_tries, text):
    home = tmp_path_factory.mktemp("home")
    rec_dir = home / "rec"
    for r in good_tries[:2]:
        write_wand_csv(Recording("zorro", r.samples, r.rate_hz, "me"), rec_dir)
    bad = rec_dir / "zorro" / "zz-hand-edited.csv"  # sorts last: the try enrol would use first
    bad.write_bytes(text.encode("utf-8", "surrogatepass"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAND_RECORDINGS", str(rec_dir))
        mp.setenv("XDG_CONFIG_HOME", str(home / "cfg"))
        mp.setenv("XDG_DATA_HOME", str(home / "data"))
        for args in (["gestures", "--out", str(home / "pics")], ["enrol", "zorro", "--tries", "3"],
                     ["eval", str(rec_dir), "--json", "--png", str(home / "eval.png")]):
            rc, out, err = run_wand(*args)
            no_internal_error(rc, out, err)
            if args[0] == "gestures":
                assert rc == 0 and (home / "pics" / "gestures.png").exists()
                assert "built-in-circle_cw.png" in out  # the others are drawn whatever this try holds


# --- the examples, each through the real commands ------------------------------------------------

def _try_text(rate="50", gesture="zorro", rows=None, header=",".join(COLUMNS)) -> str:
    rows = rows if rows is not None else ["0,0,1000,0,0,0"] * 20
    return "\n".join([MAGIC, f"# gesture: {gesture}", f"# rate_hz: {rate}", header, *rows]) + "\n"


BAD_TRIES = {  # what a hand edit did -> where the one line points and what it says
    "rate 0": (_try_text(rate="0"), ":3: rate_hz must be a whole number"),
    "rate negative": (_try_text(rate="-50"), ":3: rate_hz must be"),
    "rate absurd": (_try_text(rate="99999999"), ":3: rate_hz must be"),
    "value outside int16": (_try_text(rows=["0,0,1000,0,0,0"] * 5 + ["0,0,40000,0,0,0"]), ":10: values must be in"),
    "-2147483648 (an old import)": (_try_text(rows=["-2147483648,0,0,0,0,0"] * 3), ":5: values must be in"),
    "one sample": (_try_text(rows=["0,0,1000,0,0,0"]), ": 1 sample(s); a try needs at least 2"),
    "missing column": (_try_text(rows=["0,0,1000,0,0"] * 3), ":5: expected 6 integers, got 5"),
    "bad header": (_try_text(header="ax,ay,az,gx,gy,gz"), ":4: column header must be"),
    "escape codes in its name": (_try_text(gesture="\x1b[2Jzorro"), ":2: bad gesture name"),
}


def test_each_kind_of_bad_try_is_one_line_and_the_rest_keep_working(tmp_path, good_tries):
    rec_dir = tmp_path / "rec"
    for r in good_tries:
        write_wand_csv(Recording("zorro", r.samples, r.rate_hz, "me"), rec_dir)
    write_wand_csv(Recording("wiggle", good_tries[0].samples, good_tries[0].rate_hz, "me"), rec_dir)
    (rec_dir / "broken").mkdir()  # a whole gesture folder of bad tries must not stop the others
    bad = {}
    for i, (case, (text, says)) in enumerate(sorted(BAD_TRIES.items())):
        bad[rec_dir / "zorro" / f"zz-{i}.csv"] = says  # sorted last: the newest tries, which enrol takes
        bad[rec_dir / "broken" / f"{i}.csv"] = says
        for path in (rec_dir / "zorro" / f"zz-{i}.csv", rec_dir / "broken" / f"{i}.csv"):
            path.write_text(text)

    evil = rec_dir / "\x1b[2Jevil"  # a folder name that would clear the screen if printed raw
    evil.mkdir()
    (evil / "t.csv").write_text(_try_text())

    def every_bad_try_named(err: str) -> None:
        for path, says in bad.items():
            assert f"{path}{says}" in err, (path, says, err)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAND_RECORDINGS", str(rec_dir))
        mp.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
        rc, out, err = run_wand("gestures", "--out", str(tmp_path / "pics"))
        no_internal_error(rc, out, err)
        every_bad_try_named(err)
        assert "\\x1b[2Jevil: a folder name that is not a gesture name" in err  # named, escaped, skipped
        assert rc == 0 and "recorded: wiggle (1), zorro (3)" in out
        assert "recorded-zorro.png" in out and "recorded-wiggle.png" in out and "built-in-circle_cw.png" in out
        rc, out, err = run_wand("enrol", "zorro", "--tries", "4")
        no_internal_error(rc, out, err)
        assert all(f"{p}{says}" in err for p, says in bad.items() if p.parent.name == "zorro")
        assert "only 3 usable recorded tries of 'zorro', fewer than the 4 asked for: enrolling from 3" in out
        assert rc in (0, 3) and "enrolled 'zorro' from" in out
        rc, out, err = run_wand("eval", str(rec_dir), "--json", "--png", str(tmp_path / "eval.png"))
        no_internal_error(rc, out, err)
        every_bad_try_named(err)
        assert rc == 0 and json.loads(out)
    from wand.datasets import user_recordings  # what `wand train` reads the user's gestures with
    assert sorted(user_recordings(rec_dir)) == ["wiggle", "zorro"]


VALID_BUT_EXTREME = {
    "two": _try_text(rate="1000", rows=["0,0,1000,0,0,0", "5,5,990,3,3,3"]),  # two samples at 1000 Hz
    "full": _try_text(rate="10", rows=["32767,-32768,32767,-32768,32767,-32768"] * 12),  # full scale at 10 Hz
    "still": _try_text(rows=["0,0,0,0,0,0"] * 40),
}


def test_valid_but_extreme_tries_work_in_every_command(tmp_path):
    for name, text in VALID_BUT_EXTREME.items():
        (tmp_path / "rec" / name).mkdir(parents=True)
        for i in range(3):
            (tmp_path / "rec" / name / f"t{i}.csv").write_text(text.replace("gesture: zorro", f"gesture: {name}"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAND_RECORDINGS", str(tmp_path / "rec"))
        mp.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
        for args in (["gestures", "--out", str(tmp_path / "pics")],
                     ["eval", str(tmp_path / "rec"), "--json", "--png", str(tmp_path / "eval.png")],
                     *(["enrol", name] for name in VALID_BUT_EXTREME)):
            rc, out, err = run_wand(*args)
            no_internal_error(rc, out, err)
            assert "skipped" not in err


# --- the enrolment-file and import examples, through the real commands -------------------------

def _enrolment_with(**change) -> dict:
    data = json.loads(json.dumps(VALID_ENROLMENT))
    data.update(change)
    return data


def _escape_named() -> dict:
    data = json.loads(json.dumps(VALID_ENROLMENT))
    g = data["gestures"].pop("zorro")
    data["gestures"]["\x1b[2J\x1b]0;pwned\x07zorro"] = {**g, "name": "\x1b[2J\x1b]0;pwned\x07zorro"}
    return data


@pytest.mark.parametrize("case, data, says", [
    ("rate 0", _enrolment_with(rate_hz=0), "rate_hz 0: a whole number of samples per second"),
    ("rate as text", _enrolment_with(rate_hz="50"), "rate_hz 50: a whole number"),
    ("tries of the wrong type", _enrolment_with(gestures={"zorro": {**VALID_ENROLMENT["gestures"]["zorro"],
                                                                    "tries": "abc"}}), "tries must be"),
    ("scale infinite", _enrolment_with(gestures={"zorro": {**VALID_ENROLMENT["gestures"]["zorro"],
                                                           "scale": 1e999}}), "scale must be a finite number"),
    ("escape codes in a name", _escape_named(), "bad gesture name"),
])
def test_a_bad_enrolment_file_is_one_line_and_wand_run_does_not_start_on_it(tmp_path, case, data, says):
    path = tmp_path / "enrolled.json"
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    for args in (["run", "--any", "--dry-run", "--wand", "sim", "--enrolled", str(path)],
                 ["enrol", "zorro", "--enrolled", str(path), "--recordings", str(tmp_path / "none")]):
        rc, out, err = run_wand(*args)
        no_internal_error(rc, out, err)
        if args[0] == "run":
            assert rc == 1 and f"{path}: not an enrolment file" in err and says in err and err.count("\n") == 1


def test_an_enrolment_named_like_a_built_in_gesture_is_left_out_with_one_warning(tmp_path):
    data = json.loads(json.dumps(VALID_ENROLMENT))
    data["gestures"]["circle_cw"] = {**data["gestures"].pop("wiggle"), "name": "circle_cw"}
    cfg = tmp_path / "cfg" / "wand"
    cfg.mkdir(parents=True)
    (cfg / "enrolled.json").write_text(json.dumps(data))
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), WAND_RECORDINGS=str(tmp_path / "rec"))
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "wand", "gestures", "--no-pictures"], capture_output=True,
                          text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    assert "enrolled (few-shot): zorro\n" in done.stdout  # circle_cw is the model's, not this file's
    warning = [line for line in done.stderr.splitlines() if "circle_cw" in line]
    assert len(warning) == 1 and f"{cfg / 'enrolled.json'}: enrolled gesture 'circle_cw' has the name of a " \
        "gesture built into the model" in warning[0] and "'wand enrol my_circle_cw'" in warning[0]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300", "40", "-3300"])
def test_import_refuses_values_that_do_not_fit_the_wire_with_file_and_line(tmp_path, value):
    """nan, inf, 1e300 g and values outside int16 once became -2147483648 in the saved try."""
    from wand.datasets import TTI_HEADER, TTI_ROWS_PER_TRY
    rows = ["0.01,0.02,0.98,1.5,-2.0,0.5"] * TTI_ROWS_PER_TRY
    rows[7] = f"0.01,0.02,0.98,1.5,{value},0.5" if value != "40" else "40,0.02,0.98,1.5,-2.0,0.5"
    src = tmp_path / "gesture.csv"
    src.write_text(",".join(TTI_HEADER) + "\n" + "\n".join(rows) + "\n")
    rc, out, err = run_wand("import", str(src), "--gesture", "zorro", "--out", str(tmp_path / "rec"))
    no_internal_error(rc, out, err)
    assert rc == 1 and f"{src}:9: values must be finite and within the IMU's 16-bit range" in err
    assert "nothing was imported" in err and not (tmp_path / "rec" / "zorro").exists()
