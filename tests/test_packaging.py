"""A newcomer's setup steps, run as written: the login service and the test tools."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _readme_block(heading: str) -> str:
    text = (REPO / "README.md").read_text()
    section = text[text.index(heading):]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_systemd_steps_from_the_readme_install_a_valid_unit_on_a_fresh_home(tmp_path):
    """The README's lines, run by sh in an empty home: the folder is made, the unit names the
    `wand` on PATH (no checkout path), and the user manager is reloaded before enabling."""
    home, bin_ = tmp_path / "home", tmp_path / "bin"
    home.mkdir()
    bin_.mkdir()
    wand = bin_ / "wand"
    wand.write_text("#!/bin/sh\nexit 0\n")
    wand.chmod(0o755)
    log = tmp_path / "systemctl.log"
    (bin_ / "systemctl").write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    (bin_ / "systemctl").chmod(0o755)
    (bin_ / "journalctl").write_text("#!/bin/sh\nexit 0\n")
    (bin_ / "journalctl").chmod(0o755)
    steps = _readme_block("### Run it at login")
    env = {"HOME": str(home), "PATH": f"{bin_}:/usr/bin:/bin"}
    done = subprocess.run(["sh", "-e", "-c", steps], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    unit = home / ".config/systemd/user/wand.service"
    exec_start = re.search(r"^ExecStart=(.*)$", unit.read_text(), re.M).group(1)
    assert exec_start == f"{wand} run"
    assert log.read_text().splitlines() == ["--user daemon-reload", "--user enable --now wand"]
    shipped = (REPO / "packaging/wand.service").read_text()
    assert "magic-wand" not in re.search(r"^ExecStart=(.*)$", shipped, re.M).group(1)
    if shutil.which("systemd-analyze"):
        check = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_macos_agent_names_no_checkout_path():
    import plistlib
    agent = plistlib.loads((REPO / "packaging/com.magicwand.daemon.plist").read_bytes())
    assert agent["ProgramArguments"] == ["/usr/local/bin/wand", "run"]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("apt-get"), reason="needs root and apt-get")
def test_make_test_tools_waits_for_the_apt_lock(tmp_path):
    """Another apt holds the dpkg lock for a few seconds: `make test-tools` waits, then succeeds.

    PATH hides the tools so make asks apt for them; they are installed already, so apt only
    has to get the lock and say so (no download)."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("apt-get", "dpkg", "id", "env", "sh"):
        os.symlink(shutil.which(tool), bin_ / tool)
    packages = ["xvfb", "jackd2", "g++", "gcc-arm-none-eabi"]
    installed = subprocess.run(["dpkg-query", "-W", "-f=${Status}\n", *packages], capture_output=True, text=True)
    if installed.stdout.count("install ok installed") != len(packages):
        pytest.skip("the test tools are not all installed here, so apt would have to download them")
    hold = 4.0
    with open("/var/lib/dpkg/lock-frontend", "w") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pytest.skip("apt is busy right now")
        t0 = time.monotonic()
        proc = subprocess.Popen([shutil.which("make"), "-s", "test-tools", "APT_LOCK_WAIT=120"], cwd=REPO,
                                env={"PATH": str(bin_)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(hold)
        fcntl.lockf(lock, fcntl.LOCK_UN)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert "installing: xvfb jackd2 g++" in out and time.monotonic() - t0 >= hold
