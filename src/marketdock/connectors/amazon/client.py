"""One method per SP-API operation the connector uses, all through :class:`HttpCaller`.

The client adds the access token, parses answers into wire models and nothing else:
no mapping, no business rules. A refused token is replaced once and the call repeated.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from marketdock.connectors.amazon import usage_plans as ops
from marketdock.connectors.amazon import wire
from marketdock.connectors.amazon.lwa import AccessTokens
from marketdock.connectors.http import BadResponse, HttpCaller
from marketdock.engine.jobs import Priority
from marketdock.errors import AuthError

M = TypeVar("M", bound=pydantic.BaseModel)

ORDERS = "/orders/2026-01-01/orders"
ORDERS_V0 = "/orders/v0/orders"
FEEDS = "/feeds/2021-06-30"
LISTINGS = "/listings/2021-08-01/items"


def error_code(response: httpx.Response) -> str | None:
    """The first SP-API error code (``errors[0].code``) or LWA's ``error``."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):
            return str(body["error"])
        try:
            errors = wire.ErrorList.model_validate(body).errors
        except pydantic.ValidationError:
            return None
        return errors[0].code if errors else None
    return None


class AmazonClient:
    def __init__(self, caller: HttpCaller, tokens: AccessTokens) -> None:
        self.caller = caller
        self.tokens = tokens

    # ------------------------------------------------------------ orders

    def search_orders(self, params: Mapping[str, str]) -> wire.SearchOrdersResponse:
        response = self._call(ops.SEARCH_ORDERS, "GET", ORDERS, params=params)
        return self._parse(wire.SearchOrdersResponse, response, ops.SEARCH_ORDERS)

    def get_order(self, order_id: str, included: Sequence[str]) -> wire.Order:
        response = self._call(ops.GET_ORDER, "GET", f"{ORDERS}/{quote(order_id)}",
                              params={"includedData": ",".join(included)})
        return self._parse(wire.GetOrderResponse, response, ops.GET_ORDER).order

    def confirm_shipment(self, order_id: str, body: Mapping[str, Any]) -> None:
        self._call(ops.CONFIRM_SHIPMENT, "POST",
                   f"{ORDERS_V0}/{quote(order_id)}/shipmentConfirmation", json_body=body,
                   priority=Priority.TRACKING, ok=(204, 200))

    # ------------------------------------------------------------ feeds

    def create_feed_document(self, content_type: str) -> wire.CreateFeedDocumentResponse:
        response = self._call(ops.CREATE_FEED_DOCUMENT, "POST", f"{FEEDS}/documents",
                              json_body={"contentType": content_type}, priority=Priority.STOCK)
        return self._parse(wire.CreateFeedDocumentResponse, response, ops.CREATE_FEED_DOCUMENT)

    def upload(self, url: str, content: bytes, content_type: str) -> None:
        """PUT to the presigned URL: no access token, exactly the declared content type."""
        self.caller.call(ops.UPLOAD_DOCUMENT, "PUT", url, content=content,
                         headers={"content-type": content_type}, priority=Priority.STOCK,
                         ok=(200, 204))

    def create_feed(self, feed_type: str, marketplace_ids: Sequence[str],
                    document_id: str) -> str:
        body = {"feedType": feed_type, "marketplaceIds": list(marketplace_ids),
                "inputFeedDocumentId": document_id}
        response = self._call(ops.CREATE_FEED, "POST", f"{FEEDS}/feeds", json_body=body,
                              priority=Priority.STOCK)
        return self._parse(wire.CreateFeedResponse, response, ops.CREATE_FEED).feedId

    def get_feed(self, feed_id: str) -> wire.Feed:
        response = self._call(ops.GET_FEED, "GET", f"{FEEDS}/feeds/{quote(feed_id)}",
                              priority=Priority.STOCK)
        return self._parse(wire.Feed, response, ops.GET_FEED)

    def get_feed_document(self, document_id: str) -> wire.FeedDocument:
        response = self._call(ops.GET_FEED_DOCUMENT, "GET",
                              f"{FEEDS}/documents/{quote(document_id)}", priority=Priority.STOCK)
        return self._parse(wire.FeedDocument, response, ops.GET_FEED_DOCUMENT)

    def download(self, document: wire.FeedDocument) -> bytes:
        response = self.caller.call(ops.DOWNLOAD_DOCUMENT, "GET", document.url,
                                    priority=Priority.STOCK, ok=(200,))
        if document.compressionAlgorithm == "GZIP":
            try:
                return gzip.decompress(response.content)
            except (OSError, EOFError) as exc:
                raise BadResponse(f"document {document.feedDocumentId} is not valid "
                                  "GZIP") from exc
        return response.content

    # ------------------------------------------------------------ listings

    def patch_listings_item(self, seller_id: str, sku: str, marketplace_ids: Sequence[str],
                            body: Mapping[str, Any]) -> wire.ListingsItemSubmissionResponse:
        response = self._call(ops.PATCH_LISTINGS_ITEM, "PATCH",
                              f"{LISTINGS}/{quote(seller_id)}/{quote(sku, safe='')}",
                              params={"marketplaceIds": ",".join(marketplace_ids)},
                              json_body=body, priority=Priority.STOCK)
        return self._parse(wire.ListingsItemSubmissionResponse, response,
                           ops.PATCH_LISTINGS_ITEM)

    def search_listings_items(self, seller_id: str, skus: Sequence[str],
                              marketplace_ids: Sequence[str],
                              page_token: str | None = None) -> wire.ItemSearchResults:
        params = {"marketplaceIds": ",".join(marketplace_ids), "identifiersType": "SKU",
                  "identifiers": ",".join(skus), "includedData": "fulfillmentAvailability",
                  "pageSize": str(max(len(skus), 1))}
        if page_token:
            params["pageToken"] = page_token
        response = self._call(ops.SEARCH_LISTINGS_ITEMS, "GET", f"{LISTINGS}/{quote(seller_id)}",
                              params=params, priority=Priority.STOCK)
        return self._parse(wire.ItemSearchResults, response, ops.SEARCH_LISTINGS_ITEMS)

    # ------------------------------------------------------------ plumbing

    def _call(self, operation: str, method: str, path: str, *,
              params: Mapping[str, str] | None = None, json_body: Any = None,
              priority: Priority = Priority.OTHER,
              ok: tuple[int, ...] = (200, 201, 202)) -> httpx.Response:
        try:
            return self.caller.call(operation, method, path,
                                    headers={"x-amz-access-token": self.tokens.get()},
                                    params=params, json_body=json_body, priority=priority, ok=ok)
        except AuthError:
            self.tokens.invalidate()
        return self.caller.call(operation, method, path,
                                headers={"x-amz-access-token": self.tokens.get()},
                                params=params, json_body=json_body, priority=priority, ok=ok)

    def _parse(self, model: type[M], response: httpx.Response, operation: str) -> M:
        try:
            return model.model_validate(self.caller.json(response, operation))
        except pydantic.ValidationError as exc:
            raise BadResponse(f"amazon {operation}: unexpected answer: "
                              f"{exc.error_count()} problem(s), first at "
                              f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}") from exc
