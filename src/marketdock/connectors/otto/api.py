"""The thin HTTP layer: OTTO's endpoints as methods, through the shared HttpCaller.

Every API call of an account takes a token from one shared bucket (``api``: OTTO allows
about 20 requests per second per partner); the token endpoint has its own (``token``).
A 401 drops the access token and repeats the call exactly once with a fresh one.
Answers are returned as wire models; deciding what they mean is the mapping's job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from marketdock.connectors.http import BadResponse, HttpCaller
from marketdock.connectors.otto import wire
from marketdock.connectors.otto.auth import TokenCache
from marketdock.errors import AuthError, RemoteError

API_OPERATION = "api"
MAX_PAGES = 10_000
MAX_REPEATS = 3
"""How often one next link may come back before paging is given up as a loop (a page
served twice is a hiccup; the orders on it are deduplicated)."""

M = TypeVar("M", bound=pydantic.BaseModel)
P = TypeVar("P", bound=wire.Paged)


def error_code(response: httpx.Response) -> str | None:
    """The title of OTTO's first error (``POSITION_ITEM_INCLUDED_IN_OTHER_SHIPMENT``), or the
    OAuth ``error`` of the token endpoint."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("error"), str):
        return str(body["error"])
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        title = errors[0].get("title")
        return str(title) if title is not None else None
    title = body.get("title")
    return str(title) if isinstance(title, str) else None


def segment(value: str) -> str:
    """One URL path segment, every reserved character encoded."""
    return quote(value, safe="")


class OttoApi:
    def __init__(self, http: HttpCaller, tokens: TokenCache) -> None:
        self.http = http
        self.tokens = tokens

    # ------------------------------------------------------------ plumbing

    def call(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
             json_body: Any = None, ok: tuple[int, ...] = (200, 201, 204)) -> httpx.Response:
        token = self.tokens.token()
        try:
            return self._send(token, method, url, params, json_body, ok)
        except AuthError as exc:
            if exc.context.get("status") != 401:
                raise
            self.tokens.invalidate(token)
            return self._send(self.tokens.token(), method, url, params, json_body, ok)

    def _send(self, token: str, method: str, url: str, params: Mapping[str, Any] | None,
              json_body: Any, ok: tuple[int, ...]) -> httpx.Response:
        return self.http.call(API_OPERATION, method, url, params=params, json_body=json_body,
                              headers={"Authorization": f"Bearer {token}"}, ok=ok)

    def read(self, response: httpx.Response, model: type[M]) -> M:
        body = self.http.json(response, API_OPERATION)
        try:
            return model.model_validate(body)
        except pydantic.ValidationError as exc:
            raise BadResponse(f"OTTO {response.request.method} {response.request.url.path}: "
                              f"the answer is not a {model.__name__}: "
                              f"{exc.error_count()} problem(s), first at "
                              f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}") from exc

    def get_or_none(self, url: str, model: type[M]) -> M | None:
        """GET a single resource; ``None`` when OTTO answers 404."""
        try:
            response = self.call("GET", url)
        except RemoteError as exc:
            if exc.status == 404:
                return None
            raise
        return self.read(response, model)

    def pages(self, url: str, params: Mapping[str, Any], model: type[P]) -> Iterator[P]:
        """Every page of a list, following ``rel=next`` verbatim (the cursor carries the
        filters) to the end."""
        response = self.call("GET", url, params=params)
        seen: Counter[str] = Counter()
        for _ in range(MAX_PAGES):
            page = self.read(response, model)
            yield page
            href = wire.next_href(page.links)
            if href is None:
                return
            seen[href] += 1
            if seen[href] > MAX_REPEATS:
                raise BadResponse(f"OTTO {url}: the next link {href[:80]} came back "
                                  f"{seen[href]} times; paging stopped")
            self._same_host(url, href)
            response = self.call("GET", href)
        raise BadResponse(f"OTTO {url}: more than {MAX_PAGES} pages")

    def _same_host(self, url: str, href: str) -> None:
        """A next link must stay on OTTO's host: the bearer token travels with it."""
        target = httpx.URL(href)
        if target.is_absolute_url and target.host != self.http.client.base_url.host:
            raise BadResponse(f"OTTO {url}: the next link leads to {target.host}, not to "
                              f"{self.http.client.base_url.host}; paging stopped")

    # ------------------------------------------------------------ orders v4

    def order_pages(self, params: Mapping[str, Any]) -> Iterator[wire.OrderPage]:
        return self.pages("/v4/orders", params, wire.OrderPage)

    def order(self, sales_order_id: str) -> wire.PartnerOrder | None:
        return self.get_or_none(f"/v4/orders/{segment(sales_order_id)}", wire.PartnerOrder)

    def cancel_items(self, sales_order_id: str, position_item_ids: Sequence[str]) -> None:
        ids = ",".join(segment(i) for i in position_item_ids)
        self.call("POST", f"/v4/orders/{segment(sales_order_id)}/positionItems/{ids}"
                          "/cancellation")

    # ------------------------------------------------------------ shipments v1

    def create_shipment(self, body: wire.CreateShipment) -> wire.CreateShipmentResponse:
        response = self.call("POST", "/v1/shipments",
                             json_body=body.model_dump(mode="json", by_alias=True,
                                                       exclude_none=True))
        return self.read(response, wire.CreateShipmentResponse)

    def create_multiparcel(self, bodies: Sequence[wire.CreateShipment]
                           ) -> wire.CreateShipmentResponse:
        payload = [b.model_dump(mode="json", by_alias=True, exclude_none=True) for b in bodies]
        response = self.call("POST", "/v1/multiparcel-shipments", json_body=payload)
        return self.read(response, wire.CreateShipmentResponse)

    def append_items(self, shipment_id: str, items: Sequence[wire.ShipmentItem]) -> None:
        payload = [i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in items]
        self.call("POST", f"/v1/shipments/{segment(shipment_id)}/positionitems",
                  json_body=payload)

    def shipment_by_key(self, carrier: str, tracking_number: str) -> wire.Shipment | None:
        return self.get_or_none(f"/v1/shipments/carriers/{segment(carrier)}/trackingnumbers/"
                                f"{segment(tracking_number)}", wire.Shipment)

    def shipment(self, shipment_id: str) -> wire.Shipment | None:
        return self.get_or_none(f"/v1/shipments/{segment(shipment_id)}", wire.Shipment)

    def shipment_summaries(self, date_from: str) -> list[wire.ShipmentSummary]:
        pages = self.pages("/v1/shipments", {"datefrom": date_from, "limit": 100},
                           wire.ShipmentPage)
        return [summary for page in pages for summary in page.resources]

    # ------------------------------------------------------------ availability v1

    def post_quantities(self, batch: Sequence[wire.Quantity]) -> wire.QuantityAnswer:
        payload = [q.model_dump(mode="json", by_alias=True) for q in batch]
        response = self.call("POST", "/v1/availability/quantities", json_body=payload,
                             ok=(200, 207, 422))
        return self.read(response, wire.QuantityAnswer)

    def quantity(self, sku: str) -> wire.QuantityResult | None:
        return self.get_or_none(f"/v1/availability/quantities/{segment(sku)}",
                                wire.QuantityResult)

    def all_quantities(self) -> list[wire.QuantityResult]:
        pages = self.pages("/v1/availability/quantities", {"limit": 200}, wire.QuantityPage)
        return [q for page in pages for q in page.resources.variations]

    # ------------------------------------------------------------ returns v3, receipts v3

    def return_pages(self, status: str) -> Iterator[wire.ReturnPage]:
        return self.pages("/v3/returns", {"status": status, "limit": 50}, wire.ReturnPage)

    def decide_returns(self, decision: str, body: wire.ReturnDecisionRequest
                       ) -> wire.ReturnDecisionAnswer:
        """``decision`` is ``acceptance`` or ``rejection``; 207 and 422 carry per-item
        errors and are read like 200."""
        response = self.call("POST", f"/v3/returns/{decision}",
                             json_body=body.model_dump(mode="json", by_alias=True,
                                                       exclude_none=True),
                             ok=(200, 207, 422))
        return self.read(response, wire.ReturnDecisionAnswer)

    def receipt_pages(self, params: Mapping[str, Any]) -> Iterator[wire.ReceiptPage]:
        return self.pages("/v3/receipts", params, wire.ReceiptPage)

    def receipt_document_pages(self, params: Mapping[str, Any]
                               ) -> Iterator[wire.ReceiptDocumentPage]:
        return self.pages("/v3/receipts", params, wire.ReceiptDocumentPage)
