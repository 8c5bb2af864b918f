"""Order search shared by both Orders API versions: time windows, filters and next tokens."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from marketdock.sandbox.amazon.http import Call, invalid
from marketdock.sandbox.amazon.model import Order, PageCursor

BAD_TOKEN = (
    "We could not decode your NextToken. Possible reasons include: a transmission error, "
    "improper quoting or a truncation problem."
)


@dataclass(frozen=True)
class OrderQuery:
    """A parsed search; ``by_update`` selects LastUpdate* instead of Created* windows."""

    marketplace_ids: tuple[str, ...]
    by_update: bool
    after: datetime
    before: datetime
    statuses: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    order_ids: frozenset[str] = frozenset()
    seller_order_id: str | None = None

    def matches(self, order: Order) -> bool:
        moment = order.last_update if self.by_update else order.purchase_date
        return (
            self.after <= moment <= self.before
            and (not self.marketplace_ids or order.marketplace_id in self.marketplace_ids)
            and (not self.statuses or order.status in self.statuses)
            and (not self.channels or order.fulfillment_channel in self.channels)
            and (not self.order_ids or order.order_id in self.order_ids)
            and (self.seller_order_id is None or order.seller_order_id == self.seller_order_id)
        )


def check_window(
    call: Call,
    after: tuple[str, datetime | None],
    before: tuple[str, datetime | None],
) -> tuple[datetime, datetime]:
    """Apply Amazon's window rules; the default ``before`` is now minus two minutes.

    ``before`` must not be earlier than ``after`` and must be at least two minutes in the
    past; the ``after`` time must itself lie before that limit.
    """
    (after_name, after_at), (before_name, before_at) = after, before
    limit = call.sim.now() - timedelta(seconds=call.state.config.before_lag_seconds)
    if after_at is None:
        raise invalid("Invalid Input", f"{after_name} is required")
    if before_at is None:
        before_at = limit
    elif before_at > limit:
        raise invalid(
            "Invalid Input",
            f"{before_name} must be at least 2 minutes before the current time",
        )
    if after_at > limit:
        raise invalid(
            "Invalid Input", f"{after_name} must be at least 2 minutes before the current time"
        )
    if before_at < after_at:
        raise invalid("Invalid Input", f"{before_name} must be equal to or after {after_name}")
    return after_at, before_at


def run(call: Call, query: OrderQuery) -> list[Order]:
    key = "last_update" if query.by_update else "purchase_date"
    found = [
        o for o in call.state.orders.values() if o.seller_id == call.seller_id and query.matches(o)
    ]
    return sorted(found, key=lambda o: (getattr(o, key), o.order_id))


def new_token(call: Call, operation: str, query: dict[str, Any], offset: int) -> str:
    """An opaque token; standard base64, so it holds ``+``, ``/`` or ``=`` that must be
    URL-encoded when sent back, exactly as Amazon's tokens do."""
    raw = bytes(call.state.random.getrandbits(8) for _ in range(60))
    token = base64.b64encode(raw).decode()
    expires = call.sim.now() + timedelta(seconds=call.state.config.token_ttl_seconds)
    call.state.cursors[token] = PageCursor(call.seller_id, operation, query, offset, expires)
    return token


def resolve_token(call: Call, operation: str, token: str) -> PageCursor:
    cursor = call.state.cursors.get(token)
    if (
        cursor is None
        or cursor.operation != operation
        or cursor.seller_id != call.seller_id
        or cursor.expires <= call.sim.now()
    ):
        raise invalid(BAD_TOKEN)
    return cursor


def page_of(
    call: Call, orders: list[Order], offset: int, size: int, continued: bool
) -> tuple[list[Order], int | None]:
    """One page and the offset of the next (None on the last page).

    Fault ``duplicate_page`` repeats the previous page's last order at the top of a
    continued page; ``reorder_page`` returns a page in reverse order.
    """
    start = offset - 1 if continued and offset > 0 and call.fault("duplicate_page") else offset
    page = orders[start : start + size]
    following = start + size if start + size < len(orders) else None
    if call.fault("reorder_page"):
        page = list(reversed(page))
    return page, following
