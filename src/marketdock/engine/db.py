"""Database access: one SQLAlchemy engine per process, SQLite or PostgreSQL.

SQLite is the embedded default. It runs in WAL mode, and every write transaction starts
with ``BEGIN IMMEDIATE`` so that a claim (read a candidate, then update it) is atomic
across processes, which is what ``FOR UPDATE SKIP LOCKED`` gives on PostgreSQL.
Read-only work uses :meth:`Database.read`, a deferred transaction that never blocks writers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from marketdock.errors import StorageError

DEFAULT_SQLITE_NAME = "marketdock.db"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with marketdock's connection settings."""
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, **kwargs)
            _configure_sqlite(engine)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StorageError(f"cannot use database URL {sa.make_url(url)!r}: {exc}") from exc
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Checkpoint the WAL every ~40 MB instead of ~4 MB: fewer fsyncs under load.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Straight to the driver: this runs once per transaction, and SQLAlchemy's
        # statement machinery would cost more than the BEGIN itself.
        driver = connection.connection.driver_connection
        assert driver is not None
        if connection.get_execution_options().get("marketdock_read_only"):
            driver.execute("BEGIN")
        else:
            driver.execute("BEGIN IMMEDIATE")


class Database:
    """The store's entry point: transactions on one engine.

    A long-running loop (a worker) may :meth:`pin` a connection to its thread, so that its
    many short transactions skip the pool's checkout and check-in.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pinned = threading.local()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(make_engine(url, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def pin(self) -> Iterator[None]:
        """Use one connection for every transaction of this thread until the block ends."""
        if getattr(self._pinned, "conn", None) is not None:
            yield
            return
        with self.engine.connect() as conn:
            self._pinned.conn = conn
            try:
                yield
            finally:
                self._pinned.conn = None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction, committed on success and rolled back on error."""
        pinned: Connection | None = getattr(self._pinned, "conn", None)
        if pinned is not None and not pinned.in_transaction():
            with pinned.begin():
                yield pinned
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction that does not take SQLite's write lock."""
        with self.engine.connect().execution_options(marketdock_read_only=True) as conn, \
                conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
