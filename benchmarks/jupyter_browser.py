"""What a browser does against a Jupyter server (a JupyterHub's proxy, or one server alone).

``Browser`` keeps cookies by path as a browser does, follows redirects itself (a cookie set on
the way is kept), sends the ``Sec-Fetch-*`` headers a browser sends (JupyterHub's XSRF checks
read them) and the ``X-XSRFToken`` header JupyterLab sends with its REST calls.
``KernelChannel`` is JupyterLab's kernel websocket: the ``v1.kernel.websocket.jupyter.org``
binary framing (``encode_v1``/``decode_v1``), ``kernel_info_request`` once it opens, then an
``execute_request`` per cell, which ends when both its ``execute_reply`` and its ``idle`` status
have come. Only tornado is needed (a dependency of jupyter_server and ipykernel).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

from bench_load import cell_outcome, output_signature
from tornado.httpclient import HTTPClientError, HTTPRequest, HTTPResponse
from tornado.simple_httpclient import SimpleAsyncHTTPClient
from tornado.websocket import WebSocketClientConnection, websocket_connect

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) wasikernel-class-benchmark"


class BrowserError(Exception):
    """A page or call answered with an error status, or led somewhere unexpected."""


def encode_v1(channel: str, parts: list[bytes]) -> bytes:
    """Return one websocket frame of the v1 kernel protocol: the count of offsets, the offsets
    (little-endian u64) of the channel name and of each part, then the channel and the parts."""
    head = channel.encode()
    count = 2 + len(parts)
    offsets = [8 * (1 + count), 8 * (1 + count) + len(head)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    numbers = [count, *offsets]
    return b"".join(n.to_bytes(8, "little") for n in numbers) + head + b"".join(parts)


def decode_v1(frame: bytes) -> tuple[str, list[bytes]]:
    """Return the channel and the parts (header, parent header, metadata, content, buffers ...)
    of one v1 frame; raises ValueError on a frame whose offsets do not fit it."""
    if len(frame) < 8:
        raise ValueError(f"a v1 frame of {len(frame)} bytes has no offset count")
    count = int.from_bytes(frame[:8], "little")
    if count < 2 or 8 * (1 + count) > len(frame):
        raise ValueError(f"a v1 frame of {len(frame)} bytes cannot hold {count} offsets")
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    if offsets != sorted(offsets) or offsets[-1] > len(frame):
        raise ValueError("a v1 frame's offsets are out of order or past its end")
    channel = frame[offsets[0] : offsets[1]].decode()
    return channel, [frame[offsets[i] : offsets[i + 1]] for i in range(1, count - 1)]


def _gist(response: HTTPResponse) -> str:
    """A short line saying what an error response says: its JSON message, else its page's
    title, else the start of its body."""
    text = (response.body or b"").decode(errors="replace")
    with contextlib.suppress(ValueError, AttributeError):
        return str(json.loads(text)["message"])[:200]
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    if title:
        return title.group(1).strip()[:200]
    return " ".join(text.split())[:200]


class CookieJar:
    """Cookies by name and path, sent back as a browser does (longest path first)."""

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str], str] = {}

    def store(self, response: HTTPResponse, request_path: str) -> None:
        """Keep the cookies ``response`` sets (and forget those it expires)."""
        for header in response.headers.get_list("Set-Cookie"):
            try:
                parsed = SimpleCookie(header)
            except CookieError:
                continue
            for name, morsel in parsed.items():
                path = morsel["path"] or request_path.rsplit("/", 1)[0] or "/"
                if self._expired(morsel):
                    self._cookies.pop((name, path), None)
                else:
                    self._cookies[(name, path)] = morsel.value

    @staticmethod
    def _expired(morsel: object) -> bool:
        max_age = morsel["max-age"]  # type: ignore[index]
        if max_age not in ("", None):
            try:
                return int(max_age) <= 0
            except ValueError:
                return False
        expires = morsel["expires"]  # type: ignore[index]
        if expires:
            try:
                return parsedate_to_datetime(expires) <= datetime.now(timezone.utc)
            except (TypeError, ValueError):
                return False
        return False

    def _matching(self, path: str) -> list[tuple[str, str, str]]:
        found = [
            (name, cookie_path, value)
            for (name, cookie_path), value in self._cookies.items()
            if path == cookie_path.rstrip("/") or path.startswith(cookie_path.rstrip("/") + "/")
        ]
        return sorted(found, key=lambda item: -len(item[1]))

    def header(self, path: str) -> str:
        """Return the ``Cookie`` header a browser sends for ``path``."""
        return "; ".join(f"{name}={value}" for name, _path, value in self._matching(path))

    def get(self, name: str, path: str) -> str | None:
        """Return the value of cookie ``name`` a page at ``path`` reads first, or None."""
        for found, _path, value in self._matching(path):
            if found == name:
                return value
        return None


class Browser:
    """One learner's browser against the server at ``origin`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, origin: str, timeout_s: float = 300.0) -> None:
        self.origin = origin.rstrip("/")
        self.cookies = CookieJar()
        self.timeout_s = timeout_s
        self._http = SimpleAsyncHTTPClient(force_instance=True, max_clients=6)
        self.url = self.origin + "/"

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _headers(self, path: str, mode: str, extra: dict | None = None) -> dict:
        headers = {
            "User-Agent": USER_AGENT,
            "Sec-Fetch-Mode": mode,
            "Sec-Fetch-Site": "same-origin",
            "Referer": self.url,
        }
        cookie = self.cookies.header(path)
        if cookie:
            headers["Cookie"] = cookie
        headers.update(extra or {})
        return headers

    async def fetch(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        mode: str = "navigate",
        streaming_callback: object = None,
        timeout_s: float | None = None,
    ) -> HTTPResponse:
        """Request ``path`` (or a whole URL) and follow redirects, keeping every cookie set on
        the way; raises BrowserError on a status of 400 or more, or when no answer comes in
        ``timeout_s`` (the browser's own time-out by default)."""
        url = urljoin(self.url if mode == "navigate" else self.origin + "/", path)
        for _hop in range(20):
            request_path = urlsplit(url).path or "/"
            request = HTTPRequest(
                url,
                method=method,
                body=body,
                headers=self._headers(request_path, mode, headers),
                follow_redirects=False,
                request_timeout=timeout_s or self.timeout_s,
                streaming_callback=streaming_callback,
            )
            try:
                response = await self._http.fetch(request, raise_error=False)
            except HTTPClientError as exc:  # a timeout or a refused connection
                raise BrowserError(f"{method} {request_path}: {exc}") from exc
            except OSError as exc:
                raise BrowserError(f"{method} {request_path}: {exc}") from exc
            self.cookies.store(response, request_path)
            if response.code in (301, 302, 303, 307, 308) and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                if response.code in (301, 302, 303):
                    method, body = "GET", None
                    headers = {k: v for k, v in (headers or {}).items() if k != "Content-Type"}
                continue
            if response.code >= 400 or response.code == 599:
                raise BrowserError(f"{method} {request_path}: {response.code} {_gist(response)}")
            if mode == "navigate":
                self.url = url
            return response
        raise BrowserError(f"{method} {path}: more than 20 redirects")

    async def submit_form(self, path: str, fields: dict[str, str]) -> HTTPResponse:
        """POST a form as a browser does, with the page's ``_xsrf`` cookie as a hidden field."""
        fields = dict(fields)
        xsrf = self.cookies.get("_xsrf", urlsplit(urljoin(self.url, path)).path)
        if xsrf:
            fields["_xsrf"] = xsrf
        body = urlencode(fields).encode()
        return await self.fetch(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
            },
        )

    async def api(self, method: str, path: str, payload: object = None) -> object:
        """Call a REST endpoint as JupyterLab does (``X-XSRFToken`` from the ``_xsrf`` cookie)
        and return the decoded JSON answer (None when empty)."""
        headers = {"Accept": "application/json", "Origin": self.origin}
        xsrf = self.cookies.get("_xsrf", urlsplit(urljoin(self.origin, path)).path)
        if xsrf:
            headers["X-XSRFToken"] = xsrf
        body = None
        if payload is not None or method in ("POST", "PUT", "PATCH"):
            body = json.dumps(payload if payload is not None else {}).encode()
            headers["Content-Type"] = "application/json"
        response = await self.fetch(method, path, body=body, headers=headers, mode="cors")
        return json.loads(response.body) if response.body else None

    async def websocket(self, path: str) -> WebSocketClientConnection:
        """Open a websocket at ``path`` with the cookies and Origin a browser sends."""
        url = "ws" + self.origin[len("http") :] + path
        request = HTTPRequest(
            url,
            headers=self._headers(urlsplit(url).path, "websocket", {"Origin": self.origin}),
            request_timeout=self.timeout_s,
        )
        try:
            return await websocket_connect(request, subprotocols=[V1_PROTOCOL])
        except (HTTPClientError, OSError) as exc:
            raise BrowserError(f"websocket {urlsplit(url).path}: {exc}") from exc


@dataclass
class CellReply:
    """One cell run over the websocket."""

    seconds: float
    outcome: str  # "ok", the error's name, or "timeout" / "closed"
    outputs: tuple  # bench_load.output_signature of what the cell showed


class KernelChannel:
    """A kernel's websocket as JupyterLab uses it (the v1 protocol when the server offers it)."""

    def __init__(self, socket: WebSocketClientConnection, session: str) -> None:
        self.socket = socket
        self.session = session
        self.binary = socket.selected_subprotocol == V1_PROTOCOL

    @classmethod
    async def open(cls, browser: Browser, base: str, kernel_id: str) -> KernelChannel:
        """Open the channels of kernel ``kernel_id`` of the server at ``base`` (``/user/NAME/``
        behind a hub, ``/`` for one server)."""
        session = uuid.uuid4().hex
        path = f"{base.rstrip('/')}/api/kernels/{kernel_id}/channels?session_id={session}"
        return cls(await browser.websocket(path), session)

    def close(self) -> None:
        """Close the websocket."""
        self.socket.close()

    def send(self, channel: str, msg_type: str, content: dict) -> str:
        """Send a message on ``channel`` and return its id."""
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "student",
            "session": self.session,
            "date": datetime.now(timezone.utc).isoformat(),
            "version": "5.3",
        }
        if self.binary:
            parts = [json.dumps(p).encode() for p in (header, {}, {}, content)]
            self.socket.write_message(encode_v1(channel, parts), binary=True)
        else:
            message = {
                "channel": channel,
                "header": header,
                "parent_header": {},
                "metadata": {},
                "content": content,
                "buffers": [],
            }
            self.socket.write_message(json.dumps(message))
        return header["msg_id"]

    async def receive(self, timeout_s: float) -> tuple[str, dict] | None:
        """Return the next message as (channel, message), or None when the socket closed;
        raises asyncio.TimeoutError after ``timeout_s``."""
        frame = await asyncio.wait_for(self.socket.read_message(), timeout_s)
        if frame is None:
            return None
        if isinstance(frame, bytes):
            channel, parts = decode_v1(frame)
            header, parent, metadata, content = (json.loads(p) for p in parts[:4])
            message = {
                "header": header,
                "parent_header": parent,
                "metadata": metadata,
                "content": content,
                "msg_type": header.get("msg_type"),
            }
            return channel, message
        message = json.loads(frame)
        message["msg_type"] = message["header"].get("msg_type")
        return message.pop("channel", "iopub"), message

    async def _exchange(
        self, msg_type: str, content: dict, timeout_s: float
    ) -> tuple[dict | None, list[dict], str]:
        """Send a shell request; return its reply (None on a timeout or a closed socket), the
        iopub messages it caused, and how it ended (``done``, ``timeout`` or ``closed``)."""
        msg_id = self.send("shell", msg_type, content)
        deadline = time.monotonic() + timeout_s
        reply: dict | None = None
        idle = False
        messages: list[dict] = []
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, messages, "timeout"
            try:
                received = await self.receive(left)
            except asyncio.TimeoutError:
                return None, messages, "timeout"
            if received is None:
                return None, messages, "closed"
            channel, message = received
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if channel == "shell":
                reply = message
            elif channel == "iopub":
                if message["msg_type"] == "status":
                    idle = idle or message["content"].get("execution_state") == "idle"
                else:
                    messages.append(message)
        return reply, messages, "done"

    async def kernel_info(self, timeout_s: float = 120.0) -> dict:
        """Ask for the kernel's info, as JupyterLab does once the socket opens; returns the
        reply's content, raises BrowserError when none comes in ``timeout_s``."""
        # a kernel still starting drops requests sent too early: ask again every few seconds
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            reply, _messages, ended = await self._exchange("kernel_info_request", {}, 5.0)
            if reply is not None:
                return reply["content"]
            if ended == "closed":
                break
        raise BrowserError(f"no kernel_info_reply in {timeout_s:.0f} s")

    async def execute(self, code: str, timeout_s: float = 60.0) -> CellReply:
        """Run one cell as JupyterLab does and time it until its reply and idle status."""
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        start = time.perf_counter()
        reply, messages, ended = await self._exchange("execute_request", content, timeout_s)
        seconds = time.perf_counter() - start
        if reply is None:
            return CellReply(seconds, ended, output_signature(messages))
        errors = [m["content"].get("ename", "error") for m in messages if m["msg_type"] == "error"]
        outcome = cell_outcome(reply["content"], errors)
        return CellReply(seconds, outcome, output_signature(messages))
