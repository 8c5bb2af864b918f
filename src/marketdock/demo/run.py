"""``marketdock demo``: the hub against simulated OTTO, Amazon and a 3PL, on one clock.

The demo builds a fresh SQLite database in its folder, seeds a catalogue into the
simulators and the hub, places orders on both marketplaces, and runs the hub's scheduler
and a worker in this process while the simulated world moves on in steps. Waiting for
API quota lets simulated time pass (the rate limiter sleeps on the world's clock), so a
day of trading takes seconds and the marketplaces' rate limits still hold.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from marketdock.config import Config, parse_config
from marketdock.demo import seeding
from marketdock.demo.report import Outcome, measure
from marketdock.demo.world import AMAZON_URL, OTTO_URL, SHIPBOB_URL, WarehouseKind, World
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.engine.schema import published_stock
from marketdock.errors import ConfigError
from marketdock.flows.store import stock as stock_store
from marketdock.hub import Hub
from marketdock.sandbox import amazon, otto
from marketdock.sandbox.filewarehouse.edifact_documents import HUB_ID, WAREHOUSE_ID
from marketdock.sandbox.filewarehouse.warehouse import SANDBOX_PARTNER
from marketdock.sandbox.scenarios import ScenarioOrder, generate_catalogue, generate_orders
from marketdock.sandbox.serve import parse_fault_option
from marketdock.sandbox.warehouse import shipbob
from marketdock.sandbox.warehouse.shipbob_wire import FULFILLMENT_CENTER

STEP_SECONDS = 120.0
SETTLE_SECONDS = 600.0
"""After the last order settled: time for stock pushes in flight to be applied."""

_CONFIG = """
[worker]
concurrency = 1
poll_interval = 0.01

[[tenants]]
id = "demo"
name = "Demo Brand GmbH"

[[tenants.channels]]
id = "otto"
kind = "otto"
base_url = "{otto_url}"
[tenants.channels.credentials]
client_id = {{ env = "OTTO_CLIENT_ID" }}
client_secret = {{ env = "OTTO_CLIENT_SECRET" }}

[[tenants.channels]]
id = "amazon-eu"
kind = "amazon"
base_url = "{amazon_url}"
marketplace_ids = ["A1PA6795UKMFR9", "A1F83G8C2ARO7P"]
[tenants.channels.options]
seller_id = "{seller_id}"
[tenants.channels.credentials]
client_id = {{ env = "AMAZON_LWA_CLIENT_ID" }}
client_secret = {{ env = "AMAZON_LWA_CLIENT_SECRET" }}
refresh_token = {{ env = "AMAZON_REFRESH_TOKEN" }}

[[tenants.warehouses]]
id = "main"
kind = "{warehouse_kind}"
cutoff = "14:00"
timezone = "Europe/Berlin"
ships_to = ["DE", "AT", "GB"]
[tenants.warehouses.ship_from]
company = "Demo Fulfilment GmbH"
street = "Lagerstrasse"
house_number = "12"
postal_code = "21079"
city = "Hamburg"
country_code = "DE"
[tenants.warehouses.connection]
{connection}

[tenants.stock_policy]
safety_buffer = 1
[tenants.stock_policy.channels.otto]
floor = 1
[tenants.stock_policy.channels.amazon-eu]
percentage = 90

{schedules}
"""

SCHEDULES = (("orders", 300), ("shipments", 300), ("stock", 900), ("stock.read_back", 3600),
             ("inbound", 900), ("returns", 900), ("receipts", 3600),
             ("stock.full", 86400), ("shipments.reconfirm_unmapped", 3600),
             ("orders.reevaluate", 3600))


def _schedules(extra: Iterable[tuple[str, int]]) -> str:
    return "\n".join(f'[[tenants.schedules]]\nflow = "{flow}"\nevery_seconds = {every}\n'
                     for flow, every in (*SCHEDULES, *extra))


@dataclass
class DemoOptions:
    directory: Path
    orders: int = 40
    warehouse: WarehouseKind = "rest"
    faults: list[str] = field(default_factory=list)
    seed: int = 7
    max_hours: float = 72.0
    """Simulated hours after which an unsettled run stops."""
    short_pick_rate: float = 0.02
    split_probability: float = 0.1


class Demo:
    def __init__(self, options: DemoOptions) -> None:
        if options.orders < 0:
            raise ConfigError("--orders must be 0 or more")
        self.options = options
        self.world = World(seed=options.seed, warehouse=options.warehouse,
                           short_pick_rate=options.short_pick_rate,
                           split_probability=options.split_probability)
        for text in options.faults:
            simulator, switch, spec = parse_fault_option(text)
            self.world.faults[simulator].set(switch, spec)
        options.directory.mkdir(parents=True, exist_ok=True)
        for stale in options.directory.glob("demo.db*"):
            stale.unlink()
        shutil.rmtree(options.directory / "sftp", ignore_errors=True)  # an earlier run's files
        self.db = Database.from_url(f"sqlite:///{(options.directory / 'demo.db').resolve()}")
        self.environ = self._credentials()
        self.config = self._config()
        limiter = RateLimiter(self.db, clock=lambda: self.world.clock.now().timestamp(),
                              sleep=lambda seconds: None if self.world.advance(seconds) else None)
        self.hub = Hub(self.config, environ=self.environ, clock=self.world.clock, db=self.db,
                       http=self.world.http, limiter=limiter)
        self.hub.prepare(upgrade=True)
        self.catalogue = generate_catalogue(options.seed)
        now = self.world.clock.now()
        seeding.seed_world(self.catalogue, self.world.otto_state, self.world.amazon_state,
                           self.world.floor, now)
        with self.db.begin() as conn:
            seeding.seed_hub(conn, self.catalogue, now,
                             return_label_count=max(50, options.orders * 3))
        per_hour = max(60.0, options.orders * 2.0)
        self.pending: list[ScenarioOrder] = sorted(
            [*generate_orders(options.seed, options.orders // 2, "otto",
                              catalogue=self.catalogue, start=now, orders_per_hour=per_hour),
             *generate_orders(options.seed, options.orders - options.orders // 2, "amazon",
                              catalogue=self.catalogue, start=now, orders_per_hour=per_hour)],
            key=lambda o: o.ordered_at)
        self.placed = {"otto": 0, "amazon": 0}
        self.worker = self.hub.worker("demo")
        self.scheduler = self.hub.scheduler()
        self.started = time.monotonic()

    def _credentials(self) -> dict[str, str]:
        lwa = amazon.Credentials()
        return {"OTTO_CLIENT_ID": otto.DEFAULT_CLIENT_ID,
                "OTTO_CLIENT_SECRET": otto.DEFAULT_CLIENT_SECRET,
                "AMAZON_LWA_CLIENT_ID": lwa.client_id,
                "AMAZON_LWA_CLIENT_SECRET": lwa.client_secret,
                "AMAZON_REFRESH_TOKEN": next(iter(lwa.refresh_tokens)),
                "WMS_API_KEY": shipbob.DEFAULT_TOKEN, "SFTP_PASSWORD": ""}

    def _config(self) -> Config:
        kind = self.options.warehouse
        if kind == "rest":
            connection = (f'base_url = "{SHIPBOB_URL}"\n'
                          f'channel_id = "{shipbob.DEFAULT_CHANNEL_ID}"\n'
                          f'fulfillment_center_id = {FULFILLMENT_CENTER["id"]}\n'
                          'api_key = { env = "WMS_API_KEY" }')
        else:
            drop = self.world.open_drop(self.options.directory / "sftp").credentials
            self.environ["SFTP_PASSWORD"] = drop.password
            connection = (f'host = "{drop.host}"\nport = {drop.port}\n'
                          f'username = "{drop.username}"\n'
                          'password = { env = "SFTP_PASSWORD" }\n'
                          f'known_host_key = "{drop.known_hosts_line}"')
            if kind == "x12":
                partner = SANDBOX_PARTNER
                connection += (f'\nsender_qualifier = "{partner.receiver_qualifier}"'
                               f'\nsender_id = "{partner.receiver_id}"'
                               f'\nreceiver_qualifier = "{partner.sender_qualifier}"'
                               f'\nreceiver_id = "{partner.sender_id}"\nusage = "T"')
            elif kind == "edifact":
                (hub, hub_qualifier), (wh, wh_qualifier) = HUB_ID, WAREHOUSE_ID
                connection += (f'\nsender_id = "{hub}"\nsender_qualifier = "{hub_qualifier}"'
                               f'\nreceiver_id = "{wh}"\nreceiver_qualifier = "{wh_qualifier}"')
        text = _CONFIG.format(otto_url=OTTO_URL, amazon_url=AMAZON_URL, warehouse_kind=kind,
                              seller_id=amazon.DEFAULT_SELLER,
                              connection=connection, schedules=_schedules(()))
        return parse_config(text, self.environ, base_dir=self.options.directory)

    # ------------------------------------------------------------------ running

    def place(self, order: ScenarioOrder) -> None:
        """Place ``order`` on its marketplace now."""
        if order.channel == "otto":
            seeding.place_otto(self.world.otto_state, order, order.ordered_at)
        else:
            seeding.place_amazon(self.world.amazon_state, order, order.ordered_at)
        self.placed[order.channel] += 1

    def _place_due(self) -> None:
        now = self.world.clock.now()
        while self.pending and self.pending[0].ordered_at <= now:
            self.place(self.pending.pop(0))

    def step(self, seconds: float = STEP_SECONDS) -> None:
        """Move the world on by ``seconds`` and let the hub do what came due."""
        self.world.advance(seconds)
        self._place_due()
        self.scheduler.tick()
        self.worker.run(until_idle=True)
        self.world.step_files()

    def outcome(self) -> Outcome:
        return measure(self.world, self.db, self.placed)

    def run(self, *, until_settled: bool = True,
            progress: Callable[[Outcome], None] | None = None) -> Outcome:
        """Step until every order has settled (or ``max_hours`` of simulated time)."""
        deadline = self.world.clock.now().timestamp() + self.options.max_hours * 3600
        self._place_due()
        while True:
            self.step()
            outcome = self.outcome()
            if progress is not None:
                progress(outcome)
            done = not self.pending and outcome.settled
            if until_settled and done:
                return self._after_settling(progress)
            if self.world.clock.now().timestamp() >= deadline:
                return outcome

    def _after_settling(self, progress: Callable[[Outcome], None] | None) -> Outcome:
        """Let the last stock changes land (a feed takes minutes), then measure: at least
        ``SETTLE_SECONDS``, and on until no quantity is queued or in flight (at most an
        hour more)."""
        for n in range(int((SETTLE_SECONDS + 3600) // STEP_SECONDS)):
            self.step()
            if n * STEP_SECONDS >= SETTLE_SECONDS and not self._stock_in_flight():
                break
        outcome = self.outcome()
        if progress is not None:
            progress(outcome)
        return outcome

    def _stock_in_flight(self) -> bool:
        with self.db.read() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(published_stock).where(
                published_stock.c.status.in_((stock_store.QUEUED, stock_store.PENDING)))
            ).scalar_one() > 0

    def report(self, outcome: Outcome) -> dict[str, object]:
        return {**outcome.as_dict(), "simulated_hours": round(
            (self.world.clock.now() - self.world.start).total_seconds() / 3600, 2),
            "warehouse": self.options.warehouse,
            "wall_seconds": round(time.monotonic() - self.started, 2)}

    def close(self) -> None:
        self.world.close()
        self.hub.close()
