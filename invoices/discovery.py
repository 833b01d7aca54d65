"""Discover the whole book: every customer a provider account can reveal, as our customers.

Lookups only bring in the customers staff search for; an accounts-receivable
dashboard must show the whole receivable. Each account's client lists what its
provider can reveal (invoices.providers.base.BookSource: Fusebill every
customer, Qvickly every customer with anything past due or a payment settled
lately), and each one becomes or joins our Customer: by identity number when
the provider holds a valid one, so one person is one customer across
providers, else by the account's own customer id.

Discovery fetches no invoices: refreshing each discovered customer
(sync.refresh) fills the book, one customer at a time, in the background.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, transaction

from invoices.models import Customer, CustomerLink, ProviderAccount
from invoices.providers import CredentialsRejected, CustomerRecord, ProviderError
from invoices.providers.base import BookSource, Discovered, Wording
from invoices.sync import canonical_or_none, write_customer_id

log = logging.getLogger(__name__)

NEW, LINKED, KNOWN = "new", "linked", "known"


class SharedIdentity(Exception):
    """The provider has two customers under one identity number."""


@dataclass
class DiscoveryReport:
    """What one account's book held: counts, never who (no personal numbers here)."""

    account: str
    new: int = 0  # customers we did not have before
    linked: int = 0  # customers we had (from a lookup or another provider), now linked to this account
    known: int = 0  # customers already linked to this account
    # Why customers could not be read or saved, with how many each reason stopped.
    failed: Counter[str] = field(default_factory=Counter)
    # Why the listing itself stopped early, if it did: what came before it stands.
    stopped: str = ""
    # It stopped because the provider refused the account's credentials: asking again cannot help.
    credentials_rejected: bool = False
    # Invoice numbers the provider says are with debt collection (Qvickly).
    in_collection: set[str] = field(default_factory=set)
    # Every customer found, for the refresh that fetches their invoices.
    # Ordered and unique: a dict, since membership is tested once per customer listed.
    customer_ids: dict[int, None] = field(default_factory=dict)

    @property
    def found(self) -> int:
        return self.new + self.linked + self.known

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    @property
    def complete(self) -> bool:
        return not self.stopped and not self.failed

    def __str__(self) -> str:
        text = f"{self.account}: {self.found} found ({self.new} new, {self.linked} linked, {self.known} known)"
        if self.failed:
            text += f", {self.failures} failed"
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")


def discover(account: ProviderAccount) -> DiscoveryReport:
    """Every customer the account's provider reveals, created or linked here.

    One customer that cannot be read or saved is counted among the failures and
    the rest go on; a listing that fails part way keeps what came before it and
    says why it stopped.
    """
    report = DiscoveryReport(account.name)
    seen: set[tuple[str, str]] = set()
    try:
        source = account.client()
        if not account.provider.discovers_book or not isinstance(source, BookSource):
            raise ProviderError(account.provider.label, Wording("cannot list the customers of its book"))
        for item in source.discover():
            if item.error is not None:
                report.failed[str(item.error)] += 1
                continue
            key = (canonical_or_none(item.identity) or "", item.provider_customer_id)
            if key in seen:
                report.in_collection |= collection_of(item)
                continue
            seen.add(key)
            take(account, item, report)
    except ProviderError as exc:
        log.warning("discovery at %s stopped: %s [%s]", account.name, exc, exc.detail)
        report.stopped = str(exc)
        report.credentials_rejected = isinstance(exc, CredentialsRejected)
    except Exception as exc:
        # A bug of ours in one provider's code stops that account, never the sweep.
        log.exception("discovery at %s stopped unexpectedly", account.name)
        report.stopped = f"an unexpected error ({type(exc).__name__}), now in the log"
    log.info("discovery %s", report)
    return report


def take(account: ProviderAccount, item: Discovered, report: DiscoveryReport) -> None:
    """One discovered customer into the report, created or linked; a failure is counted, not raised."""
    if not canonical_or_none(item.identity) and not item.provider_customer_id:
        report.failed["the provider named neither a valid identity number nor a customer id"] += 1
        return
    try:
        try:
            with transaction.atomic():
                customer, outcome = claim(account, item)
        except IntegrityError:
            # Another account's discovery, running beside this one, saved the same person a
            # moment ago (an identity number is one customer): asked again, claim finds them.
            with transaction.atomic():
                customer, outcome = claim(account, item)
    except SharedIdentity:
        report.failed["holds the identity number of another customer at this account"] += 1
        return
    except DatabaseError as exc:
        # The database's message can quote the identity number: only its kind is logged.
        log.error("discovery at %s could not save a customer: %s", account.name, type(exc).__name__)
        report.failed["could not be saved; try again"] += 1
        return
    if customer.pk not in report.customer_ids:  # a person written two ways is counted once
        report.customer_ids[customer.pk] = None
        setattr(report, outcome, getattr(report, outcome) + 1)
    report.in_collection |= collection_of(item)


def claim(account: ProviderAccount, item: Discovered) -> tuple[Customer, str]:
    """Our customer for a discovered one, and whether they are new, newly linked or known.

    The account's customer id finds a customer linked before; otherwise a valid
    identity number finds the one person whoever brought them in (a lookup,
    another provider); otherwise they are new. The link keeps the account's
    customer id, so the refresh asks for the right customer.
    """
    number = canonical_or_none(item.identity)
    link = None
    if item.provider_customer_id:
        link = (
            CustomerLink.objects.select_related("customer")
            .filter(account=account, provider_customer_id=item.provider_customer_id)
            .first()
        )
    if link is not None:
        outcome = KNOWN
        customer = link.customer
        if number and not customer.identity_number and not Customer.objects.with_number(number).exists():
            customer.identity_number = number  # first known by customer id alone; now we know who it is
            customer.save(update_fields=["identity_number"])
    else:
        known = Customer.objects.with_number(number).first() if number else None
        created_customer = known is None
        customer = known or Customer.objects.create(identity_number=number)
        link, created_link = CustomerLink.objects.get_or_create(customer=customer, account=account)
        if link.provider_customer_id and item.provider_customer_id not in ("", link.provider_customer_id):
            # Two of the account's customers hold one number; a customer has one link per
            # account, and taking it over would make the two trade places on every sweep.
            raise SharedIdentity
        outcome = NEW if created_customer else LINKED if created_link else KNOWN
    found = CustomerRecord(
        provider_customer_id=item.provider_customer_id or link.provider_customer_id, name=item.name, email=item.email
    )
    write_customer_id(link, found)
    return customer, outcome


def collection_of(item: Discovered) -> set[str]:
    return {number for number, state in item.collection.items() if state == "Collection"}
