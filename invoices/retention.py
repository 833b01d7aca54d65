"""How long a person's data stays in the cache once they owe nothing.

A customer who owes nothing and has had no activity for the retention period
(PERSONAL_DATA_RETENTION_DAYS) is removed with everything cached about them:
their invoices (the providers still hold every one of them: they are a copy,
fetched again should the customer come back), links, follow-up, notes and
promises. The audit logs stay: a LookupAudit row keeps only a masked number and
loses its link to the customer; a FollowUpAudit row keeps who changed what and
when, but the text of a note or dispute goes with the person it was about.

Activity is the latest of: the customer's invoices being issued, falling due,
paid or disputed; notes and promises (made or due); any change to their
follow-up; any view of their data in the lookup audit; their first caching.
A refresh from a provider is not activity: the nightly sweep refreshes everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from invoices import balances
from invoices.followup import FollowUpAudit, Note, Promise
from invoices.models import Customer, CustomerQuerySet, Invoice, LookupAudit


def cutoff(days: int | None = None, now: datetime | None = None) -> datetime:
    """The moment before which nothing may have happened for a customer to be purged."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - timedelta(days=days)


def purgeable(before: datetime) -> CustomerQuerySet:
    """Customers owing nothing (nor owed anything) with no activity since `before`."""
    day = before.date()
    recent_invoice = Invoice.objects.filter(customer=OuterRef("pk")).filter(
        Q(issue_date__gte=day) | Q(due_date__gte=day) | Q(paid_date__gte=day) | Q(disputed_at__gte=before)
    )
    activity = [
        recent_invoice,
        Invoice.objects.unsettled().filter(customer=OuterRef("pk")),
        Note.objects.filter(customer=OuterRef("pk"), at__gte=before),
        Promise.objects.filter(customer=OuterRef("pk")).filter(Q(made_at__gte=before) | Q(due__gte=day)),
        Promise.objects.pending().filter(customer=OuterRef("pk")),
        FollowUpAudit.objects.filter(customer=OuterRef("pk"), at__gte=before),
        LookupAudit.objects.filter(customer=OuterRef("pk"), at__gte=before),
    ]
    quiet = Customer.objects.filter(created_at__lt=before)
    for recent in activity:
        quiet = quiet.exclude(Exists(recent))
    # A customer whose refresh is running may be getting new invoices this moment.
    return quiet.exclude(pk__in=Customer.objects.refreshing().values("pk"))


@dataclass(frozen=True)
class Purged:
    customers: int
    invoices: int
    notes: int
    promises: int


def summary(customers: CustomerQuerySet) -> Purged:
    return Purged(
        customers=customers.count(),
        invoices=Invoice.objects.filter(customer__in=customers).count(),
        notes=Note.objects.filter(customer__in=customers).count(),
        promises=Promise.objects.filter(customer__in=customers).count(),
    )


@transaction.atomic
def purge(customers: CustomerQuerySet) -> Purged:
    """Deletes the customers and what is cached about them; the audit rows stay."""
    pks = list(customers.values_list("pk", flat=True))
    chosen = Customer.objects.filter(pk__in=pks)
    done = summary(chosen)
    # The text of a note or a dispute is about the person; the fact of the change is not.
    FollowUpAudit.objects.filter(
        customer__in=pks, action__in=[FollowUpAudit.Action.NOTE, FollowUpAudit.Action.DISPUTE]
    ).update(before="", after="")
    # Their sums leave the book's; invoices, links, follow-up, notes and promises
    # cascade; audit rows are set to no customer.
    balances.forget(pks)
    chosen.delete()
    return done


def masked_name(name: str) -> str:
    """Initials only, for reports that must not name anyone: "Anna Svensson" -> "A. S."."""
    return " ".join(f"{word[0]}." for word in name.split()) or "-"
