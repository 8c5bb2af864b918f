"""Marketplace orders and their lines, keyed by the marketplace's own ids.

OTTO sends one *position item* per ordered unit: an OTTO line always has quantity 1 and
its ``line_id`` is the ``positionItemId``. Amazon sends order items with a quantity; the
``line_id`` is the ``OrderItemId``. Shipping and cancelling address these ids, so they are
kept exactly as received.

Prices are the marketplace's gross figures. A line keeps the totals for all its units as
received (Amazon's ``ItemPrice`` is price × quantity); per-unit figures are derived.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from enum import StrEnum

from pydantic import Field, model_validator

from marketdock.domain.accounts import ChannelKind, MarketplaceId
from marketdock.domain.address import Address
from marketdock.domain.base import Identifier, Instant, NonEmptyStr, Record, ensure_unique
from marketdock.domain.listing import Ean, FulfilmentChannel
from marketdock.domain.money import Money


class OrderStatus(StrEnum):
    """Where an order stands in the hub."""

    PENDING = "pending"
    """Placed but not releasable (OTTO ``ANNOUNCED``, Amazon ``Pending`` /
    ``PendingAvailability``): stock is reserved, nothing goes to the warehouse."""
    RELEASABLE = "releasable"
    """May be fulfilled (OTTO ``PROCESSABLE``, Amazon ``Unshipped``) and is not yet at the
    warehouse."""
    RELEASED = "released"
    """Created at the warehouse; the warehouse has not yet confirmed it."""
    ACKNOWLEDGED = "acknowledged"
    """The warehouse confirmed it; its own reservation now covers the stock."""
    PARTIALLY_SHIPPED = "partially_shipped"
    """Some units shipped, others still open."""
    SHIPPED = "shipped"
    """Every unit not cancelled has shipped."""
    CANCELLED = "cancelled"
    """Cancelled as a whole by the marketplace, the customer or the seller."""
    HELD = "held"
    """Stopped by the hub or an operator (an open business exception, e.g. unknown SKU or
    an address the warehouse cannot ship to); not released until the hold is lifted."""


class LineStatus(StrEnum):
    """Where a line (OTTO position item, Amazon order item) stands at the marketplace."""

    PENDING = "pending"
    """Not yet releasable (OTTO ``ANNOUNCED``, Amazon ``Pending``)."""
    RELEASABLE = "releasable"
    """May be fulfilled (OTTO ``PROCESSABLE``, Amazon ``Unshipped`` /
    ``PartiallyShipped``); open units remain."""
    SHIPPED = "shipped"
    """All units not cancelled are reported shipped (OTTO ``SENT``)."""
    CANCELLED = "cancelled"
    """Cancelled (OTTO ``CANCELLED_BY_*``, Amazon ``Canceled``)."""
    RETURNED = "returned"
    """Returned and accepted (OTTO ``RETURNED``)."""


class OrderLine(Record):
    """One line of a marketplace order."""

    line_id: NonEmptyStr
    """The marketplace's id: OTTO ``positionItemId``, Amazon ``OrderItemId``."""
    sku: NonEmptyStr
    """The channel SKU (seller SKU), which a listing maps to warehouse SKUs."""
    quantity: int = Field(ge=1)
    quantity_shipped: int = Field(default=0, ge=0)
    quantity_cancelled: int = Field(default=0, ge=0)
    status: LineStatus
    marketplace_status: str | None = None
    """The status as the marketplace names it, when it is given per line (OTTO)."""
    title: str | None = None
    ean: Ean | None = None
    price_total: Money | None = None
    """Gross price of all units before discounts; absent while Amazon withholds pricing."""
    discount_total: Money | None = None
    """Discounts on all units (a positive amount)."""

    @model_validator(mode="after")
    def _consistent(self) -> OrderLine:
        if self.quantity_shipped + self.quantity_cancelled > self.quantity:
            raise ValueError(
                f"shipped ({self.quantity_shipped}) plus cancelled "
                f"({self.quantity_cancelled}) exceeds quantity ({self.quantity})"
            )
        for name in ("price_total", "discount_total"):
            money = getattr(self, name)
            if money is not None and money.is_negative:
                raise ValueError(f"{name} must not be negative")
        if self.discount_total is not None:
            if self.price_total is None:
                raise ValueError("discount_total needs price_total")
            if self.discount_total.currency != self.price_total.currency:
                raise ValueError("discount_total and price_total differ in currency")
            if self.discount_total.amount > self.price_total.amount:
                raise ValueError("discount_total exceeds price_total")
        return self

    @property
    def open_quantity(self) -> int:
        """Units neither shipped nor cancelled."""
        return self.quantity - self.quantity_shipped - self.quantity_cancelled

    @property
    def net_total(self) -> Money | None:
        """Price of all units after discounts."""
        if self.price_total is None:
            return None
        if self.discount_total is None:
            return self.price_total
        return self.price_total - self.discount_total

    @property
    def unit_price(self) -> Money | None:
        """Gross price of one unit before discounts (rounded to the total's precision)."""
        return None if self.price_total is None else self.price_total.divided_by(self.quantity)

    @property
    def unit_discount(self) -> Money | None:
        """Discount on one unit (rounded to the total's precision)."""
        if self.discount_total is None:
            return None
        return self.discount_total.divided_by(self.quantity)

    def monies(self) -> Iterator[Money]:
        for money in (self.price_total, self.discount_total):
            if money is not None:
                yield money


class Order(Record):
    """A marketplace order as the hub knows it."""

    tenant_id: Identifier
    channel_account_id: Identifier
    channel: ChannelKind
    marketplace_id: MarketplaceId | None = None
    """The Amazon marketplace the order was placed in; ``None`` for OTTO."""
    marketplace_order_id: NonEmptyStr
    """OTTO ``salesOrderId``, Amazon ``AmazonOrderId``."""
    order_number: str | None = None
    """The customer-facing number (OTTO ``orderNumber``), if different from the id."""
    status: OrderStatus
    marketplace_status: NonEmptyStr
    """The status as the marketplace names it (kept verbatim; marketplaces add values)."""
    fulfilment: FulfilmentChannel = FulfilmentChannel.MERCHANT
    ordered_at: Instant
    updated_at: Instant | None = None
    ship_by: Instant | None = None
    """Latest ship date: the hand-over to the carrier must happen before this."""
    deliver_by: Instant | None = None
    """Promised delivery (OTTO ``expectedDeliveryDate``, Amazon ``LatestDeliveryDate``)."""
    is_prime: bool = False
    """Seller Fulfilled Prime: ship-by dates are enforced by Amazon."""
    is_business: bool = False
    ship_service_level: str | None = None
    shipping_address: Address | None = None
    """Absent while the marketplace withholds it (OTTO announced, Amazon pending)."""
    billing_address: Address | None = None
    shipping_total: Money | None = None
    """Shipping charged to the customer."""
    order_total: Money | None = None
    """The order total as the marketplace reports it."""
    lines: tuple[OrderLine, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Order:
        ensure_unique((line.line_id for line in self.lines), "line id")
        if self.channel is ChannelKind.OTTO:
            if self.marketplace_id is not None:
                raise ValueError("an OTTO order has no marketplace_id")
            for line in self.lines:
                if line.quantity != 1:
                    raise ValueError(
                        f"OTTO line {line.line_id} has quantity {line.quantity}; "
                        "OTTO sends one position item per unit"
                    )
        elif self.marketplace_id is None:
            raise ValueError("an Amazon order needs its marketplace_id")
        currencies = {money.currency for money in self._monies()}
        if len(currencies) > 1:
            raise ValueError(f"amounts in several currencies: {', '.join(sorted(currencies))}")
        return self

    def _monies(self) -> Iterator[Money]:
        for line in self.lines:
            yield from line.monies()
        for money in (self.shipping_total, self.order_total):
            if money is not None:
                yield money

    @property
    def key(self) -> tuple[str, str, str]:
        """(tenant, channel account, marketplace order id): unique across the hub."""
        return (self.tenant_id, self.channel_account_id, self.marketplace_order_id)

    @property
    def currency(self) -> str | None:
        return next((money.currency for money in self._monies()), None)

    def line(self, line_id: str) -> OrderLine:
        """The line with ``line_id``; ``KeyError`` naming it when absent."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(f"order {self.marketplace_order_id} has no line {line_id}")

    def lines_in(self, *statuses: LineStatus) -> tuple[OrderLine, ...]:
        return tuple(line for line in self.lines if line.status in statuses)

    def goods_total(self) -> Money | None:
        """Sum of the lines' net totals; ``None`` when any line lacks a price."""
        totals = [line.net_total for line in self.lines]
        if any(total is None for total in totals):
            return None
        present = [total for total in totals if total is not None]
        result = Money.zero(present[0].currency)
        for total in present:
            result = result + total
        return result

    def open_units_by_sku(self, lines: Iterable[OrderLine] | None = None) -> dict[str, int]:
        """Channel SKU → units neither shipped nor cancelled, over ``lines`` (default all)."""
        units: Counter[str] = Counter()
        for line in self.lines if lines is None else lines:
            if line.open_quantity:
                units[line.sku] += line.open_quantity
        return dict(units)
