"""Seeded scenarios: a product catalogue and realistic OTTO / Amazon orders.

Everything is derived from the seed alone, so a scenario replays identically at any
volume: ``generate_orders(seed, 100, ...)`` is the first hundred orders of
``generate_orders(seed, 10_000, ...)``. The records are plain frozen dataclasses so the
simulators can turn them into OTTO JSON, SP-API JSON or warehouse files.

What the data exercises: German addresses with umlauts, ß, leading-zero postcodes, very
long street names, c/o and Packstation lines; UK addresses (Amazon only) with flats and
long Welsh place names; business orders (company on the address, Amazon Business);
gift orders with a message (Amazon only; OTTO has none); multi-line and multi-unit
orders; several SKUs sharing one EAN; bundles (kits) sold under their own SKU. OTTO
lines carry one position-item id per unit, Amazon lines one order-item id.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

Channel = Literal["otto", "amazon"]


@dataclass(frozen=True, kw_only=True)
class Product:
    sku: str
    ean: str
    title: str
    price_cents: int
    weight_g: int
    components: tuple[tuple[str, int], ...] = ()  # a bundle's (sku, qty) parts

    @property
    def is_bundle(self) -> bool:
        return bool(self.components)


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    products: tuple[Product, ...]
    _by_sku: dict[str, Product] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_sku", {p.sku: p for p in self.products})

    def product(self, sku: str) -> Product:
        if sku not in self._by_sku:
            raise KeyError(f"catalogue has no SKU {sku!r}")
        return self._by_sku[sku]

    def shared_eans(self) -> dict[str, tuple[str, ...]]:
        """EANs used by more than one SKU, with their SKUs."""
        skus: dict[str, list[str]] = {}
        for p in self.products:
            skus.setdefault(p.ean, []).append(p.sku)
        return {ean: tuple(s) for ean, s in skus.items() if len(s) > 1}

    def bundles(self) -> tuple[Product, ...]:
        return tuple(p for p in self.products if p.is_bundle)


@dataclass(frozen=True, kw_only=True)
class ScenarioAddress:
    name: str
    street1: str
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    street2: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class ScenarioLine:
    sku: str
    ean: str
    title: str
    quantity: int
    unit_price_cents: int
    item_ids: tuple[str, ...]  # OTTO: one position item per unit; Amazon: one order item


@dataclass(frozen=True, kw_only=True)
class ScenarioOrder:
    channel: Channel
    order_id: str  # OTTO salesOrderId (UUID); Amazon 3-7-7 order id
    order_number: str  # OTTO 10-char order number; Amazon: the order id again
    marketplace: str  # otto.de, amazon.de, amazon.co.uk
    ordered_at: datetime
    currency: str
    ship_to: ScenarioAddress
    lines: tuple[ScenarioLine, ...]
    shipping_method: str
    business: bool = False
    gift_message: str = ""

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


_NOUNS = ("Kaffeebecher", "Geschirrtuch", "Kissenbezug", "Müslischale", "Teekanne",
          "Frühstücksbrett", "Wärmflasche", "Gießkanne", "Küchenschürze", "Brotkorb",
          "Schneidebrett", "Zuckerdose", "Thermoskanne", "Fußmatte", "Handtuch")
_MATERIAL = ("Steingut", "Leinen", "Baumwolle", "Edelstahl", "Buchenholz", "Porzellan", "Glas")
_COLOURS = ("Weiß", "Schwarz", "Salbeigrün", "Rotbraun", "Grau meliert", "Blau", "Ockergelb")
_SIZES = ("S", "M", "L", "XL", "350 ml", "500 ml", "1 l", "40×40 cm", "50×70 cm")

_DE_FIRST = ("Jürgen", "Björn", "Ümit", "Käthe", "Sören", "Jörg", "Özlem", "Zoë", "Maximilian",
             "Anna-Lena", "Hans-Peter", "Gülşen", "Łukasz", "Renée", "Frauke", "Andreas")
_DE_LAST = ("Müller", "Weiß", "Größer", "Schäfer", "Krüger", "Böhm", "Fuß", "Strauß",
            "Nußbaum", "Meyer-Lüdenscheidt", "von Düsterloh", "Yılmaz", "Çelik", "Schmidt")
_DE_STREETS = ("Hauptstraße", "Schloßallee", "Straße des 17. Juni", "Königsallee",
               "Bürgermeister-Smidt-Straße", "Am Großen Wannsee", "Fürstenrieder Straße",
               "Oberbürgermeister-Dr.-Heinrich-Weitz-Straße", "Graf-Adolf-Straße",
               "Kaiser-Friedrich-Wilhelm-Promenade", "Weißenburger Straße", "Spitalgäßchen",
               "An der Alten Brücke über die Fränkische Saale")
_DE_CITIES = (("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"),
              ("50667", "Köln"), ("60311", "Frankfurt am Main"), ("40213", "Düsseldorf"),
              ("01067", "Dresden"), ("04109", "Leipzig"), ("90402", "Nürnberg"),
              ("66111", "Saarbrücken"), ("97070", "Würzburg"), ("79098", "Freiburg im Breisgau"),
              ("06108", "Halle (Saale)"), ("99084", "Erfurt"), ("24103", "Kiel"))
_DE_EXTRA = ("c/o Weiß", "Hinterhaus, 3. OG links", "Gebäude B, Aufgang 2", "bei Familie Öztürk",
             "Zimmer 1.14")
_UK_FIRST = ("Siân", "Niamh", "Zoë", "Oliver", "Aoife", "Rhys", "Chloë", "Seán", "Harriet")
_UK_LAST = ("O'Brien", "Ó Súilleabháin", "Smith", "Llewellyn", "MacDonald", "Ffoulkes-Jones",
            "Patel", "Brontë")
_UK_STREETS = ("Kensington Park Gardens", "High Street", "St. Mary's Road", "Princes Street",
               "Heol y Frenhines", "Shankill Road")
_UK_TOWNS = (("SW1A 1AA", "London"), ("M1 1AE", "Manchester"), ("EH1 1YZ", "Edinburgh"),
             ("CF10 1EP", "Cardiff"), ("BT1 5GS", "Belfast"),
             ("LL61 5UJ", "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"))
_COMPANIES = ("Müller & Söhne GmbH", "Bäckerei Größer KG", "Weiß Logistik AG",
              "Café Fräulein Süß UG (haftungsbeschränkt)", "Praxis Dr. Öztürk")
_UK_COMPANIES = ("Brontë & Daughters Ltd", "O'Brien Catering LLP", "Llewellyn Tools plc")
_GIFTS = ("Alles Liebe zum Geburtstag! 🎂 Deine Käthe", "Frohe Weihnachten – für Oma & Opa",
          "Happy birthday, Siân! x", "Herzlichen Glückwunsch zur Hochzeit 💍")


def ean13(rng: random.Random, prefix: str = "40") -> str:
    """A random EAN-13 with a valid check digit."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(12 - len(prefix)))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def generate_catalogue(
    seed: int, size: int = 120, *, shared_ean_rate: float = 0.06, bundle_rate: float = 0.08
) -> Catalogue:
    """``size`` base products; some get a second SKU with the same EAN, some bundles."""
    if size < 2:
        raise ValueError(f"a catalogue needs at least 2 products, got {size}")
    rng = random.Random(f"marketdock-catalogue:{seed}")
    products: list[Product] = []
    for n in range(size):
        noun = rng.choice(_NOUNS)
        title = f"{noun} {rng.choice(_MATERIAL)}, {rng.choice(_SIZES)}, {rng.choice(_COLOURS)}"
        base = Product(sku=f"MD-{noun[:3].upper()}-{n:05d}", ean=ean13(rng, rng.choice(
            ("40", "41", "42", "43", "44"))), title=title,
            price_cents=rng.randrange(3, 90) * 100 + 99, weight_g=rng.randrange(80, 2500))
        products.append(base)
        if rng.random() < shared_ean_rate:  # same article listed under a second SKU
            products.append(Product(sku=f"{base.sku}-B", ean=base.ean, title=base.title,
                                    price_cents=base.price_cents, weight_g=base.weight_g))
    singles = list(products)
    for n in range(max(1, round(size * bundle_rate))):
        parts = rng.sample(singles, rng.randint(2, 3))
        components = tuple(sorted((p.sku, rng.randint(1, 2)) for p in parts))
        products.append(Product(
            sku=f"MD-SET-{n:04d}", ean=ean13(rng), title="Set: " + " + ".join(
                p.title.split(",")[0] for p in parts),
            price_cents=sum(p.price_cents * q for p, (_, q) in zip(parts, components,
                                                                   strict=True)) * 9 // 10,
            weight_g=sum(p.weight_g for p in parts), components=components,
        ))
    return Catalogue(products=tuple(products))


def _address(rng: random.Random, uk: bool, business: bool, email_tag: str) -> ScenarioAddress:
    first = rng.choice(_UK_FIRST if uk else _DE_FIRST)
    last = rng.choice(_UK_LAST if uk else _DE_LAST)
    company = rng.choice(_UK_COMPANIES if uk else _COMPANIES) if business else ""
    if uk:
        postcode, city = rng.choice(_UK_TOWNS)
        street1 = f"{rng.randint(1, 240)} {rng.choice(_UK_STREETS)}"
        street2 = f"Flat {rng.randint(1, 40)}" if rng.random() < 0.3 else ""
        phone = f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
    else:
        postcode, city = rng.choice(_DE_CITIES)
        if rng.random() < 0.05:
            street1, street2 = f"Packstation {rng.randint(100, 299)}", \
                f"Postnummer {rng.randint(10**7, 10**8 - 1)}"
        else:
            street1 = f"{rng.choice(_DE_STREETS)} {rng.randint(1, 180)}{rng.choice(('', '', 'a'))}"
            street2 = rng.choice(_DE_EXTRA) if rng.random() < 0.2 else ""
        phone = f"+49 1{rng.randint(50, 79)} {rng.randint(1000000, 9999999)}"
    return ScenarioAddress(name=f"{first} {last}", street1=street1, street2=street2,
                           postcode=postcode, city=city, country="GB" if uk else "DE",
                           company=company, phone=phone, email=f"{email_tag}@example.test")


def _lines(rng: random.Random, catalogue: Catalogue, channel: Channel, multi_line_rate: float,
           multi_unit_rate: float) -> tuple[ScenarioLine, ...]:
    count = rng.randint(2, 5) if rng.random() < multi_line_rate else 1
    lines = []
    for product in rng.sample(catalogue.products, count):
        qty = rng.choice((2, 2, 3, 4, 6)) if rng.random() < multi_unit_rate else 1
        if channel == "otto":
            ids = tuple(str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(qty))
        else:
            ids = (f"{rng.randint(10**13, 10**14 - 1)}",)
        lines.append(ScenarioLine(sku=product.sku, ean=product.ean, title=product.title,
                                  quantity=qty, unit_price_cents=product.price_cents,
                                  item_ids=ids))
    return tuple(lines)


def generate_orders(
    seed: int,
    count: int,
    channel: Channel,
    *,
    catalogue: Catalogue | None = None,
    start: datetime = datetime(2026, 1, 15, 6, 0, tzinfo=UTC),
    orders_per_hour: float = 40.0,
    uk_share: float = 0.3,
    business_rate: float = 0.08,
    gift_rate: float = 0.05,
    multi_line_rate: float = 0.25,
    multi_unit_rate: float = 0.15,
) -> list[ScenarioOrder]:
    """``count`` orders of one channel; ``uk_share`` and ``gift_rate`` apply to Amazon."""
    if channel not in ("otto", "amazon"):
        raise ValueError(f"channel must be 'otto' or 'amazon', got {channel!r}")
    if count < 0 or orders_per_hour <= 0:
        raise ValueError(f"count {count} and orders_per_hour {orders_per_hour} are invalid")
    catalogue = catalogue or generate_catalogue(seed)
    rng = random.Random(f"marketdock-orders:{seed}:{channel}")
    at, orders = start, []
    for n in range(count):
        at += timedelta(seconds=round(rng.expovariate(orders_per_hour / 3600.0), 3))
        uk = channel == "amazon" and rng.random() < uk_share
        business = rng.random() < business_rate
        gift = channel == "amazon" and rng.random() < gift_rate
        if channel == "otto":
            order_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            number = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
            marketplace, method = "otto.de", rng.choice(("Standard", "Standard", "Hermes"))
        else:
            order_id = number = (f"{rng.choice(('202', '026') if uk else ('302', '303', '028'))}"
                                 f"-{rng.randint(0, 9999999):07d}-{rng.randint(0, 9999999):07d}")
            marketplace = "amazon.co.uk" if uk else "amazon.de"
            method = "Royal Mail" if uk else rng.choice(("Standard", "Standard", "Express"))
        orders.append(ScenarioOrder(
            channel=channel, order_id=order_id, order_number=number, marketplace=marketplace,
            ordered_at=at, currency="GBP" if uk else "EUR",
            ship_to=_address(rng, uk, business, f"kunde{n}"),
            lines=_lines(rng, catalogue, channel, multi_line_rate, multi_unit_rate),
            shipping_method=method, business=business,
            gift_message=rng.choice(_GIFTS) if gift else "",
        ))
    return orders
