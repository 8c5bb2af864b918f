"""Inventory, receiving (WRO) and webhook-subscription endpoints of the ShipBob simulator."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.warehouse.model import FloorError, Inbound, NotCancellable, OrderStatus
from marketdock.sandbox.warehouse.shipbob_core import (
    ApiError,
    ShipBobSimulator,
    body_of,
    int_param,
    parse,
)
from marketdock.sandbox.warehouse.shipbob_wire import (
    FULFILLMENT_CENTER,
    CreateReceivingIn,
    CreateSubscriptionIn,
    stamp,
)

V = "/2026-01"


def stock_routes(sim: ShipBobSimulator) -> list[Route]:
    floor, views = sim.floor, sim.views

    def problem(status: int, detail: str) -> ApiError:
        return ApiError(status, {"type": None, "title": detail, "status": status,
                                 "detail": detail, "instance": None})

    def backordered() -> dict[str, int]:
        units: dict[str, int] = {}
        for order in floor.orders():
            if order.status is OrderStatus.BACKORDERED:
                for line in order.lines:
                    for sku, per in line.components:
                        units[sku] = units.get(sku, 0) + per * line.quantity
        return units

    async def inventory_levels(request: Request) -> Response:
        q = request.query_params
        levels = floor.stock_levels()
        if ids := q.get("InventoryIds"):
            wanted = {int_param(i.strip(), "InventoryIds", 0) for i in ids.split(",")}
            levels = [lv for lv in levels if lv.inventory_id in wanted]
        if search := q.get("SearchBy"):
            needle = search.lower()
            levels = [lv for lv in levels if search == str(lv.inventory_id)
                      or needle in lv.sku.lower() or needle in lv.name.lower()]
        size = min(max(int_param(q.get("PageSize"), "PageSize", 100), 1), 250)
        start = max(int_param(q.get("Cursor"), "Cursor", 0), 0)
        waiting = backordered()
        items = [views.inventory(lv, waiting.get(lv.sku, 0)) for lv in levels[start:start + size]]

        def link(offset: int) -> str:
            return f"{V}/inventory-level?PageSize={size}&Cursor={offset}"

        last = max(0, (len(levels) - 1) // size * size)
        return JSONResponse({
            "items": items, "first": link(0), "last": link(last),
            "next": link(start + size) if start + size < len(levels) else None,
            "prev": link(max(0, start - size)) if start > 0 else None,
        })

    async def inventory_level(request: Request) -> Response:
        try:
            level = floor.stock_by_inventory_id(request.path_params["inventory_id"])
        except FloorError as exc:
            raise problem(404, str(exc)) from exc
        return JSONResponse(views.inventory(level, backordered().get(level.sku, 0)))

    def find_wro(request: Request) -> Inbound:
        wanted = request.path_params["wro_id"]
        for inbound in floor.inbounds():
            if inbound.inbound_id == wanted:
                return inbound
        raise ApiError(404, {"title": "Not Found", "status": 404,
                             "detail": f"No receiving order {wanted}.", "errors": None})

    async def create_wro(request: Request) -> Response:
        body = parse(CreateReceivingIn, await body_of(request))
        if body.fulfillment_center.get("id") != FULFILLMENT_CENTER["id"]:
            raise ApiError(400, {"fulfillment_center.id": [
                f"Unknown fulfillment center; use {FULFILLMENT_CENTER['id']}."]})
        lines: dict[str, int] = {}
        for b, box in enumerate(body.boxes):
            for i, item in enumerate(box.box_items):
                try:
                    sku = floor.stock_by_inventory_id(item.inventory_id).sku
                except FloorError as exc:
                    raise ApiError(400, {f"boxes.{b}.box_items.{i}.inventory_id": [str(exc)]}) \
                        from exc
                lines[sku] = lines.get(sku, 0) + item.quantity
        reference = f"WRO-{len(floor.inbounds()) + 1:06d}"
        inbound = floor.announce_inbound(reference, lines, expected_at=body.expected_arrival_date,
                                         po_number=body.purchase_order_number or "")
        sim.wro_requests[inbound.inbound_id] = body
        return JSONResponse(views.receiving(floor.inbound(reference), body), status_code=201)

    async def get_wro(request: Request) -> Response:
        inbound = find_wro(request)
        return JSONResponse(views.receiving(inbound, sim.wro_requests.get(inbound.inbound_id)))

    async def list_wros(request: Request) -> Response:
        q = request.query_params
        inbounds = floor.inbounds()
        if ids := q.get("IDs"):
            wanted = {int_param(i.strip(), "IDs", 0) for i in ids.split(",")}
            inbounds = [i for i in inbounds if i.inbound_id in wanted]
        rendered = [views.receiving(i, sim.wro_requests.get(i.inbound_id)) for i in inbounds]
        if statuses := q.get("Statuses"):
            keep = {s.strip() for s in statuses.split(",")}
            rendered = [r for r in rendered if r["status"] in keep]
        if numbers := q.get("PurchaseOrderNumbers"):
            keep = {n.strip() for n in numbers.split(",")}
            rendered = [r for r in rendered if r["purchase_order_number"] in keep]
        return JSONResponse(rendered)

    async def cancel_wro(request: Request) -> Response:
        inbound = find_wro(request)
        try:
            inbound = floor.cancel_inbound(inbound.reference)
        except NotCancellable as exc:
            raise ApiError(422, {"status": [str(exc)]}) from exc
        return JSONResponse(views.receiving(inbound, sim.wro_requests.get(inbound.inbound_id)))

    def subscription(sub: Any, *, with_secret: bool) -> dict[str, Any]:
        view = {"id": sub.subscription_id, "url": sub.url, "topics": list(sub.topics),
                "description": sub.description or None, "created_at": stamp(sub.created_at)}
        if with_secret:
            view["secret"] = sub.secret
        else:
            view["enabled"] = sub.enabled
        return view

    async def create_subscription(request: Request) -> Response:
        body = parse(CreateSubscriptionIn, await body_of(request))
        sub = sim.webhooks.subscribe(body.url, tuple(body.topics), body.secret,
                                     body.description or "")
        return JSONResponse(subscription(sub, with_secret=True))

    async def list_subscriptions(request: Request) -> Response:
        items = [subscription(s, with_secret=False) for s in sim.webhooks.subscriptions()]
        return JSONResponse({"items": items, "next": None, "prev": None})

    async def delete_subscription(request: Request) -> Response:
        if not sim.webhooks.unsubscribe(request.path_params["sub_id"]):
            raise ApiError(404, {"message": "No such subscription."})
        return Response(status_code=204)

    g = sim.guard
    wro = f"{V}/receiving/{{wro_id:int}}"
    return [
        Route(f"{V}/inventory-level", g(inventory_levels), methods=["GET"]),
        Route(f"{V}/inventory-level/{{inventory_id:int}}", g(inventory_level), methods=["GET"]),
        Route(f"{V}/receiving", g(create_wro), methods=["POST"]),
        Route(f"{V}/receiving", g(list_wros), methods=["GET"]),
        Route(wro, g(get_wro), methods=["GET"]),
        Route(f"{wro}:cancel", g(cancel_wro), methods=["POST"]),
        Route(f"{V}/webhook", g(create_subscription), methods=["POST"]),
        Route(f"{V}/webhook", g(list_subscriptions), methods=["GET"]),
        Route(f"{V}/webhook/{{sub_id}}", g(delete_subscription), methods=["DELETE"]),
    ]
