"""The seeding format of the Amazon-fulfilled side: FBA stock, customer returns, removal
orders and inbound plans with their shipments (``POST /_admin/seed/fba``).

Like :mod:`seed`, every field has a default where Amazon has a usual value; times are
ISO 8601 with an offset and default to the simulated now. Returns must name a seeded order
and one of its SKUs.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from marketdock.sandbox.amazon.inbound import confirmation_id, new_uuid, warehouse_for
from marketdock.sandbox.amazon.marketplaces import marketplace
from marketdock.sandbox.amazon.model import (
    DEFAULT_SELLER,
    AmazonState,
    CustomerReturn,
    FbaStock,
    InboundBox,
    InboundItem,
    InboundPlan,
    InboundShipment,
    PlacementOption,
    RemovalLine,
    RemovalOrder,
    RemovalShipment,
)

ID_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedUnfulfillable(_Strict):
    customerDamagedQuantity: int = Field(default=0, ge=0)
    warehouseDamagedQuantity: int = Field(default=0, ge=0)
    distributorDamagedQuantity: int = Field(default=0, ge=0)
    carrierDamagedQuantity: int = Field(default=0, ge=0)
    defectiveQuantity: int = Field(default=0, ge=0)
    expiredQuantity: int = Field(default=0, ge=0)


class SeedStock(_Strict):
    sku: str = Field(min_length=1)
    sellerId: str = DEFAULT_SELLER
    marketplace: str = "DE"
    fnsku: str | None = None
    asin: str | None = None
    productName: str | None = None
    condition: str = "NewItem"
    lastUpdated: AwareDatetime | None = None
    fulfillable: int = Field(default=0, ge=0)
    inboundWorking: int = Field(default=0, ge=0)
    inboundShipped: int = Field(default=0, ge=0)
    inboundReceiving: int = Field(default=0, ge=0)
    pendingCustomerOrder: int = Field(default=0, ge=0)
    pendingTransshipment: int = Field(default=0, ge=0)
    fcProcessing: int = Field(default=0, ge=0)
    researching: int = Field(default=0, ge=0)
    unfulfillable: SeedUnfulfillable = Field(default_factory=SeedUnfulfillable)


class SeedReturn(_Strict):
    orderId: str
    sku: str
    quantity: int = Field(default=1, ge=1)
    returnDate: AwareDatetime | None = None
    refund: Decimal | None = Field(default=None, ge=0, description="default: unit price × qty")
    fulfillmentCenterId: str = "LEJ1"
    disposition: str = "SELLABLE"
    reason: str = "NOT_AS_DESCRIBED"
    status: str = "Unit returned to inventory"
    licensePlateNumber: str | None = None
    customerComments: str = ""


class SeedRemovalLine(_Strict):
    sku: str = Field(min_length=1)
    fnsku: str | None = None
    disposition: Literal["Sellable", "Unsellable"] = "Sellable"
    requested: int = Field(ge=1)
    cancelled: int = Field(default=0, ge=0)
    disposed: int = Field(default=0, ge=0)


class SeedRemovalShipment(_Strict):
    shipDate: AwareDatetime | None = None
    carrier: str = "DHL"
    trackingNumber: str = Field(min_length=1)
    items: dict[str, int] = Field(min_length=1, description="sku → units in this shipment")


class SeedRemoval(_Strict):
    orderId: str | None = None
    sellerId: str = DEFAULT_SELLER
    orderType: Literal["Return", "Disposal", "Liquidations"] = "Return"
    status: Literal["Pending", "Planning", "In Process", "Completed", "Cancelled"] = "Completed"
    requestDate: AwareDatetime | None = None
    lastUpdated: AwareDatetime | None = None
    feePerUnit: Decimal = Field(default=Decimal("0.25"), ge=0)
    currency: str = "EUR"
    lines: list[SeedRemovalLine] = Field(min_length=1)
    shipments: list[SeedRemovalShipment] = Field(default_factory=list)


class SeedInboundItem(_Strict):
    msku: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    fnsku: str | None = None
    asin: str | None = None
    labelOwner: Literal["AMAZON", "SELLER", "NONE"] = "SELLER"
    prepOwner: Literal["AMAZON", "SELLER", "NONE"] = "SELLER"


class SeedBox(_Strict):
    items: dict[str, int] = Field(min_length=1, description="msku → units in the box")
    weightKg: float = Field(default=8.0, gt=0)
    dimensionsCm: tuple[float, float, float] = (40.0, 30.0, 30.0)


class SeedInboundShipment(_Strict):
    shipmentConfirmationId: str | None = Field(default=None, pattern=r"^FBA[0-9A-Z]{6,12}$")
    status: str = "WORKING"
    warehouseId: str | None = None
    items: list[SeedInboundItem] = Field(min_length=1)
    boxes: list[SeedBox] = Field(default_factory=list)
    amazonReferenceId: str | None = None


class SeedInboundPlan(_Strict):
    inboundPlanId: str | None = Field(default=None, pattern=r"^[a-zA-Z0-9-]{38}$")
    sellerId: str = DEFAULT_SELLER
    name: str | None = None
    marketplace: str = "DE"
    status: Literal["ACTIVE", "VOIDED", "SHIPPED", "ERRORED"] = "ACTIVE"
    created: AwareDatetime | None = None
    sourceAddress: dict[str, str] | None = None
    items: list[SeedInboundItem] = Field(
        default_factory=list, description="items of a plan not yet placed (no shipments)"
    )
    shipments: list[SeedInboundShipment] = Field(default_factory=list)


class FbaSeed(_Strict):
    inventory: list[SeedStock] = Field(default_factory=list)
    returns: list[SeedReturn] = Field(default_factory=list)
    removals: list[SeedRemoval] = Field(default_factory=list)
    inboundPlans: list[SeedInboundPlan] = Field(default_factory=list)


def _code(state: AmazonState, prefix: str, length: int) -> str:
    return prefix + "".join(state.random.choice(ID_CHARS) for _ in range(length))


def _stock(state: AmazonState, spec: SeedStock, now: datetime) -> FbaStock:
    market = marketplace(spec.marketplace)
    return FbaStock(
        seller_id=spec.sellerId,
        marketplace_id=market.marketplace_id,
        sku=spec.sku,
        fnsku=spec.fnsku or _code(state, "X00", 7),
        asin=spec.asin or _code(state, "B0", 8),
        product_name=spec.productName or f"Sandbox product {spec.sku}",
        condition=spec.condition,
        updated=spec.lastUpdated or now,
        fulfillable=spec.fulfillable,
        inbound_working=spec.inboundWorking,
        inbound_shipped=spec.inboundShipped,
        inbound_receiving=spec.inboundReceiving,
        pending_customer_order=spec.pendingCustomerOrder,
        pending_transshipment=spec.pendingTransshipment,
        fc_processing=spec.fcProcessing,
        researching=spec.researching,
        unfulfillable={k: v for k, v in spec.unfulfillable.model_dump().items() if v},
    )


def _return(state: AmazonState, spec: SeedReturn, now: datetime) -> CustomerReturn:
    order = state.orders.get(spec.orderId)
    if order is None:
        raise ValueError(f"return names order {spec.orderId}, which was not seeded")
    item = next((i for i in order.items if i.sku == spec.sku), None)
    if item is None:
        raise ValueError(f"order {spec.orderId} has no SKU {spec.sku}")
    if spec.quantity > item.quantity:
        raise ValueError(f"order {spec.orderId} holds only {item.quantity} of {spec.sku}")
    return CustomerReturn(
        seller_id=order.seller_id,
        order_id=order.order_id,
        sku=spec.sku,
        quantity=spec.quantity,
        returned=spec.returnDate or now,
        refund=spec.refund if spec.refund is not None else item.unit_price * spec.quantity,
        fulfillment_center_id=spec.fulfillmentCenterId,
        disposition=spec.disposition,
        reason=spec.reason,
        status=spec.status,
        license_plate_number=spec.licensePlateNumber or _code(state, "LPN", 9),
        customer_comments=spec.customerComments,
    )


def _removal(state: AmazonState, spec: SeedRemoval, now: datetime) -> RemovalOrder:
    requested = spec.requestDate or now
    lines = [
        RemovalLine(
            sku=line.sku,
            fnsku=line.fnsku or _fnsku_of(state, spec.sellerId, line.sku),
            disposition=line.disposition,
            requested=line.requested,
            cancelled=line.cancelled,
            disposed=line.disposed,
        )
        for line in spec.lines
    ]
    known = {line.sku: line for line in lines}
    shipments = []
    for shipment in spec.shipments:
        strangers = set(shipment.items) - set(known)
        if strangers:
            raise ValueError(f"removal shipment holds SKUs not in the order: {sorted(strangers)}")
        shipments.append(
            RemovalShipment(
                shipped=shipment.shipDate or now,
                carrier=shipment.carrier,
                tracking_number=shipment.trackingNumber,
                items=dict(shipment.items),
            )
        )
    order = RemovalOrder(
        order_id=spec.orderId or _code(state, "", 10),
        seller_id=spec.sellerId,
        order_type=spec.orderType,
        status=spec.status,
        requested=requested,
        updated=spec.lastUpdated or max([requested, *(s.shipped for s in shipments)]),
        lines=lines,
        shipments=shipments,
        fee_per_unit=spec.feePerUnit,
        currency=spec.currency,
    )
    for line in lines:
        if line.cancelled + line.disposed + order.shipped(line.sku) > line.requested:
            raise ValueError(f"removal {order.order_id}: more {line.sku} handled than requested")
    return order


def _stock_of(state: AmazonState, seller_id: str, sku: str) -> FbaStock | None:
    return next(
        (s for s in state.fba_stock.values() if (s.seller_id, s.sku) == (seller_id, sku)), None
    )


def _fnsku_of(state: AmazonState, seller_id: str, sku: str) -> str:
    stock = _stock_of(state, seller_id, sku)
    return stock.fnsku if stock else _code(state, "X00", 7)


def _inbound_item(state: AmazonState, seller_id: str, spec: SeedInboundItem) -> InboundItem:
    stock = _stock_of(state, seller_id, spec.msku)
    return InboundItem(
        msku=spec.msku,
        asin=spec.asin or (stock.asin if stock else _code(state, "B0", 8)),
        fnsku=spec.fnsku or (stock.fnsku if stock else _code(state, "X00", 7)),
        quantity=spec.quantity,
        label_owner=spec.labelOwner,
        prep_owner=spec.prepOwner,
    )


def _plan(state: AmazonState, spec: SeedInboundPlan, now: datetime) -> InboundPlan:
    market = marketplace(spec.marketplace)
    created = spec.created or now
    plan = InboundPlan(
        plan_id=spec.inboundPlanId or new_uuid(state, "wf"),
        seller_id=spec.sellerId,
        name=spec.name or f"FBA ({created:%m/%d/%Y, %I:%M %p})",
        marketplace_ids=[market.marketplace_id],
        source_address=spec.sourceAddress
        or {
            "name": "Marketdock Sandbox Warehouse",
            "addressLine1": "Lagerstrasse 1",
            "city": "Hamburg",
            "postalCode": "20457",
            "countryCode": "DE",
        },
        created=created,
        updated=created,
        items=[_inbound_item(state, spec.sellerId, i) for i in spec.items],
        status=spec.status,
    )
    if spec.items and spec.shipments:
        raise ValueError("seed a plan's items or its shipments (which carry the items), not both")
    if not spec.shipments:
        return plan
    option = PlacementOption(new_uuid(state, "pl"), [], created, status="ACCEPTED")
    for number, ship in enumerate(spec.shipments, start=1):
        code, address = warehouse_for(market.marketplace_id)
        items = [_inbound_item(state, spec.sellerId, i) for i in ship.items]
        by_msku = {i.msku: i for i in items}
        confirmation = ship.shipmentConfirmationId or confirmation_id(state)
        boxes = []
        for index, box in enumerate(ship.boxes, start=1):
            strangers = set(box.items) - set(by_msku)
            if strangers:
                raise ValueError(f"box of {confirmation} holds unknown mskus {sorted(strangers)}")
            contents = [
                InboundItem(
                    msku=m,
                    asin=by_msku[m].asin,
                    fnsku=by_msku[m].fnsku,
                    quantity=q,
                    label_owner=by_msku[m].label_owner,
                    prep_owner=by_msku[m].prep_owner,
                )
                for m, q in box.items.items()
            ]
            boxes.append(
                InboundBox(
                    package_id=new_uuid(state, "pk"),
                    box_id=f"{confirmation}U{index:06d}",
                    items=contents,
                    weight_kg=box.weightKg,
                    dimensions_cm=box.dimensionsCm,
                )
            )
        shipment = InboundShipment(
            shipment_id=new_uuid(state, "sh"),
            placement_option_id=option.option_id,
            confirmation_id=confirmation,
            name=f"{plan.name}-{number}",
            status=ship.status,
            warehouse_id=ship.warehouseId or code,
            destination_address=address,
            items=items,
            boxes=boxes,
            amazon_reference_id=ship.amazonReferenceId,
        )
        plan.shipments.append(shipment)
        option.shipment_ids.append(shipment.shipment_id)
        plan.items.extend(items)
    plan.placement_options.append(option)
    return plan


def apply_fba_seed(state: AmazonState, seed: FbaSeed, now: datetime) -> dict[str, list[str]]:
    """Add the seed to the state; returns the keys created.

    Raises ValueError on conflicts; only the stock (which replaces by key) is kept then.
    """
    stock = [_stock(state, spec, now) for spec in seed.inventory]
    for item in stock:
        state.fba_stock[(item.seller_id, item.marketplace_id, item.sku)] = item
    returns = [_return(state, spec, now) for spec in seed.returns]
    removals = [_removal(state, spec, now) for spec in seed.removals]
    plans = [_plan(state, spec, now) for spec in seed.inboundPlans]
    removal_ids = [r.order_id for r in removals]
    plan_ids = [p.plan_id for p in plans]
    if len(set(removal_ids)) != len(removal_ids) or set(removal_ids) & set(state.removal_orders):
        raise ValueError("a removal orderId is seeded twice or already exists")
    if len(set(plan_ids)) != len(plan_ids) or set(plan_ids) & set(state.inbound_plans):
        raise ValueError("an inboundPlanId is seeded twice or already exists")
    state.customer_returns.extend(returns)
    state.removal_orders.update((r.order_id, r) for r in removals)
    state.inbound_plans.update((p.plan_id, p) for p in plans)
    return {
        "inventory": [s.sku for s in stock],
        "returns": [r.license_plate_number for r in returns],
        "removals": [r.order_id for r in removals],
        "inboundPlans": [p.plan_id for p in plans],
        "shipments": [s.shipment_id for p in plans for s in p.shipments],
    }
