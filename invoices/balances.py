"""All-time figures per customer, account and currency, kept beside the invoices.

A merchant's book is mostly paid history, and history only changes when a
sync writes a customer's invoices. So what the summaries need of it (what
was invoiced, credited, written off, and how many invoices) is summed here
once per customer and read from this small table, while what changes with
the date (what is owed, overdue, aging) is read from the open invoices alone.

Each customer's rows are recomputed from that customer's invoices in the
transaction that wrote them (sync.write_outcomes, sync.invoice_detail,
followup.set_dispute): never adjusted by differences, so they cannot drift
from the cache. `manage.py rebuild_balances` rebuilds the table from scratch.

The book-wide pages need only the sum of every customer's rows, so that sum is
kept too, a row per account and currency (BookBalance): the same transaction
moves it by what the customers' rows changed. It is the one figure kept by
differences, because summing a row per customer on every home page costs what
the customers do; the property test holds it equal to the rows' sum after every
sync, and `rebuild_balances` sums it again.
"""

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from invoices import open_book
from invoices.models import Customer, Invoice, ProviderAccount, history_sums
from invoices.summing import add_differences, cents, insert_select, kept, money, sum_again, sums_by


class BalanceQuerySet(models.QuerySet):
    def currencies(self) -> list[str]:
        """The currencies on the books, for the filters: read from the book's few rows
        (BookBalance.objects.currencies()), where the invoices' own would grow with the history."""
        on_books = self.filter(invoice_count__gt=0)
        return list(on_books.order_by("currency").values_list("currency", flat=True).distinct())

    def by_currency(self):
        """The history's sums per currency, under the names InvoiceQuerySet.totals uses."""
        return self.values("currency").annotate(**{name: Sum(name, default=0) for name in HISTORY}).order_by()


class Summed(models.Model):
    """Invoices at one account in one currency, summed: every invoice still at the
    provider and not cancelled."""

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    invoiced = money()  # sales: neither credit nor interest invoices
    interest = money()
    credit_invoiced = money()  # credit invoices, as positive amounts
    credit_notes = money()  # credited on the invoices themselves (Fusebill)
    written_off_sum = money()
    outstanding = money()
    invoice_count = models.PositiveIntegerField(default=0)
    credit_count = models.PositiveIntegerField(default=0)
    open_count = models.PositiveIntegerField(default=0)
    # The written-off stage, which lies among the paid history (Invoice.current_stage):
    # its money is what was written off, or what is still owed while a dispute stands.
    written_off_stage = money()
    written_off_stage_count = models.PositiveIntegerField(default=0)
    disputed_written_off = money()
    disputed_written_off_count = models.PositiveIntegerField(default=0)

    objects = BalanceQuerySet.as_manager()

    class Meta:
        abstract = True


class Balance(Summed):
    """One customer's invoices at one account in one currency, summed."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="balances")

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        constraints = [
            models.UniqueConstraint(fields=["customer", "account", "currency"], name="one_balance_per_currency"),
        ]
        indexes = [
            models.Index(fields=["currency"], name="balance_currency"),
            # The home page's count of each account's invoices, from the index alone.
            models.Index(fields=["account", "invoice_count"], name="balance_account_count"),
        ]

    def __str__(self):
        return f"{self.customer_id} at {self.account_id} in {self.currency}"


class BookBalance(Summed):
    """Every customer's Balance at one account in one currency, summed: the whole
    book's history in a few rows. A row whose customers are all gone stays, at zero."""

    class Meta:
        verbose_name = _("book balance")
        verbose_name_plural = _("book balances")
        constraints = [models.UniqueConstraint(fields=["account", "currency"], name="one_book_balance_per_currency")]

    def __str__(self):
        return f"the book at {self.account_id} in {self.currency}"


# The sums the totals read from this table, under the totals' names and in their order.
HISTORY = list(history_sums())


def figures(invoices: models.QuerySet) -> models.QuerySet:
    """Balance's figures per customer, account and currency, summed from `invoices`."""
    written_off = Q(stage=Invoice.Stage.WRITTEN_OFF)
    disputed = ~Q(dispute_reason="")
    sums = {
        **history_sums(),
        "outstanding": Sum("outstanding", default=0),
        "invoice_count": Count("pk"),
        "open_count": Count("pk", filter=~Q(outstanding=0)),
        "written_off_stage": Sum("written_off", filter=written_off & ~disputed, default=0),
        "written_off_stage_count": Count("pk", filter=written_off & ~disputed),
        "disputed_written_off": Sum("outstanding", filter=written_off & disputed, default=0),
        "disputed_written_off_count": Count("pk", filter=written_off & disputed),
    }
    assert list(sums) == FIGURES
    # Named apart from the invoice's own columns (written_off, outstanding), which
    # a sum of the same name would hide from the sums after it.
    return (
        invoices.exclude(state=Invoice.State.CANCELLED)
        .filter(gone_at__isnull=True)
        .values("customer", "account", "currency")
        .annotate(**{f"sum_{name}": expression for name, expression in sums.items()})
        .order_by()
    )


# The columns a recomputation writes, in the order `figures` sums them.
FIGURES = [
    *HISTORY,
    "outstanding",
    "invoice_count",
    "open_count",
    "written_off_stage",
    "written_off_stage_count",
    "disputed_written_off",
    "disputed_written_off_count",
]


def recompute(customer_ids: Iterable[int], history: bool = True) -> None:
    """The customers' rows, summed again from their invoices as they stand now, and
    their open figures grouped again (invoices.open_book); `history=False` when no
    summed figure can have changed (a dispute on an invoice that is not written off).

    Call it in the transaction that changed the invoices. The customers' rows
    are locked first (in one order, so two syncs cannot deadlock), which makes
    a second sync of the same customer wait and then see the first one's rows.
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return
    theirs = Balance.objects.filter(customer__in=ids)
    with transaction.atomic():
        lock(ids)
        if history:
            before = book_sums(theirs)
            theirs.delete()
            insert(figures(Invoice.objects.filter(customer__in=ids)))
        # Last, the rows every sync shares (OpenTotal's, then the book's): they stay
        # locked until the commit.
        open_book.regroup(ids)
        if history:
            add_to_book(book_sums(theirs), before)


def forget(customer_ids: Iterable[int]) -> None:
    """The customers' rows taken out of the book, before the customers are deleted
    (their rows go with them, and the book must not keep their sums)."""
    ids = sorted(set(customer_ids))
    theirs = Balance.objects.filter(customer__in=ids)
    with transaction.atomic():
        lock(ids)
        add_to_book({}, book_sums(theirs))
        theirs.delete()


def lock(ids: list[int]) -> None:
    """The customers' rows locked, in one order (see recompute)."""
    list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def book_sums(rows: models.QuerySet) -> dict[tuple, dict]:
    """`rows`' figures summed per account and currency, as the book keeps them."""
    return sums_by(rows, BOOK_KEYS, FIGURES)


def add_to_book(after: dict[tuple, dict], before: dict[tuple, dict]) -> None:
    """The book's rows moved by what some customers' rows changed (book_sums of them
    after and before)."""
    add_differences(BookBalance, BOOK_KEYS, after, before)


BOOK_KEYS = ("account", "currency")


def rebuild() -> int:
    """Both tables again from every invoice; returns the Balance rows written."""
    with transaction.atomic():
        written = refill(Invoice, Balance)
        total(Balance, BookBalance)
        return written


def refill(invoice_model: type[models.Model], balance_model: type[models.Model]) -> int:
    """The Balance table again from every invoice; returns the rows written.
    (A migration passes its own historical models.)"""
    balance_model._default_manager.all().delete()
    return insert(figures(invoice_model._default_manager.all()), balance_model)


def total(balance_model: type[models.Model], book_model: type[models.Model]) -> int:
    """The BookBalance table again from the Balance rows; returns the rows written.
    (A migration passes its own historical models.)"""
    return sum_again(book_model, BOOK_KEYS, FIGURES, balance_model._default_manager.all())


def insert(rows: models.QuerySet, balance_model: type[models.Model] = Balance) -> int:
    """The figures of `rows` (`figures`) written to the table. (A migration passes its own
    historical model.)"""
    return insert_select(balance_model, ["customer", "account", "currency", *FIGURES], rows)


def recomputed() -> dict[tuple[int, int, str], dict]:
    """What the table should hold, summed from the invoices now: for checking it."""
    return {
        (row["customer"], row["account"], row["currency"]): {
            name.removeprefix("sum_"): cents(value) for name, value in row.items()
        }
        for row in figures(Invoice.objects.all())
    }


def stored() -> dict[tuple[int, int, str], dict]:
    """What the table holds, in the shape of `recomputed`."""
    rows = Balance.objects.values("customer", "account", "currency", *FIGURES)
    return {(row["customer"], row["account"], row["currency"]): row for row in rows}


def book_stored() -> dict[tuple[int, str], dict]:
    """What the book holds, without the rows at zero (for checking it)."""
    return kept(BookBalance, BOOK_KEYS, FIGURES)


def book_recomputed() -> dict[tuple[int, str], dict]:
    """What the book should hold: the customers' rows summed now, in the shape of `book_stored`."""
    return book_sums(Balance.objects.all())
