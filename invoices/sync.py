"""Fetch from the providers and upsert into the local cache.

All of a customer's accounts are asked first, then everything is written in
one transaction. An account that fails keeps its cached rows exactly as they
were and records why on its link; it never hides what another account returned.
Refreshes return the customer's links, whose errors are the problems to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from invoices import balances, collation, followup, identity
from invoices.identity import Identity
from invoices.models import Customer, CustomerLink, Invoice, ProviderAccount
from invoices.providers import (
    CredentialsRejected,
    CustomerRecord,
    InvoiceRecord,
    ProviderClient,
    ProviderError,
    Search,
    Wording,
)

log = logging.getLogger(__name__)

# Columns copied from a provider record; a refresh overwrites them all.
RECORD_FIELDS = [
    "number",
    "kind",
    "state",
    "provider_kind",
    "provider_status",
    "provider_substatus",
    "issue_date",
    "due_date",
    "paid_date",
    "currency",
    "total",
    "outstanding",
    "credited",
    "written_off",
    "credits_number",
    "charges_number",
    "stage",
    "provider_stage",
    "provider_hash",
    "pdf_url",
    "raw",
]

T = TypeVar("T")

# States in which a listing may say 0 for what was invoiced (Qvickly's summary rows
# write topay "0.00" once an invoice is cancelled, perhaps once it is paid).
SETTLED_STATES = (Invoice.State.PAID, Invoice.State.CANCELLED, Invoice.State.CREDITED)


@dataclass
class Problem:
    """A provider that could not be asked, said in words staff understand."""

    account: str
    message: str
    # Nothing will work until someone corrects the account's credentials.
    credentials_rejected: bool = False
    # The provider's own words, verbatim, in their language (ProviderError.said).
    provider: str = ""
    said: str = ""
    said_language: str = ""
    # The error as data (ProviderError.as_data), which a page words in its reader's
    # language; `message` is as it read where the problem was met, for the log.
    error: dict[str, Any] | None = None

    @classmethod
    def of(cls, account: ProviderAccount, error: ProviderError) -> Problem:
        rejected = isinstance(error, CredentialsRejected)
        return cls(account.name, str(error), rejected, error.provider, error.said, error.said_language, error.as_data())

    def __str__(self) -> str:
        said = f": {self.said}" if self.said else ""
        return f"{self.account}: {self.message}{said}"


@dataclass
class Outcome:
    """What one account answered about one customer: their record, None when it
    does not know them, or the error that stopped us."""

    account: ProviderAccount
    record: CustomerRecord | None = None
    error: ProviderError | None = None
    # When the asking began: rows another refresh wrote after it are newer than
    # this answer, and never taken for gone.
    asked_at: datetime = field(default_factory=timezone.now)

    @property
    def problem(self) -> Problem | None:
        if self.error is None:
            return None
        return Problem.of(self.account, self.error)


class LockLost(Exception):
    """The customer's refresh lock was taken over (it expired): another refresh writes instead."""


# Asked in the transaction that writes: does this refresh still hold the customer's lock?
Fence = Callable[[], bool] | None


@dataclass
class LookupResult:
    customer: Customer | None
    problems: list[Problem]
    asked_providers: bool = True


def guarded(account: ProviderAccount, what: str, call: Callable[[ProviderClient], T], language: str = "") -> T:
    """`call` with the account's client; every failure comes out as a ProviderError.

    `language` is the reader's, when staff wait for the answer: the provider's
    messages come in it where the provider can choose (else the account's).

    The provider's own code and text go to the log, never a personal number. A
    bug of ours in one provider's code is logged in full and becomes that
    account's problem: it must not take a page down or stop a sweep.
    """
    try:
        return call(account.client(language or None))
    except ProviderError as exc:
        log.warning("%s at %s failed: %s [%s]", what, account.name, exc, exc.detail)
        raise
    except Exception as exc:
        log.exception("%s at %s failed unexpectedly", what, account.name)
        raise ProviderError(
            account.provider.label, Wording("could not be read: an unexpected error, now in the log")
        ) from exc


def lookup_identity(number: Identity) -> LookupResult:
    """Find the customer with this personal or organisation number.

    Uses the cache while it is fresh; otherwise asks every active account.
    Returns no customer when no provider knows the number.
    """
    customer = Customer.objects.with_number(number.number).first()
    if customer is not None:
        links, asked = refresh_if_stale(customer)
        return LookupResult(customer, current_problems(links), asked_providers=asked)
    outcomes = [fetch(account, identity=number.number) for account in ProviderAccount.objects.filter(active=True)]
    return write_first_lookup(number.number, outcomes)


def first_lookup(placeholder: Customer, fence: Fence = None) -> LookupResult:
    """Asks every active account for the number of a customer created for this lookup.

    `placeholder` holds only the number, so that no personal number travels in a
    task's arguments; it is deleted when no provider knows the number, or when
    the invoices belong to a customer found before by customer number, who then
    takes the number.
    """
    number = placeholder.identity_number or ""
    outcomes = [fetch(account, identity=number) for account in ProviderAccount.objects.filter(active=True)]
    return write_first_lookup(number, outcomes, placeholder, fence)


def write_first_lookup(
    number: str, outcomes: list[Outcome], placeholder: Customer | None = None, fence: Fence = None
) -> LookupResult:
    with transaction.atomic():
        if fence is not None and not fence():
            raise LockLost
        if not any(outcome.record for outcome in outcomes):
            if placeholder is not None and not placeholder.invoices.exists():
                placeholder.delete()
            return LookupResult(None, [problem for outcome in outcomes if (problem := outcome.problem)])
        customer = owner_of(outcomes, without_identity=True)
        if customer is not None:
            # Found before by customer number alone; now we know who it is.
            if placeholder is not None:
                placeholder.delete()
            customer.identity_number = number
            customer.save(update_fields=["identity_number"])
        else:
            customer = placeholder or Customer.objects.get_or_create_for_number(number)[0]
        links = [CustomerLink.objects.get_or_create(customer=customer, account=o.account)[0] for o in outcomes]
        write_outcomes(zip(links, outcomes, strict=True))
    return LookupResult(customer, current_problems(links))


def refresh_if_stale(customer: Customer) -> tuple[list[CustomerLink], bool]:
    """The customer's links, refreshed first if any is stale; and whether providers were asked."""
    links = customer_links(customer)
    if any(link.is_stale() for link in links):
        return refresh(customer, links), True
    return links, False


def refresh(customer: Customer, links: Sequence[CustomerLink] | None = None, fence: Fence = None) -> list[CustomerLink]:
    """Refetch every active account of the customer; returns its links, errors and all.

    Everything is fetched first and then written in one transaction per
    customer: no database lock is held while a provider answers, and a refresh
    running at the same time (the web app, sync_invoices) sees all or nothing.
    `fence` is asked in that transaction; when it says the lock was lost, nothing is written.
    """
    links = list(links or customer_links(customer))
    outcomes = [
        fetch(link.account, identity=customer.identity_number, customer_id=link.provider_customer_id) for link in links
    ]
    write_outcomes(zip(links, outcomes, strict=True), fence)
    return links


def customer_links(customer: Customer, active: int | None = None) -> list[CustomerLink]:
    """One link per active account, created on first sight, so every account is asked.
    Given how many accounts are `active` (Customer.objects.with_active_accounts), the
    accounts are read only when one of them has no link to the customer yet."""
    links = {link.account_id: link for link in customer.links.select_related("account").filter(account__active=True)}
    if active is None or len(links) < active:
        for account in ProviderAccount.objects.filter(active=True).exclude(pk__in=links):
            links[account.pk], _ = CustomerLink.objects.get_or_create(customer=customer, account=account)
    return sorted(links.values(), key=lambda link: link.account.name)


def current_problems(links: Iterable[CustomerLink]) -> list[Problem]:
    return [
        Problem(
            link.account.name,
            link.error,
            link.credentials_rejected,
            link.account.provider.label,
            link.error_said,
            link.error_said_language,
            link.error_data,
        )
        for link in links
        if link.error
    ]


def fetch(account: ProviderAccount, identity: str | None = None, customer_id: str = "") -> Outcome:
    """The customer as the account knows them, by identity number or the account's customer id."""
    asked_at = timezone.now()
    if not identity and not customer_id:
        return Outcome(account, asked_at=asked_at)
    try:
        record = guarded(account, "fetch", lambda client: client.customer_invoices(identity, customer_id))
    except ProviderError as exc:
        return Outcome(account, error=exc, asked_at=asked_at)
    return Outcome(account, record=record, asked_at=asked_at)


def write_outcomes(pairs: Iterable[tuple[CustomerLink, Outcome]], fence: Fence = None) -> None:
    """Each link's outcome, all in one transaction."""
    pairs = list(pairs)
    with transaction.atomic():
        if fence is not None and not fence():
            raise LockLost
        written: set[int] = set()
        for link, outcome in pairs:
            if outcome.error is not None:
                write_error(link, outcome.error)
            elif outcome.record is not None:
                written |= {link.customer_id, *write_invoices(link, outcome.record, complete_since=outcome.asked_at)}
            else:
                # The account does not know them (any more): that says nothing of
                # invoices cached from it, which stay as they were.
                write_invoices(link, CustomerRecord(link.provider_customer_id))
        # The summaries of everyone whose invoices were written, in the same transaction;
        # a failed refresh changed no invoice and costs no recomputation.
        balances.recompute(written)
        # Balances change only here: promises to pay are judged the moment they do.
        followup.settle_promises(sorted({link.customer_id for link, _ in pairs}))


def write_error(link: CustomerLink, error: ProviderError) -> None:
    """Why the refresh failed, beside the cached rows, which stay exactly as they were."""
    link.error, link.error_data, link.error_at = str(error)[:500], error.as_data(), timezone.now()
    link.credentials_rejected = isinstance(error, CredentialsRejected)
    link.error_said, link.error_said_language = error.said, error.said_language
    fields = ["error", "error_data", "error_at", "credentials_rejected", "error_said", "error_said_language"]
    link.save(update_fields=fields)


def write_invoices(link: CustomerLink, found: CustomerRecord, complete_since: datetime | None = None) -> set[int]:
    """Upsert the customer's records (unique on account + provider id) and mark the link fresh.

    `complete_since` says `found` is the provider's complete listing of the
    customer, asked for at that moment: cached invoices of theirs it no longer
    holds, written before then, are marked as gone from the provider. Returns
    the other customers whose invoices these were: the rows move to this one.
    """
    now = timezone.now()
    # A listing paged while the provider posts a new invoice can return one twice;
    # PostgreSQL refuses to upsert a row twice in one statement, so keep the last.
    records = list({record.provider_id: record for record in found.invoices}.values())
    keep_what_is_known(link.account, records)
    moved = set(
        Invoice.objects.filter(account=link.account, provider_id__in=[record.provider_id for record in records])
        .exclude(customer=link.customer)
        .values_list("customer", flat=True)
        .distinct()
    )
    rows = [
        Invoice(
            account=link.account,
            customer=link.customer,
            provider_id=record.provider_id,
            fetched_at=now,
            **{name: getattr(record, name) for name in RECORD_FIELDS},
        )
        for record in records
    ]
    Invoice.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["account", "provider_id"],
        update_fields=[*RECORD_FIELDS, "customer", "fetched_at", "gone_at"],
    )
    if complete_since is not None:
        # What a complete, successful listing no longer returns has left the provider
        # (deleted, moved to another customer). Failed listings never get here.
        Invoice.objects.filter(
            account=link.account, customer=link.customer, gone_at__isnull=True, fetched_at__lt=complete_since
        ).exclude(provider_id__in=[record.provider_id for record in records]).update(gone_at=now)
    write_name_and_email(link.customer, found)
    # The first id the account gave stays: a second customer holding the same number
    # at the provider must not take the link over.
    link.provider_customer_id = link.provider_customer_id or found.provider_customer_id
    link.fetched_at, link.error, link.error_at, link.credentials_rejected = now, "", None, False
    link.error_data, link.error_said, link.error_said_language = None, "", ""
    link.save()
    return moved


def keep_what_is_known(account: ProviderAccount, records: list[InvoiceRecord]) -> None:
    """What a listing only guessed keeps what the cache learnt before: the currency a
    full invoice told (Qvickly's summary rows carry none, so they say the account's),
    and a settled invoice's total where the row's 0 says nothing of what was invoiced."""
    guessed = {r.provider_id: r for r in records if r.currency_guessed or r.total_guessed}
    if not guessed:
        return
    known = Invoice.objects.filter(account=account, provider_id__in=guessed).annotate(
        detailed=ExpressionWrapper(Q(detail__isnull=False), output_field=BooleanField())
    )
    for provider_id, currency, total, detailed in known.values_list("provider_id", "currency", "total", "detailed"):
        record = guessed[provider_id]
        if record.currency_guessed and detailed:
            record.currency = currency
        if record.total_guessed and total != 0:
            record.total = total


def write_name_and_email(customer: Customer, found: CustomerRecord) -> None:
    """Name and e-mail come from the first provider that has them; a blank never overwrites.
    The account status is the provider's latest word (only Fusebill has one)."""
    changed = [name for name in ("name", "email") if getattr(found, name) and not getattr(customer, name)]
    if found.account_status and found.account_status != customer.account_status:
        changed.append("account_status")
    for name in changed:
        setattr(customer, name, getattr(found, name))
    if changed:
        customer.save(update_fields=changed)


def lookup_text(text: str, language: str = "") -> tuple[list[Customer], list[Problem]]:
    """Customers matching a customer number, name or e-mail: the cache's and every account's.

    Each account is asked only what its provider can search; one that fails is
    named among the problems and the others still answer.
    """
    customers = {customer.pk: customer for customer in Customer.objects.matching_text(text)[:50]}
    problems = []
    for account in ProviderAccount.objects.filter(active=True):
        if not can_search(account, text):
            continue
        try:
            records = guarded(account, "search", lambda client: client.find_customers(text), language)
        except ProviderError as exc:
            problems.append(problem_of(account, exc))
            continue
        for record in records:
            customer = adopt(account, record)
            customers[customer.pk] = customer
    return sorted(customers.values(), key=lambda c: (collation.sort_key(c.name), c.pk)), problems


def can_search(account: ProviderAccount, text: str) -> bool:
    """Digits are a customer number, which every provider finds; other text only goes
    where the provider can search that kind of text (e-mail addresses, names)."""
    if text.isdigit():
        return True
    return (Search.EMAIL if "@" in text else Search.NAME) in account.provider.searches


def problem_of(account: ProviderAccount, error: ProviderError) -> Problem:
    return Problem.of(account, error)


def adopt(account: ProviderAccount, record: CustomerRecord) -> Customer:
    """Our customer for a provider's: by the account's customer id if seen before,
    else by identity number when the provider holds a valid one, else a new one."""
    link = CustomerLink.objects.filter(account=account, provider_customer_id=record.provider_customer_id).first()
    if link is None:
        number = canonical_or_none(record.identity)
        if number:
            customer, _ = Customer.objects.get_or_create_for_number(number)
        else:
            customer = owner_of([Outcome(account, record)]) or Customer.objects.create()
        link, _ = CustomerLink.objects.get_or_create(customer=customer, account=account)
    with transaction.atomic():
        if record.invoices:
            # One customer number's invoices, not necessarily all the person's: nothing
            # is taken for gone from it.
            write_invoices(link, record)
        else:
            write_customer_id(link, record)
    return link.customer


def owner_of(outcomes: Iterable[Outcome], without_identity: bool = False) -> Customer | None:
    """The customer who already holds any of these invoices, so one person never
    becomes two customers trading invoices on every refresh."""
    for outcome in outcomes:
        if outcome.record is not None and outcome.record.invoices:
            owners = Customer.objects.filter(
                invoices__account=outcome.account,
                invoices__provider_id__in=[r.provider_id for r in outcome.record.invoices],
            )
            if without_identity:
                owners = owners.identified(False)
            owner: Customer | None = owners.first()
            if owner is not None:
                return owner
    return None


def write_customer_id(link: CustomerLink, found: CustomerRecord) -> None:
    """Who the customer is at this account, without claiming their invoices are fetched."""
    write_name_and_email(link.customer, found)
    link.provider_customer_id = link.provider_customer_id or found.provider_customer_id
    link.save(update_fields=["provider_customer_id"])


def canonical_or_none(text: str) -> str | None:
    try:
        return identity.parse(text).number if text else None
    except identity.InvalidIdentity:
        return None


def invoice_detail(invoice: Invoice, force: bool = False, language: str = "") -> ProviderError | None:
    """Fetch the invoice's full detail when missing or stale (or forced).

    Returns None on success or when the cache is fresh, else the ProviderError;
    the cached detail is kept whatever happens.
    """
    if not force and not invoice.detail_is_stale():
        return None
    try:
        record = guarded(
            invoice.account,
            "detail",
            lambda client: client.invoice_detail(invoice.provider_id, invoice.provider_hash),
            language,
        )
    except ProviderError as exc:
        return exc
    invoice.detail, invoice.detail_fetched_at = record.raw, timezone.now()
    # Listings may carry no currency (Qvickly summary rows); the full invoice does.
    summed = (invoice.currency, invoice.total)
    invoice.currency = record.currency or invoice.currency
    fields = ["detail", "detail_fetched_at", "currency"]
    if invoice.total == 0 and invoice.state in SETTLED_STATES and record.total != 0:
        # The listing said 0 for a settled invoice; the full invoice says what was
        # invoiced, and keep_what_is_known keeps it through the next listing.
        invoice.total = record.total
        fields.append("total")
    with transaction.atomic():
        invoice.save(update_fields=fields)
        if (invoice.currency, invoice.total) != summed:
            balances.recompute([invoice.customer_id])
    return None
