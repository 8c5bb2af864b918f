"""W06 Warehouse Shipment Identification, the header of the 945 and the 943."""

from __future__ import annotations

import datetime as dt

from ..model import Segment
from .common import Cursor, Wire, fmt_date


class ShipmentIdentification(Wire):
    """W06: reporting code (``F`` full detail, ``X`` exceptions only …), depositor order
    number (marketdock's order id), shipment date, shipment id (BOL/ship no.), agent
    shipment id, purchase order number."""

    reporting_code: str = "F"
    depositor_order_number: str | None = None
    date: dt.date | None = None
    shipment_id: str | None = None
    agent_shipment_id: str | None = None
    purchase_order_number: str | None = None
    master_reference: str | None = None
    link_sequence: str | None = None


def read_w06(cursor: Cursor, w06: Segment) -> ShipmentIdentification:
    return ShipmentIdentification(
        reporting_code=cursor.req(w06, 1), depositor_order_number=cursor.opt(w06, 2),
        date=cursor.date(w06, 3), shipment_id=cursor.opt(w06, 4),
        agent_shipment_id=cursor.opt(w06, 5), purchase_order_number=cursor.opt(w06, 6),
        master_reference=cursor.opt(w06, 7), link_sequence=cursor.opt(w06, 8),
    )


def write_w06(value: ShipmentIdentification) -> Segment:
    return Segment.of("W06", value.reporting_code, value.depositor_order_number,
                      fmt_date(value.date), value.shipment_id, value.agent_shipment_id,
                      value.purchase_order_number, value.master_reference, value.link_sequence)
