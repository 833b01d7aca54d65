"""Thin views: parse the request, call the model or sync layer, render.

One view serves a full page and, for htmx requests, the named partial of the
same template, so every link and form also works without JavaScript.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import get_valid_filename
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from invoices import exports, sync
from invoices.decorators import staff_required
from invoices.forms import SearchForm, SummaryFilterForm
from invoices.identity import Identity
from invoices.models import Customer, Invoice, LookupAudit, ProviderAccount
from invoices.providers import NotFound, ProviderError, present

log = logging.getLogger(__name__)

INVOICES_PER_PAGE = 50


def book(request):
    """The summary filters of a request, its aging, and the invoices they select."""
    filters = SummaryFilterForm(request.GET, currencies=Invoice.objects.currencies())
    return filters, filters.aging(), filters.apply(Invoice.objects.all())


@staff_required
def home(request):
    """The whole book: totals and aging per currency, largest debtors, freshness."""
    filters, aging, invoices = book(request)
    context = {
        "filters": filters,
        "aging": aging,
        "totals": invoices.totals(aging),
        "debtors": invoices.largest_debtors(aging),
        "accounts": ProviderAccount.objects.with_freshness(),
        "customer_count": Customer.objects.count(),
    }
    return render(request, "invoices/home.html", context)


@staff_required
def aging_report(request):
    """One row per customer and currency, like an accounts-receivable summary report."""
    filters, aging, invoices = book(request)
    sort = request.GET.get("sort", "-owed")
    rows = invoices.aging_by_customer(aging).order_by(*aging_order(sort, aging))
    context = {
        "filters": filters,
        "aging": aging,
        "sort": sort,
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
    }
    return render(request, "invoices/aging.html", context)


def aging_order(sort, aging):
    """A whitelisted sort for the aging report: name, currency, any bucket, or the total."""
    columns = {"name": "customer__name", "currency": "currency", "owed": "owed"}
    columns.update({bucket.key: bucket.key for bucket in aging.buckets})
    column = columns.get(sort.lstrip("-"), "owed")
    descending = sort.startswith("-") or sort.lstrip("-") not in columns
    return [f"-{column}" if descending else column, "customer__name", "customer", "currency"]


@staff_required
def aging_csv(request):
    _, aging, invoices = book(request)
    rows = invoices.aging_by_customer(aging).order_by("customer__name", "customer", "currency")
    return exports.csv_response(f"aging-{aging.as_of.isoformat()}.csv", *exports.aging_table(rows, aging))


@staff_required
def customer_csv(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    _, invoices = customer_invoices(request, customer)
    return exports.csv_response(f"customer-{customer.pk}-invoices.csv", *exports.invoice_table(invoices))


@staff_required
@sensitive_post_parameters("q")
def search(request):
    form = SearchForm(request.POST or None)
    context = {"form": form, "search_form": form}
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["q"]
        if isinstance(query, Identity):
            result = sync.lookup_identity(query)
            audit_lookup(request.user, query, result)
            if result.customer is not None:
                return redirect(result.customer)
            context.update(searched_identity=query, problems=result.problems)
        else:
            matches, problems = sync.lookup_text(query)
            if len(matches) == 1 and not problems:
                return redirect(matches[0])
            context.update(searched_text=query, matches=matches, problems=problems)
    return render(request, "invoices/search.html", context)


def audit_lookup(user, query, result):
    LookupAudit.record(
        user,
        query.number,
        customer=result.customer,
        result_count=result.customer.invoices.count() if result.customer else 0,
        source=LookupAudit.Source.PROVIDER if result.asked_providers else LookupAudit.Source.CACHE,
    )


@staff_required
def customer(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    links, _ = sync.refresh_if_stale(customer)
    return render_customer(request, customer, links)


@staff_required
@require_POST
@permission_required("invoices.refresh_from_provider", raise_exception=True)
def customer_refresh(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    links = sync.refresh(customer)
    if request.htmx:
        return render_customer(request, customer, links)
    # Problems are kept on the links, so the page after the redirect shows them.
    return redirect(customer)


def customer_invoices(request, customer):
    """The customer's invoices as the list shows them: provider filter, sort, as-of date."""
    filters = SummaryFilterForm(request.GET)
    invoices = customer.invoices.select_related("account").sorted_by(request.GET.get("sort", "-issued"))
    if (provider := request.GET.get("provider", "")) in ProviderAccount.Kind.values:
        invoices = invoices.filter(account__kind=provider)
    if as_of := filters.value("as_of"):
        invoices = invoices.filter(issue_date__lte=as_of)
    return filters, invoices


@staff_required
@require_POST
@permission_required("invoices.reveal_identity", raise_exception=True)
def customer_reveal(request, pk):
    """Show the full personal number to a user allowed to see it, and audit that they did."""
    customer = get_object_or_404(Customer, pk=pk, identity_number__isnull=False)
    if not customer.is_person:
        raise Http404("Organisation numbers are not masked.")
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


def render_customer(request, customer, links, revealed=False):
    """The customer page; `links` are the customer's accounts as the last refresh left them."""
    filters, invoices = customer_invoices(request, customer)
    aging = filters.aging()
    context = {
        "revealed": revealed,
        "can_refresh": request.user.has_perm("invoices.refresh_from_provider"),
        # Organisation numbers are public and shown whole; only persons' are revealed.
        "can_reveal": customer.is_person and request.user.has_perm("invoices.reveal_identity"),
        "customer": customer,
        "problems": sync.current_problems(links),
        "links": links,
        "totals": customer.invoices.totals(aging),
        "aging": aging,
        "filters": filters,
        "dated": filters.value("as_of") is not None,
        "page": Paginator(invoices, INVOICES_PER_PAGE).get_page(request.GET.get("page")),
        "sort": request.GET.get("sort", "-issued"),
        "provider": request.GET.get("provider", ""),
        "providers": ProviderAccount.Kind.choices,
    }
    template = "invoices/customer.html#data" if request.htmx else "invoices/customer.html"
    return render(request, template, context)


@staff_required
def invoice(request, pk):
    invoice = get_object_or_404(Invoice.objects.select_related("account", "customer"), pk=pk)
    return render_invoice(request, invoice, sync.invoice_detail(invoice))


@staff_required
@require_POST
@permission_required("invoices.refresh_from_provider", raise_exception=True)
def invoice_refresh(request, pk):
    invoice = get_object_or_404(Invoice.objects.select_related("account", "customer"), pk=pk)
    problem = sync.invoice_detail(invoice, force=True)
    if request.htmx:
        return render_invoice(request, invoice, problem)
    if problem:
        messages.warning(request, f"The invoice could not be refreshed: {problem}")
    return redirect(invoice)


def render_invoice(request, invoice, problem):
    detail, unreadable = None, False
    if invoice.detail is not None:
        try:
            detail = present(invoice.account.kind, invoice.detail)
        except ProviderError as exc:
            log.warning("cached detail of invoice %s is unreadable: %s", invoice.pk, exc)
            unreadable = True
    context = {
        "can_refresh": request.user.has_perm("invoices.refresh_from_provider"),
        "invoice": invoice,
        "detail": detail,
        "unreadable": unreadable,
        "problem": problem,
        "not_found": isinstance(problem, NotFound),
        "credited_invoice": invoice.credited_invoice(),
        "credit_invoices": invoice.credit_invoices(),
    }
    template = "invoices/invoice.html#detail" if request.htmx else "invoices/invoice.html"
    return render(request, template, context)


@staff_required
def invoice_pdf(request, pk):
    """Fusebill's PDF needs the API key, so it is streamed through us; Qvickly's is a public link."""
    invoice = get_object_or_404(Invoice.objects.select_related("account"), pk=pk)
    if invoice.account.kind != ProviderAccount.Kind.FUSEBILL:
        if invoice.pdf_url:
            return redirect(invoice.pdf_url)
        raise Http404("This invoice has no PDF.")
    try:
        upstream = invoice.account.client().invoice_pdf(invoice.provider_id)
    except ProviderError as exc:
        messages.warning(request, f"The PDF could not be fetched: {exc}")
        return redirect(invoice)
    response = StreamingHttpResponse(stream(upstream), content_type="application/pdf")
    filename = get_valid_filename(f"{invoice.account.kind}-invoice-{invoice.number}.pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream(upstream, chunk_size=64 * 1024):
    try:
        yield from upstream.iter_content(chunk_size)
    finally:
        upstream.close()
