"""Anything typed into the search box, and anything a provider sends, ends in a result or a clear message."""

import string
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoices import identity, sync
from invoices.models import Customer, CustomerLink, Invoice
from invoices.providers import CustomerRecord, ProviderError, fusebill, qvickly
from tests.conftest import cached_invoice, example

# Text staff might type, and text nobody should: digits and separators weighted up.
typed = st.one_of(
    st.text(alphabet=string.digits + "-+ ", max_size=16),
    st.text(max_size=60),
    st.from_regex(r"(19|20)?\d{6}[-+]?\d{4}", fullmatch=True),
)


@given(typed)
def test_the_identity_parser_gives_an_identity_or_a_clear_message(text):
    try:
        parsed = identity.parse(text)
    except identity.InvalidIdentity as exc:
        assert str(exc).endswith(".") and len(str(exc)) < 120
    else:
        assert len(parsed.number) in (10, 12) and parsed.number.isdigit()


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=typed)
def test_the_search_form_never_answers_500(staff_client, text):
    response = staff_client.post(reverse("search"), {"q": text})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        page = response.content.decode()
        assert "notice" in page or "Search" in page


# Provider payloads: the documented rows with fields removed, retyped or blown up.
SUMMARY_ROW = example("qvickly_001_getInvoicesByCustomer_summary.json")["data"][0]
FUSEBILL_INVOICE = example("fusebill_004_customer_invoices.json")[0]
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=80),
    st.just(10**40),
    st.just("1e400"),
    st.just("NaN"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def mangled(document):
    return st.fixed_dictionaries({}, optional={key: st.one_of(st.just(value), junk) for key, value in document.items()})


@settings(max_examples=300, deadline=None)
@given(mangled(SUMMARY_ROW))
def test_a_mangled_qvickly_row_becomes_a_record_or_a_typed_error(row):
    try:
        record = qvickly.parse_row(row, "SEK")
    except ProviderError as exc:
        assert exc.provider == "Qvickly" and exc.message
    else:
        assert isinstance(record.total, Decimal) and abs(record.total) < Decimal("1e12")


@settings(max_examples=300, deadline=None)
@given(mangled(FUSEBILL_INVOICE))
def test_a_mangled_fusebill_invoice_becomes_a_record_or_a_typed_error(data):
    try:
        record = fusebill.shape_errors("Fusebill")(fusebill.parse_invoice)(data, "SEK")
    except ProviderError as exc:
        assert exc.provider == "Fusebill" and exc.message
    else:
        assert isinstance(record.outstanding, Decimal) and len(record.currency) == 3


def test_an_unknown_status_and_type_are_stored_verbatim(db, qvickly_account):
    row = {**SUMMARY_ROW, "status": "Frozen by court order", "invoicetype": "ZZ", "invoiceid_real": "777"}
    record = qvickly.parse_row(row, "SEK")
    link = CustomerLink.objects.create(customer=Customer.objects.create(), account=qvickly_account)
    sync.write_invoices(link, CustomerRecord(provider_customer_id="", invoices=[record]))
    stored = Invoice.objects.get(number="777")
    assert (stored.provider_status, stored.provider_kind, stored.kind) == ("Frozen by court order", "ZZ", "invoice")
    assert stored.state == "open" and stored.raw["status"] == "Frozen by court order"


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", 10**15, True, {"x": 1}])
def test_absurd_amounts_are_refused_with_a_typed_error(amount):
    with pytest.raises(ProviderError, match="amount"):
        qvickly.parse_row({**SUMMARY_ROW, "topay": amount}, "SEK")


@pytest.mark.parametrize(
    "detail,says",
    [
        ({"Cart": {"Total": {"withtax": "NaN"}}, "PaymentData": {}}, "The cached detail could not be read"),
        ({"Articles": ["x", 3], "Cart": [], "PaymentData": "oops"}, "No article lines."),
    ],
)
def test_an_invoice_with_junk_in_its_cached_detail_still_answers(staff_client, qvickly_account, detail, says):
    customer = Customer.objects.create(name="X")
    invoice = cached_invoice(qvickly_account, customer, detail=detail, detail_fetched_at=timezone.now())
    response = staff_client.get(reverse("invoice", args=[invoice.pk]))
    assert response.status_code == 200 and says in response.content.decode()


def test_dates_past_the_calendars_end_are_read_as_unknown_not_a_crash():
    row = {**example("qvickly_000_getInvoicesByCustomer_full.json")["data"][0]}
    row["PaymentData"] = {**row["PaymentData"], "duedate": ""}
    row["PaymentInfo"] = {**row["PaymentInfo"], "paymentterms": "99999999"}
    assert qvickly.parse_row(row, "SEK").due_date is None
    late = {**FUSEBILL_INVOICE, "postedTimestamp": "9999-12-31T23:30:00"}
    assert fusebill.parse_invoice(late, "SEK").issue_date is None


def test_an_invoice_listed_twice_in_one_listing_is_stored_once(db, qvickly_account):
    record = qvickly.parse_row(SUMMARY_ROW, "SEK")
    twice = qvickly.parse_row({**SUMMARY_ROW, "balancedue": "0.00", "status": "Paid"}, "SEK")
    link = CustomerLink.objects.create(customer=Customer.objects.create(), account=qvickly_account)
    sync.write_invoices(link, CustomerRecord(provider_customer_id="", invoices=[record, twice]))
    stored = Invoice.objects.get()
    assert (stored.state, stored.outstanding) == ("paid", 0)


def test_a_currency_learnt_from_the_full_invoice_survives_the_next_listing(db, qvickly_account):
    link = CustomerLink.objects.create(customer=Customer.objects.create(), account=qvickly_account)
    sync.write_invoices(link, CustomerRecord(provider_customer_id="", invoices=[qvickly.parse_row(SUMMARY_ROW, "SEK")]))
    Invoice.objects.update(currency="EUR", detail={"PaymentData": {"currency": "EUR"}})
    sync.write_invoices(link, CustomerRecord(provider_customer_id="", invoices=[qvickly.parse_row(SUMMARY_ROW, "SEK")]))
    assert Invoice.objects.get().currency == "EUR"
