"""Amazon's models from ../shared/contracts/amazon: request bodies checked against them,
and their static sandbox examples as ready-made answers."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CONTRACTS = Path(__file__).resolve().parents[3].parent / "shared" / "contracts" / "amazon"
METHODS = ("get", "post", "put", "patch", "delete")


@cache
def model(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CONTRACTS / name).read_text("utf-8"))
    return loaded


def operation(name: str, operation_id: str) -> dict[str, Any]:
    for item in model(name)["paths"].values():
        for method in METHODS:
            if item.get(method, {}).get("operationId") == operation_id:
                found: dict[str, Any] = item[method]
                return found
    raise KeyError(f"{operation_id} not in {name}")


def validate_body(name: str, operation_id: str, body: Any) -> None:
    """The request body fits the operation's body parameter schema."""
    params = operation(name, operation_id)["parameters"]
    schema = next(p["schema"] for p in params if p.get("in") == "body")
    full = {**schema, "definitions": model(name)["definitions"]}
    jsonschema.Draft4Validator(full).validate(body)


def validate_response(name: str, operation_id: str, status: int, body: Any) -> None:
    schema = operation(name, operation_id)["responses"][str(status)]["schema"]
    full = {**schema, "definitions": model(name)["definitions"]}
    jsonschema.Draft4Validator(full).validate(body)


def examples(name: str, operation_id: str) -> list[tuple[int, Any]]:
    """(status, response body) of every static sandbox example of an operation."""
    found = []
    for status, documented in operation(name, operation_id)["responses"].items():
        for case in documented.get("x-amzn-api-sandbox", {}).get("static", []):
            found.append((int(status), case.get("response")))
    return found


def schema(relative: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CONTRACTS / relative).read_text("utf-8"))
    return loaded
