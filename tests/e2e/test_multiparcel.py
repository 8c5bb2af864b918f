"""One article too big for one box, end to end: the X12 warehouse reports its boxes in one
LX loop of the 945 (several ``MAN*CP``), the EDIFACT warehouse in one CPS group of the
DESADV (several ``GIN+BN``), and OTTO hears of them as one multi-parcel shipment; Amazon,
whose package carries one tracking number, gets the first box's. (The CSV layout and the
REST shape carry one tracking number per parcel.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from marketdock.demo.run import Demo
from tests.e2e.test_sandbox_flows import Orders, make_demo, otto_items, plain, settle


def bulky(demo: Demo, boxes: int) -> Demo:
    """The demo with its first plain product packed in ``boxes`` boxes per unit."""
    floor = demo.world.floor
    floor.config = dataclasses.replace(floor.config,
                                       boxes_per_unit={plain(demo).sku: boxes})
    return demo


@pytest.mark.parametrize("warehouse", ["x12", "edifact"])
def test_one_article_in_three_boxes_is_one_otto_multiparcel_shipment(tmp_path: Path,
                                                                     warehouse: str) -> None:
    demo = bulky(make_demo(tmp_path, warehouse), boxes=3)
    try:
        orders = Orders(demo)
        wardrobe = orders.otto((plain(demo), 1))
        small = orders.otto((plain(demo, 1), 1))
        outcome = settle(demo)
        assert outcome.packages_confirmed == outcome.packages_shipped
        assert outcome.open_exceptions == {}
        assert otto_items(demo, wardrobe) == ["SENT"] and otto_items(demo, small) == ["SENT"]
        state = demo.world.otto_state
        with state.lock:
            shipments = [s for s in state.shipments.values()
                         if any(i.sales_order_id == wardrobe.order_id for i in s.items)]
            single = [s for s in state.shipments.values()
                      if any(i.sales_order_id == small.order_id for i in s.items)]
        assert len(shipments) == 3
        assert len({s.multiparcel_id for s in shipments}) == 1
        assert shipments[0].multiparcel_id is not None
        assert len({s.tracking_number for s in shipments}) == 3
        assert len({i.return_tracking for s in shipments for i in s.items}) == 3
        assert len(single) == 1 and single[0].multiparcel_id is None
    finally:
        demo.close()


def test_amazon_takes_the_first_box_of_a_bulky_article(tmp_path: Path) -> None:
    demo = bulky(make_demo(tmp_path, "x12"), boxes=2)
    try:
        order = Orders(demo).amazon((plain(demo), 1))
        outcome = settle(demo)
        assert outcome.packages_confirmed == outcome.packages_shipped == {"otto": 0,
                                                                          "amazon": 1}
        shipped = demo.world.amazon_state.orders[order.order_id]
        assert shipped.status == "Shipped" and len(shipped.packages) == 1
        (parcel,) = [p for o in demo.world.floor.orders() for p in o.parcels]
        assert len(parcel.more_tracking_numbers) == 1
        assert shipped.packages[0].tracking_number == parcel.tracking_number  # the first box
    finally:
        demo.close()
