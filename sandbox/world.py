"""The sandbox's generated world: customers and their provider invoices.

Everything comes from one `random.Random(SEED)`, so every run (and every
developer) sees the same customers, numbers and amounts. Dates are offsets
from `datetime.date.today()`: the demo always has invoices that are open,
overdue, not yet due and paid, whatever day it is. The random draws never
depend on today, only the dates they are added to do.

The emulators (sandbox/qvickly.py, later a Fusebill one) only read from this
world; nothing is stored in the database.

Extending it for Fusebill: `Customer.fusebill_id` is None everywhere for now.
The customers with `qvickly_number=None` are reserved to become Fusebill-only
customers; giving some Qvickly customers a `fusebill_id` too makes customers
that exist in both.
"""

import dataclasses
import datetime
import functools
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from localflavor.se.utils import id_number_checksum

SEED = 20240510

# EID -> secret. The single source of truth for the emulator and for the demo
# setup that configures an account talking to it.
QVICKLY_MERCHANTS = {"17001": "sandbox-qvickly-5ecret-17001"}

OPEN_STATUSES = ("Created", "Factoring", "Handling", "PartPayment", "Pending")
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
    currency: str = "SEK"
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
class World:
    today: datetime.date
    customers: tuple[Customer, ...]
    qvickly_invoices: tuple[QvicklyInvoice, ...]
    sample_identities: tuple[str, str, str]  # person, coordination, company
    _by_identity: dict = field(init=False, repr=False, compare=False)
    _by_qvickly_number: dict = field(init=False, repr=False, compare=False)
    _invoices_by_identity: dict = field(init=False, repr=False, compare=False)
    _invoice_by_hash: dict = field(init=False, repr=False, compare=False)
    _invoice_by_number: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        newest_first = sorted(self.qvickly_invoices, key=lambda i: (i.invoice_date, int(i.number)), reverse=True)
        by_identity = {}
        for invoice in newest_first:
            by_identity.setdefault(invoice.identity, []).append(invoice)
        indexes = {
            "_by_identity": {c.identity: c for c in self.customers},
            "_by_qvickly_number": {c.qvickly_number: c for c in self.customers if c.qvickly_number},
            "_invoices_by_identity": {key: tuple(value) for key, value in by_identity.items()},
            "_invoice_by_hash": {i.hash: i for i in self.qvickly_invoices},
            "_invoice_by_number": {i.number: i for i in self.qvickly_invoices},
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

    def samples(self):
        """Identities worth demoing: each has overdue, credit and paid invoices."""
        return dict(zip(("person", "coordination", "company"), self.sample_identities))


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
    return World(today, tuple(customers), tuple(invoices), tuple(c.identity for c in showcase))


def short_form(identity, today=None):
    """The 10-digit form of a canonical number; companies as NNNNNN-NNNN."""
    if len(identity) == 10:
        return f"{identity[:6]}-{identity[6:]}"
    today = today or datetime.date.today()
    born = datetime.date(int(identity[:4]), int(identity[4:6]), int(identity[6:8]) % 60)
    centenarian = (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) >= 100
    return f"{identity[2:8]}{'+' if centenarian else '-'}{identity[8:]}"


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
