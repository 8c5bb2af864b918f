"""Order and shipment endpoints of the ShipBob-shaped simulator."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.warehouse.model import (
    Address,
    DuplicateReference,
    FloorError,
    LineRequest,
    NotCancellable,
    Order,
    UnknownReference,
)
from marketdock.sandbox.warehouse.shipbob_core import (
    ApiError,
    ShipBobSimulator,
    body_of,
    int_param,
    parse,
    time_param,
)
from marketdock.sandbox.warehouse.shipbob_wire import CreateOrderIn

V = "/2026-01"


def order_routes(sim: ShipBobSimulator) -> list[Route]:
    floor, views = sim.floor, sim.views

    def find(request: Request) -> Order:
        try:
            return floor.order_by_id(request.path_params["order_id"])
        except UnknownReference as exc:
            raise ApiError(404, {"message": str(exc)}) from exc

    def lines_of(body: CreateOrderIn) -> list[LineRequest]:
        lines = []
        for index, product in enumerate(body.products):
            if product.reference_id is not None:
                sku = product.reference_id
            else:
                try:
                    sku = floor.stock_by_inventory_id(product.id or 0).sku
                except FloorError as exc:
                    raise ApiError(422, {f"products.{index}.id": [str(exc)]}) from exc
            line_id = str(product.external_line_id or index + 1)
            lines.append(LineRequest(sku=sku, quantity=product.quantity, line_id=line_id,
                                     name=product.name or ""))
        return lines

    async def create_order(request: Request) -> Response:
        channel = request.headers.get("shipbob_channel_id")
        if channel is None:
            raise ApiError(400, {"shipbob_channel_id": ["The header is required."]})
        if channel != str(sim.channel_id):
            raise ApiError(403, {"message": f"No write access to channel {channel}."})
        body = parse(CreateOrderIn, await body_of(request))
        recipient, address = body.recipient, body.recipient.address
        ship_to = Address(
            name=recipient.name, company=address.company_name or "",
            street1=address.address1, street2=address.address2 or "",
            postcode=address.zip_code or "", city=address.city, state=address.state or "",
            country=address.country, email=recipient.email or "",
            phone=recipient.phone_number or "",
        )
        try:
            order = floor.receive_order(
                body.reference_id, lines_of(body), ship_to=ship_to,
                shipping_method=body.shipping_method, channel=str(sim.channel_id),
                gift_message=body.gift_message or "",
            )
        except DuplicateReference as exc:
            raise ApiError(422, {"reference_id": [
                f"Order with reference_id '{body.reference_id}' already exists "
                f"(order id {exc.context['order_id']})."]}) from exc
        except FloorError as exc:
            raise ApiError(422, {"products": [str(exc)]}) from exc
        views.extras[order.order_id] = body
        return JSONResponse(views.order(floor.order(order.reference)), status_code=201)

    async def get_order(request: Request) -> Response:
        return JSONResponse(views.order(find(request)))

    async def list_orders(request: Request) -> Response:
        q = request.query_params
        orders = floor.orders()
        if ids := q.get("IDs"):
            wanted = {int_param(i.strip(), "IDs", 0) for i in ids.split(",")}
            orders = [o for o in orders if o.order_id in wanted]
        if refs := q.get("ReferenceIds"):
            wanted_refs = {r.strip() for r in refs.split(",")}
            orders = [o for o in orders if o.reference in wanted_refs]
        if (has := q.get("HasTracking")) is not None:
            orders = [o for o in orders if bool(o.parcels) == (has.lower() == "true")]
        for name, attr, lower_bound in (
            ("StartDate", "received_at", True), ("EndDate", "received_at", False),
            ("LastUpdateStartDate", "updated_at", True), ("LastUpdateEndDate", "updated_at", False),
        ):
            if value := q.get(name):
                bound = time_param(value, name)
                orders = [o for o in orders
                          if (getattr(o, attr) >= bound if lower_bound
                              else getattr(o, attr) <= bound)]
        if q.get("SortOrder", "").lower() == "newest":
            orders.reverse()
        limit = min(max(int_param(q.get("Limit"), "Limit", 50), 1), 250)
        page = max(int_param(q.get("Page"), "Page", 1), 1)
        chunk = orders[(page - 1) * limit: page * limit]
        return JSONResponse([views.order(o) for o in chunk],
                            headers={"total-count": str(len(orders)), "page-number": str(page)})

    async def cancel_order(request: Request) -> Response:
        order = find(request)
        try:
            order = floor.cancel_order(order.reference)
        except NotCancellable as exc:
            raise ApiError(422, {"order": [str(exc)]}) from exc
        results = [{"shipment_id": s["id"], "action": "Cancel", "is_success": True,
                    "reason": None} for s in views.shipments(order)]
        return JSONResponse({"order_id": order.order_id, "status": "Success",
                             "canceled_shipment_results": results, "order": views.order(order)})

    async def order_shipments(request: Request) -> Response:
        return JSONResponse(views.shipments(find(request)))

    async def order_shipment(request: Request) -> Response:
        view = views.shipment(find(request), request.path_params["shipment_id"])
        if view is None:
            raise ApiError(404, {"message": "No such shipment on this order."})
        return JSONResponse(view)

    async def shipment(request: Request) -> Response:
        wanted = request.path_params["shipment_id"]
        for order in floor.orders():
            if wanted in ([p.parcel_id for p in order.parcels] or [order.first_parcel_id]):
                view = views.shipment(order, wanted)
                if view is not None:
                    return JSONResponse(view)
        raise ApiError(404, {"message": f"No shipment {wanted}."})

    async def channels(request: Request) -> Response:
        return JSONResponse({"items": [{
            "id": sim.channel_id, "name": "marketdock", "application_name": "SMA",
            "scopes": ["orders_read", "orders_write", "inventory_read", "receiving_read",
                       "receiving_write", "webhooks_read", "webhooks_write"],
        }], "next": None, "prev": None})

    g = sim.guard
    oid = f"{V}/order/{{order_id:int}}"
    return [
        Route(f"{V}/channel", g(channels), methods=["GET"]),
        Route(f"{V}/order", g(create_order), methods=["POST"]),
        Route(f"{V}/order", g(list_orders), methods=["GET"]),
        Route(oid, g(get_order), methods=["GET"]),
        Route(f"{oid}:cancel", g(cancel_order), methods=["POST"]),
        Route(f"{oid}/shipment", g(order_shipments), methods=["GET"]),
        Route(f"{oid}/shipment/{{shipment_id:int}}", g(order_shipment), methods=["GET"]),
        Route(f"{V}/shipment/{{shipment_id:int}}", g(shipment), methods=["GET"]),
    ]
