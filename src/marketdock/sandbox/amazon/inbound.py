"""Fulfillment Inbound 2024-03-20: inbound plans and the shipments they are split into.

The flow the simulator serves is the part that produces what a warehouse needs, the
shipment's ``shipmentConfirmationId`` (the ``FBA…`` id printed on labels):
createInboundPlan → generatePlacementOptions → listPlacementOptions → confirmPlacementOption,
then listInboundPlans / getInboundPlan / getShipment / listShipmentItems / listShipmentBoxes.
Plans with confirmed shipments can also be seeded through ``/_admin/seed/fba``.

Plan-changing operations are asynchronous as on Amazon: they answer an ``operationId``
whose getInboundOperationStatus is IN_PROGRESS for ``inbound_operation_seconds`` of
simulated time and SUCCESS afterwards. Unknown or malformed plan and shipment ids are
answered 400 ``BadRequest``, as the models' sandbox examples do. Packing options, transport
and self-ship appointments are not simulated: a placement option puts all items in one
shipment to one fulfilment centre.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from marketdock.sandbox.amazon.clock import iso
from marketdock.sandbox.amazon.http import ApiError, Call, json_response, operation
from marketdock.sandbox.amazon.marketplaces import BY_ID
from marketdock.sandbox.amazon.model import (
    AmazonState,
    InboundBox,
    InboundItem,
    InboundOperation,
    InboundPlan,
    InboundShipment,
    PlacementOption,
)

BASE = "/inbound/fba/2024-03-20"
PLAN = f"{BASE}/inboundPlans/{{inboundPlanId}}"
SHIPMENT = f"{PLAN}/shipments/{{shipmentId}}"
ID_PATTERN = re.compile(r"^[a-zA-Z0-9-]{38}$")
PLAN_STATUSES = ("ACTIVE", "VOIDED", "SHIPPED")
LABEL_OWNERS = frozenset({"AMAZON", "SELLER", "NONE"})
PREP_OWNERS = frozenset({"AMAZON", "SELLER", "NONE"})
WAREHOUSES = {
    "DE": ("LEJ1", "Amazonstrasse 1", "Leipzig", "04347"),
    "UK": ("BHX4", "Plot 1 Fradley Park", "Lichfield", "WS13 8NE"),
    "US": ("ABE2", "705 Boulder Drive", "Breinigsville", "18031"),
    "CA": ("YYZ4", "8050 Heritage Road", "Brampton", "L6Y 0C9"),
}
PLACEMENT_HOURS = 24
INDIA = "A21TJRUUN4KGV"
ID_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def new_uuid(state: AmazonState, prefix: str = "") -> str:
    """A version-4 UUID drawn from the state's seeded random, so runs repeat."""
    return prefix + str(uuid.UUID(int=state.random.getrandbits(128), version=4))


def confirmation_id(state: AmazonState) -> str:
    return "FBA" + "".join(state.random.choice(ID_CHARS) for _ in range(9))


def item_view(item: InboundItem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "msku": item.msku,
        "asin": item.asin,
        "fnsku": item.fnsku,
        "labelOwner": item.label_owner,
        "quantity": item.quantity,
        "prepInstructions": [{"prepOwner": item.prep_owner, "prepType": "ITEM_NO_PREP"}],
    }
    if item.expiration:
        body["expiration"] = item.expiration
    if item.lot_code:
        body["manufacturingLotCode"] = item.lot_code
    return body


def box_view(box: InboundBox, shipment: InboundShipment) -> dict[str, Any]:
    length, width, height = box.dimensions_cm
    return {
        "packageId": box.package_id,
        "boxId": box.box_id,
        "contentInformationSource": "BOX_CONTENT_PROVIDED",
        "destinationRegion": {
            "countryCode": shipment.destination_address["countryCode"],
            "warehouseId": shipment.warehouse_id,
        },
        "dimensions": {
            "unitOfMeasurement": "CM",
            "length": length,
            "width": width,
            "height": height,
        },
        "weight": {"unit": "KG", "value": box.weight_kg},
        "quantity": 1,
        "items": [item_view(i) for i in box.items],
    }


def plan_summary(plan: InboundPlan) -> dict[str, Any]:
    return {
        "inboundPlanId": plan.plan_id,
        "name": plan.name,
        "createdAt": iso(plan.created),
        "lastUpdatedAt": iso(plan.updated),
        "status": plan.status,
        "marketplaceIds": plan.marketplace_ids,
        "sourceAddress": plan.source_address,
    }


def confirmed(plan: InboundPlan) -> list[InboundShipment]:
    """Shipments of the accepted placement option (the only ones a plan lists)."""
    accepted = {
        sid for o in plan.placement_options if o.status == "ACCEPTED" for sid in o.shipment_ids
    }
    return [s for s in plan.shipments if s.shipment_id in accepted]


def placement_view(option: PlacementOption) -> dict[str, Any]:
    return {
        "placementOptionId": option.option_id,
        "status": option.status,
        "shipmentIds": option.shipment_ids,
        "expiration": iso(option.expires),
        "fees": [],
        "discounts": [],
    }


def shipment_view(plan: InboundPlan, shipment: InboundShipment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shipmentId": shipment.shipment_id,
        "placementOptionId": shipment.placement_option_id,
        "name": shipment.name,
        "status": shipment.status,
        "source": {"sourceType": "SELLER_FACILITY", "address": plan.source_address},
        "destination": {
            "destinationType": "AMAZON_WAREHOUSE",
            "warehouseId": shipment.warehouse_id,
            "address": shipment.destination_address,
        },
    }
    if shipment.confirmation_id:
        body["shipmentConfirmationId"] = shipment.confirmation_id
    if shipment.amazon_reference_id:
        body["amazonReferenceId"] = shipment.amazon_reference_id
    return body


def _plan(call: Call) -> InboundPlan:
    plan_id = call.request.path_params["inboundPlanId"]
    if not ID_PATTERN.match(plan_id):
        raise bad_request("The inboundPlanId is malformed.")
    plan = call.state.inbound_plans.get(plan_id)
    if plan is None or plan.seller_id != call.seller_id:
        raise bad_request("The requested inbound plan does not exist.")
    return plan


def _shipment(call: Call) -> tuple[InboundPlan, InboundShipment]:
    plan = _plan(call)
    shipment = plan.shipment(call.request.path_params["shipmentId"])
    if shipment is None:
        raise bad_request("The requested shipment does not exist for the provided inbound plan.")
    return plan, shipment


def _page_size(call: Call, default: int, high: int) -> int:
    raw = call.request.query_params.get("pageSize")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise bad_request(f"pageSize must be between 1 and {high}.")
    return int(raw)


def _offset(call: Call, scope: str) -> int:
    """Where a page starts: tokens are ``<scope>:<offset>``, bound to the listing they page."""
    token = call.request.query_params.get("paginationToken")
    if not token:
        return 0
    prefix, _, offset = token.rpartition(":")
    if prefix != scope or not offset.isdigit():
        raise bad_request("The paginationToken is invalid.")
    return int(offset)


def _paged(
    call: Call, scope: str, key: str, rows: list[dict[str, Any]], default: int, high: int
) -> Response:
    size = _page_size(call, default, high)
    offset = _offset(call, scope)
    body: dict[str, Any] = {key: rows[offset : offset + size]}
    if offset + size < len(rows):
        body["pagination"] = {"nextToken": f"{scope}:{offset + size}"}
    return json_response(body)


def _started(call: Call, name: str) -> str:
    op = InboundOperation(new_uuid(call.state), call.seller_id, name, call.sim.now())
    call.state.inbound_operations[op.operation_id] = op
    return op.operation_id


async def list_inbound_plans(call: Call) -> Response:
    params = call.request.query_params
    status = params.get("status")
    if status is not None and status not in PLAN_STATUSES:
        raise bad_request("The status is invalid.")
    sort_by = params.get("sortBy", "LAST_UPDATED_TIME")
    sort_order = params.get("sortOrder", "ASC")
    if sort_by not in ("LAST_UPDATED_TIME", "CREATION_TIME") or sort_order not in ("ASC", "DESC"):
        raise bad_request("sortBy or sortOrder is invalid.")
    plans = [
        p
        for p in call.state.inbound_plans.values()
        if p.seller_id == call.seller_id and (status is None or p.status == status)
    ]
    plans.sort(
        key=lambda p: (p.updated if sort_by == "LAST_UPDATED_TIME" else p.created, p.plan_id),
        reverse=sort_order == "DESC",
    )
    scope = f"plans-{status or 'ALL'}-{sort_by}-{sort_order}"
    return _paged(call, scope, "inboundPlans", [plan_summary(p) for p in plans], 10, 30)


def _item_input(call: Call, raw: Any, index: int) -> InboundItem:
    if not isinstance(raw, dict):
        raise bad_request(f"items[{index}] must be an object.")
    msku, quantity = raw.get("msku"), raw.get("quantity")
    if not isinstance(msku, str) or not 1 <= len(msku) <= 255:
        raise bad_request(f"items[{index}].msku is required.")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 500000:
        raise bad_request(f"items[{index}].quantity must be between 1 and 500000.")
    label, prep = raw.get("labelOwner"), raw.get("prepOwner")
    if label not in LABEL_OWNERS or prep not in PREP_OWNERS:
        raise bad_request(f"items[{index}] needs labelOwner and prepOwner (AMAZON, SELLER, NONE).")
    listing = call.state.listings.get((call.seller_id, msku))
    stocked = call.state.fba_stock.values()
    stock = next((s for s in stocked if (s.seller_id, s.sku) == (call.seller_id, msku)), None)
    asin = stock.asin if stock else listing.asin if listing else ""
    if not asin:
        asin = "B0" + "".join(call.state.random.choice(ID_CHARS) for _ in range(8))
    fnsku = stock.fnsku if stock else f"X00{call.state.random.randrange(10**7):07d}"
    return InboundItem(
        msku=msku,
        asin=asin[:10],
        fnsku=fnsku,
        quantity=quantity,
        label_owner=label,
        prep_owner=prep,
        expiration=raw.get("expiration"),
        lot_code=raw.get("manufacturingLotCode"),
    )


def _address(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise bad_request("sourceAddress is required.")
    for name in ("addressLine1", "city", "countryCode", "name", "postalCode"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise bad_request(f"sourceAddress.{name} is required.")
    if not re.match(r"^[A-Z]{2}$", raw["countryCode"]):
        raise bad_request("sourceAddress.countryCode must be a two-letter country code.")
    return {k: v for k, v in raw.items() if isinstance(v, str)}


async def create_inbound_plan(call: Call) -> Response:
    body = await call.json_body()
    markets = body.get("destinationMarketplaces")
    if not isinstance(markets, list) or len(markets) != 1:
        raise bad_request("destinationMarketplaces must hold exactly one marketplace.")
    if markets[0] not in BY_ID:
        raise bad_request("Invalid destinationMarketplace provided.")
    address = _address(body.get("sourceAddress"))
    raw_items = body.get("items")
    if not isinstance(raw_items, list) or not 1 <= len(raw_items) <= 2000:
        raise bad_request("items must hold 1 to 2000 items.")
    items = [_item_input(call, raw, i) for i, raw in enumerate(raw_items)]
    if len({i.msku for i in items}) != len(items):
        raise bad_request("items holds the same msku twice.")
    now = call.sim.now()
    name = body.get("name") or f"FBA ({now:%m/%d/%Y, %I:%M %p})"
    if not isinstance(name, str) or len(name) > 40:
        raise bad_request("name must be a string of at most 40 characters.")
    plan = InboundPlan(
        plan_id=new_uuid(call.state, "wf"),
        seller_id=call.seller_id,
        name=name,
        marketplace_ids=[markets[0]],
        source_address=address,
        created=now,
        updated=now,
        items=items,
    )
    call.state.inbound_plans[plan.plan_id] = plan
    operation_id = _started(call, "createInboundPlan")
    return json_response({"inboundPlanId": plan.plan_id, "operationId": operation_id}, 202)


async def get_inbound_plan(call: Call) -> Response:
    plan = _plan(call)
    body = plan_summary(plan)
    body["packingOptions"] = []
    body["placementOptions"] = [
        {"placementOptionId": o.option_id, "status": o.status} for o in plan.placement_options
    ]
    body["shipments"] = [{"shipmentId": s.shipment_id, "status": s.status} for s in confirmed(plan)]
    return json_response(body)


def warehouse_for(marketplace_id: str) -> tuple[str, dict[str, str]]:
    """The fulfilment centre a marketplace's shipments go to, with its address."""
    market = BY_ID[marketplace_id]
    code, line, city, postal = WAREHOUSES.get(market.code, WAREHOUSES["DE"])
    country = market.country if market.code in WAREHOUSES else "DE"
    address = {
        "name": code,
        "companyName": "Amazon",
        "addressLine1": line,
        "city": city,
        "postalCode": postal,
        "countryCode": country,
    }
    return code, address


async def generate_placement_options(call: Call) -> Response:
    plan = _plan(call)
    body = await call.json_body() if await call.request.body() else {}
    if body.get("customPlacement") and plan.marketplace_ids[0] != INDIA:
        raise bad_request("customPlacement is only used for the India marketplace.")
    if plan.status != "ACTIVE" or not plan.items:
        raise bad_request("The inbound plan is not in a valid state to generate placement options.")
    if any(o.status == "ACCEPTED" for o in plan.placement_options):
        raise bad_request("A placement option has already been confirmed for this plan.")
    now = call.sim.now()
    option_id = new_uuid(call.state, "pl")
    warehouse, address = warehouse_for(plan.marketplace_ids[0])
    shipment = InboundShipment(
        shipment_id=new_uuid(call.state, "sh"),
        placement_option_id=option_id,
        confirmation_id="",
        name=f"{plan.name}-{warehouse}",
        status="UNCONFIRMED",
        warehouse_id=warehouse,
        destination_address=address,
        items=list(plan.items),
    )
    plan.shipments = [s for s in plan.shipments if s.status != "UNCONFIRMED"] + [shipment]
    plan.placement_options = [
        PlacementOption(option_id, [shipment.shipment_id], now + timedelta(hours=PLACEMENT_HOURS))
    ]
    plan.updated = now
    return json_response({"operationId": _started(call, "generatePlacementOptions")}, 202)


async def list_placement_options(call: Call) -> Response:
    plan = _plan(call)
    rows = [placement_view(o) for o in plan.placement_options]
    return _paged(call, f"placement-{plan.plan_id}", "placementOptions", rows, 10, 20)


async def confirm_placement_option(call: Call) -> Response:
    plan = _plan(call)
    option_id = call.request.path_params["placementOptionId"]
    option = next((o for o in plan.placement_options if o.option_id == option_id), None)
    if option is None:
        raise bad_request("The requested placement option does not exist for the inbound plan.")
    now = call.sim.now()
    if option.status != "OFFERED" or option.expires <= now:
        raise bad_request(f"The placement option is {option.status} or has expired.")
    option.status = "ACCEPTED"
    for shipment in plan.shipments:
        if shipment.shipment_id in option.shipment_ids:
            shipment.status = "WORKING"
            shipment.confirmation_id = confirmation_id(call.state)
    plan.updated = now
    return json_response({"operationId": _started(call, "confirmPlacementOption")}, 202)


async def get_shipment(call: Call) -> Response:
    plan, shipment = _shipment(call)
    return json_response(shipment_view(plan, shipment))


async def list_shipment_items(call: Call) -> Response:
    _, shipment = _shipment(call)
    rows = [item_view(i) for i in shipment.items]
    return _paged(call, f"items-{shipment.shipment_id}", "items", rows, 10, 1000)


async def list_shipment_boxes(call: Call) -> Response:
    _, shipment = _shipment(call)
    rows = [box_view(b, shipment) for b in shipment.boxes]
    return _paged(call, f"boxes-{shipment.shipment_id}", "boxes", rows, 10, 1000)


async def get_inbound_operation_status(call: Call) -> Response:
    operation_id = call.request.path_params["operationId"]
    if not re.match(r"^[a-zA-Z0-9-]{36,38}$", operation_id):
        raise bad_request("The operationId is malformed.")
    op = call.state.inbound_operations.get(operation_id)
    if op is None or op.seller_id != call.seller_id:
        raise bad_request("The requested operation does not exist.")
    running = timedelta(seconds=call.state.config.inbound_operation_seconds)
    status = "IN_PROGRESS" if call.sim.now() < op.created + running else "SUCCESS"
    return json_response(
        {
            "operationId": op.operation_id,
            "operation": op.operation,
            "operationStatus": status,
            "operationProblems": op.problems,
        }
    )


def routes() -> list[Route]:
    def route(path: str, name: str, handler: Any, method: str) -> Route:
        return Route(path, operation(f"inbound.{name}", handler), methods=[method])

    return [
        route(f"{BASE}/inboundPlans", "listInboundPlans", list_inbound_plans, "GET"),
        route(f"{BASE}/inboundPlans", "createInboundPlan", create_inbound_plan, "POST"),
        route(PLAN, "getInboundPlan", get_inbound_plan, "GET"),
        route(
            f"{PLAN}/placementOptions",
            "generatePlacementOptions",
            generate_placement_options,
            "POST",
        ),
        route(f"{PLAN}/placementOptions", "listPlacementOptions", list_placement_options, "GET"),
        route(
            f"{PLAN}/placementOptions/{{placementOptionId}}/confirmation",
            "confirmPlacementOption",
            confirm_placement_option,
            "POST",
        ),
        route(SHIPMENT, "getShipment", get_shipment, "GET"),
        route(f"{SHIPMENT}/items", "listShipmentItems", list_shipment_items, "GET"),
        route(f"{SHIPMENT}/boxes", "listShipmentBoxes", list_shipment_boxes, "GET"),
        route(
            f"{BASE}/operations/{{operationId}}",
            "getInboundOperationStatus",
            get_inbound_operation_status,
            "GET",
        ),
    ]
