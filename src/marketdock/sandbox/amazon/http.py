"""What every SP-API operation of the simulator shares: errors, auth, usage plans, headers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from marketdock.sandbox.amazon.clock import SimulatedClock, parse_iso
from marketdock.sandbox.amazon.model import AmazonState, Feed
from marketdock.sandbox.amazon.usage_plans import USAGE_PLANS, RateLimiter
from marketdock.sandbox.faults import FaultSwitches


class ApiError(Exception):
    """An SP-API error answer: ``{"errors":[{"code","message","details"}]}``."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def response(self) -> JSONResponse:
        error = {"code": self.code, "message": self.message, "details": self.details}
        return JSONResponse({"errors": [error]}, status_code=self.status)


def invalid(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NotFound", message)


@dataclass
class Simulator:
    """The simulator's moving parts, reachable from every handler as ``request.app.state``."""

    state: AmazonState
    faults: FaultSwitches
    clock: SimulatedClock
    limiter: RateLimiter
    on_feed_finished: Callable[[Simulator, Feed], None]

    def now(self) -> datetime:
        return self.clock.now()

    def settle(self) -> None:
        for feed in self.state.settle(self.now()):
            self.on_feed_finished(self, feed)


@dataclass
class Call:
    """One authenticated call: the simulator, the caller's seller id and the request."""

    sim: Simulator
    seller_id: str
    request: Request

    @property
    def state(self) -> AmazonState:
        return self.sim.state

    def fault(self, name: str) -> bool:
        return self.sim.faults.fire(name, self.request.url.path, self.request.method) is not None

    async def json_body(self) -> dict[str, Any]:
        raw = await self.request.body()
        try:
            body = json.loads(raw or b"null")
        except ValueError as exc:
            raise invalid("The request body is not valid JSON.", str(exc)) from exc
        if not isinstance(body, dict):
            raise invalid("The request body must be a JSON object.")
        return body


Handler = Callable[[Call], Awaitable[Response]]

UNAUTHORIZED = ApiError(403, "Unauthorized", "Access to requested resource is denied.")
EXPIRED = ApiError(403, "Unauthorized", "The access token you provided has expired.")
THROTTLED = ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")


def sim_of(request: Request) -> Simulator:
    sim: Simulator = request.app.state.sim
    return sim


def authenticate(sim: Simulator, request: Request) -> str:
    """The seller id behind the request's ``x-amz-access-token``, else a 403 ApiError."""
    token = sim.state.tokens.get(request.headers.get("x-amz-access-token", ""))
    if token is None or token.seller_id is None:
        raise UNAUTHORIZED
    if token.expires <= sim.now():
        raise EXPIRED
    return token.seller_id


def operation(name: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: access token, usage plan, error body and SP-API response headers.

    As Amazon does, ``x-amzn-RateLimit-Limit`` is sent on 2xx, 400 and 404 answers only.
    """
    rate, _burst = USAGE_PLANS[name]

    async def endpoint(request: Request) -> Response:
        sim = sim_of(request)
        sim.settle()
        try:
            seller_id = authenticate(sim, request)
            limited = sim.state.config.rate_limits
            if limited and not sim.limiter.take(seller_id, name, sim.now()):
                raise THROTTLED
            response = await handler(Call(sim, seller_id, request))
        except ApiError as exc:
            response = exc.response()
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        if response.status_code < 300 or response.status_code in (400, 404):
            response.headers["x-amzn-RateLimit-Limit"] = f"{rate:g}"
        return response

    return endpoint


def query_list(request: Request, name: str) -> list[str]:
    """A list parameter, sent either repeated or comma-separated (Amazon accepts both)."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(v for v in raw.split(",") if v)
    return values


def query_time(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return parse_iso(raw)
    except ValueError as exc:
        raise invalid("Invalid Input", f"{name} is not an ISO 8601 date-time: {raw!r}") from exc


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise invalid("Invalid Input", f"{name} must be an integer, got {raw!r}") from exc
    if not low <= value <= high:
        raise invalid("Invalid Input", f"{name} must be between {low} and {high}, got {value}")
    return value


def json_response(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)
