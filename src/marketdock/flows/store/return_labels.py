"""The pool of return labels per channel account.

OTTO does not accept a parcel shipment without a return tracking key, and most warehouses
report none. A seller then books return labels in advance (e.g. a range of DHL return
numbers) and loads them here; each package that ships without one of its own takes the
next unused label. Taking is idempotent per package: the same package always gets the
same label, however often it is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from marketdock.domain import TrackingKey
from marketdock.engine.schema import return_labels as table


def add(conn: Connection, tenant_id: str, account_id: str, carrier: str,
        tracking_numbers: Iterable[str], now: datetime) -> int:
    """Load labels into the pool; numbers already known are skipped. Returns how many
    were added."""
    known = set(conn.execute(sa.select(table.c.tracking_number).where(
        table.c.tenant_id == tenant_id, table.c.carrier == carrier)).scalars())
    fresh = [n for n in dict.fromkeys(n.strip() for n in tracking_numbers) if n
             and n not in known]
    if fresh:
        conn.execute(table.insert(), [
            {"tenant_id": tenant_id, "account_id": account_id, "carrier": carrier,
             "tracking_number": number, "created_at": now} for number in fresh])
    return len(fresh)


def take(conn: Connection, tenant_id: str, account_id: str, package_key: str,
         now: datetime) -> TrackingKey | None:
    """The label of ``package_key``, taking the oldest unused one the first time; None
    when the pool of the account is empty. Call inside a write transaction."""
    mine = conn.execute(sa.select(table.c.carrier, table.c.tracking_number).where(
        table.c.tenant_id == tenant_id, table.c.account_id == account_id,
        table.c.package_key == package_key)).first()
    if mine is not None:
        return TrackingKey(carrier=mine.carrier, tracking_number=mine.tracking_number)
    query = (sa.select(table.c.id, table.c.carrier, table.c.tracking_number)
             .where(table.c.tenant_id == tenant_id, table.c.account_id == account_id,
                    table.c.package_key.is_(None))
             .order_by(table.c.id).limit(1))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    free = conn.execute(query).first()
    if free is None:
        return None
    conn.execute(table.update().where(table.c.id == free.id)
                 .values(package_key=package_key, used_at=now))
    return TrackingKey(carrier=free.carrier, tracking_number=free.tracking_number)


def remaining(conn: Connection, tenant_id: str) -> dict[tuple[str, str], int]:
    """(account, carrier) → unused labels."""
    rows = conn.execute(sa.select(table.c.account_id, table.c.carrier, sa.func.count())
                        .where(table.c.tenant_id == tenant_id, table.c.package_key.is_(None))
                        .group_by(table.c.account_id, table.c.carrier))
    return {(account, carrier): count for account, carrier, count in rows}
