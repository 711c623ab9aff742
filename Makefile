# The two commands a fresh machine needs (see README):
#   make demo   set up .venv and run the simulated wand end to end
#   make test   install the test tools (apt: Xvfb, JACK, arm-none-eabi-gcc, Mosquitto, cec-utils, adb, Chromium)
#               and run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv test-tools firmware-size clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/wand demo

# Tools the seams need: an X server for pynput, a JACK server for MIDI, g++ and the
# Cortex-M4 cross compiler for the firmware core, a Mosquitto broker for the MQTT output,
# cec-client and adb for the TV output's no-device paths, headless Chromium and its driver for
# the live page's browser test (wand view). Installed only where missing; apt waits
# (up to APT_LOCK_WAIT seconds) for another apt or an unattended upgrade to finish.
APT_LOCK_WAIT ?= 600
APT_GET := apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT)
test-tools:
	@missing=""; \
	command -v Xvfb >/dev/null || missing="$$missing xvfb"; \
	command -v jackd >/dev/null || missing="$$missing jackd2"; \
	command -v g++ >/dev/null || missing="$$missing g++"; \
	command -v arm-none-eabi-g++ >/dev/null || missing="$$missing gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib"; \
	[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null || missing="$$missing mosquitto"; \
	command -v cec-client >/dev/null || missing="$$missing cec-utils"; \
	command -v adb >/dev/null || missing="$$missing adb"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    echo "installing:$$missing"; \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -q $$missing >/dev/null || \
	      { $$SUDO $(APT_GET) update -q >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -q $$missing >/dev/null; }; \
	  else echo "not installed (tests that need them will be skipped):$$missing"; fi; \
	fi

firmware-size:
	@command -v arm-none-eabi-g++ >/dev/null && $(MAKE) -s -C firmware/tests arm-size || echo "no arm-none-eabi-g++: size check skipped"

# Tools first: the venv may build a wheel (dtaidistance) with the C compiler. Tests run in
# TEST_JOBS pytest-xdist workers (each has its own X display, JACK server and session fixtures).
TEST_JOBS ?= 2
test: test-tools $(STAMP)
	$(MAKE) -s -C firmware/tests test
	$(MAKE) -s firmware-size
	$(BIN)/python -m pytest -q -n $(TEST_JOBS)

clean:
	rm -rf $(VENV) firmware/tests/build .pytest_cache
