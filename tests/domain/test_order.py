"""Orders keep marketplace ids, prices per unit and totals, and refuse contradictions."""

from __future__ import annotations

from datetime import datetime

import pydantic
import pytest

from marketdock.domain import LineStatus, Order, OrderStatus
from marketdock.errors import ValidationError

from .factories import amazon_order, eur, otto_line, otto_order


def test_otto_order_has_one_line_per_unit() -> None:
    order = otto_order(otto_line("p-1", "MUG"), otto_line("p-2", "MUG"), otto_line("p-3", "CUP"))
    assert order.open_units_by_sku() == {"MUG": 2, "CUP": 1}
    assert order.line("p-2").sku == "MUG"
    assert order.key == ("acme", "otto-main", "0f6e7a52-6a3c-4d1c-9a3e-1f0a2b3c4d5e")


def test_otto_line_with_quantity_above_one_is_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="one position item per unit"):
        otto_order(otto_line("p-1", quantity=2))


def test_amazon_line_derives_unit_figures_from_totals() -> None:
    line = amazon_order().lines[0]
    assert line.unit_price == eur("3.33")
    assert line.unit_discount == eur("0.33")
    assert line.net_total == eur("9.00")
    assert amazon_order().goods_total() == eur("9.00")


def test_amazon_order_needs_its_marketplace() -> None:
    with pytest.raises(pydantic.ValidationError, match="marketplace_id"):
        amazon_order(marketplace_id=None)


def test_otto_order_has_no_marketplace_id() -> None:
    with pytest.raises(pydantic.ValidationError, match="no marketplace_id"):
        otto_order(marketplace_id="A1PA6795UKMFR9")


def test_duplicate_line_ids_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="line id 'p-1' occurs more than once"):
        otto_order(otto_line("p-1"), otto_line("p-1"))


def test_an_order_needs_lines() -> None:
    with pytest.raises(pydantic.ValidationError, match="lines"):
        Order.model_validate({**otto_order().model_dump(), "lines": ()})


def test_negative_quantities_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="quantity_shipped"):
        otto_line("p-1", quantity_shipped=-1)
    with pytest.raises(pydantic.ValidationError, match="quantity"):
        otto_line("p-1", quantity=0)


def test_shipped_plus_cancelled_cannot_exceed_quantity() -> None:
    order = amazon_order()
    with pytest.raises(ValidationError, match=r"exceeds quantity \(3\)"):
        order.lines[0].evolve(quantity_shipped=2, quantity_cancelled=2)
    partly = order.lines[0].evolve(quantity_shipped=1, quantity_cancelled=1)
    assert partly.open_quantity == 1


def test_discount_cannot_exceed_price() -> None:
    with pytest.raises(pydantic.ValidationError, match="discount_total exceeds price_total"):
        otto_line("p-1", discount_total=eur("25.00"))


def test_negative_prices_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="price_total must not be negative"):
        otto_line("p-1", price_total=eur("-1.00"))


def test_amounts_in_several_currencies_are_rejected() -> None:
    from decimal import Decimal

    from marketdock.domain import Money

    with pytest.raises(pydantic.ValidationError, match="EUR, USD"):
        otto_order(
            otto_line("p-1"),
            otto_line("p-2", price_total=Money(amount=Decimal("5"), currency="USD")),
        )


def test_pending_amazon_order_may_lack_prices_and_address() -> None:
    order = amazon_order(status=OrderStatus.PENDING, marketplace_status="Pending")
    line = order.lines[0].evolve(price_total=None, discount_total=None,
                                 status=LineStatus.PENDING)
    pending = order.evolve(lines=(line,))
    assert pending.goods_total() is None
    assert pending.shipping_address is None
    assert pending.lines_in(LineStatus.RELEASABLE) == ()


def test_naive_ship_by_is_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="ship_by"):
        amazon_order(ship_by=datetime(2026, 3, 3, 12, 0))


def test_status_change_is_a_new_value() -> None:
    order = otto_order()
    released = order.evolve(status=OrderStatus.RELEASED)
    assert order.status is OrderStatus.RELEASABLE
    assert released.status is OrderStatus.RELEASED
    assert released.lines == order.lines


def test_order_flags_and_unknown_line() -> None:
    order = amazon_order(is_business=True)
    assert order.is_prime and order.is_business
    with pytest.raises(KeyError, match="no line nope"):
        order.line("nope")
