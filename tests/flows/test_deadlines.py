"""Ship-by deadlines: derived from the warehouse cut-off when the marketplace gives none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketdock.config import parse_config
from marketdock.domain import OrderStatus
from marketdock.engine.db import Database
from marketdock.flows import deadlines
from marketdock.flows.store import orders as order_store
from marketdock.monitor import exceptions
from tests.flows.test_order_and_shipment_flows import CONFIG, order


def test_ship_by_is_the_next_cutoff_plus_handling_days() -> None:
    warehouse = parse_config(CONFIG.replace('timezone = "Europe/Berlin"',
                                            'timezone = "Europe/Berlin"\nhandling_days = 1'),
                             {}).tenant("acme").warehouse("main")
    before_cutoff = order("O-1", ship_by=None, ordered_at=datetime(2026, 1, 5, 12, tzinfo=UTC))
    after_cutoff = order("O-2", ship_by=None, ordered_at=datetime(2026, 1, 5, 14, tzinfo=UTC))
    # 14:00 in Berlin is 13:00 UTC in winter
    assert deadlines.ship_by(before_cutoff, warehouse) == datetime(2026, 1, 6, 13, tzinfo=UTC)
    assert deadlines.ship_by(after_cutoff, warehouse) == datetime(2026, 1, 7, 13, tzinfo=UTC)
    given = order("O-3")
    assert deadlines.ship_by(given, warehouse) == given.ship_by


def test_orders_past_their_deadline_are_flagged_until_they_ship(db: Database) -> None:
    now = datetime(2026, 1, 7, 9, tzinfo=UTC)
    with db.begin() as conn:
        late = order_store.upsert(conn, order("L-1"), OrderStatus.RELEASED, now)
        order_store.upsert(conn, order("L-2", ship_by=now + timedelta(hours=2)),
                           OrderStatus.RELEASED, now)
        order_store.upsert(conn, order("L-3"), OrderStatus.SHIPPED, now)
        assert [number for _, number, _ in deadlines.at_risk(conn, "acme", now)] == [
            "L-1", "L-2"]
        assert deadlines.flag_missed(conn, "acme", now) == 1
        assert [e.object_id for e in exceptions.list_open(conn, "acme")] == [str(late)]
        order_store.set_status(conn, late, OrderStatus.SHIPPED, now)
        deadlines.flag_missed(conn, "acme", now)
        assert exceptions.open_counts(conn, "acme") == {}
