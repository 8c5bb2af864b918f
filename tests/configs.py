"""Config text of the test tenant "acme", assembled from parts so each test file states
only what differs."""

from __future__ import annotations

TENANT = """
[[tenants]]
id = "acme"
name = "Acme"
"""

AMAZON_CHANNEL = """
[[tenants.channels]]
id = "amazon-eu"
kind = "amazon"
base_url = "http://127.0.0.1:1"
marketplace_ids = ["A1PA6795UKMFR9"]
"""


def warehouse(id: str = "main", kind: str = "x12", *, house_number: str = "1",
              extra: str = "") -> str:
    """One warehouse in Hamburg; ``extra`` adds lines to its table (e.g. ``ships_to``)."""
    return f"""
[[tenants.warehouses]]
id = "{id}"
kind = "{kind}"
cutoff = "14:00"
timezone = "Europe/Berlin"
{extra}
[tenants.warehouses.ship_from]
company = "Acme Fulfilment"
street = "Lagerweg"
house_number = "{house_number}"
postal_code = "20095"
city = "Hamburg"
country_code = "DE"
"""
