"""cancel_units and push_stock/read_stock against the OTTO simulator."""

from __future__ import annotations

from marketdock.connectors.ports import CarrierChoice, StockOutcome, StockUpdate
from marketdock.domain import Order
from tests.connectors.otto.harness import START, Sim, connector, package


def releasable(sim: Sim, units: int) -> Order:
    sim.seed(orders=[{"lines": [{"sku": "MUG", "quantity": units, "unitPrice": "7.50"}],
                      "status": "PROCESSABLE"}])
    otto, _ = connector(sim)
    [order] = otto.fetch_orders(START).orders
    return order


def test_short_pick_cancels_exactly_the_missing_units(sim: Sim) -> None:
    order = releasable(sim, 3)
    otto, recorder = connector(sim)
    missing = order.lines[2].line_id
    result = otto.cancel_units(order, {missing: 1}, "short pick")
    assert result.cancelled == {missing: 1}
    assert result.refused == {}
    assert recorder.paths("POST")[-1].endswith(f"/positionItems/{missing}/cancellation")
    statuses = [sim.state.items[line.line_id].status for line in order.lines]
    assert statuses == ["PROCESSABLE", "PROCESSABLE", "CANCELLED_BY_PARTNER"]


def test_refused_cancellation_re_reads_and_cancels_what_is_left(sim: Sim) -> None:
    order = releasable(sim, 3)
    otto, recorder = connector(sim)
    ids = [line.line_id for line in order.lines]
    otto.confirm_package(order, package(order, ids[:1], "P1"), CarrierChoice(code="DHL"))
    sim.state.items[ids[1]].status = "CANCELLED_BY_PARTNER"  # an earlier attempt got through

    result = otto.cancel_units(order, dict.fromkeys(ids, 1), "short pick")
    assert result.cancelled == {ids[1]: 1, ids[2]: 1}
    assert set(result.refused) == {ids[0]}
    assert "SENT" in result.refused[ids[0]]
    cancels = [p for p in recorder.paths("POST") if p.endswith("/cancellation")]
    assert len(cancels) == 2
    assert cancels[1].endswith(f"/positionItems/{ids[2]}/cancellation")
    assert sim.state.items[ids[2]].status == "CANCELLED_BY_PARTNER"


def test_unknown_line_is_refused_without_a_call(sim: Sim) -> None:
    order = releasable(sim, 1)
    otto, recorder = connector(sim)
    result = otto.cancel_units(order, {"not-a-line": 1}, "short pick")
    assert result.cancelled == {}
    assert "not a position item" in result.refused["not-a-line"]
    assert recorder.requests == []


def test_partial_stock_failure_is_reported_per_sku(sim: Sim) -> None:
    sim.seed(products=[{"sku": "ONLINE"}, {"sku": "NO-MOIN", "hasMoin": False}])
    otto, _ = connector(sim)
    results = otto.push_stock([StockUpdate("ONLINE", 5), StockUpdate("GHOST", 1),
                               StockUpdate("NO-MOIN", 2)])
    by_sku = {r.sku: r for r in results}
    assert [r.sku for r in results] == ["ONLINE", "GHOST", "NO-MOIN"]
    assert by_sku["ONLINE"].outcome is StockOutcome.APPLIED
    assert by_sku["GHOST"].outcome is StockOutcome.UNKNOWN_SKU
    assert by_sku["NO-MOIN"].outcome is StockOutcome.REJECTED
    assert "MOIN" in by_sku["NO-MOIN"].reason
    assert otto.read_stock(["ONLINE", "GHOST"]) == {"ONLINE": 5, "GHOST": None}


def test_stock_goes_in_batches_of_200(sim: Sim) -> None:
    skus = [f"SKU-{n:04d}" for n in range(450)]
    sim.seed(products=[{"sku": sku} for sku in skus])
    otto, recorder = connector(sim)
    results = otto.push_stock([StockUpdate(sku, n % 7) for n, sku in enumerate(skus)])
    assert {r.outcome for r in results} == {StockOutcome.APPLIED}
    posts = [r for r in recorder.requests if r.url.path == "/v1/availability/quantities"
             and r.method == "POST"]
    assert len(posts) == 3
    stored = otto.read_stock(skus)
    assert stored["SKU-0449"] == 449 % 7
    assert len(stored) == 450


def test_nothing_accepted_is_still_a_result_per_sku(sim: Sim) -> None:
    otto, _ = connector(sim)
    [result] = otto.push_stock([StockUpdate("GHOST", 3)])
    assert result.outcome is StockOutcome.UNKNOWN_SKU
