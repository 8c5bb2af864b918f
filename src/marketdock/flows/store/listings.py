"""Listings: which warehouse SKUs (or kit of SKUs) a channel SKU sells.

The key is the channel SKU of a channel account, never the EAN: EANs are shared across
listings. An FBA listing is stored so that it is never sent warehouse stock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.domain import FulfilmentChannel, KitComponent, Listing, ListingKind
from marketdock.engine.schema import listings as table


def upsert(conn: Connection, listing: Listing, now: datetime) -> None:
    components = [{"warehouse_sku": c.warehouse_sku, "quantity": c.quantity}
                  for c in listing.bill_of_materials]
    values = {"fulfilment": listing.fulfilment.value, "ean": listing.ean,
              "components": components, "active": True, "updated_at": now}
    insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    conn.execute(insert.values(tenant_id=listing.tenant_id,
                               account_id=listing.channel_account_id,
                               channel_sku=listing.channel_sku, **values)
                 .on_conflict_do_update(index_elements=["tenant_id", "account_id", "channel_sku"],
                                        set_=values))


def _from_row(row: sa.Row[tuple[object, ...]]) -> Listing:
    m = row._mapping
    components = tuple(KitComponent(warehouse_sku=c["warehouse_sku"], quantity=c["quantity"])
                       for c in m["components"])
    single = len(components) == 1 and components[0].quantity == 1
    return Listing(
        tenant_id=m["tenant_id"], channel_account_id=m["account_id"],
        channel_sku=m["channel_sku"],
        kind=ListingKind.SINGLE if single else ListingKind.KIT,
        warehouse_sku=components[0].warehouse_sku if single else None,
        components=() if single else components,
        fulfilment=FulfilmentChannel(m["fulfilment"]), ean=m["ean"])


def get(conn: Connection, tenant_id: str, account_id: str, channel_sku: str) -> Listing | None:
    row = conn.execute(table.select().where(
        table.c.tenant_id == tenant_id, table.c.account_id == account_id,
        table.c.channel_sku == channel_sku, table.c.active.is_(True))).first()
    return None if row is None else _from_row(row)


def for_account(conn: Connection, tenant_id: str, account_id: str | None = None) -> list[Listing]:
    query = table.select().where(table.c.tenant_id == tenant_id, table.c.active.is_(True)) \
        .order_by(table.c.account_id, table.c.channel_sku)
    if account_id is not None:
        query = query.where(table.c.account_id == account_id)
    return [_from_row(row) for row in conn.execute(query)]


def find(conn: Connection, tenant_id: str, account_id: str,
         channel_skus: Iterable[str]) -> dict[str, Listing]:
    skus = sorted(set(channel_skus))
    if not skus:
        return {}
    rows = conn.execute(table.select().where(
        table.c.tenant_id == tenant_id, table.c.account_id == account_id,
        table.c.channel_sku.in_(skus), table.c.active.is_(True)))
    return {row.channel_sku: _from_row(row) for row in rows}
