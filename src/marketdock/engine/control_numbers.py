"""X12 control numbers kept in the database, so a restart never reuses one.

Implements :class:`marketdock.connectors.x12.partner.ControlNumbers` for one trading
partner of one tenant. Each number is taken in its own transaction with a row lock, so
several workers writing documents for the same partner never hand out the same number.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from marketdock.connectors.x12.partner import MAX_CONTROL_NUMBER
from marketdock.engine.db import Database
from marketdock.engine.schema import control_numbers


class DatabaseControlNumbers:
    def __init__(self, db: Database, tenant_id: str, partner: str) -> None:
        self.db = db
        self.tenant_id = tenant_id
        self.partner = partner

    def _take(self, kind: str) -> int:
        table = control_numbers
        where = (table.c.tenant_id == self.tenant_id, table.c.partner == self.partner,
                 table.c.kind == kind)
        insert = postgresql.insert(table) if self.db.is_postgres else sqlite.insert(table)
        with self.db.begin() as conn:
            conn.execute(insert.values(tenant_id=self.tenant_id, partner=self.partner, kind=kind,
                                       value=1).on_conflict_do_nothing())
            value = int(conn.execute(table.select().with_only_columns(table.c.value)
                                     .where(*where).with_for_update()).scalar_one())
            following = value + 1 if value < MAX_CONTROL_NUMBER else 1
            conn.execute(table.update().where(*where).values(value=following))
        return value

    def next_interchange(self) -> int:
        return self._take("isa")

    def next_group(self) -> int:
        return self._take("gs")

    def next_transaction(self) -> int:
        return self._take("st")
