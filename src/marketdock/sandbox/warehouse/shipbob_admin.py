"""Admin routes of the ShipBob simulator: reset, state, clock, stock, receipts, returns.

They need no token, count against no rate limit and are never faulted.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.warehouse.model import Condition, FloorError, ReturnItem
from marketdock.sandbox.warehouse.shipbob_core import ApiError, ShipBobSimulator, body_of, parse


def plain(value: Any) -> Any:
    """Dataclass dumps made JSON-ready (datetimes as ISO 8601, enums as values)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


class _Advance(BaseModel):
    seconds: float = Field(ge=0)


class _StockItem(BaseModel):
    sku: str = Field(min_length=1)
    on_hand: int = Field(ge=0)
    blocked: int | None = Field(default=None, ge=0)
    name: str = ""


class _StockBody(BaseModel):
    items: list[_StockItem] = Field(min_length=1)


class _Receive(BaseModel):
    received: dict[str, int] | None = None
    damaged: dict[str, int] | None = None


class _ReturnLine(BaseModel):
    sku: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    condition: Condition = Condition.SELLABLE


class _Return(BaseModel):
    reference: str = Field(min_length=1)
    order_reference: str = ""
    items: list[_ReturnLine] = Field(min_length=1)


def admin_routes(sim: ShipBobSimulator) -> list[Route]:
    floor = sim.floor

    def guarded(handler: Any) -> Any:
        async def run(request: Request) -> Response:
            try:
                return await handler(request)  # type: ignore[no-any-return]
            except ApiError as exc:
                return JSONResponse(exc.body, status_code=exc.status)
            except FloorError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)

        return run

    async def reset(request: Request) -> Response:
        sim.reset()
        return JSONResponse({"reset": True, "now": floor.now().isoformat()})

    async def state(request: Request) -> Response:
        return JSONResponse({
            "now": floor.now().isoformat(),
            "events": len(floor.events()),
            "stock": plain([{**asdict(lv), "available": lv.available}
                            for lv in floor.stock_levels()]),
            "kits": plain(floor.kits()),
            "orders": plain([asdict(o) for o in floor.orders()]),
            "inbound": plain([asdict(i) for i in floor.inbounds()]),
            "returns": plain([asdict(r) for r in floor.returns()]),
            "subscriptions": [{"id": s.subscription_id, "url": s.url, "topics": list(s.topics)}
                              for s in sim.webhooks.subscriptions()],
            "faults": sim.faults.snapshot(),
        })

    async def advance(request: Request) -> Response:
        body = parse(_Advance, await body_of(request))
        emitted = floor.advance(body.seconds)
        return JSONResponse({"now": floor.now().isoformat(), "events": len(emitted)})

    async def stock(request: Request) -> Response:
        data = await body_of(request)
        items = parse(_StockBody, data if isinstance(data, dict) and "items" in data
                      else {"items": [data]}).items
        levels = [floor.set_stock(i.sku, i.on_hand, blocked=i.blocked, name=i.name)
                  for i in items]
        return JSONResponse(plain([{**asdict(lv), "available": lv.available} for lv in levels]))

    async def receive(request: Request) -> Response:
        body = parse(_Receive, await body_of(request))
        for inbound in floor.inbounds():
            if inbound.inbound_id == request.path_params["wro_id"]:
                done = floor.receive_inbound(inbound.reference, body.received,
                                             damaged=body.damaged)
                return JSONResponse(sim.views.receiving(
                    done, sim.wro_requests.get(done.inbound_id)))
        raise ApiError(404, {"error": f"no receiving order {request.path_params['wro_id']}"})

    async def returns(request: Request) -> Response:
        body = parse(_Return, await body_of(request))
        items = [ReturnItem(sku=i.sku, quantity=i.quantity, condition=i.condition)
                 for i in body.items]
        receipt = floor.receive_return(body.reference, items,
                                       order_reference=body.order_reference)
        return JSONResponse(plain({**asdict(receipt), "discrepancies": receipt.discrepancies()}))

    async def webhooks(request: Request) -> Response:
        return JSONResponse([d.as_json() for d in sim.webhooks.deliveries()])

    return [
        Route("/_admin/reset", guarded(reset), methods=["POST"]),
        Route("/_admin/state", guarded(state), methods=["GET"]),
        Route("/_admin/advance", guarded(advance), methods=["POST"]),
        Route("/_admin/stock", guarded(stock), methods=["PUT"]),
        Route("/_admin/receiving/{wro_id:int}:receive", guarded(receive), methods=["POST"]),
        Route("/_admin/returns", guarded(returns), methods=["POST"]),
        Route("/_admin/webhooks", guarded(webhooks), methods=["GET"]),
    ]
