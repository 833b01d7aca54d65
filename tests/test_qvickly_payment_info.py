"""getPaymentinfo: the full invoice when a listing gave no hash, read in the shape its docs show.

Over real HTTP against the emulator, which answers the documented example verbatim
for number 12345 and the same shape for every invoice of its world.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.models import Customer, Invoice
from invoices.providers import qvickly
from sandbox.qvickly.shapes import payment_info
from sandbox.world import world
from tests.conftest import example

UNKNOWN = "Unknown: not in this reply"


def test_the_documented_reply_is_read_with_the_number_asked_for_and_an_unknown_balance(qvickly_client):
    record = qvickly_client.invoice_detail("12345")
    assert record.raw == example("qvickly_getPaymentinfo.json")["data"]
    assert record.number == record.provider_id == "12345"
    assert record.outstanding.is_nan()  # unknown, which no sum can take for 0
    assert record.total == Decimal("2317.00")
    assert (record.currency, record.provider_status, record.state) == ("SEK", "Created", "open")
    assert record.due_date is None and record.paid_date is None
    detail = qvickly.detail(record.raw)
    assert detail.balance_due is None and not detail.paid_date_known
    assert detail.settlement == qvickly.Settlement("2", datetime.date(2018, 12, 17))


@pytest.fixture
def listed_without_hash(qvickly_account):
    """What a listing stored for invoice 12345: its balance, no hash to fetch it by."""
    return Invoice.objects.create(
        account=qvickly_account,
        customer=Customer.objects.create(name="Company"),
        provider_id="12345",
        number="12345",
        state="open",
        currency="SEK",
        total="2317.00",
        outstanding="1000.00",
        due_date=datetime.date(2014, 8, 14),
        raw={},
        fetched_at=timezone.now(),
    )


def page_text(client, invoice):
    response = client.get(reverse("invoice", args=[invoice.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_invoice_opened_by_number_shows_an_unknown_balance_as_unknown_and_keeps_the_listings(
    staff_client, listed_without_hash
):
    text = page_text(staff_client, listed_without_hash)
    assert f'<dt>Balance due</dt><dd class="num">{UNKNOWN}</dd>' in text
    assert f"<dt>Paid</dt><dd>{UNKNOWN}</dd>" in text
    assert '<dt>Payment number</dt><dd class="mono">12345</dd>' in text
    assert 'No. <span class="mono">2</span>, paid out 17/12/2018' in text
    assert "2,317.00 SEK" in text  # Cart.Total.withtax "231700"
    stored = Invoice.objects.get()
    # Cached as the provider sent it, but for the customer's number: that is kept
    # encrypted on the customer alone.
    expected = example("qvickly_getPaymentinfo.json")["data"]
    del expected["Customer"]["pno"]
    assert stored.detail == expected
    assert (stored.state, stored.outstanding, stored.due_date) == (
        "open",
        Decimal("1000.00"),
        datetime.date(2014, 8, 14),
    )
    assert 'Outstanding</dt><dd class="num">1,000.00 SEK' in text


def world_customer_with(predicate):
    """A customer whose invoices are listed as full objects (odd customer numbers), so
    they carry no hash and their detail comes from getPaymentinfo; and the invoice."""
    for customer in world().customers:
        if customer.qvickly_number and int(customer.qvickly_number) % 2:
            for invoice in world().qvickly_invoices_of(customer.identity):
                if predicate(invoice):
                    return customer, invoice
    raise LookupError("no such invoice in the world")


def open_by_customer_number(client, customer, invoice):
    client.post(reverse("search"), {"q": customer.qvickly_number})
    stored = Invoice.objects.get(number=invoice.number)
    assert stored.provider_hash == ""
    return stored, page_text(client, stored)


def test_a_credit_check_result_is_shown_verbatim_and_leaves_the_state_alone(staff_client, qvickly_account):
    customer, invoice = world_customer_with(lambda i: i.is_open and i.credit_check == "Approved")
    before, text = open_by_customer_number(staff_client, customer, invoice)
    assert "<dt>Status</dt><dd>Approved <span" in text
    assert "the result of the credit check; it says nothing of payment" in text
    after = Invoice.objects.get(pk=before.pk)
    assert after.detail["PaymentData"]["status"] == "Approved"
    assert (after.state, after.outstanding, after.provider_status) == ("open", before.outstanding, invoice.status)
    assert after.outstanding == Decimal(invoice.balance_ore) / 100
    assert f'<dt>Balance due</dt><dd class="num">{UNKNOWN}</dd>' in text


def test_a_paid_out_card_payment_shows_its_settlement_and_card(staff_client, qvickly_account):
    customer, invoice = world_customer_with(
        lambda i: i.payment_method in ("8", "24", "266") and "Settlement" in payment_info(i)
    )
    _, text = open_by_customer_number(staff_client, customer, invoice)
    settled = payment_info(invoice)["Settlement"]
    day = datetime.date.fromisoformat(settled["date"])
    assert f'No. <span class="mono">{settled["number"]}</span>, paid out {day:%d/%m/%Y}' in text
    assert "<h3>Card</h3>" in text and "<dt>Return method</dt><dd>GET</dd>" in text
