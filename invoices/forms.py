from datetime import date

from django import forms
from django.utils import timezone

from invoices import identity
from invoices.aging import Aging
from invoices.models import ProviderAccount


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
        self.fields["currency"].choices = [("", "All currencies"), *((c, c) for c in currencies)]

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
