"""The local cache of what the providers know.

Provider data is copied here and the pages render from the database only, so
a provider outage never empties a page: rows are upserted, never deleted.
"""

import copy
import hashlib
import hmac
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import Aggregate, Case, Count, F, Max, Min, OuterRef, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Abs, Coalesce, Collate, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoices import identity, providers
from invoices.atrest import PayloadField, StrictEncryptedCharField, StrictEncryptedTextField, number_index
from invoices.collation import COLLATION, by_name
from invoices.folding import fold
from invoices.providers.base import CredentialsRejected, ProviderError, web_url

Choices = Iterable[tuple[str, Any]]


def display(field: str, choices: Choices | Callable[[], Choices]) -> Callable[[models.Model], Any]:
    """A get_FOO_display that looks the label up in a dict built once, on first use.
    Django's own builds the dict on every call (40 µs for an invoice's state), and
    the invoice lists call three of them on every row. An unknown value is shown as it is."""
    labels: dict[str, Any] = {}

    def get_display(self: models.Model) -> Any:
        if not labels:
            labels.update(choices() if callable(choices) else choices)
        value = getattr(self, field)
        return labels.get(value, value)

    return get_display


class RawJSONEncoder(DjangoJSONEncoder):
    """Provider replies keep their numbers as JSON numbers in the raw copy.

    Clients parse money as Decimal; the raw copy is for reading, and JSON
    numbers with up to 15 significant digits survive the round trip exactly.
    """

    def default(self, o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)

    def encode(self, o):
        # PostgreSQL's jsonb refuses the NUL character; it carries nothing for us.
        return super().encode(o).replace("\\u0000", "")


class ProviderAccountQuerySet(models.QuerySet):
    def with_freshness(self):
        """Each account with when it last refreshed a customer.

        A subquery, not a join with Max(): grouped by account, the join would make
        every other annotation (the home page's counts) run once per link row.
        """
        newest = CustomerLink.objects.filter(account=OuterRef("pk"), fetched_at__isnull=False).order_by("-fetched_at")
        return self.annotate(last_refreshed=Subquery(newest.values("fetched_at")[:1])).order_by("name")


class ProviderAccount(models.Model):
    class IdentityField(models.TextChoices):
        REFERENCE = "reference", "reference"
        REFERENCE1 = "customerReference.reference1", "customerReference.reference1"

    name = models.CharField(_("name"), max_length=100, unique=True)
    # Read from the provider registry, so a new provider needs no migration.
    kind = models.CharField(_("provider"), max_length=20, choices=providers.choices)
    get_kind_display = display("kind", providers.choices)
    base_url = models.URLField(_("base URL"), help_text=_("The provider's root URL, e.g. https://api.qvickly.io/"))
    merchant_id = models.CharField(_("merchant id"), max_length=50, blank=True, help_text=_("Qvickly EID"))
    # Ciphertext in the database; the admin never shows it again once saved.
    secret = StrictEncryptedTextField(_("secret"), help_text=_("Qvickly secret or Fusebill API key"))
    test_mode = models.BooleanField(
        _("test mode"), default=False, help_text=_("Qvickly: call the account in test mode")
    )
    LANGUAGES = ("sv", "en")
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("sv", _("Swedish")), ("en", _("English"))],
        default="sv",
        help_text=_("Qvickly: the language of the provider's error messages"),
    )
    cache_ttl = models.PositiveIntegerField(
        _("cache lifetime"),
        null=True,
        blank=True,
        help_text=_("Seconds cached invoices stay fresh; blank for the site default"),
    )
    active = models.BooleanField(_("active"), default=True)
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        validators=[MinValueValidator(2)],
        blank=True,
        help_text=_(
            "The most requests the provider allows this account per minute, shared by every worker; "
            "blank for the provider's usual limit"
        ),
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="SEK", help_text=_("Used for replies that carry no currency")
    )
    identity_field = models.CharField(
        _("identity field"),
        max_length=40,
        choices=IdentityField.choices,
        default=IdentityField.REFERENCE,
        help_text=_("Fusebill customer field that holds the personal or organisation number"),
    )
    # Qvickly's getDuePayments as last read: invoice number -> Due or Collection. The
    # listings of a customer never say which, and the list is merchant-wide, so one
    # read per cache TTL serves every refresh, on every worker.
    due_payments = models.JSONField(default=dict, blank=True, editable=False)
    due_payments_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ProviderAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider account")
        verbose_name_plural = _("provider accounts")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def ttl(self):
        return timedelta(seconds=settings.PROVIDER_CACHE_TTL if self.cache_ttl is None else self.cache_ttl)

    @property
    def provider(self) -> providers.Provider:
        try:
            return providers.provider(self.kind)
        except KeyError:
            raise ImproperlyConfigured(
                f"Provider account {self.name!r} is of kind {self.kind!r}, which no module in "
                "invoices/providers/ offers: restore that module or change the account's kind."
            ) from None

    def client(self, language: str | None = None) -> providers.ProviderClient:
        """The provider's client; `language` asks for its messages in that language
        (Qvickly's `language`) instead of the account's, for staff waiting on a page."""
        # Checked here too: an account saved before the rule, or by other means.
        if not self.url_is_allowed():
            message = str(_("is set up with a URL that is not https: correct it in the admin"))
            raise ProviderError(self.provider.label, message)
        account = self
        if language in self.LANGUAGES and language != self.language:
            account = copy.copy(self)
            account.language = language
        return self.provider.client(account)

    def url_is_allowed(self) -> bool:
        """Secrets travel with every call: plain HTTP only to the sandbox or while developing."""
        return self.base_url.lower().startswith("https://") or settings.DEBUG or settings.SANDBOX_ENABLED

    @property
    def request_limit(self) -> int | None:
        """Requests per minute allowed to this account; None when the provider sets no limit."""
        return self.provider.requests_per_minute if self.requests_per_minute is None else self.requests_per_minute

    def take_request(self) -> None:
        """Called by the provider session before every request: waits for the account's budget."""
        from invoices import budget  # budget reads this module's models

        budget.take(self)

    def remember_due_payments(self, read: Callable[[], Mapping[str, str]], fresh: bool = False) -> Mapping[str, str]:
        """The collection states `read` gives, read at most once per cache TTL unless
        `fresh`. A failed read that is not `fresh` keeps the last states known: an
        invoice then stands where it stood, rather than the refresh failing."""
        stored = ProviderAccount.objects.filter(pk=self.pk).values("due_payments", "due_payments_at").first() or {}
        read_at = stored.get("due_payments_at")
        if not fresh and read_at is not None and timezone.now() - read_at <= self.ttl:
            return stored["due_payments"]
        try:
            states = dict(read())
        except CredentialsRejected:
            raise
        except ProviderError:
            if fresh:
                raise
            return stored.get("due_payments") or {}
        # Only these two columns: the admin may be saving the account's other fields.
        ProviderAccount.objects.filter(pk=self.pk).update(due_payments=states, due_payments_at=timezone.now())
        return states

    @staticmethod
    def secret_is_well_formed(secret: str) -> bool:
        """Printable ASCII without spaces: what both providers issue. A line break
        or other control character pasted with it would travel in a header
        (Fusebill's Authorization) or be signed into every Qvickly call."""
        return all("!" <= char <= "~" for char in secret)

    def clean(self) -> None:
        if self.secret and not self.secret_is_well_formed(self.secret):
            raise ValidationError(
                {
                    "secret": _(
                        "A secret is printable ASCII only, without spaces, line breaks or other control "
                        "characters: paste it again exactly as the provider issued it."
                    )
                }
            )
        if not self.url_is_allowed():
            raise ValidationError({"base_url": _("The provider's URL must start with https://.")})
        if self.kind not in providers.registry():
            return  # the field's own choices validation says so
        missing = [name for name in self.provider.required_fields if not getattr(self, name)]
        if missing:
            message = _("A %(provider)s account needs this.") % {"provider": self.get_kind_display()}
            raise ValidationError(dict.fromkeys(missing, message))


class CustomerQuerySet(models.QuerySet):
    def with_active_accounts(self):
        """Each customer with how many provider accounts are active (sync.customer_links)."""
        active = ProviderAccount.objects.filter(active=True).order_by().values("active").annotate(n=Count("*"))
        return self.annotate(active_accounts=Coalesce(Subquery(active.values("n")), 0))

    def refreshing(self):
        """Customers whose refresh is queued or running: the lock is held and not expired."""
        return self.exclude(refresh_token="").filter(refresh_claimed_at__gte=Customer.lock_expired_before())

    def matching_text(self, text):
        """Cached customers whose name (accents and case aside), e-mail or provider
        customer number match."""
        folded = fold(text)
        by_name = Q(name_folded__contains=folded) if folded.strip() else Q(pk__in=[])
        return self.filter(by_name | Q(email__iexact=text) | Q(links__provider_customer_id=text)).distinct()

    # Numbers are encrypted: every lookup by number goes through the blind index here.
    def with_number(self, number: str) -> "CustomerQuerySet":
        """The customer holding this canonical number (none or one: the index is unique)."""
        return self.filter(identity_index=number_index(number))

    def with_numbers(self, numbers: Iterable[str]) -> "CustomerQuerySet":
        return self.filter(identity_index__in=[number_index(number) for number in numbers])

    def get_or_create_for_number(self, number: str) -> "tuple[Customer, bool]":
        return self.get_or_create(identity_index=number_index(number), defaults={"identity_number": number})

    def identified(self, known: bool = True) -> "CustomerQuerySet":
        """Customers whose number is known (or, with known=False, not yet)."""
        return self.filter(identity_index__isnull=not known)


class Customer(models.Model):
    """A person or company, the same one across every provider account."""

    # Canonical form from invoices.identity: YYYYMMDDNNNN or NNNNNNNNNN, encrypted;
    # found by its blind index (invoices.atrest), kept in step by save().
    identity_number = StrictEncryptedCharField(
        _("personal or organisation number"), max_length=12, null=True, blank=True
    )
    # NULL, not "", for customers without a number: unique allows any number of NULLs.
    identity_index = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    name = models.CharField(_("name"), max_length=200, blank=True)
    # The name folded for search (invoices.folding), kept in step by save(): the
    # index serves prefix matches on both databases (PostgreSQL gets a pattern index).
    name_folded = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    # How Fusebill rates the customer's account, in its words: Good, PoorStanding
    # (an invoice is overdue) or Collection (staff there sent it to collections).
    account_status = models.CharField(_("account status"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The refresh lock: who holds it (a random token, blank when nobody) and since
    # when. Taken with one conditional UPDATE, so it holds across workers and
    # machines on any database; a refresh queued or running is joined, not repeated.
    refresh_token = models.CharField(max_length=32, blank=True, default="")
    refresh_claimed_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        # Swedish alphabetical order (invoices/collation.py), the admin's list included.
        ordering = [Collate("name", COLLATION).asc(), "pk"]
        permissions = [
            ("reveal_identity", _("Can reveal a full personal number")),
            ("export_data_subject", _("Can export everything held about a person")),
        ]

    def __str__(self):
        return self.name or str(_("Customer %(pk)s") % {"pk": self.pk})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold(self.name)
        self.identity_index = number_index(self.identity_number) if self.identity_number else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = update_fields = {*update_fields, "name_folded"}
        if update_fields is not None and "identity_number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "identity_index"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("customer", args=[self.pk])

    # Fusebill's documented account statuses, in the reader's language; any other
    # word it sends is shown as it came (the template marks it as the provider's).
    ACCOUNT_STATUSES = {
        "Good": _("in good standing"),
        "PoorStanding": _("in poor standing"),
        "Collection": _("in collection"),
    }

    @property
    def account_status_label(self) -> str:
        """How the provider rates the account, in words the reader knows, if it says."""
        return str(self.ACCOUNT_STATUSES.get(self.account_status, ""))

    @property
    def is_person(self) -> bool:
        number = self.identity_number
        return bool(number) and not identity.is_company(number or "")

    @property
    def masked_identity(self):
        return identity.mask(self.identity_number) if self.identity_number else ""

    @staticmethod
    def lock_expired_before() -> datetime:
        return timezone.now() - timedelta(seconds=settings.REFRESH_LOCK_TIMEOUT)

    @property
    def is_refreshing(self) -> bool:
        """A refresh is queued or running (and its lock has not expired)."""
        claimed = self.refresh_claimed_at
        return bool(self.refresh_token) and claimed is not None and claimed > self.lock_expired_before()

    def claim_refresh(self) -> str | None:
        """Takes the refresh lock: its token, or None when another refresh holds it.

        A lock older than REFRESH_LOCK_TIMEOUT belonged to a worker that died;
        it is taken over (that worker, should it wake, fails renew_refresh).
        """
        token = uuid.uuid4().hex
        free = (
            Q(refresh_token="")
            | Q(refresh_claimed_at__isnull=True)
            | Q(refresh_claimed_at__lt=self.lock_expired_before())
        )
        taken = Customer.objects.filter(free, pk=self.pk).update(refresh_token=token, refresh_claimed_at=timezone.now())
        return token if taken else None

    def renew_refresh(self, token: str) -> bool:
        """Still holding the lock? Renews it if so: a refresh calls it when it starts and
        again in the transaction that writes, so a refresh whose lock was taken over
        writes nothing."""
        return bool(Customer.objects.filter(pk=self.pk, refresh_token=token).update(refresh_claimed_at=timezone.now()))

    def release_refresh(self, token: str) -> None:
        Customer.objects.filter(pk=self.pk, refresh_token=token).update(refresh_token="", refresh_claimed_at=None)


class CustomerLink(models.Model):
    """Where one provider account knows the customer, and how fresh our copy is."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="links")
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="links")
    provider_customer_id = models.CharField(max_length=64, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    # The last failed refresh, kept until a refresh succeeds, so the page can
    # say why what it shows may be stale.
    error = models.CharField(max_length=500, blank=True)
    # The same error as data (ProviderError.as_data): our words in it are translated when
    # shown, into the reader's language, not the language of the refresh that failed.
    error_data = models.JSONField(null=True, blank=True)
    error_at = models.DateTimeField(null=True, blank=True)
    # The provider refused the account's credentials: retrying will not help.
    credentials_rejected = models.BooleanField(default=False)
    # What the provider itself said about that failure, verbatim, and in which language.
    error_said = models.CharField(max_length=300, blank=True)
    error_said_language = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "account"], name="one_link_per_account"),
        ]
        indexes = [
            # The home page's coverage: each account's newest refresh, and the customers it knows.
            models.Index(fields=["account", "fetched_at"], name="link_account_fetched"),
            models.Index(fields=["account"], condition=~Q(provider_customer_id=""), name="link_known"),
        ]

    # After a failure the page shows the cache instead of asking again at once:
    # a provider that is down would otherwise be hit on every page view.
    RETRY_AFTER = timedelta(minutes=1)

    def __str__(self):
        return f"{self.customer} at {self.account.name}"

    def is_stale(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.error_at and now - self.error_at < self.RETRY_AFTER:
            return False
        if self.fetched_at is None:
            return True
        return now - self.fetched_at > self.account.ttl


class RequestBudget(models.Model):
    """A provider account's request budget, a token bucket shared by every worker
    (invoices/budget.py takes from it). Times are seconds since the epoch."""

    account = models.OneToOneField(ProviderAccount, on_delete=models.CASCADE, primary_key=True, related_name="+")
    tokens = models.FloatField()
    refilled_at = models.FloatField()

    def __str__(self):
        return f"{self.tokens:.1f} requests left at {self.account_id}"


class InvoiceQuerySet(models.QuerySet):
    # Columns staff may sort the invoice list by, as ?sort=name or ?sort=-name.
    SORTABLE = {
        "number": "number",
        "provider": "account__name",
        "kind": "kind",
        "state": "state",
        "issued": "issue_date",
        "due": "due_date",
        "total": "total",
        "outstanding": "outstanding",
        "currency": "currency",
    }
    AMOUNTS = ("total", "outstanding")
    # totals reads the few invoices it adds to the summaries by their ids, passed as a
    # list up to this many (past it, as a subquery: a list has a limit in SQLite).
    FEW_LISTED = 500

    def sorted_by(self, key):
        """Sort by a whitelisted column; unknown keys fall back to newest first."""
        field = self.SORTABLE.get(key.lstrip("-"))
        if field is None:
            return self.order_by("-issue_date", "-pk")
        prefix = "-" if key.startswith("-") else ""
        # Amounts in different currencies do not compare: sorted by one, the invoices are
        # ranked within each currency, as the aging report's rows are.
        currency = ["currency"] if field in self.AMOUNTS else []
        return self.order_by(*currency, f"{prefix}{field}", "-pk")

    def with_stage(self, today: date | None = None):
        """Each invoice with `stage_now`, its stage as staff see it on `today`
        (Invoice.current_stage), and `stage_rank`, that stage's place in the order."""
        today = today or timezone.localdate()
        return self.annotate(stage_now=stage_expression(today), stage_rank=stage_expression(today, rank=True))

    def in_stage(self, stage: str, today: date | None = None):
        """Invoices whose current stage (Invoice.current_stage) is `stage`."""
        return self.with_stage(today).filter(stage_now=stage)

    def overdue(self, today: date | None = None):
        """What is past due and still owed, at every provider: the overdue list."""
        return (
            self.filter(gone_at__isnull=True, outstanding__gt=0)
            .exclude(outstanding=0)  # says the open-book index applies, which SQLite cannot infer from > 0
            .with_stage(today)
            .filter(stage_now__in=OVERDUE_STAGES)
        )

    def stage_totals(self, today: date | None = None, summary=None) -> list[dict]:
        """Per currency and stage: the money there (what is owed; for written-off
        invoices, what was written off) and how many invoices hold it. What is open
        without a stage (credits owed back, mostly) is under the stage "".

        Only what is owed and what was written off can stand in a stage, so the paid
        history is never read: owed invoices come through the open-balance index;
        written-off ones, which lie among the history, are summed in `summary` (the
        Balance rows of the same invoices) or, without one, read through the stage
        index. One query (a UNION ALL); the few keys both parts hold are added up here.
        (OpenBalanceQuerySet.stage_totals answers the same from the open book's rows.)
        """
        money = Case(
            When(stage_now=Invoice.Stage.WRITTEN_OFF, then=F("written_off")),
            default=F("outstanding"),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        )
        base = self.filter(gone_at__isnull=True).exclude(state=Invoice.State.CANCELLED)
        # What is owed on the books: an invoice registered ahead of today is not yet.
        on_books = Q(issue_date__isnull=True) | Q(issue_date__lte=today or timezone.localdate())
        parts = [
            base.filter(~Q(outstanding=0)).filter(on_books).exclude(stage=Invoice.Stage.WRITTEN_OFF),
        ]
        if summary is None:
            parts.append(base.filter(stage=Invoice.Stage.WRITTEN_OFF))
        grouped = [
            part.with_stage(today)
            .values("currency", "stage_now")
            .annotate(amount=Sum(money, default=0), count=Count("pk"))
            .order_by()
            for part in parts
        ]
        if summary is not None:
            Stage = Invoice.Stage
            for stage, amount, count in [
                (Stage.WRITTEN_OFF, "written_off_stage", "written_off_stage_count"),
                (Stage.DISPUTED, "disputed_written_off", "disputed_written_off_count"),
            ]:
                grouped.append(
                    summary.filter(**{f"{count}__gt": 0})
                    .values("currency")
                    .annotate(stage_now=Value(stage), amount=Sum(amount, default=0), count=Sum(count, default=0))
                    .order_by()
                )
        rows: dict[tuple[str, str], dict] = {}
        for row in grouped[0].union(*grouped[1:], all=True):
            key = (row["currency"], row["stage_now"])
            if key in rows:
                rows[key]["amount"] += row["amount"]
                rows[key]["count"] += row["count"]
            else:
                rows[key] = dict(row)
        return [rows[key] for key in sorted(rows)]

    def currencies(self):
        return list(self.order_by("currency").values_list("currency", flat=True).distinct())

    def unsettled(self):
        """Open: something still owed or owed back, at the provider, not cancelled."""
        return self.exclude(outstanding=0).exclude(state=Invoice.State.CANCELLED).filter(gone_at__isnull=True)

    def past_due(self, day):
        """The same rule as Invoice.is_overdue: something owed, past its due date on `day`."""
        return self.unsettled().filter(outstanding__gt=0, due_date__lt=day)

    def as_of(self, day):
        """What was on the books on `day`: issued by then, not cancelled, still at the
        provider, each with `balance`, its outstanding amount then (the whole total if
        it was paid later)."""
        return (
            self.exclude(state=Invoice.State.CANCELLED)
            # Invoices that left the provider count until the day they were found gone.
            .filter(Q(gone_at__isnull=True) | Q(gone_at__date__gt=day))
            .filter(Q(issue_date__isnull=True) | Q(issue_date__lte=day))
            .annotate(balance=self.balance_on(day))
        )

    @staticmethod
    def balance_on(day):
        """What an invoice owed on `day`: the whole total if it was paid later."""
        return Case(
            When(paid_date__gt=day, then=F("total")),
            default=F("outstanding"),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        )

    def totals(self, aging, summary=None, open_rows=None):
        """Per currency: invoiced, credited, written off, outstanding, overdue and
        the aging buckets, all summed in the database. Currencies never mix.

        With `summary`, the Balance (or BookBalance) rows of the same invoices (the
        same account and currency filters), today's figures read the history's sums
        from it and only the open invoices here: the cost follows what is open, not
        what was ever invoiced. With `open_rows` too, the OpenBalance rows of the same invoices,
        the open invoices are read as grouped per customer (invoices.open_book).
        Any other date, or no summary, scans the history (`scanned_totals`).
        """
        day = aging.as_of
        if summary is None or day != timezone.localdate():
            return self.scanned_totals(aging)
        # Invoices registered ahead of their date are in the summary but not yet on
        # the books: they are subtracted, read with the open ones (both are few).
        ahead = Q(issue_date__gt=day)
        owed = ~ahead & ~Q(balance=0)
        overdue = ~ahead & Q(balance__gt=0, due_date__lt=day)
        decimal: models.DecimalField = models.DecimalField(max_digits=16, decimal_places=2)
        known = summary.by_currency().annotate(
            on_books=Sum("invoice_count", default=0),
            owed=Value(0, output_field=decimal),
            overdue=Value(0, output_field=decimal),
            open_count=Value(0),
            oldest_overdue=Value(None, output_field=models.DateField()),
            **{b.key: Value(0, output_field=decimal) for b in aging.buckets},
        )
        sums = {
            **{name: -aggregate for name, aggregate in history_sums(ahead).items()},
            "on_books": -Count("pk", filter=ahead),
            "owed": Sum("balance", filter=owed, default=0),
            "overdue": Sum("balance", filter=overdue, default=0),
            "open_count": Count("pk", filter=owed),
            "oldest_overdue": Min("due_date", filter=overdue),
            **{b.key: Sum("balance", filter=~ahead & b.condition, default=0) for b in aging.buckets},
        }
        books = self.exclude(state=Invoice.State.CANCELLED).filter(gone_at__isnull=True)
        # The few invoices that are not open but count today: paid after it, or issued
        # ahead of it. Their ids are read first, from two index searches apart (the two
        # conditions joined by OR made SQLite scan the history, and PostgreSQL matched
        # a customer's every invoice against a list of ids left as a subquery). A
        # customer usually has none, and then the part that sums them, the biggest query
        # here to build, is not built at all.
        paid_later = books.filter(outstanding=0, paid_date__gt=day).values("pk").order_by()
        if open_rows is None:
            # Apart, so that each reads through its own index: the open invoices (from
            # the index alone on PostgreSQL), and the few.
            ids = paid_later.union(books.filter(ahead, outstanding=0).values("pk").order_by())
            parts = [books.filter(~Q(outstanding=0))]
        else:
            # The open invoices on the books are in the rows; those registered ahead of
            # today, which the rows leave out, are read with the other few.
            ids = paid_later.union(books.filter(ahead).values("pk").order_by())
            parts = []
            known = known.union(open_rows.by_currency(aging), all=True)
        few = [row["pk"] for row in ids[: self.FEW_LISTED + 1]]
        if len(few) > self.FEW_LISTED:
            parts.append(books.filter(pk__in=ids))
        elif few:
            parts.append(books.filter(pk__in=few))
        recent = [
            part.annotate(balance=self.balance_on(day)).values("currency").annotate(**sums).order_by() for part in parts
        ]
        merged: dict[str, dict] = {}
        for row in known.union(*recent, all=True):
            into = merged.setdefault(row["currency"], {"currency": row["currency"], "oldest_overdue": None})
            dates = [d for d in (into["oldest_overdue"], row.pop("oldest_overdue")) if d is not None]
            into["oldest_overdue"] = min(dates, default=None)
            for name, value in row.items():
                if name != "currency":
                    into[name] = into.get(name, 0) + value
        # A currency whose only invoices are registered ahead of today is not on the books yet.
        return [Totals(row, aging) for _, row in sorted(merged.items()) if row.pop("on_books")]

    def scanned_totals(self, aging):
        """`totals` on any date, summed over every invoice: the history included."""
        overdue = Q(balance__gt=0, due_date__lt=aging.as_of)
        rows = (
            self.as_of(aging.as_of)
            .values("currency")
            .annotate(
                **history_sums(),
                owed=Sum("balance", default=0),
                overdue=Sum("balance", filter=overdue, default=0),
                open_count=Count("pk", filter=~Q(balance=0)),
                oldest_overdue=Min("due_date", filter=overdue),
                **aging.sums("balance"),
            )
            .order_by("currency")
        )
        return [Totals(row, aging) for row in rows]

    def with_balance(self, day):
        """What was on the books on `day` and still owed (or owed back) then.

        Rows with nothing outstanding add nothing to any sum; leaving them out
        lets the per-customer groupings read only the open part of the book. From
        today on that is the open invoices alone (a payment is dated no later than
        the day it was fetched), which the open-book index answers by itself.
        """
        if day >= timezone.localdate():
            return self.as_of(day).exclude(outstanding=0)
        return self.as_of(day).filter(Q(paid_date__gt=day) | ~Q(outstanding=0))

    def aging_by_customer(self, aging):
        """One row per customer and currency with the buckets and their total, and
        `furthest`, the rank of the furthest stage among its invoices (today's)."""
        return (
            self.with_balance(aging.as_of)
            .values("customer", "currency")
            .annotate(
                # Grouped by ids alone (the name is the customer's, whichever row it comes
                # from): grouping the open book by the name's text cost more than the sums.
                customer__name=Max("customer__name"),
                **aging.sums("balance"),
                owed=Sum("balance", default=0),
                furthest=Max(stage_expression(timezone.localdate(), rank=True)),
            )
            .exclude(owed=0)
        )

    def largest_debtors(self, aging, limit=10, currencies: Iterable[str] = ()) -> list[dict]:
        """The `limit` customers owing most in each of `currencies` (top_per_currency)."""
        owing = (
            self.with_balance(aging.as_of)
            .values("customer", "currency")
            # The name is the customer's, whichever row it comes from: grouped by ids alone.
            .annotate(owed=Sum("balance"), name=Max("customer__name"))
            .filter(owed__gt=0)
        )
        return top_per_currency(owing, limit, currencies)


def top_per_currency(owing: models.QuerySet, limit: int, currencies: Iterable[str], apart: bool = False) -> list[dict]:
    """The `limit` rows of `owing` (customer, currency, owed, name) owing most in each of
    `currencies`, ranked in the database and numbered from 1 in each currency.

    Where the database can, each currency is its own ORDER BY … LIMIT (a bounded top-N
    sort, the names compared only between equal amounts), the currencies joined by
    UNION ALL. Elsewhere (SQLite) one window ranks them all, or, with `apart`, each
    currency is a query of its own: for rows read in order from an index, which a
    window would sort whole.
    """
    order: list[Any] = [F("owed").desc(), by_name("name"), F("customer")]
    currencies = sorted(currencies)
    parts = [owing.filter(currency=currency).order_by(*order)[:limit] for currency in currencies]
    if parts and connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    elif parts and apart:
        rows = [row for part in parts for row in part]
    else:
        rows = list(
            owing.annotate(rank=Window(RowNumber(), partition_by=F("currency"), order_by=order))
            .filter(rank__lte=limit)
            .order_by("currency", "rank")
        )
    debtors: list[dict] = []
    for currency in sorted({row["currency"] for row in rows}):
        mine = [row for row in rows if row["currency"] == currency]
        debtors += [row | {"rank": rank} for rank, row in enumerate(mine, start=1)]
    return debtors


def history_sums(only: Q | None = None) -> dict[str, Aggregate]:
    """What the totals sum over the whole history, under Totals' names, of the invoices
    `only` picks (all without it). The summary table (invoices.balances) keeps the same
    sums per customer, so its figures and a scan of the history cannot disagree."""

    def where(condition: Q | None = None) -> Q | None:
        if only is None:
            return condition
        return only if condition is None else only & condition

    credit = Q(kind=Invoice.Kind.CREDIT)
    # Interest charged on late invoices is no sale: it is summed apart.
    interest = Q(kind=Invoice.Kind.INTEREST)
    return {
        "invoiced": Sum("total", filter=where(~credit & ~interest), default=0),
        "interest": Sum("total", filter=where(interest), default=0),
        "credit_invoiced": Sum(Abs("total"), filter=where(credit), default=0),
        "credit_notes": Sum("credited", filter=where(), default=0),
        "written_off_sum": Sum("written_off", filter=where(), default=0),
        "credit_count": Count("pk", filter=where(credit)),
    }


def stage_expression(today: date, rank: bool = False) -> Case:
    """Invoice.current_stage in SQL: Disputed while a dispute is recorded here; an
    invoice the provider said was not yet due is overdue once its due date has
    passed (stored stages are as of the last refresh); else the provider's stage.
    With `rank`, the stage's place in Invoice.Stage's order (1 on), 0 for none."""

    def out(stage: str) -> Value:
        return Value(STAGE_RANKS[stage] if rank else stage)

    Stage = Invoice.Stage
    return Case(
        When(~Q(dispute_reason=""), then=out(Stage.DISPUTED)),
        When(stage=Stage.NOT_DUE, due_date__lt=today, then=out(Stage.OVERDUE)),
        *(When(stage=stage, then=out(stage)) for stage in Stage.values),
        default=Value(0) if rank else Value(""),
        output_field=models.IntegerField() if rank else models.CharField(),
    )


class Totals(dict):
    """One currency's aggregated row, with the figures derived from it.

    Paid is what remains of the invoiced amount once credits, write-offs and
    what is still outstanding are taken away, so the figures always add up.
    """

    def __init__(self, row, aging):
        super().__init__(row)
        self["credited"] = row["credit_invoiced"] + row["credit_notes"]
        charged = row["invoiced"] + row["interest"]
        self["paid"] = charged - self["credited"] - row["written_off_sum"] - row["owed"]
        oldest = row["oldest_overdue"]
        self["days_overdue"] = (aging.as_of - oldest).days if oldest else None
        self["buckets"] = aging.values(row)


# What the summaries read of an open invoice (see Invoice.Meta.indexes).
OPEN_BOOK_COLUMNS = [
    "id",
    "account",
    "state",
    "gone_at",
    "kind",
    "stage",
    "dispute_reason",
    "issue_date",
    "due_date",
    "paid_date",
    "total",
    "outstanding",
    "credited",
    "written_off",
]


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT = "credit", _("Credit invoice")
        CASH = "cash", _("Cash invoice")
        INTEREST = "interest", _("Interest invoice")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        CREDITED = "credited", _("Credited")
        WRITTEN_OFF = "written_off", _("Written off")

    class Stage(models.TextChoices):
        """Where an unpaid invoice stands in collections, in the order it gets there.

        Paid, credited and cancelled invoices have none (blank).
        """

        NOT_DUE = "not_due", _("Not yet due")
        OVERDUE = "overdue", _("Overdue")
        COLLECTION = "collection", _("In collection")
        DISPUTED = "disputed", _("Disputed")
        WRITTEN_OFF = "written_off", _("Written off")

    account = models.ForeignKey(
        ProviderAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="invoices"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="invoices"
    )
    provider_id = models.CharField(_("provider id"), max_length=64)
    number = models.CharField(_("number"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    get_kind_display = display("kind", Kind.choices)
    get_state_display = display("state", State.choices)
    # The provider's own words, verbatim, for staff who know the provider's portal.
    provider_kind = models.CharField(_("provider kind"), max_length=20, blank=True)
    provider_status = models.CharField(_("provider status"), max_length=50, blank=True)
    provider_substatus = models.CharField(_("provider substatus"), max_length=50, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paid_date = models.DateField(_("paid date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    outstanding = models.DecimalField(_("outstanding"), max_digits=14, decimal_places=2)
    credited = models.DecimalField(_("credited"), max_digits=14, decimal_places=2, default=0)
    written_off = models.DecimalField(_("written off"), max_digits=14, decimal_places=2, default=0)
    # For a credit invoice: the number of the invoice it credits.
    credits_number = models.CharField(_("credits number"), max_length=64, blank=True)
    # For an interest invoice: the number of the late invoice it charges, where the data says.
    charges_number = models.CharField(_("charges number"), max_length=64, blank=True)
    provider_hash = models.CharField(_("provider hash"), max_length=128, blank=True)
    pdf_url = models.URLField(_("PDF URL"), max_length=500, blank=True)
    raw = PayloadField(encoder=RawJSONEncoder)
    fetched_at = models.DateTimeField(
        _("fetched at"),
    )
    # The provider's full invoice (Qvickly getInvoiceByHash, Fusebill GET
    # /v1/Invoices/{id}), fetched when staff open it, with its own age.
    detail = PayloadField(null=True, blank=True, encoder=RawJSONEncoder)
    detail_fetched_at = models.DateTimeField(_("detail fetched at"), null=True, blank=True)
    # When a complete listing of the customer at the provider stopped returning it:
    # kept for the record, left out of every total.
    gone_at = models.DateTimeField(_("gone at"), null=True, blank=True)
    # The collection stage the provider's data puts the invoice in (written by the
    # sync), and the provider's own word for it ("Collection", "Overdue", "Disputed").
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    provider_stage = models.CharField(_("provider stage"), max_length=50, blank=True)
    # A dispute staff recorded here. ARPortal's own: never sent to a provider and
    # never overwritten by a sync; while set, the invoice's stage is Disputed.
    dispute_reason = models.TextField(_("dispute reason"), blank=True)
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disputed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-pk"]
        permissions = [("refresh_from_provider", _("Can refresh invoices from the providers"))]
        constraints = [
            models.UniqueConstraint(fields=["account", "provider_id"], name="one_row_per_provider_invoice"),
        ]
        indexes = [
            models.Index(fields=["customer", "-issue_date"]),
            # The admin's currency filter, read from the index alone.
            models.Index(fields=["currency"], name="invoice_currency"),
            # The open part of the book, which every summary of today reads. It holds
            # every column they read, so PostgreSQL answers from the index alone
            # (an index-only scan) instead of visiting one heap page per open invoice.
            models.Index(
                fields=["currency", "customer"],
                include=OPEN_BOOK_COLUMNS,
                condition=~Q(outstanding=0),
                name="invoice_open_book",
            ),
            # What a customer owes, due first: the follow-up panel's dispute form reads its
            # first hundred, and the disputed ones, without reading their paid history.
            models.Index(fields=["customer", "due_date"], condition=Q(outstanding__gt=0), name="invoice_owed"),
            models.Index(fields=["paid_date"], name="invoice_paid_date"),
            # The few invoices registered ahead of their date, which today's totals leave out.
            models.Index(fields=["issue_date"], name="invoice_issue_date"),
            # Credit invoices and what they credit, linked both ways on the detail page.
            # Partial, like the one below: most invoices credit nothing, and an index full of
            # blanks looks so unselective that SQLite would rather walk the issue-date index.
            models.Index(fields=["account", "credits_number"], condition=~Q(credits_number=""), name="invoice_credits"),
            models.Index(fields=["account", "number"], name="invoice_account_number"),
            # The search box: an invoice number typed without saying which provider's.
            models.Index(fields=["number"], name="invoice_number"),
            models.Index(fields=["account", "charges_number"], condition=~Q(charges_number=""), name="invoice_charges"),
            # The few written-off invoices among the paid history, for the stage totals.
            models.Index(fields=["stage"], name="invoice_stage"),
        ]

    def __str__(self):
        return f"{self.number} ({self.account.name})"

    def get_absolute_url(self):
        return reverse("invoice", args=[self.pk])

    def detail_is_stale(self, now: datetime | None = None) -> bool:
        if self.detail is None or self.detail_fetched_at is None:
            return True
        now = now or timezone.now()
        return now - self.detail_fetched_at > self.account.ttl

    @property
    def pdf_link(self) -> str:
        """The provider's PDF link when it is a web address; rows cached before links
        were checked at the boundary may hold anything."""
        return web_url(self.pdf_url)

    def credited_invoice(self):
        """For a credit invoice: the invoice it credits, when we have it."""
        if not self.credits_number:
            return None
        return Invoice.objects.filter(account=self.account_id, number=self.credits_number).first()

    def credit_invoices(self):
        """The credit invoices that credit this one."""
        # The blank test lets the database use the partial index (Meta.indexes).
        return (
            Invoice.objects.filter(account=self.account_id, credits_number=self.number)
            .exclude(credits_number="")
            .exclude(pk=self.pk)
        )

    def charged_invoice(self):
        """For an interest invoice: the late invoice it charges, when the data links them."""
        if not self.charges_number:
            return None
        return Invoice.objects.filter(account=self.account_id, number=self.charges_number).first()

    def interest_invoices(self):
        """The interest invoices that charge this one."""
        return (
            Invoice.objects.filter(account=self.account_id, charges_number=self.number)
            .exclude(charges_number="")
            .exclude(pk=self.pk)
        )

    @property
    def current_stage(self) -> str:
        """The stage staff see: Disputed while a dispute is recorded here, else the provider's
        (not yet due turns overdue once the due date passes, as stage_expression says)."""
        if self.dispute_reason:
            return self.Stage.DISPUTED
        if self.stage == self.Stage.NOT_DUE and self.due_date and self.due_date < timezone.localdate():
            return self.Stage.OVERDUE
        return self.stage

    @property
    def current_stage_label(self) -> str:
        stage = self.current_stage
        return str(self.Stage(stage).label) if stage in self.Stage.values else ""

    @property
    def days_past_due(self) -> int | None:
        if self.due_date is None:
            return None
        return (timezone.localdate() - self.due_date).days

    def is_overdue(self, today=None):
        """The same rule as the totals' overdue sum: something owed, past its due date."""
        today = today or timezone.localdate()
        return (
            self.state != self.State.CANCELLED
            and self.gone_at is None
            and self.outstanding > 0
            and self.due_date is not None
            and self.due_date < today
        )


# Stages in the order an unpaid invoice goes through them, ranked from 1.
STAGE_RANKS = {stage: rank for rank, stage in enumerate(Invoice.Stage.values, start=1)}
# The stages of money past due: the overdue list.
OVERDUE_STAGES = (Invoice.Stage.OVERDUE, Invoice.Stage.COLLECTION, Invoice.Stage.DISPUTED)


class LookupAuditQuerySet(models.QuerySet):
    def of_number(self, number):
        """Every audited lookup of this canonical number, found by its keyed hash."""
        return self.filter(number_hash=LookupAudit.hash_of(number))


class LookupAudit(models.Model):
    """Who looked up or revealed which personal number, when, and what they got;
    and every view of a customer's data, with how it was reached (invoices.audit).

    The number itself is not stored: a masked form for reading, and a keyed
    hash that finds every lookup of the same number.
    """

    class Action(models.TextChoices):
        LOOKUP = "lookup", _("Lookup")
        REVEAL = "reveal", _("Reveal")
        # The customer's statement of account was shown, as a page or as a PDF.
        STATEMENT_PAGE = "statement_page", _("Statement page")
        STATEMENT_PDF = "statement_pdf", _("Statement PDF")
        # Every other view of a person's data (invoices.audit).
        CUSTOMER_PAGE = "customer_page", _("Customer page")
        INVOICE_PAGE = "invoice_page", _("Invoice page")
        CUSTOMER_EXPORT = "customer_export", _("Customer export")
        # The aging or overdue list downloaded: many customers, one row per download.
        LIST_EXPORT = "list_export", _("List export")
        ADMIN_CUSTOMER = "admin_customer", _("Customer in the admin")
        ADMIN_INVOICE = "admin_invoice", _("Invoice in the admin")
        # Everything held about one number, exported for a data subject request.
        SUBJECT_EXPORT = "subject_export", _("Data subject export")

    class Via(models.TextChoices):
        """How the page was reached: the search's redirect says, else the page the link was on."""

        LOOKUP = "lookup", _("Lookup by number")
        SEARCH = "search", _("Search")
        LIST = "list", _("List")
        LINK = "link", _("Link")
        DIRECT = "direct", _("Direct")

    class Source(models.TextChoices):
        CACHE = "cache", _("Cache")
        PROVIDER = "provider", _("Provider")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, default=Action.LOOKUP)
    masked_number = models.CharField(_("masked number"), max_length=13)
    number_hash = models.CharField(max_length=64, db_index=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result_count = models.PositiveIntegerField(_("result count"), help_text=_("Invoices found"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was opened and how: URL names only, never their arguments or query.
    opened = models.CharField(_("opened"), max_length=80, blank=True)
    via = models.CharField(_("reached by"), max_length=10, choices=Via.choices, blank=True)
    reached_from = models.CharField(_("reached from"), max_length=80, blank=True)
    organisation = models.BooleanField(
        _("organisation"),
        default=False,
        help_text=_("The customer is known by an organisation number, not a person's."),
    )

    objects = LookupAuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("lookup audit")
        verbose_name_plural = _("lookup audits")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return str(
            _("%(action)s of %(number)s by %(user)s")
            % {"action": self.get_action_display(), "number": self.masked_number, "user": self.user}
        )

    @staticmethod
    def hash_of(number):
        return hmac.new(settings.AUDIT_HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()

    @classmethod
    def record(cls, user, number, *, customer=None, result_count=0, source=Source.CACHE, action=Action.LOOKUP):
        return cls.objects.create(
            user=user,
            action=action,
            masked_number=identity.mask(number),
            number_hash=cls.hash_of(number),
            customer=customer,
            result_count=result_count,
            source=source,
        )

    @classmethod
    def record_view(cls, user, customer, action, *, result_count=0, invoice=None, **how):
        """A view of a customer's data (a page, an export, their statement); `how` is
        opened, via and reached_from. A customer known without a number (found by
        name or e-mail) is recorded with none; a list of many customers with no customer."""
        number = (customer.identity_number if customer else "") or ""
        return cls.objects.create(
            user=user,
            action=action,
            masked_number=identity.mask(number) if number else "",
            number_hash=cls.hash_of(number) if number else "",
            customer=customer,
            invoice=invoice,
            organisation=bool(number) and identity.is_company(number),
            result_count=result_count,
            source=cls.Source.CACHE,
            **how,
        )


class SweepQuerySet(models.QuerySet):
    def running(self) -> "Sweep | None":
        return self.filter(running=True).first()

    def last_finished(self) -> "Sweep | None":
        return self.filter(finished_at__isnull=False).order_by("-finished_at").first()

    def running_and_last_finished(self) -> tuple["Sweep | None", "Sweep | None"]:
        """running() and last_finished() in one query, for the home page."""
        last = self.filter(finished_at__isnull=False).order_by("-finished_at").values("pk")[:1]
        both = list(self.filter(Q(running=True) | Q(pk=Subquery(last))))
        return next((s for s in both if s.running), None), next((s for s in both if not s.running), None)


class Sweep(models.Model):
    """One pass over the whole book: discover each active account, then refresh every
    customer. Its accounts and items live in the database, so a sweep that a crash or
    a restart cut short picks up its pending items instead of starting over."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # True while it runs, NULL after: the unique constraint allows one running sweep,
    # so two starts at once make one sweep and the second joins it.
    running = models.BooleanField(null=True, default=True, unique=True)

    objects = SweepQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"Sweep {self.pk} from {self.started_at:%Y-%m-%d %H:%M}"


class SweepAccount(models.Model):
    """What one account's discovery found in a sweep, and whether the sweep paused it."""

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="accounts")
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    # Who is discovering it and since when (like the customer's refresh lock), then
    # when it was done: a sweep task that died mid-discovery leaves it to be taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    discovered_at = models.DateTimeField(null=True, blank=True)
    discovered = models.PositiveIntegerField(default=0)
    # Discovery's failures: reason -> how many customers it stopped.
    failed = models.JSONField(default=dict)
    stopped = models.CharField(max_length=500, blank=True)
    # The provider refused the account's credentials: the sweep asks it nothing more.
    paused = models.BooleanField(default=False)

    class Meta:
        ordering = ["account__name"]
        constraints = [models.UniqueConstraint(fields=["sweep", "account"], name="one_row_per_sweep_account")]

    def __str__(self):
        return f"{self.account.name} in {self.sweep}"


class SweepItem(models.Model):
    """One customer a sweep refreshes: pending until a refresh of them ends."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Why the refresh failed, in the provider's words (one line per account that failed).
    problem = models.CharField(max_length=1000, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sweep", "customer"], name="one_item_per_sweep_customer")]
        indexes = [models.Index(fields=["sweep", "state"], name="sweep_item_state")]

    def __str__(self):
        return f"{self.customer} in {self.sweep}: {self.state}"


# The follow-up list's models live in their own module; importing them here
# registers them with the app (that module imports Customer and Invoice from here).
from invoices.balances import Balance, BookBalance  # noqa: E402
from invoices.followup import FollowUp, FollowUpAudit, Note, Promise  # noqa: E402
from invoices.open_book import OpenBalance, OpenBook, OpenTotal  # noqa: E402
from invoices.preferences import LanguagePreference  # noqa: E402

__all__ = [
    "Balance",
    "BookBalance",
    "FollowUp",
    "FollowUpAudit",
    "LanguagePreference",
    "Note",
    "OpenBalance",
    "OpenBook",
    "OpenTotal",
    "Promise",
]
