"""Small builders of valid domain records; tests change one thing at a time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marketdock.domain import (
    ChannelKind,
    LineStatus,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def otto_line(line_id: str, sku: str = "SKU-1", **changes: Any) -> OrderLine:
    fields: dict[str, Any] = {
        "line_id": line_id,
        "sku": sku,
        "quantity": 1,
        "status": LineStatus.RELEASABLE,
        "marketplace_status": "PROCESSABLE",
        "price_total": eur("19.99"),
    }
    return OrderLine(**{**fields, **changes})


def otto_order(*lines: OrderLine, **changes: Any) -> Order:
    fields: dict[str, Any] = {
        "tenant_id": "acme",
        "channel_account_id": "otto-main",
        "channel": ChannelKind.OTTO,
        "marketplace_order_id": "0f6e7a52-6a3c-4d1c-9a3e-1f0a2b3c4d5e",
        "order_number": "A1B2C3D4E5",
        "status": OrderStatus.RELEASABLE,
        "marketplace_status": "PROCESSABLE",
        "ordered_at": T0,
        "lines": lines or (otto_line("p-1"), otto_line("p-2")),
    }
    return Order(**{**fields, **changes})


def amazon_order(**changes: Any) -> Order:
    fields: dict[str, Any] = {
        "tenant_id": "acme",
        "channel_account_id": "amazon-eu",
        "channel": ChannelKind.AMAZON,
        "marketplace_id": "A1PA6795UKMFR9",
        "marketplace_order_id": "302-1234567-1234567",
        "status": OrderStatus.RELEASABLE,
        "marketplace_status": "Unshipped",
        "ordered_at": T0,
        "ship_by": datetime(2026, 3, 3, 23, 59, tzinfo=UTC),
        "is_prime": True,
        "lines": (
            OrderLine(
                line_id="12345678901234",
                sku="MUG-RED",
                quantity=3,
                status=LineStatus.RELEASABLE,
                price_total=eur("10.00"),
                discount_total=eur("1.00"),
            ),
        ),
    }
    return Order(**{**fields, **changes})
