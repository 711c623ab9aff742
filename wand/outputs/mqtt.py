"""MQTT (paho-mqtt): each gesture published as JSON, and announced to Home Assistant.

    [mqtt]
    host = "homeassistant.local"
    [profiles.home.gestures]
    circle_cw = "mqtt:gesture"

A gesture mapped to ``mqtt`` is published (QoS 1) to ``<topic>/<wand>/gesture/<gesture>``
as ``{"wand", "gesture", "confidence", "strength", "profile", "type", "time"}``. Each wand
is announced through Home Assistant's MQTT discovery: one device per wand, one device
trigger per mqtt-mapped gesture (``homeassistant/device_automation/<node>/<gesture>/config``,
retained, sent again on every reconnect and when Home Assistant says it is back online),
so "when the wand draws a circle" shows up in Home Assistant with no YAML.

The broker may come and go: the client reconnects by itself (1 s up to 30 s apart), and
events published while it is away wait in a queue bounded by count and age
(``queue_max`` events, each at most ``queue_max_age_s`` old; the oldest go first) and are
sent, in order, once it is back.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, DeviceError
from .base import Action, ActionKind, Output, OutputSpec, Param, Section

ORDER = 60
log = logging.getLogger("wand.outputs")


@dataclass(frozen=True)
class MqttSettings:
    host: str = "localhost"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    tls: bool = False
    topic: str = "wand"                       # events go to <topic>/<wand>/gesture/<gesture>
    discovery: bool = True                    # announce Home Assistant device triggers
    discovery_prefix: str = "homeassistant"
    queue_max: int = 1000                     # events kept while the broker is away ...
    queue_max_age_s: int = 3600               # ... each for at most this long


def slug(name: str) -> str:
    """A name safe in an MQTT topic level and as a Home Assistant node/object id."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "wand"


def _topic(value: Any, where: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_/.-]{1,200}", value) or "//" in value \
            or value.startswith("/") or value.endswith("/"):
        raise ConfigError(f"{where}: an MQTT topic must be letters, digits, _ - . and / between levels "
                          f"(no + or # wildcards), got {value!r}")
    return value


def _trigger_type(value: Any, where: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
        raise ConfigError(f"{where}: an MQTT trigger type is 1-64 letters, digits, _ or -, got {value!r}")
    return value


def event_topic(settings: MqttSettings, wand: str, gesture: str) -> str:
    return f"{settings.topic}/{slug(wand)}/gesture/{slug(gesture)}"


def discovery_messages(settings: MqttSettings, wand: str, gestures: list[str],
                       trigger_type: str = "gesture") -> list[tuple[str, str]]:
    """(topic, JSON payload) of Home Assistant device-trigger discovery for one wand."""
    node = f"wand_{slug(wand)}"
    device = {"identifiers": [f"magic_wand_{slug(wand)}"], "name": wand,
              "manufacturer": "magic wand", "model": "Arduino Nano 33 BLE Sense gesture wand"}
    out = []
    for g in gestures:
        payload = {"automation_type": "trigger", "topic": event_topic(settings, wand, g),
                   "type": trigger_type, "subtype": g, "qos": 1, "device": device}
        out.append((f"{settings.discovery_prefix}/device_automation/{node}/{slug(g)}/config", json.dumps(payload)))
    return out


MQTT = ActionKind("mqtt", "publish the gesture to MQTT (and a Home Assistant device trigger); the argument "
                          "is the trigger type, e.g. mqtt:gesture", (
    Param("type", "custom", "gesture", parse=lambda v, w: _trigger_type(v, w)),
), describe=lambda p, e: f"MQTT publish {e.gesture} (strength {e.strength:.2f})")


class MqttOutput(Output):
    name = "mqtt"

    def __init__(self, settings: MqttSettings, config: Any = None) -> None:
        try:
            import paho.mqtt.client as mqtt
        except ImportError as e:
            raise DeviceError(f"MQTT output unavailable: {e}; pip install paho-mqtt") from None
        self.settings = settings
        self._mqtt = mqtt
        self._config = config
        self._lock = threading.Lock()
        self._queue: deque[tuple[float, str, str]] = deque(maxlen=settings.queue_max)
        self._announced: set[str] = set()
        self._last_problem = ""
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"magic-wand-{id(self):x}")
        if settings.username:
            c.username_pw_set(settings.username, settings.password)
        if settings.tls:
            c.tls_set()
        c.reconnect_delay_set(1, 30)
        c.max_queued_messages_set(settings.queue_max)  # paho's own in-flight QoS 1 queue: same bound
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_connect_fail = self._on_connect_fail
        c.on_message = self._on_message
        self._client = c
        try:
            c.connect_async(settings.host, settings.port, keepalive=30)
            c.loop_start()
        except (OSError, ValueError) as e:
            raise DeviceError(f"MQTT output unavailable: {settings.host}:{settings.port}: {e}") from None
        if config is not None:
            for binding in getattr(config, "wands", []):
                self._announce(binding.name)

    # -- broker state (paho's network thread) --
    def _problem(self, what: str) -> None:
        if what != self._last_problem:
            self._last_problem = what
            log.warning("MQTT broker %s:%d %s; events wait (up to %d, %d s each) and go out when it is back",
                        self.settings.host, self.settings.port, what, self.settings.queue_max,
                        self.settings.queue_max_age_s)

    def _on_connect(self, client, userdata, flags, reason, properties) -> None:
        if reason.is_failure:
            self._problem(f"refused the connection ({reason})")
            return
        self._last_problem = ""
        log.info("MQTT connected to %s:%d", self.settings.host, self.settings.port)
        if self.settings.discovery:
            client.subscribe(f"{self.settings.discovery_prefix}/status", qos=1)
        with self._lock:
            for wand in sorted(self._announced):
                self._send_discovery(wand)
            self._flush()

    def _on_disconnect(self, client, userdata, flags, reason, properties) -> None:
        if reason != 0:
            self._problem(f"went away ({reason})")

    def _on_connect_fail(self, client, userdata) -> None:
        self._problem("is unreachable")

    def _on_message(self, client, userdata, msg) -> None:
        if msg.payload == b"online":  # Home Assistant restarted: announce again
            with self._lock:
                for wand in sorted(self._announced):
                    self._send_discovery(wand)

    # -- publishing --
    def _flush(self) -> None:
        """Send what waited while the broker was away (under the lock, in order)."""
        oldest = time.monotonic() - self.settings.queue_max_age_s
        dropped = 0
        while self._queue:
            t, topic, payload = self._queue[0]
            if t < oldest:
                dropped += 1
            elif not self._send(topic, payload):
                break
            self._queue.popleft()
        if dropped:
            log.warning("MQTT: %d queued event(s) were older than %d s and were dropped",
                        dropped, self.settings.queue_max_age_s)

    def _send(self, topic: str, payload: str, retain: bool = False) -> bool:
        if not self._client.is_connected():
            return False
        info = self._client.publish(topic, payload, qos=1, retain=retain)
        # NO_CONN: the connection fell just now; paho keeps a QoS 1 message and resends it
        return info.rc in (self._mqtt.MQTT_ERR_SUCCESS, self._mqtt.MQTT_ERR_NO_CONN)

    def _send_discovery(self, wand: str) -> None:
        if not self.settings.discovery:
            return
        gestures = self._config.gestures_for("mqtt") if self._config is not None else []
        for topic, payload in discovery_messages(self.settings, wand, gestures):
            self._send(topic, payload, retain=True)

    def _announce(self, wand: str) -> None:
        with self._lock:
            if wand not in self._announced:
                self._announced.add(wand)
                self._send_discovery(wand)

    def perform(self, action: Action, event) -> str:
        self._announce(event.wand)
        payload = json.dumps({"wand": event.wand, "gesture": event.gesture, "confidence": round(event.confidence, 4),
                              "strength": round(event.strength, 4), "profile": action.profile,
                              "type": action.params["type"], "time": round(time.time(), 3)})
        topic = event_topic(self.settings, event.wand, event.gesture)
        with self._lock:
            if not self._queue and self._send(topic, payload):
                return f"MQTT {topic}"
            if len(self._queue) == self._queue.maxlen:
                log.warning("MQTT queue full (%d): the oldest event is dropped", self._queue.maxlen)
            self._queue.append((time.monotonic(), topic, payload))
            n = len(self._queue)
        return f"MQTT {topic} queued ({n} waiting for the broker)"

    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


SECTION = Section("mqtt", (
    Param("host", "str", "localhost"),
    Param("port", "int", 1883, lo=1, hi=65535),
    Param("username", "str", None),
    Param("password", "str", None),
    Param("tls", "bool", False),
    Param("topic", "custom", "wand", parse=_topic),
    Param("discovery", "bool", True),
    Param("discovery_prefix", "custom", "homeassistant", parse=_topic),
    Param("queue_max", "int", 1000, lo=1, hi=100_000),
    Param("queue_max_age_s", "int", 3600, lo=1, hi=7 * 86400),
), MqttSettings)
OUTPUTS = (OutputSpec("mqtt", (MQTT,), lambda s, c: MqttOutput(s, c), SECTION, eager=True),)
