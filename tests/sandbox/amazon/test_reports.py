"""Reports API: the lifecycle on the simulated clock and report content from simulated
activity (shipped orders, customer returns, removal orders, settlement periods)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.amazon.conftest import DE, UK, Sim
from tests.sandbox.amazon.contract import check

REPORTS = "/reports/2021-06-30/reports"
MODEL = "reports_2021-06-30.json"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
REMOVAL_ORDERS = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
REMOVAL_SHIPMENTS = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
MFN_ORDER = "302-1111111-1111111"
AFN_ORDER = "302-2222222-2222222"


def unlimited(sim: Sim) -> None:
    assert sim.client.put("/_admin/config", json={"rate_limits": False}).status_code == 200


def create(sim: Sim, report_type: str, **body: Any) -> str:
    response = sim.client.post(
        REPORTS, json={"reportType": report_type, "marketplaceIds": [DE], **body}
    )
    check(MODEL, "createReport", response)
    assert response.status_code == 202, response.text
    report_id: str = response.json()["reportId"]
    return report_id


def get(sim: Sim, report_id: str) -> dict[str, Any]:
    response = sim.client.get(f"{REPORTS}/{report_id}")
    check(MODEL, "getReport", response)
    report: dict[str, Any] = response.json()
    return report


def rows(sim: Sim, report: dict[str, Any]) -> list[dict[str, str]]:
    """The downloaded tab-separated document as one dict per data row."""
    meta = sim.client.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}")
    check(MODEL, "getReportDocument", meta)
    document = sim.client.get(meta.json()["url"])
    assert document.status_code == 200
    header, *lines = document.text.rstrip("\n").split("\n")
    return [dict(zip(header.split("\t"), line.split("\t"), strict=True)) for line in lines]


def finished(sim: Sim, report_id: str) -> dict[str, Any]:
    sim.advance(300)
    return get(sim, report_id)


def seed_orders(sim: Sim) -> None:
    items = [{"sku": "SKU-1", "quantity": 2, "price": "10.00", "tax": "1.90", "shipping": "4.00"}]
    sim.seed(
        {
            "orders": [
                {"orderId": MFN_ORDER, "purchaseDate": "2026-03-01T10:00:00Z", "items": items},
                {
                    "orderId": AFN_ORDER,
                    "fulfillmentChannel": "AFN",
                    "status": "Shipped",
                    "purchaseDate": "2026-03-01T11:00:00Z",
                    "items": [{"sku": "SKU-2", "quantity": 1, "price": "30.00"}],
                },
            ]
        }
    )


def ship(sim: Sim, order_id: str, quantity: int, reference: str) -> None:
    order = sim.state.orders[order_id]
    detail = {
        "packageReferenceId": reference,
        "carrierCode": "DHL",
        "trackingNumber": f"TRACK{reference}",
        "shipDate": "2026-03-02T09:00:00Z",
        "orderItems": [{"orderItemId": order.items[0].order_item_id, "quantity": quantity}],
    }
    response = sim.client.post(
        f"/orders/v0/orders/{order_id}/shipmentConfirmation",
        json={"marketplaceId": DE, "packageDetail": detail},
    )
    assert response.status_code == 204, response.text


def close_settlement(sim: Sim, market: str = "DE") -> dict[str, Any]:
    response = sim.client.post("/_admin/settlements/close", json={"marketplace": market})
    assert response.status_code == 201, response.text
    report: dict[str, Any] = response.json()
    return report


def test_status_moves_from_queue_to_done_as_the_clock_advances(sim: Sim) -> None:
    sim.client.post(
        "/_admin/seed/fba", json={"removals": [{"lines": [{"sku": "R", "requested": 1}]}]}
    )
    report_id = create(sim, REMOVAL_ORDERS)
    queued = get(sim, report_id)
    assert queued["processingStatus"] == "IN_QUEUE"
    assert "processingStartTime" not in queued and "reportDocumentId" not in queued
    sim.advance(60)
    running = get(sim, report_id)
    assert running["processingStatus"] == "IN_PROGRESS"
    assert running["processingStartTime"] == "2026-03-02T09:01:00Z"
    sim.advance(239)
    assert get(sim, report_id)["processingStatus"] == "IN_PROGRESS"
    sim.advance(1)
    done = get(sim, report_id)
    assert done["processingStatus"] == "DONE"
    assert done["processingEndTime"] == "2026-03-02T09:05:00Z"
    assert done["reportDocumentId"].startswith("amzn1.spdoc.")


def test_a_window_without_data_ends_cancelled_without_a_document(sim: Sim) -> None:
    report = finished(sim, create(sim, REMOVAL_SHIPMENTS))
    assert report["processingStatus"] == "CANCELLED"
    assert "reportDocumentId" not in report


def test_shipped_orders_and_refunds_appear_in_the_settlement_file(sim: Sim) -> None:
    unlimited(sim)
    seed_orders(sim)
    ship(sim, MFN_ORDER, 1, "1")
    sim.client.post(
        "/_admin/seed/fba",
        json={
            "returns": [
                {"orderId": AFN_ORDER, "sku": "SKU-2", "returnDate": "2026-03-02T09:00:00Z"}
            ]
        },
    )
    sim.advance(60)
    closed = close_settlement(sim)
    assert closed["reportType"] == SETTLEMENT and closed["processingStatus"] == "IN_QUEUE"
    report = finished(sim, closed["reportId"])
    assert report["processingStatus"] == "DONE"
    summary, *lines = rows(sim, report)
    assert summary["settlement-id"] == closed["settlementId"] and summary["currency"] == "EUR"
    assert summary["transaction-type"] == ""
    assert {row["settlement-id"] for row in lines} == {closed["settlementId"]}
    mfn = {
        (r["amount-type"], r["amount-description"]): r for r in lines if r["order-id"] == MFN_ORDER
    }
    assert mfn[("ItemPrice", "Principal")]["amount"] == "10.00"  # one of two units shipped
    assert mfn[("ItemPrice", "Tax")]["amount"] == "1.90"
    assert mfn[("ItemPrice", "Shipping")]["amount"] == "2.00"
    assert mfn[("ItemFees", "Commission")]["amount"] == "-1.50"
    assert mfn[("ItemPrice", "Principal")]["fulfillment-id"] == "MFN"
    assert mfn[("ItemPrice", "Principal")]["shipment-id"] == "1"
    assert mfn[("ItemPrice", "Principal")]["quantity-purchased"] == "1"
    afn = [
        (r["transaction-type"], r["amount-description"], r["amount"])
        for r in lines
        if r["order-id"] == AFN_ORDER
    ]
    assert afn == [
        ("Order", "Principal", "30.00"),
        ("Order", "Commission", "-4.50"),
        ("Order", "FBAPerUnitFulfillmentFee", "-3.00"),
        ("Refund", "Principal", "-30.00"),
        ("Refund", "Commission", "4.50"),
    ]
    total = sum(float(r["amount"]) for r in lines)
    assert summary["total-amount"] == f"{total:.2f}"


def test_settlement_periods_follow_one_another(sim: Sim) -> None:
    unlimited(sim)
    seed_orders(sim)
    ship(sim, MFN_ORDER, 1, "1")
    first = close_settlement(sim)
    sim.advance(3000)
    ship(sim, MFN_ORDER, 1, "2")
    sim.advance(60)
    second = close_settlement(sim)
    assert second["dataStartTime"] == first["dataEndTime"]
    sim.advance(300)
    found = sim.client.get(REPORTS, params={"reportTypes": SETTLEMENT})
    check(MODEL, "getReports", found)
    listed = found.json()["reports"]
    assert [r["reportId"] for r in listed] == [second["reportId"], first["reportId"]]
    packages = [
        {r["shipment-id"] for r in rows(sim, report)[1:] if r["order-id"] == MFN_ORDER}
        for report in listed
    ]
    assert packages == [{"2"}, {"1"}]
    uk = close_settlement(sim, "UK")
    assert uk["marketplaceIds"] == [UK]
    assert (
        sim.client.get(REPORTS, params={"reportTypes": SETTLEMENT, "marketplaceIds": DE}).json()[
            "reports"
        ]
        == listed
    )


def test_settlement_reports_cannot_be_requested(sim: Sim) -> None:
    response = sim.client.post(REPORTS, json={"reportType": SETTLEMENT, "marketplaceIds": [DE]})
    assert response.status_code == 400
    check(MODEL, "createReport", response)
    assert "cannot be requested" in response.json()["errors"][0]["details"]


def test_removal_reports_list_orders_and_their_shipments(sim: Sim) -> None:
    unlimited(sim)
    removal = {
        "orderId": "RMV0001",
        "requestDate": "2026-02-20T08:00:00Z",
        "status": "In Process",
        "feePerUnit": "0.50",
        "lines": [
            {"sku": "A", "fnsku": "X00000000A", "requested": 5, "cancelled": 1},
            {"sku": "B", "fnsku": "X00000000B", "disposition": "Unsellable", "requested": 2},
        ],
        "shipments": [
            {
                "shipDate": "2026-02-25T10:00:00Z",
                "carrier": "DHL",
                "trackingNumber": "T-1",
                "items": {"A": 2},
            },
            {
                "shipDate": "2026-02-26T10:00:00Z",
                "carrier": "UPS",
                "trackingNumber": "T-2",
                "items": {"A": 1, "B": 2},
            },
        ],
    }
    assert sim.client.post("/_admin/seed/fba", json={"removals": [removal]}).status_code == 201
    orders = rows(sim, finished(sim, create(sim, REMOVAL_ORDERS)))
    assert [
        (
            r["sku"],
            r["requested-quantity"],
            r["cancelled-quantity"],
            r["shipped-quantity"],
            r["in-process-quantity"],
            r["removal-fee"],
        )
        for r in orders
    ] == [
        ("A", "5", "1", "3", "1", "1.50"),
        ("B", "2", "0", "2", "0", "1.00"),
    ]
    assert {r["order-status"] for r in orders} == {"In Process"}
    assert orders[0]["last-updated-date"] == "2026-02-26T10:00:00+00:00"
    shipments = rows(sim, finished(sim, create(sim, REMOVAL_SHIPMENTS)))
    assert [
        (r["order-id"], r["sku"], r["shipped-quantity"], r["carrier"], r["tracking-number"])
        for r in shipments
    ] == [
        ("RMV0001", "A", "2", "DHL", "T-1"),
        ("RMV0001", "A", "1", "UPS", "T-2"),
        ("RMV0001", "B", "2", "UPS", "T-2"),
    ]
    narrow = create(
        sim,
        REMOVAL_SHIPMENTS,
        dataStartTime="2026-02-26T00:00:00Z",
        dataEndTime="2026-02-27T00:00:00Z",
    )
    assert [r["tracking-number"] for r in rows(sim, finished(sim, narrow))] == ["T-2", "T-2"]


def test_customer_returns_report_lists_returns_of_amazon_fulfilled_orders(sim: Sim) -> None:
    unlimited(sim)
    seed_orders(sim)
    seeded = sim.client.post(
        "/_admin/seed/fba",
        json={
            "inventory": [{"sku": "SKU-2", "fnsku": "X00SKU0002", "asin": "B0SKU00002"}],
            "returns": [
                {
                    "orderId": AFN_ORDER,
                    "sku": "SKU-2",
                    "licensePlateNumber": "LPNRR123456789",
                    "disposition": "CUSTOMER_DAMAGED",
                    "reason": "DEFECTIVE",
                },
                {"orderId": MFN_ORDER, "sku": "SKU-1"},
            ],
        },
    )
    assert seeded.status_code == 201, seeded.text
    (line,) = rows(sim, finished(sim, create(sim, RETURNS)))
    assert (line["order-id"], line["sku"], line["fnsku"], line["asin"]) == (
        AFN_ORDER,
        "SKU-2",
        "X00SKU0002",
        "B0SKU00002",
    )
    assert (line["license-plate-number"], line["detailed-disposition"], line["reason"]) == (
        "LPNRR123456789",
        "CUSTOMER_DAMAGED",
        "DEFECTIVE",
    )
    unknown = sim.client.post(
        "/_admin/seed/fba", json={"returns": [{"orderId": "302-0000000-0000000", "sku": "X"}]}
    )
    assert unknown.status_code == 400 and "not seeded" in unknown.json()["error"]


def test_bad_requests_and_foreign_reports(sim: Sim) -> None:
    unlimited(sim)

    def status(response: httpx.Response, op_id: str) -> int:
        check(MODEL, op_id, response)
        return response.status_code

    assert (
        status(
            sim.client.post(REPORTS, json={"reportType": RETURNS, "marketplaceIds": []}),
            "createReport",
        )
        == 400
    )
    assert (
        status(
            sim.client.post(REPORTS, json={"reportType": RETURNS, "marketplaceIds": ["XX"]}),
            "createReport",
        )
        == 400
    )
    assert status(sim.client.get(REPORTS), "getReports") == 400
    assert status(sim.client.get(f"{REPORTS}/123"), "getReport") == 404
    assert (
        status(
            sim.client.get("/reports/2021-06-30/documents/amzn1.spdoc.1.4.eu.x"),
            "getReportDocument",
        )
        == 404
    )
    report_id = create(sim, RETURNS)
    sim.seed({"refreshTokens": {"Atzr|other": "AOTHERSELLER"}})
    other = {"x-amz-access-token": sim.token("Atzr|other")}
    assert status(sim.client.get(f"{REPORTS}/{report_id}", headers=other), "getReport") == 404


def test_get_reports_pages_with_a_next_token(sim: Sim) -> None:
    unlimited(sim)
    ids = [create(sim, RETURNS) for _ in range(5)]
    first = sim.client.get(REPORTS, params={"reportTypes": RETURNS, "pageSize": 2}).json()
    pages = [first]
    while "nextToken" in pages[-1]:
        pages.append(sim.client.get(REPORTS, params={"nextToken": pages[-1]["nextToken"]}).json())
    assert [len(p["reports"]) for p in pages] == [2, 2, 1]
    assert sorted(r["reportId"] for p in pages for r in p["reports"]) == sorted(ids)
    queued = sim.client.get(REPORTS, params={"reportTypes": RETURNS, "processingStatuses": "DONE"})
    assert queued.json()["reports"] == []


def test_create_report_usage_plan(sim: Sim) -> None:
    codes = [
        sim.client.post(REPORTS, json={"reportType": RETURNS, "marketplaceIds": [DE]})
        for _ in range(16)
    ]
    assert [c.status_code for c in codes] == [202] * 15 + [429]
    assert codes[0].headers["x-amzn-RateLimit-Limit"] == "0.0167"
    check(MODEL, "createReport", codes[-1])
    assert "x-amzn-RateLimit-Limit" not in codes[-1].headers
    sim.advance(60)
    assert (
        sim.client.post(REPORTS, json={"reportType": RETURNS, "marketplaceIds": [DE]}).status_code
        == 202
    )
