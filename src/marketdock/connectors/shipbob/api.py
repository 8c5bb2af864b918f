"""The HTTP calls to ShipBob's dated API: paths, parameters and pages, nothing more.

Every call goes through one :class:`HttpCaller` bucket (:data:`BUCKET`): ShipBob counts
all requests of a token in one sliding window, whatever the endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError as PydanticError

from marketdock.connectors.http import BadResponse, HttpCaller
from marketdock.connectors.shipbob import wire
from marketdock.connectors.shipbob.settings import ShipBobSettings
from marketdock.engine.jobs import Priority
from marketdock.errors import RemoteError

M = TypeVar("M", bound=wire.Wire)

BUCKET = "api"
ORDER_PAGE = 250
INVENTORY_PAGE = 250
RECEIVING_PAGE = 250
MAX_PAGES = 400
"""A guard against a remote that keeps answering pages: 100 000 orders per poll."""


def error_code(response: httpx.Response) -> str | None:
    """ShipBob answers validation errors as ``{field: [messages]}``: the first field."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body and "message" not in body:
        return str(next(iter(body)))
    return None


def parse_body(model: type[M], body: Any, what: str) -> M:
    """``body`` as ``model``, or BadResponse naming the call."""
    try:
        return model.model_validate(body)
    except PydanticError as exc:
        first = exc.errors()[0]
        raise BadResponse(f"shipbob {what}: unexpected answer at "
                          f"{'.'.join(str(p) for p in first['loc']) or 'body'}: "
                          f"{first['msg']}") from exc


def stamp(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


@dataclass
class ShipBobApi:
    caller: HttpCaller
    settings: ShipBobSettings

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.api_key}",
                "Accept": "application/json"}

    def _get(self, path: str, priority: Priority, params: dict[str, Any] | None = None) -> Any:
        url = path if path.startswith(("http://", "https://", "/")) else self.settings.path(path)
        response = self.caller.call(BUCKET, "GET", url, priority=priority,
                                    headers=self._headers(), params=params)
        return self.caller.json(response, BUCKET)

    def channels(self) -> list[wire.Channel]:
        return parse_body(wire.ChannelPage, self._get("channel", Priority.OTHER),
                          "GET /channel").items

    def create_order(self, body: wire.CreateOrder, channel_id: int) -> tuple[int, Any]:
        """Status and JSON of ``POST /order``; 422 is returned, not raised, so the caller
        can tell a duplicate reference from other refusals."""
        headers = {**self._headers(), "shipbob_channel_id": str(channel_id)}
        response = self.caller.call(BUCKET, "POST", self.settings.path("order"),
                                    headers=headers, json_body=body.model_dump(
                                        mode="json", exclude_none=True),
                                    ok=(200, 201, 422))
        return response.status_code, self.caller.json(response, BUCKET)

    def order(self, order_id: int, priority: Priority = Priority.OTHER) -> Any:
        return self._get(f"order/{order_id}", priority)

    def orders_by_reference(self, reference: str) -> list[Any]:
        return self._list(self._get("order", Priority.OTHER, {"ReferenceIds": reference}))

    def cancel(self, order_id: int) -> tuple[int, Any]:
        response = self.caller.call(BUCKET, "POST", self.settings.path(f"order/{order_id}:cancel"),
                                    headers=self._headers(), ok=(200, 422))
        return response.status_code, self.caller.json(response, BUCKET)

    def orders_updated_since(self, since: datetime) -> Iterator[list[Any]]:
        """Pages of orders updated at or after ``since``."""
        params: dict[str, Any] = {"Limit": ORDER_PAGE, "LastUpdateStartDate": stamp(since)}
        for page in range(1, MAX_PAGES + 1):
            items = self._list(self._get("order", Priority.TRACKING, {**params, "Page": page}))
            yield items
            if len(items) < ORDER_PAGE:
                return
        raise RemoteError(f"shipbob GET /order: more than {MAX_PAGES} pages of "
                          f"{ORDER_PAGE} orders; poll stopped")

    def inventory_pages(self) -> Iterator[wire.InventoryPage]:
        url: str | None = self.settings.path("inventory-level")
        params: dict[str, Any] | None = {"PageSize": INVENTORY_PAGE}
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise RemoteError(f"shipbob GET /inventory-level: page {url} came twice")
            seen.add(url)
            page = parse_body(wire.InventoryPage, self._get(url, Priority.STOCK, params),
                              "GET /inventory-level")
            yield page
            url, params = page.next, None

    def create_receiving(self, body: wire.CreateReceiving) -> Any:
        response = self.caller.call(BUCKET, "POST", self.settings.path("receiving"),
                                    headers=self._headers(),
                                    json_body=body.model_dump(mode="json", exclude_none=True))
        return self.caller.json(response, BUCKET)

    def receivings(self, params: dict[str, Any], priority: Priority) -> Iterator[list[Any]]:
        """Pages of receiving orders matching ``params``. A page that brings no receiving
        order not seen before ends the walk (a remote that ignores ``Page`` answers the
        same list again)."""
        seen: set[object] = set()
        for page in range(1, MAX_PAGES + 1):
            items = self._list(self._get("receiving", priority,
                                         {**params, "Limit": RECEIVING_PAGE, "Page": page}),
                               "GET /receiving")
            fresh = [item for item in items
                     if not isinstance(item, dict) or item.get("id") not in seen]
            seen.update(item.get("id") for item in items if isinstance(item, dict))
            yield fresh
            if len(items) < RECEIVING_PAGE or not fresh:
                return
        raise RemoteError(f"shipbob GET /receiving: more than {MAX_PAGES} pages of "
                          f"{RECEIVING_PAGE} receiving orders; poll stopped")

    def _list(self, body: Any, what: str = "GET /order") -> list[Any]:
        if not isinstance(body, list):
            raise BadResponse(f"shipbob {what}: expected a list, got {type(body).__name__}")
        return body
