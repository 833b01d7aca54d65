"""Today's open figures per customer and currency, grouped once and kept beside the invoices.

What a customer owes changes only when a sync writes their invoices; how old it
is changes once a day. So what the book-wide pages sort, page and sum (owed, the
aging buckets, the furthest stage, what the follow-up list chases and its
priority) is grouped here once per customer as of a day, and the pages read one
indexed row per customer instead of grouping the whole open book on every request:
- the sync regroups the customers it wrote, in the transaction that wrote them
  (balances.recompute), as a dispute does (followup.set_dispute);
- the first read on a new day (or under other aging edges) regroups everyone, once.

The rows are the same grouping the pages ran before (`grouped`, from the invoices),
so what they answer cannot differ from it; a filter they cannot answer (an account,
a provider, a stage, a past date, more aging buckets than there are columns) reads
the invoices as before.
"""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, F, Func, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoices.aging import Aging
from invoices.collation import by_name
from invoices.models import Customer, Invoice, InvoiceQuerySet, history_sums, stage_expression, top_per_currency
from invoices.summing import add_differences, cents, insert_select, kept, money, sum_again, sums_by

# Aging buckets stored per row: "not yet due", up to four ranges, and the rest.
BUCKETS = 6
# Wide enough for amount × days over a long-neglected book.
MONEY: models.DecimalField = models.DecimalField(max_digits=16, decimal_places=2)
WEIGHT: models.DecimalField = models.DecimalField(max_digits=24, decimal_places=2)


class DaysOverdue(Func):
    """Whole days from `due` to `today`, in the database (SQLite and PostgreSQL)."""

    output_field = models.IntegerField()

    def __init__(self, today: date, due: str = "due_date"):
        super().__init__(models.Value(today), F(due))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", arg_joiner=") - julianday("
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner="::date - ")


class OpenBook(models.Model):
    """The one row saying which day, and which aging edges, the OpenBalance rows are grouped for."""

    day = models.DateField(null=True)
    edges = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"open book of {self.day} ({self.edges})"


class OpenSumsQuerySet(models.QuerySet):
    """What the totals read of open figures summed per currency: from the customers'
    rows (OpenBalance) or from their sums (OpenTotal)."""

    def by_currency(self, aging: Aging) -> models.QuerySet:
        """What InvoiceQuerySet.totals reads of the rows, per currency, in the order and
        shape of its other parts (no history: that is in balances.Balance)."""
        return self.summed(aging, oldest=Min("oldest_overdue"))

    def summed(self, aging: Aging, oldest: models.Expression | Subquery) -> models.QuerySet:
        """by_currency, with the oldest overdue date read by `oldest`."""
        return (
            self.values("currency")
            .annotate(
                **{
                    name: Value(0) if name == "credit_count" else Value(0, output_field=MONEY)
                    for name in history_sums()
                },
                on_books=Value(0),
                owed=Sum("owed", default=0),
                overdue=Sum("past_due", default=0),
                open_count=Sum("open_count", default=0),
                oldest_overdue=oldest,
                **{b.key: Sum(f"bucket_{i}", default=0) for i, b in enumerate(aging.buckets)},
            )
            .order_by()
        )

    def stage_totals(self, summary: models.QuerySet) -> list[dict]:
        """InvoiceQuerySet.stage_totals from the rows and `summary` (the same invoices'
        Balance rows), summed per currency in one query with each stage a pair of
        columns (the summary's only written off and disputed), in its shape."""

        def zero(name: str) -> Value:
            return Value(0) if name.endswith("_count") else Value(0, output_field=MONEY)

        # Summed under names of their own: a sum may not take its column's name.
        owed = self.values("currency").annotate(
            **{f"sum_{name}": Sum(name) for name in STAGE_FIGURES},
            sum_written_off=zero(""),
            sum_written_off_count=zero("_count"),
        )
        from_summary = {"in_disputed": "disputed_written_off", "in_disputed_count": "disputed_written_off_count"}
        written_off = summary.values("currency").annotate(
            **{
                f"sum_{name}": Sum(from_summary[name]) if name in from_summary else zero(name) for name in STAGE_FIGURES
            },
            sum_written_off=Sum("written_off_stage"),
            sum_written_off_count=Sum("written_off_stage_count"),
        )
        columns = {**STAGES, Invoice.Stage.WRITTEN_OFF: "written_off"}
        rows: dict[tuple[str, str], dict] = {}
        for row in owed.order_by().union(written_off.order_by(), all=True):
            for stage, column in columns.items():
                if row[f"sum_{column}_count"]:
                    empty = {"currency": row["currency"], "stage_now": stage, "amount": 0, "count": 0}
                    into = rows.setdefault((row["currency"], stage), empty)
                    into["amount"] += row[f"sum_{column}"]
                    into["count"] += row[f"sum_{column}_count"]
        return [rows[key] for key in sorted(rows)]


class OpenBalanceQuerySet(OpenSumsQuerySet):
    def largest_debtors(self, limit: int = 10, currencies: Iterable[str] = ()) -> list[dict]:
        """InvoiceQuerySet.largest_debtors from the rows, each currency's read in order from
        the (currency, owed) index."""
        owing = self.filter(owed__gt=0).annotate(name=F("customer__name"))
        return top_per_currency(owing.values("customer", "currency", "owed", "name"), limit, currencies, apart=True)

    def aging_rows(self, aging: Aging) -> models.QuerySet:
        """InvoiceQuerySet.aging_by_customer from the rows, under its names."""
        return (
            self.exclude(owed=0)
            .annotate(**{b.key: F(f"bucket_{i}") for i, b in enumerate(aging.buckets)})
            .values("customer", "currency", "customer__name", "owed", "furthest", *(b.key for b in aging.buckets))
        )

    def chasing(self) -> "OpenBalanceQuerySet":
        """The rows with money to chase (followup.overdue_invoices)."""
        return self.filter(chase_count__gt=0)

    def chased(self, today: date) -> models.QuerySet:
        """followup.rows from the `chasing` rows, under its names and in its order."""
        return (
            self.annotate(
                overdue=F("chase"), invoice_count=F("chase_count"), oldest_days=DaysOverdue(today, "chase_oldest")
            )
            .values(
                "customer",
                "currency",
                "customer__name",
                "customer__followup__owner",
                "customer__followup__owner__username",
                "customer__followup__next_action",
                "overdue",
                "invoice_count",
                "oldest_days",
                "priority",
            )
            .order_by("currency", "-priority", by_name("customer__name"), "customer")
        )


class OpenTotalQuerySet(OpenSumsQuerySet):
    def by_currency(self, aging: Aging) -> models.QuerySet:
        """OpenBalanceQuerySet.by_currency from the totals, the oldest overdue date read
        from the rows' index (a date is no sum to keep)."""
        first = (
            OpenBalance.objects.filter(currency=OuterRef("currency"), oldest_overdue__isnull=False)
            .order_by("oldest_overdue")
            .values("oldest_overdue")[:1]
        )
        return self.summed(aging, oldest=Subquery(first, output_field=models.DateField()))


class OpenSums(models.Model):
    """The open figures the book-wide totals add up: money and how many invoices."""

    currency = models.CharField(max_length=3)
    # What aging_by_customer sums: everything on the books and still owed (or owed back).
    owed = money()
    bucket_0 = money()
    bucket_1 = money()
    bucket_2 = money()
    bucket_3 = money()
    bucket_4 = money()
    bucket_5 = money()
    past_due = money()  # what is overdue
    open_count = models.PositiveIntegerField(default=0)
    # The money in each stage and how many invoices hold it (InvoiceQuerySet.stage_totals).
    in_none = money()
    in_none_count = models.PositiveIntegerField(default=0)
    in_not_due = money()
    in_not_due_count = models.PositiveIntegerField(default=0)
    in_overdue = money()
    in_overdue_count = models.PositiveIntegerField(default=0)
    in_collection = money()
    in_collection_count = models.PositiveIntegerField(default=0)
    in_disputed = money()
    in_disputed_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class OpenBalance(OpenSums):
    """One customer's open invoices in one currency, grouped as of OpenBook.day."""

    # Unindexed on its own: the unique constraint's index leads with it.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    furthest = models.PositiveSmallIntegerField(default=0)  # the furthest stage's rank
    oldest_overdue = models.DateField(null=True)
    # What the follow-up list chases (followup.overdue_invoices): owed, past due, undisputed.
    chase = money()
    chase_count = models.PositiveIntegerField(default=0)
    chase_oldest = models.DateField(null=True)
    priority = models.DecimalField(max_digits=24, decimal_places=2, default=0)

    objects = OpenBalanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("open balance")
        verbose_name_plural = _("open balances")
        constraints = [
            models.UniqueConstraint(fields=["customer", "currency"], name="one_open_balance_per_currency"),
        ]
        indexes = [
            # The aging report's default order and the largest debtors: a page is an index range.
            models.Index(F("currency"), F("owed").desc(), name="open_balance_owed"),
            # The follow-up list, most urgent first.
            models.Index(
                F("currency"), F("priority").desc(), condition=Q(chase_count__gt=0), name="open_balance_priority"
            ),
            # How many customers are to be chased (followup.figures, on the home page): counted
            # from this index alone, in customer order, instead of sorting the rows' customers.
            models.Index(fields=["customer"], condition=Q(chase_count__gt=0), name="open_balance_chased"),
            # The book's oldest overdue date in each currency (OpenTotalQuerySet.by_currency).
            models.Index(
                fields=["currency", "oldest_overdue"],
                condition=Q(oldest_overdue__isnull=False),
                name="open_balance_oldest",
            ),
        ]

    def __str__(self):
        return f"{self.customer_id} in {self.currency}: {self.owed}"


class OpenTotal(OpenSums):
    """Every customer's OpenBalance in one currency, summed: what the home page adds up
    of the open book, in a row a currency. Summed again with the whole book
    (regroup_all), and moved by what each regrouping of some customers changed (regroup)."""

    objects = OpenTotalQuerySet.as_manager()

    class Meta:
        verbose_name = _("open total")
        verbose_name_plural = _("open totals")
        constraints = [models.UniqueConstraint(fields=["currency"], name="one_open_total_per_currency")]

    def __str__(self):
        return f"the open book in {self.currency}: {self.owed}"


class Counted:
    """A page's rows, counted apart: the rows join the customers' names and owners, which
    counting them does not need (Paginator asks for count() and slices)."""

    def __init__(self, rows: models.QuerySet, counted: models.QuerySet):
        self.rows, self.counted = rows, counted

    def count(self) -> int:
        return self.counted.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: Any) -> Any:
        return self.rows[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


def grouped(invoices: InvoiceQuerySet, aging: Aging) -> models.QuerySet:
    """OpenBalance's figures per customer and currency, grouped from `invoices` as of
    `aging`'s day: the aging report's grouping and the follow-up list's, in one pass."""
    today = aging.as_of
    overdue = Q(balance__gt=0, due_date__lt=today)
    # followup.overdue_invoices, within what is on the books.
    chase = Q(outstanding__gt=0, due_date__lt=today, dispute_reason="") & ~Q(stage=Invoice.Stage.DISPUTED)
    sums: dict[str, Any] = {
        "owed": Sum("balance", default=0),
        **{f"bucket_{i}": Sum("balance", filter=b.condition, default=0) for i, b in enumerate(aging.buckets)},
        **{f"bucket_{i}": Value(0, output_field=MONEY) for i in range(len(aging.buckets), BUCKETS)},
        "furthest": Max(stage_expression(today, rank=True)),
        "past_due": Sum("balance", filter=overdue, default=0),
        "open_count": Count("pk", filter=~Q(balance=0)),
        "oldest_overdue": Min("due_date", filter=overdue),
        "chase": Sum("outstanding", filter=chase, default=0),
        "chase_count": Count("pk", filter=chase),
        "chase_oldest": Min("due_date", filter=chase),
        "priority": Sum(F("outstanding") * DaysOverdue(today), filter=chase, default=0, output_field=WEIGHT),
    }
    for stage, column in STAGES.items():
        # Written-off invoices are summed with the history (balances.Balance).
        here = Q(stage_now=stage) & ~Q(stage=Invoice.Stage.WRITTEN_OFF)
        sums[column] = Sum("outstanding", filter=here, default=0)
        sums[f"{column}_count"] = Count("pk", filter=here)
    return (
        invoices.with_balance(today)
        .alias(stage_now=stage_expression(today))
        .values("customer", "currency")
        .annotate(**sums)
        .order_by()
    )


# The stages an open invoice can be in, besides written off, and their columns.
STAGES = {
    "": "in_none",
    Invoice.Stage.NOT_DUE: "in_not_due",
    Invoice.Stage.OVERDUE: "in_overdue",
    Invoice.Stage.COLLECTION: "in_collection",
    Invoice.Stage.DISPUTED: "in_disputed",
}
# The stage columns, money and count of each, in STAGES' order.
STAGE_FIGURES = [name for column in STAGES.values() for name in (column, f"{column}_count")]


def edges_of(aging: Aging) -> str:
    return ",".join(str(edge) for edge in aging.edges)


def serves(aging: Aging) -> bool:
    """Whether rows can answer for `aging` at all: today, and no more buckets than columns."""
    return aging.as_of == timezone.localdate() and len(aging.buckets) <= BUCKETS


def current(aging: Aging) -> OpenBalanceQuerySet | None:
    """The rows for `aging`, regrouped first if the day (or the edges) changed since;
    None when they cannot answer for it and the invoices must be read."""
    if not serves(aging):
        return None
    if not OpenBook.objects.filter(day=aging.as_of, edges=edges_of(aging)).exists():
        regroup_all(aging)
    return OpenBalance.objects.all()


def regroup_all(aging: Aging | None = None, force: bool = False) -> int:
    """Every customer's rows again, as of `aging`'s day (today); returns the rows written.
    Without `force`, nothing is done when they are grouped for that day already.

    The stamp is locked first: a sync regrouping its customers waits for this, and
    this waits for syncs under way (regroup), so none is left out of the new day.
    """
    aging = aging or Aging(as_of=timezone.localdate(), edges=tuple(settings.AGING_BUCKETS))
    with transaction.atomic():
        stamp = OpenBook.objects.select_for_update().filter(pk=1).first() or OpenBook.objects.create(pk=1)
        if not force and stamp.day == aging.as_of and stamp.edges == edges_of(aging):
            return 0  # another reader regrouped while this one waited
        OpenBalance.objects.all().delete()
        written = insert(grouped(Invoice.objects.all(), aging))
        total()
        stamp.day, stamp.edges = aging.as_of, edges_of(aging)
        stamp.save()
        return written


def regroup(customer_ids: Iterable[int]) -> None:
    """The customers' rows again from their invoices. Call it in the transaction that
    changed them, with the customers locked (balances.recompute).

    Rows of an earlier day are left alone: the next read regroups the whole book."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    with transaction.atomic():
        stamp = shared_stamp()
        if stamp is None:
            return
        day, edges = stamp
        aging = Aging(as_of=day, edges=tuple(int(edge) for edge in edges.split(",") if edge))
        if not serves(aging):
            return
        theirs = OpenBalance.objects.filter(customer__in=ids)
        before = sums_by(theirs, TOTAL_KEYS, TOTALS)
        theirs.delete()
        insert(grouped(Invoice.objects.filter(customer__in=ids), aging))
        add_differences(OpenTotal, TOTAL_KEYS, sums_by(theirs, TOTAL_KEYS, TOTALS), before)


def shared_stamp() -> tuple[date, str] | None:
    """The stamp's day and edges, locked against regroup_all until this transaction ends
    (FOR SHARE: syncs do not wait for each other). SQLite runs one writer at a time anyway."""
    table = connection.ops.quote_name(OpenBook._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT day, edges FROM {table} WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    day = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
    return day, row[1]


def insert(rows: models.QuerySet) -> int:
    return insert_select(OpenBalance, ["customer", "currency", *FIGURES], rows)


def total(balance_model: type[models.Model] = OpenBalance, total_model: type[models.Model] = OpenTotal) -> int:
    """The OpenTotal rows again from every OpenBalance row; returns the rows written.
    (A migration passes its own historical models.)"""
    return sum_again(total_model, TOTAL_KEYS, TOTALS, balance_model._default_manager.all())


# The columns `grouped` sums, in its order (buckets past the aging's are 0).
FIGURES = [
    "owed",
    *(f"bucket_{i}" for i in range(BUCKETS)),
    "furthest",
    "past_due",
    "open_count",
    "oldest_overdue",
    "chase",
    "chase_count",
    "chase_oldest",
    "priority",
    *STAGE_FIGURES,
]


# The figures OpenTotal sums, and what it sums them by.
TOTALS = ["owed", *(f"bucket_{i}" for i in range(BUCKETS)), "past_due", "open_count", *STAGE_FIGURES]
TOTAL_KEYS = ("currency",)


def totals_stored() -> dict[tuple, dict]:
    """What the totals hold, without the rows at zero (for checking them)."""
    return kept(OpenTotal, TOTAL_KEYS, TOTALS)


def totals_recomputed() -> dict[tuple, dict]:
    """What they should hold: the rows summed now, in the shape of `totals_stored`."""
    summed = sums_by(OpenBalance.objects.all(), TOTAL_KEYS, TOTALS)
    return {key: row for key, row in summed.items() if any(row.values())}


def stored() -> dict[tuple[int, str], dict]:
    """What the table holds, keyed by customer and currency (for checking it)."""
    return {
        (row.pop("customer"), row.pop("currency")): row
        for row in OpenBalance.objects.values("customer", "currency", *FIGURES)
    }


def recomputed(aging: Aging | None = None) -> dict[tuple[int, str], dict]:
    """What it should hold, grouped from the invoices now, in the shape of `stored`."""
    aging = aging or Aging.today()
    rows = {}
    for row in grouped(Invoice.objects.all(), aging):
        key = (row.pop("customer"), row.pop("currency"))
        rows[key] = {name: cents(row[name]) for name in FIGURES}
    return rows
