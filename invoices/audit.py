"""Every view of a person's data is recorded: who, when, what was opened, and how it was reached.

How a page was reached is told by two things that carry no personal data:
- the search's own redirect adds `?via=lookup` (a personal or organisation
  number) or `?via=search` (a name, an e-mail or an invoice number), because a
  redirect after a POST arrives with the Referer of the page the form was on;
- otherwise the Referer, which the browser sends within this site
  (SECURE_REFERRER_POLICY is same-origin), resolved to the name of our page
  it names: a list, the search's results, or any other page (a link).
No Referer, or one from elsewhere, is recorded as direct (typed, bookmarked,
or withheld by the browser). Only URL names are kept, never paths or queries.
"""

from urllib.parse import parse_qs, urlsplit

from django.db.models import Model
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from invoices.models import Customer, Invoice, LookupAudit

Via = LookupAudit.Via

# Pages that list many customers: a person opened from one was picked from a list.
LISTS = {
    "home",
    "aging",
    "overdue",
    "followup",
    "admin:invoices_customer_changelist",
    "admin:invoices_invoice_changelist",
}
SEARCHES = {"search"}


def reached(obj: Model, via: str) -> str:
    """The URL of a customer or invoice the search leads to, saying how it was found."""
    return f"{obj.get_absolute_url()}?via={via}"  # type: ignore[attr-defined]


def how_reached(request: HttpRequest, *, trust_via: bool = False) -> dict[str, str]:
    """`opened`, `via` and `reached_from` for the audit row of this request.

    `?via=` is trusted only on the pages the search redirects to; elsewhere it may
    just be copied along with the rest of a page's query."""
    match = request.resolver_match
    opened = match.view_name if match else ""
    page = referring_page(request)
    via = request.GET.get("via", "") if trust_via else ""
    if via not in (Via.LOOKUP, Via.SEARCH):
        via = kind_of(page, request.META.get("HTTP_REFERER", ""))
    return {"opened": opened[:80], "via": via, "reached_from": page[:80]}


def referring_page(request: HttpRequest) -> str:
    """The URL name of the page on this site the Referer names, or ""."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    try:
        return resolve(urlsplit(referer).path).view_name
    except Resolver404:
        return ""


def kind_of(page: str, referer: str) -> str:
    if not page:
        return Via.DIRECT
    if page in SEARCHES:
        return Via.SEARCH
    if page in LISTS:
        # The admin's list with its search box filled in is a search by name or e-mail.
        return Via.SEARCH if parse_qs(urlsplit(referer).query).get("q", [""])[0] else Via.LIST
    return Via.LINK


def customer_viewed(
    request: HttpRequest, customer: Customer, action: str, *, result_count: int = 0, trust_via: bool = False
) -> LookupAudit:
    """One INSERT: the customer's page, export or statement was opened."""
    return LookupAudit.record_view(
        request.user, customer, action, result_count=result_count, **how_reached(request, trust_via=trust_via)
    )


def invoice_viewed(request: HttpRequest, invoice: Invoice, action: str, *, trust_via: bool = False) -> LookupAudit:
    """One INSERT: an invoice was opened (its customer must be loaded with it)."""
    return LookupAudit.record_view(
        request.user,
        invoice.customer,
        action,
        invoice=invoice,
        result_count=1,
        **how_reached(request, trust_via=trust_via),
    )


def list_exported(request: HttpRequest) -> LookupAudit:
    """One INSERT for a download of a list of many customers (aging, overdue), whoever is in it:
    counting them first would cost a query of its own."""
    return LookupAudit.record_view(request.user, None, LookupAudit.Action.LIST_EXPORT, **how_reached(request))
