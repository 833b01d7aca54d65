"""What staff are asked for on the phone: how to reach a customer and their numbers.

Read from what the cache already holds, so it costs no provider call: each
account's customer number (CustomerLink), and the contact details the newest
cached invoice of that account records (its listing row, or its full detail
where staff opened it: Qvickly's listing rows carry no address).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from invoices import identity
from invoices.models import Customer, CustomerLink, Invoice
from invoices.providers.base import Contact


@dataclass(frozen=True)
class AccountData:
    account: str
    provider: str
    customer_number: str
    contact: Contact


@dataclass(frozen=True)
class MasterData:
    organisation_number: str  # in full: public, unlike a personal number
    accounts: list[AccountData]

    @property
    def contact(self) -> Contact:
        """The first account's details that say anything (accounts are in name order)."""
        return next((a.contact for a in self.accounts if a.contact), Contact())


def master_data(customer: Customer, links: list[CustomerLink]) -> MasterData:
    """One query, whatever the number of accounts and invoices."""
    number = customer.identity_number or ""
    organisation = f"{number[:6]}-{number[6:]}" if number and identity.is_company(number) else ""
    contacts: dict[int, Contact] = {}
    for invoice in newest_invoices(customer, [link.account_id for link in links]):
        if contacts.get(invoice.account_id):
            continue
        provider = next(link.account.provider for link in links if link.account_id == invoice.account_id)
        for data in (invoice.detail, invoice.raw):
            if isinstance(data, dict) and (found := provider.contact(data)):
                contacts[invoice.account_id] = found
                break
    return MasterData(
        organisation,
        [
            AccountData(
                link.account.name,
                link.account.provider.label,
                link.provider_customer_id,
                contacts.get(link.account_id, Contact()),
            )
            for link in links
        ],
    )


# Per account, the newest invoice with a full detail first, then the newest listing
# rows: a couple are enough, the newest that says anything wins.
NEWEST = 2


def newest_invoices(customer: Customer, account_ids: list[int]) -> list[Invoice]:
    rank = Window(
        RowNumber(),
        partition_by=F("account"),
        order_by=[F("detail_fetched_at").desc(nulls_last=True), F("issue_date").desc(nulls_last=True), F("pk").desc()],
    )
    # Ranked on ids alone: ranking whole rows would carry every invoice's JSON through
    # the window, 5,000 of them for a big customer, to keep four.
    newest = (
        Invoice.objects.filter(customer=customer, account__in=account_ids)
        .filter(Q(detail__isnull=False) | Q(gone_at__isnull=True))
        .annotate(rank=rank)
        .filter(rank__lte=NEWEST)
        .values("pk")
    )
    return list(
        Invoice.objects.filter(pk__in=newest)
        .only("account", "raw", "detail")
        .order_by("account", F("detail_fetched_at").desc(nulls_last=True), F("issue_date").desc(nulls_last=True), "-pk")
    )
