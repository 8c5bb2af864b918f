"""The schema conversion and the simulator's enums agree with the contract files."""

from __future__ import annotations

import json
import re

import pytest

from marketdock.sandbox.otto import enums
from tests.sandbox.otto.contract import CONTRACTS, OPERATIONS, digest, validator

EXAMPLES = CONTRACTS / "examples"

CASES = [
    ("shipment-create.parcel.request.json", "Shipments-V1", "CreateShipmentRequest"),
    ("shipment-create.forwarder.request.json", "Shipments-V1", "CreateShipmentRequest"),
    ("shipment-create.forwarder-no-tracking-number.request.json", "Shipments-V1",
     "CreateShipmentRequest"),
    ("synthetic.shipment-create.partial-shipment.request.json", "Shipments-V1",
     "CreateShipmentRequest"),
    ("synthetic.multiparcel-shipment.request.json", "Shipments-V1",
     ["MultiparcelCreateShipmentRequest"]),
    ("shipment-create.201.response.json", "Shipments-V1", "CreateShipmentResponse"),
    ("shipment-create.409-duplicate-tracking-key.response.json", "Shipments-V1", "Conflict"),
    ("shipment-append-items.409-position-item-in-other-shipment.response.json", "Shipments-V1",
     "ConflictAddPositionItemByShipmentId"),
    ("shipment-create.400-tracking-key-mandatory.response.json", "Shipments-V1", "BadRequest"),
    ("shipments-list.page.response.json", "Shipments-V1", "ShipmentList"),
    ("synthetic.order-v4.partially-cancelled.json", "Orders-V4", "PartnerOrder"),
    ("synthetic.orders-v4-list.page.json", "Orders-V4", "PartnerOrderList"),
    ("synthetic.availability-v1-quantities.request.json", "Availability-V1",
     ["AvailableQuantityRequestDTO"]),
    ("synthetic.returns-v3-acceptance.request.json", "Returns-V3", "AcceptedPartnerReturnV3"),
    ("synthetic.returns-v3-rejection.request.json", "Returns-V3", "RejectedPartnerReturnV3"),
    ("synthetic.returns-v3-list.announced.response.json", "Returns-V3", "PositionItemList"),
    ("error-envelope.developer-guide.json", None, "ErrorEnvelope"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "api", "schema"), CASES)
def test_contract_examples_validate(name: str, api: str | None, schema: str) -> None:
    body = json.loads((EXAMPLES / name).read_text())
    if name == "error-envelope.developer-guide.json":  # the guide spells jsonpath in lowercase
        body["errors"][0]["jsonPath"] = body["errors"][0].pop("jsonpath")
    validator(api, schema).validate(body)


def test_strict_validation_catches_a_misspelt_field() -> None:
    body = json.loads((EXAMPLES / "synthetic.order-v4.partially-cancelled.json").read_text())
    body["salesOrderID"] = body.pop("salesOrderId")
    assert list(validator("Orders-V4", "PartnerOrder").iter_errors(body))


def _lines(name: str) -> list[str]:
    text = (CONTRACTS / name).read_text().splitlines()
    return [line.strip() for line in text if line.strip() and not line.startswith("#")]


def test_enums_match_the_contract_lists() -> None:
    contract = json.loads((CONTRACTS / "enums.json").read_text())
    assert list(enums.CARRIERS) == _lines("carriers.txt")
    assert list(enums.RETURN_CARRIERS) == _lines("return-carriers.txt")
    orders = contract["orders_v4"]
    assert list(enums.FULFILLMENT_STATUSES) == orders["positionItem.fulfillmentStatus"]["values"]
    assert list(enums.CANCELLATION_REASONS) == orders["positionItem.cancellationReason"]["values"]
    returns = contract["returns_v3"]
    assert list(enums.ACCEPTANCE_REASONS) == returns["acceptance.reason"]["values"]
    assert list(enums.REJECTION_REASONS) == returns["rejection.reason"]["values"]
    assert list(enums.RETURN_CONDITIONS) == returns["condition"]["values"]
    assert (
        list(enums.DELIVERY_TYPES) == contract["products_and_logistics"]["deliveryType"]["values"]
    )


def test_every_operation_is_a_digest_path() -> None:
    paths = {
        (op["method"], op["path"]) for api in digest()["apis"].values() for op in api["operations"]
    }
    normalised = {(m, re.sub(r"\{[^}]+\}", "{}", p)) for m, p in paths}
    for op in OPERATIONS:
        if op.name == "token":
            continue
        assert (op.method, re.sub(r"\{[^}]+\}", "{}", op.template)) in normalised, op.name
