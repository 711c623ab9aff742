"""Shared fixtures: real data, the default model, and the real seams (g++ harness, Xvfb, JACK)."""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIRMWARE_TESTS = REPO / "firmware" / "tests"

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One thread of TensorFlow / OpenMP per pytest-xdist worker (set before anything imports
    # them): the workers already fill the cores, and oversubscribed thread pools only spin.
    for _var in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(_var, "1")


@pytest.fixture(scope="session")
def bundle():
    from wand.model import load_model
    return load_model()


@pytest.fixture(scope="session")
def vocab():
    from wand.datasets import load_vocabulary
    return {g.name: g for g in load_vocabulary()}


@pytest.fixture(scope="session")
def tti_recordings():
    from wand.datasets import find_dataset, load_dataset
    return load_dataset(find_dataset("tiny-trainable-instruments"), "tti-csv")


@pytest.fixture(scope="session")
def strokes_quick(tmp_path_factory):
    """One `wand bench strokes --quick` run (its printed text, its folder) shared by the tests
    that check its pen/canvas table and its real air-writing table: one run, not two."""
    import contextlib
    import io

    from wand.cli import main
    out = tmp_path_factory.mktemp("bench-strokes")
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        assert main(["bench", "strokes", "--quick", "--out", str(out)]) == 0
    return text.getvalue(), out


def _make(target: str) -> Path:
    if not shutil.which("g++"):
        pytest.skip("g++ not installed")
    build = FIRMWARE_TESTS / "build"
    build.mkdir(exist_ok=True)
    # one make at a time: pytest-xdist workers share the build folder
    with open(build / ".make.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["make", "-s", "-C", str(FIRMWARE_TESTS), target], check=True, capture_output=True, text=True)
    return build


@pytest.fixture(scope="session")
def core_harness() -> Path:
    return _make("harness") / "core_harness"


@pytest.fixture(scope="session")
def make_target():
    return _make


@pytest.fixture(scope="session")
def xdisplay():
    """An X display for pynput: the one we have, or a fresh Xvfb -noreset."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if not shutil.which("Xvfb"):
        pytest.skip("no DISPLAY and no Xvfb (apt install xvfb)")
    # -displayfd: the server takes a free display number and writes it back (no clash
    # between pytest-xdist workers or other X servers on the machine)
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-noreset", "-screen", "0", "800x600x24"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write,))
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()  # written once the server accepts connections
    if not number:
        pytest.fail(f"Xvfb exited ({proc.wait()}) before it named its display")
    display = f":{number}"
    os.environ["DISPLAY"] = display
    # Stopped at exit, not at fixture teardown: pynput keeps display connections in
    # background threads that would otherwise see the server vanish under them.
    atexit.register(proc.terminate)
    yield display


@pytest.fixture(scope="session")
def jack_midi():
    """A JACK dummy server, and mido on rtmidi's JACK API (no ALSA in this kernel)."""
    if not shutil.which("jackd"):
        pytest.skip("jackd not installed (apt install jackd2)")
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
    name = f"wandtest{os.getpid()}"
    proc = subprocess.Popen(["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", "48000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    os.environ["JACK_DEFAULT_SERVER"] = name
    if shutil.which("jack_wait"):  # until the server answers, however loaded the machine
        subprocess.run(["jack_wait", "-s", name, "-w", "-t", "600"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    else:
        time.sleep(1.0)
    import mido
    old = os.environ.get("MIDO_BACKEND")
    os.environ["MIDO_BACKEND"] = "mido.backends.rtmidi/UNIX_JACK"
    mido.set_backend("mido.backends.rtmidi/UNIX_JACK")
    yield mido
    if old is None:
        os.environ.pop("MIDO_BACKEND", None)
    else:
        os.environ["MIDO_BACKEND"] = old
    os.environ.pop("JACK_DEFAULT_SERVER", None)
    proc.terminate()
    proc.wait()


# --- reliability counts in the summary (fuzzcount.py) ------------------------------------------------
def _counted(inner, what: str):
    import functools

    import fuzzcount

    @functools.wraps(inner)
    def run(*args, **kwargs):
        try:
            result = inner(*args, **kwargs)
        except Exception as e:
            if type(e).__name__ != "UnsatisfiedAssumption":  # hypothesis' assume(): not an example
                fuzzcount.record(what, 1, 0)
            raise
        fuzzcount.record(what, 1, 1)
        return result
    run._fuzzcount = True
    return run


def pytest_collection_modifyitems(items):
    """Wrap each hypothesis test's body (``.hypothesis.inner_test``, hypothesis' hook for
    plugins) so that every example it runs is counted per test file."""
    for item in items:
        h = getattr(getattr(item, "obj", None), "hypothesis", None)
        if h is not None and not getattr(h.inner_test, "_fuzzcount", False):
            h.inner_test = _counted(h.inner_test, item.nodeid.split("[")[0])


def pytest_sessionfinish(session):
    """An xdist worker hands its counts to the controller (which prints the summary)."""
    import fuzzcount
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["fuzzcount"] = fuzzcount.COUNTS


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    import fuzzcount
    for what, (tried, survived) in getattr(node, "workeroutput", {}).get("fuzzcount", {}).items():
        fuzzcount.record(what, tried, survived)


def pytest_terminal_summary(terminalreporter):
    import fuzzcount
    if not fuzzcount.COUNTS:
        return
    files: dict[str, list[int]] = {}
    terminalreporter.section("reliability counts: tried / survived")
    for what, (tried, survived) in sorted(fuzzcount.COUNTS.items()):
        terminalreporter.write_line(f"{tried:>9,} / {survived:<9,} {what}")
        if "::" in what:  # a hypothesis test: also summed per file, as the README's table counts them
            t = files.setdefault(what.split("::")[0], [0, 0])
            t[0], t[1] = t[0] + tried, t[1] + survived
    for name, (tried, survived) in sorted(files.items()):
        terminalreporter.write_line(f"{tried:>9,} / {survived:<9,} {name} (all its hypothesis examples)")
