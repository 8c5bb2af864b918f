"""Orders API v0: getOrders, getOrder, getOrderItems (deprecated reads) and their rules."""

from __future__ import annotations

import re
from typing import Any, cast

from starlette.responses import Response
from starlette.routing import Route

from marketdock.sandbox.amazon.clock import iso
from marketdock.sandbox.amazon.http import (
    Call,
    invalid,
    json_response,
    not_found,
    operation,
    query_int,
    query_list,
    query_time,
)
from marketdock.sandbox.amazon.model import Order
from marketdock.sandbox.amazon.order_query import (
    OrderQuery,
    check_window,
    new_token,
    page_of,
    resolve_token,
    run,
)
from marketdock.sandbox.amazon.order_views import v0_item, v0_order

ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
V0_STATUSES = frozenset(
    {
        "PendingAvailability",
        "Pending",
        "Unshipped",
        "PartiallyShipped",
        "Shipped",
        "InvoiceUnconfirmed",
        "Canceled",
        "Unfulfillable",
    }
)
TOKEN_COMPANIONS = frozenset({"NextToken", "MarketplaceIds"})


def find_order(call: Call, order_id: str) -> Order:
    """The caller's order, or 400 for a malformed id and 404 for an unknown one."""
    if not ORDER_ID.match(order_id):
        raise invalid("Invalid Input", f"orderId {order_id!r} is not in 3-7-7 format")
    order = call.state.orders.get(order_id)
    if order is None or order.seller_id != call.seller_id:
        raise not_found(f"Order {order_id} not found")
    return order


def _parse_query(call: Call) -> OrderQuery:
    request = call.request
    marketplaces = query_list(request, "MarketplaceIds")
    if not marketplaces:
        raise invalid("Invalid Input", "MarketplaceIds is required")
    created = (query_time(request, "CreatedAfter"), query_time(request, "CreatedBefore"))
    updated = (query_time(request, "LastUpdatedAfter"), query_time(request, "LastUpdatedBefore"))
    if any(created) and any(updated):
        raise invalid(
            "Invalid Input", "Created* and LastUpdated* parameters cannot be used together"
        )
    if not created[0] and not updated[0]:
        raise invalid("Invalid Input", "Either CreatedAfter or LastUpdatedAfter is required")
    by_update = updated[0] is not None
    prefix = "LastUpdated" if by_update else "Created"
    bounds = updated if by_update else created
    after, before = check_window(
        call, (f"{prefix}After", bounds[0]), (f"{prefix}Before", bounds[1])
    )
    statuses = frozenset(query_list(request, "OrderStatuses"))
    if statuses - V0_STATUSES:
        raise invalid("Invalid Input", f"unknown OrderStatuses {sorted(statuses - V0_STATUSES)}")
    channels = frozenset(query_list(request, "FulfillmentChannels"))
    if channels - {"AFN", "MFN"}:
        raise invalid("Invalid Input", f"unknown FulfillmentChannels {sorted(channels)}")
    return OrderQuery(
        marketplace_ids=tuple(marketplaces),
        by_update=by_update,
        after=after,
        before=before,
        statuses=statuses,
        channels=channels,
        order_ids=frozenset(query_list(request, "AmazonOrderIds")),
        seller_order_id=request.query_params.get("SellerOrderId"),
    )


async def get_orders(call: Call) -> Response:
    """``GET /orders/v0/orders``: a NextToken must come alone (only MarketplaceIds may
    accompany it, as the model requires that parameter)."""
    params = call.request.query_params
    token = params.get("NextToken")
    if token is not None:
        extra = sorted(set(params.keys()) - TOKEN_COMPANIONS)
        if extra:
            raise invalid("Invalid Input", f"NextToken cannot be combined with {extra}")
        cursor = resolve_token(call, "getOrders", token)
        query = cast(OrderQuery, cursor.query["query"])
        size = int(str(cursor.query["size"]))
        offset = cursor.offset
    else:
        query = _parse_query(call)
        size = query_int(call.request, "MaxResultsPerPage", 100, 1, 100)
        offset = 0
    page, following = page_of(call, run(call, query), offset, size, token is not None)
    payload: dict[str, Any] = {"Orders": [v0_order(o) for o in page]}
    if following is not None:
        state = {"query": query, "size": size}
        payload["NextToken"] = new_token(call, "getOrders", state, following)
    payload["LastUpdatedBefore" if query.by_update else "CreatedBefore"] = iso(query.before)
    return json_response({"payload": payload})


async def get_order(call: Call) -> Response:
    order = find_order(call, call.request.path_params["orderId"])
    return json_response({"payload": v0_order(order)})


async def get_order_items(call: Call) -> Response:
    order = find_order(call, call.request.path_params["orderId"])
    items = [v0_item(order, item) for item in order.items]
    return json_response({"payload": {"AmazonOrderId": order.order_id, "OrderItems": items}})


async def get_order_address(call: Call) -> Response:
    """Without a Restricted Data Token only the non-PII address fields are returned."""
    order = find_order(call, call.request.path_params["orderId"])
    payload: dict[str, Any] = {"AmazonOrderId": order.order_id}
    address = v0_order(order).get("ShippingAddress")
    if address:
        payload["ShippingAddress"] = address
    return json_response({"payload": payload})


def routes() -> list[Route]:
    base = "/orders/v0/orders"
    return [
        Route(base, operation("orders_v0.getOrders", get_orders), methods=["GET"]),
        Route(f"{base}/{{orderId}}", operation("orders_v0.getOrder", get_order), methods=["GET"]),
        Route(
            f"{base}/{{orderId}}/orderItems",
            operation("orders_v0.getOrderItems", get_order_items),
            methods=["GET"],
        ),
        Route(
            f"{base}/{{orderId}}/address",
            operation("orders_v0.getOrderAddress", get_order_address),
            methods=["GET"],
        ),
    ]
