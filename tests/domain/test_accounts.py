"""Tenants, channel accounts and warehouses."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pydantic
import pytest

from marketdock.domain import Address, ChannelAccount, ChannelKind, Warehouse, WarehouseKind


def warehouse(**changes: object) -> Warehouse:
    fields: dict[str, object] = {
        "tenant_id": "acme", "id": "wh1", "kind": WarehouseKind.REST,
        "cutoff": "14:00", "timezone": "Europe/Berlin", "handling_days": 0,
        "ship_from": Address(company="3PL Nord", street="Lagerweg 1", postal_code="21079",
                             city="Hamburg", country_code="DE"),
    }
    return Warehouse.model_validate({**fields, **changes})


def test_amazon_account_needs_marketplaces() -> None:
    with pytest.raises(pydantic.ValidationError, match="at least one marketplace id"):
        ChannelAccount(tenant_id="acme", id="amazon-eu", kind=ChannelKind.AMAZON)
    account = ChannelAccount(tenant_id="acme", id="amazon-eu", kind=ChannelKind.AMAZON,
                             marketplace_ids=("A1PA6795UKMFR9", "A13V1IB3VIYZZH"))
    assert account.marketplace_ids[1] == "A13V1IB3VIYZZH"


def test_otto_account_has_no_marketplaces() -> None:
    with pytest.raises(pydantic.ValidationError, match="no marketplace ids"):
        ChannelAccount(tenant_id="acme", id="otto", kind="otto",
                       marketplace_ids=("A1PA6795UKMFR9",))


def test_channel_kind_is_closed() -> None:
    with pytest.raises(pydantic.ValidationError, match="'otto' or 'amazon'"):
        ChannelAccount(tenant_id="acme", id="x", kind="ebay")


def test_warehouse_cutoff_in_local_time() -> None:
    wh = warehouse()
    assert wh.cutoff == time(14, 0)
    # 12:30 UTC on a winter day is 13:30 in Berlin: today's cut-off is still ahead.
    before = wh.next_cutoff(datetime(2026, 1, 15, 12, 30, tzinfo=UTC))
    assert before == datetime(2026, 1, 15, 13, 0, tzinfo=UTC)
    # 13:30 UTC is 14:30 in Berlin: the next cut-off is tomorrow.
    after = wh.next_cutoff(datetime(2026, 1, 15, 13, 30, tzinfo=UTC))
    assert after == datetime(2026, 1, 16, 13, 0, tzinfo=UTC)


def test_warehouse_cutoff_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        warehouse().next_cutoff(datetime(2026, 1, 15, 12, 30))


def test_warehouse_rejects_unknown_timezone_and_negative_handling() -> None:
    with pytest.raises(pydantic.ValidationError, match="unknown time zone 'Europe/Hamburg'"):
        warehouse(timezone="Europe/Hamburg")
    with pytest.raises(pydantic.ValidationError, match="handling_days"):
        warehouse(handling_days=-1)
    with pytest.raises(pydantic.ValidationError, match="'rest', 'x12', 'edifact' or 'csv'"):
        warehouse(kind="ftp")
