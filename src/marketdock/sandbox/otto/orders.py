"""Orders V4: list (cursor paging, bucket filters), get, and partner cancellation.

Paging is keyset paging on (lifecycleChangeDate, salesOrderId) with the filters frozen into
the cursor, as OTTO documents: with ``nextcursor`` only ``limit`` is honoured. An order that
changes while a client pages moves behind the cursor and shows up again on a later page, so
clients must upsert. The ``duplicate_page`` and ``reorder_page`` fault switches make the
list misbehave further.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.otto import enums
from marketdock.sandbox.otto.http import Ctx, Pipeline
from marketdock.sandbox.otto.model import Order
from marketdock.sandbox.otto.views import order_json
from marketdock.sandbox.otto.wire import ApiError, decode_cursor, encode_cursor, iso, parse_iso

MAX_PAGE = 128
_BUCKET_BLOCKERS: dict[str, tuple[str, ...]] = {
    enums.ANNOUNCED: (),
    enums.PROCESSABLE: (enums.ANNOUNCED,),
    enums.SENT: (enums.ANNOUNCED, enums.PROCESSABLE),
    enums.RETURNED: (enums.ANNOUNCED, enums.PROCESSABLE, enums.SENT),
    enums.CANCELLED_BY_PARTNER: (),
    enums.CANCELLED_BY_MARKETPLACE: (),
}


def in_bucket(order: Order, status: str, mode: str) -> bool:
    """OTTO's classification of an order under ``fulfillmentStatus=status``."""
    states = {item.status for item in order.items}
    if status not in states:
        return False
    return mode == "AT_LEAST_ONE" or not states.intersection(_BUCKET_BLOCKERS[status])


def _one_of(ctx: Ctx, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = ctx.query(name) or default
    if value not in allowed:
        raise ApiError(400, "INVALID_REQUEST_PARAMETER", f"{name}={value!r}; allowed: {allowed}")
    return value


def _filters_from_query(ctx: Ctx) -> dict[str, Any]:
    statuses = ctx.query_list("fulfillmentStatus")
    unknown = [s for s in statuses if s not in enums.FULFILLMENT_STATUSES]
    if unknown:
        raise ApiError(400, "INVALID_REQUEST_PARAMETER", f"unknown fulfillmentStatus {unknown}")
    dates = {}
    for name in ("fromDate", "fromOrderDate", "toOrderDate"):
        raw = ctx.query(name)
        if raw is not None:
            dates[name] = iso(parse_iso(raw, name))
    return {
        "statuses": statuses,
        "mode": _one_of(ctx, "mode", ("BUCKET", "AT_LEAST_ONE"), "BUCKET"),
        "direction": _one_of(ctx, "orderDirection", ("ASC", "DESC"), "ASC"),
        "column": _one_of(
            ctx, "orderColumnType", ("ORDER_LIFECYCLE_DATE",), "ORDER_LIFECYCLE_DATE"
        ),
        **dates,
        "after": None,
    }


def _matches(order: Order, filters: dict[str, Any]) -> bool:
    statuses: list[str] = filters["statuses"]
    if statuses and not any(in_bucket(order, s, filters["mode"]) for s in statuses):
        return False
    bounds: list[tuple[str, datetime, int]] = [
        ("fromDate", order.last_modified, 1),
        ("fromOrderDate", order.order_date, 1),
        ("toOrderDate", order.order_date, -1),
    ]
    for name, value, sign in bounds:
        if name in filters:
            limit = parse_iso(filters[name], name)
            if (sign == 1 and value < limit) or (sign == -1 and value > limit):
                return False
    return True


def _key(order: Order) -> list[str]:
    return [iso(order.last_modified), order.sales_order_id]


def list_orders(ctx: Ctx) -> Response:
    cursor = ctx.query("nextcursor")
    filters = decode_cursor(cursor, "nextcursor") if cursor else _filters_from_query(ctx)
    limit = ctx.query_int("limit", MAX_PAGE, 1, MAX_PAGE)
    descending = filters["direction"] == "DESC"
    orders = sorted(
        (o for o in ctx.state.orders.values() if o.partner_id == ctx.partner.partner_id),
        key=_key,
        reverse=descending,
    )
    after = filters["after"]
    if after is not None:
        orders = [o for o in orders if (_key(o) < after if descending else _key(o) > after)]
    matching = [o for o in orders if _matches(o, filters)]
    page, rest = matching[:limit], matching[limit:]
    links = []
    if ctx.faults.fire("duplicate_page", ctx.path, "GET"):
        links.append({"rel": "next", "href": f"/v4/orders?nextcursor={encode_cursor(filters)}"})
    elif rest:
        following = {**filters, "after": _key(page[-1])}
        links.append({"rel": "next", "href": f"/v4/orders?nextcursor={encode_cursor(following)}"})
    resources = [order_json(ctx.state, o) for o in page]
    if ctx.faults.fire("reorder_page", ctx.path, "GET"):
        resources.reverse()
    for link in links:
        link["href"] += f"&limit={limit}"
    return JSONResponse({"resources": resources, "links": links})


def get_order(ctx: Ctx) -> Response:
    key = ctx.request.path_params["key"]
    order = ctx.state.order_for(ctx.partner.partner_id, key)
    if order is None:
        raise ApiError(404, "RESOURCE_NOT_FOUND", f"no order {key}")
    return JSONResponse(order_json(ctx.state, order))


def _cancel(ctx: Ctx, order: Order, ids: list[str]) -> int:
    """Cancel the PROCESSABLE items among ``ids``; answer how many."""
    cancelled = 0
    for item in order.items:
        if item.position_item_id in ids and item.status == enums.PROCESSABLE:
            item.status = enums.CANCELLED_BY_PARTNER
            item.cancellation_date = ctx.now
            item.cancellation_reason = "CANCELLED_ON_PARTNER_WISH"
            order.touch(ctx.now)
            cancelled += 1
    return cancelled


def _order_or_404(ctx: Ctx) -> Order:
    sales_order_id = ctx.request.path_params["salesOrderId"]
    order = ctx.state.orders.get(sales_order_id)
    if order is None or order.partner_id != ctx.partner.partner_id:
        raise ApiError(404, "RESOURCE_NOT_FOUND", f"no order with salesOrderId {sales_order_id}")
    return order


def cancel_items(ctx: Ctx) -> Response:
    """All or nothing: any listed item neither PROCESSABLE nor CANCELLED_BY_PARTNER → 409."""
    order = _order_or_404(ctx)
    ids = [i for i in ctx.request.path_params["positionItemIds"].split(",") if i]
    known = {i.position_item_id: i for i in order.items}
    unknown = [i for i in ids if i not in known]
    if not ids or unknown:
        raise ApiError(
            400, "INVALID_REQUEST_PARAMETER",
            f"position items {unknown} are not part of order {order.sales_order_id}",
        )  # fmt: skip
    blocked = [
        f"{i} is {known[i].status}"
        for i in ids
        if known[i].status not in (enums.PROCESSABLE, enums.CANCELLED_BY_PARTNER)
    ]
    if blocked:
        raise ApiError(
            409, "POSITION_ITEMS_NOT_CANCELLABLE",
            "only PROCESSABLE position items can be cancelled; order left unchanged: "
            + "; ".join(blocked),
        )  # fmt: skip
    _cancel(ctx, order, ids)
    return Response(status_code=200)


def cancel_order(ctx: Ctx) -> Response:
    """Cancel every PROCESSABLE item; 409 when there is none."""
    order = _order_or_404(ctx)
    if not _cancel(ctx, order, [i.position_item_id for i in order.items]):
        raise ApiError(
            409, "POSITION_ITEMS_NOT_CANCELLABLE",
            f"order {order.sales_order_id} has no PROCESSABLE position item",
        )  # fmt: skip
    return Response(status_code=200)


def order_routes(pipe: Pipeline) -> list[Route]:
    common: dict[str, Any] = {"scope": "orders", "style": "generic"}
    return [
        pipe.route("/v4/orders", list_orders, methods=["GET"], **common),
        pipe.route(
            "/v4/orders/{salesOrderId}/positionItems/{positionItemIds}/cancellation",
            cancel_items,
            methods=["POST"],
            **common,
        ),  # fmt: skip
        pipe.route(
            "/v4/orders/{salesOrderId}/cancellation", cancel_order, methods=["POST"], **common
        ),
        pipe.route("/v4/orders/{key}", get_order, methods=["GET"], **common),
    ]
