"""The live page's web server (aiohttp), in the daemon's own process and event loop.

Who may use it: it listens on 127.0.0.1 and ::1 only, and every request (the page, its
scripts, its API, the WebSocket) must carry the random token printed at start, so another
local user, or a web page open in the same browser, cannot read the wand or drive the
recorder. Beyond the token: the Host header must name the loopback address (a DNS
rebinding page cannot pose as it), and the WebSocket and every POST must come from the
page's own Origin. The token is compared in constant time; pages are sent with
``Referrer-Policy: no-referrer`` (the token is in the URL) and a Content-Security-Policy
that allows only this server.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aiohttp import WSMsgType, web

from ..errors import WandError
from .gestures import GestureBook
from .hub import ViewHub

log = logging.getLogger("wand.view")
HOSTS_V4, HOSTS_V6 = "127.0.0.1", "::1"
ASSETS = {"view.js": "text/javascript", "view.css": "text/css", "icon.svg": "image/svg+xml"}
MAX_BODY = 4096  # the API's requests are a few fields
FORBIDDEN = "forbidden: open the address 'wand view' printed (it carries the token)"


@dataclass
class Guard:
    token: str
    port: int = 0

    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"[::1]:{self.port}", f"localhost:{self.port}"}

    def origins(self) -> set[str]:
        return {f"http://{h}" for h in self.hosts()}

    def allows(self, request: web.Request) -> str | None:
        """None, or why the request is refused."""
        if request.host not in self.hosts():
            return "wrong host"
        if not hmac.compare_digest(request.query.get("token", "").encode(), self.token.encode()):
            return "no token"
        origin = request.headers.get("Origin")
        needs_origin = request.method != "GET" or request.path == "/ws"
        if (needs_origin and origin not in self.origins()) or (origin is not None and origin not in self.origins()):
            return "wrong origin"
        return None


def _asset(name: str) -> str:
    return resources.files("wand.view").joinpath("static", name).read_text(encoding="utf-8")


def make_app(hub: ViewHub, book: GestureBook, guard: Guard) -> web.Application:
    @web.middleware
    async def check(request: web.Request, handler):
        why = guard.allows(request)
        if why is not None:
            log.info("refused %s %s: %s", request.method, request.path, why)
            return web.Response(status=403, text=FORBIDDEN)
        response = await handler(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    app = web.Application(middlewares=[check], client_max_size=MAX_BODY)
    token = guard.token

    async def index(request: web.Request) -> web.Response:
        html = _asset("index.html").replace("{{TOKEN}}", token)  # url-safe base64: nothing to escape
        csp = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        return web.Response(text=html, content_type="text/html", headers={"Content-Security-Policy": csp})

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return web.Response(text=_asset(name), content_type=ASSETS[name])

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=20, max_msg_size=MAX_BODY)
        await ws.prepare(request)
        await ws.send_json({"type": "frame", "messages": [hub.hello()]})
        hub.clients.add(ws)
        try:
            async for msg in ws:  # the page only listens; what it sends is ignored
                if msg.type == WSMsgType.ERROR:
                    break
        finally:
            hub.clients.discard(ws)
        return ws

    async def gestures(request: web.Request) -> web.Response:
        return web.json_response(await asyncio.to_thread(book.listing))

    async def picture(request: web.Request) -> web.Response:
        png = await asyncio.to_thread(book.picture, request.match_info["name"])
        if png is None:
            raise web.HTTPNotFound()
        return web.Response(body=png, content_type="image/png")

    async def record(request: web.Request) -> web.Response:
        body = await _body(request)
        wand = str(body.get("wand") or next(iter(hub.daemon.wands), ""))
        return _reply(lambda: hub.teach.start(body.get("name", ""), body.get("person", ""), wand))

    async def stop(request: web.Request) -> web.Response:
        return _reply(hub.teach.stop)

    async def keep(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            view = await asyncio.to_thread(hub.teach.keep, _int(body.get("id")), source=_source(hub, hub.teach.wand))
        except (WandError, OSError) as e:
            return _error(e)
        hub.outbox.append({"type": "try", "try": view})
        return web.json_response(view)

    async def discard(request: web.Request) -> web.Response:
        body = await _body(request)
        return _reply(lambda: hub.teach.discard(_int(body.get("id"))) or {"discarded": body.get("id")})

    async def enrol(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            tries = max(1, min(50, _int(body.get("tries", 3))))
            replace = body.get("replace", False)
            if not isinstance(replace, bool):  # "no" is not a yes
                raise WandError(f"replace must be true or false, got {replace!r}")
            result = await asyncio.to_thread(hub.teach.enrol, body.get("name", ""), tries, replace)
        except (WandError, OSError) as e:
            return _error(e)
        await hub.daemon.reload_enrolled()  # recognised from the next gesture on
        hub.outbox.append(hub.teach.state())
        return web.json_response(result)

    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", asset)
    app.router.add_get("/ws", socket)
    app.router.add_get("/api/gestures", gestures)
    app.router.add_get("/api/picture/{name}", picture)
    app.router.add_post("/api/record", record)
    app.router.add_post("/api/stop", stop)
    app.router.add_post("/api/keep", keep)
    app.router.add_post("/api/discard", discard)
    app.router.add_post("/api/enrol", enrol)
    return app


def _source(hub: ViewHub, wand: str) -> str:
    """Where the samples came from, as `wand record` writes it (the simulator says so)."""
    st = hub.daemon.wands.get(wand)
    if st is not None and st.client is not None:
        return st.client.backend.source
    return f"wand {st.address}" if st is not None else "wand"


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise web.HTTPBadRequest(text="send a JSON object")
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="send a JSON object")
    return data


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # JSON's Infinity and 1e400 are floats int() refuses
        raise WandError(f"{value!r} is not a whole number") from None


def _error(e: BaseException) -> web.Response:
    return web.json_response({"error": str(e)}, status=400)


def _reply(fn) -> web.Response:
    try:
        return web.json_response(fn())
    except (WandError, OSError) as e:
        return _error(e)


@dataclass
class Served:
    url: str
    runner: web.AppRunner
    addresses: list[str]


async def serve(hub: ViewHub, book: GestureBook, port: int = 0, token: str | None = None) -> Served:
    """Listen on 127.0.0.1 (and ::1 on the same port where the system has IPv6)."""
    guard = Guard(token or secrets.token_urlsafe(24))
    runner = web.AppRunner(make_app(hub, book, guard), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, HOSTS_V4, port)
    try:
        await site.start()
    except OSError as e:
        await runner.cleanup()
        raise WandError(f"live view: cannot listen on {HOSTS_V4}:{port} ({e.strerror or e}); "
                        "choose another --view-port (0: any free one)") from None
    guard.port = runner.addresses[0][1]  # the port chosen (--view-port 0: any free one)
    addresses = [f"{HOSTS_V4}:{guard.port}"]
    try:
        await web.TCPSite(runner, HOSTS_V6, guard.port).start()
        addresses.append(f"[{HOSTS_V6}]:{guard.port}")
    except OSError as e:  # no IPv6 loopback here: IPv4 alone
        log.info("live view: not on [::1]:%d (%s)", guard.port, e)
    return Served(f"http://{HOSTS_V4}:{guard.port}/?token={guard.token}", runner, addresses)
