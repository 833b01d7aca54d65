"""Fusebill invoices: subscriptions billed month after month, settled in every way Fusebill knows.

Each invoice gets an outcome by its age against its terms (paid, open, partly
paid, in instalments, written off, credited, void, disputed, pending) that
sets its payment schedules and totals consistently. Numbers follow posting
order; each customer's opening balance is what their earlier invoices still owe.
"""

import datetime
import itertools
import random
from decimal import ROUND_DOWN, Decimal
from typing import NamedTuple

from sandbox.world.fusebill_catalogue import (
    BAS,
    MAGAZINE,
    MAIL_SUPPORT,
    PREMIUM,
    SETUP,
    STORAGE,
    SUPPORT,
    TRAINING,
    USERS,
    Product,
    charge,
    totals,
)
from sandbox.world.records import Customer, FusebillInvoice, PaymentSchedule, cents

BIG_INVOICES, HUGE_INVOICES = 280, 5000
# Invoice numbers and ids start above the docs' example invoices (numbers 283
# and 290, ids 123456 and 162281).
FIRST_INVOICE_NUMBER, FIRST_INVOICE_ID = 1001, 7100001
BUSINESS_HOURS = (6 * 3600, 18 * 3600)  # UTC: "yesterday" is already past wherever in Europe today has begun
DRAW = object()  # "draw this one" where None is a real value

NOTES = {
    "SEK": (None, None, None, "Tack för att du är kund hos oss!", "Autogiro dras på förfallodagen."),
    "EUR": (None, None, "Reverse charge: VAT to be accounted for by the recipient.", "Thank you for your business."),
    "USD": (None, None, "Export of services, outside the scope of Swedish VAT.", "Thank you for your business."),
}


def _outcome_table(rows):
    names, weights = zip(*rows, strict=True)
    return names, tuple(itertools.accumulate(weights))


# By age against the terms, as for Qvickly: most old invoices are settled one way or another.
FUSEBILL_OUTCOMES = {
    "not due": _outcome_table((("open", 68), ("paid", 16), ("partly", 5), ("installments", 5), ("pending", 6))),
    "overdue": _outcome_table(
        (
            ("paid", 70),
            ("open", 8),
            ("partly", 5),
            ("installments", 4),
            ("disputed", 3),
            ("credited", 4),
            ("partly credited", 3),
            ("void", 3),
        )
    ),
    "old": _outcome_table(
        (("paid", 82), ("written off", 5), ("credited", 4), ("void", 4), ("partly credited", 3), ("open", 2))
    ),
}
# (age in days, terms, outcome): the sample customers show every schedule status.
FUSEBILL_SHOWCASE = (
    (400, 30, "written off"),
    (300, 30, "void"),
    (200, 30, "paid"),
    (150, 30, "credited"),
    (120, 30, "partly credited"),
    (90, 30, "paid"),
    (75, 0, "installments"),  # paid, overdue, overdue
    (60, 30, "open"),  # 30 days overdue
    (45, 30, "partly"),  # overdue, partly paid
    (40, 20, "disputed"),
    (25, 10, "open"),
    (20, 10, "installments"),  # paid, due, due
    (10, 30, "open"),  # not yet due
    (3, 30, "pending"),
    (2, 0, "paid"),
)


def generate(
    rng: random.Random, customers: list[Customer], roles: dict[str, str], today: datetime.date
) -> list[FusebillInvoice]:
    maker = _FusebillMaker(rng, today)
    role_of = {identity: role for role, identity in roles.items()}
    for customer in sorted((c for c in customers if c.fusebill_id), key=lambda c: c.fusebill_id):
        role = role_of.get(customer.identity)
        if role == "big":
            maker.big(customer)
        elif role == "huge":
            maker.huge(customer)
        else:
            if role:
                maker.showcase(customer)
            for _ in range(rng.randint(2, 12)):
                maker.random(customer)
    return _numbered(rng, maker.drafts)


class _Plan(NamedTuple):
    """What a customer subscribes to; each invoice bills it with some variation."""

    product: Product
    users: int
    storage: bool
    support: bool
    magazine: bool


class _FusebillMaker:
    def __init__(self, rng, today):
        self.rng = rng
        self.today = today
        self.drafts = []  # (posted, key, FusebillInvoice fields but id, number, opening_ar)
        self.plans = {}

    def showcase(self, customer):
        for age, terms, outcome in FUSEBILL_SHOWCASE:
            self.make(customer, age, terms, outcome)

    def random(self, customer):
        rng = self.rng
        age = rng.randrange(1, 720) if rng.random() < 0.8 else rng.randrange(1, 60)
        terms = rng.choice((0, 10, 15, 20, 30, 30, 30, 45, 60, 90))
        self.make(customer, age, terms, self.outcome(age, terms))

    def big(self, customer):
        """Weekly invoices for five years and more."""
        for week in range(BIG_INVOICES):
            age = 2 + 7 * week
            self.make(customer, age, 30, self.outcome(age, 30))

    def huge(self, customer):
        """Several invoices a day for three years, from a few shared charge lists, so it is cheap."""
        currency = customer.currency
        lists = (
            ((PREMIUM, 1, 0), (USERS, 24, 0), (STORAGE, 150, 0)),
            ((PREMIUM, 1, 10), (USERS, 26, 0)),
            ((BAS, 1, 0), (USERS, 3, 0), (MAIL_SUPPORT, 1, 0)),
            ((PREMIUM, 1, 0), (SUPPORT, 1, 0)),
            ((TRAINING, 1, 0),),
        )
        variants = [
            totals(tuple(charge(product, n, currency, discount) for product, n, discount in lines), currency)
            for lines in lists
        ]
        span = 3 * 365
        for index in range(HUGE_INVOICES):
            age = 1 + index * span // HUGE_INVOICES
            seconds = BUSINESS_HOURS[0] + index * 7919 % (BUSINESS_HOURS[1] - BUSINESS_HOURS[0])
            po_number = f"PO-{700000 + index}" if index % 7 == 0 else None
            priced = variants[self.rng.randrange(len(variants))]
            self.make(customer, age, 10, self.outcome(age, 10), priced, seconds, po_number, notes=None)

    def outcome(self, age, terms):
        names, cumulative = FUSEBILL_OUTCOMES["not due" if age <= terms else "overdue" if age < 240 else "old"]
        return self.rng.choices(names, cum_weights=cumulative)[0]

    def make(self, customer, age, terms, outcome, priced=None, seconds=None, po_number=DRAW, notes=DRAW):
        """One invoice; what the caller leaves out is drawn."""
        rng = self.rng
        currency = customer.currency
        priced = priced or totals(self.charges(customer), currency)
        if seconds is None:
            seconds = rng.randrange(*BUSINESS_HOURS)
        if po_number is DRAW:
            po_number = f"PO-{rng.randrange(10000, 100000)}" if customer.is_company and rng.random() < 0.4 else None
        if notes is DRAW:
            notes = rng.choice(NOTES[currency])
        posted = datetime.datetime.combine(self.today - datetime.timedelta(age), datetime.time(), datetime.UTC)
        posted += datetime.timedelta(seconds=seconds)
        # A draft is created a little before it is posted; some are dated to the start of the day.
        created = posted - datetime.timedelta(seconds=60 + seconds % 3000)
        effective = posted.replace(hour=0, minute=0, second=0) if seconds % 5 == 0 else posted
        schedules, paid, credited, written_off, changed_after = self.settle(outcome, posted, terms, priced.amount)
        fields = {
            "customer_id": customer.fusebill_id,
            "currency": currency,
            "created": created,
            "effective": effective,
            "posted": posted,
            # Never later than yesterday: a reply must not show a change that has not happened yet.
            "modified": posted + datetime.timedelta(min(changed_after, age - 1)),
            "terms_days": terms,
            "charges": priced.charges,
            "taxes": priced.taxes,
            "schedules": schedules,
            "subtotal": priced.subtotal,
            "total_discount": priced.total_discount,
            "invoice_amount": priced.amount,
            "total_payments": paid,
            "sum_of_credit_notes": credited,
            "total_writeoffs": written_off,
            "po_number": po_number,
            "notes": notes,
        }
        self.drafts.append((posted, len(self.drafts), fields))

    def charges(self, customer):
        rng = self.rng
        plan = self.plan(customer)
        currency = customer.currency
        lines = [charge(plan.product, 1, currency, rng.choice((0, 0, 0, 0, 0, 10, 15, 20)))]
        if plan.users:
            lines.append(charge(USERS, max(1, plan.users + rng.randint(-2, 3)), currency))
        if plan.storage:
            lines.append(charge(STORAGE, rng.randint(4, 180), currency))
        if plan.support:
            lines.append(charge(SUPPORT, 1, currency))
        if plan.magazine and rng.random() < 0.3:
            lines.append(charge(MAGAZINE, 1, currency))
        if rng.random() < 0.15:
            lines.append(charge(MAIL_SUPPORT, 1, currency))
        if rng.random() < 0.08:
            lines.append(charge(rng.choice((SETUP, TRAINING)), 1, currency))
        return tuple(lines)

    def plan(self, customer):
        if customer.identity not in self.plans:
            rng = self.rng
            company = customer.is_company
            self.plans[customer.identity] = _Plan(
                product=PREMIUM if company and rng.random() < 0.7 else BAS,
                users=rng.randint(2, 30) if company else rng.choice((0, 0, 1, 2)),
                storage=rng.random() < (0.5 if company else 0.2),
                support=company and rng.random() < 0.3,
                magazine=not company and rng.random() < 0.5,
            )
        return self.plans[customer.identity]

    def settle(self, outcome, posted, terms, amount):
        """(schedules, payments, credit notes, write-offs, days from posting to the last change)."""
        if outcome == "installments":
            return self.installments(posted, terms, amount)
        rng = self.rng
        due = posted + datetime.timedelta(terms)
        late_status = "Overdue" if due.date() < self.today else "Due"
        zero = Decimal(0)
        paid = credited = written_off = zero
        changed_after = rng.randint(1, terms + 20)
        if outcome == "paid":
            paid, status = amount, "Paid"
        elif outcome == "partly":
            paid, status = _whole(amount * rng.randint(20, 70) / 100), late_status
        elif outcome == "written off":
            # Written off after the reminders, sometimes after a part was paid.
            paid = _whole(amount * rng.choice((0, 0, 30, 50)) / 100)
            written_off, status, changed_after = amount - paid, "WrittenOff", terms + rng.randint(90, 180)
        elif outcome == "credited":
            credited, status = amount, "Paid"
        elif outcome == "partly credited":
            credited = cents(amount * rng.choice((10, 20, 25)) / 100)
            paid, status = amount - credited, "Paid"
        elif outcome == "void":
            credited, status = amount, "Void"  # voiding reverses the whole amount
        elif outcome in ("pending", "disputed"):
            status = outcome.capitalize()
        else:  # open
            status, changed_after = late_status, 0
        schedule = PaymentSchedule(due, status, amount, amount - paid - credited - written_off, 0)
        return (schedule,), paid, credited, written_off, changed_after

    def installments(self, posted, terms, amount):
        """Three parts a month apart; the first was paid, later ones fall overdue."""
        part = cents(amount / 3)
        schedules, paid = [], Decimal(0)
        for index, value in enumerate((part, part, amount - 2 * part)):
            due = posted + datetime.timedelta(terms + 30 * index)
            if due.date() >= self.today:
                status, left = "Due", value
            elif index == 0:
                status, left = "Paid", Decimal(0)
                paid += value
            else:
                status, left = "Overdue", value
            schedules.append(PaymentSchedule(due, status, value, left, 30 * index))
        zero = Decimal(0)
        return tuple(schedules), paid, zero, zero, terms


def _whole(value):
    return Decimal(value).quantize(Decimal(1), rounding=ROUND_DOWN)


def _numbered(rng, drafts):
    """Invoice numbers in posting order; ids from the sequence the account shares with other records."""
    invoices = []
    balances = {}
    invoice_id = FIRST_INVOICE_ID
    for number, (_, _, fields) in enumerate(sorted(drafts, key=lambda d: d[:2]), start=FIRST_INVOICE_NUMBER):
        opening = balances.get(fields["customer_id"], Decimal(0))
        invoice = FusebillInvoice(id=invoice_id, number=number, opening_ar=opening, **fields)
        balances[invoice.customer_id] = opening + invoice.outstanding
        invoices.append(invoice)
        invoice_id += rng.randint(1, 9)
    return invoices
