"""`wand view`: a live local web page of what the wand sees and what the daemon decides.

``shadow`` reruns the wand's recogniser on its IMU stream (states, scores), ``hub`` turns
the daemon's packets and decisions into messages, ``teach`` records and enrols from the
page, ``gestures`` lists the gestures with their pictures and mappings, ``server`` serves
it all (loopback only, token, Origin check); ``static/`` holds the page (plain canvas, no
CDN: it works offline).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

DEFAULT_PORT = 8765


@dataclass
class View:
    url: str
    addresses: list[str]
    hub: object
    _runner: object
    _task: asyncio.Task

    async def close(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        await self._runner.cleanup()


async def open_view(daemon, recordings: Path, stop: asyncio.Event, port: int = DEFAULT_PORT,
                    line: Callable[[str], None] = print) -> View:
    """Attach the page to ``daemon`` (before it connects, so the IMU stream is turned on)."""
    from ..paths import enrolled_file
    from .gestures import GestureBook
    from .hub import ViewHub
    from .server import serve
    from .teach import Teach

    teach = Teach(daemon.bundle, recordings, (daemon.enrolled.path if daemon.enrolled else None) or enrolled_file(),
                  say=lambda m: None, config=daemon.spotting())
    hub = ViewHub(daemon, teach)
    served = await serve(hub, GestureBook(daemon, recordings), port)
    line(f"live view: {served.url}  (on {' and '.join(served.addresses)} only; the token in the address is "
         f"required, so share it with no one)")
    return View(served.url, served.addresses, hub, served.runner, asyncio.create_task(hub.run(stop)))
