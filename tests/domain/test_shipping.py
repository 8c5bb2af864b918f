"""Packages and carrier mappings."""

from __future__ import annotations

import pydantic
import pytest

from marketdock.domain import CarrierMapping, ChannelKind, Package, resolve_carrier
from marketdock.errors import MappingError

from .factories import T0


def package(**changes: object) -> Package:
    fields: dict[str, object] = {
        "tenant_id": "acme", "warehouse_id": "wh1", "package_ref": "PKG-1",
        "channel_account_id": "otto-main", "marketplace_order_id": "so-1",
        "carrier": "DHL", "service": "PAKET", "tracking_number": "00340434161094042557",
        "return_tracking": {"carrier": "DHL", "tracking_number": "RT123"},
        "lines": [{"line_id": "p-1", "quantity": 1}, {"line_id": "p-2", "quantity": 1}],
        "shipped_at": T0,
    }
    return Package.model_validate({**fields, **changes})


def test_package_keeps_lines_and_return_key() -> None:
    pkg = package()
    assert pkg.quantities() == {"p-1": 1, "p-2": 1}
    assert pkg.return_tracking is not None and pkg.return_tracking.tracking_number == "RT123"
    assert pkg.key == ("acme", "wh1", "PKG-1")


def test_package_rules() -> None:
    with pytest.raises(pydantic.ValidationError, match="line id 'p-1' occurs more than once"):
        package(lines=[{"line_id": "p-1", "quantity": 1}, {"line_id": "p-1", "quantity": 2}])
    with pytest.raises(pydantic.ValidationError, match="lines"):
        package(lines=[])
    with pytest.raises(pydantic.ValidationError, match="quantity"):
        package(lines=[{"line_id": "p-1", "quantity": 0}])
    with pytest.raises(pydantic.ValidationError, match="tracking_number"):
        package(tracking_number="  ")
    assert package(tracking_number=None).tracking_number is None


def test_a_package_in_several_boxes_splits_into_one_package_per_box() -> None:
    boxes = package(more_parcels=[{"tracking_number": "T2"},
                                  {"tracking_number": "T3",
                                   "return_tracking": {"carrier": "DHL",
                                                       "tracking_number": "RT3"}}])
    first, second, third = boxes.parcels()
    assert (first.package_ref, first.tracking_number, first.more_parcels) == \
        ("PKG-1", "00340434161094042557", ())
    assert (second.package_ref, second.tracking_number, second.return_tracking) == \
        ("PKG-1/2", "T2", None)
    assert third.return_tracking is not None and third.return_tracking.tracking_number == "RT3"
    assert {p.quantities()["p-1"] for p in boxes.parcels()} == {1}
    assert package().parcels() == (package(),)
    with pytest.raises(pydantic.ValidationError, match="first parcel"):
        package(tracking_number=None, more_parcels=[{"tracking_number": "T2"}])
    with pytest.raises(pydantic.ValidationError, match="'T2' occurs more than once"):
        package(more_parcels=[{"tracking_number": "T2"}, {"tracking_number": "T2"}])


def mapping(**changes: object) -> CarrierMapping:
    fields: dict[str, object] = {
        "tenant_id": "acme", "channel": ChannelKind.OTTO, "warehouse_carrier": "dhl",
        "marketplace_code": "DHL",
    }
    return CarrierMapping.model_validate({**fields, **changes})


def test_amazon_other_needs_a_carrier_name() -> None:
    with pytest.raises(pydantic.ValidationError, match="'Other' needs carrier_name"):
        mapping(channel="amazon", marketplace_code="Other")
    ok = mapping(channel="amazon", marketplace_code="Other", carrier_name="Spedition Nord")
    assert ok.carrier_name == "Spedition Nord"
    with pytest.raises(pydantic.ValidationError, match="only sent with Amazon carrier code"):
        mapping(channel="amazon", marketplace_code="DHL", carrier_name="DHL")


def test_otto_mapping_has_no_amazon_fields() -> None:
    with pytest.raises(pydantic.ValidationError, match="marketplace_id applies to Amazon only"):
        mapping(marketplace_id="A1PA6795UKMFR9")


def test_most_specific_mapping_wins() -> None:
    rules = [
        mapping(),
        mapping(warehouse_service="EXPRESS", marketplace_code="DHL_EXPRESS"),
        mapping(channel="amazon", marketplace_code="DHL"),
        mapping(channel="amazon", marketplace_id="A1PA6795UKMFR9", marketplace_code="DHL",
                shipping_method="DHL Paket"),
    ]
    otto = resolve_carrier(rules, channel=ChannelKind.OTTO, warehouse_carrier="DHL ",
                           warehouse_service="express")
    assert otto.marketplace_code == "DHL_EXPRESS"
    assert resolve_carrier(rules, channel=ChannelKind.OTTO, warehouse_carrier="DHL",
                           warehouse_service="STANDARD").marketplace_code == "DHL"
    amazon_de = resolve_carrier(rules, channel=ChannelKind.AMAZON, warehouse_carrier="dhl",
                                marketplace_id="A1PA6795UKMFR9")
    assert amazon_de.shipping_method == "DHL Paket"


def test_unmapped_carrier_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="no carrier mapping for warehouse carrier 'GLS'"):
        resolve_carrier([mapping()], channel=ChannelKind.OTTO, warehouse_carrier="GLS")


def test_conflicting_rules_are_a_mapping_error() -> None:
    rules = [mapping(), mapping(marketplace_code="DHL_EXPRESS")]
    with pytest.raises(MappingError, match="conflicting carrier mappings.*DHL, DHL_EXPRESS"):
        resolve_carrier(rules, channel=ChannelKind.OTTO, warehouse_carrier="dhl")


@pytest.mark.parametrize(("channel", "code", "hint"), [
    ("otto", "DHL Paket", "did you mean 'DHL'"),
    ("otto", "Hermes", "did you mean 'HERMES'"),
    ("amazon", "Hermes", "use code 'Other' with its name"),
])
def test_a_code_the_marketplace_does_not_accept_is_refused_when_saved(
        channel: str, code: str, hint: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=f"does not accept carrier code.*{hint}"):
        mapping(channel=channel, marketplace_code=code)


def test_otto_carrier_list_equals_the_contract() -> None:
    from pathlib import Path

    from marketdock.domain.carrier_codes import OTTO_CARRIERS
    contract = Path(__file__).resolve().parents[2].parent / "shared/contracts/otto/carriers.txt"
    listed = [line.strip() for line in contract.read_text("utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    assert sorted(listed) == sorted(OTTO_CARRIERS)
