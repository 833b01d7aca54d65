"""The benchmark's dataset: a large invoice cache built straight into the database.

`python manage.py benchmark` measures the pages on a book far bigger than the
sandbox's (100,000 customers, 2,000,000 invoices by default, one customer with
5,000), because the questions it answers (does a page's cost grow with the
paid history, is a summary close to what one SQL query costs) only show at
that size. The rows are written with `bulk_create`, never fetched from a
provider, so building takes minutes rather than days of provider calls.

The book is built in steps, the way a real one ages. `build` writes the
first step: every customer, every open invoice (5% of the final size) and
the most recent two years of history, the biggest customer complete. `grow`
then adds settled history only (paid, and the usual few cancelled, credited
and written off; nothing open, nothing dated ahead), issued before the
oldest invoice there is and spread over as many more years as the first
step's density gives: the same customers, the same open invoices, a longer
past. Everything is drawn from seeded generators, so the same options give
the same book.

Every row belongs to an account named "Bench …" or to a customer with an
e-mail at bench.invalid, so a rebuild deletes exactly the previous bench
rows and leaves the demo's own data alone. The accounts have a cache TTL of
ten years and every link a fresh `fetched_at`: page views never ask a
provider. The accounts are active only while the benchmark runs (see
`running`), so the demo's own lookups never ask these fake accounts.
"""

import datetime
import json
import math
import random
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import SET_NULL, Count, Min
from django.db.models.deletion import get_candidate_relations_to_delete
from django.utils import timezone
from localflavor.se.utils import id_number_checksum

import sandbox
from invoices.atrest import number_index
from invoices.models import Customer, CustomerLink, Invoice, LookupAudit, ProviderAccount
from sandbox.world import COMPANY_TRADES, COMPANY_WORDS, FEMALE_NAMES, LAST_NAMES, MALE_NAMES, world

ACCOUNT_PREFIX = "Bench "
QVICKLY_NAME, FUSEBILL_NAME = "Bench Qvickly", "Bench Fusebill"
EMAIL_DOMAIN = "bench.invalid"
USERNAME = "bench-staff"
TEN_YEARS = 10 * 365 * 24 * 3600
# Nothing listens on the discard port: a call that should never happen fails at once.
NOWHERE = "http://127.0.0.1:9/"
BATCH = 5000
SEED = 20251121
# Of the final book: the open invoices, all of them in the first step.
OPEN_SHARE = 0.05
RECENT_DAYS = 730  # the first step's history: the last two years
EXAMPLE_DETAIL = Path(sandbox.__file__).resolve().parent / "examples" / "qvickly_003_getInvoiceByHash.json"


@dataclass
class Dataset:
    """What the measurements need to know about the bench rows."""

    qvickly: ProviderAccount
    fusebill: ProviderAccount
    big_customer: int  # pk of the customer with the most invoices
    big_count: int
    customers: list[int]  # a few ordinary customers, for the load mix
    detail_invoice: int  # pk of the invoice with a cached detail
    customer_count: int
    invoice_count: int
    open_count: int
    build_seconds: float | None = None  # cumulative; None when an existing dataset was reused
    # What growth adds history to (empty for a reused dataset, which is not grown).
    plans: list = field(default_factory=list, repr=False)

    @property
    def measured_customers(self):
        detail_owner = Invoice.objects.values_list("customer", flat=True).get(pk=self.detail_invoice)
        return {self.big_customer, *self.customers, detail_owner}


# Removing and finding the bench rows ------------------------------------------


def bench_accounts():
    return ProviderAccount.objects.filter(name__startswith=ACCOUNT_PREFIX)


def bench_customers():
    return Customer.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def delete_previous():
    """Invoices first: their account is PROTECTed, and one DELETE beats collecting 200,000 objects."""
    forget_logins()
    get_user_model().objects.filter(username=USERNAME).delete()  # left by a run that was killed
    delete_invoices(Invoice.objects.filter(account__in=bench_accounts()))
    delete_invoices(Invoice.objects.filter(customer__in=bench_customers()))
    CustomerLink.objects.filter(customer__in=bench_customers()).delete()
    bench_customers().delete()
    bench_accounts().delete()


def delete_invoices(invoices):
    """What points at the invoices set to NULL, then one DELETE: Django's own delete would load
    every row (2,000,000 with their JSON) to find what points at them."""
    relations = list(get_candidate_relations_to_delete(Invoice._meta))
    if any(relation.on_delete is not SET_NULL for relation in relations):
        invoices.delete()  # a relation this does not know how to follow: the slow, sure way
        return
    for relation in relations:
        name = relation.field.name
        relation.related_model._base_manager.filter(**{f"{name}__in": invoices}).update(**{name: None})
    invoices._raw_delete(invoices.db)


def existing():
    """The dataset left by an earlier run, or None when there is none to reuse."""
    accounts = {a.name: a for a in bench_accounts()}
    if {QVICKLY_NAME, FUSEBILL_NAME} - accounts.keys():
        return None
    invoices = Invoice.objects.filter(account__in=accounts.values())
    detail = invoices.filter(detail__isnull=False).values_list("pk", flat=True).first()
    big = invoices.values("customer").annotate(n=Count("pk")).order_by("-n").first()
    if detail is None or big is None:
        return None
    ordinary = list(bench_customers().exclude(pk=big["customer"]).order_by("pk").values_list("pk", flat=True)[:4])
    return Dataset(
        accounts[QVICKLY_NAME],
        accounts[FUSEBILL_NAME],
        big["customer"],
        big["n"],
        ordinary,
        detail,
        bench_customers().count(),
        invoices.count(),
        invoices.filter(state="open").count(),
    )


# Building ---------------------------------------------------------------------


def open_count(final):
    """How many invoices are open: OPEN_SHARE of the final book, all of them there from the first step."""
    return round(final * OPEN_SHARE)


def build(customers, invoices, big, open_invoices, log=print):
    """Replace the bench rows with the first step of the book (`invoices` of them,
    `open_invoices` open); returns the Dataset. Planner statistics are left to the caller."""
    started = timezone.now()
    rng = random.Random(SEED)
    with transaction.atomic():
        delete_previous()
    reclaim()
    with transaction.atomic():
        qvickly, fusebill = create_accounts()
        people = create_customers(rng, customers)
        log(f"  {len(people):,} customers")
        plans = plan_invoices(rng, people, invoices, big, open_invoices)
        count = write_invoices(rng, plans, qvickly, fusebill, log)
        detail = cache_one_detail(qvickly)
    return Dataset(
        qvickly,
        fusebill,
        people[0].pk,
        big,
        [c.pk for c in people[1:5]],
        detail,
        len(people),
        count,
        open_invoices,
        (timezone.now() - started).total_seconds(),
        plans,
    )


def grow(dataset, invoices, log=print):
    """Add settled history to a book built by `build` until it holds `invoices`; returns the seconds taken.

    The history goes to the same customers in proportion to their first
    step (the biggest customer, complete from the start, gets none), at the
    same accounts and in the same currencies, issued before the oldest
    invoice there is. It covers as many days as the first step's density
    gives: a book ten times the size reaches back about ten times as far.
    """
    started = timezone.now()
    added = invoices - dataset.invoice_count
    rng = random.Random(SEED + invoices)
    today = timezone.localdate()
    bench = Invoice.objects.filter(account__in=(dataset.qvickly, dataset.fusebill))
    oldest = bench.aggregate(oldest=Min("issue_date"))["oldest"] or today
    span = max(1, round(added * (today - oldest).days / dataset.invoice_count))
    newest = oldest - datetime.timedelta(days=1)
    log(f"  {added:,} history invoices issued from {newest - datetime.timedelta(days=span - 1)} to {newest}")
    big = dataset.big_customer
    weights = [0 if plan.customer.pk == big else plan.qvickly + plan.fusebill for plan in dataset.plans]
    maker = InvoiceMaker(rng, today, timezone.now(), sequence=dataset.invoice_count)
    written = 0
    with transaction.atomic():
        batch = []
        for plan, count in zip(dataset.plans, share(rng, added, weights), strict=True):
            if count:
                at_qvickly = round(count * plan.qvickly / (plan.qvickly + plan.fusebill))
                for account, n, currency in (
                    (dataset.qvickly, at_qvickly, "SEK"),
                    (dataset.fusebill, count - at_qvickly, plan.currency),
                ):
                    batch += maker.history(plan.customer, account, n, currency, newest, span)
            if len(batch) >= BATCH or plan is dataset.plans[-1]:
                insert(batch)
                written = progress(log, written, len(batch))
                batch = []
    dataset.invoice_count += written
    seconds = (timezone.now() - started).total_seconds()
    dataset.build_seconds = (dataset.build_seconds or 0) + seconds
    return seconds


def insert(invoices):
    """`bulk_create`, or on PostgreSQL one COPY: its multi-row INSERT quotes every value in Python,
    which at millions of rows takes longer than the database does."""
    if connection.vendor != "postgresql":
        Invoice.objects.bulk_create(invoices, batch_size=BATCH)
        return
    fields = [f for f in Invoice._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    db = connections[connection.alias]  # not the proxy: it is asked a few times for every value
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(Invoice._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for invoice in invoices:
            copy.write_row([f.get_db_prep_save(f.pre_save(invoice, True), db) for f in fields])


def progress(log, written, more):
    if (written + more) // 100_000 > written // 100_000:
        log(f"  {written + more:,} invoices")
    return written + more


def database_size():
    """(bytes of the whole database, bytes of the invoice table with its indexes or None when not cheap)."""
    table = Invoice._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database()), pg_total_relation_size(%s)", [table])
            return tuple(cursor.fetchone())
        if connection.vendor == "sqlite":
            # The pages in use: the free ones a previous, bigger book left behind do not count.
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA freelist_count")
            pages -= cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            whole = pages * cursor.fetchone()[0]
            try:  # the dbstat table is compiled into most builds, not all
                cursor.execute(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name = %s OR name IN "
                    "(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s)",
                    [table, table],
                )
                return whole, cursor.fetchone()[0]
            except DatabaseError:
                return whole, None
    return None, None


def create_accounts():
    """Active while the benchmark runs; a TTL no run outlives, so nothing is ever refetched."""
    common = {"base_url": NOWHERE, "secret": "bench-not-a-secret", "cache_ttl": TEN_YEARS, "active": True}
    qvickly = ProviderAccount.objects.create(name=QVICKLY_NAME, kind="qvickly", merchant_id="90001", **common)
    fusebill = ProviderAccount.objects.create(name=FUSEBILL_NAME, kind="fusebill", **common)
    return qvickly, fusebill


def create_customers(rng, count):
    """Valid-looking personal and organisation numbers, none of them the sandbox world's."""
    taken = set(world()._by_identity) | set(Customer.objects.identified().values_list("identity_number", flat=True))
    rows = []
    for index in range(count):
        company = index == 0 or rng.random() < 0.15  # the biggest debtor is a company, like the sandbox's "huge"
        number = unique(taken, organisation_number if company else personal_number, rng)
        name = company_name(rng) if company else f"{rng.choice(FEMALE_NAMES + MALE_NAMES)} {rng.choice(LAST_NAMES)}"
        # bulk_create skips save(), which keeps the blind index in step.
        rows.append(
            Customer(
                identity_number=number,
                identity_index=number_index(number),
                name=name,
                email=f"customer{index}@{EMAIL_DOMAIN}",
            )
        )
    return Customer.objects.bulk_create(rows, batch_size=BATCH)


def unique(taken, draw, rng):
    while (value := draw(rng)) in taken:
        pass
    taken.add(value)
    return value


def personal_number(rng):
    born = datetime.date(1940, 1, 1) + datetime.timedelta(rng.randrange(65 * 365))
    yymmdd = born.strftime("%y%m%d")
    serial = f"{rng.randrange(1000):03d}"
    parts = {"year": yymmdd[:2], "month": yymmdd[2:4], "day": yymmdd[4:], "serial": serial}
    return f"{born.year // 100}{yymmdd}{serial}{id_number_checksum(parts)}"


def organisation_number(rng):
    digits = f"55{rng.randrange(60, 100):02d}{rng.randrange(100000):05d}"
    parts = {"year": digits[:2], "month": digits[2:4], "day": digits[4:6], "serial": digits[6:9]}
    return f"{digits}{id_number_checksum(parts)}"


def company_name(rng):
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_TRADES)} AB"


@dataclass
class Plan:
    """One customer's share of the first step: how many invoices at which account, in which
    currency, how many of them open."""

    customer: Customer
    qvickly: int
    fusebill: int
    currency: str  # Fusebill's billing currency; Qvickly invoices are SEK
    open: int = 0


def plan_invoices(rng, people, total, big, open_invoices):
    """The first customer gets `big` invoices at Fusebill; the rest are spread log-normally,
    so most customers have a handful and a few have hundreds, as in a real book. The open
    invoices are shared out in proportion to each customer's invoices."""
    rest = people[1:]
    counts = spread(rng, total - big, len(rest))
    plans = [Plan(people[0], 0, big, "SEK")]
    for customer, count in zip(rest, counts, strict=True):
        where = rng.random()
        currency = rng.choices(("SEK", "EUR", "USD"), weights=(70, 20, 10))[0]
        if where < 0.55:
            plans.append(Plan(customer, count, 0, "SEK"))
        elif where < 0.85:
            plans.append(Plan(customer, 0, count, currency))
        else:  # known to both providers
            half = count // 2
            plans.append(Plan(customer, count - half, half, currency))
    for plan, count in zip(plans, share(rng, open_invoices, [p.qvickly + p.fusebill for p in plans]), strict=True):
        plan.open = count
    return plans


def spread(rng, total, buckets):
    """`buckets` counts of at least one each, log-normally weighted, adding up to `total` exactly."""
    if buckets == 0:
        return []
    weights = [rng.lognormvariate(0, 1) for _ in range(buckets)]
    scale = (total - buckets) / sum(weights)
    counts = [1 + math.floor(w * scale) for w in weights]
    for index in rng.sample(range(buckets), total - sum(counts)):
        counts[index] += 1
    return counts


def share(rng, total, weights):
    """`total` shared out in proportion to whole-number `weights`, adding up to it exactly; while
    `total` is at most their sum no share is bigger than its weight, and a zero weight gets nothing."""
    whole = sum(weights)
    if not total or not whole:
        return [0] * len(weights)
    counts = [weight * total // whole for weight in weights]
    short = total - sum(counts)  # fewer than the weights with a remainder, each of which gets at most one more
    behind = [index for index, weight in enumerate(weights) if weight * total % whole]
    for index in rng.sample(behind, short):
        counts[index] += 1
    return counts


def write_invoices(rng, plans, qvickly, fusebill, log):
    """Links and invoices, in batches so memory stays flat whatever the size."""
    now = timezone.now()
    today = timezone.localdate()
    # A lookup links a customer to every active account, also those that do not
    # know them (no provider customer id, no invoices): so does the bench.
    links = [
        CustomerLink(
            customer=plan.customer,
            account=account,
            fetched_at=now,
            provider_customer_id=str(100000 + plan.customer.pk) if count else "",
        )
        for plan in plans
        for account, count in ((qvickly, plan.qvickly), (fusebill, plan.fusebill))
    ]
    CustomerLink.objects.bulk_create(links, batch_size=BATCH)
    maker = InvoiceMaker(rng, today, now)
    batch, written = [], 0
    for plan in plans:
        batch += maker.recent(plan, ((qvickly, plan.qvickly, "SEK"), (fusebill, plan.fusebill, plan.currency)))
        if len(batch) >= BATCH or plan is plans[-1]:
            insert(batch)
            written = progress(log, written, len(batch))
            batch = []
    return written


# Each provider's own words for our kinds and states.
QVICKLY_TYPES = {"invoice": "F", "credit": "K", "interest": "RF", "cash": "KN"}
QVICKLY_STATUSES = {
    "open": "Created",
    "paid": "Paid",
    "cancelled": "Cancelled",
    "credited": "Credited",
    "written_off": "Factoring",
}
FUSEBILL_STATUSES = {"paid": "Paid", "cancelled": "Void", "credited": "Paid", "written_off": "WrittenOff"}
# Roughly, so EUR and USD amounts are of a believable size.
SEK_PER = {"SEK": 1, "EUR": 11, "USD": 10}


class InvoiceMaker:
    """Invoices with the states, dates and amounts a book has: the recent ones of the first
    step, open or settled, and the settled history growth adds before them."""

    TERMS = (10, 14, 20, 30, 30, 30, 60)
    ZERO = Decimal(0)

    def __init__(self, rng, today, now, sequence=0):
        self.rng, self.today, self.now = rng, today, now
        self.sequence = sequence  # invoices made so far: numbers and provider ids go on from it

    def recent(self, plan, parts):
        """A customer's first-step invoices over the last two years (a few registered ahead of
        their date), `plan.open` of them open: drawn with the weight an invoice that late has
        of being unpaid, so the open ones are mostly recent and a few are long overdue."""
        drafts = [
            (account, currency, self.kind(), *self.recent_dates())
            for account, count, currency in parts
            for _ in range(count)
        ]
        keys = [self.rng.random() ** (1 / self.open_weight(issue, due)) for *_, issue, due in drafts]
        chosen = set(sorted(range(len(drafts)), key=keys.__getitem__, reverse=True)[: plan.open])
        rows = {account.pk: [] for account, *_ in parts}
        for index, (account, currency, kind, issue, due) in enumerate(drafts):
            if index in chosen:
                kind = "invoice" if kind == "cash" else kind  # a cash invoice is paid when made
            elif issue > self.today:  # only an open invoice is registered ahead of its date
                issue, due = self.dated(self.rng.randrange(RECENT_DAYS))
            rows[account.pk].append(self.invoice(plan.customer, account, currency, kind, issue, due, index in chosen))
        for account_rows in rows.values():
            self.link_credits(account_rows)
        return [row for account_rows in rows.values() for row in account_rows]

    def history(self, customer, account, count, currency, newest, days):
        """`count` settled invoices issued within the `days` up to `newest`."""
        rows = []
        for _ in range(count):
            issue = newest - datetime.timedelta(days=self.rng.randrange(days))
            due = issue + datetime.timedelta(days=self.rng.choice(self.TERMS))
            rows.append(self.invoice(customer, account, currency, self.kind(), issue, due, False))
        self.link_credits(rows)
        return rows

    def kind(self):
        return self.rng.choices(tuple(QVICKLY_TYPES), weights=(92, 4, 3, 1))[0]

    def recent_dates(self):
        ahead = self.rng.random() < 0.004
        return self.dated(self.rng.randrange(-10 if ahead else 0, RECENT_DAYS))

    def dated(self, days_ago):
        """(issue date, due date after its terms)."""
        issue = self.today - datetime.timedelta(days=days_ago)
        return issue, issue + datetime.timedelta(days=self.rng.choice(self.TERMS))

    def open_weight(self, issue, due):
        """How likely an invoice this late is to be unpaid; one dated ahead is (almost) always."""
        if issue > self.today:
            return 1000
        late = (self.today - due).days
        return 0.7 if late < 0 else 0.3 if late < 30 else 0.12 if late < 120 else 0.04

    def invoice(self, customer, account, currency, kind, issue, due, unpaid):
        self.sequence += 1
        amount = Decimal(self.rng.lognormvariate(7.0, 1.0) / SEK_PER[currency]).quantize(Decimal("0.01")) + 1
        if unpaid:
            state, paid, outstanding, credited, written_off = self.unpaid(amount)
        else:
            state, paid, outstanding, credited, written_off = self.settled(kind, issue, due, amount)
        sign = -1 if kind == "credit" else 1  # a credit invoice is negative, and so is what it still owes back
        total, outstanding = sign * amount, sign * outstanding
        fields = self.provider_fields(account.kind, kind, state, due)
        return Invoice(
            account=account,
            customer=customer,
            kind=kind,
            state=state,
            issue_date=issue,
            due_date=due,
            paid_date=paid,
            currency=currency,
            total=total,
            outstanding=outstanding,
            credited=credited,
            written_off=written_off,
            fetched_at=self.now,
            **fields,
            raw=raw_row(account.kind, fields["number"], customer, issue, due, currency, total, outstanding, state),
        )

    def unpaid(self, amount):
        """(state, paid_date, outstanding, credited, written_off) of an open invoice, a fifth of them part paid."""
        rng, zero = self.rng, self.ZERO
        partly = rng.random() < 0.2
        left = (amount * Decimal(rng.uniform(0.2, 0.8))).quantize(Decimal("0.01")) if partly else amount
        return "open", None, left, zero, zero

    def settled(self, kind, issue, due, amount):
        """(state, paid_date, outstanding, credited, written_off) of an invoice that is done with:
        mostly paid, a few cancelled, credited or (long overdue) written off."""
        rng, today, zero = self.rng, self.today, self.ZERO
        late = (today - due).days
        draw = rng.random()
        if kind == "cash":
            return "paid", issue, zero, zero, zero
        if draw < 0.02:
            return "cancelled", None, zero, zero, zero
        if draw < 0.04 and kind == "invoice":
            return "credited", None, zero, amount, zero
        if draw < 0.055 and late > 90:
            return "written_off", None, zero, zero, amount
        # Paid some time between the invoice date and three months after the due date.
        latest = max(issue, min(today, due + datetime.timedelta(days=90)))
        paid = issue + datetime.timedelta(days=rng.randrange((latest - issue).days + 1))
        return "paid", paid, zero, zero, zero

    def provider_fields(self, provider, kind, state, due):
        """Numbers, status words, hash and PDF link, the way each provider has them."""
        if provider == "qvickly":
            number = str(700000 + self.sequence)  # Qvickly's id for an invoice is its number
            return {
                "provider_id": number,
                "number": number,
                "provider_kind": QVICKLY_TYPES[kind],
                "provider_status": QVICKLY_STATUSES[state],
                "provider_hash": f"{self.rng.getrandbits(160):040x}",
                "pdf_url": f"https://api.qvickly.io/invoice/90001/{number}",
            }
        overdue = "Overdue" if due < self.today else "Due"
        return {
            "provider_id": str(90000000 + self.sequence),
            "number": str(4000000 + self.sequence),
            "provider_status": overdue if state == "open" else FUSEBILL_STATUSES[state],
        }

    def link_credits(self, rows):
        """A credit invoice names the invoice it credits: one of the same customer's, at the same account."""
        originals = [row.number for row in rows if row.kind == "invoice"]
        for row in rows:
            if row.kind == "credit" and originals:
                row.credits_number = self.rng.choice(originals)


def raw_row(provider, number, customer, issue, due, currency, total, outstanding, state):
    """About the size and shape of what each provider's listing returns, so rows weigh what real ones do."""
    if provider == "qvickly":
        return {
            "invoiceid_real": number,
            "invoicedate": issue.isoformat(),
            "duedate": due.isoformat(),
            "topay": f"{total:.2f}",
            "balancedue": f"{outstanding:.2f}",
            "status": state.capitalize(),
            "invoicetype": "F",
            "name": customer.name,
            "customerno": str(100000 + customer.pk),
            "fileurl": f"https://api.qvickly.io/invoice/90001/{number}.pdf",
            "distributor_status": "Sent",
            "paymentmethod": "1",
            "currency": currency,
        }
    posted = f"{issue.isoformat()}T08:00:00"
    return {
        "id": int(number) + 86000000,
        "invoiceNumber": int(number),
        "customerId": 100000 + customer.pk,
        "currency": currency,
        "createdTimestamp": posted,
        "effectiveTimestamp": posted,
        "postedTimestamp": posted,
        "modifiedTimestamp": posted,
        "terms": "Net30",
        "invoiceAmount": float(total),
        "subtotal": float(total),
        "totalDiscount": 0,
        "totalPayments": float(total - outstanding),
        "sumOfCreditNotes": 0,
        "totalWriteoffs": 0,
        "outstandingBalance": float(outstanding),
        "poNumber": None,
        "notes": None,
        "paymentSchedules": [
            {
                "dueDateTimestamp": f"{due.isoformat()}T00:00:00",
                "status": "Due",
                "amount": float(total),
                "outstandingBalance": float(outstanding),
                "daysDueAfterTerm": 0,
            }
        ],
        "charges": [
            {
                "productId": 1001,
                "name": "Abonnemang Bas",
                "quantity": 1,
                "unitPrice": float(total),
                "amount": float(total),
                "glCode": "3010",
            }
        ],
    }


def cache_one_detail(qvickly):
    """The documentation example as the cached detail of an invoice that another one credits,
    so the detail page also looks up both ends of the credit."""
    data = json.loads(EXAMPLE_DETAIL.read_text(encoding="utf-8"), strict=False)["data"]
    credited = Invoice.objects.filter(account=qvickly, kind="credit").exclude(credits_number="").order_by("pk").first()
    invoice = Invoice.objects.get(account=qvickly, number=credited.credits_number)
    invoice.detail, invoice.detail_fetched_at = data, timezone.now()
    invoice.save(update_fields=["detail", "detail_fetched_at"])
    return invoice.pk


def reclaim():
    """On PostgreSQL, the space of a previous book back from the invoice table (only the demo's rows
    are left to copy), so the sizes reported are this book's. SQLite reuses its free pages, and the
    sizes reported leave them out."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL {connection.ops.quote_name(Invoice._meta.db_table)}")


def analyze():
    """Planner statistics, and on PostgreSQL the visibility map too: what autovacuum gives a
    production table. (Test clusters often run with autovacuum off; without the map, index-only
    scans look worse than they are.) VACUUM cannot run in a transaction: call outside one.

    Then, on PostgreSQL, a CHECKPOINT: the gigabyte a growth step just wrote is flushed
    before the pages are timed, not while they are."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")


# Around every run -------------------------------------------------------------


@contextmanager
def running(dataset):
    """(user, password) of a bench superuser, with the bench accounts active, for one run.

    The user's password is new every run and the user is deleted afterwards
    (with its sessions and login records); the accounts are switched off
    again, so the demo's own lookups never ask them.
    """
    password = secrets.token_urlsafe(24)
    user = staff_user(password)
    activate(dataset, True)
    try:
        yield user, password
    finally:
        activate(dataset, False)
        remove_user(user)


def activate(dataset, active):
    bench_accounts().update(active=active)
    if active:
        freshen(dataset)


def freshen(dataset):
    """Fresh links for the measured customers at every active account, the demo's included,
    so no page view of theirs finds a stale link and calls a provider."""
    now = timezone.now()
    measured = dataset.measured_customers
    CustomerLink.objects.filter(customer__in=measured).update(fetched_at=now, error="", error_at=None)
    for account in ProviderAccount.objects.filter(active=True).exclude(name__startswith=ACCOUNT_PREFIX):
        for pk in measured:
            CustomerLink.objects.update_or_create(customer_id=pk, account=account, defaults={"fetched_at": now})


def staff_user(password):
    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return user


def remove_user(user):
    forget_logins()  # the run's audited page views too
    for session in Session.objects.filter(expire_date__gt=timezone.now()):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
    user.delete()


def forget_logins():
    """django-axes logs each login of the bench user, and the audit each of its views of the
    bench's made-up customers (which PROTECTs the user); those rows go with it."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessLog, AccessAttempt, AccessFailureLog):
        model.objects.filter(username=USERNAME).delete()
    LookupAudit.objects.filter(user__username=USERNAME).delete()
