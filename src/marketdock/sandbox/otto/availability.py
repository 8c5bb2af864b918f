"""Availability V1 quantities: absolute stock per SKU, at most 200 per request.

``POST`` answers 200 when every SKU was taken, 207 with ``results`` and ``errors`` per SKU
when some were not (unknown SKU, SKU without MOIN, bad quantity), 422 when none was, 413
above 200 entries. There is no out-of-order guard: the last write wins.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.otto.http import Ctx, Pipeline
from marketdock.sandbox.otto.model import Quantity
from marketdock.sandbox.otto.wire import ApiError, iso, logref

MAX_BATCH = 200
PATH = "/v1/availability/quantities"


def quantity_json(quantity: Quantity) -> dict[str, Any]:
    return {
        "sku": quantity.sku,
        "quantity": quantity.quantity,
        "lastModified": iso(quantity.last_modified),
        "links": [],
    }


def _sku_error(code: int, title: str, detail: str) -> dict[str, Any]:
    return {"code": code, "title": title, "detail": detail, "path": PATH, "logref": logref(detail)}


def _store(ctx: Ctx, index: int, entry: Any) -> dict[str, Any]:
    """Store one entry; answer its result, or raise a per-SKU error as a dict."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sku"), str):
        raise _Rejected(_sku_error(400, "BAD_REQUEST", f"[{index}]: sku (string) is mandatory"))
    sku, value = entry["sku"], entry.get("quantity")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Rejected(
            _sku_error(400, "BAD_REQUEST", f"SKU {sku}: quantity must be an integer >= 0")
        )
    product = ctx.state.product(ctx.partner.partner_id, sku)
    if product is None:
        raise _Rejected(_sku_error(404, "NOT_FOUND", f"SKU {sku} is unknown for this partner"))
    if product.moin is None:
        raise _Rejected(
            _sku_error(422, "UNPROCESSABLE_ENTITY", f"SKU {sku} has no MOIN (not yet online)")
        )
    record = Quantity(sku, value, ctx.now)
    ctx.state.quantities[(ctx.partner.partner_id, sku)] = record
    return quantity_json(record)


class _Rejected(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error["detail"])
        self.error = error


def post_quantities(ctx: Ctx) -> Response:
    body = ctx.json()
    if not isinstance(body, list):
        raise ApiError(422, "UNPROCESSABLE_ENTITY", "the body must be an array of {sku, quantity}")
    if len(body) > MAX_BATCH:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", f"{len(body)} entries; at most {MAX_BATCH}")
    results, errors = [], []
    for index, entry in enumerate(body):
        try:
            results.append(_store(ctx, index, entry))
        except _Rejected as rejected:
            errors.append(rejected.error)
    if not errors:
        return JSONResponse({"results": results})
    if not results:
        return JSONResponse({"errors": errors}, status_code=422)
    return JSONResponse({"results": results, "errors": errors}, status_code=207)


def list_quantities(ctx: Ctx) -> Response:
    """Sorted by SKU; ``cursor`` is the last SKU of the previous page (then only ``limit``)."""
    limit = ctx.query_int("limit", MAX_BATCH, 1, MAX_BATCH)
    cursor = ctx.query("cursor")
    mine = sorted(
        (q for (p, _), q in ctx.state.quantities.items() if p == ctx.partner.partner_id),
        key=lambda q: q.sku,
    )
    if cursor is not None:
        mine = [q for q in mine if q.sku > cursor]
    else:
        page_no = ctx.query_int("page", 0, 0, 10**6)
        mine = mine[page_no * limit :]
    page = mine[:limit]
    links = []
    if len(mine) > limit:
        links.append(
            {"rel": "next", "href": f"{PATH}?cursor={quote(page[-1].sku, safe='')}&limit={limit}"}
        )
    return JSONResponse(
        {"resources": {"variations": [quantity_json(q) for q in page]}, "links": links}
    )


def get_quantity(ctx: Ctx) -> Response:
    sku = ctx.request.path_params["sku"]
    record = ctx.state.quantities.get((ctx.partner.partner_id, sku))
    if record is None:
        detail = f"no quantity stored for SKU {sku}"
        return JSONResponse(
            {
                "type": "about:blank",
                "title": "NOT_FOUND",
                "status": 404,
                "validationErrors": [{"detail": detail, "logref": logref(detail)}],
            },
            status_code=404,
        )
    body = quantity_json(record)
    del body["links"]
    return JSONResponse(body)


def availability_routes(pipe: Pipeline) -> list[Route]:
    common: dict[str, Any] = {"scope": "availability", "style": "quantities"}
    return [
        pipe.route(PATH, post_quantities, methods=["POST"], **common),
        pipe.route(PATH, list_quantities, methods=["GET"], **common),
        pipe.route(PATH + "/{sku:path}", get_quantity, methods=["GET"], **common),
    ]
