"""Thin views: parse the request, call the model or sync layer, render.

One view serves a full page and, for htmx requests, the named partial of the
same template, so every link and form also works without JavaScript.
"""

import logging
from typing import TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.text import get_valid_filename
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh
from django_htmx.middleware import HtmxDetails

from invoices import audit, exports, followup, masterdata, open_book, searching, sheets, stages, sweeping, sync, tasks
from invoices.aging import Aging
from invoices.balances import BalanceQuerySet, BookBalance
from invoices.collation import by_name, ordering
from invoices.decorators import staff_required
from invoices.forms import ListForm, SearchForm, SummaryFilterForm, staff_users
from invoices.identity import Identity
from invoices.models import OVERDUE_STAGES, Customer, Invoice, InvoiceQuerySet, LookupAudit, OpenTotal
from invoices.open_book import OpenBalanceQuerySet, OpenTotalQuerySet
from invoices.providers import CredentialsRejected, NotFound, PdfProxy, ProviderError
from invoices.templatetags.arportal import problem_text

log = logging.getLogger(__name__)

INVOICES_PER_PAGE = 50


class HtmxHttpRequest(HttpRequest):
    """A request as HtmxMiddleware leaves it (django-htmx's typing recipe)."""

    htmx: HtmxDetails


def book(filters: SummaryFilterForm) -> tuple[SummaryFilterForm, Aging, InvoiceQuerySet]:
    """The summary filters, their aging, and the invoices they select."""
    return filters, filters.aging(), filters.apply(Invoice.objects.all())


Rows = TypeVar("Rows", OpenBalanceQuerySet, OpenTotalQuerySet)


def open_rows(filters: SummaryFilterForm, rows: Rows | None, *also: str) -> Rows | None:
    """The open book's `rows` (open_book.current, or their totals) narrowed to what `filters`
    pick, or None where they cannot answer: for an account, or for any filter named in `also`."""
    if filters.value("account") or any(filters.value(name) for name in also):
        return None
    if rows is not None and (currency := filters.value("currency")):
        rows = rows.filter(currency=currency)
    return rows


def book_filters(request: HtmxHttpRequest) -> SummaryFilterForm:
    return SummaryFilterForm(request.GET, currencies=BookBalance.objects.currencies())


@staff_required
@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The whole book: totals and aging per currency, largest debtors, freshness."""
    filters, aging, invoices = book(book_filters(request))
    # The history's sums, kept per account by the sync (invoices/balances.py), and
    # the open invoices grouped per customer for today (invoices/open_book.py).
    summary = filters.apply(BookBalance.objects.all())
    book_rows = open_book.current(aging)
    grouped = open_rows(filters, book_rows)
    # The rows summed per currency, kept beside them: what the totals and stages add up.
    summed = open_rows(filters, None if book_rows is None else OpenTotal.objects.all())
    coverage = sweeping.coverage()
    stage_currencies, stage_lines = stages.stage_table(invoices, summary, summed)
    if grouped is None:
        debtors = invoices.largest_debtors(aging, currencies=filters.currencies())
    else:
        debtors = grouped.largest_debtors(currencies=filters.currencies())
    context = {
        "filters": filters,
        "aging": aging,
        "totals": invoices.totals(aging, summary, summed),
        "stage_currencies": stage_currencies,
        "stage_lines": stage_lines,
        "overdue_stages": OVERDUE_STAGES,
        "debtors": debtors,
        "coverage": coverage,
        "accounts": coverage.accounts,
        "customer_count": Customer.objects.count(),
        "followup": followup.figures(request.user, grouped=book_rows),
    }
    return render(request, "invoices/home.html", context)


@staff_required
@require_safe
def sweep_progress(request: HtmxHttpRequest) -> HttpResponse:
    """The running sweep's progress, which the home page polls; once it ends, the page reloads."""
    coverage = sweeping.live()
    if request.htmx and coverage.running is None:
        return HttpResponseClientRefresh()
    if not request.htmx:
        return redirect("home")
    return render(request, "invoices/home.html#sweep", {"coverage": coverage})


@staff_required
@require_safe
def aging_report(request: HtmxHttpRequest) -> HttpResponse:
    """One row per customer and currency, like an accounts-receivable summary report."""
    columns = aging_columns(Aging.today())
    list_form = ListForm(request.GET, sorts=columns, default_sort="-owed", currencies=BookBalance.objects.currencies())
    filters, aging, invoices = book(list_form)
    sort = list_form.value("sort")
    column = columns[sort.removeprefix("-")]
    grouped = open_rows(list_form, open_book.current(aging), "stage")
    rows = grouped.aging_rows(aging) if grouped is not None else in_stage(list_form, invoices).aging_by_customer(aging)
    rows = rows.order_by(*by_currency_if_amount(column), ordering(column, sort.startswith("-")), *AGING_TIEBREAK)
    if grouped is not None:
        rows = open_book.Counted(rows, grouped.exclude(owed=0))
    context = {
        "filters": filters,
        "aging": aging,
        "sort": sort,
        "stage": list_form.value("stage", ""),
        "page": Paginator(rows, 50).get_page(list_form.value("page")),
    }
    return render(request, "invoices/aging.html", context)


AGING_TIEBREAK = (by_name("customer__name"), "customer", "currency")


def by_currency_if_amount(column: str) -> list[str]:
    """Amounts in different currencies do not compare: sorted by an amount, the rows are
    ranked within each currency, as the follow-up list's are."""
    return [] if column in ("customer__name", "currency", "furthest") else ["currency"]


def aging_columns(aging: Aging) -> dict[str, str]:
    """The aging report's sorts: name, currency, any bucket, or the total."""
    return {"name": "customer__name", "currency": "currency", "owed": "owed", "stage": "furthest"} | {
        b.key: b.key for b in aging.buckets
    }


def in_stage(filters: ListForm, invoices: InvoiceQuerySet) -> InvoiceQuerySet:
    """The invoices in the stage the list's filter picks; all of them when it picks none."""
    stage = filters.value("stage")
    return invoices.in_stage(stage) if stage else invoices


@staff_required
@require_safe
def aging_export(request: HtmxHttpRequest, file_format: str = "csv") -> HttpResponseBase:
    """The aging report as a download: CSV, Swedish Excel's CSV or XLSX (sheets.download)."""
    list_form = ListForm(request.GET, sorts=(), default_sort="", currencies=BookBalance.objects.currencies())
    _, aging, invoices = book(list_form)
    rows = (
        in_stage(list_form, invoices)
        .aging_by_customer(aging)
        .order_by(by_name("customer__name"), "customer", "currency")
    )
    audit.list_exported(request)
    return sheets.download(file_format, f"aging-{aging.as_of.isoformat()}", exports.aging_table(rows, aging))


@staff_required
@require_safe
def customer_export(request: HtmxHttpRequest, pk: int, file_format: str = "csv") -> HttpResponseBase:
    customer = get_object_or_404(Customer, pk=pk)
    invoices = customer_invoices(invoice_list_form(request), customer)
    audit.customer_viewed(request, customer, LookupAudit.Action.CUSTOMER_EXPORT)
    return sheets.download(file_format, f"customer-{customer.pk}-invoices", exports.invoice_table(invoices))


@staff_required
@require_safe
def overdue(request: HtmxHttpRequest) -> HttpResponse:
    """Every invoice past due and still owed, across customers and providers, by stage."""
    filters = stages.OverdueForm(request.GET)
    invoices = stages.overdue_invoices(filters)
    context = {
        "filters": filters,
        "sort": filters.value("sort"),
        "stage": filters.value("stage", ""),
        "provider": filters.value("provider", ""),
        "page": Paginator(invoices, INVOICES_PER_PAGE).get_page(filters.value("page")),
    }
    return render(request, "invoices/overdue.html", context)


@staff_required
@require_safe
def overdue_export(request: HtmxHttpRequest, file_format: str = "csv") -> HttpResponseBase:
    invoices = stages.overdue_invoices(stages.OverdueForm(request.GET))
    audit.list_exported(request)
    return sheets.download(file_format, "overdue-invoices", exports.overdue_table(invoices))


@staff_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("q")
@never_cache  # an invalid number comes back in the box: no copy of the page is kept
def search(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.POST or None)
    context: dict[str, object] = {"form": form, "search_form": form}
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["q"]
        if isinstance(query, Identity):
            return identity_lookup(request, query, context)
        found = searching.find(query, get_language())
        if found.only is not None:
            return redirect(audit.reached(found.only, LookupAudit.Via.SEARCH))
        context.update(
            searched_text=query,
            matches=found.customers,
            invoice_matches=found.invoices,
            problems=found.problems,
            number_asked=found.number_asked,
            not_asked_for_number=found.not_asked_for_number,
            not_searched_by_email=found.not_searched_by_email,
        )
    return render(request, "invoices/search.html", context)


# Lookups still running when the search answered, in the session: customer id -> [audit id, task result id].
PENDING = "pending_lookups"


def identity_lookup(request: HtmxHttpRequest, query: Identity, context: dict[str, object]) -> HttpResponse:
    """A known number goes to its page at once; a new one waits up to LOOKUP_WAIT for the providers.

    The customer row is created first and its id, never the number, goes to the task.
    """
    customer, created = Customer.objects.get_or_create_for_number(query.number)
    if not created:
        asked = tasks.refresh_if_stale(customer)
        source = LookupAudit.Source.PROVIDER if asked else LookupAudit.Source.CACHE
        LookupAudit.record(
            request.user, query.number, customer=customer, result_count=customer.invoices.count(), source=source
        )
        return redirect(audit.reached(customer, LookupAudit.Via.LOOKUP))
    lookup = LookupAudit.record(request.user, query.number, customer=customer, source=LookupAudit.Source.PROVIDER)
    result = tasks.start_lookup(customer, lookup.pk)
    if result is None or not tasks.wait_for(customer.pk, settings.LOOKUP_WAIT):
        pending = request.session.get(PENDING, {})
        pending[str(customer.pk)] = [lookup.pk, result.id if result else ""]
        request.session[PENDING] = dict(list(pending.items())[-20:])
        return redirect(audit.reached(customer, LookupAudit.Via.LOOKUP))
    return lookup_outcome(request, lookup, tasks.outcome(result), context)


def lookup_outcome(
    request: HtmxHttpRequest, lookup: LookupAudit, outcome: dict | None, context: dict[str, object]
) -> HttpResponse:
    """Where a finished first lookup leads: the customer found, or a page saying nobody knows the number."""
    lookup.refresh_from_db()
    if lookup.customer is not None:
        return redirect(audit.reached(lookup.customer, LookupAudit.Via.LOOKUP))
    context.update(searched_identity={"masked": lookup.masked_number}, problems=(outcome or {}).get("problems", []))
    return render(request, "invoices/search.html", context)


def finished_lookup(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The page of a customer created for a lookup that has since ended without them:
    the lookup's outcome for whoever started it, else not found."""
    audit_id, result_id = request.session.get(PENDING, {}).get(str(pk), [None, ""])
    lookup = LookupAudit.objects.filter(pk=audit_id).first() if audit_id else None
    if lookup is None or lookup.user_id != request.user.pk:
        raise Http404(_("No such customer."))
    if request.htmx:
        # The page polls a fragment; the outcome is a whole page.
        if lookup.customer is not None:
            return HttpResponseClientRedirect(audit.reached(lookup.customer, LookupAudit.Via.LOOKUP))
        return HttpResponseClientRefresh()
    form = SearchForm()
    return lookup_outcome(request, lookup, tasks.outcome_by_id(result_id), {"form": form, "search_form": form})


@staff_required
@require_safe
@vary_on_headers("HX-Request")
def customer(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The cached invoices at once; a stale customer gets a refresh task, and the page
    polls its data section until the task has ended."""
    customer = Customer.objects.filter(pk=pk).select_related("followup__owner").with_active_accounts().first()
    if customer is None:
        return finished_lookup(request, pk)
    links = sync.customer_links(customer, customer.active_accounts)
    # While a refresh runs, the page polls this view: it only reads.
    if not customer.is_refreshing and tasks.refresh_if_stale(customer, links):
        # Read again: the task may have ended already (or, with the immediate backend, run).
        customer.refresh_from_db()
        links = sync.customer_links(customer, customer.active_accounts)
    if not request.htmx:
        # A whole page is a view; its htmx polls and filters re-read the page already audited.
        audit.customer_viewed(request, customer, LookupAudit.Action.CUSTOMER_PAGE, trust_via=True)
    return render_customer(request, customer, links)


@staff_required
@require_POST
@vary_on_headers("HX-Request")
@permission_required("invoices.refresh_from_provider", raise_exception=True)
def customer_refresh(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    # A refresh already queued or running is joined: a second click enqueues nothing.
    tasks.request_refresh(customer)
    if request.htmx:
        customer.refresh_from_db()
        return render_customer(request, customer, sync.customer_links(customer))
    # Problems are kept on the links, so the page after the redirect shows them.
    return redirect(customer)


def invoice_list_form(request: HtmxHttpRequest) -> ListForm:
    return ListForm(request.GET, sorts=InvoiceQuerySet.SORTABLE, default_sort="-issued")


def customer_invoices(filters: ListForm, customer: Customer) -> InvoiceQuerySet:
    """The customer's invoices as the list shows them: provider, open or overdue, sort, as-of date."""
    invoices = customer_selection(filters, customer).select_related("account").sorted_by(filters.value("sort"))
    show = filters.value("show")
    if show == "open":
        invoices = invoices.unsettled()
    elif show == "overdue":
        invoices = invoices.past_due(filters.aging().as_of)
    if as_of := filters.value("as_of"):
        invoices = invoices.filter(issue_date__lte=as_of)
    return invoices


def customer_selection(filters: ListForm, customer: Customer) -> InvoiceQuerySet:
    """The part of the customer's invoices the totals and the list follow: the provider and stage filters."""
    invoices = customer.invoices.all()
    if provider := filters.value("provider"):
        invoices = invoices.filter(account__kind=provider)
    return in_stage(filters, invoices)


def customer_summary(filters: ListForm, customer: Customer) -> BalanceQuerySet | None:
    """The Balance rows of customer_selection, which exist for a provider but not for a stage."""
    if filters.value("stage"):
        return None
    balances = customer.balances.all()
    if provider := filters.value("provider"):
        balances = balances.filter(account__kind=provider)
    return balances


def customer_open_rows(filters: ListForm, customer: Customer, aging: Aging) -> OpenBalanceQuerySet | None:
    """The customer's open book rows, where they answer for customer_selection (no provider,
    no stage: they sum the customer at every account)."""
    if filters.value("provider") or filters.value("stage"):
        return None
    rows = open_book.current(aging)
    return None if rows is None else rows.filter(customer=customer)


@staff_required
@require_POST
@vary_on_headers("HX-Request")
@permission_required("invoices.reveal_identity", raise_exception=True)
def customer_reveal(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show the full personal number to a user allowed to see it, and audit that they did."""
    customer = get_object_or_404(Customer.objects.identified(), pk=pk)
    if not customer.is_person:
        raise Http404(_("Organisation numbers are not masked."))
    LookupAudit.record(
        request.user,
        customer.identity_number,
        customer=customer,
        result_count=customer.invoices.count(),
        action=LookupAudit.Action.REVEAL,
    )
    if request.htmx:
        return render(request, "invoices/customer.html#identity", {"customer": customer, "revealed": True})
    return render_customer(request, customer, sync.customer_links(customer), revealed=True)


def render_customer(request: HtmxHttpRequest, customer: Customer, links: list, revealed: bool = False) -> HttpResponse:
    """The customer page; `links` are the customer's accounts as the last refresh left them."""
    filters = invoice_list_form(request)
    # The list shows none of the provider's JSON nor the accounts' secrets: 50 documents
    # decoded and 50 secrets decrypted for nothing.
    invoices = customer_invoices(filters, customer).defer("raw", "detail", "account__secret")
    aging = filters.aging()
    context = {
        "revealed": revealed,
        "can_refresh": request.user.has_perm("invoices.refresh_from_provider"),
        # Organisation numbers are public and shown whole; only persons' are revealed.
        "can_reveal": customer.is_person and request.user.has_perm("invoices.reveal_identity"),
        "customer": customer,
        "refreshing": customer.is_refreshing,
        "never_fetched": not any(link.fetched_at for link in links),
        "problems": sync.current_problems(links),
        "links": links,
        "totals": customer_selection(filters, customer).totals(
            aging, customer_summary(filters, customer), customer_open_rows(filters, customer, aging)
        ),
        "aging": aging,
        "filters": filters,
        "dated": filters.value("as_of") is not None,
        "page": Paginator(invoices, INVOICES_PER_PAGE).get_page(filters.value("page")),
        "sort": filters.value("sort"),
        "provider": filters.value("provider", ""),
        "stage": filters.value("stage", ""),
        "show": filters.value("show", ""),
        "shows": ListForm.SHOWS,
    }
    if not request.htmx:
        # The master-data and follow-up panels sit outside the part a refresh swaps.
        context |= {
            "master": masterdata.master_data(customer, links),
            "panel": followup.panel(customer),
            "can_edit_followup": request.user.has_perm("invoices.edit_followup"),
            "owners": staff_users(),
        }
    template = "invoices/customer.html#data" if request.htmx else "invoices/customer.html"
    return render(request, template, context)


@staff_required
@require_safe
@vary_on_headers("HX-Request")
def invoice(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("account", "customer"), pk=pk)
    # Audited also when htmx asks: that is the invoice opened in place on the customer page.
    audit.invoice_viewed(request, invoice, LookupAudit.Action.INVOICE_PAGE, trust_via=True)
    return render_invoice(request, invoice, sync.invoice_detail(invoice, language=get_language()))


@staff_required
@require_POST
@vary_on_headers("HX-Request")
@permission_required("invoices.refresh_from_provider", raise_exception=True)
def invoice_refresh(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("account", "customer"), pk=pk)
    problem = sync.invoice_detail(invoice, force=True, language=get_language())
    if request.htmx:
        return render_invoice(request, invoice, problem)
    if problem:
        messages.warning(
            request, format_html(_("The invoice could not be refreshed: {problem}"), problem=problem_text(problem))
        )
    return redirect(invoice)


def render_invoice(request: HtmxHttpRequest, invoice: Invoice, problem: ProviderError | None) -> HttpResponse:
    provider = invoice.account.provider
    detail, unreadable = None, False
    if invoice.detail is not None:
        try:
            detail = provider.present_safely(invoice.detail)
        except ProviderError as exc:
            log.warning("cached detail of invoice %s is unreadable: %s", invoice.pk, exc)
            unreadable = True
    context = {
        "can_refresh": request.user.has_perm("invoices.refresh_from_provider"),
        "invoice": invoice,
        "provider": provider,
        "detail": detail,
        "unreadable": unreadable,
        "problem": problem,
        "not_found": isinstance(problem, NotFound),
        "credentials_rejected": isinstance(problem, CredentialsRejected),
        "credited_invoice": invoice.credited_invoice(),
        "credit_invoices": invoice.credit_invoices(),
        "charged_invoice": invoice.charged_invoice(),
        "interest_invoices": invoice.interest_invoices(),
    }
    template = "invoices/invoice.html#detail" if request.htmx else "invoices/invoice.html"
    return render(request, template, context)


@staff_required
@require_safe
def invoice_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponseBase:
    """A PDF that needs the provider's credentials is fetched through us; others are public links."""
    invoice = get_object_or_404(Invoice.objects.select_related("account"), pk=pk)
    if not invoice.account.provider.proxies_pdf:
        if link := invoice.pdf_link:
            return redirect(link)
        raise Http404(_("This invoice has no PDF."))
    try:
        # The registry promises a PdfProxy client for providers that proxy PDFs (a test checks).
        pdf = sync.guarded(
            invoice.account,
            "PDF",
            lambda client: cast(PdfProxy, client).invoice_pdf(invoice.provider_id),
            get_language(),
        )
    except ProviderError as exc:
        messages.warning(request, format_html(_("The PDF could not be fetched: {problem}"), problem=problem_text(exc)))
        return redirect(invoice)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = get_valid_filename(f"{invoice.account.kind}-invoice-{invoice.number}.pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
