"""Typed records of the warehouse CSV layouts (``contracts/wms/csv``).

One model per layout; the field order *is* the column order of the layout, so the
header, the reader and the writer all derive from these classes. Rules that a single
row can break (check digits, ``qty_shipped + qty_short <= qty_ordered``) live here as
field validators so a broken row names the column at fault.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from marketdock.connectors.csvfiles.values import is_valid_gtin


def _empty_to_none(value: Any) -> Any:
    return None if value == "" else value


def _check_gtin(value: str | None) -> str | None:
    if value is not None and not is_valid_gtin(value):
        raise ValueError(
            f"{value!r} is not a valid EAN/GTIN (8, 12, 13 or 14 digits with check digit; "
            "a spreadsheet may have turned it into a number)"
        )
    return value


Text = Annotated[str, Field(min_length=1)]
OptText = Annotated[str | None, BeforeValidator(_empty_to_none)]
Ean = Annotated[str | None, BeforeValidator(_empty_to_none), AfterValidator(_check_gtin)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[
    Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None, BeforeValidator(_empty_to_none)
]
Sscc = Annotated[
    Annotated[str, Field(pattern=r"^[0-9]{18}$")] | None, BeforeValidator(_empty_to_none)
]
Quantity = Annotated[int, Field(ge=0)]
PositiveQuantity = Annotated[int, Field(gt=0)]
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class CsvRecord(BaseModel):
    """One row of a warehouse CSV file."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class OrderLine(CsvRecord):
    """``orders_*.csv``: one line of an order the warehouse is to ship."""

    message_id: Text
    order_id: Text
    order_line_id: Text
    channel: Text
    channel_order_ref: Text
    order_date: AwareDatetime
    requested_ship_date: date | None = None
    ship_method: Text
    carrier_hint: OptText = None
    ship_to_name: Text
    ship_to_company: OptText = None
    ship_to_street1: Text
    ship_to_street2: OptText = None
    ship_to_postcode: Text
    ship_to_city: Text
    ship_to_country: Country
    ship_to_email: OptText = None
    ship_to_phone: OptText = None
    sku: Text
    ean: Ean = None
    description: OptText = None
    qty: PositiveQuantity
    uom: Text
    unit_price: Amount | None = None
    currency: Currency = Field(default=None, validate_default=True)
    gift_note: OptText = None

    @field_validator("currency")
    @classmethod
    def _currency_with_price(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("unit_price") is not None:
            raise ValueError("a unit_price needs a currency")
        return value


class ShipmentLine(CsvRecord):
    """``shipments_*.csv``: one order line in one package the warehouse shipped."""

    message_id: Text
    warehouse_shipment_id: Text
    order_id: Text
    order_line_id: Text
    sku: Text
    qty_ordered: Quantity
    qty_shipped: Quantity
    qty_short: Quantity
    short_reason: OptText = None
    package_id: OptText = None
    carrier: OptText = None
    carrier_service: OptText = None
    tracking_number: OptText = None
    tracking_url: OptText = None
    shipped_at: AwareDatetime
    weight_kg: Amount | None = None
    lot: OptText = None
    serial: OptText = None

    @field_validator("qty_short")
    @classmethod
    def _not_more_than_ordered(cls, value: int, info: ValidationInfo) -> int:
        ordered, shipped = info.data.get("qty_ordered"), info.data.get("qty_shipped")
        if ordered is not None and shipped is not None and shipped + value > ordered:
            raise ValueError(
                f"qty_shipped {shipped} + qty_short {value} exceed qty_ordered {ordered}"
            )
        return value


class InventoryPosition(CsvRecord):
    """``inventory_*_full.csv`` / ``_delta.csv``: stock of one SKU (and lot) at a warehouse."""

    snapshot_id: Text
    snapshot_at: AwareDatetime
    warehouse_id: Text
    sku: Text
    ean: Ean = None
    on_hand: Quantity
    allocated: Quantity
    available: Quantity
    blocked: Quantity
    in_transit_inbound: Quantity | None = None
    lot: OptText = None
    best_before: date | None = None

    @field_validator("available")
    @classmethod
    def _available_within_on_hand(cls, value: int, info: ValidationInfo) -> int:
        on_hand = info.data.get("on_hand")
        if on_hand is not None and value > on_hand:
            raise ValueError(f"available {value} exceeds on_hand {on_hand}")
        return value


class AsnLine(CsvRecord):
    """``asn_*.csv``: one SKU (per pallet) of inbound stock announced to the warehouse."""

    message_id: Text
    asn_id: Text
    supplier_ref: OptText = None
    po_number: OptText = None
    expected_arrival: date
    carrier: OptText = None
    tracking_or_pro: OptText = None
    sscc: Sscc = None
    sku: Text
    ean: Ean = None
    qty_expected: PositiveQuantity
    uom: Text
    lot: OptText = None
    best_before: date | None = None


class OrderCancellation(CsvRecord):
    """``cancellations_*.csv``: an order the warehouse is asked not to ship.

    marketdock's addition to the shared layouts (which have no way to cancel); the
    warehouse answers as it does for any order: a shipments file if it shipped after all.
    """

    message_id: Text
    order_id: Text
    reason: OptText = None
    requested_at: AwareDatetime


class ReceiptLine(CsvRecord):
    """``receipts_*.csv``: what the warehouse booked in of one SKU against an ASN.

    marketdock's addition to the shared layouts (which have no receipt file): good units
    become pickable stock; damaged units are on hand but not sellable.
    """

    message_id: Text
    asn_id: Text
    receipt_id: Text
    sku: Text
    qty_received: Quantity
    qty_damaged: Quantity = 0
    received_at: AwareDatetime
