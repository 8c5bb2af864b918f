"""Returns V3: announced returns, and the partner's acceptance or rejection per item.

Listing is page-numbered (``page`` from 1, ``limit`` up to 50), newest status change first,
so a client that accepts items while it pages through ANNOUNCED skips some: it must re-read
from page 1. Acceptance is final (item RETURNED, REFUND receipt); a rejected item can still
be accepted; an accepted one cannot be rejected.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.otto import enums
from marketdock.sandbox.otto.http import Ctx, Pipeline
from marketdock.sandbox.otto.model import ReturnItem
from marketdock.sandbox.otto.receipts import issue_refund_receipt
from marketdock.sandbox.otto.wire import ApiError, iso, logref

MAX_PAGE = 50
MAX_BATCH = 200


def return_json(record: ReturnItem, order_number: str) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if record.status == "ANNOUNCED" and record.return_carrier:
        details["returnTrackingKey"] = {
            "carrier": record.return_carrier,
            "trackingNumbers": record.return_tracking_numbers,
        }
    elif record.status == "MISDIRECTED":
        details = {"orderNumber": order_number, "ottoWarehouseID": "OTTO-HAMBURG-01"}
    elif record.status in ("ACCEPTED", "REJECTED"):
        details = {k: v for k, v in (("condition", record.condition), ("reason", record.reason))
                   if v is not None}  # fmt: skip
    return {
        "positionItemId": record.position_item_id,
        "salesOrderId": record.sales_order_id,
        "status": record.status,
        "occurredTime": iso(record.changed),
        "details": details,
    }


def list_returns(ctx: Ctx) -> Response:
    limit = ctx.query_int("limit", 10, 1, MAX_PAGE)
    page = ctx.query_int("page", 1, 1, 10**6)
    status = (ctx.query("status") or "").upper()
    if status and status not in enums.RETURN_STATUSES:
        raise ApiError(400, "INVALID_REQUEST_PARAMETER", f"unknown status {status!r}")
    mine = sorted(
        (r for r in ctx.state.returns.values()
         if r.partner_id == ctx.partner.partner_id and (not status or r.status == status)),
        key=lambda r: (r.changed, r.position_item_id), reverse=True,
    )  # fmt: skip
    chunk = mine[(page - 1) * limit : page * limit]
    links = []
    if len(mine) > page * limit:
        query = f"status={status}&" if status else ""
        links.append({"rel": "next", "href": f"/v3/returns?{query}limit={limit}&page={page + 1}"})
    items = [return_json(r, ctx.state.orders[r.sales_order_id].order_number) for r in chunk]
    return JSONResponse({"positionItems": items, "links": links})


def _item_error(ctx: Ctx, title: str, detail: str) -> dict[str, Any]:
    return {"title": title, "detail": detail, "path": ctx.path, "logref": logref(detail)}


def _decide(ctx: Ctx, accept: bool) -> Response:
    body = ctx.json()
    entries = body.get("positionItems") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ApiError(422, "UNPROCESSABLE_ENTITY", "positionItems (non-empty array) is mandatory")
    if len(entries) > MAX_BATCH:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", f"{len(entries)} items; at most {MAX_BATCH}")
    reasons = enums.ACCEPTANCE_REASONS if accept else enums.REJECTION_REASONS
    results, errors = [], []
    for index, entry in enumerate(entries):
        problem = _problem(ctx, index, entry, accept, reasons)
        if problem:
            errors.append(_item_error(ctx, *problem))
            continue
        record = ctx.state.returns[entry["positionItemId"]]
        record.status = "ACCEPTED" if accept else "REJECTED"
        record.condition, record.reason = entry.get("condition"), entry.get("reason")
        record.changed = ctx.now
        if accept:
            item = ctx.state.items[record.position_item_id]
            item.status, item.returned_date = enums.RETURNED, ctx.now
            ctx.state.orders[item.sales_order_id].touch(ctx.now)
            issue_refund_receipt(ctx.state, item, ctx.now)
        results.append({k: entry[k] for k in ("positionItemId", "salesOrderId", "condition",
                                               "reason") if entry.get(k) is not None})  # fmt: skip
    if not errors:
        return JSONResponse({"results": results})
    if not results:
        return JSONResponse({"errors": errors}, status_code=422)
    return JSONResponse({"results": results, "errors": errors}, status_code=207)


def _problem(ctx: Ctx, index: int, entry: Any, accept: bool,
             reasons: tuple[str, ...]) -> tuple[str, str] | None:  # fmt: skip
    """Why this entry cannot be applied, or None."""
    if (
        not isinstance(entry, dict)
        or not entry.get("positionItemId")
        or not entry.get("salesOrderId")
    ):
        return "BAD_REQUEST", f"positionItems[{index}]: positionItemId and salesOrderId required"
    item_id = entry["positionItemId"]
    record = ctx.state.returns.get(item_id)
    if (record is None or record.partner_id != ctx.partner.partner_id
            or record.sales_order_id != entry["salesOrderId"]):  # fmt: skip
        return "NOT_FOUND", f"no return for position item {item_id} of this partner and order"
    condition, reason = entry.get("condition"), entry.get("reason")
    if condition is not None and condition not in enums.RETURN_CONDITIONS:
        return "BAD_REQUEST", f"{item_id}: condition {condition!r}; one of A, B, C, D, E"
    if (reason is None and not accept) or (reason is not None and reason not in reasons):
        return "BAD_REQUEST", f"{item_id}: reason {reason!r}; one of {', '.join(reasons)}"
    if record.status == "ACCEPTED":
        return "CONFLICT", f"the return of {item_id} is already accepted"
    if record.status == "REJECTED" and not accept:
        return "CONFLICT", f"the return of {item_id} is already rejected"
    return None


def return_routes(pipe: Pipeline) -> list[Route]:
    common: dict[str, Any] = {"scope": "returns", "style": "returns"}
    return [
        pipe.route("/v3/returns", list_returns, methods=["GET"], **common),
        pipe.route(
            "/v3/returns/acceptance", lambda c: _decide(c, True), methods=["POST"], **common
        ),  # fmt: skip
        pipe.route(
            "/v3/returns/rejection", lambda c: _decide(c, False), methods=["POST"], **common
        ),  # fmt: skip
    ]
