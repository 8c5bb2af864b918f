"""The migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketdock.engine.db import Database
from marketdock.engine.migrate import current_revision, head_revision, upgrade
from marketdock.engine.schema import metadata


def test_migrations_from_empty_equal_the_schema(empty_db_url: str) -> None:
    db = Database.from_url(empty_db_url)
    assert current_revision(db) is None
    upgrade(db)
    assert current_revision(db) == head_revision()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    upgrade(db)  # running it again changes nothing
    assert current_revision(db) == head_revision()
    db.dispose()


def test_every_table_is_scoped_by_tenant() -> None:
    unscoped = [t.name for t in metadata.sorted_tables
                if "tenant_id" not in t.c and t.name != "tenants"]
    assert unscoped == []
