"""The statement of account, as a print-friendly page and as a PDF; both audited."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from invoices import audit, statement, statement_pdf
from invoices.decorators import staff_required
from invoices.models import Customer, LookupAudit


def customer_statement(request: HttpRequest, pk: int) -> statement.Statement:
    customer = get_object_or_404(Customer, pk=pk)
    return statement.build(customer, statement.period_days(request.GET.get("days")))


# Never cached: every view of the statement is audited, a cached copy would not be.
@staff_required
@require_safe
@never_cache
def statement_page(request: HttpRequest, pk: int) -> HttpResponse:
    shown = customer_statement(request, pk)
    audit.customer_viewed(request, shown.customer, LookupAudit.Action.STATEMENT_PAGE, result_count=len(shown.open_rows))
    return render(request, "invoices/statement.html", {"statement": shown, "periods": statement.PERIODS})


@staff_required
@require_safe
@never_cache
def statement_download(request: HttpRequest, pk: int) -> HttpResponse:
    shown = customer_statement(request, pk)
    audit.customer_viewed(request, shown.customer, LookupAudit.Action.STATEMENT_PDF, result_count=len(shown.open_rows))
    response = HttpResponse(statement_pdf.render(shown), content_type="application/pdf")
    # The customer's id and the date name the file: never their number.
    name = _("statement")
    response["Content-Disposition"] = f'attachment; filename="{name}-{pk}-{shown.today.isoformat()}.pdf"'
    return response
