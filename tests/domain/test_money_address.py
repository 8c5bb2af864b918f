"""Money arithmetic and address validation helpers."""

from __future__ import annotations

from decimal import Decimal

import pydantic
import pytest

from marketdock.domain import Address, CurrencyMismatch, Money, to_alpha2, to_alpha3
from marketdock.errors import ValidationError

from .factories import eur


def test_money_adds_within_one_currency() -> None:
    assert eur("1.10") + eur("2.20") == eur("3.30")
    assert eur("5.00") - eur("1.25") == eur("3.75")
    assert eur("2.50").times(3) == eur("7.50")


def test_money_refuses_to_mix_currencies() -> None:
    usd = Money(amount=Decimal("1"), currency="USD")
    with pytest.raises(CurrencyMismatch, match="EUR with USD"):
        eur("1.00") + usd
    assert issubclass(CurrencyMismatch, ValidationError)


def test_money_division_rounds_to_the_amounts_precision() -> None:
    assert eur("10.00").divided_by(3) == eur("3.33")
    yen = Money(amount=Decimal("1000"), currency="JPY")
    assert yen.divided_by(3).amount == Decimal("333")


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R"])
def test_money_needs_an_iso_currency(currency: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="currency"):
        Money(amount=Decimal(1), currency=currency)


def test_money_refuses_infinity() -> None:
    with pytest.raises(pydantic.ValidationError, match="finite"):
        Money(amount=Decimal("Infinity"), currency="EUR")


def test_address_normalises_country_and_blanks() -> None:
    address = Address(name="  Erika Muster ", street="Hauptstr.", house_number=" ",
                      postal_code="20095", city="Hamburg", country_code="deu")
    assert address.country_code == "DE"
    assert address.country_alpha3 == "DEU"
    assert address.name == "Erika Muster"
    assert address.house_number is None


@pytest.mark.parametrize("code", ["XX", "GER", "", "D"])
def test_address_rejects_unknown_countries(code: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="country"):
        Address(country_code=code)


def test_address_reports_every_missing_shipping_field() -> None:
    address = Address(street="Hauptstr. 1", country_code="AT")
    assert address.missing() == ["name", "postal_code", "city"]
    with pytest.raises(ValidationError, match="delivery address lacks name, postal_code, city"):
        address.require(what="delivery address")


def test_a_company_satisfies_the_name() -> None:
    address = Address(company="Acme", street="Hauptstr. 1", postal_code="1010", city="Wien",
                      country_code="AUT")
    assert address.missing() == []
    address.require()
    assert address.one_line() == "Acme, Hauptstr. 1, 1010 Wien, AT"


def test_missing_names_an_unknown_field() -> None:
    with pytest.raises(ValueError, match="no field 'zip'"):
        Address(country_code="DE").missing(["zip"])


def test_country_code_helpers() -> None:
    assert to_alpha2("gbr") == "GB"
    assert to_alpha3("GB") == "GBR"
    with pytest.raises(ValueError, match="not an ISO 3166-1"):
        to_alpha3("UK")
