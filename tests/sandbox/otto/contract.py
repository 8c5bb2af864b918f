"""OTTO contract schemas for the simulator tests, built from ../shared/contracts/otto.

The 2025-04 digest describes schemas in its own notation (``"type": "Amount[]"``); this module
turns each API's schemas into JSON Schema ``$defs`` and validates with jsonschema, resolving
``$ref`` through a ``referencing`` registry. Responses are validated strictly
(``additionalProperties: false``) so a misspelt field in the simulator fails; requests too,
so the tests can only send documented shapes.

Deviations from the digest, each forced by OTTO's own material:

1. Shipments-V1 ``errors`` is typed as one ``ErrorDescription`` object, but every example in
   OTTO's spec (and ``examples/*.response.json``) is an array: validated as an array.
2. ``TrackingKey.trackingNumber`` and ``PositionItem.returnTrackingKey`` are "required" in the
   schema while OTTO's text and its forwarder examples omit them: optional (the simulator
   enforces the parcel rules itself, and the behaviour tests check them).
3. Returns-V3 ``details`` (``ReturnedItemStatusData``) merges the per-status detail types:
   validated as anyOf Announced/Accepted/Rejected/Misdirected status data.
4. Returns-V3 ``condition`` enum is the single literal ``"A/B/C/D/E"`` (generator artefact):
   validated as one of A..E.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CONTRACTS = Path(__file__).resolve().parents[3].parent / "shared" / "contracts" / "otto"

_SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "float": {"type": "number"},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "DateTime": {"type": "string", "format": "date-time"},
    "object": {"type": "object"},
    "mixed": {},
}
_FORMATS = {"date-time": "date-time", "uuid": "uuid", "\\DateTime": "date-time"}


def _date_time(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
FORMAT_CHECKER.checks("date-time")(_date_time)
FORMAT_CHECKER.checks("uuid")(_uuid)


@cache
def digest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONTRACTS / "otto-api-digest.2025-04.json").read_text())
    return data


def _type(notation: str, prop: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    if notation.endswith("[]"):
        return {"type": "array", "items": _type(notation[:-2], {}, schemas)}
    if notation in _SCALARS:
        result = dict(_SCALARS[notation])
        fmt = _FORMATS.get(prop.get("format", ""))
        if fmt:
            result["format"] = fmt
        return result
    if notation not in schemas:
        raise KeyError(f"digest refers to unknown schema {notation!r}")
    return {"$ref": f"#/$defs/{notation}"}


def _convert(api: str) -> dict[str, Any]:
    schemas = digest()["apis"][api]["schemas"]
    defs: dict[str, Any] = {}
    for name, schema in schemas.items():
        props = {p: _type(v["type"], v, schemas) for p, v in schema["properties"].items()}
        for enum_name, values in schema["enums"].items():
            prop = enum_name[0].lower() + enum_name[1:]
            if values == ["A/B/C/D/E"]:  # deviation 4
                values = list("ABCDE")
            target = props[prop].get("items", props[prop])
            target["enum"] = values
        defs[name] = {
            "type": "object",
            "properties": props,
            "required": list(schema["required"]),
            "additionalProperties": False,
        }
    if api == "Shipments-V1":
        for schema in defs.values():  # deviation 1
            if schema["properties"].get("errors") == {"$ref": "#/$defs/ErrorDescription"}:
                schema["properties"]["errors"] = {
                    "type": "array",
                    "items": {"$ref": "#/$defs/ErrorDescription"},
                }  # noqa: E501
        defs["TrackingKey"]["required"].remove("trackingNumber")  # deviation 2
        defs["PositionItem"]["required"].remove("returnTrackingKey")
    if api == "Returns-V3":  # deviation 3
        kinds = ["AnnouncedStatusData", "AcceptedStatusData", "RejectedStatusData",
                 "MisdirectedStatusData"]  # fmt: skip
        defs["PositionItem"]["properties"]["details"] = {
            "anyOf": [{"$ref": f"#/$defs/{k}"} for k in kinds]
        }
    return defs


@cache
def api_defs(api: str) -> dict[str, Any]:
    return _convert(api)


EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {
    # The generic envelope of OTTO's developer guide (examples/error-envelope.developer-guide.json)
    "ErrorEnvelope": {
        "type": "object",
        "required": ["errors"],
        "additionalProperties": False,
        "properties": {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["title"],
                    "additionalProperties": False,
                    "properties": {
                        k: {"type": "string"}
                        for k in ("title", "detail", "path", "jsonPath", "code", "logref")
                    },
                },
            },
            "warnings": {"type": "array"},
        },
    },
    # Shape of examples/token.*.response.json (OTTO developer guide)
    "TokenResponse": {
        "type": "object",
        "required": ["access_token", "expires_in", "token_type"],
        "properties": {
            "access_token": {"type": "string", "minLength": 1},
            "expires_in": {"const": 1800},
            "token_type": {"enum": ["bearer", "Bearer"]},
            "scope": {"type": "string"},
            "not-before-policy": {"type": "integer"},
        },
    },
    "OAuthError": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    },
    "Empty": {"const": None},
}


def validator(api: str | None, schema: str | list[str]) -> jsonschema.Draft202012Validator:
    """A validator for ``schema`` of ``api`` (None: :data:`EXTRA_SCHEMAS`); ``[X]`` = X[]."""
    defs = api_defs(api) if api else EXTRA_SCHEMAS
    name = schema[0] if isinstance(schema, list) else schema
    if name not in defs:
        raise KeyError(f"{api}: no schema {name!r}")
    ref: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
    shape = {"type": "array", "items": ref} if isinstance(schema, list) else ref
    root = {"$defs": defs, **shape}
    return jsonschema.Draft202012Validator(root, format_checker=FORMAT_CHECKER)


@dataclass(frozen=True)
class Operation:
    """One documented operation: where its schemas live and which statuses it may answer."""

    name: str
    method: str
    template: str
    api: str | None
    request: str | list[str] | None
    responses: dict[int, tuple[str | None, str]]
    params: frozenset[str] = field(default_factory=frozenset)

    @property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\{[^}]+\}", "[^/]+", self.template)
        return re.compile(f"^{regex}$")


def _query_params(operation: str) -> frozenset[str]:
    for api in digest()["apis"].values():
        for op in api["operations"]:
            if op["operation"] == operation:
                names = {p["name"] for p in op["parameters"]}
                return frozenset(names - {"authorization"})
    raise KeyError(operation)


Schema = tuple[str | None, str]
GENERIC: Schema = (None, "ErrorEnvelope")


def _errors(api: str | None, schema: str) -> dict[int, Schema]:
    """Auth, scope and rate-limit answers every operation can give, in its API's envelope."""
    return {status: (api, schema) for status in (401, 403, 429)}


_SHIP = "Shipments-V1"
_ORD = "Orders-V4"
_AV = "Availability-V1"
_RET = "Returns-V3"
_REC = "Receipts-V3"
_SHIP_ERR = _errors(_SHIP, "BadRequest")
_ORD_ERR = {**_errors(None, "ErrorEnvelope"), 400: GENERIC, 404: GENERIC, 409: GENERIC}
_AV_ERR = _errors(_AV, "ApiErrorResponse")
_RET_ERR = {**_errors(_RET, "ApiErrorResponseV3"), 400: (_RET, "ApiErrorResponseV3")}


def _op(name: str, method: str, template: str, api: str | None, request: Any,
        responses: dict[int, Schema], digest_op: str | None = None) -> Operation:  # fmt: skip
    params = _query_params(digest_op) if digest_op else frozenset()
    return Operation(name, method, template, api, request, responses, params)


OPERATIONS: list[Operation] = [
    _op("token", "POST", "/v1/token", None, None, {
        200: (None, "TokenResponse"), 400: (None, "OAuthError"), 401: (None, "OAuthError"),
        429: (None, "OAuthError")}),
    _op("listOrders", "GET", "/v4/orders", _ORD, None,
        {200: (_ORD, "PartnerOrderList"), **_ORD_ERR}, "ordersV4FindPartnerOrders"),
    _op("cancelItems", "POST", "/v4/orders/{id}/positionItems/{ids}/cancellation", _ORD, None,
        {200: (None, "Empty"), **_ORD_ERR}),
    _op("cancelOrder", "POST", "/v4/orders/{id}/cancellation", _ORD, None,
        {200: (None, "Empty"), **_ORD_ERR}),
    _op("getOrder", "GET", "/v4/orders/{id}", _ORD, None,
        {200: (_ORD, "PartnerOrder"), **_ORD_ERR}),
    _op("createShipment", "POST", "/v1/shipments", _SHIP, "CreateShipmentRequest", {
        201: (_SHIP, "CreateShipmentResponse"), 400: (_SHIP, "BadRequest"),
        409: (_SHIP, "Conflict"), **_SHIP_ERR}),
    _op("listShipments", "GET", "/v1/shipments", _SHIP, None, {
        200: (_SHIP, "ShipmentList"), 400: (_SHIP, "BadRequest"), **_SHIP_ERR},
        "shipmentsV1ListShipmentsUsingGET"),
    _op("createMultiparcel", "POST", "/v1/multiparcel-shipments", _SHIP,
        ["MultiparcelCreateShipmentRequest"], {
        201: (_SHIP, "CreateMultiparcelShipmentResponse"), 400: (_SHIP, "BadRequest"),
        409: (_SHIP, "ConflictMultiparcel"), **_SHIP_ERR}),
    _op("getShipmentByKey", "GET", "/v1/shipments/carriers/{c}/trackingnumbers/{n}", _SHIP, None, {
        200: (_SHIP, "Shipment"), 403: (_SHIP, "ForbiddenGetShipmentByTrackingNumber"),
        404: (_SHIP, "NotFoundGetShipmentByTrackingNumber"), 401: (_SHIP, "BadRequest"),
        429: (_SHIP, "BadRequest")}),
    _op("appendByKey", "POST", "/v1/shipments/carriers/{c}/trackingnumbers/{n}/positionitems",
        _SHIP, ["PositionItem"], {
        200: (None, "Empty"), 400: (_SHIP, "BadRequestAddPositionItemByTrackingNumber"),
        404: (_SHIP, "NotFoundAddPositionItemByTrackingNumber"),
        409: (_SHIP, "ConflictAddPositionItemByTrackingNumber"), **_SHIP_ERR}),
    _op("getShipment", "GET", "/v1/shipments/{id}", _SHIP, None, {
        200: (_SHIP, "Shipment"), 403: (_SHIP, "ForbiddenGetShipmentByShipmentId"),
        404: (_SHIP, "NotFoundGetShipmentByShipmentId"), 401: (_SHIP, "BadRequest"),
        429: (_SHIP, "BadRequest")}),
    _op("appendById", "POST", "/v1/shipments/{id}/positionitems", _SHIP, ["PositionItem"], {
        200: (None, "Empty"), 400: (_SHIP, "BadRequestAddPositionItemByShipmentId"),
        404: (_SHIP, "NotFoundAddPositionItemByShipmentId"),
        409: (_SHIP, "ConflictAddPositionItemByShipmentId"), **_SHIP_ERR}),
    _op("postQuantities", "POST", "/v1/availability/quantities", _AV,
        ["AvailableQuantityRequestDTO"], {
        200: (_AV, "UpdateQuantityMultiStatusResponse"),
        207: (_AV, "UpdateQuantityMultiStatusResponse"),
        413: (_AV, "PayloadTooLargeApiErrorResponseForQuantities"),
        422: (_AV, "ApiErrorResponse"), 400: (_AV, "ApiErrorResponse"), **_AV_ERR}),
    _op("listQuantities", "GET", "/v1/availability/quantities", _AV, None, {
        200: (_AV, "AvailableQuantityResponse"), 400: (_AV, "ApiErrorResponse"), **_AV_ERR},
        "availabilityV1GetAvailableQuantities"),
    _op("getQuantity", "GET", "/v1/availability/quantities/{sku}", _AV, None, {
        200: (_AV, "AvailableQuantitySingleResponseDTO"),
        404: (_AV, "APIErrorResponseForNotFound"), **_AV_ERR}),
    _op("listReturns", "GET", "/v3/returns", _RET, None,
        {200: (_RET, "PositionItemList"), **_RET_ERR}, "returnsV3GetPositionItemsForUsingGETV3"),
    _op("acceptReturns", "POST", "/v3/returns/acceptance", _RET, "AcceptedPartnerReturnV3", {
        200: (_RET, "AcceptedReturnMultiStatusResponse"),
        207: (_RET, "AcceptedReturnMultiStatusResponse"), 413: (_RET, "ApiErrorResponseV3"),
        422: (_RET, "ApiErrorResponseV3"), **_RET_ERR}),
    _op("rejectReturns", "POST", "/v3/returns/rejection", _RET, "RejectedPartnerReturnV3", {
        200: (_RET, "RejectedReturnMultiStatusResponse"),
        207: (_RET, "RejectedReturnMultiStatusResponse"), 413: (_RET, "ApiErrorResponseV3"),
        422: (_RET, "ApiErrorResponseV3"), **_RET_ERR}),
    _op("listReceipts", "GET", "/v3/receipts", _REC, None,
        {200: (_REC, "ReceiptsList"), **_ORD_ERR}, "receiptsV3GetReceiptsUsingGET5"),
    _op("getReceipt", "GET", "/v3/receipts/{n}", _REC, None,
        {200: (_REC, "Receipt"), **_ORD_ERR}),
]  # fmt: skip


def operation_for(method: str, path: str) -> Operation:
    for op in OPERATIONS:
        if op.method == method and op.pattern.match(path):
            return op
    raise AssertionError(f"{method} {path} is no documented OTTO operation")
