"""Thin views: parse the request, call the model or sync layer, render.

One view serves a full page and, for htmx requests, the named partial of the
same template, so every link and form also works without JavaScript.
"""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from invoices import sync
from invoices.decorators import staff_required
from invoices.forms import SearchForm
from invoices.identity import Identity
from invoices.models import Customer, ProviderAccount

INVOICES_PER_PAGE = 50


@staff_required
def home(request):
    customers = Customer.objects.order_by("-created_at")
    page = Paginator(customers, 25).get_page(request.GET.get("page"))
    return render(request, "invoices/home.html", {"page": page})


@staff_required
def search(request):
    form = SearchForm(request.POST or None)
    context = {"form": form, "search_form": form}
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["q"]
        if isinstance(query, Identity):
            result = sync.lookup_identity(query)
            if result.customer is not None:
                return redirect(result.customer)
            context.update(searched_identity=query, problems=result.problems)
        else:
            matches, problems = sync.lookup_text(query)
            if len(matches) == 1 and not problems:
                return redirect(matches[0])
            context.update(searched_text=query, matches=matches, problems=problems)
    return render(request, "invoices/search.html", context)


@staff_required
def customer(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    return render_customer(request, customer, sync.refresh_if_stale(customer))


@require_POST
@staff_required
def customer_refresh(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    problems = sync.refresh(customer)
    if request.htmx:
        return render_customer(request, customer, problems)
    # Problems are kept on the links, so the page after the redirect shows them.
    return redirect(customer)


def render_customer(request, customer, problems):
    sort = request.GET.get("sort", "-issued")
    provider = request.GET.get("provider", "")
    invoices = customer.invoices.select_related("account").sorted_by(sort)
    if provider in ProviderAccount.Kind.values:
        invoices = invoices.filter(account__kind=provider)
    context = {
        "customer": customer,
        "problems": problems,
        "links": customer.links.select_related("account").filter(account__active=True).order_by("account__name"),
        "balances": customer.invoices.balances(),
        "page": Paginator(invoices, INVOICES_PER_PAGE).get_page(request.GET.get("page")),
        "sort": sort,
        "provider": provider,
        "providers": ProviderAccount.Kind.choices,
    }
    template = "invoices/customer.html#data" if request.htmx else "invoices/customer.html"
    return render(request, template, context)
