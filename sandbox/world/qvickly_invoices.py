"""Qvickly invoices: drafts by customer, then numbered in date order.

Each draft gets an outcome (paid, open, partly paid, cancelled, credited,
refunded) that sets its status, payment and balance consistently; credited
and refunded ones add a credit note (K) of their own.
"""

import datetime
import random
from dataclasses import dataclass

from sandbox.world.records import Article, Customer, QvicklyInvoice

# (artnr, title, price range in öre, VAT %, quantities). Swedish VAT: 25 %
# standard, 12 % food, 6 % books, papers and travel.
CATALOGUE = (
    ("1001", "Konsulttimme", (95000, 135000), 25, ("1", "2.5", "3.5", "8", "12.5")),
    ("1002", "Projektledning", (110000, 150000), 25, ("1", "4", "7.5")),
    ("2001", "Månadsabonnemang Bas", (29900, 29900), 25, ("1",)),
    ("2002", "Månadsabonnemang Premium", (59900, 59900), 25, ("1",)),
    ("3001", "Klistermärke - Lila", (720, 720), 25, ("100", "500", "9999")),
    ("3002", "Tygkasse ekologisk bomull", (8900, 8900), 25, ("1", "5", "20")),
    ("4001", "Kaffe mörkrost 500 g", (6990, 8990), 12, ("2", "6", "24")),
    ("4002", "Smörgåstårta 8 bitar", (54900, 69900), 12, ("1", "2")),
    ("5001", "Årsprenumeration Tidskrift för Förvaltning", (49900, 49900), 6, ("1",)),
    ("5002", "Bok: Skattehandboken 2024", (34900, 34900), 6, ("1", "3")),
    ("6001", "Tågresa Stockholm–Göteborg", (39500, 79500), 6, ("1", "2")),
    ("7001", "Frakt", (4900, 9900), 25, ("1",)),
)
INVOICE_FEE = ("9001", "Fakturaavgift", (2900, 2900), 25, ("1",))
INTEREST = ("9101", "Dröjsmålsränta", (1500, 40000), 0, ("1",))
REMINDER_FEE = ("9102", "Påminnelseavgift", (6000, 6000), 0, ("1",))
CASH_CATALOGUE = tuple(item for item in CATALOGUE if item[0][0] in "345")

# Payment method -> the status an unpaid invoice of that method has.
OPEN_STATUS_OF_METHOD = {"1": "Factoring", "2": "Handling", "4": "PartPayment", "2048": "Created", "16": "Created"}
INVOICE_METHODS = ("1", "2", "2", "2", "4", "2048", "16")
CASH_METHODS = ("8", "512", "1024", "24")
OPEN_DISTRIBUTOR = ("Sent", "Sent", "eFakturaSent", "eFakturaConfirmed", "Ready", "Approved", "")
# Method -> the credit checks (Status.md) its purchases may have had; direct payments
# (card, bank, Swish) have none. Picked by invoice number, so no draw changes.
CREDIT_CHECKS_OF_METHOD = {
    "1": ("FactoringWithoutRegress", "FactoringWithRegress"),
    "2": ("Approved", "Approved", "Manual"),
    "4": ("Approved",),
}


@dataclass
class Draft:
    """An invoice before it has a number: dates are still ages in days."""

    key: int
    identity: str
    invoice_type: str
    age: int  # days between the invoice date and today
    terms: int
    articles: tuple
    method: str
    status: str = "Created"
    distributor_status: str = ""
    paid_after: int | None = None  # days after the invoice date
    balance_ore: int = 0
    credits_key: int | None = None
    charges_key: int | None = None

    @property
    def was_late(self):
        """Still owed after its due date, or paid after it."""
        return self.balance_ore > 0 or (self.paid_after is not None and self.paid_after > self.terms)

    @property
    def total_ore(self):
        return sum(a.net_ore + a.vat_ore for a in self.articles)


def drafts(rng: random.Random, customers: list[Customer], showcase: list[Customer]) -> list[Draft]:
    maker = _DraftMaker(rng)
    for customer in customers:
        if customer in showcase:
            maker.showcase(customer.identity)
        for _ in range(rng.randint(3, 14)):
            maker.random(customer.identity)
    return maker.drafts


class _DraftMaker:
    def __init__(self, rng):
        self.rng = rng
        self.drafts = []

    def showcase(self, identity):
        """A scripted mix, so the sample customers show every state.

        Some are then rewritten without drawing again, so everything else in
        the world stays as it was: deprecated and stand-alone method codes, and
        the status pairs Status.md explains ("Paid" is never read alone).
        """
        self.make(identity, "F", 200, 30, "paid").method = "128"  # simple payment, deprecated
        unexported = self.make(identity, "F", 120, 30, "paid")
        unexported.method, unexported.distributor_status = "32", "Created"  # paid, not yet exported
        self.make(identity, "F", 150, 20, "cancelled")
        self.make(identity, "F", 90, 30, "credited")
        self.make(identity, "F", 70, 30, "refunded")
        self.make(identity, "F", 60, 30, "open")  # 30 days overdue
        self.make(identity, "F", 40, 30, "partly")  # overdue, partly paid
        self.make(identity, "RF", 5, 20, "open")
        finalized = self.make(identity, "F", 5, 30, "open")  # not yet due
        finalized.status, finalized.distributor_status = "Paid", "Sent"  # finalized by the customer, not yet paid
        self.make(identity, "KN", 30, 0, "paid").method = "266"  # card (seamless), not 256 + 8 + 2

    def random(self, identity):
        rng = self.rng
        kind = rng.choices(("F", "KN", "RF"), weights=(85, 8, 7))[0]
        age = rng.randrange(720) if rng.random() < 0.8 else rng.randrange(60)
        terms = 0 if kind == "KN" else rng.choice((10, 14, 20, 30))
        self.make(identity, kind, age, terms, self.outcome(kind, age, terms))

    def outcome(self, kind, age, terms):
        if kind == "KN":
            return "paid"  # a cash invoice is paid when it is written
        choices = {
            "not due": (("open", 70), ("paid", 18), ("partly", 6), ("cancelled", 6)),
            "overdue": (("paid", 77), ("open", 8), ("partly", 5), ("cancelled", 4), ("credited", 3), ("refunded", 3)),
            "old": (("paid", 88), ("open", 2), ("cancelled", 5), ("credited", 3), ("refunded", 2)),
        }["not due" if age <= terms else "overdue" if age < 240 else "old"]
        if kind == "RF":
            choices = tuple(c for c in choices if c[0] not in ("credited", "refunded"))
        names, weights = zip(*choices, strict=True)
        return self.rng.choices(names, weights=weights)[0]

    def make(self, identity, kind, age, terms, outcome):
        rng = self.rng
        method = rng.choice(CASH_METHODS if kind == "KN" else INVOICE_METHODS)
        draft = Draft(len(self.drafts), identity, kind, age, terms, self.articles(kind), method)
        self.drafts.append(draft)
        getattr(self, f"_{outcome}")(draft)
        if kind == "RF":
            draft.charges_key = self._charged(draft)
        return draft

    def _charged(self, interest):
        """The customer's latest invoice that was late before the interest invoice was
        written: what it charges interest on. Picked without a draw, so nothing else changes."""
        late = [
            d
            for d in self.drafts
            if d.identity == interest.identity
            and d.invoice_type == "F"
            and d.was_late
            and d.age - d.terms > interest.age
        ]
        return min(late, key=lambda d: (d.age, d.key)).key if late else None

    def articles(self, kind):
        rng = self.rng
        if kind == "RF":
            return (self.article(INTEREST), self.article(REMINDER_FEE))
        catalogue = CASH_CATALOGUE if kind == "KN" else CATALOGUE
        lines = [self.article(item) for item in rng.sample(catalogue, rng.choice((1, 1, 2, 3)))]
        if kind == "F" and rng.random() < 0.3:
            lines.append(self.article(INVOICE_FEE))
        return tuple(lines)

    def article(self, item):
        artnr, title, (low, high), vat, quantities = item
        rng = self.rng
        price = low if low == high else rng.randrange(low, high + 1, 100)
        is_fee = artnr.startswith("9")  # fees and interest are never discounted
        discount = 0 if is_fee else rng.choice((0, 0, 0, 0, 5, 10, 15))
        return Article(artnr, title, rng.choice(quantities), price, discount, vat)

    # Outcomes: each sets status, payment and balance consistently.

    def _paid(self, draft):
        draft.status, draft.distributor_status = "Paid", self.rng.choice(("Paid", "Paid", ""))
        latest = min(draft.age, draft.terms + 25)
        draft.paid_after = 0 if draft.invoice_type == "KN" else self.rng.randint(min(2, latest), latest)

    def _open(self, draft):
        recent = draft.age <= 2 and self.rng.random() < 0.5
        draft.status = "Pending" if recent else OPEN_STATUS_OF_METHOD.get(draft.method, "Created")
        draft.distributor_status = self.rng.choice(("CreditDecision", "UnderControl")) if recent else self._sent()
        draft.balance_ore = draft.total_ore

    def _partly(self, draft):
        self._open(draft)
        if draft.status == "Pending":
            draft.status = "Created"
        # Paid in whole kronor, roughly a third to two thirds of it.
        paid = draft.total_ore * self.rng.randint(30, 70) // 100 // 100 * 100
        draft.balance_ore = draft.total_ore - paid

    def _cancelled(self, draft):
        draft.status, draft.distributor_status = "Cancelled", "Cancelled"

    def _credited(self, draft):
        """Credited before it was paid: the credit note settles it."""
        draft.status, draft.distributor_status = "Credited", self._sent()
        credit = self._credit_note(draft, after=self.rng.randint(1, min(draft.age, 20)))
        credit.status, credit.distributor_status = "Paid", ""
        credit.paid_after = 0

    def _refunded(self, draft):
        """Paid, then credited: the credit note is still to be refunded while recent."""
        self._paid(draft)
        draft.status = "Credited"
        credit = self._credit_note(draft, after=self.rng.randint(draft.paid_after, draft.age))
        if credit.age <= 30:
            credit.status, credit.distributor_status = "Created", "Sent"
            credit.balance_ore = credit.total_ore
        else:
            credit.status, credit.distributor_status = "Paid", "Paid"
            credit.paid_after = self.rng.randint(0, min(credit.age, 10))

    def _credit_note(self, original, after):
        lines = tuple(a._replace(aprice_ore=-a.aprice_ore) for a in original.articles)
        credit = Draft(len(self.drafts), original.identity, "K", original.age - after, 30, lines, original.method)
        credit.credits_key = original.key
        self.drafts.append(credit)
        return credit

    def _sent(self):
        return self.rng.choice(OPEN_DISTRIBUTOR)


def numbered(rng: random.Random, drafts: list[Draft], today: datetime.date) -> list[QvicklyInvoice]:
    """Numbers in date order (a credit note is always newer than its invoice)."""
    ordered = sorted(drafts, key=lambda d: (-d.age, d.key))
    numbers = {d.key: str(400001 + index) for index, d in enumerate(ordered)}
    hashes = set()
    invoices = []
    for draft in ordered:
        invoice_hash = f"{rng.getrandbits(160):040x}"
        while invoice_hash in hashes:
            invoice_hash = f"{rng.getrandbits(160):040x}"
        hashes.add(invoice_hash)
        invoice_date = today - datetime.timedelta(draft.age)
        paid_date = None if draft.paid_after is None else invoice_date + datetime.timedelta(draft.paid_after)
        invoices.append(
            QvicklyInvoice(
                number=numbers[draft.key],
                hash=invoice_hash,
                identity=draft.identity,
                invoice_type=draft.invoice_type,
                status=draft.status,
                distributor_status=draft.distributor_status,
                invoice_date=invoice_date,
                due_date=invoice_date + datetime.timedelta(draft.terms),
                paid_date=paid_date,
                total_ore=draft.total_ore,
                balance_ore=draft.balance_ore,
                credits_number="" if draft.credits_key is None else numbers[draft.credits_key],
                articles=draft.articles,
                payment_method=draft.method,
                credit_check=_credit_check(draft, numbers[draft.key]),
                charges_number="" if draft.charges_key is None else numbers[draft.charges_key],
            )
        )
    return invoices


def _credit_check(draft, number):
    """The purchase's credit check; a credit note is no purchase and has none."""
    if draft.invoice_type == "K":
        return ""
    if draft.status == "Pending":
        return "Pending"  # still being decided
    checks = CREDIT_CHECKS_OF_METHOD.get(draft.method, ())
    return checks[int(number) % len(checks)] if checks else ""
