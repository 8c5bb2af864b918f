"""Reports and Fulfillment Inbound 2024-03-20 answer the models' sandbox examples in the
documented shape; the FBA inventory, report and inbound usage plans match the models.

As in test_contract, a success example's identifiers and tokens stand for simulated records:
the test seeds the plans, shipments and reports the example names and sends their ids. Error
examples are sent literally. FBA Inventory has no static examples (its sandbox is dynamic);
its shapes are checked in test_fba_inventory.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from marketdock.sandbox.amazon.usage_plans import USAGE_PLANS
from tests.sandbox.amazon.conftest import Sim
from tests.sandbox.amazon.contract import check, examples, model, operation, split_values

REPORTS = "reports_2021-06-30.json"
INBOUND = "fulfillmentInbound_2024-03-20.json"
INVENTORY = "fbaInventory.json"
INBOUND_BASE = "/inbound/fba/2024-03-20"
CASES = [
    (REPORTS, op) for op in ("getReports", "createReport", "getReport", "getReportDocument")
] + [
    (INBOUND, op)
    for op in (
        "listInboundPlans",
        "createInboundPlan",
        "getInboundPlan",
        "generatePlacementOptions",
        "listPlacementOptions",
        "confirmPlacementOption",
        "getShipment",
        "listShipmentItems",
        "listShipmentBoxes",
        "getInboundOperationStatus",
    )
]
# createInboundPlan: Amazon's sandbox accepts destination marketplace "BADATVPDKIKX0DER"
# (202); no marketplace has that id, and the simulator answers 400 BadRequest.
DIVERGENT = {("createInboundPlan", 202, "BADATVPDKIKX0DER"): 400}
REMOVAL = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
USAGE_MODELS = {"fbaInventory": INVENTORY, "reports": REPORTS, "inbound": INBOUND}


def seed_plan(sim: Sim, plan_id: str, placed: bool) -> str:
    """A plan with that id: placed (one confirmed shipment of three items in three boxes)
    or not yet placed (three items). Returns the shipment id of a placed plan."""
    if plan_id in sim.state.inbound_plans:
        plan = sim.state.inbound_plans[plan_id]
        return plan.shipments[0].shipment_id if plan.shipments else ""
    items = [{"msku": f"M-{n}", "quantity": 4} for n in range(3)]
    spec: dict[str, Any] = {"inboundPlanId": plan_id, "marketplace": "CA"}
    if placed:
        boxes = [{"items": {f"M-{n}": 4}} for n in range(3)]
        spec["shipments"] = [{"items": items, "boxes": boxes}]
    else:
        spec["items"] = items
    response = sim.client.post("/_admin/seed/fba", json={"inboundPlans": [spec]})
    assert response.status_code == 201, response.text
    shipments: list[str] = response.json()["shipments"]
    return shipments[0] if shipments else ""


def first_page_token(sim: Sim, url: str, params: dict[str, Any]) -> str | None:
    page = sim.client.get(url, params=params).json()
    token: str | None = page.get("pagination", {}).get("nextToken")
    return token


def done_report(sim: Sim) -> dict[str, Any]:
    sim.client.post(
        "/_admin/seed/fba", json={"removals": [{"lines": [{"sku": "R-1", "requested": 2}]}]}
    )
    spec = {"reportType": REMOVAL, "marketplaceIds": ["A1PA6795UKMFR9"]}
    report_id = sim.client.post("/reports/2021-06-30/reports", json=spec).json()["reportId"]
    sim.advance(600)
    report: dict[str, Any] = sim.client.get(f"/reports/2021-06-30/reports/{report_id}").json()
    assert report.get("processingStatus") == "DONE", report
    return report


def arrange_reports(sim: Sim, op_id: str, values: dict[str, Any]) -> None:
    if op_id == "createReport":
        # The example's report type stands for one the simulator generates.
        values["body"] = {**values["body"], "reportType": REMOVAL}
    elif op_id == "getReport":
        values["reportId"] = done_report(sim)["reportId"]
    elif op_id == "getReportDocument":
        values["reportDocumentId"] = done_report(sim)["reportDocumentId"]


def arrange_inbound(sim: Sim, op_id: str, values: dict[str, Any]) -> None:
    plan_id = values.get("inboundPlanId")
    if op_id == "listInboundPlans":
        for n in range(3):
            seed_plan(sim, f"wf{n}234abcd-1234-abcd-5678-1234abcd5678", placed=False)
    elif op_id == "getInboundOperationStatus":
        body = examples(INBOUND, "createInboundPlan")[0][1]["body"]
        values["operationId"] = sim.client.post(f"{INBOUND_BASE}/inboundPlans", json=body).json()[
            "operationId"
        ]
    elif op_id in ("generatePlacementOptions", "listPlacementOptions", "confirmPlacementOption"):
        seed_plan(sim, plan_id, placed=False)
        # customPlacement is for India only, a marketplace the simulator does not host.
        values.pop("body", None)
        if op_id != "generatePlacementOptions":
            sim.client.post(f"{INBOUND_BASE}/inboundPlans/{plan_id}/placementOptions")
            options = sim.state.inbound_plans[plan_id].placement_options
            values["placementOptionId"] = options[0].option_id
            if op_id == "listPlacementOptions":
                del values["placementOptionId"]
    elif plan_id and "shipmentId" in values:
        values["shipmentId"] = seed_plan(sim, plan_id, placed=True)
    elif plan_id:
        seed_plan(sim, plan_id, placed=False)
    if values.get("paginationToken"):
        url = operation(INBOUND, op_id)[0]
        params = {}
        for name, value in values.items():
            if "{" + name + "}" in url:
                url = url.replace("{" + name + "}", str(value))
            elif name != "paginationToken":
                params[name] = value
        token = first_page_token(sim, url, params)
        if token:
            values["paginationToken"] = token
        else:
            del values["paginationToken"]


@pytest.mark.parametrize(("model_name", "op_id"), CASES)
def test_sandbox_examples_are_answered_in_the_documented_shape(
    sim: Sim, model_name: str, op_id: str
) -> None:
    sim.client.put("/_admin/config", json={"rate_limits": False})
    path, method, op = operation(model_name, op_id)
    cases = examples(model_name, op_id)
    assert cases, f"{op_id} has no sandbox examples"
    for status, example_values, _response in cases:
        values = dict(example_values)
        if status < 300:
            if model_name == REPORTS:
                arrange_reports(sim, op_id, values)
            else:
                arrange_inbound(sim, op_id, values)
        url, params, body = split_values(path, op, values)
        answer = sim.client.request(method.upper(), url, params=params, json=body)
        sent = repr(values)
        expected = next(
            (
                s
                for (o, st, key), s in DIVERGENT.items()
                if o == op_id and st == status and key in sent
            ),
            status,
        )
        assert answer.status_code == expected, (op_id, status, values, answer.text)
        check(model_name, op_id, answer)


def test_usage_plans_match_the_models() -> None:
    checked = set()
    for key, (rate, burst) in USAGE_PLANS.items():
        api, op_id = key.split(".")
        if api not in USAGE_MODELS:
            continue
        _, _, op = operation(USAGE_MODELS[api], op_id)
        found = re.search(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", op["description"])
        assert found, key
        assert (float(found.group(1)), int(found.group(2))) == (rate, burst), key
        checked.add(op_id)
    served = {op for name, op in CASES} | {"getInventorySummaries"}
    assert served <= checked


def test_fba_inventory_has_only_a_dynamic_sandbox() -> None:
    path_item = model(INVENTORY)["paths"]["/fba/inventory/v1/summaries"]
    assert "dynamic" in path_item["x-amzn-api-sandbox"]
    assert examples(INVENTORY, "getInventorySummaries") == []
