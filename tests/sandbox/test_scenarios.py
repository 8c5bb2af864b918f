"""Seeded scenarios: determinism at volume, the mix, and the awkward data they carry."""

from __future__ import annotations

import pytest

from marketdock.sandbox.scenarios import (
    Catalogue,
    ScenarioOrder,
    generate_catalogue,
    generate_orders,
)


def ean_valid(ean: str) -> bool:
    digits = [int(d) for d in ean]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return len(ean) == 13 and (10 - total % 10) % 10 == digits[12]


@pytest.fixture(scope="module")
def amazon() -> list[ScenarioOrder]:
    return generate_orders(42, 10_000, "amazon")


def test_ten_thousand_orders_are_reproducible_and_prefix_stable(
    amazon: list[ScenarioOrder],
) -> None:
    assert generate_orders(42, 10_000, "amazon") == amazon
    assert generate_orders(42, 100, "amazon") == amazon[:100]
    assert generate_orders(43, 100, "amazon") != amazon[:100]
    assert len({o.order_id for o in amazon}) == 10_000
    assert all(a.ordered_at <= b.ordered_at for a, b in zip(amazon, amazon[1:], strict=False))


def test_amazon_mix(amazon: list[ScenarioOrder]) -> None:
    n = len(amazon)
    uk = [o for o in amazon if o.ship_to.country == "GB"]
    assert 0.25 < len(uk) / n < 0.35
    assert all(o.currency == "GBP" and o.marketplace == "amazon.co.uk" for o in uk)
    assert 0.05 < sum(o.business for o in amazon) / n < 0.11
    assert all(o.ship_to.company for o in amazon if o.business)
    assert 0.03 < sum(bool(o.gift_message) for o in amazon) / n < 0.07
    assert 0.2 < sum(len(o.lines) > 1 for o in amazon) / n < 0.3
    assert any(line.quantity > 1 for o in amazon for line in o.lines)
    assert all(len(line.item_ids) == 1 for o in amazon for line in o.lines)
    assert all(o.order_id[3] == "-" and len(o.order_id) == 19 for o in amazon)


def test_addresses_carry_umlauts_eszett_long_streets_and_extra_lines(
    amazon: list[ScenarioOrder],
) -> None:
    german = [o.ship_to for o in amazon if o.ship_to.country == "DE"]
    text = " ".join(f"{a.name} {a.street1} {a.city}" for a in german)
    assert all(ch in text for ch in "äöüß")
    assert max(len(a.street1) for a in german) > 40
    assert any(a.postcode.startswith("0") for a in german)
    assert any(a.street2 for a in german)
    assert any(a.street1.startswith("Packstation") for a in german)
    assert max(len(o.ship_to.city) for o in amazon if o.ship_to.country == "GB") > 50


def test_otto_orders_have_one_position_item_per_unit() -> None:
    otto = generate_orders(7, 2_000, "otto")
    assert {o.marketplace for o in otto} == {"otto.de"}
    assert {o.ship_to.country for o in otto} == {"DE"}
    assert not any(o.gift_message for o in otto)
    assert all(len(line.item_ids) == line.quantity for o in otto for line in o.lines)
    assert all(len(o.order_number) == 10 for o in otto)
    ids = [i for o in otto for line in o.lines for i in line.item_ids]
    assert len(ids) == len(set(ids))


def test_catalogue_has_shared_eans_and_bundles() -> None:
    catalogue = generate_catalogue(42)
    assert generate_catalogue(42) == catalogue
    assert all(ean_valid(p.ean) for p in catalogue.products)
    shared = catalogue.shared_eans()
    assert shared and all(len(skus) >= 2 for skus in shared.values())
    bundles = catalogue.bundles()
    assert bundles
    for bundle in bundles:
        for sku, qty in bundle.components:
            assert not catalogue.product(sku).is_bundle and qty >= 1
    with pytest.raises(KeyError):
        catalogue.product("nope")


def test_orders_use_the_catalogue_including_bundles_and_shared_eans(
    amazon: list[ScenarioOrder],
) -> None:
    catalogue: Catalogue = generate_catalogue(42)
    skus = {line.sku for o in amazon for line in o.lines}
    assert skus <= {p.sku for p in catalogue.products}
    assert any(catalogue.product(s).is_bundle for s in skus)
    assert any(s in shared for shared in catalogue.shared_eans().values() for s in skus)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="channel"):
        generate_orders(1, 1, "ebay")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        generate_catalogue(1, size=1)
