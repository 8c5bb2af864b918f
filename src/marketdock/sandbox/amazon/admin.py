"""Admin routes of the Amazon simulator (never faulted, never rate limited, no auth)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketdock.sandbox.amazon.clock import iso
from marketdock.sandbox.amazon.fba_seed import FbaSeed, apply_fba_seed
from marketdock.sandbox.amazon.http import sim_of
from marketdock.sandbox.amazon.marketplaces import marketplace
from marketdock.sandbox.amazon.model import DEFAULT_SELLER, SimConfig
from marketdock.sandbox.amazon.order_views import v0_item, v0_order
from marketdock.sandbox.amazon.reports import advance_reports, close_settlement, report_view
from marketdock.sandbox.amazon.seed import Seed, apply_seed


class Advance(BaseModel):
    seconds: float = Field(ge=0)


class CloseSettlement(BaseModel):
    sellerId: str = DEFAULT_SELLER
    marketplace: str = "DE"


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _body(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


async def reset(request: Request) -> JSONResponse:
    sim = sim_of(request)
    sim.state.clear()
    sim.limiter.reset()
    return JSONResponse({"reset": True, "now": iso(sim.now())})


async def seed(request: Request) -> JSONResponse:
    sim = sim_of(request)
    try:
        spec = Seed.model_validate(await _body(request))
        created = apply_seed(sim.state, spec, sim.now())
    except (ValueError, ValidationError, KeyError) as exc:
        return _bad(f"bad seed: {exc}")
    return JSONResponse(created, status_code=201)


async def advance(request: Request) -> JSONResponse:
    sim = sim_of(request)
    try:
        step = Advance.model_validate(await _body(request))
    except (ValueError, ValidationError) as exc:
        return _bad(f"bad advance: {exc}")
    sim.clock.advance(step.seconds)
    sim.settle()
    return JSONResponse({"now": iso(sim.now())})


async def config(request: Request) -> JSONResponse:
    sim = sim_of(request)
    if request.method == "PUT":
        try:
            merged = {**sim.state.config.model_dump(), **(await _body(request))}
            sim.state.config = SimConfig.model_validate(merged)
        except (ValueError, ValidationError) as exc:
            return _bad(f"bad config: {exc}")
    return JSONResponse(sim.state.config.model_dump())


async def cancel_order(request: Request) -> JSONResponse:
    """The buyer or Amazon cancels an order that has not shipped yet."""
    sim = sim_of(request)
    order = sim.state.orders.get(request.path_params["orderId"])
    if order is None:
        return JSONResponse({"error": "no such order"}, status_code=404)
    if order.packages:
        return _bad(f"order {order.order_id} already has shipped packages")
    order.status, order.last_update, order.pending_until = "Canceled", sim.now(), None
    return JSONResponse(v0_order(order))


async def state(request: Request) -> JSONResponse:
    sim = sim_of(request)
    sim.settle()
    st = sim.state
    orders = []
    for order in st.orders.values():
        view: dict[str, Any] = {
            "sellerId": order.seller_id,
            **v0_order(order),
            "items": [v0_item(order, i) for i in order.items],
            "packages": [
                {
                    "packageReferenceId": p.package_reference_id,
                    "carrierCode": p.carrier_code,
                    "carrierName": p.carrier_name,
                    "shippingMethod": p.shipping_method,
                    "trackingNumber": p.tracking_number,
                    "shipDate": iso(p.ship_date),
                    "items": p.items,
                }
                for p in order.packages
            ],
        }
        orders.append(view)
    listings = [
        {
            "sellerId": li.seller_id,
            "sku": li.sku,
            "channel": li.channel,
            "quantity": li.quantity,
            "marketplaceIds": li.marketplace_ids,
            "productType": li.product_type,
        }
        for li in st.listings.values()
    ]
    feeds = [
        {
            "feedId": f.feed_id,
            "sellerId": f.seller_id,
            "feedType": f.feed_type,
            "processingStatus": f.status,
            "resultFeedDocumentId": f.result_document_id,
        }
        for f in st.feeds.values()
    ]
    return JSONResponse(
        {"now": iso(sim.now()), "orders": orders, "listings": listings, "feeds": feeds}
    )


async def seed_fba(request: Request) -> JSONResponse:
    """FBA stock, customer returns, removal orders and inbound plans (see ``fba_seed``)."""
    sim = sim_of(request)
    try:
        spec = FbaSeed.model_validate(await _body(request))
        created = apply_fba_seed(sim.state, spec, sim.now())
    except (ValueError, ValidationError, KeyError) as exc:
        return _bad(f"bad fba seed: {exc}")
    return JSONResponse(created, status_code=201)


async def close_settlement_period(request: Request) -> JSONResponse:
    """End a seller's open settlement period now; its report is queued like any other."""
    sim = sim_of(request)
    try:
        spec = CloseSettlement.model_validate(await _body(request))
        market = marketplace(spec.marketplace)
    except (ValueError, ValidationError, KeyError) as exc:
        return _bad(f"bad settlement close: {exc}")
    report = close_settlement(sim.state, spec.sellerId, market.marketplace_id, sim.now())
    return JSONResponse({**report_view(report), "settlementId": report.settlement_id}, 201)


async def fba_state(request: Request) -> JSONResponse:
    """FBA stock, reports, removal orders, returns and inbound plans, for looking around."""
    sim = sim_of(request)
    st = sim.state
    advance_reports(st, sim.now())
    return JSONResponse(
        {
            "now": iso(sim.now()),
            "inventory": [
                {
                    "sellerId": s.seller_id,
                    "marketplaceId": s.marketplace_id,
                    "sku": s.sku,
                    "fnsku": s.fnsku,
                    "fulfillable": s.fulfillable,
                }
                for s in st.fba_stock.values()
            ],
            "reports": [
                {"sellerId": r.seller_id, "settlementId": r.settlement_id, **report_view(r)}
                for r in st.reports.values()
            ],
            "removalOrders": [
                {"sellerId": r.seller_id, "orderId": r.order_id, "status": r.status}
                for r in st.removal_orders.values()
            ],
            "customerReturns": [
                {"orderId": r.order_id, "sku": r.sku, "licensePlateNumber": r.license_plate_number}
                for r in st.customer_returns
            ],
            "inboundPlans": [
                {
                    "sellerId": p.seller_id,
                    "inboundPlanId": p.plan_id,
                    "status": p.status,
                    "shipments": [
                        {
                            "shipmentId": s.shipment_id,
                            "shipmentConfirmationId": s.confirmation_id or None,
                            "status": s.status,
                        }
                        for s in p.shipments
                    ],
                }
                for p in st.inbound_plans.values()
            ],
        }
    )


def admin_routes() -> list[Route]:
    return [
        Route("/_admin/reset", reset, methods=["POST"]),
        Route("/_admin/seed", seed, methods=["POST"]),
        Route("/_admin/advance", advance, methods=["POST"]),
        Route("/_admin/config", config, methods=["GET", "PUT"]),
        Route("/_admin/state", state, methods=["GET"]),
        Route("/_admin/orders/{orderId}/cancel", cancel_order, methods=["POST"]),
        Route("/_admin/seed/fba", seed_fba, methods=["POST"]),
        Route("/_admin/settlements/close", close_settlement_period, methods=["POST"]),
        Route("/_admin/fba", fba_state, methods=["GET"]),
    ]
