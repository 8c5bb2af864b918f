"""Both connectors, built from a warehouse config, over a real SFTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from marketdock.config import WarehouseConfig
from marketdock.connectors.factory import BuildContext
from marketdock.connectors.filewarehouse import build_csv, build_x12
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.sandbox.filewarehouse import FileWarehouse
from marketdock.sandbox.sftp import SftpDropServer, running_sftp_drop
from marketdock.sandbox.warehouse import Floor, FloorConfig, ManualClock
from marketdock.secrets import SecretResolver

from .conftest import AT, order


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SftpDropServer]:
    with running_sftp_drop(tmp_path / "drop") as running:
        yield running


def config(kind: str, server: SftpDropServer, **connection: Any) -> WarehouseConfig:
    drop = server.credentials
    return WarehouseConfig.model_validate({
        "id": "wh1", "kind": kind, "cutoff": "14:00", "timezone": "Europe/Berlin",
        "ship_from": {"company": "Lager", "street": "Lagerweg", "house_number": "1",
                      "postal_code": "20095", "city": "Hamburg", "country_code": "DE"},
        "connection": {"host": drop.host, "port": drop.port, "username": drop.username,
                       "known_host_key": drop.known_hosts_line, **connection}})


def context(db: Database, environ: dict[str, str]) -> BuildContext:
    def no_http(base_url: str) -> Any:
        raise AssertionError(f"a file warehouse makes no HTTP calls ({base_url})")

    return BuildContext("t1", db, RateLimiter(db), SecretResolver(environ), FrozenClock(AT),
                        no_http)


def floor() -> Floor:
    world = Floor(FloorConfig(seed=1, split_probability=0.0), clock=ManualClock(AT))
    world.set_stock("MUG", 5)
    return world


def test_x12_round_trip(db: Database, server: SftpDropServer) -> None:
    warehouse = FileWarehouse(floor(), server.floor, dialect="x12", stock_every=1e9)
    port = build_x12(context(db, {"DROP_PASSWORD": server.credentials.password}), config(
        "x12", server, password={"env": "DROP_PASSWORD"}, sender_qualifier="ZZ",
        sender_id="MARKETDOCK", receiver_qualifier="ZZ", receiver_id="MDSANDBOXWH",
        usage="T", ack_timeout_minutes=15))
    name = port.send_order(order("MD-40", ("i1", "MUG", 2)))
    warehouse.step()
    warehouse.advance(4 * 3600)
    assert warehouse.state.applied == [name]
    updates = port.fetch_updates(None)
    (package,) = updates.packages
    assert package.order_reference == "MD-40" and dict(package.line_quantities) == {"i1": 2}
    sent = port.ledger.file(name, "out")
    assert sent is not None and sent.status == "accepted"
    port.fetch_updates(updates.cursor)
    snapshot = port.fetch_stock()
    assert [(p.sku, p.on_hand) for p in snapshot.positions] == [("MUG", 5)]
    warehouse.step()  # takes our 997s
    assert sorted(warehouse.state.acknowledged) == sorted(
        n for n, kind in warehouse.state.sent.items() if kind in ("945", "846"))


def test_csv_round_trip_with_a_key(db: Database, server: SftpDropServer) -> None:
    warehouse = FileWarehouse(floor(), server.floor, dialect="csv", stock_every=1e9)
    port = build_csv(context(db, {"DROP_KEY": server.credentials.client_private_key}),
                     config("csv", server, private_key={"env": "DROP_KEY"}))
    port.send_order(order("MD-41", ("l1", "MUG", 1)))
    warehouse.step()
    warehouse.advance(4 * 3600)
    updates = port.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["MD-41"]
    # the first snapshot was taken with the order allocated
    assert [(p.sku, p.on_hand, p.available) for p in port.fetch_stock().positions] == [
        ("MUG", 5, 4)]
