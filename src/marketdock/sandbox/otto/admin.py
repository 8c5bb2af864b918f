"""Admin routes of the OTTO simulator (no auth, never faulted, never rate-limited).

- ``POST /_admin/reset``: forget all business data (partners and tokens stay)
- ``POST /_admin/seed``: create products, orders and announced returns (:class:`SeedPayload`)
- ``GET /_admin/state``: everything the simulator holds, for assertions and the demo
- ``POST /_admin/advance`` ``{"seconds": n}``: move the simulated clock
- ``POST /_admin/partners``: add a seller account (multi-tenant scenarios)
- ``POST /_admin/orders/{salesOrderId}/marketplace-cancellation``
  ``{"positionItemIds"?: [...], "reason"?: ...}``: OTTO or the customer cancels
  (ANNOUNCED or PROCESSABLE items become CANCELLED_BY_MARKETPLACE)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketdock.sandbox.otto import enums
from marketdock.sandbox.otto.clock import AdvanceableClock
from marketdock.sandbox.otto.model import Partner
from marketdock.sandbox.otto.seed import SeedError, SeedPayload, apply_seed
from marketdock.sandbox.otto.state import OttoState
from marketdock.sandbox.otto.wire import iso


class _Advance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(ge=0)


class _NewPartner(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    partner_id: str = Field(alias="partnerId", min_length=1)
    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: str = Field(alias="clientSecret", min_length=1)
    return_carrier: str | None = Field(None, alias="returnCarrier")
    scopes: list[str] = Field(default_factory=lambda: list(enums.API_SCOPES))


class _MarketplaceCancel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    position_item_ids: list[str] | None = Field(None, alias="positionItemIds")
    reason: str = "CANCELLED_ON_CUSTOMER_WISH"


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


def dump_state(state: OttoState) -> dict[str, Any]:
    """A JSON view of the whole state (internal shapes, not OTTO's)."""
    with state.lock:
        return {
            "partners": sorted(state.partners),
            "orders": [
                {
                    "salesOrderId": o.sales_order_id,
                    "orderNumber": o.order_number,
                    "partnerId": o.partner_id,
                    "lastModified": iso(o.last_modified),
                    "positionItems": [
                        {
                            "positionItemId": i.position_item_id,
                            "sku": i.sku,
                            "status": i.status,
                            "shipmentIds": list(i.shipment_ids),
                        }
                        for i in o.items
                    ],  # fmt: skip
                }
                for o in state.orders.values()
            ],
            "shipments": [
                {
                    "shipmentId": s.shipment_id,
                    "partnerId": s.partner_id,
                    "carrier": s.carrier,
                    "trackingNumber": s.tracking_number,
                    "multiParcelShipmentId": s.multiparcel_id,
                    "positionItemIds": [e.position_item_id for e in s.items],
                }
                for s in state.shipments.values()
            ],  # fmt: skip
            "quantities": {
                f"{partner}/{sku}": q.quantity for (partner, sku), q in state.quantities.items()
            },
            "returns": [
                {
                    "positionItemId": r.position_item_id,
                    "status": r.status,
                    "condition": r.condition,
                    "reason": r.reason,
                }
                for r in state.returns.values()
            ],  # fmt: skip
            "receipts": [
                {
                    "receiptNumber": r.receipt_number,
                    "receiptType": r.receipt_type,
                    "salesOrderId": r.sales_order_id,
                    "positionItemIds": r.position_item_ids,
                }
                for r in state.receipts.values()
            ],  # fmt: skip
        }


def admin_routes(state: OttoState, clock: AdvanceableClock) -> list[Route]:
    async def reset(request: Request) -> JSONResponse:
        state.reset()
        return JSONResponse({"reset": True})

    async def seed(request: Request) -> JSONResponse:
        try:
            payload = SeedPayload.model_validate_json(await request.body())
            with state.lock:
                now = clock.now()
                state.tick(now)
                return JSONResponse(apply_seed(state, payload, now), status_code=201)
        except ValidationError as exc:
            return _bad(f"seed payload invalid: {exc}")
        except SeedError as exc:
            return _bad(str(exc))

    async def inspect(request: Request) -> JSONResponse:
        with state.lock:
            now = clock.now()
            state.tick(now)
            return JSONResponse({"now": iso(now), **dump_state(state)})

    async def advance(request: Request) -> JSONResponse:
        try:
            body = _Advance.model_validate_json(await request.body())
        except ValidationError as exc:
            return _bad(f'advance needs {{"seconds": n >= 0}}: {exc}')
        with state.lock:
            now = clock.advance(body.seconds)
            state.tick(now)
        return JSONResponse({"now": iso(now)})

    async def add_partner(request: Request) -> JSONResponse:
        try:
            body = _NewPartner.model_validate_json(await request.body())
            partner = Partner(body.partner_id, body.client_id, body.client_secret,
                              frozenset(body.scopes), body.return_carrier)  # fmt: skip
            state.add_partner(partner)
        except (ValidationError, ValueError) as exc:
            return _bad(str(exc))
        return JSONResponse({"partnerId": partner.partner_id}, status_code=201)

    async def marketplace_cancel(request: Request) -> JSONResponse:
        try:
            body = _MarketplaceCancel.model_validate_json(await request.body() or b"{}")
        except ValidationError as exc:
            return _bad(str(exc))
        if body.reason not in enums.CANCELLATION_REASONS:
            return _bad(f"reason {body.reason!r}; one of {enums.CANCELLATION_REASONS}")
        with state.lock:
            now = clock.now()
            state.tick(now)
            order = state.orders.get(request.path_params["salesOrderId"])
            if order is None:
                return JSONResponse({"error": "no such order"}, status_code=404)
            wanted = set(body.position_item_ids or [i.position_item_id for i in order.items])
            cancelled = []
            for item in order.items:
                open_ = item.status in (enums.ANNOUNCED, enums.PROCESSABLE)
                if item.position_item_id in wanted and open_:
                    item.status = enums.CANCELLED_BY_MARKETPLACE
                    item.cancellation_date, item.cancellation_reason = now, body.reason
                    cancelled.append(item.position_item_id)
            if cancelled:
                order.touch(now)
        return JSONResponse({"cancelled": cancelled})

    return [
        Route("/_admin/reset", reset, methods=["POST"]),
        Route("/_admin/seed", seed, methods=["POST"]),
        Route("/_admin/state", inspect, methods=["GET"]),
        Route("/_admin/advance", advance, methods=["POST"]),
        Route("/_admin/partners", add_partner, methods=["POST"]),
        Route(
            "/_admin/orders/{salesOrderId}/marketplace-cancellation",
            marketplace_cancel,
            methods=["POST"],
        ),
    ]
