"""Fault switches: make a simulator misbehave the way real systems do.

A :class:`FaultSwitches` object holds named switches. Each switch fires either for the
next ``count`` matching requests or with probability ``rate`` (from a seeded random
source, so a scenario is reproducible), optionally only for a path prefix and method.

Generic HTTP faults are applied by :class:`FaultMiddleware` around any simulator:

- ``429``: answer 429 with ``Retry-After`` before the app sees the request
- ``5xx``: answer 503 before the app sees the request
- ``timeout``: the caller times out; the app never sees the request
- ``timeout_after``: the app handles the request, then the caller times out
  (the ambiguous failure: the effect happened but the caller cannot know)
- ``reset``: the connection drops before the app sees the request
- ``slow``: the response is delayed by ``delay`` seconds
- ``malformed``: the response body is replaced by bytes that are not JSON
- ``truncated``: the response body is cut in half

Simulators consult further switches by name for faults only they can produce
(``duplicate_page``, ``reorder_page``, ``feed_stuck``, ``webhook_lost``,
``webhook_duplicate``, ``partial_file`` ...) through :meth:`FaultSwitches.fire`.
"""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketdock.sandbox.asgi import SimulatedReset, SimulatedTimeout

HTTP_FAULTS = ("429", "5xx", "timeout", "timeout_after", "reset", "slow", "malformed", "truncated")


class FaultSpec(BaseModel):
    """One switch: when it fires and where."""

    rate: float = Field(default=0.0, ge=0.0, le=1.0)
    count: int = Field(default=0, ge=0)
    path: str = ""
    method: str = ""
    delay: float = Field(default=0.5, ge=0.0)
    retry_after: float = Field(default=1.0, ge=0.0)


@dataclass
class _Switch:
    spec: FaultSpec
    fired: int = 0


class FaultSwitches:
    """Named fault switches of one simulator."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self._switches: dict[str, _Switch] = {}
        self._lock = threading.Lock()

    def set(self, name: str, spec: FaultSpec | None = None, **fields: Any) -> None:
        """Turn a switch on (``rate`` or ``count``), replacing an earlier setting."""
        with self._lock:
            self._switches[name] = _Switch(spec or FaultSpec(**fields))

    def clear(self, name: str | None = None) -> None:
        """Turn one switch, or all, off."""
        with self._lock:
            if name is None:
                self._switches.clear()
            else:
                self._switches.pop(name, None)

    def fire(self, name: str, path: str = "", method: str = "") -> FaultSpec | None:
        """The switch's spec when ``name`` fires for this request, else None.

        A ``count`` switch counts down and turns itself off after its last firing.
        """
        with self._lock:
            switch = self._switches.get(name)
            if switch is None:
                return None
            spec = switch.spec
            if spec.path and not path.startswith(spec.path):
                return None
            if spec.method and spec.method.upper() != method.upper():
                return None
            if spec.count > 0:
                spec.count -= 1
                if spec.count == 0 and spec.rate == 0.0:
                    del self._switches[name]
            elif not (spec.rate > 0.0 and self._random.random() < spec.rate):
                return None
            switch.fired += 1
            return spec

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                name: {**s.spec.model_dump(), "fired": s.fired}
                for name, s in self._switches.items()
            }


class FaultMiddleware:
    """ASGI middleware applying the generic HTTP fault switches.

    Paths under ``/_admin`` are never faulted, so a test can always turn faults off.
    """

    def __init__(self, app: ASGIApp, faults: FaultSwitches) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_admin"):
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        fire = self.faults.fire
        if fire("reset", path, method):
            raise SimulatedReset(path)
        if fire("timeout", path, method):
            raise SimulatedTimeout(path)
        if spec := fire("429", path, method):
            retry_after = spec.retry_after
            response = JSONResponse(
                {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota."}]},
                status_code=429,
                headers={"Retry-After": f"{retry_after:g}"},
            )
            await response(scope, receive, send)
            return
        if fire("5xx", path, method):
            response = JSONResponse(
                {"errors": [{"code": "ServiceUnavailable", "message": "Try again later."}]},
                status_code=503,
            )
            await response(scope, receive, send)
            return
        if spec := fire("slow", path, method):
            await asyncio.sleep(spec.delay)
        timeout_after = fire("timeout_after", path, method)
        corrupt = "malformed" if fire("malformed", path, method) else (
            "truncated" if fire("truncated", path, method) else ""
        )
        if not timeout_after and not corrupt:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        if timeout_after:
            raise SimulatedTimeout(path)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        body = b"<html>502 Bad Gateway" if corrupt == "malformed" else body[: len(body) // 2]
        for message in messages:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**message, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def fault_admin_routes(faults: FaultSwitches) -> list[Route]:
    """Admin routes to read and set a simulator's switches: ``/_admin/faults``."""

    async def list_faults(request: Request) -> JSONResponse:
        return JSONResponse(faults.snapshot())

    async def set_fault(request: Request) -> JSONResponse:
        name = request.path_params["name"]
        if request.method == "DELETE":
            faults.clear(name)
            return JSONResponse({"cleared": name})
        spec = FaultSpec.model_validate(await request.json())
        faults.set(name, spec)
        return JSONResponse({name: spec.model_dump()})

    async def clear_all(request: Request) -> JSONResponse:
        faults.clear()
        return JSONResponse({"cleared": "all"})

    return [
        Route("/_admin/faults", list_faults, methods=["GET"]),
        Route("/_admin/faults", clear_all, methods=["DELETE"]),
        Route("/_admin/faults/{name}", set_fault, methods=["PUT", "DELETE"]),
    ]


def with_faults(app: Starlette, faults: FaultSwitches) -> ASGIApp:
    """Wrap a simulator app so the generic HTTP fault switches apply to it."""
    return FaultMiddleware(app, faults)
