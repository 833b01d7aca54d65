"""What the Fusebill account sells, and what a line and an invoice of it cost.

Prices are set in SEK; the EUR and USD customers pay the SEK price converted.
Tiered products are priced tier by tier, the way Fusebill writes `chargeTiers`.
"""

from decimal import ROUND_DOWN, Decimal
from typing import NamedTuple

from sandbox.world.records import ChargeTier, FusebillCharge, FusebillTax, cents

# SEK per unit, to derive EUR and USD price lists from the SEK one.
EXCHANGE = {"SEK": Decimal(1), "EUR": Decimal("11.5"), "USD": Decimal("10.5")}


class Product(NamedTuple):
    id: int
    name: str
    gl_code: str
    period_days: int  # 0: a one-off purchase
    vat_rate: int
    price_sek: str = "0"
    tiers: tuple = ()  # (label, last unit of the tier or None, price in SEK)


BAS = Product(9101, "Plattform Bas, månad", "3011", 30, 25, "499")
PREMIUM = Product(9102, "Plattform Premium, månad", "3011", 30, 25, "1490")
USERS = Product(
    9103, "Extra användare", "3012", 30, 25, tiers=(("0-5", 5, "99"), (">5-20", 20, "79"), (">20", None, "59"))
)
STORAGE = Product(
    9104, "Lagring per GB", "3013", 30, 25, tiers=(("0-10", 10, "0"), (">10-100", 100, "4.50"), (">100", None, "2.50"))
)
SUPPORT = Product(9105, "Support Plus, månad", "3014", 30, 25, "390")
MAIL_SUPPORT = Product(9106, "Support via e-post (ingår)", "3014", 30, 25, "0")  # a zero-dollar charge
SETUP = Product(9201, "Uppstartsavgift", "3041", 0, 25, "2500")
TRAINING = Product(9202, "Utbildning, halvdag", "3042", 0, 25, "4900")
MAGAZINE = Product(9203, "Branschtidning, årsprenumeration", "3051", 365, 6, "499")


def charge(product: Product, quantity: int, currency: str, discount_pct: int = 0) -> FusebillCharge:
    if not product.tiers:
        unit = _price(product.price_sek, currency)
        return FusebillCharge(
            product.id,
            product.name,
            product.gl_code,
            quantity,
            unit,
            cents(unit * quantity),
            product.vat_rate,
            product.period_days,
            (),
            discount_pct,
        )
    tiers, first, left = [], 0, quantity
    for label, last, price in product.tiers:
        count = left if last is None else min(left, last - first)
        if count > 0:
            unit = _price(price, currency)
            tiers.append(ChargeTier(label, count, unit, cents(unit * count)))
        left -= count
        first = last
        if not left:
            break
    amount = sum((t.amount for t in tiers), Decimal(0))
    average = (amount / quantity).quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
    return FusebillCharge(
        product.id,
        product.name,
        product.gl_code,
        quantity,
        average,
        amount,
        product.vat_rate,
        product.period_days,
        tuple(tiers),
        discount_pct,
    )


def _price(sek, currency):
    price = Decimal(sek)
    return price if currency == "SEK" else cents(price / EXCHANGE[currency])


class Priced(NamedTuple):
    charges: tuple[FusebillCharge, ...]
    taxes: tuple[FusebillTax, ...]
    subtotal: Decimal
    total_discount: Decimal
    amount: Decimal


def totals(charges: tuple[FusebillCharge, ...], currency: str) -> Priced:
    """An invoice's totals: discounts, then VAT per rate on what is left."""
    subtotal = sum((c.amount for c in charges), Decimal(0))
    discount = sum((c.discount for c in charges), Decimal(0))
    taxes = ()
    if currency == "SEK":  # Swedish VAT; the EUR and USD customers are billed abroad, without it
        rates = sorted({c.vat_rate for c in charges if c.amount}, reverse=True)
        taxes = tuple(
            FusebillTax(
                f"Moms {rate} %",
                rate,
                cents(sum(c.amount - c.discount for c in charges if c.vat_rate == rate) * rate / 100),
            )
            for rate in rates
        )
    amount = subtotal - discount + sum((t.total for t in taxes), Decimal(0))
    return Priced(charges, taxes, subtotal, discount, amount)
