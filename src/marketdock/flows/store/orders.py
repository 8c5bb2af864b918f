"""Orders and their lines, stored once per marketplace order.

The marketplace's view (its status, lines, prices, address) is kept in ``data`` as the
domain record; the hub's own status (``orders.status``) is decided by the order flow and is
never overwritten by a marketplace update. An order is written with an upsert on its unique
key (tenant, channel, marketplace order id), so reading the same order twice stores it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.domain import Order, OrderLine, OrderStatus
from marketdock.engine.schema import order_lines, orders


@dataclass(frozen=True)
class StoredOrder:
    id: int
    status: OrderStatus
    """The hub's status (see :class:`~marketdock.domain.OrderStatus`)."""
    warehouse_id: str | None
    order: Order
    """The marketplace's view, with ``status`` set to the hub's status."""

    @property
    def warehouse_reference(self) -> str:
        """The unique reference the warehouse knows this order by."""
        return warehouse_reference(self.id)


def warehouse_reference(order_id: int) -> str:
    return f"MD-{order_id}"


def order_id_from_reference(reference: str) -> int | None:
    prefix, _, number = reference.partition("-")
    return int(number) if prefix == "MD" and number.isdigit() else None


def _insert(conn: Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


def upsert(conn: Connection, order: Order, status: OrderStatus, now: datetime,
           warehouse_id: str | None = None) -> int:
    """Store the marketplace's view of ``order`` with the hub status ``status``; return the
    order's id. Lines are upserted by their marketplace line id."""
    data = order.model_dump(mode="json")
    values = {
        "account_id": order.channel_account_id,
        "marketplace_status": order.marketplace_status,
        "status": status.value,
        "placed_at": order.ordered_at,
        "ship_by": order.ship_by,
        "data": data,
        "updated_at": now,
    }
    if warehouse_id is not None:
        values["warehouse_id"] = warehouse_id
    order_id = int(conn.execute(
        _insert(conn, orders).values(tenant_id=order.tenant_id, channel=order.channel.value,
                                     marketplace_order_id=order.marketplace_order_id,
                                     created_at=now, **values)
        .on_conflict_do_update(index_elements=["tenant_id", "channel", "marketplace_order_id"],
                               set_=values)
        .returning(orders.c.id)).scalar_one())
    for line in order.lines:
        line_values = {"channel_sku": line.sku, "quantity": line.quantity,
                       "status": line.status.value, "data": line.model_dump(mode="json")}
        conn.execute(_insert(conn, order_lines).values(
            tenant_id=order.tenant_id, order_id=order_id, line_ref=line.line_id, **line_values)
            .on_conflict_do_update(index_elements=["order_id", "line_ref"], set_=line_values))
    return order_id


def set_status(conn: Connection, order_id: int, status: OrderStatus, now: datetime,
               warehouse_id: str | None = None) -> None:
    values: dict[str, object] = {"status": status.value, "updated_at": now}
    if warehouse_id is not None:
        values["warehouse_id"] = warehouse_id
    conn.execute(orders.update().where(orders.c.id == order_id).values(**values))


def replace_lines(conn: Connection, order_id: int, lines: Iterable[OrderLine]) -> None:
    """Write the hub's knowledge of lines (units shipped or cancelled) back."""
    for line in lines:
        conn.execute(order_lines.update().where(
            order_lines.c.order_id == order_id, order_lines.c.line_ref == line.line_id,
        ).values(status=line.status.value, data=line.model_dump(mode="json")))
    row = conn.execute(sa.select(orders.c.data).where(orders.c.id == order_id)).scalar_one()
    by_id = {line.line_id: line.model_dump(mode="json") for line in lines}
    data = {**row, "lines": [by_id.get(line["line_id"], line) for line in row["lines"]]}
    conn.execute(orders.update().where(orders.c.id == order_id).values(data=data))


def _stored(row: sa.Row[tuple[object, ...]]) -> StoredOrder:
    m = row._mapping
    status = OrderStatus(m["status"])
    order = Order.model_validate({**m["data"], "status": status.value})
    return StoredOrder(id=int(m["id"]), status=status, warehouse_id=m["warehouse_id"],
                       order=order)


def get(conn: Connection, order_id: int, *, for_update: bool = False) -> StoredOrder | None:
    query = orders.select().where(orders.c.id == order_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else _stored(row)


def find(conn: Connection, tenant_id: str, channel: str,
         marketplace_order_id: str) -> StoredOrder | None:
    row = conn.execute(orders.select().where(
        orders.c.tenant_id == tenant_id, orders.c.channel == channel,
        orders.c.marketplace_order_id == marketplace_order_id)).first()
    return None if row is None else _stored(row)


def with_status(conn: Connection, tenant_id: str, *statuses: OrderStatus,
                account_id: str | None = None) -> list[StoredOrder]:
    query = orders.select().where(orders.c.tenant_id == tenant_id,
                                  orders.c.status.in_([s.value for s in statuses])) \
        .order_by(orders.c.id)
    if account_id is not None:
        query = query.where(orders.c.account_id == account_id)
    return [_stored(row) for row in conn.execute(query)]


def counts(conn: Connection, tenant_id: str | None = None) -> dict[tuple[str, str], int]:
    """(channel, hub status) → number of orders."""
    query = sa.select(orders.c.channel, orders.c.status, sa.func.count()) \
        .group_by(orders.c.channel, orders.c.status)
    if tenant_id is not None:
        query = query.where(orders.c.tenant_id == tenant_id)
    return {(str(c), str(s)): int(n) for c, s, n in conn.execute(query)}
