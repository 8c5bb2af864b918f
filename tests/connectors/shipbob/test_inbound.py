"""Inbound notices as ShipBob receiving orders, and their receipts, against the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from marketdock.connectors.ports import InboundLine, InboundNotice
from marketdock.connectors.shipbob import mapping, wire
from marketdock.engine.db import Database
from marketdock.errors import ConfigError, UnknownSku
from marketdock.sandbox.warehouse.model import InboundStatus
from tests.connectors.shipbob.harness import START, Setup, setup


@pytest.fixture
def made(db: Database) -> Iterator[Setup]:
    made = setup(db, connection={"fulfillment_center_id": 1})
    made.floor.set_stock("MUG", 5)
    made.floor.set_stock("TEE", 5)
    yield made
    made.close()


def notice(reference: str, **lines: int) -> InboundNotice:
    return InboundNotice(reference=reference, expected_at=START + timedelta(days=3),
                         lines=[InboundLine(sku, qty) for sku, qty in lines.items()],
                         tracking_number="1Z999")


def test_notice_becomes_a_receiving_order_under_its_reference(made: Setup) -> None:
    remote_id = made.connector.send_inbound(notice("ASN-1", MUG=10, TEE=4))
    [inbound] = made.floor.inbounds()
    assert str(inbound.inbound_id) == remote_id
    assert inbound.po_number == "ASN-1"
    assert dict(inbound.expected) == {"MUG": 10, "TEE": 4}
    assert inbound.expected_at == START + timedelta(days=3)
    sent = json.loads(next(r for r in made.sent if r.method == "POST").content)
    assert sent["fulfillment_center"] == {"id": 1}
    assert sent["boxes"][0]["tracking_number"] == "1Z999"


def test_sending_the_same_reference_again_answers_the_existing_order(made: Setup) -> None:
    first = made.connector.send_inbound(notice("ASN-1", MUG=10))
    assert made.connector.send_inbound(notice("ASN-1", MUG=10)) == first
    assert len(made.floor.inbounds()) == 1


def test_unknown_sku_is_refused_before_anything_is_created(made: Setup) -> None:
    with pytest.raises(UnknownSku, match="GHOST"):
        made.connector.send_inbound(notice("ASN-1", MUG=1, GHOST=2))
    assert made.floor.inbounds() == []


def test_without_a_fulfillment_center_a_notice_cannot_go_out(db: Database) -> None:
    made = setup(db)
    try:
        made.floor.set_stock("MUG", 5)
        with pytest.raises(ConfigError, match="fulfillment_center_id"):
            made.connector.send_inbound(notice("ASN-1", MUG=1))
    finally:
        made.close()


def test_completed_receiving_order_is_a_receipt_reported_once(made: Setup) -> None:
    made.connector.send_inbound(notice("ASN-1", MUG=10, TEE=4))
    made.connector.send_inbound(notice("ASN-2", MUG=3))
    receipts, cursor = made.connector.fetch_receipts(None)
    assert receipts == []
    wro = next(i for i in made.floor.inbounds() if i.po_number == "ASN-1")
    made.advance(3600)
    made.floor.receive_inbound(wro.reference, {"MUG": 8, "TEE": 4}, damaged={"MUG": 1})
    receipts, cursor = made.connector.fetch_receipts(cursor)
    [receipt] = receipts
    assert receipt.inbound_reference == "ASN-1"
    assert dict(receipt.received) == {"MUG": 8, "TEE": 4}
    assert dict(receipt.damaged) == {"MUG": 1}
    assert receipt.received_at == START + timedelta(hours=1)
    again, cursor = made.connector.fetch_receipts(cursor)
    assert again == []
    assert made.floor.inbound(wro.reference).status is InboundStatus.RECEIVED


def test_unreadable_cursor_starts_over(made: Setup) -> None:
    made.connector.send_inbound(notice("ASN-1", MUG=2))
    made.floor.receive_inbound(made.floor.inbounds()[0].reference)
    receipts, _ = made.connector.fetch_receipts("not json")
    assert [r.inbound_reference for r in receipts] == ["ASN-1"]


def test_receipt_mapping_splits_stowed_from_damaged() -> None:
    receiving = wire.Receiving.model_validate({
        "id": 7, "purchase_order_number": None, "status": "Completed",
        "last_updated_date": "2026-03-02T08:00:00Z", "unknown_field": 1,
        "inventory_quantities": [{"sku": "MUG", "expected_quantity": 5,
                                  "received_quantity": 5, "stowed_quantity": 3}],
        "status_history": [{"status": "Awaiting", "timestamp": "2026-03-01T08:00:00Z"},
                           {"status": "Completed", "timestamp": "2026-03-02T07:00:00Z"}]})
    found = mapping.receipt(receiving)
    assert found is not None
    assert found.inbound_reference == "shipbob-wro-7"
    assert (dict(found.received), dict(found.damaged)) == ({"MUG": 3}, {"MUG": 2})
    assert found.received_at.hour == 7
    awaiting = receiving.model_copy(update={"status": "Awaiting"})
    assert mapping.receipt(awaiting) is None


def test_receiving_request_conforms_to_the_contract(conforms: Any) -> None:
    body = mapping.receiving_request(notice("ASN-9", MUG=2), {"MUG": 11},
                                     fulfillment_center_id=1, arrival=START)
    conforms(body.model_dump(mode="json", exclude_none=True),
             "Receiving.CreateReceivingOrderModel")
