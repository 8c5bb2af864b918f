"""FBA Inventory v1: getInventorySummaries over the simulated FBA stock.

Stock is seeded through ``/_admin/seed/fba`` (see :mod:`fba_seed`). As Amazon does, a page
holds at most 50 summaries, the next token expires after 30 s of simulated time and
``startDateTime`` filters on the last quantity change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from marketdock.sandbox.amazon import cursors
from marketdock.sandbox.amazon.clock import iso
from marketdock.sandbox.amazon.http import (
    Call,
    invalid,
    json_response,
    operation,
    query_list,
    query_time,
)
from marketdock.sandbox.amazon.marketplaces import BY_ID
from marketdock.sandbox.amazon.model import FbaStock

PATH = "/fba/inventory/v1/summaries"
PAGE_SIZE = 50
TOKEN_SECONDS = 30.0
MAX_SKUS = 50
UNFULFILLABLE = (
    "customerDamagedQuantity",
    "warehouseDamagedQuantity",
    "distributorDamagedQuantity",
    "carrierDamagedQuantity",
    "defectiveQuantity",
    "expiredQuantity",
)
OPERATION = "fbaInventory.getInventorySummaries"


def reserved(stock: FbaStock) -> int:
    return stock.pending_customer_order + stock.pending_transshipment + stock.fc_processing


def unfulfillable(stock: FbaStock) -> int:
    return sum(stock.unfulfillable.values())


def total_quantity(stock: FbaStock) -> int:
    """Units in fulfillment centres plus units in inbound shipments.

    Researching units are left out: the model does not say they count, and the Manage FBA
    Inventory report's total supply does not include them.
    """
    warehouse = stock.fulfillable + unfulfillable(stock) + reserved(stock)
    inbound = stock.inbound_working + stock.inbound_shipped + stock.inbound_receiving
    return warehouse + inbound


def summary_view(stock: FbaStock, details: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "asin": stock.asin,
        "fnSku": stock.fnsku,
        "sellerSku": stock.sku,
        "condition": stock.condition,
        "lastUpdatedTime": iso(stock.updated),
        "productName": stock.product_name,
        "totalQuantity": total_quantity(stock),
    }
    if details:
        body["inventoryDetails"] = {
            "fulfillableQuantity": stock.fulfillable,
            "inboundWorkingQuantity": stock.inbound_working,
            "inboundShippedQuantity": stock.inbound_shipped,
            "inboundReceivingQuantity": stock.inbound_receiving,
            "reservedQuantity": {
                "totalReservedQuantity": reserved(stock),
                "pendingCustomerOrderQuantity": stock.pending_customer_order,
                "pendingTransshipmentQuantity": stock.pending_transshipment,
                "fcProcessingQuantity": stock.fc_processing,
            },
            "researchingQuantity": {
                "totalResearchingQuantity": stock.researching,
                "researchingQuantityBreakdown": [],
            },
            "unfulfillableQuantity": {
                "totalUnfulfillableQuantity": unfulfillable(stock),
                **{name: stock.unfulfillable.get(name, 0) for name in UNFULFILLABLE},
            },
        }
    return body


def _query(call: Call) -> dict[str, Any]:
    """The validated query of a first page."""
    params = call.request.query_params
    if params.get("granularityType") != "Marketplace":
        raise invalid("Invalid Input", "granularityType must be Marketplace")
    granularity_id = params.get("granularityId", "")
    markets = query_list(call.request, "marketplaceIds")
    if len(markets) != 1:
        raise invalid("Invalid Input", "marketplaceIds must hold exactly one marketplace")
    if markets[0] not in BY_ID:
        raise invalid("Invalid Input", f"unknown marketplace {markets[0]!r}")
    if granularity_id != markets[0]:
        raise invalid("Invalid Input", "granularityId must be the requested marketplace id")
    skus = query_list(call.request, "sellerSkus")
    if len(skus) > MAX_SKUS:
        raise invalid("Invalid Input", f"sellerSkus holds more than {MAX_SKUS} SKUs")
    single = params.get("sellerSku")
    if single is not None and skus:
        raise invalid("Invalid Input", "send sellerSku or sellerSkus, not both")
    since = query_time(call.request, "startDateTime")
    if since is not None and since < call.sim.now() - timedelta(days=548):
        raise invalid("Invalid Input", "startDateTime must be within the last 18 months")
    return {
        "marketplace": markets[0],
        "skus": skus or ([single] if single else []),
        "since": iso(since) if since else None,
        "details": params.get("details", "false").lower() == "true",
    }


def _matching(call: Call, query: dict[str, Any]) -> list[FbaStock]:
    wanted = set(query["skus"])
    since = query["since"]
    found = [
        s
        for s in call.state.fba_stock.values()
        if s.seller_id == call.seller_id
        and s.marketplace_id == query["marketplace"]
        and (not wanted or s.sku in wanted)
        and (since is None or iso(s.updated) >= since)
    ]
    return sorted(found, key=lambda s: s.sku)


async def get_inventory_summaries(call: Call) -> Response:
    token = call.request.query_params.get("nextToken")
    if token:
        query, offset = cursors.resume(call, OPERATION, token)
    else:
        query, offset = _query(call), 0
    stock = _matching(call, query)
    page = stock[offset : offset + PAGE_SIZE]
    granularity = {"granularityType": "Marketplace", "granularityId": query["marketplace"]}
    body: dict[str, Any] = {
        "payload": {
            "granularity": granularity,
            "inventorySummaries": [summary_view(s, query["details"]) for s in page],
        }
    }
    if offset + PAGE_SIZE < len(stock):
        next_token = cursors.issue(call, OPERATION, query, offset + PAGE_SIZE, TOKEN_SECONDS)
        body["pagination"] = {"nextToken": next_token}
    return json_response(body)


def routes() -> list[Route]:
    return [Route(PATH, operation(OPERATION, get_inventory_summaries), methods=["GET"])]
