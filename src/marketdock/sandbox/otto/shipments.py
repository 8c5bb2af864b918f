"""Shipments V1: create (single and multi-parcel), add-items corrections, get and list.

OTTO's rules as enforced here:

- ``trackingKey.carrier`` from the 2025-04 enum; ``trackingNumber`` mandatory for parcel
  carriers (DHL, DHL_EXPRESS, GLS, HERMES, DPD, UPS), optional for forwarders;
- ``returnTrackingKey`` (DHL/GLS/HERMES) mandatory for items whose SKU ships as PARCEL, and
  equal to the partner's return carrier from OPC when one is configured;
- a position item is in at most one shipment (409 ``POSITION_ITEM_INCLUDED_IN_OTHER_SHIPMENT``)
  except across the parcels of one multi-parcel shipment; a tracking key belongs to one
  shipment (409 ``DUPLICATE_TRACKING_KEY``); there are no idempotency keys.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.otto import enums
from marketdock.sandbox.otto.http import Ctx, Pipeline
from marketdock.sandbox.otto.model import PositionItem, Shipment, ShipmentItem
from marketdock.sandbox.otto.receipts import issue_purchase_receipts
from marketdock.sandbox.otto.views import shipment_json, shipment_summary
from marketdock.sandbox.otto.wire import ApiError, iso, parse_iso

MANDATORY = "PROPERTY_IS_MANDATORY"
INVALID = "INVALID_REQUEST_PARAMETER"


def _mandatory(body: dict[str, Any], name: str, path: str) -> Any:
    value = body.get(name)
    if value is None or value == "" or value == []:
        raise ApiError(400, MANDATORY, "The property is mandatory", f"{path}{name}")
    return value


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(400, INVALID, "an object is expected", path or "$")
    return value


def _ship_from(body: dict[str, Any]) -> dict[str, str]:
    address = _object(_mandatory(body, "shipFromAddress", ""), "shipFromAddress")
    checks = {"city": (1, 60), "zipCode": (1, 10), "countryCode": (3, 3)}
    result: dict[str, str] = {}
    for name, (low, high) in checks.items():
        value = _mandatory(address, name, "shipFromAddress.")
        if not isinstance(value, str) or not low <= len(value) <= high:
            raise ApiError(400, INVALID, f"{name} must have {low}..{high} characters",
                           f"shipFromAddress.{name}")  # fmt: skip
        result[name] = value
    code = result["countryCode"]
    if not (code.isascii() and code.isalpha() and code.isupper()):
        raise ApiError(400, INVALID, "countryCode must be ISO-3166 alpha-3 (DEU)",
                       "shipFromAddress.countryCode")  # fmt: skip
    return result


def _tracking_key(body: dict[str, Any], number_required: bool) -> tuple[str, str | None]:
    key = _object(_mandatory(body, "trackingKey", ""), "trackingKey")
    carrier = _mandatory(key, "carrier", "trackingKey.")
    if carrier not in enums.CARRIERS:
        raise ApiError(400, INVALID, f"unknown carrier {carrier!r}", "trackingKey.carrier")
    number = key.get("trackingNumber") or None
    if number is None and (number_required or carrier in enums.PARCEL_CARRIERS):
        raise ApiError(400, MANDATORY, "The property is mandatory", "trackingKey.trackingNumber")
    if number is not None and not isinstance(number, str):
        raise ApiError(
            400, INVALID, "trackingNumber must be a string", "trackingKey.trackingNumber"
        )
    return carrier, number


class _Items:
    """Validates the ``positionItems`` of one request against the partner's orders."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.found: dict[str, PositionItem] = {}

    def parse(self, entries: Any, prefix: str) -> list[ShipmentItem]:
        if not isinstance(entries, list) or not entries:
            raise ApiError(400, MANDATORY, "The property is mandatory", prefix.rstrip(".") or "$")
        result = []
        for index, raw in enumerate(entries):
            path = f"{prefix}[{index}]"
            entry = _object(raw, path)
            item_id = _mandatory(entry, "positionItemId", f"{path}.")
            order_id = _mandatory(entry, "salesOrderId", f"{path}.")
            item = self.ctx.state.item_for(self.ctx.partner.partner_id, str(item_id))
            if item is None or item.sales_order_id != order_id:
                raise ApiError(
                    400, "INSUFFICIENT_PERMISSION",
                    "The partner is not allowed to create/update a shipment for position item ID",
                    f"{path}.positionItemId",
                )  # fmt: skip
            self.found[item.position_item_id] = item
            result.append(
                ShipmentItem(item.position_item_id, item.sales_order_id,
                             self._return_key(entry, item, path), self.ctx.now)
            )  # fmt: skip
        return result

    def _return_key(self, entry: dict[str, Any], item: PositionItem, path: str) -> Any:
        product = self.ctx.state.product(self.ctx.partner.partner_id, item.sku)
        raw = entry.get("returnTrackingKey")
        if raw is None:
            if product is not None and product.delivery_type == "PARCEL":
                raise ApiError(400, MANDATORY, "The property is mandatory",
                               f"{path}.returnTrackingKey")  # fmt: skip
            return None
        key = _object(raw, f"{path}.returnTrackingKey")
        carrier = _mandatory(key, "carrier", f"{path}.returnTrackingKey.")
        number = _mandatory(key, "trackingNumber", f"{path}.returnTrackingKey.")
        configured = self.ctx.partner.return_carrier
        if carrier not in enums.RETURN_CARRIERS or (configured and carrier != configured):
            allowed = configured or "/".join(enums.RETURN_CARRIERS)
            raise ApiError(400, INVALID, f"return carrier {carrier!r}; this partner uses {allowed}",
                           f"{path}.returnTrackingKey.carrier")  # fmt: skip
        return (carrier, str(number))

    def check_shippable(self) -> None:
        """409 when an item is already shipped; 400 when it is not (or no longer) releasable."""
        for item in self.found.values():
            if item.shipment_ids or item.status in (enums.SENT, enums.RETURNED):
                raise ApiError(
                    409, "POSITION_ITEM_INCLUDED_IN_OTHER_SHIPMENT",
                    "One or more of the given position item ids already exist in another shipment",
                )  # fmt: skip
            if item.status != enums.PROCESSABLE:
                detail = f"position item {item.position_item_id} is {item.status}"
                raise ApiError(400, INVALID, detail)


def _check_tracking_keys(ctx: Ctx, keys: list[tuple[str, str | None]]) -> None:
    numbered = [k for k in keys if k[1] is not None]
    if len(set(numbered)) != len(numbered) or any(k in ctx.state.tracking_keys for k in numbered):
        raise ApiError(409, "DUPLICATE_TRACKING_KEY",
                       "Tracking key already exists for another shipment.")  # fmt: skip


def _parcel(ctx: Ctx, raw: Any, prefix: str, items: _Items, multi: bool) -> Shipment:
    body = _object(raw, prefix)
    carrier, number = _tracking_key(body, number_required=multi)
    ship_date = parse_iso(str(_mandatory(body, "shipDate", "")), "shipDate")
    ship_from = _ship_from(body)
    entries = items.parse(body.get("positionItems"), f"{prefix}positionItems")
    return Shipment("", ctx.partner.partner_id, carrier, number, ship_date, ship_from, ctx.now,
                    entries)  # fmt: skip


def _record(ctx: Ctx, parcels: list[Shipment], items: _Items, multi_id: str | None) -> None:
    for shipment in parcels:
        shipment.shipment_id = ctx.state.new_shipment_id()
        shipment.multiparcel_id = multi_id
        ctx.state.shipments[shipment.shipment_id] = shipment
        if shipment.tracking_number:
            ctx.state.tracking_keys[(shipment.carrier, shipment.tracking_number)] = (
                shipment.shipment_id
            )
        for entry in shipment.items:
            item = items.found[entry.position_item_id]
            item.shipment_ids.append(shipment.shipment_id)
            item.status, item.sent_date = enums.SENT, shipment.ship_date
            item.tracking = item.tracking or (shipment.carrier, shipment.tracking_number)
            item.return_tracking = item.return_tracking or entry.return_tracking
            ctx.state.orders[item.sales_order_id].touch(ctx.now)
    issue_purchase_receipts(ctx.state, parcels[0], list(items.found), ctx.now)


def create_shipment(ctx: Ctx) -> Response:
    items = _Items(ctx)
    shipment = _parcel(ctx, ctx.json(), "", items, multi=False)
    if len(items.found) != len(shipment.items):
        raise ApiError(400, INVALID, "a position item is listed twice", "positionItems")
    _check_tracking_keys(ctx, [(shipment.carrier, shipment.tracking_number)])
    items.check_shippable()
    _record(ctx, [shipment], items, None)
    return JSONResponse({"shipmentId": shipment.shipment_id}, status_code=201)


def create_multiparcel(ctx: Ctx) -> Response:
    """One or more items spread over several parcels, each with its own tracking key."""
    body = ctx.json()
    if not isinstance(body, list) or not body:
        raise ApiError(400, INVALID, "the body must be a non-empty array of shipments", "$")
    items = _Items(ctx)
    parcels = [_parcel(ctx, raw, f"[{n}].", items, multi=True) for n, raw in enumerate(body)]
    _check_tracking_keys(ctx, [(p.carrier, p.tracking_number) for p in parcels])
    items.check_shippable()
    multi_id = ctx.state.new_shipment_id()
    _record(ctx, parcels, items, multi_id)
    return JSONResponse({"multiParcelShipmentId": multi_id}, status_code=201)


def _shipment_of_partner(ctx: Ctx, shipment_id: str | None, what: str) -> Shipment:
    shipment = ctx.state.shipments.get(shipment_id or "")
    if shipment is None:
        raise ApiError(404, "RESOURCE_NOT_FOUND", f"Found no shipment with {what}")
    if shipment.partner_id != ctx.partner.partner_id:
        raise ApiError(403, "INSUFFICIENT_PERMISSION",
                       f"The partner is not allowed to get shipment with {what}")  # fmt: skip
    return shipment


def _by_key(ctx: Ctx) -> Shipment:
    carrier = ctx.request.path_params["carrier"]
    number = ctx.request.path_params["trackingNumber"]
    shipment_id = ctx.state.tracking_keys.get((carrier, number))
    return _shipment_of_partner(ctx, shipment_id, f"carrier {carrier} and tracking number {number}")


def _by_id(ctx: Ctx) -> Shipment:
    shipment_id = ctx.request.path_params["shipmentId"]
    return _shipment_of_partner(ctx, shipment_id, f"id {shipment_id}")


def _append(ctx: Ctx, shipment: Shipment) -> Response:
    """Correction: add forgotten items; OTTO issues a separate purchase receipt for them."""
    if shipment.partner_id != ctx.partner.partner_id:
        raise ApiError(
            404, "RESOURCE_NOT_FOUND", f"Found no shipment with id {shipment.shipment_id}"
        )
    items = _Items(ctx)
    entries = items.parse(ctx.json(), "")
    items.check_shippable()
    shipment.items.extend(entries)
    for entry in entries:
        item = items.found[entry.position_item_id]
        item.shipment_ids.append(shipment.shipment_id)
        item.status, item.sent_date = enums.SENT, ctx.now
        item.tracking = (shipment.carrier, shipment.tracking_number)
        item.return_tracking = entry.return_tracking
        ctx.state.orders[item.sales_order_id].touch(ctx.now)
    issue_purchase_receipts(ctx.state, shipment, list(items.found), ctx.now)
    return Response(status_code=200)


def append_by_id(ctx: Ctx) -> Response:
    shipment_id = ctx.request.path_params["shipmentId"]
    shipment = ctx.state.shipments.get(shipment_id)
    if shipment is None:
        raise ApiError(404, "RESOURCE_NOT_FOUND", f"Found no shipment with id {shipment_id}")
    return _append(ctx, shipment)


def append_by_key(ctx: Ctx) -> Response:
    carrier = ctx.request.path_params["carrier"]
    number = ctx.request.path_params["trackingNumber"]
    shipment_id = ctx.state.tracking_keys.get((carrier, number), "")
    shipment = ctx.state.shipments.get(shipment_id)
    if shipment is None:
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"Found no shipment with carrier {carrier} and tracking number {number}",
        )
    return _append(ctx, shipment)


def list_shipments(ctx: Ctx) -> Response:
    raw = ctx.query("datefrom")
    if not raw:
        raise ApiError(400, MANDATORY, "query parameter datefrom is mandatory", "datefrom")
    since = parse_iso(raw, "datefrom")
    limit = ctx.query_int("limit", 25, 1, 100)
    after = ctx.query("next") or "0"
    if not after.isdigit():
        raise ApiError(400, INVALID, f"next={after!r} is not a cursor of this API", "next")
    mine = sorted(
        (
            s
            for s in ctx.state.shipments.values()
            if s.partner_id == ctx.partner.partner_id
            and s.created >= since
            and int(s.shipment_id) > int(after)
        ),
        key=lambda s: int(s.shipment_id),
    )
    page = mine[:limit]
    links = []
    if len(mine) > limit:
        href = f"/v1/shipments?next={page[-1].shipment_id}&limit={limit}&datefrom={iso(since)}"
        links.append({"rel": "next", "href": href})
    resources = [shipment_summary(s, ctx.now) for s in page]
    return JSONResponse({"links": links, "resources": resources})


def shipment_routes(pipe: Pipeline) -> list[Route]:
    common: dict[str, Any] = {"scope": "shipments", "style": "shipments"}
    by_key = "/v1/shipments/carriers/{carrier}/trackingnumbers/{trackingNumber}"
    return [
        pipe.route("/v1/shipments", create_shipment, methods=["POST"], **common),
        pipe.route("/v1/shipments", list_shipments, methods=["GET"], **common),
        pipe.route("/v1/multiparcel-shipments", create_multiparcel, methods=["POST"], **common),
        pipe.route(
            by_key,
            lambda c: JSONResponse(shipment_json(_by_key(c), c.now)),
            methods=["GET"],
            **common,
        ),  # fmt: skip
        pipe.route(f"{by_key}/positionitems", append_by_key, methods=["POST"], **common),
        pipe.route(
            "/v1/shipments/{shipmentId}",
            lambda c: JSONResponse(shipment_json(_by_id(c), c.now)),
            methods=["GET"],
            **common,
        ),  # fmt: skip
        pipe.route(
            "/v1/shipments/{shipmentId}/positionitems", append_by_id, methods=["POST"], **common
        ),  # fmt: skip
    ]
