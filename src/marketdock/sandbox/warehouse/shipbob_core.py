"""State and request plumbing of the ShipBob-shaped simulator: auth, rate limit, errors,
and the translation of floor events into webhooks."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.warehouse import events as ev
from marketdock.sandbox.warehouse.floor import Floor
from marketdock.sandbox.warehouse.shipbob_wire import CreateReceivingIn, Views, stamp
from marketdock.sandbox.warehouse.webhooks import Sender, WebhookDispatcher

Handler = Callable[[Request], Awaitable[Response]]
M = TypeVar("M", bound=BaseModel)


class ApiError(Exception):
    """Answer the request with ``status`` and the JSON ``body``."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


class _Stamp(BaseModel):
    at: datetime


def parse(model: type[M], data: Any) -> M:
    """Validate a body; failures become 400 with ``{field: [messages]}`` as ShipBob does."""
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        errors: dict[str, list[str]] = {}
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "body"
            errors.setdefault(where, []).append(err["msg"])
        raise ApiError(400, errors) from exc


async def body_of(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise ApiError(400, {"body": [f"not JSON: {exc}"]}) from exc


def int_param(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ApiError(400, {name: [f"not an integer: {value!r}"]}) from exc


def time_param(value: str, name: str) -> datetime:
    try:
        return _Stamp.model_validate({"at": value}).at
    except PydanticError as exc:
        raise ApiError(400, {name: [f"not a date-time: {value!r}"]}) from exc


class ShipBobSimulator:
    """The simulator's state: the floor, the views, webhooks and rate windows."""

    def __init__(self, floor: Floor, faults: FaultSwitches, *, token: str, channel_id: int,
                 sender: Sender, rate_limit: int, rate_window: float, seed: int) -> None:
        if rate_limit < 1 or rate_window <= 0:
            raise ValueError(f"rate limit {rate_limit}/{rate_window}s must be positive")
        self.floor, self.faults = floor, faults
        self.token, self.channel_id = token, channel_id
        self.rate_limit, self.rate_window = rate_limit, rate_window
        self.views = Views(floor, {"id": channel_id, "name": "marketdock"})
        self.webhooks = WebhookDispatcher(floor.clock, faults, sender, seed)
        self.wro_requests: dict[int, CreateReceivingIn] = {}
        self._calls: dict[str, deque[datetime]] = {}
        floor.subscribe(self._publish)

    def reset(self) -> None:
        self.floor.reset()
        self.webhooks.reset()
        self.views.reset()
        self.wro_requests.clear()
        self._calls.clear()

    def guard(self, handler: Handler) -> Handler:
        """Wrap an API handler with bearer auth, the sliding-window limit and errors."""

        async def guarded(request: Request) -> Response:
            if request.headers.get("authorization", "") != f"Bearer {self.token}":
                return JSONResponse(
                    {"message": "Authorization has been denied for this request."},
                    status_code=401,
                )
            now = self.floor.now()
            window = self._calls.setdefault(self.token, deque())
            while window and window[0] <= now - timedelta(seconds=self.rate_window):
                window.popleft()
            if len(window) >= self.rate_limit:
                wait = (window[0] + timedelta(seconds=self.rate_window) - now).total_seconds()
                return JSONResponse(
                    {"message": f"Rate limit of {self.rate_limit} calls per "
                                f"{self.rate_window:g} s exceeded"},
                    status_code=429,
                    headers={"x-retry-after": str(max(1, math.ceil(wait))),
                             "x-remaining-calls": "0"},
                )
            window.append(now)
            try:
                response = await handler(request)
            except ApiError as exc:
                response = JSONResponse(exc.body, status_code=exc.status)
            response.headers["x-remaining-calls"] = str(self.rate_limit - len(window))
            return response

        return guarded

    def _publish(self, batch: Sequence[ev.FloorEvent]) -> None:
        for event in batch:
            for topic, payload in self._webhook_payloads(event):
                self.webhooks.publish(topic, payload)
        self.webhooks.run_due()

    def _webhook_payloads(self, event: ev.FloorEvent) -> list[tuple[str, dict[str, Any]]]:
        """Topics: ``order.shipped`` per parcel (the shipment view with tracking),
        ``order.shipment.cancelled``, ``order.shipment.exception`` (out of stock, or
        nothing pickable) and ``return.completed``."""
        if isinstance(event, ev.ParcelShipped):
            view = self.views.shipment(self.floor.order(event.reference), event.parcel.parcel_id)
            return [("order.shipped", view)] if view else []
        if isinstance(event, ev.OrderCancelled):
            order = self.floor.order(event.reference)
            return [("order.shipment.cancelled", s) for s in self.views.shipments(order)]
        if isinstance(event, ev.OrderBackordered | ev.OrderClosedShort):
            order = self.floor.order(event.reference)
            return [("order.shipment.exception", s) for s in self.views.shipments(order)]
        if isinstance(event, ev.ReturnReceived):
            return [("return.completed", {
                "reference_id": event.reference,
                "original_order_reference_id": event.order_reference or None,
                "status": "Completed",
                "completed_date": stamp(event.at),
                "inventory": [{"sku": i.sku, "quantity": i.quantity, "action": i.condition.value}
                              for i in event.items],
            })]
        return []
