"""Listings map channel SKUs to warehouse goods; stock positions stay coherent."""

from __future__ import annotations

import pydantic
import pytest

from marketdock.domain import FulfilmentChannel, KitComponent, Listing, ListingKind, StockPosition

from .factories import T0


def listing(**changes: object) -> Listing:
    fields: dict[str, object] = {
        "tenant_id": "acme",
        "channel_account_id": "otto-main",
        "channel_sku": "MUG-SET",
        "warehouse_sku": "WH-MUG",
    }
    return Listing.model_validate({**fields, **changes})


def test_single_listing_bill_of_materials() -> None:
    single = listing(ean="4006381333931")
    assert single.bill_of_materials == (KitComponent(warehouse_sku="WH-MUG", quantity=1),)
    assert single.sellable({"WH-MUG": 7}) == 7
    assert single.warehouse_units(2) == {"WH-MUG": 2}


def test_kit_sellable_is_limited_by_its_scarcest_component() -> None:
    kit = listing(
        kind=ListingKind.KIT,
        warehouse_sku=None,
        components=[{"warehouse_sku": "MUG", "quantity": 2}, {"warehouse_sku": "BOX",
                                                              "quantity": 1}],
    )
    assert kit.sellable({"MUG": 9, "BOX": 10}) == 4
    assert kit.sellable({"MUG": 9}) == 0
    assert kit.sellable({"MUG": -3, "BOX": 1}) == 0
    assert kit.warehouse_units(3) == {"MUG": 6, "BOX": 3}


def test_kit_requires_components() -> None:
    with pytest.raises(pydantic.ValidationError, match="a kit needs at least one component"):
        listing(kind=ListingKind.KIT, warehouse_sku=None)


def test_kit_cannot_also_name_a_warehouse_sku() -> None:
    with pytest.raises(pydantic.ValidationError, match="instead of warehouse_sku"):
        listing(kind=ListingKind.KIT, components=[{"warehouse_sku": "MUG", "quantity": 2}])


def test_kit_components_are_unique_and_positive() -> None:
    with pytest.raises(pydantic.ValidationError, match="'MUG' occurs more than once"):
        listing(kind=ListingKind.KIT, warehouse_sku=None,
                components=[{"warehouse_sku": "MUG", "quantity": 1},
                            {"warehouse_sku": "MUG", "quantity": 1}])
    with pytest.raises(pydantic.ValidationError, match="greater than or equal to 1"):
        KitComponent(warehouse_sku="MUG", quantity=0)


def test_single_listing_needs_its_warehouse_sku() -> None:
    with pytest.raises(pydantic.ValidationError, match="needs warehouse_sku"):
        listing(warehouse_sku=None)


def test_fba_listing_never_receives_warehouse_stock() -> None:
    assert listing().receives_warehouse_stock
    assert not listing(fulfilment=FulfilmentChannel.FBA).receives_warehouse_stock


@pytest.mark.parametrize("ean", ["123", "40063813339311a", "400638133393"[:-1]])
def test_ean_must_be_a_gtin_of_digits(ean: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="ean"):
        listing(ean=ean)


def stock(**changes: object) -> StockPosition:
    fields: dict[str, object] = {
        "tenant_id": "acme", "warehouse_id": "wh1", "sku": "WH-MUG",
        "on_hand": 10, "allocated": 3, "available": 6, "blocked": 1, "as_of": T0,
    }
    return StockPosition.model_validate({**fields, **changes})


def test_stock_position_is_valid() -> None:
    assert stock().key == ("acme", "wh1", "WH-MUG")


@pytest.mark.parametrize("field", ["on_hand", "allocated", "available", "blocked"])
def test_stock_quantities_are_not_negative(field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        stock(**{field: -1})


def test_available_cannot_exceed_on_hand() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"available \(11\) exceeds on_hand"):
        stock(available=11)
