"""OTTO Market's JSON as pydantic models: Orders V4, Shipments V1, Availability V1, token.

Models ignore fields they do not know, and enum-like fields (statuses, carriers, reasons)
are plain strings: OTTO adds values over time, and a value the hub does not know is decided
in the mapping, not rejected while reading. Field names follow OTTO's camelCase through
aliases; request models serialise with ``by_alias``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


def iso(value: datetime) -> str:
    """UTC with milliseconds and ``Z`` (``2025-03-11T14:05:00.000Z``), as OTTO writes times."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class Wire(BaseModel):
    """Base of every OTTO model: camelCase on the wire, unknown fields ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore",
                              frozen=True)


class Link(Wire):
    rel: str
    href: str


class Paged(Wire):
    """A page of a list endpoint: the ``rel=next`` link leads to the following page."""

    links: list[Link] = Field(default_factory=list)


def next_href(links: list[Link]) -> str | None:
    """The ``href`` of the ``rel=next`` link, followed verbatim (filters live in it)."""
    return next((link.href for link in links if link.rel == "next"), None)


# ---------------------------------------------------------------- token


class TokenResponse(Wire):
    access_token: str = Field(alias="access_token", min_length=1)
    expires_in: int = Field(alias="expires_in", gt=0)
    token_type: str = Field(default="bearer", alias="token_type")


# ---------------------------------------------------------------- errors


class ErrorEntry(Wire):
    title: str | None = None
    detail: str | None = None
    path: str | None = None
    json_path: str | None = None
    code: int | str | None = None
    logref: str | None = None


class ErrorEnvelope(Wire):
    errors: list[ErrorEntry] = Field(default_factory=list)


# ---------------------------------------------------------------- orders v4


class Amount(Wire):
    amount: Decimal
    currency: str


class Product(Wire):
    sku: str
    ean: str | None = None
    article_number: str | None = None
    product_title: str | None = None
    vat_rate: Decimal | None = None


class TrackingInfo(Wire):
    carrier: str | None = None
    tracking_number: str | None = None


class PositionItem(Wire):
    position_item_id: str
    fulfillment_status: str
    product: Product
    item_value_gross_price: Amount | None = None
    item_value_reduced_gross_price: Amount | None = None
    item_value_discount: Amount | None = None
    expected_delivery_date: AwareDatetime | None = None
    processable_date: AwareDatetime | None = None
    sent_date: AwareDatetime | None = None
    cancellation_date: AwareDatetime | None = None
    cancellation_reason: str | None = None
    tracking_info: TrackingInfo | None = None


class OrderAddress(Wire):
    salutation: str | None = None
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    street: str | None = None
    house_number: str | None = None
    addition: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    email: str | None = None
    phone_number: str | None = None


class DeliveryFee(Wire):
    name: str | None = None
    delivery_fee_amount: Amount
    position_item_ids: list[str] = Field(default_factory=list)


class Payment(Wire):
    payment_method: str | None = None


class LifecycleInformation(Wire):
    lifecycle_change_date: AwareDatetime | None = None


class PartnerOrder(Wire):
    sales_order_id: str
    order_number: str | None = None
    order_date: AwareDatetime
    last_modified_date: AwareDatetime | None = None
    order_lifecycle_information: LifecycleInformation | None = None
    position_items: list[PositionItem] = Field(min_length=1)
    delivery_address: OrderAddress | None = None
    invoice_address: OrderAddress | None = None
    initial_delivery_fees: list[DeliveryFee] = Field(default_factory=list)
    payment: Payment | None = None

    @property
    def changed_at(self) -> datetime | None:
        """When OTTO last changed the order (what the change-date window filters on)."""
        info = self.order_lifecycle_information
        if info is not None and info.lifecycle_change_date is not None:
            return info.lifecycle_change_date
        return self.last_modified_date


class OrderPage(Paged):
    """One page of ``GET /v4/orders``: orders are kept raw so one bad order can be
    quarantined while the rest of the page is read."""

    resources: list[object] = Field(default_factory=list)


# ---------------------------------------------------------------- shipments v1


class ShipmentTrackingKey(Wire):
    carrier: str
    tracking_number: str | None = None


class ShipFromAddress(Wire):
    city: str
    zip_code: str
    country_code: str


class ShipmentItem(Wire):
    position_item_id: str
    sales_order_id: str
    return_tracking_key: ShipmentTrackingKey | None = None


class CreateShipment(Wire):
    """Body of ``POST /v1/shipments`` and one element of ``POST /v1/multiparcel-shipments``."""

    tracking_key: ShipmentTrackingKey
    ship_date: str
    """UTC with milliseconds and ``Z`` (``2025-03-11T14:05:00.000Z``)."""
    ship_from_address: ShipFromAddress
    position_items: list[ShipmentItem] = Field(min_length=1)


class CreateShipmentResponse(Wire):
    shipment_id: str | None = None
    multi_parcel_shipment_id: str | None = Field(default=None, alias="multiParcelShipmentId")


class Shipment(Wire):
    shipment_id: str
    tracking_key: ShipmentTrackingKey
    ship_date: AwareDatetime | None = None
    position_items: list[ShipmentItem] = Field(default_factory=list)


class ShipmentSummary(Wire):
    shipment_id: str
    creation_date: AwareDatetime | None = None
    tracking_key: ShipmentTrackingKey


class ShipmentPage(Paged):
    resources: list[ShipmentSummary] = Field(default_factory=list)


# ---------------------------------------------------------------- availability v1


class Quantity(Wire):
    sku: str
    quantity: int = Field(ge=0)


class QuantityResult(Wire):
    sku: str
    quantity: int | None = None
    last_modified: AwareDatetime | None = None


class QuantityAnswer(Wire):
    """200/207/422 answer of ``POST /v1/availability/quantities``."""

    results: list[QuantityResult] = Field(default_factory=list)
    errors: list[ErrorEntry] = Field(default_factory=list)


class QuantityVariations(Wire):
    variations: list[QuantityResult] = Field(default_factory=list)


class QuantityPage(Paged):
    resources: QuantityVariations = Field(default_factory=QuantityVariations)


# ---------------------------------------------------------------- returns v3


class ReturnTrackingKey(Wire):
    carrier: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)


class ReturnDetails(Wire):
    return_tracking_key: ReturnTrackingKey | None = None
    condition: str | None = None
    reason: str | None = None
    order_number: str | None = None
    otto_warehouse_id: str | None = Field(default=None, alias="ottoWarehouseID")


class ReturnItem(Wire):
    position_item_id: str
    sales_order_id: str
    status: str
    occurred_time: AwareDatetime | None = None
    details: ReturnDetails = Field(default_factory=ReturnDetails)


class ReturnPage(Paged):
    position_items: list[ReturnItem] = Field(default_factory=list)


class ReturnDecisionItem(Wire):
    position_item_id: str
    sales_order_id: str
    condition: str | None = None
    reason: str | None = None


class ReturnDecisionRequest(Wire):
    position_items: list[ReturnDecisionItem]


class ReturnDecisionAnswer(Wire):
    results: list[ReturnDecisionItem] = Field(default_factory=list)
    errors: list[ErrorEntry] = Field(default_factory=list)


# ---------------------------------------------------------------- receipts v3


class ReceiptItemPosition(Wire):
    sku: str | None = None
    position_item_ids: list[str] = Field(default_factory=list)


class ReceiptLineItems(Wire):
    item_positions: list[ReceiptItemPosition] = Field(default_factory=list)


class Receipt(Wire):
    receipt_type: str
    receipt_number: str
    creation_date: AwareDatetime | None = None
    sales_order_id: str | None = None
    order_number: str | None = None
    amount_due: Amount | None = None
    linked_receipt_number: str | None = None
    line_items: ReceiptLineItems = Field(default_factory=ReceiptLineItems)


class ReceiptPage(Paged):
    resources: list[Receipt] = Field(default_factory=list)


class ReceiptDocumentPage(Paged):
    """A page of receipts left as OTTO's JSON: each is read on its own, and kept whole."""

    resources: list[object] = Field(default_factory=list)
