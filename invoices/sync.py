"""Fetch from the providers and upsert into the local cache.

All of a customer's accounts are asked first, then everything is written in
one transaction. An account that fails keeps its cached rows exactly as they
were and records why on its link; it never hides what another account returned.
Refreshes return the customer's links, whose errors are the problems to show.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from invoices import identity
from invoices.models import Customer, CustomerLink, Invoice, ProviderAccount
from invoices.providers import CustomerRecord, ProviderError

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
    "provider_hash",
    "pdf_url",
    "raw",
]


@dataclass
class Problem:
    """A provider that could not be asked, said in words staff understand."""

    account: str
    message: str

    def __str__(self):
        return f"{self.account}: {self.message}"


@dataclass
class LookupResult:
    customer: Customer | None
    problems: list[Problem]
    asked_providers: bool = True


def lookup_identity(identity):
    """Find the customer with this personal or organisation number.

    Uses the cache while it is fresh; otherwise asks every active account.
    Returns no customer when no provider knows the number.
    """
    customer = Customer.objects.filter(identity_number=identity.number).first()
    if customer is not None:
        links, asked = refresh_if_stale(customer)
        return LookupResult(customer, current_problems(links), asked_providers=asked)
    accounts = ProviderAccount.objects.filter(active=True)
    outcomes = {account: fetch(account, identity=identity.number) for account in accounts}
    if not any(isinstance(outcome, CustomerRecord) for outcome in outcomes.values()):
        problems = [Problem(a.name, str(o)) for a, o in outcomes.items() if isinstance(o, ProviderError)]
        return LookupResult(None, problems)
    with transaction.atomic():
        customer = owner_of(outcomes, without_identity=True)
        if customer is not None:
            # Found before by customer number alone; now we know who it is.
            customer.identity_number = identity.number
            customer.save(update_fields=["identity_number"])
        else:
            customer, _ = Customer.objects.get_or_create(identity_number=identity.number)
        links = [CustomerLink.objects.get_or_create(customer=customer, account=a)[0] for a in outcomes]
        save_all(zip(links, outcomes.values()))
    return LookupResult(customer, current_problems(links))


def refresh_if_stale(customer):
    """The customer's links, refreshed first if any is stale; and whether providers were asked."""
    links = customer_links(customer)
    if any(link.is_stale() for link in links):
        return refresh(customer, links), True
    return links, False


def refresh(customer, links=None):
    """Refetch every active account of the customer; returns its links, errors and all.

    Everything is fetched first and then written in one transaction per
    customer: no database lock is held while a provider answers, and a refresh
    running at the same time (the web app, sync_invoices) sees all or nothing.
    """
    links = links or customer_links(customer)
    outcomes = [fetch(link.account, identity=customer.identity_number, customer_id=link.provider_customer_id) for link in links]
    save_all(zip(links, outcomes))
    return links


def customer_links(customer):
    """One link per active account, created on first sight, so every account is asked."""
    links = {link.account_id: link for link in customer.links.select_related("account").filter(account__active=True)}
    for account in ProviderAccount.objects.filter(active=True).exclude(pk__in=links):
        links[account.pk], _ = CustomerLink.objects.get_or_create(customer=customer, account=account)
    return sorted(links.values(), key=lambda link: link.account.name)


def current_problems(links):
    return [Problem(link.account.name, link.error) for link in links if link.error]


def fetch(account, identity=None, customer_id=""):
    """The customer as the account knows them (None if it does not), or the error that stopped us."""
    if not identity and not customer_id:
        return None
    try:
        return account.client().customer_invoices(identity=identity, customer_id=customer_id)
    except ProviderError as exc:
        # The provider's own code and text go to the log; never the number.
        log.warning("fetch from %s failed: %s [%s]", account.name, exc, exc.detail)
        return exc
    except Exception:
        # A bug of ours must not take the page down or stop sync_invoices:
        # it is logged in full and shown as this account's problem.
        log.exception("fetch from %s failed unexpectedly", account.name)
        return ProviderError(account.get_kind_display(), "could not be read: an unexpected error, now in the log")


def save_all(pairs):
    with transaction.atomic():
        for link, outcome in pairs:
            save(link, outcome)


def save(link, outcome):
    """Store one account's outcome: rows and freshness, or the error beside the old rows."""
    if isinstance(outcome, ProviderError):
        link.error, link.error_at = str(outcome)[:500], timezone.now()
        link.save(update_fields=["error", "error_at"])
        return
    store(link, outcome or CustomerRecord(provider_customer_id=link.provider_customer_id))


def store(link, found):
    """Upsert the customer's records (unique on account + provider id) and mark the link fresh."""
    now = timezone.now()
    # A listing paged while the provider posts a new invoice can return one twice;
    # PostgreSQL refuses to upsert a row twice in one statement, so keep the last.
    records = list({record.provider_id: record for record in found.invoices}.values())
    keep_known_currencies(link.account, records)
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
        update_fields=[*RECORD_FIELDS, "customer", "fetched_at"],
    )
    fill_blanks(link.customer, found)
    link.provider_customer_id = found.provider_customer_id or link.provider_customer_id
    link.fetched_at, link.error, link.error_at = now, "", None
    link.save()


def keep_known_currencies(account, records):
    """Listings without a currency (Qvickly summary rows) say the account's; where the
    full invoice was fetched it told the real one, which a refresh must not undo."""
    guessed = {r.provider_id: r for r in records if r.currency_guessed}
    if guessed:
        known = Invoice.objects.filter(account=account, provider_id__in=guessed, detail__isnull=False)
        for provider_id, currency in known.values_list("provider_id", "currency"):
            guessed[provider_id].currency = currency


def fill_blanks(customer, found):
    """Name and e-mail come from the first provider that has them; a blank never overwrites."""
    changed = [field for field in ("name", "email") if getattr(found, field) and not getattr(customer, field)]
    for field in changed:
        setattr(customer, field, getattr(found, field))
    if changed:
        customer.save(update_fields=changed)


def lookup_text(text):
    """Customers matching a customer number, name or e-mail: the cache's and every account's."""
    customers = {customer.pk: customer for customer in Customer.objects.matching_text(text)[:50]}
    problems = []
    for account in ProviderAccount.objects.filter(active=True):
        try:
            records = account.client().find_customers(text)
        except ProviderError as exc:
            log.warning("search at %s failed: %s [%s]", account.name, exc, exc.detail)
            problems.append(Problem(account.name, str(exc)))
            continue
        for record in records:
            customer = adopt(account, record)
            customers[customer.pk] = customer
    return sorted(customers.values(), key=lambda c: (c.name.lower(), c.pk)), problems


def adopt(account, record):
    """Our customer for a provider's: by the account's customer id if seen before,
    else by identity number when the provider holds a valid one, else a new one."""
    link = CustomerLink.objects.filter(account=account, provider_customer_id=record.provider_customer_id).first()
    if link is None:
        number = canonical_or_none(record.identity)
        if number:
            customer, _ = Customer.objects.get_or_create(identity_number=number)
        else:
            customer = owner_of({account: record}) or Customer.objects.create()
        link, _ = CustomerLink.objects.get_or_create(customer=customer, account=account)
    with transaction.atomic():
        if record.invoices:
            store(link, record)
        else:
            remember(link, record)
    return link.customer


def owner_of(outcomes, without_identity=False):
    """The customer who already holds any of these invoices, so one person never
    becomes two customers trading invoices on every refresh."""
    for account, outcome in outcomes.items():
        if isinstance(outcome, CustomerRecord) and outcome.invoices:
            owners = Customer.objects.filter(
                invoices__account=account, invoices__provider_id__in=[r.provider_id for r in outcome.invoices]
            )
            if without_identity:
                owners = owners.filter(identity_number__isnull=True)
            if owner := owners.first():
                return owner
    return None


def remember(link, found):
    """Who the customer is at this account, without claiming their invoices are fetched."""
    fill_blanks(link.customer, found)
    link.provider_customer_id = found.provider_customer_id
    link.save(update_fields=["provider_customer_id"])


def canonical_or_none(text):
    try:
        return identity.parse(text).number if text else None
    except identity.InvalidIdentity:
        return None


def invoice_detail(invoice, force=False):
    """Fetch the invoice's full detail when missing or stale (or forced).

    Returns None on success or when the cache is fresh, else the ProviderError;
    the cached detail is kept whatever happens.
    """
    if not force and not invoice.detail_is_stale():
        return None
    try:
        record = invoice.account.client().invoice_detail(invoice.provider_id, invoice.provider_hash)
    except ProviderError as exc:
        log.warning("detail from %s failed: %s [%s]", invoice.account.name, exc, exc.detail)
        return exc
    invoice.detail, invoice.detail_fetched_at = record.raw, timezone.now()
    # Listings may carry no currency (Qvickly summary rows); the full invoice does.
    invoice.currency = record.currency or invoice.currency
    invoice.save(update_fields=["detail", "detail_fetched_at", "currency"])
    return None
