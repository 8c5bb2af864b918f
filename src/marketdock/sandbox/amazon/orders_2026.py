"""Orders API v2026-01-01: searchOrders and getOrder."""

from __future__ import annotations

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
from marketdock.sandbox.amazon.order_query import (
    OrderQuery,
    check_window,
    new_token,
    page_of,
    resolve_token,
    run,
)
from marketdock.sandbox.amazon.order_views import V2026_STATUS, v2026_order
from marketdock.sandbox.amazon.orders_v0 import ORDER_ID

INCLUDED = frozenset(
    {
        "BUYER",
        "RECIPIENT",
        "PROCEEDS",
        "EXPENSE",
        "PROMOTION",
        "CANCELLATION",
        "FULFILLMENT",
        "PACKAGES",
        "TAX",
        "PAYMENT",
        "FULFILLMENT_ORDERS",
    }
)
# Parameters that may change between the pages of one search (the model says so).
PAGE_FREE = frozenset({"paginationToken", "maxResultsPerPage", "includedData"})
BY_2026_STATUS: dict[str, set[str]] = {}
for _v0, _v2026 in V2026_STATUS.items():
    BY_2026_STATUS.setdefault(_v2026, set()).add(_v0)


def _included(call: Call) -> set[str]:
    included = set(query_list(call.request, "includedData"))
    if included - INCLUDED:
        raise invalid("Invalid Input", f"unknown includedData {sorted(included - INCLUDED)}")
    return included


def _parse_query(call: Call) -> OrderQuery:
    request = call.request
    created = (query_time(request, "createdAfter"), query_time(request, "createdBefore"))
    updated = (query_time(request, "lastUpdatedAfter"), query_time(request, "lastUpdatedBefore"))
    if any(created) and any(updated):
        raise invalid("Invalid Input", "created* and lastUpdated* cannot be used together")
    if not created[0] and not updated[0]:
        raise invalid("Invalid Input", "createdAfter or lastUpdatedAfter is required")
    by_update = updated[0] is not None
    prefix = "lastUpdated" if by_update else "created"
    bounds = updated if by_update else created
    after, before = check_window(
        call, (f"{prefix}After", bounds[0]), (f"{prefix}Before", bounds[1])
    )
    statuses: set[str] = set()
    for status in query_list(request, "fulfillmentStatuses"):
        if status not in BY_2026_STATUS:
            raise invalid("Invalid Input", f"unknown fulfillmentStatuses value {status!r}")
        statuses |= BY_2026_STATUS[status]
    channels = set()
    for party in query_list(request, "fulfilledBy"):
        if party not in ("MERCHANT", "AMAZON"):
            raise invalid("Invalid Input", f"unknown fulfilledBy value {party!r}")
        channels.add("MFN" if party == "MERCHANT" else "AFN")
    return OrderQuery(
        marketplace_ids=tuple(query_list(request, "marketplaceIds")),
        by_update=by_update,
        after=after,
        before=before,
        statuses=frozenset(statuses),
        channels=frozenset(channels),
    )


def _signature(call: Call) -> list[tuple[str, str]]:
    items = call.request.query_params.multi_items()
    return sorted((k, v) for k, v in items if k not in PAGE_FREE)


async def search_orders(call: Call) -> Response:
    """``GET /orders/2026-01-01/orders``: a paginationToken needs all other filters
    repeated with the values that produced it (only maxResultsPerPage and includedData may
    change); anything else is a 400."""
    included = _included(call)
    size = query_int(call.request, "maxResultsPerPage", 100, 1, 100)
    token = call.request.query_params.get("paginationToken")
    if token is not None:
        cursor = resolve_token(call, "searchOrders", token)
        if cursor.query["signature"] != _signature(call):
            raise invalid(
                "Invalid Input",
                "paginationToken must be sent with the same parameters as the first request",
            )
        query = cast(OrderQuery, cursor.query["query"])
        offset = cursor.offset
    else:
        query = _parse_query(call)
        offset = 0
    page, following = page_of(call, run(call, query), offset, size, token is not None)
    body: dict[str, Any] = {"orders": [v2026_order(o, included) for o in page]}
    if following is not None:
        state = {"query": query, "signature": _signature(call)}
        body["pagination"] = {"nextToken": new_token(call, "searchOrders", state, following)}
    body["lastUpdatedBefore" if query.by_update else "createdBefore"] = iso(query.before)
    return json_response(body)


async def get_order(call: Call) -> Response:
    order_id = call.request.path_params["orderId"]
    if not ORDER_ID.match(order_id):
        raise invalid("Invalid Input", f"orderId {order_id!r} is not in 3-7-7 format")
    order = call.state.orders.get(order_id)
    if order is None or order.seller_id != call.seller_id:
        raise not_found(f"Order {order_id} not found")
    return json_response({"order": v2026_order(order, _included(call))})


def routes() -> list[Route]:
    base = "/orders/2026-01-01/orders"
    return [
        Route(base, operation("orders_2026.searchOrders", search_orders), methods=["GET"]),
        Route(f"{base}/{{orderId}}", operation("orders_2026.getOrder", get_order), methods=["GET"]),
    ]
