"""MQTT through a real Mosquitto broker started by the test, watched by a paho subscriber:
gesture messages, Home Assistant discovery payloads checked against HA's documented
device-trigger schema, and a broker restart with events queued meanwhile."""

from __future__ import annotations

import getpass
import json
import logging
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from wand.config import parse_config
from wand.events import GestureEvent
from wand.outputs import OutputSet

MOSQUITTO = shutil.which("mosquitto") or next((p for p in ("/usr/sbin/mosquitto",) if Path(p).exists()), None)
pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto not installed (apt install mosquitto)")
LIMIT_S = 90.0  # generous: waits end as soon as their condition holds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, what: str, limit: float = LIMIT_S) -> None:
    end = time.monotonic() + limit
    while not pred():
        if time.monotonic() > end:
            raise AssertionError(f"gave up after {limit} s waiting for {what}")
        time.sleep(0.02)


class Broker:
    """Mosquitto on a free loopback port, with a temp config and on-disk persistence
    (so a persistent subscriber's session and queue survive a restart)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.conf = tmp / "mosquitto.conf"
        (tmp / "db").mkdir()
        # user: as root, mosquitto would switch to 'mosquitto', which cannot write the test's folder
        self.conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                             f"user {getpass.getuser()}\n"
                             f"persistence_location {tmp / 'db'}/\nautosave_interval 1\n")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

        def listening() -> bool:
            assert self.proc.poll() is None, "mosquitto exited"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        wait_for(listening, "mosquitto to listen")

    def stop(self) -> None:
        self.proc.terminate()  # SIGTERM: mosquitto saves its persistence file
        self.proc.wait(timeout=600)  # a hang guard: mosquitto exits once its state is saved


class Subscriber:
    def __init__(self, port: int, topics: list[str], client_id: str = "wand-test-subscriber") -> None:
        import paho.mqtt.client as mqtt
        self.messages: list[tuple[str, dict, bool]] = []
        self.lock = threading.Lock()
        self.subscribed = threading.Event()
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                             clean_session=False)
        self.c.reconnect_delay_set(1, 2)

        def on_connect(client, userdata, flags, reason, props):
            client.subscribe([(t, 1) for t in topics])

        self.c.on_connect = on_connect
        self.c.on_subscribe = lambda *a: self.subscribed.set()
        self.c.on_message = self._on_message
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert self.subscribed.wait(LIMIT_S)

    def _on_message(self, client, userdata, msg) -> None:
        with self.lock:
            self.messages.append((msg.topic, json.loads(msg.payload), bool(msg.retain)))

    def on(self, prefix: str) -> list[tuple[str, dict]]:
        with self.lock:
            return [(t, p) for t, p, _ in self.messages if t.startswith(prefix)]

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path)
    b.start()
    yield b
    if b.proc.poll() is None:
        b.stop()


# Home Assistant's MQTT device trigger (integrations/device_trigger.mqtt): required keys and types
HA_REQUIRED = {"automation_type": str, "topic": str, "type": str, "subtype": str, "device": dict}
HA_OPTIONAL = {"payload": str, "qos": int, "value_template": str}
HA_DEVICE = {"identifiers": (list, str), "connections": list, "name": str, "manufacturer": str, "model": str,
             "model_id": str, "sw_version": str, "hw_version": str, "serial_number": str, "suggested_area": str,
             "via_device": str, "configuration_url": str}
HA_DISCOVERY_TOPIC = re.compile(r"^homeassistant/device_automation/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)/config$")


def check_ha_trigger(topic: str, payload: dict) -> None:
    assert HA_DISCOVERY_TOPIC.match(topic), topic
    for key, kind in HA_REQUIRED.items():
        assert isinstance(payload.get(key), kind), (key, payload)
    assert payload["automation_type"] == "trigger"
    assert not set(payload) - set(HA_REQUIRED) - set(HA_OPTIONAL), payload
    assert payload.get("qos", 0) in (0, 1, 2)
    assert "+" not in payload["topic"] and "#" not in payload["topic"]
    device = payload["device"]
    assert device.get("identifiers") or device.get("connections"), device
    for key, value in device.items():
        assert key in HA_DEVICE and isinstance(value, HA_DEVICE[key]), (key, value)


def config(port: int, extra: str = ""):
    return parse_config(f"""
[mqtt]
host = "127.0.0.1"
port = {port}
{extra}
[wands.kitchen]
profile = "home"
[profiles.home.gestures]
circle_cw = "mqtt:gesture"
shake = ["mqtt:gesture", "key:a"]
push_forward = "key:b"
""")


def event(wand: str, gesture: str, strength: float = 0.5) -> GestureEvent:
    return GestureEvent(wand, gesture, "model", 0.93, strength, 1, 1000)


def test_gestures_are_published_and_announced_to_home_assistant(broker):
    sub = Subscriber(broker.port, ["wand/#", "homeassistant/#"])
    outs = OutputSet(config(broker.port))
    try:
        wait_for(lambda: len(sub.on("homeassistant/")) == 2, "the configured wand announced at start")
        assert not sub.on("wand/")
        cfg_action = outs._config.profiles["home"].gestures["circle_cw"][0]
        outs.perform(cfg_action, event("living room", "circle_cw", 0.25))
        wait_for(lambda: sub.on("wand/"), "the gesture message")
        wait_for(lambda: len(sub.on("homeassistant/")) >= 4, "discovery of both wands' two gestures")
        (topic, msg), = sub.on("wand/")
        assert topic == "wand/living_room/gesture/circle_cw"
        assert msg["wand"] == "living room" and msg["gesture"] == "circle_cw" and msg["profile"] == "home"
        assert msg["confidence"] == pytest.approx(0.93) and msg["strength"] == pytest.approx(0.25)
        discovered = dict(sub.on("homeassistant/"))
        for t, p in discovered.items():
            check_ha_trigger(t, p)
        # one trigger per mqtt-mapped gesture, for the configured wand and the one just seen
        assert {(p["device"]["name"], p["subtype"]) for p in discovered.values()} == {
            ("kitchen", "circle_cw"), ("kitchen", "shake"), ("living room", "circle_cw"), ("living room", "shake")}
        trig = discovered["homeassistant/device_automation/wand_living_room/circle_cw/config"]
        assert trig["topic"] == topic  # the trigger listens where the event went
        late = Subscriber(broker.port, ["homeassistant/#"], client_id="home-assistant-started-later")
        wait_for(lambda: len(late.messages) >= 4, "the retained discovery messages")
        late.close()
        assert all(retained for _, _, retained in late.messages)  # Home Assistant started later still sees them
    finally:
        outs.close()
        sub.close()


def test_events_wait_for_a_restarted_broker_and_all_arrive(broker):
    sub = Subscriber(broker.port, ["wand/#"])
    outs = OutputSet(config(broker.port))
    act = outs._config.profiles["home"].gestures["circle_cw"][0]
    try:
        outs.perform(act, event("w", "circle_cw", 0.0))
        wait_for(lambda: len(sub.on("wand/")) == 1, "the first event")
        assert sub.c.is_connected()
        broker.stop()
        mqtt_out = outs._open["mqtt"]
        wait_for(lambda: not mqtt_out._client.is_connected(), "the client to notice the broker left")
        lines = [outs.perform(act, event("w", "circle_cw", i / 10)) for i in range(1, 6)]
        assert all("queued" in line for line in lines), lines
        assert mqtt_out.queued() == 5
        broker.start()
        want = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]

        def strengths() -> list[float]:
            return [p["strength"] for _, p in sub.on("wand/")]
        wait_for(lambda: set(strengths()) >= set(want),
                 "the five queued events after the restart")
        # all of them, in order; QoS 1 is at-least-once, so a resend across the restart may repeat one
        assert list(dict.fromkeys(strengths())) == pytest.approx(want)
        assert mqtt_out.queued() == 0
    finally:
        outs.close()
        sub.close()


def test_queue_is_bounded_by_count_and_age(caplog):
    from wand.outputs.mqtt import MqttOutput, MqttSettings
    port = free_port()  # nothing listens there
    out = MqttOutput(MqttSettings(host="127.0.0.1", port=port, queue_max=3, queue_max_age_s=1))
    act = config(port).profiles["home"].gestures["circle_cw"][0]
    try:
        with caplog.at_level(logging.WARNING, logger="wand.outputs"):
            for i in range(5):
                out.perform(act, event("w", "circle_cw", i / 10))
            wait_for(lambda: any("unreachable" in r.getMessage() for r in caplog.records), "the one-line warning")
        assert out.queued() == 3  # the two oldest went first
        assert [json.loads(p)["strength"] for _, _, p in out._queue] == [0.2, 0.3, 0.4]
        warnings = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(warnings) == 1 and f"127.0.0.1:{port}" in warnings[0]  # once per outage, not per attempt
        for i, item in enumerate(list(out._queue)):  # age them past the bound
            out._queue[i] = (item[0] - 5, item[1], item[2])
        with out._lock:
            out._client.is_connected = lambda: True  # a broker that is back: flush drops the stale ones
            out._flush()
        assert out.queued() == 0
    finally:
        out.close()


def test_mqtt_settings_are_validated_with_file_lines():
    from wand.errors import ConfigError
    for bad, msg in [('port = 0', "port must be an integer 1..65535"), ('topic = "a/#"', "no + or # wildcards"),
                     ('queue_max = "lots"', "queue_max must be an integer"), ('colour = 1', "unknown mqtt setting")]:
        with pytest.raises(ConfigError, match=re.escape(msg)) as err:
            parse_config(f"[mqtt]\n{bad}\n[profiles.p.gestures]\na = \"mqtt:gesture\"\n")
        assert str(err.value).startswith("<config>:2:")


def test_dry_run_describes_mqtt():
    outs = OutputSet(config(1), dry_run=True)
    act = outs._config.profiles["home"].gestures["circle_cw"][0]
    assert outs.perform(act, event("w", "circle_cw", 0.5)) == "(dry run) MQTT publish circle_cw (strength 0.50)"
