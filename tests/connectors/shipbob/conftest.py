"""Fixtures for the ShipBob connector: recorded ShipBob JSON and the OpenAPI contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SPEC_PATH = (Path(__file__).resolve().parents[3].parent
             / "shared/contracts/wms/shipbob/shipbob-openapi.json")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def conforms() -> Any:
    """``conforms(instance, "Orders.CreateOrderModel")`` validates against the contract."""
    if not SPEC_PATH.exists():
        pytest.skip(f"ShipBob contract not found at {SPEC_PATH}")
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))

    def check(instance: Any, schema_name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{schema_name}",
                  "components": spec["components"]}
        jsonschema.Draft202012Validator(schema).validate(instance)

    return check
