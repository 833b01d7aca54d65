from django import forms

from invoices import identity


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
