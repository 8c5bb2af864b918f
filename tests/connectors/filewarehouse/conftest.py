"""A hub-side connector and the sandbox file warehouse on one drop folder (no network)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from marketdock.connectors.filewarehouse import (
    CsvFileWarehouse,
    FileLedger,
    LocalDrop,
    X12FileWarehouse,
)
from marketdock.connectors.filewarehouse.settings import X12Settings
from marketdock.connectors.ports import WarehouseLine, WarehouseOrder
from marketdock.connectors.sftp import SftpFolders
from marketdock.connectors.x12 import TradingPartner
from marketdock.domain import Address
from marketdock.engine.clock import FrozenClock
from marketdock.engine.control_numbers import DatabaseControlNumbers
from marketdock.engine.db import Database
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.filewarehouse import FileWarehouse
from marketdock.sandbox.sftp import DropFloor
from marketdock.sandbox.warehouse import Floor, FloorConfig, ManualClock

AT = datetime(2026, 1, 15, 8, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
HUB = TradingPartner(sender_qualifier="ZZ", sender_id="MARKETDOCK", receiver_qualifier="ZZ",
                     receiver_id="MDSANDBOXWH", usage="T")
ACK_TIMEOUT = timedelta(minutes=30)


def order(reference: str, *lines: tuple[str, str, int]) -> WarehouseOrder:
    return WarehouseOrder(
        reference=reference,
        lines=[WarehouseLine(line_ref=ref, sku=sku, quantity=qty) for ref, sku, qty in lines],
        ship_to=Address(name="Jörg Müller", street="Hauptstraße", house_number="5",
                        postal_code="10115", city="Berlin", country_code="DE"))


@dataclass
class Setup:
    floor: Floor
    drop: DropFloor
    warehouse: FileWarehouse
    clock: FrozenClock
    faults: FaultSwitches

    def run(self, hours: float = 4) -> None:
        """Let the warehouse take what the hub sent and work for a while."""
        self.warehouse.step()
        self.warehouse.advance(hours * 3600)
        self.clock.advance(hours * 3600)


def make_setup(root: Path, dialect: str, *, short_pick_rate: float = 0.0,
               max_items_per_parcel: int | None = None) -> Setup:
    drop = DropFloor(root, SftpFolders(), FaultSwitches())
    drop.prepare()
    floor = Floor(FloorConfig(seed=3, short_pick_rate=short_pick_rate, split_probability=0.0,
                              max_items_per_parcel=max_items_per_parcel),
                  clock=ManualClock(AT))
    floor.set_stock("MUG", 10)
    floor.set_stock("TEA", 10)
    faults = FaultSwitches()
    warehouse = FileWarehouse(floor, drop, dialect=dialect,  # type: ignore[arg-type]
                              faults=faults, stock_every=1e9)
    return Setup(floor, drop, warehouse, FrozenClock(AT), faults)


@pytest.fixture
def x12_setup(tmp_path: Path) -> Setup:
    return make_setup(tmp_path / "drop", "x12")


@pytest.fixture
def csv_setup(tmp_path: Path) -> Setup:
    return make_setup(tmp_path / "drop", "csv")


def x12_port(db: Database, setup: Setup, root: Path) -> X12FileWarehouse:
    return X12FileWarehouse(
        lambda: LocalDrop(root), FileLedger(db, "t1", "wh1", setup.clock), SftpFolders(),
        X12Settings(HUB, ACK_TIMEOUT), DatabaseControlNumbers(db, "t1", "x12:wh1"),
        setup.clock, BERLIN)


def csv_port(db: Database, setup: Setup, root: Path) -> CsvFileWarehouse:
    return CsvFileWarehouse(
        lambda: LocalDrop(root), FileLedger(db, "t1", "wh1", setup.clock), SftpFolders(),
        DatabaseControlNumbers(db, "t1", "csv:wh1"), setup.clock)


@pytest.fixture
def x12(db: Database, x12_setup: Setup) -> Iterator[X12FileWarehouse]:
    yield x12_port(db, x12_setup, x12_setup.drop.root)


@pytest.fixture
def csv(db: Database, csv_setup: Setup) -> Iterator[CsvFileWarehouse]:
    yield csv_port(db, csv_setup, csv_setup.drop.root)
