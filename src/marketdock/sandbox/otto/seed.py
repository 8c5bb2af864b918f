"""Seed input: the JSON a test, the demo or ``POST /_admin/seed`` uses to create data.

The shapes are marketdock's own (compact, quantities per line); the simulator expands them into
OTTO's shapes (one position item per unit, discounts and fees per item ids).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marketdock.sandbox.otto import enums
from marketdock.sandbox.otto.model import Address, Order, PositionItem, Product, ReturnItem
from marketdock.sandbox.otto.state import DEFAULT_PARTNER_ID, OttoState


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SeedProduct(_Strict):
    sku: str = Field(min_length=1, max_length=50)
    partner_id: str = Field(DEFAULT_PARTNER_ID, alias="partnerId")
    article_number: str | None = Field(None, alias="articleNumber")
    title: str | None = Field(None, alias="productTitle")
    ean: str | None = None
    vat_rate: Decimal = Field(Decimal("19.0"), alias="vatRate", ge=0)
    delivery_type: Literal[
        "PARCEL", "FORWARDER_PREFERREDLOCATION", "FORWARDER_CURBSIDE", "FORWARDER_HEAVYDUTY"
    ] = Field("PARCEL", alias="deliveryType")
    has_moin: bool = Field(True, alias="hasMoin")

    @field_validator("sku")
    @classmethod
    def _no_outer_spaces(cls, sku: str) -> str:
        if sku != sku.strip():
            raise ValueError("a SKU must not start or end with spaces")
        return sku


class SeedLine(_Strict):
    sku: str = Field(min_length=1, max_length=50)
    quantity: int = Field(1, ge=1, le=999)
    unit_price: Decimal = Field(alias="unitPrice", gt=0, decimal_places=2)
    unit_discount: Decimal = Field(Decimal("0"), alias="unitDiscount", ge=0, decimal_places=2)


class SeedAddress(_Strict):
    salutation: Literal["MR", "MS", "COMPANY", "UNKNOWN"] = "MS"
    first_name: str = Field("Erika", alias="firstName")
    last_name: str = Field("Mustermann", alias="lastName")
    street: str = "Musterstraße"
    house_number: str = Field("12a", alias="houseNumber")
    zip_code: str = Field("20095", alias="zipCode")
    city: str = "Hamburg"
    country_code: str = Field("DEU", alias="countryCode", pattern=r"^[A-Z]{3}$")
    addition: str | None = None
    email: str | None = None
    phone_number: str | None = Field(None, alias="phoneNumber")

    def build(self) -> Address:
        return Address(**self.model_dump())


class SeedOrder(_Strict):
    lines: list[SeedLine] = Field(min_length=1)
    partner_id: str = Field(DEFAULT_PARTNER_ID, alias="partnerId")
    sales_order_id: str | None = Field(None, alias="salesOrderId")
    order_number: str | None = Field(None, alias="orderNumber", pattern=r"^[a-z0-9]{10}$")
    order_date: datetime | None = Field(None, alias="orderDate")
    payment_method: str = Field("PAYPAL", alias="paymentMethod")
    status: Literal["ANNOUNCED", "PROCESSABLE", "CANCELLED_BY_MARKETPLACE"] = "ANNOUNCED"
    processable_after_seconds: float | None = Field(None, alias="processableAfterSeconds", ge=0)
    """Delay from orderDate until PROCESSABLE; default: the config's ``processable_delay``."""
    never_processable: bool = Field(False, alias="neverProcessable")
    """Stay ANNOUNCED until cancelled (an unpaid prepayment order)."""
    delivery_fee: Decimal = Field(Decimal("0"), alias="deliveryFee", ge=0, decimal_places=2)
    delivery_address: SeedAddress = Field(default_factory=SeedAddress, alias="deliveryAddress")
    invoice_address: SeedAddress | None = Field(None, alias="invoiceAddress")

    @field_validator("order_date")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("orderDate needs a UTC offset")
        return value


class SeedReturn(_Strict):
    position_item_id: str = Field(alias="positionItemId")
    status: Literal["ANNOUNCED", "MISDIRECTED"] = "ANNOUNCED"


class SeedPayload(_Strict):
    """Body of ``POST /_admin/seed``."""

    products: list[SeedProduct] = Field(default_factory=list)
    orders: list[SeedOrder] = Field(default_factory=list)
    returns: list[SeedReturn] = Field(default_factory=list)


class SeedError(ValueError):
    """Seed data refers to something the simulator does not know."""


def add_product(state: OttoState, seed: SeedProduct) -> Product:
    with state.lock:
        if seed.partner_id not in state.partners:
            raise SeedError(f"product {seed.sku!r}: unknown partnerId {seed.partner_id!r}")
        number = seed.article_number or f"S{state.new_uuid()[:7].upper()}"
        product = Product(
            sku=seed.sku,
            article_number=number,
            title=seed.title or f"Sandbox article {seed.sku}",
            vat_rate=seed.vat_rate,
            ean=seed.ean,
            delivery_type=seed.delivery_type,
            moin=f"M{state.new_uuid()[:8].upper()}" if seed.has_moin else None,
        )
        state.products[(seed.partner_id, seed.sku)] = product
        return product


def add_order(state: OttoState, seed: SeedOrder, now: datetime) -> Order:
    """Create an order as OTTO would release it to the partner."""
    with state.lock:
        if seed.partner_id not in state.partners:
            raise SeedError(f"order: unknown partnerId {seed.partner_id!r}")
        sales_order_id = seed.sales_order_id or state.new_uuid()
        if sales_order_id in state.orders:
            raise SeedError(f"order {sales_order_id} exists already")
        if seed.order_number and state.order_for(seed.partner_id, seed.order_number):
            raise SeedError(f"order number {seed.order_number} exists already")
        order_date = seed.order_date or now
        delay = (
            timedelta(seconds=seed.processable_after_seconds)
            if seed.processable_after_seconds is not None
            else state.config.processable_delay
        )
        processable_at = None if seed.never_processable else order_date + delay
        expected = order_date + timedelta(days=state.config.expected_delivery_days)
        items: list[PositionItem] = []
        for line in seed.lines:
            if state.product(seed.partner_id, line.sku) is None:
                add_product(state, SeedProduct(sku=line.sku, partner_id=seed.partner_id))
            for _ in range(line.quantity):
                item = PositionItem(
                    position_item_id=state.new_uuid(),
                    sales_order_id=sales_order_id,
                    sku=line.sku,
                    gross_price=line.unit_price,
                    discount=line.unit_discount,
                    status=enums.ANNOUNCED,
                    expected_delivery=expected.replace(hour=0, minute=0, second=0, microsecond=0),
                    processable_at=processable_at,
                )
                if seed.status == enums.PROCESSABLE:
                    item.status, item.processable_date = enums.PROCESSABLE, order_date
                elif seed.status == enums.CANCELLED_BY_MARKETPLACE:
                    item.status, item.cancellation_date = enums.CANCELLED_BY_MARKETPLACE, order_date
                    item.cancellation_reason = "CANCELLED_ON_CUSTOMER_WISH"
                items.append(item)
        delivery = seed.delivery_address.build()
        order = Order(
            sales_order_id=sales_order_id,
            order_number=seed.order_number or state.new_order_number(),
            partner_id=seed.partner_id,
            order_date=order_date,
            last_modified=order_date,
            payment_method=seed.payment_method,
            items=items,
            delivery_address=delivery,
            invoice_address=seed.invoice_address.build() if seed.invoice_address else delivery,
            delivery_fee=seed.delivery_fee,
        )
        state.orders[sales_order_id] = order
        for item in items:
            state.items[item.position_item_id] = item
        return order


def add_return(state: OttoState, seed: SeedReturn, now: datetime) -> ReturnItem:
    """The customer announces the return of a SENT item (OTTO's sandbox cannot do this)."""
    with state.lock:
        item = state.items.get(seed.position_item_id)
        if item is None:
            raise SeedError(f"return: unknown positionItemId {seed.position_item_id}")
        if item.status != enums.SENT:
            raise SeedError(
                f"return: position item {seed.position_item_id} is {item.status}, not SENT"
            )
        if seed.position_item_id in state.returns:
            raise SeedError(f"return: position item {seed.position_item_id} is already returned")
        carrier, number = item.return_tracking or (None, None)
        record = ReturnItem(
            position_item_id=item.position_item_id,
            sales_order_id=item.sales_order_id,
            partner_id=state.orders[item.sales_order_id].partner_id,
            status=seed.status,
            changed=now,
            return_carrier=carrier,
            return_tracking_numbers=[number] if number else [],
        )
        state.returns[item.position_item_id] = record
        return record


def _check(state: OttoState, payload: SeedPayload) -> None:
    """Refuse the whole payload before anything is created, so a seed is all-or-nothing."""
    partner_ids = [p.partner_id for p in payload.products] + [o.partner_id for o in payload.orders]
    unknown = sorted(set(partner_ids) - set(state.partners))
    if unknown:
        raise SeedError(f"unknown partnerId {unknown}")
    ids = [o.sales_order_id for o in payload.orders if o.sales_order_id]
    numbers = [o.order_number for o in payload.orders if o.order_number]
    taken = {o.order_number for o in state.orders.values()}
    for value, seen in ((ids, state.orders.keys()), (numbers, taken)):
        clash = {v for v in value if v in seen or value.count(v) > 1}
        if clash:
            raise SeedError(f"order ids/numbers exist already or repeat: {sorted(clash)}")
    returned = [r.position_item_id for r in payload.returns]
    if len(set(returned)) != len(returned):
        raise SeedError("return: a position item is listed twice")
    for ret in payload.returns:
        item = state.items.get(ret.position_item_id)
        if item is None or item.status != enums.SENT or ret.position_item_id in state.returns:
            state_name = item.status if item else "unknown"
            raise SeedError(
                f"return: position item {ret.position_item_id} ({state_name}) is not a SENT item"
                " without a return"
            )


def apply_seed(state: OttoState, payload: SeedPayload, now: datetime) -> dict[str, object]:
    """Create everything in ``payload``; answer the ids a test needs to go on."""
    with state.lock:
        _check(state, payload)
        for product in payload.products:
            add_product(state, product)
        orders = [add_order(state, order, now) for order in payload.orders]
        returns = [add_return(state, ret, now) for ret in payload.returns]
        return {
            "products": [p.sku for p in payload.products],
            "orders": [
                {
                    "salesOrderId": o.sales_order_id,
                    "orderNumber": o.order_number,
                    "partnerId": o.partner_id,
                    "positionItemIds": [i.position_item_id for i in o.items],
                    "skus": [i.sku for i in o.items],
                }
                for o in orders
            ],
            "returns": [r.position_item_id for r in returns],
        }
