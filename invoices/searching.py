"""What the search box finds for text that is no personal or organisation number:
invoice numbers, customer numbers, names and e-mail addresses.

An invoice number the cache holds is answered from the cache alone. One it does
not is asked of every account whose provider can look an invoice up by number
(Qvickly's getPaymentinfo says whose it is; the customer's invoices are then
fetched and cached), beside the customer search of sync.lookup_text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from invoices import sync
from invoices.models import Customer, Invoice, ProviderAccount
from invoices.providers import ProviderError, Search
from invoices.sync import Problem

# An invoice number as staff type it: one word with a digit in it, no longer than the column.
INVOICE_NUMBER = re.compile(r"(?=\S*[0-9])\S{1,64}")


@dataclass
class Found:
    customers: list[Customer] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The text was asked as an invoice number too; accounts whose provider cannot be.
    number_asked: bool = False
    not_asked_for_number: list[str] = field(default_factory=list)
    # Accounts whose provider cannot search by e-mail address (Qvickly).
    not_searched_by_email: list[str] = field(default_factory=list)

    @property
    def only(self) -> Customer | Invoice | None:
        """The one thing found, to go straight to; None when there is a choice to make
        or a provider that could not be asked might have had another."""
        hits: list[Customer | Invoice] = [*self.invoices, *self.customers]
        return hits[0] if len(hits) == 1 and not self.problems else None


def find(text: str) -> Found:
    if INVOICE_NUMBER.fullmatch(text) and (cached := cached_invoices(text)):
        # The number is known here: nobody is asked, and a customer whose own number
        # it also is stays a choice beside the invoices.
        return Found(list(Customer.objects.filter(links__provider_customer_id=text).distinct()), cached)
    customers, problems = sync.lookup_text(text)
    accounts = ProviderAccount.objects.filter(active=True).order_by("name")
    found = Found(customers, problems=problems)
    if "@" in text:
        found.not_searched_by_email = [account.name for account in accounts if not sync.can_search(account, text)]
    if text.isdigit():
        ask_for_invoice(text, found)
    return found


def cached_invoices(number: str) -> list[Invoice]:
    """Every cached invoice with this number, at any account, by account name."""
    invoices = Invoice.objects.filter(number=number).select_related("account", "customer")
    return list(invoices.order_by("account__name", "pk")[:20])


def ask_for_invoice(number: str, found: Found) -> None:
    """Asks each account that can look an invoice up by number alone; what it finds is
    cached and added to `found`, a failure added to its problems."""
    found.number_asked = True
    failed = {problem.account for problem in found.problems}
    for account in ProviderAccount.objects.filter(active=True).order_by("name"):
        if Search.INVOICE_NUMBER not in account.provider.searches:
            found.not_asked_for_number.append(account.name)
            continue
        if account.name in failed:
            continue  # it just failed the customer search: asking again would only wait as long again
        try:
            record = sync.guarded(account, "invoice search", lambda client: client.find_invoice(number))
        except ProviderError as exc:
            found.problems.append(sync.problem_of(account, exc))
            continue
        if record is None:
            continue
        customer = sync.adopt(account, record)
        invoices = list(Invoice.objects.filter(account=account, number=number).select_related("account", "customer"))
        found.invoices.extend(invoices)
        if not invoices and all(customer.pk != known.pk for known in found.customers):
            # Whose the invoice is, though their listing left it out.
            found.customers.append(customer)
