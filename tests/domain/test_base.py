"""Records are immutable; changes are new values validated like new records."""

from __future__ import annotations

from datetime import datetime

import pydantic
import pytest

from marketdock.domain import Money, StockPosition, Tenant, TenantStatus
from marketdock.errors import ValidationError

from .factories import T0


def test_records_are_frozen() -> None:
    tenant = Tenant(id="acme", name="Acme GmbH")
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        tenant.name = "Other"  # type: ignore[misc]


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="nmae"):
        Tenant(id="acme", name="Acme", nmae="typo")  # type: ignore[call-arg]


def test_evolve_returns_a_new_validated_value() -> None:
    tenant = Tenant(id="acme", name="Acme GmbH")
    suspended = tenant.evolve(status=TenantStatus.SUSPENDED)
    assert suspended.status is TenantStatus.SUSPENDED
    assert tenant.status is TenantStatus.ACTIVE


def test_evolve_refuses_a_change_that_breaks_a_rule() -> None:
    stock = StockPosition(
        tenant_id="acme", warehouse_id="wh1", sku="A", on_hand=5, available=5, as_of=T0
    )
    with pytest.raises(ValidationError, match="available .6. exceeds on_hand .5."):
        stock.evolve(available=6)


def test_evolve_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="no field.* colour"):
        Tenant(id="acme", name="Acme").evolve(colour="red")


def test_create_wraps_pydantic_errors_naming_each_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Tenant.create(id="Not Valid", name="  ")
    message = caught.value.message
    assert message.startswith("invalid Tenant: ")
    assert "id: String should match pattern" in message
    assert "name: String should have at least 1 character" in message
    assert isinstance(caught.value.__cause__, pydantic.ValidationError)


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="timezone"):
        StockPosition(
            tenant_id="acme", warehouse_id="wh1", sku="A", on_hand=1, available=1,
            as_of=datetime(2026, 3, 2, 9, 30),
        )


def test_error_messages_never_echo_the_input() -> None:
    with pytest.raises(ValidationError) as caught:
        Money.create(amount="not-a-number-s3cr3t", currency="EUR")
    assert "s3cr3t" not in str(caught.value)
