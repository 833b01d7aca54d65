"""The sandbox's generated world: customers and their provider invoices.

Everything comes from one `random.Random(SEED)`, so every run (and every
developer) sees the same customers, numbers and amounts. Dates are offsets
from `datetime.date.today()`: the demo always has invoices that are open,
overdue, not yet due and paid, whatever day it is. The random draws never
depend on today, only the dates they are added to do.

The emulators (sandbox/qvickly.py, sandbox/fusebill.py) only read from this
world; nothing is stored in the database.

Fusebill: the customers with `qvickly_number=None` exist only in Fusebill,
some Qvickly customers (the "person" sample among them) exist in both under
the same identity number, the rest only in Qvickly. Fusebill is drawn from a
second generator seeded apart from the first, so adding it left every Qvickly
customer, number and amount exactly as it was.
"""

import dataclasses
import datetime
import functools
import itertools
import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from localflavor.se.utils import id_number_checksum

SEED = 20240510

# EID -> secret. The single source of truth for the emulator and for the demo
# setup that configures an account talking to it.
QVICKLY_MERCHANTS = {"17001": "sandbox-qvickly-5ecret-17001"}


class FusebillKey(NamedTuple):
    name: str
    per_window: int  # requests allowed in one rate-limit window (the "-Minute" headers)
    window_seconds: int
    per_day: int


# Fusebill API key (base64, as Fusebill issues them) -> its rate limits. The
# single source of truth for the emulator, the demo setup and the tests. The
# live key has a real account's limits; the throttled one runs out after two
# requests and recovers two seconds later, so tests of 429 handling are quick.
FUSEBILL_KEYS = {
    "MDpkYjg4OGZhY2E1ODQ2ZjY4NmFmNmU2ZDA0YjkzZmM1MmVmYWVkY2Q5": FusebillKey("live", 1000, 60, 180_000),
    "MDozOGI4NzIyMTRiODljYmU2OWQ2MzUzMTNjYmM0YzU0Zjg3ZTliMzZk": FusebillKey("throttled", 2, 2, 5_000),
}

QVICKLY_SAMPLES = ("person", "coordination", "company")
FUSEBILL_SAMPLES = ("both", "fusebill_only", "big", "huge")

OPEN_STATUSES = ("Created", "Factoring", "Handling", "PartPayment", "Pending")
# Fusebill payment schedule statuses; an invoice's state comes from its schedules.
SCHEDULE_STATUSES = ("Due", "Overdue", "Paid", "WrittenOff", "Void", "Disputed", "Pending")
CLOSED_STATUSES = ("Paid", "Cancelled", "Credited")
INVOICE_TYPES = ("F", "K", "KN", "RF")


class Article(NamedTuple):
    artnr: str
    title: str
    quantity: str  # Qvickly sends quantities as text, "3.5" included
    aprice_ore: int
    discount_pct: int
    vat_rate: int

    @property
    def net_ore(self):
        gross = Decimal(self.quantity) * self.aprice_ore * (100 - self.discount_pct) / 100
        return _round_ore(gross)

    @property
    def vat_ore(self):
        return _round_ore(Decimal(self.net_ore) * self.vat_rate / 100)


@dataclass(frozen=True)
class Customer:
    identity: str  # canonical: persons YYYYMMDDNNNN, companies NNNNNNNNNN
    name: str
    email: str
    is_company: bool
    qvickly_number: str | None
    fusebill_id: int | None = None
    currency: str = "SEK"  # billing currency at Fusebill; Qvickly invoices are always SEK
    fusebill_reference: str = ""  # the identity number as Fusebill's reference fields hold it
    street: str = ""
    zip_code: str = ""
    city: str = ""
    phone: str = ""
    contact: str = ""  # companies: the person who signs and receives invoices
    signer_identity: str = ""  # companies: the signer's personal number

    @property
    def is_coordination(self):
        """A samordningsnummer: the day of birth is written plus 60."""
        return not self.is_company and int(self.identity[6:8]) > 60

    @property
    def birth_date(self):
        if self.is_company:
            return None
        return datetime.date(int(self.identity[:4]), int(self.identity[4:6]), int(self.identity[6:8]) % 60)

    @property
    def short_identity(self):
        """The 10-digit written form: YYMMDD-NNNN, with + from the 100th birthday."""
        return short_form(self.identity)


@dataclass(frozen=True)
class QvicklyInvoice:
    number: str
    hash: str
    identity: str
    invoice_type: str  # F, K, KN, RF
    status: str
    distributor_status: str
    invoice_date: datetime.date
    due_date: datetime.date
    paid_date: datetime.date | None
    total_ore: int  # negative for credit invoices
    balance_ore: int  # what is still unpaid (negative: still to refund)
    credits_number: str  # K only: the number of the invoice it credits
    articles: tuple[Article, ...]
    payment_method: str
    currency: str = "SEK"

    @property
    def net_ore(self):
        return sum(article.net_ore for article in self.articles)

    @property
    def vat_ore(self):
        return sum(article.vat_ore for article in self.articles)

    @property
    def is_open(self):
        return self.status not in CLOSED_STATUSES

    def is_overdue(self, today=None):
        return self.is_open and self.balance_ore > 0 and self.due_date < (today or datetime.date.today())


@dataclass(frozen=True)
class ChargeTier:
    label: str  # as Fusebill writes it: "0-5", ">5-20", ">20"
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class FusebillCharge:
    product_id: int
    name: str
    gl_code: str
    quantity: int
    unit_price: Decimal  # tiered products: the average, cut at six decimals like the docs' 37.714285
    amount: Decimal  # before discount and tax
    vat_rate: int
    period_days: int  # the service period of a subscription; 0 for a one-off purchase
    tiers: tuple[ChargeTier, ...] = ()
    discount_pct: int = 0

    @property
    def discount(self):
        return _cents(self.amount * self.discount_pct / 100)


@dataclass(frozen=True)
class FusebillTax:
    name: str
    percent: int
    total: Decimal


@dataclass(frozen=True)
class PaymentSchedule:
    due: datetime.datetime  # UTC
    status: str  # one of SCHEDULE_STATUSES
    amount: Decimal
    outstanding: Decimal
    days_due_after_term: int  # 0, 30, 60 for the three parts of an instalment plan


@dataclass(frozen=True)
class FusebillInvoice:
    """A posted Fusebill invoice; timestamps are aware UTC datetimes, money Decimal."""

    id: int
    number: int
    customer_id: int  # the customer's fusebill_id
    currency: str
    created: datetime.datetime
    effective: datetime.datetime
    posted: datetime.datetime
    modified: datetime.datetime
    terms_days: int
    charges: tuple[FusebillCharge, ...]
    taxes: tuple[FusebillTax, ...]
    schedules: tuple[PaymentSchedule, ...]
    subtotal: Decimal
    total_discount: Decimal
    invoice_amount: Decimal  # subtotal - total_discount + taxes
    total_payments: Decimal
    sum_of_credit_notes: Decimal
    total_writeoffs: Decimal
    opening_ar: Decimal  # the customer's balance before it: what their earlier invoices still owe
    po_number: str | None = None
    notes: str | None = None

    @property
    def outstanding(self):
        return self.invoice_amount - self.total_payments - self.sum_of_credit_notes - self.total_writeoffs

    @property
    def closing_ar(self):
        return self.opening_ar + self.invoice_amount

    @property
    def terms(self):
        return f"Net{self.terms_days}"

    @property
    def installments(self):
        return len(self.schedules)


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

    def customer_by_identity(self, identity):
        return self._by_identity.get(identity)

    def customer_by_qvickly_number(self, number):
        return self._by_qvickly_number.get(str(number))

    def qvickly_invoices_of(self, identity):
        """Newest first."""
        return self._invoices_by_identity.get(identity, ())

    def qvickly_invoice_by_hash(self, invoice_hash):
        return self._invoice_by_hash.get(invoice_hash)

    def qvickly_invoice_by_number(self, number):
        return self._invoice_by_number.get(str(number))

    def customer_by_fusebill_id(self, fusebill_id):
        return self._by_fusebill_id.get(_as_int(fusebill_id))

    def fusebill_customers(self):
        """Every customer Fusebill knows, by Fusebill id."""
        return sorted(self._by_fusebill_id.values(), key=lambda c: c.fusebill_id)

    def fusebill_invoices_of(self, fusebill_id):
        """Newest posted first."""
        return self._fusebill_invoices_of.get(_as_int(fusebill_id), ())

    def fusebill_invoice(self, invoice_id):
        return self._fusebill_invoice_by_id.get(_as_int(invoice_id))

    def samples(self):
        """Identities worth demoing, canonical.

        person, coordination, company (Qvickly): each has overdue, credit and
        paid invoices. both (the person, also in Fusebill) and fusebill_only
        have every Fusebill outcome; big has a few hundred invoices, huge 5,000.
        """
        kinds = QVICKLY_SAMPLES + FUSEBILL_SAMPLES
        return dict(zip(kinds, self.sample_identities + self.fusebill_sample_identities))


@functools.cache
def world():
    return build_world()


def build_world(seed=SEED, today=None):
    rng = random.Random(seed)
    today = today or datetime.date.today()
    customers = _customers(rng)
    qvickly_customers = [c for c in customers if c.qvickly_number]
    showcase = qvickly_customers[:3]
    drafts = _drafts(rng, qvickly_customers, showcase)
    invoices = _numbered(rng, drafts, today)
    # Fusebill draws from its own generator: the Qvickly draws above stay as they were.
    fusebill_rng = random.Random(f"{seed}-fusebill")
    customers, roles = _fusebill_customers(fusebill_rng, customers, showcase[0])
    fusebill_invoices = _fusebill_invoices(fusebill_rng, customers, roles, today)
    return World(
        today,
        tuple(customers),
        tuple(invoices),
        tuple(c.identity for c in showcase),
        tuple(fusebill_invoices),
        tuple(roles[kind] for kind in FUSEBILL_SAMPLES),
    )


def short_form(identity, today=None):
    """The 10-digit form of a canonical number; companies as NNNNNN-NNNN."""
    if len(identity) == 10:
        return f"{identity[:6]}-{identity[6:]}"
    today = today or datetime.date.today()
    born = datetime.date(int(identity[:4]), int(identity[4:6]), int(identity[6:8]) % 60)
    centenarian = (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) >= 100
    return f"{identity[2:8]}{'+' if centenarian else '-'}{identity[8:]}"


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cents(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _round_ore(value):
    # Half away from zero, so a credit line is exactly minus its invoice line.
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Customers -----------------------------------------------------------------

FEMALE_NAMES = (
    "Anna", "Maria", "Karin", "Eva", "Lena", "Kerstin", "Ingrid", "Birgitta", "Åsa", "Märta",
    "Sofia", "Elin", "Linnéa", "Ebba", "Maja", "Astrid", "Göta", "Signe", "Sölve", "Agnes",
    "Ylva", "Frida", "Britt-Marie", "Märit",
)
MALE_NAMES = (
    "Lars", "Erik", "Anders", "Johan", "Per", "Karl", "Nils", "Björn", "Göran", "Håkan",
    "Jörgen", "Åke", "Mattias", "Olof", "Sören", "Pär", "Gösta", "Stig", "Oskar", "Axel",
    "Måns", "Tore", "Ville", "Östen",
)
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Lindqvist", "Åberg", "Öberg", "Ängström",
    "Sjöström", "Björklund", "Hägglund", "Löfgren", "Nordström", "Bäckström", "Strömberg",
    "Åkesson", "Söderberg", "Höglund", "Blomqvist", "Ek", "Lundgren", "Forsén", "Wåhlin",
    "Dahlström",
)
COMPANY_WORDS = (
    "Norrsken", "Fjällbacka", "Östgöta", "Sjöbris", "Älvdal", "Skärgårds", "Göta", "Mälardalens",
    "Björk", "Lövsta", "Hälsinge", "Vänerns", "Råsunda", "Kärrtorps", "Ängsö", "Bäckby", "Åre",
    "Söder", "Strömsholms", "Högbo",
)
COMPANY_TRADES = (
    "Bygg", "Måleri", "Konsult", "Elteknik", "Redovisning", "Städservice", "Trädgård", "Bageri",
    "Rörmokeri", "Design", "Transport", "Fastigheter", "Kafé", "Snickeri", "VVS", "Kök & Bar",
)
# (suffix, first two digits, lowest third and fourth digits): the group digit
# (2, 5, 7, 8, 9) and third/fourth digits >= 20 are what make it an
# organisation number rather than a personnummer. Repeats weight the draw.
COMPANY_FORMS = (
    ("AB", "55", 60),
    ("AB", "55", 60),
    ("AB", "55", 60),
    ("AB", "55", 60),
    ("HB", "96", 20),
    ("Ekonomisk förening", "76", 20),
    ("Ideell förening", "80", 20),
)
STREETS = (
    "Storgatan", "Kungsgatan", "Drottninggatan", "Vasagatan", "Östra Hamngatan", "Sörbyvägen",
    "Björkvägen", "Ängsvägen", "Skolgatan", "Järnvägsgatan", "Kyrkogatan", "Åsgatan",
    "Hälsovägen", "Lövängsvägen", "Strandvägen", "Tallbacken",
)
CITIES = (
    ("Stockholm", "11"), ("Göteborg", "41"), ("Malmö", "21"), ("Uppsala", "75"), ("Västerås", "72"),
    ("Örebro", "70"), ("Linköping", "58"), ("Helsingborg", "25"), ("Jönköping", "55"),
    ("Norrköping", "60"), ("Umeå", "90"), ("Luleå", "97"), ("Gävle", "80"), ("Sundsvall", "85"),
    ("Växjö", "35"), ("Östersund", "83"), ("Borås", "50"), ("Kalmar", "39"), ("Mölndal", "43"),
    ("Södertälje", "15"),
)
PERSON_DOMAINS = ("example.com", "example.net", "example.org")
ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "&": ""})

# How many of each; the first of each of the three showcase kinds comes first.
PERSONS, COORDINATION, CENTENARIANS, COMPANIES = 140, 22, 12, 80
FUSEBILL_ONLY_PERSONS, FUSEBILL_ONLY_COMPANIES = 8, 6


def _customers(rng):
    people = _People(rng)
    qvickly = [people.person("normal"), people.person("coordination"), people.company()]
    qvickly += [people.person("normal") for _ in range(PERSONS - 1)]
    qvickly += [people.person("coordination") for _ in range(COORDINATION - 1)]
    qvickly += [people.person("centenarian") for _ in range(CENTENARIANS)]
    qvickly += [people.company() for _ in range(COMPANIES - 1)]
    # Customer numbers are five digits from 20000 up, so they never collide
    # with the documentation examples' "12345" and "123456".
    numbers = rng.sample(range(20000, 100000), len(qvickly))
    customers = [dataclasses.replace(c, qvickly_number=str(n)) for c, n in zip(qvickly, numbers)]
    customers += [people.person("normal") for _ in range(FUSEBILL_ONLY_PERSONS)]
    customers += [people.company() for _ in range(FUSEBILL_ONLY_COMPANIES)]
    return customers


class _People:
    """Draws unique identities, names and e-mail addresses."""

    def __init__(self, rng):
        self.rng = rng
        self.identities = set()
        self.emails = set()
        self.company_names = set()

    def person(self, kind):
        rng = self.rng
        female = rng.random() < 0.5
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last = rng.choice(LAST_NAMES)
        identity = self._person_number(kind, female)
        email = self._email(f"{_slug(first)}.{_slug(last)}", rng.choice(PERSON_DOMAINS))
        return Customer(identity, f"{first} {last}", email, False, None, **self._address())

    def company(self):
        rng = self.rng
        suffix, group, low = rng.choice(COMPANY_FORMS)
        name, brand = self._company_name(suffix)
        contact = self.person("normal")
        email = self._email(rng.choice(("faktura", "ekonomi", "info")), f"{_slug(brand)}.example")
        return Customer(
            self._organisation_number(group, low),
            name,
            email,
            True,
            None,
            contact=contact.name,
            signer_identity=contact.identity,
            **self._address(),
        )

    def _person_number(self, kind, female):
        rng = self.rng
        while True:
            if kind == "centenarian":
                # Born before 1926: 100 or older for good, written with + in 10 digits.
                born = datetime.date(1908, 1, 1) + datetime.timedelta(rng.randrange(17 * 365))
            else:
                born = datetime.date(1940, 1, 1) + datetime.timedelta(rng.randrange(65 * 365))
            day = born.day + 60 if kind == "coordination" else born.day
            # The ninth digit is even for women and odd for men.
            serial = f"{rng.randrange(100):02d}{rng.randrange(0 if female else 1, 10, 2)}"
            yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
            parts = {"year": yymmdd[:2], "month": yymmdd[2:4], "day": yymmdd[4:], "serial": serial}
            number = f"{born.year // 100}{yymmdd}{serial}{id_number_checksum(parts)}"
            if number not in self.identities:
                self.identities.add(number)
                return number

    def _organisation_number(self, group, low):
        rng = self.rng
        while True:
            digits = f"{group}{rng.randrange(low, 100):02d}{rng.randrange(100000):05d}"
            parts = {"year": digits[:2], "month": digits[2:4], "day": digits[4:6], "serial": digits[6:9]}
            number = f"{digits}{id_number_checksum(parts)}"
            if number not in self.identities:
                self.identities.add(number)
                return number

    def _company_name(self, suffix):
        """The full name and the part of it an e-mail domain is made from."""
        while True:
            brand = f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_TRADES)}"
            if brand not in self.company_names:
                self.company_names.add(brand)
                return f"{brand} {suffix}", brand

    def _email(self, local, domain):
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(candidate)
        return candidate

    def _address(self):
        rng = self.rng
        city, zip_prefix = rng.choice(CITIES)
        return {
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 80)}",
            "zip_code": f"{zip_prefix}{rng.randrange(10)} {rng.randrange(100):02d}",
            "city": city,
            "phone": f"07{rng.choice('0236')}-{rng.randrange(1000):03d} {rng.randrange(100):02d} "
            f"{rng.randrange(100):02d}",
        }


def _slug(text):
    return "".join(ch for ch in text.lower().translate(ASCII) if ch.isalnum() or ch in ".-")


# Qvickly invoices ----------------------------------------------------------

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


@dataclass
class _Draft:
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

    @property
    def total_ore(self):
        return sum(a.net_ore + a.vat_ore for a in self.articles)


def _drafts(rng, customers, showcase):
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
        """A scripted mix, so the sample customers show every state."""
        self.make(identity, "F", 200, 30, "paid")
        self.make(identity, "F", 120, 30, "paid")
        self.make(identity, "F", 150, 20, "cancelled")
        self.make(identity, "F", 90, 30, "credited")
        self.make(identity, "F", 70, 30, "refunded")
        self.make(identity, "F", 60, 30, "open")  # 30 days overdue
        self.make(identity, "F", 40, 30, "partly")  # overdue, partly paid
        self.make(identity, "RF", 5, 20, "open")
        self.make(identity, "F", 5, 30, "open")  # not yet due
        self.make(identity, "KN", 30, 0, "paid")

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
        names, weights = zip(*choices)
        return self.rng.choices(names, weights=weights)[0]

    def make(self, identity, kind, age, terms, outcome):
        rng = self.rng
        method = rng.choice(CASH_METHODS if kind == "KN" else INVOICE_METHODS)
        draft = _Draft(len(self.drafts), identity, kind, age, terms, self.articles(kind), method)
        self.drafts.append(draft)
        getattr(self, f"_{outcome}")(draft)
        return draft

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
        credit = _Draft(len(self.drafts), original.identity, "K", original.age - after, 30, lines, original.method)
        credit.credits_key = original.key
        self.drafts.append(credit)
        return credit

    def _sent(self):
        return self.rng.choice(OPEN_DISTRIBUTOR)


def _numbered(rng, drafts, today):
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
            )
        )
    return invoices


# Fusebill --------------------------------------------------------------------

# Qvickly customers who are Fusebill customers too; the "person" sample is one.
BOTH_PROVIDERS = 48
BIG_INVOICES, HUGE_INVOICES = 280, 5000
# Six-digit customer ids from here never meet the docs' customer 123456 or
# Qvickly's five-digit customer numbers; invoice numbers and ids start above
# the docs' example invoices (numbers 283 and 290, ids 123456 and 162281).
FUSEBILL_IDS = range(510001, 530000)
FIRST_INVOICE_NUMBER, FIRST_INVOICE_ID = 1001, 7100001
# SEK per unit, to derive EUR and USD price lists from the SEK one.
EXCHANGE = {"SEK": Decimal(1), "EUR": Decimal("11.5"), "USD": Decimal("10.5")}
BUSINESS_HOURS = (6 * 3600, 18 * 3600)  # UTC: "yesterday" is already past wherever in Europe today has begun
DRAW = object()  # "draw this one" where None is a real value


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

NOTES = {
    "SEK": (None, None, None, "Tack för att du är kund hos oss!", "Autogiro dras på förfallodagen."),
    "EUR": (None, None, "Reverse charge: VAT to be accounted for by the recipient.", "Thank you for your business."),
    "USD": (None, None, "Export of services, outside the scope of Swedish VAT.", "Thank you for your business."),
}


def _outcome_table(rows):
    names, weights = zip(*rows)
    return names, tuple(itertools.accumulate(weights))


# By age against the terms, as for Qvickly: most old invoices are settled one way or another.
FUSEBILL_OUTCOMES = {
    "not due": _outcome_table((("open", 68), ("paid", 16), ("partly", 5), ("installments", 5), ("pending", 6))),
    "overdue": _outcome_table(
        (
            ("paid", 70), ("open", 8), ("partly", 5), ("installments", 4), ("disputed", 3),
            ("credited", 4), ("partly credited", 3), ("void", 3),
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


def dashed(identity):
    """The written form with a dash: YYYYMMDD-NNNN for persons, NNNNNN-NNNN for companies."""
    return f"{identity[:-4]}-{identity[-4:]}"


def _fusebill_customers(rng, customers, person):
    """Fusebill ids, billing currencies and reference forms.

    Returns the customers (replaced where Fusebill knows them) and the
    identities of the Fusebill sample roles.
    """
    qvickly = [c for c in customers if c.qvickly_number and c.identity != person.identity]
    persons = [c for c in customers if not c.qvickly_number and not c.is_company]
    companies = [c for c in customers if not c.qvickly_number and c.is_company]
    both = [person, *rng.sample(qvickly, BOTH_PROVIDERS - 1)]
    roles = {
        "both": person.identity,
        "fusebill_only": persons[0].identity,
        "big": companies[0].identity,
        "huge": companies[1].identity,
    }
    # Scripted where a test or the demo needs it, drawn everywhere else.
    currencies = {
        persons[1].identity: "USD",
        persons[2].identity: "EUR",
        companies[2].identity: "EUR",
        companies[3].identity: "USD",
        companies[4].identity: "EUR",
    }
    written = {person.identity: "canonical", companies[0].identity: "canonical"}
    written |= {persons[0].identity: "dashed", companies[1].identity: "dashed"}
    fusebill = both + persons + companies
    also_qvickly = {c.identity for c in both}
    ids = sorted(rng.sample(FUSEBILL_IDS, len(fusebill)))
    updated = {}
    # Ids in a shuffled order: nothing may rely on id order matching anything else.
    for fusebill_id, customer in zip(ids, rng.sample(fusebill, len(fusebill))):
        currency = currencies.get(customer.identity, "SEK")
        if customer.identity in also_qvickly and customer.is_company and rng.random() < 0.2:
            currency = "EUR"  # a Swedish company that Fusebill bills in euros
        form = written.get(customer.identity) or ("dashed" if rng.random() < 0.3 else "canonical")
        reference = dashed(customer.identity) if form == "dashed" else customer.identity
        updated[customer.identity] = dataclasses.replace(
            customer, fusebill_id=fusebill_id, currency=currency, fusebill_reference=reference
        )
    return [updated.get(c.identity, c) for c in customers], roles


def _fusebill_invoices(rng, customers, roles, today):
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
    return _fusebill_numbered(rng, maker.drafts)


class _Plan(NamedTuple):
    """What a customer subscribes to; each invoice bills it with some variation."""

    product: Product
    users: int
    storage: bool
    support: bool
    magazine: bool


class _Priced(NamedTuple):
    charges: tuple
    taxes: tuple
    subtotal: Decimal
    total_discount: Decimal
    amount: Decimal


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
            self.priced(tuple(_charge(product, n, currency, discount) for product, n, discount in lines), currency)
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
        priced = priced or self.priced(self.charges(customer), currency)
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
        fields = dict(
            customer_id=customer.fusebill_id,
            currency=currency,
            created=created,
            effective=effective,
            posted=posted,
            # Never later than yesterday: a reply must not show a change that has not happened yet.
            modified=posted + datetime.timedelta(min(changed_after, age - 1)),
            terms_days=terms,
            charges=priced.charges,
            taxes=priced.taxes,
            schedules=schedules,
            subtotal=priced.subtotal,
            total_discount=priced.total_discount,
            invoice_amount=priced.amount,
            total_payments=paid,
            sum_of_credit_notes=credited,
            total_writeoffs=written_off,
            po_number=po_number,
            notes=notes,
        )
        self.drafts.append((posted, len(self.drafts), fields))

    def charges(self, customer):
        rng = self.rng
        plan = self.plan(customer)
        currency = customer.currency
        lines = [_charge(plan.product, 1, currency, rng.choice((0, 0, 0, 0, 0, 10, 15, 20)))]
        if plan.users:
            lines.append(_charge(USERS, max(1, plan.users + rng.randint(-2, 3)), currency))
        if plan.storage:
            lines.append(_charge(STORAGE, rng.randint(4, 180), currency))
        if plan.support:
            lines.append(_charge(SUPPORT, 1, currency))
        if plan.magazine and rng.random() < 0.3:
            lines.append(_charge(MAGAZINE, 1, currency))
        if rng.random() < 0.15:
            lines.append(_charge(MAIL_SUPPORT, 1, currency))
        if rng.random() < 0.08:
            lines.append(_charge(rng.choice((SETUP, TRAINING)), 1, currency))
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

    @staticmethod
    def priced(charges, currency):
        subtotal = sum((c.amount for c in charges), Decimal(0))
        discount = sum((c.discount for c in charges), Decimal(0))
        taxes = ()
        if currency == "SEK":  # Swedish VAT; the EUR and USD customers are billed abroad, without it
            rates = sorted({c.vat_rate for c in charges if c.amount}, reverse=True)
            taxes = tuple(
                FusebillTax(
                    f"Moms {rate} %",
                    rate,
                    _cents(sum(c.amount - c.discount for c in charges if c.vat_rate == rate) * rate / 100),
                )
                for rate in rates
            )
        amount = subtotal - discount + sum((t.total for t in taxes), Decimal(0))
        return _Priced(charges, taxes, subtotal, discount, amount)

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
            credited = _cents(amount * rng.choice((10, 20, 25)) / 100)
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
        part = _cents(amount / 3)
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


def _charge(product, quantity, currency, discount_pct=0):
    if not product.tiers:
        unit = _price(product.price_sek, currency)
        return FusebillCharge(
            product.id, product.name, product.gl_code, quantity, unit, _cents(unit * quantity),
            product.vat_rate, product.period_days, (), discount_pct,
        )
    tiers, first, left = [], 0, quantity
    for label, last, price in product.tiers:
        count = left if last is None else min(left, last - first)
        if count > 0:
            unit = _price(price, currency)
            tiers.append(ChargeTier(label, count, unit, _cents(unit * count)))
        left -= count
        first = last
        if not left:
            break
    amount = sum((t.amount for t in tiers), Decimal(0))
    average = (amount / quantity).quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
    return FusebillCharge(
        product.id, product.name, product.gl_code, quantity, average, amount,
        product.vat_rate, product.period_days, tuple(tiers), discount_pct,
    )


def _price(sek, currency):
    price = Decimal(sek)
    return price if currency == "SEK" else _cents(price / EXCHANGE[currency])


def _whole(value):
    return Decimal(value).quantize(Decimal(1), rounding=ROUND_DOWN)


def _fusebill_numbered(rng, drafts):
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
