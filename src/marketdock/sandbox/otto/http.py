"""The request pipeline every OTTO API route goes through.

Per request, under the state lock: bearer token (401), per-partner rate limit (429), scope
(403), then time is applied (``state.tick``) and the handler runs. Handlers are plain
functions of a :class:`Ctx`; they raise :class:`ApiError` for error answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.otto.clock import AdvanceableClock
from marketdock.sandbox.otto.model import Bucket, Partner
from marketdock.sandbox.otto.state import OttoState
from marketdock.sandbox.otto.wire import ApiError, error_response


@dataclass
class Ctx:
    """What a handler gets: the request, the caller's partner account and the time."""

    request: Request
    state: OttoState
    partner: Partner
    now: datetime
    body: bytes
    faults: FaultSwitches

    @property
    def path(self) -> str:
        return self.request.url.path

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ApiError(400, "INVALID_REQUEST_BODY", f"body is not JSON: {exc}") from exc

    def query_list(self, name: str) -> list[str]:
        return self.request.query_params.getlist(name)

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def query_int(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.query(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise ApiError(
                400, "INVALID_REQUEST_PARAMETER", f"{name}={raw!r} is not an integer"
            ) from exc
        if not low <= value <= high:
            raise ApiError(
                400, "INVALID_REQUEST_PARAMETER", f"{name}={value} is outside {low}..{high}"
            )
        return value


Handler = Callable[[Ctx], Response]


class Pipeline:
    """Builds the authenticated, rate-limited routes of one simulator instance."""

    def __init__(self, state: OttoState, clock: AdvanceableClock, faults: FaultSwitches) -> None:
        self.state = state
        self.clock = clock
        self.faults = faults

    def route(
        self, path: str, handler: Handler, *, methods: list[str], scope: str, style: str
    ) -> Route:
        async def endpoint(request: Request) -> Response:
            body = await request.body()
            with self.state.lock:
                now = self.clock.now()
                try:
                    partner = self._authenticate(request, now)
                    self._throttle(partner, now)
                    self._authorize(request, scope)
                    self.state.tick(now)
                    return handler(Ctx(request, self.state, partner, now, body, self.faults))
                except ApiError as error:
                    return error_response(error, request.url.path, style)

        return Route(path, endpoint, methods=methods)

    def _authenticate(self, request: Request, now: datetime) -> Partner:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        challenge = {"WWW-Authenticate": 'Bearer realm="otto-partner"'}
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "UNAUTHORIZED", "missing bearer token", headers=challenge)
        token = self.state.tokens.get(value.strip())
        if token is None:
            raise ApiError(401, "UNAUTHORIZED", "unknown access token", headers=challenge)
        if token.expires <= now:
            raise ApiError(401, "UNAUTHORIZED", "access token expired", headers=challenge)
        request.state.scopes = token.scopes
        return self.state.partners[token.partner_id]

    def _authorize(self, request: Request, scope: str) -> None:
        if scope not in request.state.scopes:
            raise ApiError(
                403, "INSUFFICIENT_PERMISSION",
                f"the access token lacks scope {scope!r}; request it at the token endpoint",
            )  # fmt: skip

    def _throttle(self, partner: Partner, now: datetime) -> None:
        rate = self.state.config.api_rate_per_second
        if rate is not None and not take(self.state, f"partner:{partner.partner_id}", rate, now):
            raise ApiError(429, "TOO_MANY_REQUESTS", f"more than {rate:g} requests per second")


def take(state: OttoState, key: str, rate: float, now: datetime) -> bool:
    """Take one request from the bucket ``key`` (capacity = one second's worth)."""
    bucket = state.buckets.get(key)
    if bucket is None:
        bucket = state.buckets[key] = Bucket(capacity=rate, rate=rate, tokens=rate, updated=now)
    return bucket.take(now)
