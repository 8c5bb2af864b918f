"""ShipBob's JSON as pydantic models (dated API 2026-01, contracts/wms/shipbob/).

Models read tolerantly: unknown fields are ignored and statuses stay plain strings, so a
value ShipBob adds later does not break a poll; only what marketdock needs is declared.
Request models are dumped with ``exclude_none``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

SHIPPED_STATUSES = frozenset({"Completed", "Delivered"})
"""Shipment statuses after the parcel left the warehouse."""
FINAL_ORDER_STATUSES = frozenset({"Fulfilled", "PartiallyFulfilled", "Completed", "Cancelled"})
SHORT_PICK_DETAIL = "ShortPick"
"""The status detail of a shipment closed because nothing more could be picked."""


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


# ---------------------------------------------------------------- order creation


class AddressOut(Wire):
    address1: str
    address2: str | None = None
    city: str
    country: str
    company_name: str | None = None
    state: str | None = None
    zip_code: str | None = None


class RecipientOut(Wire):
    name: str
    address: AddressOut
    email: str | None = None
    phone_number: str | None = None


class ProductOut(Wire):
    reference_id: str
    name: str
    quantity: int
    external_line_id: int


class Tag(Wire):
    name: str
    value: str


class CreateOrder(Wire):
    reference_id: str
    order_number: str
    recipient: RecipientOut
    products: list[ProductOut]
    shipping_method: str
    type: str = "DTC"
    tags: list[Tag] = Field(default_factory=list)
    gift_message: str | None = None


# ---------------------------------------------------------------- orders and shipments


class Tracking(Wire):
    carrier: str | None = None
    carrier_service: str | None = None
    scac: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    shipping_date: datetime | None = None


class InventoryItem(Wire):
    id: int | None = None
    quantity: int = Field(ge=0)


class ShipmentProduct(Wire):
    id: int | None = None
    reference_id: str | None = None
    sku: str | None = None
    quantity: int | None = Field(default=None, ge=0)
    inventory_items: list[InventoryItem] = Field(default_factory=list)


class StatusDetail(Wire):
    name: str | None = None
    description: str | None = None


class Shipment(Wire):
    id: int
    order_id: int | None = None
    reference_id: str | None = None
    status: str = ""
    status_details: list[StatusDetail] | None = None
    last_update_at: datetime | None = None
    actual_fulfillment_date: datetime | None = None
    tracking: Tracking | None = None
    products: list[ShipmentProduct] = Field(default_factory=list)


class OrderProduct(Wire):
    id: int | None = None
    reference_id: str | None = None
    sku: str | None = None
    quantity: int = Field(ge=0)
    external_line_id: int | None = None


class ShipBobOrder(Wire):
    id: int
    reference_id: str
    status: str = ""
    products: list[OrderProduct] = Field(default_factory=list)
    shipments: list[Shipment] = Field(default_factory=list)
    tags: list[Tag] | None = None


class CancelResult(Wire):
    order_id: int | None = None
    status: str = ""


class Channel(Wire):
    id: int
    name: str | None = None
    scopes: list[str] = Field(default_factory=list)


class ChannelPage(Wire):
    items: list[Channel] = Field(default_factory=list)


# ---------------------------------------------------------------- inventory


class InventoryLevel(Wire):
    inventory_id: int | None = None
    sku: str | None = None
    name: str | None = None
    total_on_hand_quantity: int = 0
    total_committed_quantity: int = 0
    total_fulfillable_quantity: int = 0
    total_exception_quantity: int = 0


class InventoryPage(Wire):
    items: list[dict[str, object]] = Field(default_factory=list)
    """Raw items: each is read on its own, so one broken record does not lose the page."""
    next: str | None = None


# ---------------------------------------------------------------- receiving (WRO)

COMPLETED_RECEIVING = "Completed"
"""The status of a receiving order once every box was counted and stowed."""


class BoxItemOut(Wire):
    inventory_id: int
    quantity: int


class BoxOut(Wire):
    tracking_number: str | None = None
    box_items: list[BoxItemOut]


class FulfillmentCenterRef(Wire):
    id: int


class CreateReceiving(Wire):
    purchase_order_number: str
    expected_arrival_date: datetime
    fulfillment_center: FulfillmentCenterRef
    boxes: list[BoxOut]
    box_packaging_type: str = "EverythingInOneBox"
    package_type: str = "Package"


class InventoryQuantity(Wire):
    inventory_id: int | None = None
    sku: str | None = None
    expected_quantity: int = Field(default=0, ge=0)
    received_quantity: int = Field(default=0, ge=0)
    """Counted in, damaged units included."""
    stowed_quantity: int = Field(default=0, ge=0)
    """Put away as sellable stock."""


class StatusChange(Wire):
    id: int | None = None
    status: str = ""
    timestamp: datetime | None = None


class Receiving(Wire):
    id: int
    purchase_order_number: str | None = None
    status: str = ""
    last_updated_date: datetime | None = None
    inventory_quantities: list[InventoryQuantity] = Field(default_factory=list)
    status_history: list[StatusChange] = Field(default_factory=list)
