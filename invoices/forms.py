from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from invoices import followup, formatting, identity, providers
from invoices.aging import Aging
from invoices.models import Customer, Invoice, Note, ProviderAccount


class SearchForm(forms.Form):
    """One box for every kind of lookup: numbers are parsed, anything else is text."""

    q = forms.CharField(label=gettext_lazy("Search customers"), max_length=200, strip=True)

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
        """What to put back in the box.

        A valid number never comes back: it led to a page that shows it masked.
        An invalid one does, so the typo can be corrected rather than typed
        again: it is what this user just typed, shown only to them in the answer
        to their POST (never in a URL, the message, a log or the session), on a
        page the browser is told not to store.
        """
        text = (self.data.get("q") or "").strip()
        if identity.looks_like_identity(text) and not self.has_error("q", "invalid_identity"):
            return ""
        return text


class SummaryFilterForm(forms.Form):
    """As-of date, account and currency for the summaries; bad values fall back to all/today."""

    as_of = forms.DateField(label=gettext_lazy("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.ModelChoiceField(
        label=pgettext_lazy("provider account", "Account"),
        queryset=ProviderAccount.objects.all(),
        required=False,
        empty_label=gettext_lazy("All accounts"),
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), required=False)

    def __init__(self, data, currencies=()):
        super().__init__(data)
        self.offered: list[str] = list(currencies)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [("", _("All currencies")), *((c, c) for c in currencies)]

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day and not date(1900, 1, 1) <= day <= date(2100, 12, 31):
            raise forms.ValidationError(_("Choose an as-of date between 1900 and 2100."))
        return day

    def value(self, name, default=None):
        """A cleaned value; when it is missing or invalid (the form shows why), the default
        given, else the field's initial value."""
        self.is_valid()  # cleans once; later calls reuse the result
        if default is None and name in self.fields:
            default = self.fields[name].initial
        return self.cleaned_data.get(name) or default

    def aging(self):
        return Aging(as_of=self.value("as_of") or timezone.localdate())

    def currencies(self) -> list[str]:
        """The currencies the summaries cover: the one chosen, or every one offered."""
        if currency := self.value("currency"):
            return [currency]
        return self.offered

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
    # Which invoices: all (blank), open or overdue.
    show = forms.CharField(required=False)
    SHOWS = {"open": pgettext_lazy("invoices", "Open"), "overdue": pgettext_lazy("invoices", "Overdue")}

    # The stages the list offers as a filter.
    stages = dict(Invoice.Stage.choices)

    def __init__(self, data, *, sorts, default_sort, currencies=()):
        super().__init__(data, currencies=currencies)
        self.sorts, self.default_sort = set(sorts), default_sort
        # Also what a sort that does not even clean (a NUL character) falls back to.
        self.fields["sort"].initial = default_sort

    def clean_provider(self):
        kind = self.cleaned_data["provider"]
        return kind if kind in providers.registry() else ""

    def clean_stage(self):
        stage = self.cleaned_data["stage"]
        return stage if stage in self.stages else ""

    def clean_show(self):
        show = self.cleaned_data["show"]
        return show if show in self.SHOWS else ""

    def clean_sort(self):
        sort = self.cleaned_data["sort"]
        return sort if sort.removeprefix("-") in self.sorts else self.default_sort

    @property
    def providers(self):
        return providers.choices()


# The follow-up list.


def staff_users():
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


def clean_day(day, label=None):
    if day and not date(1900, 1, 1) <= day <= date(2100, 12, 31):
        raise forms.ValidationError(_("Choose a %(label)s between 1900 and 2100.") % {"label": label or _("date")})
    return day


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_username()


class FollowUpFilterForm(forms.Form):
    """The list's query string. An invalid value is named on the page and left out,
    so a stale bookmark still shows the list."""

    MINE, NOBODY = "mine", "none"

    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    provider = forms.ChoiceField(label=gettext_lazy("Provider"), required=False)
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), required=False)
    due = forms.BooleanField(label=gettext_lazy("Next action due today or earlier"), required=False)
    promised = forms.BooleanField(label=gettext_lazy("Include customers with a pending promise"), required=False)
    page = forms.CharField(required=False)  # the paginator reads junk as the first or last page

    def __init__(self, data, *, users, currencies=()):
        super().__init__(data)
        named = [(str(u.pk), u.get_username()) for u in users]
        self.set_choices("owner", [("", _("Anyone")), (self.MINE, _("Mine")), (self.NOBODY, _("Unassigned")), *named])
        # Disputed invoices are never chased, and nothing not yet due is overdue.
        chased = [c for c in Invoice.Stage.choices if c[0] not in (Invoice.Stage.NOT_DUE, Invoice.Stage.DISPUTED)]
        self.set_choices("stage", [("", _("Any stage")), *chased])
        self.set_choices("provider", [("", _("Any provider")), *providers.choices()])
        self.set_choices("currency", [("", _("All currencies")), *((c, c) for c in currencies)])

    def set_choices(self, name, choices):
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def value(self, name, default=None):
        self.is_valid()  # cleans once; invalid fields are missing from cleaned_data
        return self.cleaned_data.get(name) or default

    def apply(self, invoices, user):
        """The invoices narrowed to the chosen stage, provider, currency, owner and due date."""
        if stage := self.value("stage"):
            invoices = invoices.in_stage(stage)
        if provider := self.value("provider"):
            invoices = invoices.filter(account__kind=provider)
        if currency := self.value("currency"):
            invoices = invoices.filter(currency=currency)
        owner = self.value("owner")
        if owner == self.MINE:
            invoices = invoices.filter(customer__followup__owner=user)
        elif owner == self.NOBODY:
            invoices = invoices.filter(Q(customer__followup__isnull=True) | Q(customer__followup__owner__isnull=True))
        elif owner:
            invoices = invoices.filter(customer__followup__owner=owner)
        if self.value("due"):
            invoices = invoices.filter(customer__followup__next_action__lte=timezone.localdate())
        return invoices


class FollowUpForm(forms.Form):
    """Owner and next action: either or both, as the list's inline cells post them."""

    owner = OwnerChoiceField(queryset=staff_users(), required=False, empty_label=gettext_lazy("Nobody"))
    next_action = forms.DateField(
        label=gettext_lazy("Next action"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.error_messages["invalid_choice"] = _("Choose an owner from the list: that user is not staff.")

    def clean_next_action(self):
        return clean_day(self.cleaned_data["next_action"], _("next-action date"))

    def posted(self, name):
        return name in self.data


class BulkAssignForm(forms.Form):
    customers = forms.ModelMultipleChoiceField(
        queryset=Customer.objects.all(),
        error_messages={"required": gettext_lazy("Tick at least one customer to assign.")},
    )
    owner = OwnerChoiceField(queryset=staff_users(), required=False, empty_label=gettext_lazy("Nobody (unassign)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.error_messages["invalid_choice"] = _("Choose an owner from the list: that user is not staff.")
        customers = self.fields["customers"]
        assert isinstance(customers, forms.ModelMultipleChoiceField)
        customers.error_messages["invalid_pk_value"] = _("One of the ticked customers is not a customer.")
        customers.error_messages["invalid_choice"] = _("One of the ticked customers no longer exists.")


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Note.Kind.choices, initial=Note.Kind.CALL)
    text = forms.CharField(label=gettext_lazy("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class AmountField(forms.DecimalField):
    """Staff write amounts as in Swedish, 1 500,50, or as 1500.50."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


class PromiseForm(forms.Form):
    amount = AmountField(
        label=gettext_lazy("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": gettext_lazy("A promise is of an amount greater than zero.")},
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"))
    due = forms.DateField(label=gettext_lazy("Pay by"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, customer, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        field = self.fields["currency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c, c) for c in currencies]

    def clean(self):
        data = super().clean() or {}
        amount, currency = data.get("amount"), data.get("currency")
        if amount and currency:
            # A promise of more than is owed could never be kept by paying what is owed.
            owed = followup.outstanding(self.customer, currency)
            if amount > owed:
                raise forms.ValidationError(
                    _("The customer owes %(owed)s %(currency)s in all: a promise cannot be for more.")
                    % {"owed": formatting.money(owed), "currency": currency},
                    code="too_much",
                )
        return data

    def clean_due(self):
        day = self.cleaned_data["due"]
        today = timezone.localdate()
        if not today <= day <= today + PROMISE_REACH:
            raise forms.ValidationError(_("Choose a date from today to a year ahead."))
        return day


PROMISE_REACH = timedelta(days=366)


class DisputeForm(forms.Form):
    """One of the customer's invoices: a reason records a dispute, `clear` removes it."""

    invoice = forms.ModelChoiceField(
        label=gettext_lazy("Invoice"),
        queryset=Invoice.objects.none(),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this customer's invoices.")},
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000, required=False)
    clear = forms.BooleanField(required=False)

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["invoice"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = invoices

    def clean(self):
        data = super().clean() or {}
        if not data.get("clear") and not data.get("reason"):
            raise forms.ValidationError(_("Say why the invoice is disputed."))
        return data

    @property
    def new_reason(self):
        return "" if self.cleaned_data.get("clear") else self.cleaned_data["reason"]
