"""The sandbox's generated world: customers and their provider invoices.

Everything comes from one `random.Random(SEED)`, so every run (and every
developer) sees the same customers, numbers and amounts. Dates are offsets
from `datetime.date.today()`: the demo always has invoices that are open,
overdue, not yet due and paid, whatever day it is. The random draws never
depend on today, only the dates they are added to do.

The emulators (sandbox/qvickly/, sandbox/fusebill/) only read from this
world; nothing is stored in the database. The package: records.py (what the
world is made of), people.py (customers), qvickly_invoices.py,
fusebill_customers.py, fusebill_catalogue.py and fusebill_invoices.py (the
two providers' books), accounts.py (the sandbox's credentials).

Fusebill: the customers with `qvickly_number=None` exist only in Fusebill,
some Qvickly customers (the "person" sample among them) exist in both under
the same identity number, the rest only in Qvickly. Fusebill is drawn from a
second generator seeded apart from the first, so adding it left every Qvickly
customer, number and amount exactly as it was.
"""

import datetime
import functools
import random
from dataclasses import dataclass, field

from sandbox.world import fusebill_customers, fusebill_invoices, people, qvickly_invoices
from sandbox.world.accounts import FUSEBILL_KEYS, QVICKLY_MERCHANTS, FusebillKey
from sandbox.world.people import COMPANY_TRADES, COMPANY_WORDS, FEMALE_NAMES, LAST_NAMES, MALE_NAMES
from sandbox.world.records import (
    CLOSED_STATUSES,
    SCHEDULE_STATUSES,
    Article,
    ChargeTier,
    Customer,
    FusebillCharge,
    FusebillInvoice,
    FusebillTax,
    PaymentSchedule,
    QvicklyInvoice,
    short_form,
)

__all__ = [
    "CLOSED_STATUSES",
    "COMPANY_TRADES",
    "COMPANY_WORDS",
    "FEMALE_NAMES",
    "FUSEBILL_KEYS",
    "FUSEBILL_SAMPLES",
    "LAST_NAMES",
    "MALE_NAMES",
    "QVICKLY_MERCHANTS",
    "QVICKLY_SAMPLES",
    "SCHEDULE_STATUSES",
    "Article",
    "ChargeTier",
    "Customer",
    "FusebillCharge",
    "FusebillInvoice",
    "FusebillKey",
    "FusebillTax",
    "PaymentSchedule",
    "QvicklyInvoice",
    "World",
    "build_world",
    "short_form",
    "world",
]

SEED = 20240510

QVICKLY_SAMPLES = ("person", "coordination", "company")
FUSEBILL_SAMPLES = ("both", "fusebill_only", "big", "huge")


@dataclass(frozen=True)
class World:
    today: datetime.date
    customers: tuple[Customer, ...]
    qvickly_invoices: tuple[QvicklyInvoice, ...]
    sample_identities: tuple[str, str, str]  # person, coordination, company
    fusebill_invoices: tuple[FusebillInvoice, ...] = ()
    fusebill_sample_identities: tuple[str, ...] = ()  # both, fusebill_only, big, huge
    _by_identity: dict = field(init=False, repr=False, compare=False)
    _by_qvickly_number: dict = field(init=False, repr=False, compare=False)
    _invoices_by_identity: dict = field(init=False, repr=False, compare=False)
    _invoice_by_hash: dict = field(init=False, repr=False, compare=False)
    _invoice_by_number: dict = field(init=False, repr=False, compare=False)
    _by_fusebill_id: dict = field(init=False, repr=False, compare=False)
    _fusebill_invoices_of: dict = field(init=False, repr=False, compare=False)
    _fusebill_invoice_by_id: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        newest_first = sorted(self.qvickly_invoices, key=lambda i: (i.invoice_date, int(i.number)), reverse=True)
        by_identity = {}
        for invoice in newest_first:
            by_identity.setdefault(invoice.identity, []).append(invoice)
        fusebill_of = {}
        for invoice in sorted(self.fusebill_invoices, key=lambda i: (i.posted, i.id), reverse=True):
            fusebill_of.setdefault(invoice.customer_id, []).append(invoice)
        indexes = {
            "_by_identity": {c.identity: c for c in self.customers},
            "_by_qvickly_number": {c.qvickly_number: c for c in self.customers if c.qvickly_number},
            "_invoices_by_identity": {key: tuple(value) for key, value in by_identity.items()},
            "_invoice_by_hash": {i.hash: i for i in self.qvickly_invoices},
            "_invoice_by_number": {i.number: i for i in self.qvickly_invoices},
            "_by_fusebill_id": {c.fusebill_id: c for c in self.customers if c.fusebill_id is not None},
            "_fusebill_invoices_of": {key: tuple(value) for key, value in fusebill_of.items()},
            "_fusebill_invoice_by_id": {i.id: i for i in self.fusebill_invoices},
        }
        for name, index in indexes.items():
            object.__setattr__(self, name, index)  # frozen: indexes are set once, here

    def customer_by_identity(self, identity: str) -> Customer | None:
        return self._by_identity.get(identity)

    def customer_by_qvickly_number(self, number: str | int) -> Customer | None:
        return self._by_qvickly_number.get(str(number))

    def qvickly_invoices_of(self, identity: str) -> tuple[QvicklyInvoice, ...]:
        """Newest first."""
        return self._invoices_by_identity.get(identity, ())

    def qvickly_invoice_by_hash(self, invoice_hash: str) -> QvicklyInvoice | None:
        return self._invoice_by_hash.get(invoice_hash)

    def qvickly_invoice_by_number(self, number: str | int) -> QvicklyInvoice | None:
        return self._invoice_by_number.get(str(number))

    def customer_by_fusebill_id(self, fusebill_id: object) -> Customer | None:
        return self._by_fusebill_id.get(_as_int(fusebill_id))

    def fusebill_customers(self) -> list[Customer]:
        """Every customer Fusebill knows, by Fusebill id."""
        return sorted(self._by_fusebill_id.values(), key=lambda c: c.fusebill_id)

    def fusebill_invoices_of(self, fusebill_id: object) -> tuple[FusebillInvoice, ...]:
        """Newest posted first."""
        return self._fusebill_invoices_of.get(_as_int(fusebill_id), ())

    def fusebill_invoice(self, invoice_id: object) -> FusebillInvoice | None:
        return self._fusebill_invoice_by_id.get(_as_int(invoice_id))

    def samples(self) -> dict[str, str]:
        """Identities worth demoing, canonical.

        person, coordination, company (Qvickly): each has overdue, credit and
        paid invoices. both (the person, also in Fusebill) and fusebill_only
        have every Fusebill outcome; big has a few hundred invoices, huge 5,000.
        """
        kinds = QVICKLY_SAMPLES + FUSEBILL_SAMPLES
        return dict(zip(kinds, self.sample_identities + self.fusebill_sample_identities, strict=True))


@functools.cache
def world() -> World:
    return build_world()


def build_world(seed: int = SEED, today: datetime.date | None = None) -> World:
    rng = random.Random(seed)
    today = today or datetime.date.today()
    customers = people.customers(rng)
    qvickly_customers = [c for c in customers if c.qvickly_number]
    showcase = qvickly_customers[:3]
    drafts = qvickly_invoices.drafts(rng, qvickly_customers, showcase)
    invoices = qvickly_invoices.numbered(rng, drafts, today)
    # Fusebill draws from its own generator: the Qvickly draws above stay as they were.
    fusebill_rng = random.Random(f"{seed}-fusebill")
    customers, roles = fusebill_customers.assign(fusebill_rng, customers, showcase[0])
    fusebill = fusebill_invoices.generate(fusebill_rng, customers, roles, today)
    return World(
        today,
        tuple(customers),
        tuple(invoices),
        tuple(c.identity for c in showcase),
        tuple(fusebill),
        tuple(roles[kind] for kind in FUSEBILL_SAMPLES),
    )


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
