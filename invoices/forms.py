from datetime import date

from django import forms
from django.utils import timezone

from invoices import identity, providers
from invoices.aging import Aging
from invoices.models import Invoice, ProviderAccount


class SearchForm(forms.Form):
    """One box for every kind of lookup: numbers are parsed, anything else is text."""

    q = forms.CharField(label="Search customers", max_length=200, strip=True)

    def clean_q(self):
        text = self.cleaned_data["q"]
        if identity.looks_like_identity(text):
            try:
                return identity.parse(text)
            except identity.InvalidIdentity as exc:
                raise forms.ValidationError(str(exc), code="invalid_identity") from None
        return text

    @property
    def echo(self):
        """What to put back in the box: never a personal number, valid or not."""
        text = (self.data.get("q") or "").strip()
        return "" if identity.looks_like_identity(text) else text


class SummaryFilterForm(forms.Form):
    """As-of date, account and currency for the summaries; bad values fall back to all/today."""

    as_of = forms.DateField(label="As of", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.ModelChoiceField(
        label="Account", queryset=ProviderAccount.objects.all(), required=False, empty_label="All accounts"
    )
    currency = forms.ChoiceField(label="Currency", required=False)

    def __init__(self, data, currencies=()):
        super().__init__(data)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [("", "All currencies"), *((c, c) for c in currencies)]

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day and not date(1900, 1, 1) <= day <= date(2100, 12, 31):
            raise forms.ValidationError("Choose an as-of date between 1900 and 2100.")
        return day

    def value(self, name, default=None):
        """A cleaned value; the default when it is missing or invalid (the form shows why)."""
        self.is_valid()  # cleans once; later calls reuse the result
        return self.cleaned_data.get(name) or default

    def aging(self):
        return Aging(as_of=self.value("as_of") or timezone.localdate())

    def apply(self, invoices):
        """The invoices narrowed to the chosen account and currency."""
        if account := self.value("account"):
            invoices = invoices.filter(account=account)
        if currency := self.value("currency"):
            invoices = invoices.filter(currency=currency)
        return invoices


class ListForm(SummaryFilterForm):
    """A list's whole query string: the summary filters, a provider, a sort and a page.

    Views read these here and never from request.GET. Values nobody can pick
    from the page (an unknown provider or sort) fall back to the default
    without an error, as a stale bookmark should.
    """

    provider = forms.CharField(required=False)
    stage = forms.CharField(required=False)
    sort = forms.CharField(required=False)
    page = forms.CharField(required=False)  # the paginator reads junk as the first or last page

    # The stages the list offers as a filter.
    stages = dict(Invoice.Stage.choices)

    def __init__(self, data, *, sorts, default_sort, currencies=()):
        super().__init__(data, currencies=currencies)
        self.sorts, self.default_sort = set(sorts), default_sort

    def clean_provider(self):
        kind = self.cleaned_data["provider"]
        return kind if kind in providers.registry() else ""

    def clean_stage(self):
        stage = self.cleaned_data["stage"]
        return stage if stage in self.stages else ""

    def clean_sort(self):
        sort = self.cleaned_data["sort"]
        return sort if sort.removeprefix("-") in self.sorts else self.default_sort

    @property
    def providers(self):
        return providers.choices()
