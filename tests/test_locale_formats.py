"""Amounts, dates and times as the reader's language writes them, on the site and in the
admin: Swedish 1 234 567,50 and 2026-03-04 14:05; English 1,234,567.50 and 04/03/2026
14:05 (a 24-hour clock in both). Negative amounts take one minus sign, U+2212."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from invoices import roles
from invoices.followup import Note
from invoices.models import Customer, Invoice, ProviderAccount
from tests.conftest import cached_invoice, staff_user
from tests.test_qvickly_client import EXAMPLE_HASH

NBSP = "\u00a0"
MINUS = "\u2212"
AFTERNOON = datetime(2026, 3, 4, 14, 5, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def book(db, django_user_model):
    """One customer owing a large sum, with a credit, a note taken one afternoon."""
    account = ProviderAccount.objects.create(
        name="Q", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )
    customer = Customer.objects.create(name="Stora Bolaget AB")
    Customer.objects.filter(pk=customer.pk).update(created_at=AFTERNOON)
    cached_invoice(account, customer, "100", "1234567.50", issue_date=date(2026, 3, 4), due_date=date(2026, 4, 3))
    cached_invoice(account, customer, "101", "-250.00", kind="credit", issue_date=date(2026, 3, 5))
    author = django_user_model.objects.create_user("anna", is_staff=True)
    Note.objects.create(customer=customer, kind="call", text="Called the CFO.", author=author, at=AFTERNOON)
    return customer


def text_of(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def admin_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    return client


def test_swedish_pages_write_amounts_with_a_decimal_comma_and_spaces_between_thousands(staff_client, book, swedish):
    customer_page = text_of(staff_client, book.get_absolute_url())
    assert f"1{NBSP}234{NBSP}567,50" in customer_page
    assert f"1{NBSP}234{NBSP}317,50" in text_of(staff_client, reverse("home"))  # owed, net of the credit
    assert "1,234,567.50" not in customer_page


def test_english_pages_write_amounts_with_a_decimal_point_and_commas_between_thousands(staff_client, book, english):
    customer_page = text_of(staff_client, book.get_absolute_url())
    assert "1,234,567.50" in customer_page
    assert "1,234,317.50" in text_of(staff_client, reverse("home"))
    assert f"1{NBSP}234{NBSP}567,50" not in customer_page


@pytest.mark.parametrize(("language", "credit"), [("swedish", f"{MINUS}250,00"), ("english", f"{MINUS}250.00")])
def test_a_credit_is_written_with_the_minus_sign_and_never_a_hyphen(staff_client, book, request, language, credit):
    request.getfixturevalue(language)
    text = text_of(staff_client, book.get_absolute_url())
    assert f'<td class="num">{credit}</td>' in text
    assert "-250" not in text
    # A customer owed money back: a negative balance on the aging report and in its chart.
    owed_back = Customer.objects.create(name="Återbetalning AB")
    cached_invoice(book.invoices.first().account, owed_back, "102", "-250.00", kind="credit", due_date=date(2026, 1, 1))
    report = text_of(staff_client, reverse("aging"))
    assert f"<strong>{credit}</strong>" in report and "-250" not in report
    chart = re.search(r'<svg class="chart".*?</svg>', text_of(staff_client, owed_back.get_absolute_url()), re.S)
    assert chart and credit in chart[0]


@pytest.mark.parametrize(("language", "credit"), [("swedish", f"{MINUS}250,00"), ("english", f"{MINUS}250.00")])
def test_the_admin_writes_invoice_amounts_like_the_site_with_the_minus_sign(
    admin_client, book, request, language, credit
):
    request.getfixturevalue(language)
    changelist = text_of(admin_client, reverse("admin:invoices_invoice_changelist"))
    assert credit in changelist and "-250" not in changelist
    assert ("1 234 567,50" if language == "swedish" else "1,234,567.50").replace(" ", NBSP) in changelist
    credit_invoice = Invoice.objects.get(number="101")
    change_page = text_of(admin_client, reverse("admin:invoices_invoice_change", args=[credit_invoice.pk]))
    assert credit in change_page and "-250" not in change_page


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("swedish", "2026-03-04", "2026-03-04 14:05"), ("english", "04/03/2026", "04/03/2026 14:05")],
)
def test_dates_and_times_on_the_customer_page_follow_the_readers_language_on_a_24_hour_clock(
    staff_client, book, request, language, day, moment
):
    request.getfixturevalue(language)
    text = text_of(staff_client, book.get_absolute_url())
    assert re.search(rf"<td[^>]*>{re.escape(day)}</td>", text)  # the invoice date
    assert moment in text  # when the note was taken
    assert "p.m." not in text


@pytest.mark.parametrize(("language", "moment"), [("swedish", "4 mars 2026 14:05"), ("english", "4 Mar 2026, 14:05")])
def test_the_admin_writes_times_on_a_24_hour_clock_in_either_language(admin_client, book, request, language, moment):
    request.getfixturevalue(language)
    text = text_of(admin_client, reverse("admin:invoices_customer_changelist"))
    assert moment in text
    assert "p.m." not in text


def test_the_aging_chart_is_drawn_with_decimal_points_in_swedish(staff_client, book, swedish):
    text = text_of(staff_client, book.get_absolute_url())
    widths = re.findall(r'<rect [^>]*width="([^"]*)"', text)
    assert widths and all(re.fullmatch(r"\d+\.\d", width) for width in widths), widths


@pytest.fixture
def priced_invoice(qvickly_account):
    """The documented getInvoiceByHash invoice, fetched once, then its article priced
    in fractions of an öre: 1234,5 öre, 12,345 kr."""
    customer = Customer.objects.create(name="Company AB")
    invoice = cached_invoice(qvickly_account, customer, "12345", "90052.25", provider_hash=EXAMPLE_HASH)
    return invoice


def test_a_unit_price_keeps_every_decimal_the_provider_gave_while_sums_keep_two(staff_client, priced_invoice, swedish):
    url = reverse("invoice", args=[priced_invoice.pk])
    text_of(staff_client, url)  # fetches and caches the provider's detail
    priced_invoice.refresh_from_db()
    priced_invoice.detail["Articles"][0]["aprice"] = "1234.5"
    priced_invoice.save(update_fields=["detail"])
    text = text_of(staff_client, url)
    assert f'<td class="num">9{NBSP}999</td><td class="num">12,345</td>' in text
    assert f"90{NBSP}052,25 SEK" in text  # the total, in its two decimals


@pytest.mark.parametrize(("language", "words"), [("swedish", f"15{NBSP}minuter"), ("english", f"15{NBSP}minutes")])
def test_the_lockout_page_says_how_long_in_words_not_as_an_iso_duration(
    client, django_user_model, request, language, words
):
    request.getfixturevalue(language)
    django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    for _ in range(5):
        client.post(reverse("login"), {"username": "anna", "password": "guess"})
    response = client.post(reverse("login"), {"username": "anna", "password": "a-long-password"})
    assert response.status_code == 429
    text = response.content.decode()
    assert words in text
    assert "PT15M" not in text


def test_a_promise_larger_than_what_is_owed_names_the_owed_amount_the_swedish_way(client, django_user_model, swedish):
    client.force_login(staff_user(django_user_model, "carl", roles.COLLECTORS))
    account = ProviderAccount.objects.create(
        name="Q", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )
    customer = Customer.objects.create(name="Anna")
    cached_invoice(account, customer, "1", "1234.50", due_date=date(2026, 1, 1), stage="overdue")
    data = {"promise-amount": "2000", "promise-currency": "SEK", "promise-due": date.today().isoformat()}
    response = client.post(reverse("followup-promise", args=[customer.pk]), data, follow=True)
    assert response.status_code == 200
    notice = re.search(r'<p class="notice notice-error"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert notice, "the promise was refused with a message"
    assert f"1{NBSP}234,50 SEK" in notice[1] and "1234.50" not in notice[1]
