"""Warehouse webhooks reach the hub through the HTTP API and make it poll at once."""

from __future__ import annotations

from marketdock.api.app import create_app
from marketdock.config import parse_config
from marketdock.engine import outbox
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import JobStatus
from marketdock.hub import Hub
from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.warehouse import Floor, FloorConfig, ManualClock, shipbob
from tests.connectors.shipbob.harness import ENV, START, Hooks, order
from tests.connectors.shipbob.test_build import CONFIG


def test_a_signed_delivery_is_taken_and_a_forged_one_refused(db: Database) -> None:
    floor = Floor(FloorConfig(seed=3, pick_delay=600, pack_delay=300, ship_delay=300),
                  clock=ManualClock(START))
    floor.set_stock("MUG", 10)
    hooks = Hooks()
    app = shipbob.create_app(floor, FaultSwitches(seed=3), sender=hooks)
    shipbob.simulator_of(app).webhooks.subscribe(
        "http://hub.test/hooks/warehouses/acme/hh", ("order.shipped",),
        ENV["SHIPBOB_HOOK_SECRET"])
    clock = FrozenClock(START)
    hub = Hub(parse_config(CONFIG, ENV), environ=ENV, clock=clock, db=db,
              http=lambda url: client_for(app, base_url=url))
    hub.ports.warehouse("acme", "hh").send_order(order("H-1", ("L1", "MUG", 2)))
    floor.advance(86400)
    clock.advance(86400)
    ((headers, body),) = hooks.calls
    api = client_for(create_app(db, hub.clock, hub.receive_warehouse_webhook),
                     base_url="http://hub.test")

    taken = api.post("/hooks/warehouses/acme/hh", headers=headers, content=body)
    assert taken.status_code == 202 and taken.json() == {"packages": 1}
    with db.read() as conn:
        assert [j.task for j in outbox.list_jobs(conn, JobStatus.TODO)] == ["shipments"]

    forged = api.post("/hooks/warehouses/acme/hh", headers=headers,
                      content=body.replace(b'"quantity":2', b'"quantity":1'))
    assert forged.status_code == 401
    assert api.post("/hooks/warehouses/acme/nowhere", headers=headers,
                    content=body).status_code == 404
    no_hooks = client_for(create_app(db), base_url="http://hub.test")
    assert no_hooks.post("/hooks/warehouses/acme/hh", headers=headers,
                         content=body).status_code == 404
