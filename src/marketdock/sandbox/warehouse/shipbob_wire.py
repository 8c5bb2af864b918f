"""ShipBob wire shapes: request bodies the simulator accepts and the views it returns.

Field names and enums follow the ShipBob OpenAPI (dated version 2026-01) in
``contracts/wms/shipbob/``. Floor states map to ShipBob statuses as follows:

============================  ===================  ========================
floor order status            order ``status``     shipment ``status``
============================  ===================  ========================
received/allocated/picked     Processing           Processing
backordered                   Exception            Exception (OutOfStock)
packed                        Processing           LabeledCreated
shipped, no short line        Fulfilled            Completed
shipped, some line short      PartiallyFulfilled   Completed
short_closed                  Exception            Exception (ShortPick)
cancelled                     Cancelled            Cancelled
============================  ===================  ========================
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from marketdock.sandbox.warehouse.floor import Floor
from marketdock.sandbox.warehouse.model import (
    Inbound,
    InboundStatus,
    Order,
    OrderStatus,
    Parcel,
    StockLevel,
)

FULFILLMENT_CENTER = {"id": 1, "name": "marketdock sandbox FC (Hamburg)"}


def stamp(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AddressIn(_Wire):
    address1: str = Field(min_length=1)
    address2: str | None = None
    city: str = Field(min_length=1)
    country: str = Field(min_length=2)
    company_name: str | None = None
    state: str | None = None
    zip_code: str | None = None


class RecipientIn(_Wire):
    name: str = Field(min_length=1)
    address: AddressIn
    email: str | None = None
    phone_number: str | None = None


class ProductIn(_Wire):
    reference_id: str | None = None
    id: int | None = None
    name: str | None = None
    quantity: int = Field(ge=1)
    external_line_id: int | None = None
    gtin: str | None = None
    upc: str | None = None
    sku: str | None = None
    unit_price: float | None = None
    quantity_unit_of_measure_code: str | None = None

    @model_validator(mode="after")
    def _identified(self) -> ProductIn:
        if self.reference_id is None and self.id is None:
            raise ValueError("a product needs reference_id (with name) or id")
        if self.reference_id is not None and not self.name:
            raise ValueError("a product given by reference_id needs its name")
        return self


class CreateOrderIn(_Wire):
    reference_id: str = Field(min_length=1, max_length=300)
    recipient: RecipientIn
    products: list[ProductIn] = Field(min_length=1)
    shipping_method: str = Field(min_length=1)
    type: Literal["DTC", "DropShip", "B2B"]
    order_number: str | None = None
    gift_message: str | None = None
    purchase_date: datetime | None = None
    location_id: int | None = None
    financials: dict[str, Any] | None = None
    tags: list[dict[str, str]] | None = None
    sales_channel: str | None = None
    shipping_terms: dict[str, Any] | None = None
    retailer_program_data: dict[str, Any] | None = None


class BoxItemIn(_Wire):
    inventory_id: int
    quantity: int = Field(ge=1)
    lot_number: str | None = None
    lot_date: datetime | None = None


class BoxIn(_Wire):
    tracking_number: str | None = None
    box_items: list[BoxItemIn] = Field(min_length=1)


class CreateReceivingIn(_Wire):
    box_packaging_type: Literal["EverythingInOneBox", "OneSkuPerBox", "MultipleSkuPerBox"]
    boxes: list[BoxIn] = Field(min_length=1)
    expected_arrival_date: datetime
    fulfillment_center: dict[str, int]
    package_type: Literal["Package", "Pallet", "FloorLoadedContainer"]
    purchase_order_number: str | None = None


TOPICS = (
    "order.shipped", "order.shipment.delivered", "order.shipment.exception",
    "order.shipment.on_hold", "order.shipment.cancelled", "return.created", "return.updated",
    "return.completed", "billing.charge.created", "billing.refund.created",
    "billing.credit.created",
)


class CreateSubscriptionIn(_Wire):
    topics: list[Literal[TOPICS]] = Field(min_length=1)  # type: ignore[valid-type]
    url: str = Field(pattern=r"^https?://")
    secret: str | None = None
    description: str | None = None


def order_status(order: Order) -> str:
    return {
        OrderStatus.BACKORDERED: "Exception",
        OrderStatus.SHORT_CLOSED: "Exception",
        OrderStatus.CANCELLED: "Cancelled",
        OrderStatus.SHIPPED: (
            "Fulfilled" if all(line.short == 0 for line in order.lines) else "PartiallyFulfilled"
        ),
    }.get(order.status, "Processing")


def _shipment_status(order: Order) -> str:
    return {
        OrderStatus.BACKORDERED: "Exception",
        OrderStatus.SHORT_CLOSED: "Exception",
        OrderStatus.CANCELLED: "Cancelled",
        OrderStatus.PACKED: "LabeledCreated",
        OrderStatus.SHIPPED: "Completed",
    }.get(order.status, "Processing")


class Views:
    """Renders floor records as ShipBob JSON; ``extras`` keeps each order's request."""

    def __init__(self, floor: Floor, channel: dict[str, Any]) -> None:
        self.floor = floor
        self.channel = channel
        self.extras: dict[int, CreateOrderIn] = {}
        self._kit_ids: dict[str, int] = {}

    def reset(self) -> None:
        self.extras.clear()
        self._kit_ids.clear()

    def product_id(self, sku: str) -> int:
        if sku in self.floor.kits():
            return self._kit_ids.setdefault(sku, 900001 + len(self._kit_ids))
        return self.floor.stock(sku).inventory_id

    def _shipment_products(
        self, order: Order, counts: list[tuple[str, int]]
    ) -> list[dict[str, Any]]:
        products = []
        for line_id, qty in counts:
            line = order.line(line_id)
            items = []
            for sku, per in line.components:
                level = self.floor.stock(sku)
                items.append({
                    "id": level.inventory_id, "name": level.name, "quantity": qty * per,
                    "quantity_committed": 0, "is_dangerous_goods": False, "lot": None,
                    "expiration_date": None, "serial_numbers": [],
                })
            products.append({"id": self.product_id(line.sku), "reference_id": line.sku,
                             "sku": line.sku, "name": line.name or line.sku,
                             "inventory_items": items})
        return products

    def shipments(self, order: Order) -> list[dict[str, Any]]:
        if order.parcels:
            return [self._shipment(order, p) for p in order.parcels]
        return [self._shipment(order, None)]

    def shipment(self, order: Order, shipment_id: int) -> dict[str, Any] | None:
        for view in self.shipments(order):
            if view["id"] == shipment_id:
                return view
        return None

    def _shipment(self, order: Order, parcel: Parcel | None) -> dict[str, Any]:
        request = self.extras.get(order.order_id)
        recipient = request.recipient if request else None
        if parcel is None:
            counts = [(line.line_id, line.picked if line.picked is not None else line.quantity)
                      for line in order.lines]
        else:
            counts = [(pl.line_id, pl.quantity) for pl in parcel.lines]
        view: dict[str, Any] = {
            "id": parcel.parcel_id if parcel else order.first_parcel_id,
            "order_id": order.order_id,
            "reference_id": order.reference,
            "created_date": stamp(order.received_at),
            "last_update_at": stamp(order.updated_at),
            "status": _shipment_status(order),
            "status_details": self._status_details(order),
            "location": dict(FULFILLMENT_CENTER),
            "ship_option": order.shipping_method,
            "products": self._shipment_products(order, counts),
            "is_tracking_uploaded": False,
            "require_signature": False,
            "gift_message": order.gift_message or None,
            "package_material_type": "Box",
            "actual_fulfillment_date": stamp(parcel.shipped_at) if parcel else None,
            "delivery_date": None,
            "measurements": {
                "depth_in": 8, "length_in": 12, "width_in": 10,
                "total_weight_oz": round((parcel.weight_g if parcel else 0) / 28.3495),
            },
            "recipient": {
                "name": recipient.name if recipient else None,
                "full_name": recipient.name if recipient else None,
                "address": recipient.address.model_dump() if recipient else None,
                "email": recipient.email if recipient else None,
                "phone_number": recipient.phone_number if recipient else None,
            },
        }
        if parcel is not None:
            view["last_tracking_update_at"] = stamp(parcel.packed_at)
            view["tracking"] = {
                "carrier": parcel.carrier.name, "carrier_service": parcel.carrier.service,
                "scac": parcel.carrier.scac, "tracking_number": parcel.tracking_number,
                "tracking_url": parcel.tracking_url, "shipping_date": stamp(parcel.shipped_at),
                "bol": None, "pro_number": None,
            }
        return view

    def _status_details(self, order: Order) -> list[dict[str, Any]]:
        if order.status is OrderStatus.BACKORDERED:
            name, text = "OutOfStock", "Waiting for inventory to be allocated"
        elif order.status is OrderStatus.SHORT_CLOSED:
            name, text = "ShortPick", "No unit of the order could be picked"
        else:
            return []
        return [{"id": 1, "name": name, "description": text, "inventory_id": None,
                 "exception_fulfillment_center_id": FULFILLMENT_CENTER["id"],
                 "extra_information": {"validation_messages": []}}]

    def order(self, order: Order) -> dict[str, Any]:
        request = self.extras.get(order.order_id)
        products = []
        for index, line in enumerate(order.lines):
            given = request.products[index] if request else None
            products.append({
                "id": self.product_id(line.sku), "reference_id": line.sku,
                "sku": (given.sku if given else None) or line.sku, "quantity": line.quantity,
                "external_line_id": given.external_line_id if given else None,
                "gtin": given.gtin if given else None, "upc": given.upc if given else None,
                "unit_price": given.unit_price if given else None,
                "quantity_unit_of_measure_code":
                    given.quantity_unit_of_measure_code if given else None,
            })
        view: dict[str, Any] = {
            "id": order.order_id,
            "reference_id": order.reference,
            "order_number": (request.order_number if request else None) or order.reference,
            "created_date": stamp(order.received_at),
            "purchase_date": stamp(request.purchase_date) if request else None,
            "status": order_status(order),
            "type": request.type if request else "DTC",
            "channel": dict(self.channel),
            "shipping_method": order.shipping_method,
            "gift_message": order.gift_message or None,
            "products": products,
            "shipments": self.shipments(order),
            "tags": request.tags if request else None,
        }
        if request is not None:
            view["recipient"] = request.recipient.model_dump()
            if request.financials is not None:
                view["financials"] = request.financials
        return view

    def inventory(self, level: StockLevel, backordered: int = 0) -> dict[str, Any]:
        return {
            "inventory_id": level.inventory_id, "name": level.name, "sku": level.sku,
            "total_on_hand_quantity": level.on_hand,
            "total_committed_quantity": level.allocated,
            "total_fulfillable_quantity": level.available,
            "total_sellable_quantity": level.available + level.inbound,
            "total_awaiting_quantity": level.inbound,
            "total_exception_quantity": level.blocked,
            "total_backordered_quantity": backordered,
            "total_internal_transfer_quantity": 0,  # one fulfilment centre: no transfers
        }

    def receiving(self, inbound: Inbound, request: CreateReceivingIn | None) -> dict[str, Any]:
        receipt = {line.sku: line for line in inbound.receipt}
        quantities = []
        for sku in sorted(set(dict(inbound.expected)) | set(receipt)):
            line = receipt.get(sku)
            quantities.append({
                "inventory_id": self.floor.stock(sku).inventory_id, "sku": sku,
                "expected_quantity": dict(inbound.expected).get(sku, 0),
                "received_quantity": line.received + line.damaged if line else 0,
                "stowed_quantity": line.received if line else 0,
            })
        status = {InboundStatus.AWAITING: "Awaiting", InboundStatus.RECEIVED: "Completed",
                  InboundStatus.CANCELLED: "Cancelled"}[inbound.status]
        history = [{"id": 1, "status": "Awaiting", "timestamp": stamp(inbound.created_at)}]
        if inbound.status is not InboundStatus.AWAITING:
            history.append({"id": 2, "status": status,
                            "timestamp": stamp(inbound.received_at or inbound.created_at)})
        return {
            "id": inbound.inbound_id,
            "purchase_order_number": inbound.po_number or None,
            "status": status,
            "package_type": request.package_type if request else "Package",
            "box_packaging_type": request.box_packaging_type if request else "OneSkuPerBox",
            "expected_arrival_date": stamp(inbound.expected_at or inbound.created_at),
            "insert_date": stamp(inbound.created_at),
            "last_updated_date": stamp(inbound.received_at or inbound.created_at),
            "fulfillment_center": dict(FULFILLMENT_CENTER),
            "inventory_quantities": quantities,
            "status_history": history,
            "box_labels_uri": f"/2026-01/receiving/{inbound.inbound_id}/labels",
            "external_sync_timestamp": None,
        }
