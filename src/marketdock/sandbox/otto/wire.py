"""Wire formats shared by all OTTO endpoints: dates, amounts, error envelopes."""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from starlette.responses import JSONResponse

CENT = Decimal("0.01")


def iso(value: datetime) -> str:
    """UTC with milliseconds and ``Z``, as OTTO answers."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_iso(value: str, name: str) -> datetime:
    """An ISO-8601 timestamp or date from a request; naive values are taken as UTC.

    An offset sent unencoded in a query string (``+01:00`` becomes `` 01:00``) is refused,
    as it is by OTTO's servers.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ApiError(
            400, "INVALID_REQUEST_PARAMETER", f"{name}={value!r} is not ISO-8601"
        ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def money(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def amount(value: Decimal) -> dict[str, Any]:
    return {"amount": money(value), "currency": "EUR"}


class ApiError(Exception):
    """An error answer of the simulated API; rendered in the envelope of the called API."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        json_path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.json_path = json_path
        self.headers = headers or {}


def error_response(error: ApiError, path: str, style: str) -> JSONResponse:
    """Render ``error`` the way the API under ``path`` does.

    - ``generic`` (Orders, Receipts, auth, rate limit): ``{"errors": [{title, detail, path}]}``
    - ``shipments``: the same with ``jsonPath``, and ``path`` relative to ``/v1`` as in OTTO's
      spec examples (``/shipments/101069930815/positionitems``)
    - ``returns``: ``{"errors": [{title, detail, path, logref}]}``
    - ``quantities``: ``{"errors": [{code, title, detail, path, logref}]}``
    """
    entry: dict[str, Any] = {"title": error.title, "detail": error.detail, "path": path}
    if style == "shipments":
        entry["path"] = path.removeprefix("/v1")
        if error.json_path:
            entry["jsonPath"] = error.json_path
    elif style == "returns":
        entry["logref"] = logref(path)
    elif style == "quantities":
        entry = {"code": error.status, **entry, "logref": logref(path)}
    return JSONResponse({"errors": [entry]}, status_code=error.status, headers=error.headers)


def logref(seed: str) -> str:
    """A stable log reference like OTTO's, so errors can be quoted in tickets."""
    return f"sandbox-{zlib.crc32(seed.encode()):010d}"


def encode_cursor(data: dict[str, Any]) -> str:
    """An opaque cursor carrying the query it continues (filters and last key)."""
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, name: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or "after" not in data:
            raise ValueError("not a cursor")
    except (binascii.Error, ValueError) as exc:
        raise ApiError(
            400, "INVALID_REQUEST_PARAMETER",
            f"{name} is not a cursor of this API; pass only the cursor string",
        ) from exc  # fmt: skip
    return data
