"""Warehouse stock positions and the stock published to each channel, with its explanation.

``stock_positions`` holds the last figures each warehouse reported per SKU; a figure older
than the stored one never overwrites it, so a late report cannot bring back stock that a
newer one (or a short-pick) took away.

``published_stock`` holds, per channel account and channel SKU, the last computed quantity,
its explanation and how far it got:

- ``queued``: computed and not yet accepted by the marketplace;
- ``applied`` / ``pending``: the marketplace took it (``pending``: for asynchronous
  processing, e.g. in a feed); the quantity is the one published;
- ``rejected`` / ``unknown_sku``: the marketplace refused it; sent again when the
  quantity changes or on a full re-push.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.connectors.ports import StockSnapshot
from marketdock.engine.schema import published_stock, stock_positions
from marketdock.flows.stock_rule import StockExplanation

QUEUED = "queued"
APPLIED = "applied"
PENDING = "pending"
REJECTED = "rejected"
UNKNOWN_SKU = "unknown_sku"

_SELECTIVE = 500
"""Up to this many SKUs are looked up by name; more, and the warehouses' rows are read."""


def _insert(conn: Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


# ---------------------------------------------------------------- warehouse stock


def apply_snapshot(conn: Connection, tenant_id: str, warehouse_id: str,
                   snapshot: StockSnapshot) -> None:
    """Store a warehouse's report, every position as of ``snapshot.as_of``.

    A full report sets every SKU of the warehouse it does not name to zero.
    """
    as_of = snapshot.as_of
    rows = [{"tenant_id": tenant_id, "warehouse_id": warehouse_id, "sku": p.sku,
             "on_hand": p.on_hand, "allocated": p.allocated, "available": p.available,
             "blocked": p.blocked, "as_of": as_of} for p in snapshot.positions]
    if rows:
        insert = _insert(conn, stock_positions)
        conn.execute(insert.on_conflict_do_update(
            index_elements=["tenant_id", "warehouse_id", "sku"],
            set_={name: insert.excluded[name]
                  for name in ("on_hand", "allocated", "available", "blocked", "as_of")},
            where=stock_positions.c.as_of <= insert.excluded.as_of,
        ), rows)
    if snapshot.full:
        # Rows this report did not write are older than it: the warehouse has none of them.
        conn.execute(stock_positions.update().where(
            stock_positions.c.tenant_id == tenant_id,
            stock_positions.c.warehouse_id == warehouse_id,
            stock_positions.c.as_of < as_of,
        ).values(on_hand=0, allocated=0, available=0, blocked=0, as_of=as_of))


def stock_out(conn: Connection, tenant_id: str, sku: str, warehouse_ids: Collection[str],
              now: datetime) -> None:
    """Nothing of ``sku`` is pickable at these warehouses until a newer report says so."""
    conn.execute(stock_positions.update().where(
        stock_positions.c.tenant_id == tenant_id, stock_positions.c.sku == sku,
        stock_positions.c.warehouse_id.in_(sorted(warehouse_ids)),
    ).values(available=0, as_of=now))


def pickable(conn: Connection, tenant_id: str, warehouse_ids: Collection[str],
             skus: Collection[str] | None = None) -> dict[tuple[str, str], int]:
    """(warehouse id, SKU) → units the warehouse can pick, for the SKUs it reported."""
    query = sa.select(stock_positions.c.warehouse_id, stock_positions.c.sku,
                      stock_positions.c.available).where(
        stock_positions.c.tenant_id == tenant_id,
        stock_positions.c.warehouse_id.in_(sorted(warehouse_ids)))
    if skus is not None and len(skus) <= _SELECTIVE:
        query = query.where(stock_positions.c.sku.in_(sorted(skus)))
    wanted = None if skus is None else set(skus)
    return {(str(w), str(s)): int(n) for w, s, n in conn.execute(query)
            if wanted is None or s in wanted}


# ---------------------------------------------------------------- published stock


@dataclass(frozen=True)
class Published:
    channel_sku: str
    quantity: int
    status: str
    explanation: StockExplanation
    reference: str | None
    marketplace_quantity: int | None
    published_at: datetime
    """When the quantity was accepted; for a queued one, when it was computed."""
    checked_at: datetime | None


def _published(row: sa.Row[tuple[object, ...]]) -> Published:
    m = row._mapping
    return Published(channel_sku=m["channel_sku"], quantity=m["quantity"], status=m["status"],
                     explanation=StockExplanation.model_validate(m["explanation"]),
                     reference=m["reference"], marketplace_quantity=m["marketplace_quantity"],
                     published_at=m["published_at"], checked_at=m["checked_at"])


def _key(tenant_id: str, account_id: str) -> list[sa.ColumnElement[bool]]:
    return [published_stock.c.tenant_id == tenant_id, published_stock.c.account_id == account_id]


def published(conn: Connection, tenant_id: str, account_id: str,
              channel_skus: Collection[str] | None = None) -> dict[str, Published]:
    query = published_stock.select().where(*_key(tenant_id, account_id))
    if channel_skus is not None:
        query = query.where(published_stock.c.channel_sku.in_(sorted(channel_skus)))
    return {row.channel_sku: _published(row) for row in conn.execute(query)}


def get(conn: Connection, tenant_id: str, account_id: str, channel_sku: str) -> Published | None:
    return published(conn, tenant_id, account_id, (channel_sku,)).get(channel_sku)


def queue(conn: Connection, tenant_id: str, account_id: str, explanation: StockExplanation,
          now: datetime) -> None:
    """Store a newly computed quantity and its explanation, to be pushed."""
    assert explanation.quantity is not None, "an excluded listing is never published"
    values = {"quantity": explanation.quantity,
              "explanation": explanation.model_dump(mode="json"), "status": QUEUED}
    conn.execute(_insert(conn, published_stock).values(
        tenant_id=tenant_id, account_id=account_id, channel_sku=explanation.channel_sku,
        published_at=now, **values,
    ).on_conflict_do_update(index_elements=["tenant_id", "account_id", "channel_sku"],
                            set_=values))


def set_explanation(conn: Connection, tenant_id: str, account_id: str,
                    explanation: StockExplanation) -> None:
    """Replace the explanation of an unchanged quantity (its terms moved, the result not)."""
    conn.execute(published_stock.update().where(
        *_key(tenant_id, account_id), published_stock.c.channel_sku == explanation.channel_sku,
    ).values(explanation=explanation.model_dump(mode="json")))


def requeue(conn: Connection, tenant_id: str, account_id: str,
            channel_skus: Iterable[str]) -> None:
    skus = sorted(set(channel_skus))
    if skus:
        conn.execute(published_stock.update().where(
            *_key(tenant_id, account_id), published_stock.c.channel_sku.in_(skus),
        ).values(status=QUEUED))


def queued(conn: Connection, tenant_id: str, account_id: str) -> dict[str, int]:
    """Channel SKU → quantity, for every quantity waiting to be pushed."""
    rows = conn.execute(sa.select(published_stock.c.channel_sku, published_stock.c.quantity)
                        .where(*_key(tenant_id, account_id),
                               published_stock.c.status == QUEUED)
                        .order_by(published_stock.c.channel_sku))
    return {str(sku): int(quantity) for sku, quantity in rows}


def settle(conn: Connection, tenant_id: str, account_id: str, channel_sku: str, *,
           quantity: int, status: str, reference: str | None, now: datetime,
           pending_in: str | None = None) -> bool:
    """Record the marketplace's answer for ``quantity`` sent while it was queued (with
    ``pending_in``: the final answer for a quantity pending in that batch); False when a
    newer quantity was computed or sent meanwhile (it stays as it is and goes out next)."""
    values: dict[str, object] = {"status": status, "reference": reference}
    if status in (APPLIED, PENDING) and pending_in is None:
        values["published_at"] = now
    result = conn.execute(published_stock.update().where(
        *_key(tenant_id, account_id), published_stock.c.channel_sku == channel_sku,
        published_stock.c.quantity == quantity, *_waiting_for(pending_in),
    ).values(**values))
    return bool(result.rowcount)


def _waiting_for(pending_in: str | None) -> list[sa.ColumnElement[bool]]:
    if pending_in is None:
        return [published_stock.c.status == QUEUED]
    return [published_stock.c.status == PENDING, published_stock.c.reference == pending_in]


def pending_in(conn: Connection, tenant_id: str, account_id: str,
               reference: str) -> dict[str, int]:
    """Channel SKU → quantity, for every quantity still pending in the asynchronous batch
    ``reference`` (not since replaced by a newer one)."""
    rows = conn.execute(sa.select(published_stock.c.channel_sku, published_stock.c.quantity)
                        .where(*_key(tenant_id, account_id), *_waiting_for(reference))
                        .order_by(published_stock.c.channel_sku))
    return {str(sku): int(quantity) for sku, quantity in rows}


def requeue_pending(conn: Connection, tenant_id: str, account_id: str,
                    reference: str) -> int:
    """Queue again every quantity still pending in the batch ``reference`` (it failed or
    never finished); return how many."""
    result = conn.execute(published_stock.update().where(
        *_key(tenant_id, account_id), *_waiting_for(reference)).values(status=QUEUED))
    return int(result.rowcount)


def to_check(conn: Connection, tenant_id: str, account_id: str,
             pending_before: datetime) -> dict[str, int]:
    """Channel SKU → published quantity, for quantities the marketplace should show now:
    applied ones, and pending ones accepted before ``pending_before``."""
    rows = conn.execute(sa.select(published_stock.c.channel_sku, published_stock.c.quantity)
                        .where(*_key(tenant_id, account_id), sa.or_(
                            published_stock.c.status == APPLIED,
                            sa.and_(published_stock.c.status == PENDING,
                                    published_stock.c.published_at < pending_before)))
                        .order_by(published_stock.c.channel_sku))
    return {str(sku): int(quantity) for sku, quantity in rows}


def observed(conn: Connection, tenant_id: str, account_id: str, channel_sku: str,
             marketplace_quantity: int | None, now: datetime) -> None:
    conn.execute(published_stock.update().where(
        *_key(tenant_id, account_id), published_stock.c.channel_sku == channel_sku,
    ).values(marketplace_quantity=marketplace_quantity, checked_at=now))
