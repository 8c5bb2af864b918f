"""What the warehouse could not tell us, or did not answer, becomes an exception."""

from __future__ import annotations

from marketdock.connectors.ports import Quarantined, WarehouseUpdates
from marketdock.flows.shipments import FLOW as SHIPMENTS
from tests.flows.test_order_and_shipment_flows import Hub, hub  # noqa: F401


def test_missing_acknowledgement_opens_and_a_late_one_resolves(hub: Hub) -> None:  # noqa: F811
    overdue = Quarantined(reference="940_MD-1.edi", reason="no 997 for 940_MD-1.edi",
                          source="inbound/940_MD-1.edi", kind="unacknowledged")
    unreadable = Quarantined(reference="945_x.edi", reason="segment W06 missing",
                             source="outbound/945_x.edi")
    answers = [[overdue, unreadable], [overdue], []]
    fetch = hub.warehouse.fetch_updates

    def updates(cursor: str | None) -> WarehouseUpdates:
        got = fetch(cursor)
        return WarehouseUpdates(got.packages, got.short_picks, got.cursor, answers.pop(0))

    hub.warehouse.fetch_updates = updates  # type: ignore[method-assign]
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.open_exceptions() == {"warehouse_ack_missing": 1,
                                     "warehouse_message_unreadable": 1}
    hub.run(SHIPMENTS, {"warehouse": "main"})  # still overdue: one exception, seen again
    assert hub.open_exceptions()["warehouse_ack_missing"] == 1
    hub.run(SHIPMENTS, {"warehouse": "main"})  # the 997 came late
    assert hub.open_exceptions() == {"warehouse_message_unreadable": 1}
