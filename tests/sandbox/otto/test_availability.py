"""Availability V1 quantities: 200/207/413/422, per-SKU results, read-back."""

from __future__ import annotations

from urllib.parse import quote

from tests.sandbox.otto.harness import Sim

PATH = "/v1/availability/quantities"


def test_all_known_skus_are_stored_and_read_back(sim: Sim) -> None:
    sim.seed(products=[{"sku": "SHIRT-RED-M"}, {"sku": "MUG WHITE/1"}])
    body = [{"sku": "SHIRT-RED-M", "quantity": 42}, {"sku": "MUG WHITE/1", "quantity": 0}]
    response = sim.api.post(PATH, json=body)
    assert response.status_code == 200
    assert [r["sku"] for r in response.json()["results"]] == ["SHIRT-RED-M", "MUG WHITE/1"]
    single = sim.api.get(f"{PATH}/SHIRT-RED-M").json()
    assert (single["quantity"], single["lastModified"]) == (42, "2025-03-10T08:00:00.000Z")
    assert sim.api.get(f"{PATH}/{quote('MUG WHITE/1', safe='')}").json()["quantity"] == 0
    assert sim.state.quantities[("1000001", "SHIRT-RED-M")].quantity == 42


def test_unknown_sku_fails_only_itself_with_207(sim: Sim) -> None:
    sim.seed(products=[{"sku": "SHIRT"}, {"sku": "NEW", "hasMoin": False}])
    body = [{"sku": "SHIRT", "quantity": 5}, {"sku": "GHOST", "quantity": 1},
            {"sku": "NEW", "quantity": 3}]  # fmt: skip
    response = sim.api.post(PATH, json=body)
    assert response.status_code == 207
    assert [r["sku"] for r in response.json()["results"]] == ["SHIRT"]
    errors = response.json()["errors"]
    assert [(e["code"], e["title"]) for e in errors] == [
        (404, "NOT_FOUND"), (422, "UNPROCESSABLE_ENTITY")]  # fmt: skip
    assert "GHOST" in errors[0]["detail"] and "MOIN" in errors[1]["detail"]
    assert sim.api.get(f"{PATH}/SHIRT").json()["quantity"] == 5
    assert sim.api.get(f"{PATH}/GHOST").status_code == 404


def test_last_write_wins_without_out_of_order_guard(sim: Sim) -> None:
    sim.seed(products=[{"sku": "A"}])
    sim.api.post(PATH, json=[{"sku": "A", "quantity": 9}])
    sim.api.post(PATH, json=[{"sku": "A", "quantity": 4}])
    assert sim.api.get(f"{PATH}/A").json()["quantity"] == 4


def test_more_than_200_is_413_and_nothing_processable_is_422(sim: Sim) -> None:
    sim.seed(products=[{"sku": "A"}])
    too_many = [{"sku": "A", "quantity": n} for n in range(201)]
    assert sim.api.post(PATH, json=too_many).status_code == 413
    assert sim.api.post(PATH, json=[{"sku": "GHOST", "quantity": 1}]).status_code == 422
    negative = sim.api.post(PATH, json=[{"sku": "A", "quantity": -1}], invalid_request=True)
    assert negative.status_code == 422
    assert "A" not in {sku for _, sku in sim.state.quantities}


def test_list_is_sorted_by_sku_with_cursor(sim: Sim) -> None:
    skus = ["C", "A", "B"]
    sim.seed(products=[{"sku": s} for s in skus])
    sim.api.post(PATH, json=[{"sku": s, "quantity": 1} for s in skus])
    first = sim.api.get(f"{PATH}?limit=2").json()
    assert [v["sku"] for v in first["resources"]["variations"]] == ["A", "B"]
    second = sim.api.get(first["links"][0]["href"]).json()
    assert [v["sku"] for v in second["resources"]["variations"]] == ["C"]
    assert second["links"] == []
