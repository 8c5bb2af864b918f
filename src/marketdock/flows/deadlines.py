"""Ship-by deadlines and the orders at risk of missing them.

Amazon gives each order its latest ship date. OTTO gives a delivery promise, not a ship
date, so the hub derives one: the warehouse's first cut-off after the order was placed,
plus the warehouse's handling days. The deadline orders the order's jobs within their
priority class; an order still open at its deadline is at risk and shows as an exception.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from marketdock.config import WarehouseConfig
from marketdock.domain import Order, OrderStatus
from marketdock.engine.schema import orders
from marketdock.monitor import exceptions

OPEN = (OrderStatus.PENDING, OrderStatus.HELD, OrderStatus.RELEASABLE, OrderStatus.RELEASED,
        OrderStatus.ACKNOWLEDGED, OrderStatus.PARTIALLY_SHIPPED)
SHIP_BY_MISSED = "ship_by_missed"


def ship_by(order: Order, warehouse: WarehouseConfig | None) -> datetime | None:
    """The marketplace's deadline, else the warehouse cut-off plus handling days."""
    if order.ship_by is not None or warehouse is None:
        return order.ship_by
    cutoff = warehouse.to_warehouse(order.tenant_id).next_cutoff(order.ordered_at)
    return cutoff + timedelta(days=warehouse.handling_days)


def at_risk(conn: Connection, tenant_id: str | None, now: datetime,
            horizon: timedelta = timedelta(hours=4)) -> list[tuple[int, str, datetime]]:
    """(order id, marketplace order id, ship-by) of open orders due within ``horizon``."""
    query = sa.select(orders.c.id, orders.c.marketplace_order_id, orders.c.ship_by).where(
        orders.c.status.in_([status.value for status in OPEN]),
        orders.c.ship_by.is_not(None), orders.c.ship_by < now + horizon,
    ).order_by(orders.c.ship_by)
    if tenant_id is not None:
        query = query.where(orders.c.tenant_id == tenant_id)
    return [(int(i), str(m), s) for i, m, s in conn.execute(query)]


def flag_missed(conn: Connection, tenant_id: str, now: datetime) -> int:
    """Open an exception for each open order past its deadline; resolve the others."""
    missed = {order_id: (number, due) for order_id, number, due
              in at_risk(conn, tenant_id, now, timedelta(0))}
    for order_id, (number, due) in missed.items():
        exceptions.open_exception(
            conn, tenant_id=tenant_id, type=SHIP_BY_MISSED, object_type="order",
            object_id=str(order_id), now=now,
            reason=f"order {number} should have shipped by {due.isoformat()}")
    for record in exceptions.list_open(conn, tenant_id, SHIP_BY_MISSED):
        if int(record.object_id) not in missed:
            exceptions.resolve(conn, tenant_id=tenant_id, object_type="order",
                               object_id=record.object_id, type=SHIP_BY_MISSED, now=now)
    return len(missed)
