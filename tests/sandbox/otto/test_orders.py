"""Orders V4: release delay, per-unit items, prices, bucket filters, cursor paging."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from marketdock.sandbox.otto import enums
from tests.sandbox.otto.harness import Sim
from tests.sandbox.otto.helpers import get_order, processable_order, ship, statuses


def ids(page: dict[str, Any]) -> list[str]:
    return [o["salesOrderId"] for o in page["resources"]]


def next_href(page: dict[str, Any]) -> str | None:
    return next((link["href"] for link in page["links"] if link["rel"] == "next"), None)


def walk(sim: Sim, url: str) -> list[list[str]]:
    pages = []
    while url:
        page = sim.api.get(url).json()
        pages.append(ids(page))
        url = next_href(page) or ""
    return pages


def test_new_order_is_announced_without_address_then_processable(sim: Sim) -> None:
    seeded = sim.order(("SHIRT", 2), ("MUG", 1))
    order = get_order(sim, seeded)
    assert [i["fulfillmentStatus"] for i in order["positionItems"]] == ["ANNOUNCED"] * 3
    assert "deliveryAddress" not in order and "invoiceAddress" not in order
    sim.advance(30 * 60 - 1)
    assert statuses(sim, seeded) == ["ANNOUNCED"] * 3
    sim.advance(1)
    order = get_order(sim, seeded)
    assert statuses(sim, seeded) == ["PROCESSABLE"] * 3
    assert order["deliveryAddress"]["countryCode"] == "DEU"
    assert order["positionItems"][0]["processableDate"] == "2025-03-10T08:30:00.000Z"
    assert order["lastModifiedDate"] == "2025-03-10T08:30:00.000Z"


def test_release_delay_is_per_order_and_prepayment_waits(sim: Sim) -> None:
    fast = sim.order(("A", 1), processableAfterSeconds=60)
    unpaid = sim.order(("A", 1), paymentMethod="PREPAYMENT", neverProcessable=True)
    sim.advance(10 * 24 * 3600)
    assert statuses(sim, fast) == ["PROCESSABLE"]
    assert statuses(sim, unpaid) == ["ANNOUNCED"]


def test_one_position_item_per_unit_with_prices_discounts_and_fees(sim: Sim) -> None:
    seeded = sim.seed(orders=[{
        "status": "PROCESSABLE", "deliveryFee": "2.95",
        "lines": [{"sku": "SHIRT", "quantity": 2, "unitPrice": "19.99", "unitDiscount": "2.00"},
                  {"sku": "MUG", "quantity": 1, "unitPrice": "9.99"}],
    }])["orders"][0]  # fmt: skip
    order = get_order(sim, seeded)
    items = order["positionItems"]
    assert len({i["positionItemId"] for i in items}) == 3
    assert [i["product"]["sku"] for i in items] == ["SHIRT", "SHIRT", "MUG"]
    shirt, mug = items[0], items[2]
    assert shirt["itemValueGrossPrice"] == {"amount": 19.99, "currency": "EUR"}
    assert shirt["itemValueDiscount"] == {"amount": 2.0, "currency": "EUR"}
    assert shirt["itemValueReducedGrossPrice"] == {"amount": 17.99, "currency": "EUR"}
    assert "itemValueDiscount" not in mug
    (discount,) = order["initialDiscounts"]
    assert discount["discountAmount"]["amount"] == 4.0
    assert discount["positionItemIds"] == [items[0]["positionItemId"], items[1]["positionItemId"]]
    (fee,) = order["initialDeliveryFees"]
    assert fee["deliveryFeeAmount"]["amount"] == 2.95
    assert fee["positionItemIds"] == [i["positionItemId"] for i in items]


def test_get_by_order_number_and_other_partners_orders_are_invisible(sim: Sim) -> None:
    mine = sim.order(("A", 1))
    by_number = sim.api.get(f"/v4/orders/{mine['orderNumber']}").json()
    assert by_number["salesOrderId"] == mine["salesOrderId"]
    sim.admin.post(
        "/_admin/partners", json={"partnerId": "2", "clientId": "b", "clientSecret": "s"}
    )
    theirs = sim.order(("A", 1), partnerId="2")
    assert sim.api.get(f"/v4/orders/{theirs['salesOrderId']}").status_code == 404
    assert ids(sim.api.get("/v4/orders").json()) == [mine["salesOrderId"]]
    assert sim.api.get("/v4/orders/unknown0000").status_code == 404


def test_bucket_mode_hides_mixed_orders_that_at_least_one_finds(sim: Sim) -> None:
    partly_sent = processable_order(sim, ("A", 2))
    ship(sim, partly_sent, items=partly_sent["positionItemIds"][:1])
    mixed = processable_order(sim, ("B", 2))
    sim.state.items[mixed["positionItemIds"][0]].status = enums.ANNOUNCED  # released item by item

    def query(status: str, mode: str = "BUCKET") -> list[str]:
        return ids(sim.api.get(f"/v4/orders?fulfillmentStatus={status}&mode={mode}").json())

    assert query("PROCESSABLE") == [partly_sent["salesOrderId"]]
    assert query("SENT") == []
    assert query("SENT", "AT_LEAST_ONE") == [partly_sent["salesOrderId"]]
    assert query("ANNOUNCED") == [mixed["salesOrderId"]]
    assert sorted(query("PROCESSABLE", "AT_LEAST_ONE")) == sorted(
        [partly_sent["salesOrderId"], mixed["salesOrderId"]]
    )
    both = sim.api.get("/v4/orders?fulfillmentStatus=SENT&fulfillmentStatus=ANNOUNCED").json()
    assert ids(both) == [mixed["salesOrderId"]]


def test_cursor_paging_covers_all_orders_and_keeps_the_query(sim: Sim) -> None:
    orders = []
    for _ in range(5):
        orders.append(processable_order(sim, ("A", 1))["salesOrderId"])
        sim.advance(1)
    pages = walk(sim, "/v4/orders?fulfillmentStatus=PROCESSABLE&limit=2")
    assert pages == [orders[0:2], orders[2:4], orders[4:5]]
    first = sim.api.get("/v4/orders?limit=2").json()
    cursor = parse_qs(urlsplit(next_href(first) or "").query)["nextcursor"][0]
    # with nextcursor only limit is honoured: the status filter below is ignored
    page = sim.api.get(f"/v4/orders?nextcursor={cursor}&fulfillmentStatus=SENT&limit=3").json()
    assert ids(page) == orders[2:5]


def test_passing_the_whole_link_as_cursor_fails(sim: Sim) -> None:
    processable_order(sim, ("A", 1))
    processable_order(sim, ("A", 1))
    href = next_href(sim.api.get("/v4/orders?limit=1").json()) or ""
    response = sim.api.get("/v4/orders", params={"nextcursor": href})
    assert response.status_code == 400
    assert "only the cursor string" in response.json()["errors"][0]["detail"]


def test_limit_above_128_is_refused(sim: Sim) -> None:
    assert sim.api.get("/v4/orders?limit=129").status_code == 400
    assert sim.api.get("/v4/orders?limit=128").status_code == 200


def test_an_order_changed_between_pages_comes_again_later(sim: Sim) -> None:
    orders = []
    for _ in range(4):
        orders.append(processable_order(sim, ("A", 2)))
        sim.advance(1)
    first = sim.api.get("/v4/orders?limit=2").json()
    assert ids(first) == [orders[0]["salesOrderId"], orders[1]["salesOrderId"]]
    sim.advance(60)
    changed = orders[0]
    sim.api.post(f"/v4/orders/{changed['salesOrderId']}/positionItems/"
                 f"{changed['positionItemIds'][0]}/cancellation")  # fmt: skip
    rest = walk(sim, next_href(first) or "")
    seen = ids(first) + [i for page in rest for i in page]
    assert seen == [o["salesOrderId"] for o in orders] + [changed["salesOrderId"]]


def test_descending_order_and_date_filters(sim: Sim) -> None:
    early = processable_order(sim, ("A", 1))
    sim.advance(3600)
    late = processable_order(sim, ("A", 1))
    assert ids(sim.api.get("/v4/orders?orderDirection=DESC").json()) == [
        late["salesOrderId"], early["salesOrderId"]]  # fmt: skip
    from_order = sim.api.get("/v4/orders?fromOrderDate=2025-03-10T08:30:00Z").json()
    assert ids(from_order) == [late["salesOrderId"]]
    to_order = sim.api.get("/v4/orders?toOrderDate=2025-03-10T08:30:00Z").json()
    assert ids(to_order) == [early["salesOrderId"]]
    sim.advance(60)
    sim.api.post(f"/v4/orders/{early['salesOrderId']}/cancellation")
    changed = sim.api.get("/v4/orders", params={"fromDate": "2025-03-10T10:00:30+01:00"}).json()
    assert ids(changed) == [early["salesOrderId"]]


def test_unencoded_offset_in_a_date_is_refused(sim: Sim) -> None:
    response = sim.api.get("/v4/orders?fromDate=2025-03-10T09:00:00+01:00")
    assert response.status_code == 400
    assert sim.api.get("/v4/orders?mode=SOMETIMES").status_code == 400
    assert sim.api.get("/v4/orders?fulfillmentStatus=SHIPPED").status_code == 400
