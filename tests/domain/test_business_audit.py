"""Business exceptions age and resolve; audit events record who did what."""

from __future__ import annotations

from datetime import datetime, timedelta

import pydantic
import pytest

from marketdock.domain import AuditEvent, BusinessException, ExceptionStatus

from .factories import T0


def exception(**changes: object) -> BusinessException:
    fields: dict[str, object] = {
        "tenant_id": "acme", "type": "unknown_sku", "reason": "SKU MUG-9 has no listing",
        "object_type": "order", "object_id": "so-1", "owner": "merchant", "opened_at": T0,
    }
    return BusinessException.model_validate({**fields, **changes})


def test_open_exception_ages_with_now() -> None:
    exc = exception()
    assert exc.is_open
    assert exc.age(T0 + timedelta(hours=5)) == timedelta(hours=5)
    assert exc.key == ("acme", "unknown_sku", "order", "so-1")


def test_resolved_exception_stops_ageing() -> None:
    resolved = exception().resolve(T0 + timedelta(minutes=30))
    assert resolved.status is ExceptionStatus.RESOLVED
    assert resolved.age(T0 + timedelta(days=3)) == timedelta(minutes=30)
    assert resolved.resolve(T0 + timedelta(days=1)) is resolved


def test_age_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        exception().age(datetime(2026, 3, 2, 12, 0))


def test_resolution_rules() -> None:
    with pytest.raises(pydantic.ValidationError, match="needs resolved_at"):
        exception(status="resolved")
    with pytest.raises(pydantic.ValidationError, match="open exception has no resolved_at"):
        exception(resolved_at=T0)
    with pytest.raises(pydantic.ValidationError, match="before opened_at"):
        exception(status="resolved", resolved_at=T0 - timedelta(seconds=1))


def test_exception_needs_a_reason_and_owner() -> None:
    with pytest.raises(pydantic.ValidationError, match="reason") as caught:
        exception(reason=" ", owner="")
    assert "owner" in str(caught.value)


def test_audit_event() -> None:
    event = AuditEvent(tenant_id="acme", object_type="order", object_id="so-1",
                       action="released", system="wh1", job_id=42, at=T0,
                       details={"lines": 2, "wms_order": "W-9"})
    assert event.job_id == "42"
    assert event.details["lines"] == 2
    with pytest.raises(pydantic.ValidationError, match="at"):
        AuditEvent(tenant_id="acme", object_type="order", object_id="so-1",
                   action="released", system="wh1", at=datetime(2026, 1, 1))
