"""confirm_package and confirmed_packages against the OTTO simulator."""

from __future__ import annotations

import pytest

from marketdock.connectors.ports import CarrierChoice
from marketdock.domain import Order, OrderStatus, Package, Parcel, TrackingKey
from marketdock.errors import Conflict, RemoteTimeout, ValidationError
from tests.connectors.otto.harness import START, Sim, connector, package

DHL = CarrierChoice(code="DHL")


def releasable(sim: Sim, units: int = 3, sku: str = "SHIRT") -> Order:
    sim.seed(orders=[{"lines": [{"sku": sku, "quantity": units, "unitPrice": "10.00"}],
                      "status": "PROCESSABLE"}])
    otto, _ = connector(sim)
    [order] = otto.fetch_orders(START).orders
    return order


def test_partial_shipment_then_the_rest(sim: Sim) -> None:
    order = releasable(sim)
    otto, recorder = connector(sim)
    ids = [line.line_id for line in order.lines]

    first = otto.confirm_package(order, package(order, ids[:2], "P1", tracking="T1"), DHL)
    assert recorder.paths("POST")[-1] == "/v1/shipments"
    [after_one] = otto.fetch_orders(START).orders
    assert after_one.status is OrderStatus.PARTIALLY_SHIPPED

    second = otto.confirm_package(order, package(order, ids[2:], "P2", tracking="T2"), DHL)
    assert first != second
    [after_two] = otto.fetch_orders(START).orders
    assert after_two.status is OrderStatus.SHIPPED

    remote = {p.tracking_number: p for p in otto.confirmed_packages(order)}
    assert set(remote) == {"T1", "T2"}
    assert remote["T1"].package_ref == first
    assert set(remote["T1"].line_quantities) == set(ids[:2])
    assert remote["T2"].carrier_code == "DHL"
    stored = sim.state.shipments[first]
    assert stored.ship_from == {"city": "Hamburg", "zipCode": "22113", "countryCode": "DEU"}
    assert [i.return_tracking for i in stored.items] == [("DHL", "R1"), ("DHL", "R1")]


def test_a_repeated_confirmation_reads_the_existing_shipment(sim: Sim) -> None:
    order = releasable(sim, units=1)
    otto, recorder = connector(sim)
    parcel = package(order, [order.lines[0].line_id], "P1")
    shipment_id = otto.confirm_package(order, parcel, DHL)
    posts = len(recorder.paths("POST"))

    assert otto.confirm_package(order, parcel, DHL) == shipment_id
    # one refused POST (409), then reads only: no blind second write
    assert len(recorder.paths("POST")) == posts + 1
    assert len(sim.state.shipments) == 1


def test_409_with_items_missing_from_the_shipment_adds_them(sim: Sim) -> None:
    order = releasable(sim, units=2)
    otto, _ = connector(sim)
    ids = [line.line_id for line in order.lines]
    shipment_id = otto.confirm_package(order, package(order, ids[:1], "P1"), DHL)
    # The warehouse reports the parcel again, now with both units under the same number.
    assert otto.confirm_package(order, package(order, ids, "P1"), DHL) == shipment_id
    assert {i.position_item_id for i in sim.state.shipments[shipment_id].items} == set(ids)


def test_items_already_sent_under_another_number_are_a_conflict(sim: Sim) -> None:
    order = releasable(sim, units=1)
    otto, _ = connector(sim)
    line_ids = [order.lines[0].line_id]
    shipment_id = otto.confirm_package(order, package(order, line_ids, "P1", tracking="T1"),
                                       DHL)
    with pytest.raises(Conflict, match=shipment_id):
        otto.confirm_package(order, package(order, line_ids, "P2", tracking="T9"), DHL)


def test_a_lost_answer_is_found_by_reading_back(sim: Sim) -> None:
    order = releasable(sim, units=1)
    otto, _ = connector(sim)
    parcel = package(order, [order.lines[0].line_id], "P1", tracking="T5")
    sim.faults.set("timeout_after", count=1, path="/v1/shipments", method="POST")
    with pytest.raises(RemoteTimeout):
        otto.confirm_package(order, parcel, DHL)
    [remote] = otto.confirmed_packages(order)
    assert remote.tracking_number == "T5"
    assert remote.line_quantities == {order.lines[0].line_id: 1}


def test_missing_return_tracking_key_is_refused_before_sending(sim: Sim) -> None:
    order = releasable(sim, units=1)
    otto, recorder = connector(sim)
    parcel = package(order, [order.lines[0].line_id], "P1", return_tracking=None)
    with pytest.raises(ValidationError, match="return tracking key") as caught:
        otto.confirm_package(order, parcel, DHL)
    assert "P1" in caught.value.message
    assert caught.value.context["missing"] == ["return_tracking"]
    assert recorder.requests == []


def test_forwarder_without_tracking_number_is_read_back(sim: Sim) -> None:
    sim.seed(products=[{"sku": "WARDROBE", "deliveryType": "FORWARDER_CURBSIDE"}],
             orders=[{"lines": [{"sku": "WARDROBE", "unitPrice": "499.00"}],
                      "status": "PROCESSABLE"}])
    otto, _ = connector(sim)
    [order] = otto.fetch_orders(START).orders
    parcel = package(order, [order.lines[0].line_id], "F1", tracking=None,
                     return_tracking=None, carrier="SPEDITION")
    forwarder = CarrierChoice(code="DB_SCHENKER")
    shipment_id = otto.confirm_package(order, parcel, forwarder)
    [remote] = otto.confirmed_packages(order)
    assert (remote.package_ref, remote.tracking_number) == (shipment_id, None)
    assert otto.confirm_package(order, parcel, forwarder) == shipment_id


def test_two_orders_in_one_parcel_share_one_shipment(sim: Sim) -> None:
    sim.seed(orders=[{"lines": [{"sku": "CAP", "unitPrice": "9.00"}], "status": "PROCESSABLE"},
                     {"lines": [{"sku": "SCARF", "unitPrice": "15.00"}],
                      "status": "PROCESSABLE"}])
    otto, recorder = connector(sim)
    first, second = otto.fetch_orders(START).orders
    shipment_id = otto.confirm_package(
        first, package(first, [first.lines[0].line_id], "P1", tracking="SAME"), DHL)
    assert otto.confirm_package(
        second, package(second, [second.lines[0].line_id], "P1", tracking="SAME"),
        DHL) == shipment_id
    assert recorder.paths("POST")[-1] == f"/v1/shipments/{shipment_id}/positionitems"
    assert len(sim.state.shipments) == 1
    [remote] = otto.confirmed_packages(second)
    assert remote.line_quantities == {second.lines[0].line_id: 1}


def boxes(order: Order, *numbers: str) -> Package:
    """One unit of ``order``'s first item travelling in one box per tracking number."""
    first = package(order, [order.lines[0].line_id], "P1", tracking=numbers[0])
    return first.evolve(more_parcels=tuple(
        Parcel(tracking_number=n, return_tracking=TrackingKey(carrier="DHL",
                                                              tracking_number=f"R{n}"))
        for n in numbers[1:]))


def test_one_unit_in_several_boxes_is_one_multiparcel_shipment(sim: Sim) -> None:
    order = releasable(sim, units=1)
    otto, recorder = connector(sim)
    multiparcel_id = otto.confirm_package(order, boxes(order, "B1", "B2", "B3"), DHL)
    assert recorder.paths("POST")[-1] == "/v1/multiparcel-shipments"
    assert recorder.paths("GET") == []  # the answer suffices: nothing read back
    shipments = list(sim.state.shipments.values())
    assert [s.tracking_number for s in shipments] == ["B1", "B2", "B3"]
    assert {s.multiparcel_id for s in shipments} == {multiparcel_id}
    assert [s.items[0].return_tracking for s in shipments] == [
        ("DHL", "R1"), ("DHL", "RB2"), ("DHL", "RB3")]
    [shipped] = otto.fetch_orders(START).orders
    assert shipped.status is OrderStatus.SHIPPED


def test_a_repeated_multiparcel_confirmation_finds_the_boxes(sim: Sim) -> None:
    order = releasable(sim, units=1)
    otto, _ = connector(sim)
    otto.confirm_package(order, boxes(order, "B1", "B2"), DHL)
    first = next(iter(sim.state.shipments.values()))
    # sent again after a lost answer: OTTO's 409 is reconciled by reading the boxes
    assert otto.confirm_package(order, boxes(order, "B1", "B2"), DHL) == first.shipment_id
    assert len(sim.state.shipments) == 2


def test_a_box_without_a_return_label_is_refused_before_sending(sim: Sim) -> None:
    order = releasable(sim, units=1)
    otto, recorder = connector(sim)
    lacking = boxes(order, "B1", "B2").evolve(more_parcels=(Parcel(tracking_number="B2"),))
    with pytest.raises(ValidationError, match="return"):
        otto.confirm_package(order, lacking, DHL)
    assert "/v1/multiparcel-shipments" not in recorder.paths("POST")
    assert sim.state.shipments == {}
