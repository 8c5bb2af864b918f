"""The encrypted secret store on the database (ciphertext only; see marketdock.secrets)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from marketdock.engine.db import Database
from marketdock.engine.schema import secrets


class DatabaseSecretStore:
    """:class:`marketdock.secrets.SecretStore` on the ``secrets`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, tenant_id: str, name: str) -> bytes | None:
        with self.db.read() as conn:
            value = conn.execute(sa.select(secrets.c.ciphertext).where(
                secrets.c.tenant_id == tenant_id, secrets.c.name == name)).scalar_one_or_none()
        return None if value is None else bytes(value)

    def put(self, tenant_id: str, name: str, ciphertext: bytes) -> None:
        now = datetime.now(UTC)
        with self.db.begin() as conn:
            updated = conn.execute(secrets.update().where(
                secrets.c.tenant_id == tenant_id, secrets.c.name == name
            ).values(ciphertext=ciphertext, updated_at=now)).rowcount
            if not updated:
                conn.execute(secrets.insert().values(
                    tenant_id=tenant_id, name=name, ciphertext=ciphertext, updated_at=now))

    def names(self, tenant_id: str) -> list[str]:
        with self.db.read() as conn:
            return list(conn.execute(sa.select(secrets.c.name).where(
                secrets.c.tenant_id == tenant_id).order_by(secrets.c.name)).scalars())
