"""`wand view --wand sim` in a real browser: headless Chromium driven by selenium.

The page loads and goes live, a simulated gesture appears in its event list with its
stroke, a try recorded from the page lands in the recordings folder as a whole file and
enrols with a self-check verdict per try, the gestures page shows every picture, and a
request without the token is refused. Screenshots of each page are kept as PNG under
runs/test-artifacts/view/ (printed). Waits are hang guards: each returns as soon as the
page shows what it waits for. Without Chromium, chromedriver or selenium the test is
skipped with one line saying what is missing (`make test-tools` installs them).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "runs" / "test-artifacts" / "view"
GUARD_S = 600
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1300,1000")


def _browser() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [what for what, ok in (("chromium", chromium), ("chromedriver (Debian chromium-driver)", driver)) if not ok]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing:
        pytest.skip(f"no browser for the live-page test: {', '.join(missing)} missing ('make test-tools' installs them)")
    return chromium, driver


@pytest.fixture
def view_process(tmp_path, request):
    """`wand view --wand sim --dry-run` as a user runs it (another --wand through indirect
    parametrisation); yields (url, recordings folder, (chromium, chromedriver)); skipped
    first where there is no browser."""
    browser = _browser()
    env = dict(os.environ, PYTHONPATH=str(REPO), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(tmp_path / "run"), PYTHONUNBUFFERED="1")
    rec = tmp_path / "recordings"
    proc = subprocess.Popen([sys.executable, "-m", "wand", "view", "--wand", getattr(request, "param", "sim"), "--dry-run", "--view-port", "0",
                             "--recordings", str(rec), "--enrolled", str(tmp_path / "enrolled.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    try:
        url, seen = None, []
        while url is None:
            try:
                line = lines.get(timeout=GUARD_S)
            except queue.Empty:
                raise AssertionError(f"wand view printed no address in {GUARD_S} s: {seen}") from None
            seen.append(line)
            if m := re.search(r"live view: (http://\S+)", line):
                url = m.group(1)
            assert proc.poll() is None or not lines.empty(), f"wand view exited: {''.join(seen)}"
        yield url, rec, browser
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=GUARD_S)
        except subprocess.TimeoutExpired:
            proc.kill()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=GUARD_S) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _chrome(chromium: str, chromedriver: str, tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    opts.binary_location = chromium
    return webdriver.Chrome(options=opts, service=Service(chromedriver))


@pytest.mark.parametrize("view_process", ["sim:digit_5"], indirect=True)
def test_a_character_drawn_in_the_air_in_chromium(view_process, tmp_path, capsys):
    """`wand view --wand sim:digit_5` (SYNTHETIC air-written 5s, TV example: digits mapped):
    the wand card shows the stroke spotter's states beside the IMU spotter's, and the 5
    appears in the event list as read, with its runner-ups and the key it pressed."""
    url, _, (chromium, chromedriver) = view_process
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = _chrome(chromium, chromedriver, tmp_path)
    wait = WebDriverWait(browser, GUARD_S, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,))
    try:
        browser.get(url)
        wait.until(lambda _: browser.find_element(By.ID, "link").text == "live")

        def drawn(_):
            return [li for li in browser.find_elements(By.CSS_SELECTOR, '#events li.event[data-kind="stroke"]')
                    if li.get_attribute("data-gesture") == "digit_5" and int(li.get_attribute("data-points")) > 10
                    and "performed" in li.find_element(By.CSS_SELECTOR, ".verdict").text]
        got = wait.until(drawn)[0]
        assert "the wand read digit_5" in got.text and "scores among the characters listened for: digit_5" in got.text
        assert "performed: (dry run) press 5" in got.text
        rows = browser.execute_script(  # read at once: the chips are redrawn as the state changes
            "return Object.fromEntries([...document.querySelectorAll('.wand .states')].map("
            "r => [r.dataset.machine, [...r.querySelectorAll('.state')].map(e => e.textContent)]))")
        assert rows == {"spotter": ["IDLE", "CAPTURE", "DONE"], "strokes": ["IDLE", "ARMED", "DRAWING"]}
        browser.save_screenshot(str(ARTIFACTS / "live-strokes.png"))
    finally:
        browser.quit()
    with capsys.disabled():
        print(f"\nlive-page screenshot of a drawn character: {ARTIFACTS}/live-strokes.png")


def test_live_page_in_chromium(view_process, tmp_path, capsys):
    url, rec, (chromium, chromedriver) = view_process
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from wand.recordings import list_gesture_files, read_wand_csv

    base, token = url.split("/?token=")
    assert _status(url) == 200
    assert _status(base + "/") == 403 and _status(f"{base}/?token=wrong") == 403
    assert _status(f"{base}/static/view.js") == 403 and _status(f"{base}/api/gestures?token=") == 403

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = _chrome(chromium, chromedriver, tmp_path)
    # the page redraws as messages arrive: an element read while it is replaced is read again
    wait = WebDriverWait(browser, GUARD_S, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,))
    css = lambda sel: browser.find_elements(By.CSS_SELECTOR, sel)  # noqa: E731

    def click_first(sel: str) -> bool:
        found = css(sel)
        if found:
            found[0].click()
        return bool(found)
    try:
        # 1-2: live traces, states, and a simulated gesture in the event list with its stroke
        browser.get(url)
        wait.until(lambda _: browser.find_element(By.ID, "link").text == "live")

        def performed_with_stroke(_):
            return [li for li in css("#events li.event")
                    if li.get_attribute("data-gesture") and int(li.get_attribute("data-points")) > 10
                    and "performed" in li.find_element(By.CSS_SELECTOR, ".verdict").text]
        got = wait.until(performed_with_stroke)[0]
        assert got.get_attribute("data-gesture") in ("diagonal_up_left", "circle_cw", "push_forward")
        assert "scores:" in got.text
        wait.until(lambda _: css(".wand .states .state.on"))
        wait.until(lambda _: int(css(".wand")[0].get_attribute("data-samples") or 0) >= 100)  # 2 s of trace
        chips = browser.execute_script(  # read at once: the chips are redrawn as the state changes
            "return [...document.querySelectorAll('.wand .states .state')].map(e => e.textContent)")
        assert set(chips) >= {"IDLE", "CAPTURE", "DONE"}
        browser.save_screenshot(str(ARTIFACTS / "live.png"))

        # 3: record and teach
        browser.find_element(By.ID, "tab-teach").click()
        browser.find_element(By.ID, "teach-name").send_keys("zorro")
        browser.find_element(By.ID, "teach-start").click()
        wait.until(lambda _: "recording 'zorro'" in browser.find_element(By.ID, "teach-status").text)
        for n in range(1, 4):
            wait.until(lambda _: click_first(".try.pending button.keep"))
            wait.until(lambda _: len(css(".try.kept")) >= n)
        browser.find_element(By.ID, "enrol").click()
        wait.until(lambda _: "self-check" in browser.find_element(By.ID, "enrol-result").text)
        browser.save_screenshot(str(ARTIFACTS / "teach.png"))
        files = list_gesture_files(rec)["zorro"]
        assert len(files) == 3
        for f in files:
            assert len(read_wand_csv(f).samples) == 50 and f.with_suffix(".png").stat().st_size > 0
        assert len(browser.find_elements(By.CSS_SELECTOR, "#enrol-result li")) == 3

        # 4: every gesture's picture and its mapping
        browser.find_element(By.ID, "tab-gestures").click()
        wait.until(lambda _: len(css(".gesture img")) >= 3 and all(
            browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i)
            for i in css(".gesture img")))
        names = {g.get_attribute("data-gesture") for g in css(".gesture")}
        assert {"diagonal_up_left", "circle_cw", "push_forward", "zorro"} <= names
        assert "key(key=page_down" in browser.find_element(By.CSS_SELECTOR, '.gesture[data-gesture="diagonal_up_left"]').text
        browser.save_screenshot(str(ARTIFACTS / "gestures.png"))

        # without the token the browser gets nothing but the refusal
        browser.get(base + "/")
        assert "forbidden" in browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.quit()
    with capsys.disabled():
        print(f"\nlive-page screenshots: {ARTIFACTS}/live.png, teach.png, gestures.png")
