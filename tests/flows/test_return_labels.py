"""Return labels: a package without one takes the next from the account's pool; with the
pool empty the package is held with an exception and confirmed once labels are loaded."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from marketdock.connectors.ports import CarrierChoice
from marketdock.domain import Order, Package
from marketdock.errors import ValidationError
from marketdock.flows.orders import FLOW as ORDERS
from marketdock.flows.shipments import FLOW as SHIPMENTS
from marketdock.flows.shipments import RECONFIRM_UNMAPPED
from marketdock.flows.store import return_labels
from tests.flows.test_order_and_shipment_flows import Hub, hub, line, order, ship  # noqa: F401

Confirm = Callable[[Order, Package, CarrierChoice], str]


def needs_return_label(hub: Hub) -> list[Package]:  # noqa: F811
    """Make the fake marketplace refuse a package without a return label, as OTTO does."""
    sent: list[Package] = []
    confirm: Confirm = hub.market.confirm_package

    def strict(order: Order, package: Package, carrier: CarrierChoice) -> str:
        if package.return_tracking is None:
            raise ValidationError("a parcel shipment needs a return tracking key")
        sent.append(package)
        return confirm(order, package, carrier)

    hub.market.confirm_package = strict  # type: ignore[method-assign]
    return sent


def load(hub: Hub, *numbers: str) -> int:  # noqa: F811
    with hub.db.begin() as conn:
        return return_labels.add(conn, "acme", "amazon-eu", "DHL", numbers, hub.clock.now())


def test_a_package_takes_the_next_label_once(hub: Hub) -> None:  # noqa: F811
    sent = needs_return_label(hub)
    assert load(hub, "R1", "R2", "R1") == 2 and load(hub, "R2") == 0
    hub.listing("MUG")
    hub.market.put(order("A-20", line("i1", "MUG", 2)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    ship(hub, "MD-1", "P1", {"i1": 1})
    ship(hub, "MD-1", "P2", {"i1": 1})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert sorted((p.package_ref, p.return_tracking.tracking_number) for p in sent
                  if p.return_tracking) == [("P1", "R1"), ("P2", "R2")]
    with hub.db.read() as conn:
        assert return_labels.remaining(conn, "acme") == {}


@pytest.mark.parametrize("labels_later", [True, False])
def test_without_labels_the_package_waits_with_a_reason(hub: Hub,  # noqa: F811
                                                         labels_later: bool) -> None:
    sent = needs_return_label(hub)
    hub.listing("MUG")
    hub.market.put(order("A-21"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    ship(hub, "MD-1", "P1", {"i1": 2})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.open_exceptions() == {"package_incomplete": 1} and sent == []
    if labels_later:
        load(hub, "R9")
    hub.run(RECONFIRM_UNMAPPED)
    if labels_later:
        assert hub.open_exceptions() == {}
        assert [p.return_tracking.tracking_number for p in sent if p.return_tracking] == ["R9"]
    else:
        assert hub.open_exceptions() == {"package_incomplete": 1} and sent == []
