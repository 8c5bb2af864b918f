"""Run an ASGI simulator in-process behind a synchronous httpx transport.

marketdock's connectors are synchronous and take an injected ``httpx.Client``. Tests,
the demo and the benchmarks hand them ``httpx.Client(transport=InProcessTransport(app))``
so every request reaches the simulator without a socket. The simulator runs on one
event loop in a daemon thread, so its in-memory state sees requests one at a time, as a
single server process would, and a forgotten client never keeps the process alive.

Fault switches raise :class:`SimulatedTimeout` or :class:`SimulatedReset` inside the app;
this transport turns them into the httpx errors a real network produces.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx


class SimulatedTimeout(Exception):
    """Raised inside a simulator to make the caller see a read timeout."""


class SimulatedReset(Exception):
    """Raised inside a simulator to make the caller see a dropped connection."""


class InProcessTransport(httpx.BaseTransport):
    """A synchronous httpx transport that calls an ASGI app in this process."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, daemon=True,
                                 name="in-process-asgi").start()
                self._loop = loop
            return self._loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        inner_request = httpx.Request(
            request.method, request.url, headers=request.headers, content=body
        )
        future = asyncio.run_coroutine_threadsafe(self._call(inner_request), self._get_loop())
        try:
            status, headers, content = future.result()
        except SimulatedTimeout as exc:
            raise httpx.ReadTimeout("simulated timeout", request=request) from exc
        except SimulatedReset as exc:
            raise httpx.RemoteProtocolError("simulated connection reset", request=request) from exc
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, content

    def close(self) -> None:
        with self._lock:
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop = None


def client_for(app: Any, base_url: str = "http://sandbox", **kwargs: Any) -> httpx.Client:
    """An httpx client whose requests go to ``app`` in-process."""
    return httpx.Client(transport=InProcessTransport(app), base_url=base_url, **kwargs)
