"""Credentials are managed here by superusers; the cache and the audit log are read-only."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from invoices import audit, formatting, identity, sheets, subject, subject_pdf, sync
from invoices.models import Customer, FollowUpAudit, Invoice, LookupAudit, ProviderAccount
from invoices.providers import ProviderError


class ProviderAccountForm(forms.ModelForm):
    # Write-only: the stored secret is never rendered; blank keeps it.
    secret = forms.CharField(
        label=capfirst(gettext_lazy("secret")),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Qvickly secret or Fusebill API key. Never shown again; leave blank to keep the current one."
        ),
    )

    base_url = forms.URLField(
        label=capfirst(gettext_lazy("base URL")),
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        help_text=ProviderAccount._meta.get_field("base_url").help_text,
    )

    class Meta:
        model = ProviderAccount
        fields = [
            "name",
            "kind",
            "active",
            "base_url",
            "merchant_id",
            "secret",
            "currency",
            "cache_ttl",
            "requests_per_minute",
            "identity_field",
            "test_mode",
            "language",
        ]

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if not secret and not self.instance.pk:
            raise forms.ValidationError(_("A new account needs its secret."))
        return secret or self.instance.secret


class SuperuserOnly:
    """Credentials are for superusers alone, whatever permissions a group grants."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ProviderAccount)
class ProviderAccountAdmin(SuperuserOnly, admin.ModelAdmin):
    form = ProviderAccountForm
    list_display = ["name", "kind", "base_url", "merchant_id", "active", "test_mode", "currency"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "merchant_id"]
    actions = ["test_connection"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "active", "base_url", "merchant_id", "secret", "currency"]}),
        (
            gettext_lazy("Settings"),
            {"fields": ["cache_ttl", "requests_per_minute", "identity_field", "test_mode", "language"]},
        ),
    ]

    @admin.action(description=gettext_lazy("Test connection"))
    def test_connection(self, request, queryset):
        """A cheap call per account (Qvickly getAccountinfo, a one-row Fusebill customer list)."""
        for account in queryset:
            try:
                sync.guarded(account, "test connection", lambda client: client.account_info())
            except ProviderError as exc:
                self.message_user(
                    request, _("%(account)s: %(problem)s") % {"account": account.name, "problem": exc}, messages.ERROR
                )
            else:
                self.message_user(
                    request, _("%(account)s: the connection works.") % {"account": account.name}, messages.SUCCESS
                )


class ReadOnly(admin.ModelAdmin):
    # The admin's record of a customer or invoice is a view of a person's data (invoices.audit).
    audited_action: str = ""

    # Filters in the URL must never search personal data: a lookup by number
    # belongs to the audited search, not to a GET parameter.
    PRIVATE_LOOKUPS = ("identity_number", "customer__identity_number", "raw", "detail", "masked_number", "number_hash")

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in self.PRIVATE_LOOKUPS or lookup.startswith(self.PRIVATE_LOOKUPS):
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = getattr(response, "context_data", {}).get("original")
        if self.audited_action and request.method == "GET" and shown is not None:
            self.audit_view(request, shown)
        return response

    def audit_view(self, request, obj) -> None:
        pass


@admin.register(Customer)
class CustomerAdmin(ReadOnly):
    list_display = ["__str__", "masked_identity", "email", "created_at"]
    search_fields = ["name", "email"]
    # The identity number is shown masked; the raw column stays out of the admin.
    fields = readonly_fields = ("name", "masked_identity", "email", "created_at")
    audited_action = LookupAudit.Action.ADMIN_CUSTOMER

    def audit_view(self, request, obj) -> None:
        audit.customer_viewed(request, obj, self.audited_action)

    def get_urls(self):
        export = path("subject/", self.admin_site.admin_view(self.subject_view), name="invoices_customer_subject")
        return [export, *super().get_urls()]

    @method_decorator(sensitive_post_parameters("number"))
    @method_decorator(never_cache)
    def subject_view(self, request):
        """Everything held about one number, as JSON or PDF, for a data subject request.
        The number comes by POST only, so it stays out of URLs and logs; every export is audited."""
        if not request.user.has_perm("invoices.export_data_subject"):
            raise PermissionDenied
        form = SubjectExportForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            found = form.cleaned_data["number"]
            data = subject.gather(found.number)
            customer = Customer.objects.with_number(found.number).first()
            LookupAudit.record(
                request.user,
                found.number,
                customer=customer,
                result_count=len(data["invoices"]),
                action=LookupAudit.Action.SUBJECT_EXPORT,
            )
            return subject_download(data, form.cleaned_data["format"])
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Everything held about one number"),
        }
        return TemplateResponse(request, "admin/invoices/customer/subject.html", context)


def subject_download(data: dict, kind: str) -> HttpResponse:
    # The date names the file, never the number.
    name = _("personal-data")
    name = f"{name}-{timezone.localdate().isoformat()}"
    if kind == "pdf":
        response = HttpResponse(subject_pdf.render(data), content_type="application/pdf")
    else:
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


class SubjectExportForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Personal or organisation number"), max_length=20)
    format = forms.ChoiceField(choices=[("json", "JSON"), ("pdf", "PDF")])

    def clean_number(self):
        try:
            return identity.parse(self.cleaned_data["number"])
        except identity.InvalidIdentity as exc:
            raise forms.ValidationError(str(exc)) from None


def amount(field: str):
    """An invoice amount as the site writes it (grouped, one minus sign), sortable by its column."""

    column = Invoice._meta.get_field(field)
    assert isinstance(column, models.Field)

    @admin.display(description=column.verbose_name, ordering=field)
    def show(model_admin, invoice):
        return formatting.money(getattr(invoice, field))

    return show


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = [
        "number",
        "account",
        "customer",
        "kind",
        "state",
        "issue_date",
        "due_date",
        "currency",
        "total_amount",
        "outstanding_amount",
    ]
    AMOUNTS = {name: f"{name}_amount" for name in ("total", "outstanding", "credited", "written_off")}
    total_amount, outstanding_amount, credited_amount, written_off_amount = map(amount, AMOUNTS)
    readonly_fields = list(AMOUNTS.values())
    list_filter = ["account", "kind", "state", "currency"]
    list_select_related = ["account", "customer"]
    search_fields = ["number"]
    # Raw provider JSON can hold personal numbers, so it is not shown here.
    exclude = ["raw", "detail"]
    audited_action = LookupAudit.Action.ADMIN_INVOICE
    # The PDF link is read-only here; saying its scheme keeps Django 6's change of default quiet.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        # The audit of a change view reads the invoice's customer: fetched with it. (A
        # select_related here replaces list_select_related, so the list's are named too.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    def audit_view(self, request, obj) -> None:
        audit.invoice_viewed(request, obj, self.audited_action)

    def get_fields(self, request, obj=None):
        """The amounts where the model has them, each written as the site writes it."""
        fields = [name for name in super().get_fields(request, obj) if name not in self.AMOUNTS.values()]
        return [self.AMOUNTS.get(name, name) if isinstance(name, str) else name for name in fields]


@admin.register(LookupAudit)
class LookupAuditAdmin(ReadOnly):
    list_display = ["at", "user", "action", "via", "masked_number", "result_count", "source", "customer", "invoice"]
    list_filter = ["user", "action", "via", "organisation", "source"]
    list_select_related = ["user", "customer", "invoice"]
    date_hierarchy = "at"
    change_list_template = "admin/invoices/lookupaudit/change_list.html"
    actions = ["export_csv"]

    @admin.action(description=gettext_lazy("Download the selected entries as CSV"))
    def export_csv(self, request, queryset):
        """What the filters picked (one user, one day or month), as a spreadsheet-safe CSV."""
        entries = queryset.select_related("user", "customer", "invoice").order_by("at", "pk")
        return sheets.download("csv", "audit", audit_table(entries))

    def get_urls(self):
        find = path("find/", self.admin_site.admin_view(self.find_view), name="invoices_lookupaudit_find")
        return [find, *super().get_urls()]

    @method_decorator(require_POST)
    @method_decorator(sensitive_post_parameters("number"))
    def find_view(self, request):
        """Every lookup of one number. A POST, so the number stays out of URLs and logs;
        it is matched by its keyed hash, so the log never needs it in clear."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = FindLookupsForm(request.POST)
        entries = []
        if form.is_valid():
            entries = LookupAudit.objects.of_number(form.cleaned_data["number"].number).select_related(
                "user", "customer"
            )
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "entries": entries,
            "opts": self.model._meta,
            "title": _("Lookups of one number"),
        }
        return TemplateResponse(request, "admin/invoices/lookupaudit/find.html", context)


def audit_table(entries) -> sheets.Table:
    """The audit log as a table: names, masked numbers and URL names, never a full number."""
    names = ["at", "user", "action", "via", "reached_from", "opened", "masked_number", "organisation"]
    names += ["customer_id", "customer", "invoice", "result_count", "source"]
    columns = [sheets.Column(name, name) for name in names]
    rows = (
        {
            "at": entry.at.isoformat(),
            "user": entry.user.get_username(),
            "action": entry.action,
            "via": entry.via,
            "reached_from": entry.reached_from,
            "opened": entry.opened,
            "masked_number": entry.masked_number,
            "organisation": "yes" if entry.organisation else "no",
            "customer_id": entry.customer_id or "",
            "customer": entry.customer.name if entry.customer else "",
            "invoice": entry.invoice.number if entry.invoice else "",
            "result_count": entry.result_count,
            "source": entry.source,
        }
        for entry in entries
    )
    return sheets.Table(title=gettext_lazy("Audit"), csv=columns, xlsx=columns, rows=rows)


class FindLookupsForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Personal or organisation number"), max_length=20)

    def clean_number(self):
        try:
            return identity.parse(self.cleaned_data["number"])
        except identity.InvalidIdentity as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(FollowUpAudit)
class FollowUpAuditAdmin(ReadOnly):
    """Every change to the follow-up list; like the lookup log, nobody edits or deletes it."""

    list_display = ["at", "user", "customer", "action", "invoice", "before", "after"]
    list_filter = ["action", "user"]
    list_select_related = ["user", "customer", "invoice"]
    search_fields = ["customer__name"]
    date_hierarchy = "at"


# The admin says whose it is, in the reader's language, rather than Django's name.
admin.site.site_header = gettext_lazy("ARPortal administration")
admin.site.site_title = gettext_lazy("ARPortal administration")
