"""What the demo puts into the simulated world and the hub before orders arrive.

One generated catalogue is listed on OTTO and on Amazon (DE and UK) under the same SKUs,
stocked at the warehouse, and mapped in the hub (plain SKUs one to one, bundles as kits of
warehouse SKUs). Carrier mappings translate the warehouse's carriers to each marketplace's
codes, and the OTTO account gets a pool of DHL return labels. Orders from the scenario
generator are placed on the simulators as they would arrive: OTTO orders ANNOUNCED first,
Amazon orders Pending first.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Connection

from marketdock.domain import (
    CarrierMapping,
    ChannelKind,
    KitComponent,
    Listing,
    ListingKind,
)
from marketdock.flows.store import carriers, listings, return_labels
from marketdock.sandbox import amazon, otto
from marketdock.sandbox.amazon.seed import Seed, SeedItem, SeedListing
from marketdock.sandbox.amazon.seed import SeedOrder as AmazonSeedOrder
from marketdock.sandbox.amazon.seed import apply_seed as amazon_seed
from marketdock.sandbox.otto.seed import SeedAddress, SeedLine, SeedProduct, add_order, add_product
from marketdock.sandbox.otto.seed import SeedOrder as OttoSeedOrder
from marketdock.sandbox.scenarios import Catalogue, ScenarioOrder
from marketdock.sandbox.warehouse import Floor
from marketdock.sandbox.warehouse.config import CARRIERS

TENANT = "demo"
OTTO_ACCOUNT = "otto"
AMAZON_ACCOUNT = "amazon-eu"
AMAZON_MARKETPLACES = {"DE": "A1PA6795UKMFR9", "UK": "A1F83G8C2ARO7P"}

# warehouse carrier → (OTTO carrier, Amazon carrier code)
CARRIER_CODES = {"DHL": ("DHL", "DHL"), "DPD": ("DPD", "DPD"),
                 "HERMES": ("HERMES", "Hermes Logistik Gruppe"), "UPS": ("UPS", "UPS"),
                 "ROYAL_MAIL": (None, "Royal Mail")}
UMLAUTS = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS"})
ALPHA3 = {"DE": "DEU", "AT": "AUT", "GB": "GBR", "CH": "CHE", "FR": "FRA", "NL": "NLD"}


def warehouse_sku(channel_sku: str) -> str:
    """The warehouse's name for a product: plain ASCII, as EDI and most WMSs require,
    while the marketplaces' SKUs may carry umlauts."""
    folded = channel_sku.upper().translate(UMLAUTS)
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()


def stock_units(sku: str) -> int:
    """A stable, ample quantity per warehouse SKU (20 to 59 units)."""
    return 20 + sum(sku.encode()) % 40


def seed_world(catalogue: Catalogue, otto_state: otto.OttoState,
               amazon_state: amazon.AmazonState, floor: Floor, now: datetime) -> None:
    for product in catalogue.products:
        add_product(otto_state, SeedProduct(sku=product.sku, ean=product.ean,
                                            title=product.title))
        if not product.is_bundle:
            sku = warehouse_sku(product.sku)
            floor.set_stock(sku, stock_units(sku), name=product.title)
    amazon_seed(amazon_state, Seed(listings=[
        SeedListing(sku=p.sku, marketplaces=list(AMAZON_MARKETPLACES), title=p.title)
        for p in catalogue.products]), now)


def seed_hub(conn: Connection, catalogue: Catalogue, now: datetime,
             return_label_count: int) -> None:
    for account in (OTTO_ACCOUNT, AMAZON_ACCOUNT):
        for product in catalogue.products:
            listings.upsert(conn, Listing(
                tenant_id=TENANT, channel_account_id=account, channel_sku=product.sku,
                ean=product.ean, kind=ListingKind.KIT if product.is_bundle else ListingKind.SINGLE,
                warehouse_sku=None if product.is_bundle else warehouse_sku(product.sku),
                components=tuple(KitComponent(warehouse_sku=warehouse_sku(sku), quantity=qty)
                                 for sku, qty in product.components)), now)
    for code, (otto_code, amazon_code) in CARRIER_CODES.items():
        carrier = CARRIERS[code]
        # each warehouse interface names the carrier its own way: code, name or SCAC
        for warehouse_carrier in sorted({carrier.code, carrier.name, carrier.scac}):
            if otto_code is not None:
                carriers.save(conn, CarrierMapping(
                    tenant_id=TENANT, channel=ChannelKind.OTTO,
                    warehouse_carrier=warehouse_carrier, marketplace_code=otto_code), now)
            carriers.save(conn, CarrierMapping(
                tenant_id=TENANT, channel=ChannelKind.AMAZON,
                warehouse_carrier=warehouse_carrier, marketplace_code=amazon_code), now)
    return_labels.add(conn, TENANT, OTTO_ACCOUNT, "DHL",
                      (f"RT{n:010d}DE" for n in range(1, return_label_count + 1)), now)


def place_otto(state: otto.OttoState, order: ScenarioOrder, now: datetime) -> None:
    first, _, last = order.ship_to.name.rpartition(" ")
    street, _, number = order.ship_to.street1.rpartition(" ")
    add_order(state, OttoSeedOrder(
        sales_order_id=order.order_id, order_number=order.order_number.lower(), order_date=now,
        lines=[SeedLine(sku=line.sku, quantity=line.quantity,
                        unit_price=Decimal(line.unit_price_cents) / 100)
               for line in order.lines],
        delivery_address=SeedAddress(
            salutation="COMPANY" if order.ship_to.company else "MS",
            first_name=first or order.ship_to.name, last_name=last,
            street=street or order.ship_to.street1, house_number=number or "1",
            zip_code=order.ship_to.postcode, city=order.ship_to.city,
            country_code=ALPHA3.get(order.ship_to.country, "DEU"),
            addition=order.ship_to.street2 or None)), now)


def place_amazon(state: amazon.AmazonState, order: ScenarioOrder, now: datetime) -> None:
    address = order.ship_to
    amazon_seed(state, Seed(orders=[AmazonSeedOrder(
        orderId=order.order_id, marketplace="UK" if order.marketplace.endswith(".uk") else "DE",
        status="Pending", purchaseDate=now, isBusinessOrder=order.business,
        latestShipDate=now + timedelta(days=2),
        shipmentServiceLevelCategory="Expedited" if order.shipping_method == "Express"
        else "Standard",
        shippingAddress={k: v for k, v in {
            "Name": address.name, "AddressLine1": address.street1,
            "AddressLine2": address.street2, "PostalCode": address.postcode,
            "City": address.city, "CountryCode": address.country,
            "CompanyName": address.company}.items() if v},
        items=[SeedItem(sku=line.sku, quantity=line.quantity,
                        price=Decimal(line.unit_price_cents) / 100, title=line.title)
               for line in order.lines])]), now)
