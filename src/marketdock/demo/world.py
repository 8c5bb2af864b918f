"""The simulated world of the demo: OTTO, Amazon and a 3PL, in this process, on one clock.

Every simulator keeps its own clock; :meth:`World.advance` moves them all (and the hub's
engine clock) together, so a day of marketplace and warehouse activity takes seconds and
runs the same way every time for the same seed.

The 3PL speaks REST (the ShipBob shape, in-process) or files: with ``warehouse`` set to
``x12``, ``edifact`` or ``csv`` a real SFTP drop listens on loopback
(:meth:`World.open_drop`) and a file warehouse on the same floor takes and writes its files
whenever the world advances.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx

from marketdock.engine.clock import FrozenClock
from marketdock.sandbox import amazon, otto
from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.filewarehouse import FileWarehouse
from marketdock.sandbox.sftp import SftpDropServer, running_sftp_drop
from marketdock.sandbox.warehouse import Floor, FloorConfig, ManualClock, shipbob

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

OTTO_URL = "http://otto.sandbox"
AMAZON_URL = "http://amazon.sandbox"
SHIPBOB_URL = "http://3pl.sandbox"

WarehouseKind = Literal["rest", "x12", "edifact", "csv"]


@dataclass
class World:
    seed: int = 7
    start: datetime = START
    short_pick_rate: float = 0.02
    split_probability: float = 0.1
    faults: dict[str, FaultSwitches] = field(default_factory=dict)
    warehouse: WarehouseKind = "rest"

    def __post_init__(self) -> None:
        self.clock = FrozenClock(self.start)
        for name in ("otto", "amazon", "3pl", "sftp"):
            self.faults.setdefault(name, FaultSwitches(seed=self.seed))
        self.otto_clock = otto.SimulatedClock(self.start)
        self.otto_state = otto.OttoState(config=otto.OttoConfig(
            processable_delay=timedelta(minutes=20), seed=self.seed))
        self.otto_app = otto.create_app(self.otto_state, self.faults["otto"], self.otto_clock)
        self.amazon_clock = amazon.SimulatedClock(self.start)
        self.amazon_state = amazon.AmazonState(config=amazon.SimConfig(pending_seconds=900))
        self.amazon_app = amazon.create_app(self.amazon_state, self.faults["amazon"],
                                            self.amazon_clock)
        self.floor_clock = ManualClock(self.start)
        self.floor = Floor(FloorConfig(seed=self.seed, short_pick_rate=self.short_pick_rate,
                                       split_probability=self.split_probability,
                                       pick_delay=1800, pack_delay=600, ship_delay=900),
                           clock=self.floor_clock)
        self.shipbob_app = shipbob.create_app(self.floor, self.faults["3pl"])
        self._apps: dict[str, Any] = {OTTO_URL: self.otto_app, AMAZON_URL: self.amazon_app,
                                      SHIPBOB_URL: self.shipbob_app}
        self._clients: list[httpx.Client] = []
        self._stack = ExitStack()
        self.drop: SftpDropServer | None = None
        self.file_warehouse: FileWarehouse | None = None

    def open_drop(self, root: Path) -> SftpDropServer:
        """Serve the file warehouse's SFTP drop from ``root`` (file warehouse worlds only)."""
        if self.warehouse == "rest":
            raise ValueError("a REST warehouse has no SFTP drop")
        if self.drop is None:
            self.drop = self._stack.enter_context(
                running_sftp_drop(root, faults=self.faults["sftp"]))
            self.file_warehouse = FileWarehouse(self.floor, self.drop.floor,
                                                dialect=self.warehouse,
                                                faults=self.faults["sftp"])
        return self.drop

    def http(self, base_url: str) -> httpx.Client:
        """A client whose requests go to the simulator serving ``base_url``, in-process."""
        app = self._apps.get(base_url.rstrip("/"))
        if app is None:
            raise KeyError(f"no simulator serves {base_url}")
        client = client_for(app, base_url=base_url)
        self._clients.append(client)
        return client

    def advance(self, seconds: float) -> datetime:
        """Move every clock forward; the warehouse works through what came due."""
        self.otto_clock.advance(seconds)
        self.amazon_clock.advance(seconds)
        if self.file_warehouse is not None:
            self.file_warehouse.advance(seconds)
        else:
            self.floor.advance(seconds)
        return self.clock.advance(seconds)

    def step_files(self) -> None:
        """Let the file warehouse take what the hub uploaded, without moving time."""
        if self.file_warehouse is not None:
            self.file_warehouse.step()

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._stack.close()
