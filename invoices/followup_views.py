"""The follow-up list and its edits: thin views over invoices.followup.

Every edit is a plain form POST that redirects back, and answers an htmx
request with the fragment it changed instead. Edits need the Collectors role
(invoices.edit_followup); bad input is said on the page and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from invoices import followup
from invoices.decorators import staff_required
from invoices.forms import (
    BulkAssignForm,
    DisputeForm,
    FollowUpFilterForm,
    FollowUpForm,
    NoteForm,
    PromiseForm,
    staff_users,
)
from invoices.models import BookBalance, Customer
from invoices.views import HtmxHttpRequest

ROWS_PER_PAGE = 50
EDIT = "invoices.edit_followup"


def can_edit(request: HtmxHttpRequest) -> bool:
    return request.user.has_perm(EDIT)


def back(request: HtmxHttpRequest, default: str) -> HttpResponse:
    """Where a plain form post returns: the page it came from (this site only), else `default`."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return redirect(target)


def errors_of(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@staff_required
@require_safe
@vary_on_headers("HX-Request")
def followup_list(request: HtmxHttpRequest) -> HttpResponse:
    """Customers with money overdue, per currency, most urgent first."""
    followup.settle_promises()
    today = timezone.localdate()
    owners = list(staff_users())
    filters = FollowUpFilterForm(request.GET, users=owners, currencies=BookBalance.objects.currencies())
    page = Paginator(followup.list_rows(filters, request.user, today), ROWS_PER_PAGE).get_page(filters.value("page"))
    page.object_list = followup.with_promises(page.object_list, today)
    context = {
        "filters": filters,
        "owners": owners,
        "can_edit_followup": can_edit(request),
        "today": today,
        "page": page,
    }
    template = "invoices/followup.html#list" if request.htmx else "invoices/followup.html"
    return render(request, template, context)


@staff_required
@require_POST
@permission_required(EDIT, raise_exception=True)
def followup_assign(request: HtmxHttpRequest) -> HttpResponse:
    """Gives every ticked customer one owner (or none)."""
    form = BulkAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nobody was assigned. %(errors)s") % {"errors": errors_of(form)})
        return back(request, reverse("followup"))
    owner = form.cleaned_data["owner"]
    ticked = list(form.cleaned_data["customers"])
    changed = followup.set_owner(request.user, ticked, owner)
    if owner:
        who = owner.get_username()
        text = ngettext("Assigned %(count)d customer to %(who)s.", "Assigned %(count)d customers to %(who)s.", changed)
    else:
        who = ""
        text = ngettext("Assigned %(count)d customer to nobody.", "Assigned %(count)d customers to nobody.", changed)
    text %= {"count": changed, "who": who}
    if unchanged := len(ticked) - changed:
        if owner:
            already = ngettext("%(count)d was %(who)s's already.", "%(count)d were %(who)s's already.", unchanged)
        else:
            already = ngettext("%(count)d was nobody's already.", "%(count)d were nobody's already.", unchanged)
        text += " " + already % {"count": unchanged, "who": who}
    messages.success(request, text)
    return back(request, reverse("followup"))


@staff_required
@require_POST
@vary_on_headers("HX-Request")
@permission_required(EDIT, raise_exception=True)
def followup_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Owner and next action of one customer, from a list row or the customer page."""
    customer = get_object_or_404(Customer, pk=pk)
    form = FollowUpForm(request.POST)
    saved = False
    if form.is_valid():
        if form.posted("owner"):
            saved |= followup.set_owner(request.user, [customer], form.cleaned_data["owner"]) > 0
        if form.posted("next_action"):
            saved |= followup.set_next_action(request.user, customer, form.cleaned_data["next_action"])
    if request.htmx:
        record = followup.FollowUp.objects.select_related("owner").filter(customer=customer).first()
        context = {
            "customer_id": customer.pk,
            "owner_id": record.owner_id if record else None,
            "next_action": record.next_action if record else None,
            "owners": staff_users(),
            "can_edit_followup": True,
            "form": form,
            # Valid: what the cells show is what is stored, changed or not.
            "saved": form.is_valid(),
            "slot": request.POST.get("slot", ""),
            "next_url": request.POST.get("next", ""),
        }
        return render(request, "invoices/_followup_edit.html", context)
    if form.is_valid():
        messages.success(
            request,
            _("Saved the follow-up of %(customer)s.") % {"customer": customer} if saved else _("Nothing changed."),
        )
    else:
        messages.error(request, _("Nothing was saved. %(errors)s") % {"errors": errors_of(form)})
    return back(request, customer.get_absolute_url())


def panel_response(request: HtmxHttpRequest, customer: Customer, done: str, form=None) -> HttpResponse:
    """The customer page's follow-up panel again (htmx), or back to the page with a message."""
    failed = form is not None and not form.is_valid()
    if request.htmx:
        context = {
            "customer": customer,
            "panel": followup.panel(customer),
            "owners": staff_users(),
            "can_edit_followup": True,
            "done": "" if failed else done,
            "failed": failed,
            "failed_form": form if failed else None,
        }
        return render(request, "invoices/_followup_panel.html", context)
    if failed:
        messages.error(request, _("Nothing was saved. %(errors)s") % {"errors": errors_of(form)})
    else:
        messages.success(request, done)
    return redirect(f"{customer.get_absolute_url()}#followup")


@staff_required
@require_POST
@vary_on_headers("HX-Request")
@permission_required(EDIT, raise_exception=True)
def followup_note(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        note = followup.add_note(request.user, customer, form.cleaned_data["kind"], form.cleaned_data["text"])
        return panel_response(request, customer, _("%(kind)s logged.") % {"kind": note.get_kind_display()}, form)
    return panel_response(request, customer, "", form)


@staff_required
@require_POST
@vary_on_headers("HX-Request")
@permission_required(EDIT, raise_exception=True)
def followup_promise(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    form = PromiseForm(request.POST, prefix="promise", customer=customer, currencies=customer.invoices.currencies())
    if form.is_valid():
        data = form.cleaned_data
        followup.add_promise(request.user, customer, data["amount"], data["currency"], data["due"])
        return panel_response(request, customer, _("Promise to pay registered."), form)
    return panel_response(request, customer, "", form)


@staff_required
@require_POST
@vary_on_headers("HX-Request")
@permission_required(EDIT, raise_exception=True)
def followup_dispute(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Records a dispute on one of the customer's invoices with its reason, or clears it."""
    customer = get_object_or_404(Customer, pk=pk)
    form = DisputeForm(request.POST, prefix="dispute", invoices=customer.invoices.all())
    if form.is_valid():
        invoice = form.cleaned_data["invoice"]
        followup.set_dispute(request.user, invoice, form.new_reason)
        if form.new_reason:
            done = _("Invoice %(number)s marked disputed.") % {"number": invoice.number}
        else:
            done = _("Invoice %(number)s no longer disputed.") % {"number": invoice.number}
        return panel_response(request, customer, done, form)
    return panel_response(request, customer, "", form)
