"""Listings Items API 2021-08-01: read, patch and search listings, quantities included.

Only ``/attributes/fulfillment_availability`` patches change the simulated stock; other
top-level attribute patches are stored as given. A merchant quantity (channel ``DEFAULT``)
sent to an Amazon-fulfilled listing is rejected, and SKUs named in ``SimConfig.drift_skus``
(or hit by the ``quantity_not_applied`` fault) answer ACCEPTED without applying the
quantity, the silent drift a read-back must catch.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from marketdock.sandbox.amazon.clock import iso
from marketdock.sandbox.amazon.http import (
    ApiError,
    Call,
    invalid,
    json_response,
    not_found,
    operation,
    query_int,
    query_list,
)
from marketdock.sandbox.amazon.marketplaces import BY_ID
from marketdock.sandbox.amazon.model import Listing

INCLUDED = frozenset(
    {
        "summaries",
        "attributes",
        "issues",
        "offers",
        "fulfillmentAvailability",
        "procurement",
        "relationships",
        "productTypes",
    }
)
AVAILABILITY = "/attributes/fulfillment_availability"


def issue(code: str, message: str, attribute: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "severity": "ERROR",
        "categories": ["INVALID_ATTRIBUTE"],
    }
    if attribute:
        body["attributeNames"] = [attribute]
    return body


def listing_view(
    listing: Listing, included: set[str], marketplace_ids: list[str]
) -> dict[str, Any]:
    body: dict[str, Any] = {"sku": listing.sku}
    markets = [m for m in listing.marketplace_ids if m in marketplace_ids]
    if "summaries" in included:
        body["summaries"] = [
            {
                "marketplaceId": m,
                "asin": listing.asin,
                "productType": listing.product_type,
                "conditionType": "new_new",
                "status": ["BUYABLE", "DISCOVERABLE"] if listing.quantity > 0 else ["DISCOVERABLE"],
                "itemName": listing.title,
                "createdDate": iso(listing.created),
                "lastUpdatedDate": iso(listing.updated),
            }
            for m in markets
        ]
    if "attributes" in included:
        body["attributes"] = {
            **listing.attributes,
            "fulfillment_availability": [_attribute_availability(listing)],
        }
    if "fulfillmentAvailability" in included:
        body["fulfillmentAvailability"] = [
            {"fulfillmentChannelCode": listing.channel, "quantity": listing.quantity}
        ]
    if "issues" in included:
        body["issues"] = []
    return body


def _attribute_availability(listing: Listing) -> dict[str, Any]:
    return {"fulfillment_channel_code": listing.channel, "quantity": listing.quantity}


def _marketplaces(call: Call) -> list[str]:
    markets = query_list(call.request, "marketplaceIds")
    if not markets or set(markets) - set(BY_ID):
        raise ApiError(400, "BAD_REQUEST", "Invalid input", "marketplaceIds must be known ids")
    return markets


def _own(call: Call) -> str:
    seller = str(call.request.path_params["sellerId"])
    if seller != call.seller_id:
        raise ApiError(403, "Unauthorized", "Access to requested resource is denied.")
    return seller


def _find(call: Call) -> Listing:
    _marketplaces(call)
    listing = call.state.listings.get((_own(call), call.request.path_params["sku"]))
    if listing is None:
        raise not_found(f"SKU {call.request.path_params['sku']!r} not found")
    return listing


async def get_listings_item(call: Call) -> Response:
    listing = _find(call)
    included = set(query_list(call.request, "includedData") or ["summaries"])
    if included - INCLUDED:
        raise invalid("Invalid input", f"unknown includedData {sorted(included - INCLUDED)}")
    return json_response(listing_view(listing, included, _marketplaces(call)))


def quantity_problem(listing: Listing, value: Any) -> tuple[str, str] | None:
    """Why a fulfillment_availability value cannot be applied, or None."""
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        return ("90000900", "fulfillment_availability needs exactly one channel entry")
    entry = value[0]
    channel, quantity = entry.get("fulfillment_channel_code"), entry.get("quantity")
    if channel != "DEFAULT":
        return ("90000900", f"fulfillment_channel_code {channel!r} cannot be set by the seller")
    if listing.is_fba:
        return ("FBA_LISTING", f"SKU {listing.sku} is fulfilled by Amazon; no merchant quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        return ("90000900", "quantity must be a non-negative integer")
    return None


def apply_patches(
    call: Call, listing: Listing, patches: list[Any], preview: bool
) -> list[dict[str, Any]]:
    """Validate all patches, then (unless previewing) apply them; returns the issues."""
    problems: list[dict[str, Any]] = []
    quantity: int | None = None
    others: dict[str, Any] = {}
    for index, patch in enumerate(patches):
        if not isinstance(patch, dict) or patch.get("op") not in (
            "add",
            "replace",
            "merge",
            "delete",
        ):
            problems.append(issue("4000001", f"patches[{index}] has no valid op"))
            continue
        path = str(patch.get("path", ""))
        if path.count("/") != 2 or not path.startswith("/attributes/"):
            problems.append(
                issue("4000001", f"patches[{index}].path must be a top-level attribute")
            )
            continue
        if path == AVAILABILITY:
            problem = quantity_problem(listing, patch.get("value"))
            if problem:
                problems.append(issue(*problem, attribute="fulfillment_availability"))
            else:
                quantity = patch["value"][0]["quantity"]
        else:
            others[path.rsplit("/", 1)[1]] = None if patch["op"] == "delete" else patch.get("value")
    if problems or preview:
        return problems
    if quantity is not None and not drifts(call, listing):
        listing.quantity = quantity
    for name, value in others.items():
        if value is None:
            listing.attributes.pop(name, None)
        else:
            listing.attributes[name] = value
    listing.updated = call.sim.now()
    return []


def drifts(call: Call, listing: Listing) -> bool:
    return listing.sku in call.state.config.drift_skus or call.fault("quantity_not_applied")


async def patch_listings_item(call: Call) -> Response:
    listing = _find(call)
    body = await call.json_body()
    patches = body.get("patches")
    if not isinstance(body.get("productType"), str) or not isinstance(patches, list) or not patches:
        raise ApiError(400, "BAD_REQUEST", "Invalid input", "productType and patches are required")
    preview = call.request.query_params.get("mode") == "VALIDATION_PREVIEW"
    problems = apply_patches(call, listing, patches, preview)
    status = "INVALID" if problems else ("VALID" if preview else "ACCEPTED")
    return json_response(
        {"sku": listing.sku, "status": status, "submissionId": uuid.uuid4().hex, "issues": problems}
    )


async def search_listings_items(call: Call) -> Response:
    markets = _marketplaces(call)
    seller = _own(call)
    included = set(query_list(call.request, "includedData") or ["summaries"])
    skus = query_list(call.request, "identifiers")
    if skus and call.request.query_params.get("identifiersType") != "SKU":
        raise invalid("Invalid input", "identifiersType must be SKU when identifiers are given")
    if len(skus) > 20:
        raise invalid("Invalid input", "at most 20 identifiers")
    size = query_int(call.request, "pageSize", 10, 1, 20)
    found = sorted(
        (
            li
            for (owner, _), li in call.state.listings.items()
            if owner == seller
            and (not skus or li.sku in skus)
            and set(li.marketplace_ids) & set(markets)
        ),
        key=lambda li: li.sku,
    )
    offset = 0
    token = call.request.query_params.get("pageToken")
    if token:
        try:
            offset = int(token.removeprefix("page-"))
        except ValueError as exc:
            raise invalid("Invalid input", "pageToken is not valid") from exc
    page = found[offset : offset + size]
    body: dict[str, Any] = {
        "numberOfResults": len(found),
        "items": [listing_view(li, included, markets) for li in page],
    }
    if offset + size < len(found):
        body["pagination"] = {"nextToken": f"page-{offset + size}"}
    return json_response(body)


def routes() -> list[Route]:
    base = "/listings/2021-08-01/items/{sellerId}"
    return [
        Route(
            f"{base}/{{sku}}",
            operation("listings.getListingsItem", get_listings_item),
            methods=["GET"],
        ),
        Route(
            f"{base}/{{sku}}",
            operation("listings.patchListingsItem", patch_listings_item),
            methods=["PATCH"],
        ),
        Route(
            base, operation("listings.searchListingsItems", search_listings_items), methods=["GET"]
        ),
    ]
