"""The follow-up list ("Att göra"): whom to chase next, and what was agreed.

ARPortal's own records, never sent to a provider: an owner and a next-action
date per customer, a log of notes, promises to pay, and disputes recorded on
invoices. Every change is written to FollowUpAudit with who, when, and the
value before and after, in the same transaction as the change.

The models live here and are registered in the invoices app (models.py imports
this module), so the cache's models stay readable on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Count, DecimalField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from invoices import balances, formatting, open_book
from invoices.aging import Aging
from invoices.collation import by_name
from invoices.models import Customer, Invoice
from invoices.open_book import DaysOverdue

MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)
# Wide enough for amount × days over a long-neglected book.
WEIGHT: DecimalField = DecimalField(max_digits=24, decimal_places=2)


class FollowUp(models.Model):
    """Who chases a customer, and when they next do something about it."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="followup")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_action = models.DateField(null=True, blank=True)

    class Meta:
        app_label = "invoices"
        permissions = [("edit_followup", _("Can edit the follow-up list"))]
        indexes = [models.Index(fields=["owner", "next_action"], name="followup_owner_next")]

    def __str__(self):
        return f"Follow-up of {self.customer}"


class Note(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "invoices"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} about {self.customer}"


class PromiseQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Promise.State.PENDING)

    def with_current_outstanding(self):
        """Each promise with what its customer owes now in its currency: open invoices
        still at the provider, in one subquery, so any number of promises is one query."""
        owed = (
            Invoice.objects.filter(customer=OuterRef("customer"), currency=OuterRef("currency"), gone_at__isnull=True)
            .exclude(state=Invoice.State.CANCELLED)
            .values("customer")
            .annotate(owed=Sum("outstanding"))
            .values("owed")
        )
        return self.annotate(current=Coalesce(Subquery(owed, output_field=MONEY), Decimal(0), output_field=MONEY))


class Promise(models.Model):
    """A promise to pay (betalningslöfte): `amount` in `currency` by `due`.

    `baseline` is what the customer owed in that currency when it was made; the
    promise is kept once the outstanding balance is at most baseline − amount on or
    before `due`, and broken when `due` has passed without that.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="promises")
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3)
    due = models.DateField()
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # The day the state was decided.
    settled_on = models.DateField(null=True, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        app_label = "invoices"
        ordering = ["-made_at", "-pk"]
        indexes = [models.Index(fields=["state", "due"], name="promise_state_due")]

    def __str__(self):
        return f"{self.amount} {self.currency} by {self.due} from {self.customer}"

    @property
    def target(self) -> Decimal:
        """The balance at or under which the promise is kept."""
        return self.baseline - self.amount


class FollowUpAudit(models.Model):
    """One change to the follow-up records: who, when, what, before and after (as text)."""

    class Action(models.TextChoices):
        OWNER = "owner", _("Owner")
        NEXT_ACTION = "next_action", _("Next action")
        NOTE = "note", _("Note")
        PROMISE = "promise", _("Promise")
        PROMISE_STATE = "promise_state", _("Promise state")
        DISPUTE = "dispute", _("Dispute")

    # Null for what ARPortal decided by itself (a promise kept or broken).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    # Null once the customer's personal data was purged (invoices.retention): the
    # record of who changed what, and when, outlives the person it was about.
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)

    class Meta:
        verbose_name = _("follow up audit")
        verbose_name_plural = _("follow up audits")
        app_label = "invoices"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "-at"], name="followup_audit_customer")]

    def __str__(self):
        return f"{self.get_action_display()} of {self.customer_id} by {self.user_id}: {self.before!r} → {self.after!r}"


# Changes, each with its audit row in one transaction.


def audit(user, customer: Customer, action: str, before: Any, after: Any, invoice: Invoice | None = None) -> None:
    FollowUpAudit.objects.create(
        user=user, customer=customer, invoice=invoice, action=action, before=as_text(before), after=as_text(after)
    )


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "get_username"):
        return value.get_username()
    return str(value)


@transaction.atomic
def set_owner(user, customers: list[Customer], owner) -> int:
    """Gives each customer `owner` (None: unassigned); returns how many changed."""
    changed = 0
    for customer in customers:
        # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
        followup = FollowUp.objects.select_for_update().get_or_create(customer=customer)[0]
        if followup.owner_id == (owner.pk if owner else None):
            continue
        audit(user, customer, FollowUpAudit.Action.OWNER, followup.owner, owner)
        followup.owner = owner
        followup.save(update_fields=["owner"])
        changed += 1
    return changed


@transaction.atomic
def set_next_action(user, customer: Customer, day: date | None) -> bool:
    followup = FollowUp.objects.select_for_update().get_or_create(customer=customer)[0]
    if followup.next_action == day:
        return False
    audit(user, customer, FollowUpAudit.Action.NEXT_ACTION, followup.next_action, day)
    followup.next_action = day
    followup.save(update_fields=["next_action"])
    return True


@transaction.atomic
def add_note(user, customer: Customer, kind: str, text: str) -> Note:
    note = Note.objects.create(customer=customer, kind=kind, text=text, author=user)
    audit(user, customer, FollowUpAudit.Action.NOTE, "", f"{note.get_kind_display()}: {text}")
    return note


def outstanding(customer: Customer, currency: str) -> Decimal:
    """What the customer owes now in `currency`: the same rule as a promise's evaluation."""
    return (
        Invoice.objects.filter(customer=customer, currency=currency, gone_at__isnull=True)
        .exclude(state=Invoice.State.CANCELLED)
        .aggregate(owed=Coalesce(Sum("outstanding"), Decimal(0), output_field=MONEY))["owed"]
    )


@transaction.atomic
def add_promise(user, customer: Customer, amount: Decimal, currency: str, due: date) -> Promise:
    promise = Promise.objects.create(
        customer=customer,
        amount=amount,
        currency=currency,
        due=due,
        baseline=outstanding(customer, currency),
        made_by=user,
    )
    audit(user, customer, FollowUpAudit.Action.PROMISE, "", f"{amount} {currency} by {due.isoformat()}")
    return promise


@transaction.atomic
def set_dispute(user, invoice: Invoice, reason: str) -> bool:
    """Records (or with a blank reason, clears) a dispute on the invoice; True when it changed."""
    invoice = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
    reason = reason.strip()
    if invoice.dispute_reason == reason:
        return False
    audit(user, invoice.customer, FollowUpAudit.Action.DISPUTE, invoice.dispute_reason, reason, invoice=invoice)
    invoice.dispute_reason = reason
    invoice.disputed_at, invoice.disputed_by = (timezone.now(), user) if reason else (None, None)
    invoice.save(update_fields=["dispute_reason", "disputed_at", "disputed_by"])
    # A dispute takes the invoice off the list and moves it to Disputed; the history's
    # sums change only when it was written off (its money moves between stages).
    balances.recompute([invoice.customer_id], history=invoice.stage == Invoice.Stage.WRITTEN_OFF)
    return True


# Promises kept and broken.
#
# Evaluated in one pass over the pending promises (one query, however many there
# are) at two moments: right after a refresh writes a customer's invoices, the only
# time a balance changes, so a payment is judged against the date on the day it
# became known; and when a page that shows promises is read, which is when a date
# passing matters to anyone. Results are stored, so the list filters and counts on
# them in SQL and the audit says when each promise was decided. A payment a provider
# reports only after the date breaks the promise: ARPortal cannot tell it was on time.


def settle_promises(customer_ids: list[int] | None = None, today: date | None = None) -> list[Promise]:
    """Marks pending promises kept or broken. Returns the promises still pending and
    those broken lately (BROKEN_SHOWN_FOR), as they stand now: what the pages count."""
    today = today or timezone.localdate()
    lately = Q(state=Promise.State.PENDING) | Q(state=Promise.State.BROKEN, settled_on__gte=today - BROKEN_SHOWN_FOR)
    promises = Promise.objects.filter(lately)
    if customer_ids is not None:
        promises = promises.filter(customer__in=customer_ids)
    return settle(promises, today)


def settle(promises: QuerySet[Promise], today: date) -> list[Promise]:
    """`promises` read in one query, the pending ones among them decided; the writes
    (and their audit rows) happen only when something was decided."""
    found = list(promises.with_current_outstanding().select_related("customer"))  # type: ignore[attr-defined]
    decided: dict[str, list[Promise]] = {Promise.State.KEPT: [], Promise.State.BROKEN: []}
    for promise in found:
        if promise.state != Promise.State.PENDING:
            continue
        if promise.current <= promise.target:
            decided[Promise.State.KEPT].append(promise)
        elif promise.due < today:
            decided[Promise.State.BROKEN].append(promise)
    if not any(decided.values()):
        return found
    with transaction.atomic():
        for state, these in decided.items():
            pks = [p.pk for p in these]
            if not pks or not Promise.objects.filter(pk__in=pks, state=Promise.State.PENDING).update(
                state=state, settled_on=today
            ):
                continue
            for promise in these:
                promise.state, promise.settled_on = state, today
            FollowUpAudit.objects.bulk_create(
                FollowUpAudit(
                    customer=p.customer,
                    action=FollowUpAudit.Action.PROMISE_STATE,
                    before=f"{p.amount} {p.currency} by {p.due.isoformat()}: pending",
                    after=Promise.State(state).label.lower(),
                )
                for p in these
            )
    return found


# The list.

# The home page counts promises falling due this soon; a broken promise is
# flagged on the list (and counted on the home page) for this long.
PROMISES_DUE_WITHIN = timedelta(days=7)
BROKEN_SHOWN_FOR = timedelta(days=30)


def overdue_invoices(today: date) -> QuerySet[Invoice]:
    """What is there to chase: owed, past its due date, on the books (still at the
    provider, issued by `today`), not disputed."""
    return (
        Invoice.objects.filter(outstanding__gt=0, due_date__lt=today, gone_at__isnull=True, dispute_reason="")
        .filter(Q(issue_date__isnull=True) | Q(issue_date__lte=today))
        .exclude(outstanding=0)  # says the open-book index applies, which SQLite cannot infer from > 0
        .exclude(state=Invoice.State.CANCELLED)
        .exclude(stage=Invoice.Stage.DISPUTED)
    )


def rows(invoices: QuerySet[Invoice], today: date):
    """One row per customer and currency with overdue money, and its priority:
    the sum over those invoices of outstanding × days overdue. Grouped and ordered
    in the database; amounts of different currencies are never added together."""
    return (
        invoices.values("customer", "currency")
        .annotate(
            # Grouped by ids alone: what belongs to the customer is the same on each of
            # their rows, and grouping the book by those texts cost more than the sums.
            **{
                name: Max(name)
                for name in (
                    "customer__name",
                    "customer__followup__owner",
                    "customer__followup__owner__username",
                    "customer__followup__next_action",
                )
            },
            overdue=Sum("outstanding"),
            invoice_count=Count("pk"),
            oldest_days=Max(DaysOverdue(today)),
            priority=Sum(F("outstanding") * DaysOverdue(today), output_field=WEIGHT),
        )
        .order_by("currency", "-priority", by_name("customer__name"), "customer")
    )


def list_rows(filters, user, today: date) -> QuerySet | open_book.Counted:
    """The list's rows for `filters` (a FollowUpFilterForm): read from the open book's
    rows (invoices.open_book) where they answer the filters, else grouped from the
    invoices, which a stage or a provider needs."""
    grouped = None if filters.value("stage") or filters.value("provider") else open_book.current(Aging(as_of=today))
    chased = filters.apply(overdue_invoices(today) if grouped is None else grouped.chasing(), user)
    if not filters.value("promised"):
        chased = chased.exclude(promised())
    if grouped is None:
        return rows(chased, today)
    return open_book.Counted(chased.chased(today), chased)


def with_promises(rows: Iterable[dict], today: date) -> list[dict]:
    """The rows of one page, each with `promise_due` (its pending promise's date) and
    `broken` (a promise broken lately): read for the page's customers in one query, not
    once per overdue invoice of the book while grouping."""
    rows = list(rows)
    promises = (
        Promise.objects.filter(customer__in={row["customer"] for row in rows})
        .filter(
            Q(state=Promise.State.PENDING) | Q(state=Promise.State.BROKEN, settled_on__gte=today - BROKEN_SHOWN_FOR)
        )
        .order_by("due")
    )
    pending: dict[tuple[int, str], date] = {}
    broken: set[tuple[int, str]] = set()
    for promise in promises:
        key = (promise.customer_id, promise.currency)
        if promise.state == Promise.State.BROKEN:
            broken.add(key)
        else:
            pending.setdefault(key, promise.due)
    for row in rows:
        key = (row["customer"], row["currency"])
        row["promise_due"], row["broken"] = pending.get(key), key in broken
    return rows


def promised(currency_field: str = "currency") -> Exists:
    """A pending promise of the row's customer in the row's currency: they are not chased."""
    return Exists(Promise.objects.pending().filter(customer=OuterRef("customer"), currency=OuterRef(currency_field)))


@dataclass
class Figures:
    """The home page's follow-up figures."""

    on_list: int
    mine: int
    promises_due: int
    broken: int


def figures(user, today: date | None = None, grouped: open_book.OpenBalanceQuerySet | None = None) -> Figures:
    """Two or three queries: the promises (settled on the way), the open book's day, and the list's customers."""
    today = today or timezone.localdate()
    promises = settle_promises(today=today)
    if grouped is None:
        grouped = open_book.current(Aging(as_of=today))
    listed = overdue_invoices(today) if grouped is None else grouped.chasing()
    if any(p.state == Promise.State.PENDING for p in promises):
        # (Only then: over an empty table PostgreSQL still looks once per listed row.)
        listed = listed.exclude(promised())
    # The user's customers by id: no join through every listed customer to their follow-up.
    theirs = Q(customer__in=FollowUp.objects.filter(owner=user).values("customer"))
    customers = listed.aggregate(
        on_list=Count("customer", distinct=True),
        mine=Count("customer", distinct=True, filter=theirs),
    )
    return Figures(
        on_list=customers["on_list"],
        mine=customers["mine"],
        promises_due=sum(p.state == Promise.State.PENDING and p.due <= today + PROMISES_DUE_WITHIN for p in promises),
        broken=sum(p.state == Promise.State.BROKEN for p in promises),
    )


# The customer page's panel.

NOTES_SHOWN = 20
# The dispute form offers the invoices due first; a list of thousands is no choice.
DISPUTABLE_SHOWN = 100
HISTORY_SHOWN = 20


@dataclass
class Panel:
    followup: FollowUp | None
    notes: list[Note]
    promises: list[Promise]
    disputed: list[Invoice]
    # Invoices that can be disputed: owed, still at the provider, not disputed yet;
    # the DISPUTABLE_SHOWN due first, and whether there are more.
    disputable: list[Invoice]
    more_disputable: bool
    history: list[FollowUpAudit]
    note_kinds = Note.Kind.choices

    @property
    def dispute_options(self) -> list[tuple[int, str]]:
        """(invoice, label) of the dispute form's options: a hundred labels formatted here
        cost a tenth of what the template's tags and filters did."""
        options = []
        # The wording and the date format, looked up once rather than per option.
        due, day_format = gettext("due %(day)s"), get_format("SHORT_DATE_FORMAT")
        for invoice in self.disputable:
            label = f"{invoice.number} · {formatting.money(invoice.outstanding)} {invoice.currency}"
            if invoice.due_date:
                label += " · " + due % {"day": dateformat.format(invoice.due_date, day_format)}
            options.append((invoice.pk, label))
        return options

    @property
    def disputed_totals(self) -> list[tuple[str, Decimal, int]]:
        """(currency, outstanding, invoices) of the disputed ones; currencies never mix."""
        totals: dict[str, tuple[Decimal, int]] = {}
        for invoice in self.disputed:
            owed, count = totals.get(invoice.currency, (Decimal(0), 0))
            totals[invoice.currency] = (owed + invoice.outstanding, count + 1)
        return [(currency, owed, count) for currency, (owed, count) in sorted(totals.items())]

    @property
    def currencies(self) -> list[str]:
        """What a promise can be in: the currencies the customer owes in."""
        return sorted({invoice.currency for invoice in self.disputable + self.disputed})


def panel(customer: Customer, today: date | None = None) -> Panel:
    """Everything the follow-up panel shows, in five queries (six without the customer's
    follow-up selected with it), whatever the number of notes, promises or invoices."""
    today = today or timezone.localdate()
    try:
        record: FollowUp | None = customer.followup
    except FollowUp.DoesNotExist:
        record = None
    # A big customer owes on thousands of invoices: the disputed ones are read in full,
    # the others only as far as the dispute form offers them (and their JSON not at all).
    owed = (
        customer.invoices.filter(gone_at__isnull=True, outstanding__gt=0)
        .exclude(state=Invoice.State.CANCELLED)
        .select_related("account", "disputed_by")
        .defer("raw", "detail")
        .order_by("due_date", "pk")
    )
    # The dispute form's options show only these; a whole row (with its account, and
    # the account's secret decrypted) for each of a hundred options was most of the panel.
    offered = owed.filter(dispute_reason="").select_related(None)
    offered = offered.only("customer", "number", "outstanding", "currency", "due_date")
    disputable = list(offered[: DISPUTABLE_SHOWN + 1])
    return Panel(
        followup=record,
        notes=list(customer.notes.select_related("author")[:NOTES_SHOWN]),
        promises=sorted(
            settle(customer.promises.select_related("made_by"), today), key=lambda p: (p.made_at, p.pk), reverse=True
        ),
        disputed=list(owed.exclude(dispute_reason="")),
        disputable=disputable[:DISPUTABLE_SHOWN],
        more_disputable=len(disputable) > DISPUTABLE_SHOWN,
        history=list(FollowUpAudit.objects.filter(customer=customer).select_related("user", "invoice")[:HISTORY_SHOWN]),
    )
