"""Invoice detail: fetched from the provider on open, cached with its own age."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.models import Customer, Invoice
from sandbox.world import world
from tests.conftest import cached_invoice
from tests.test_qvickly_client import EXAMPLE_HASH


@pytest.fixture
def documented_invoice(qvickly_account):
    """The row a listing would have stored for the invoice of the getInvoiceByHash example."""
    customer = Customer.objects.create(name="Company AB")
    return cached_invoice(qvickly_account, customer, "12345", "90052.25", provider_hash=EXAMPLE_HASH)


def page_text(client, invoice, **headers):
    response = client.get(reverse("invoice", args=[invoice.pk]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_qvickly_invoice_shows_the_documented_figures_converted_from_ore_once(staff_client, documented_invoice):
    text = page_text(staff_client, documented_invoice)
    assert "90,052.25 SEK" in text  # Cart.Total.withtax "9005225"
    assert '<td class="num">9,999</td><td class="num">7.20</td>' in text  # quantity × aprice "720"
    assert "71,992.80" in text  # the line's net amount
    assert "72,041.80" in text and "18,010.45" in text  # cart net and VAT
    assert "Shipping fee (VAT 25 %)" in text and "49.00" in text
    assert "Klistermärke - Lila" in text


def test_a_qvickly_invoice_shows_addresses_payment_data_and_masked_numbers(staff_client, documented_invoice):
    text = page_text(staff_client, documented_invoice)
    assert "Company AB<br>Testgatan 1<br>123 45 Teststad<br>" in text
    assert "Pay with Qvickly" in text  # method 2048
    assert "556656-XXXX" in text and "556656-6888" not in text
    assert "19550101-XXXX" in text and "5501011018" not in text  # the company signer
    assert "20 days" in text and "10/05/2024" in text


def test_the_detail_is_cached_and_not_fetched_again_while_fresh(staff_client, documented_invoice, qvickly_account):
    page_text(staff_client, documented_invoice)
    fetched_at = Invoice.objects.get().detail_fetched_at
    qvickly_account.base_url = "http://127.0.0.1:9/"
    qvickly_account.save()
    text = page_text(staff_client, documented_invoice)
    assert "90,052.25 SEK" in text and "may be stale" not in text
    assert Invoice.objects.get().detail_fetched_at == fetched_at


def test_a_failing_provider_shows_the_cached_detail_with_a_stale_notice(
    staff_client, documented_invoice, qvickly_account
):
    page_text(staff_client, documented_invoice)
    Invoice.objects.update(detail_fetched_at=timezone.now() - timedelta(days=1))
    qvickly_account.base_url = "http://127.0.0.1:9/"
    qvickly_account.save()
    text = page_text(staff_client, documented_invoice)
    assert "this detail may be stale: Qvickly: could not be reached" in text
    assert "90,052.25 SEK" in text


def test_rejected_credentials_ask_for_them_to_be_checked_and_keep_the_cached_detail(
    staff_client, documented_invoice, qvickly_account
):
    page_text(staff_client, documented_invoice)
    Invoice.objects.update(detail_fetched_at=timezone.now() - timedelta(days=1))
    qvickly_account.secret = "rotated"
    qvickly_account.save()
    text = page_text(staff_client, documented_invoice)
    # The page is read in English, so Qvickly was asked to answer in English (the account says Swedish).
    assert "Qvickly SE rejected our credentials: Qvickly: Authentication failed. (code 9013)" in text
    assert "Check the credentials of this account in the admin; the detail below was fetched earlier" in text
    assert "may be stale" not in text and "90,052.25 SEK" in text


def test_a_failing_provider_with_nothing_cached_says_so_plainly(staff_client, documented_invoice, qvickly_account):
    qvickly_account.base_url = "http://127.0.0.1:9/"
    qvickly_account.save()
    text = page_text(staff_client, documented_invoice)
    assert "The detail could not be fetched and none is cached: Qvickly: could not be reached" in text


def test_a_hash_the_provider_does_not_know_says_not_found_at_the_provider(staff_client, documented_invoice):
    documented_invoice.provider_hash = "f" * 40
    documented_invoice.save()
    text = page_text(staff_client, documented_invoice)
    assert "Not found at the provider" in text and "6010" in text


def test_opening_in_place_returns_only_the_detail_fragment(staff_client, documented_invoice):
    text = page_text(staff_client, documented_invoice, HX_Request="true")
    assert text.lstrip().startswith('<div class="invoice-detail"')
    assert "<html" not in text and "Close</button>" in text


def test_refreshing_the_detail_fetches_it_again(staff_client, documented_invoice):
    page_text(staff_client, documented_invoice)
    Invoice.objects.update(detail_fetched_at=timezone.now() - timedelta(days=1))
    response = staff_client.post(reverse("invoice-refresh", args=[documented_invoice.pk]))
    assert response.status_code == 302
    assert Invoice.objects.get().detail_fetched_at > timezone.now() - timedelta(minutes=1)


def test_a_qvickly_pdf_link_goes_to_the_providers_file(staff_client, documented_invoice):
    documented_invoice.pdf_url = "https://example.com/invoice.pdf"
    documented_invoice.save()
    response = staff_client.get(reverse("invoice-pdf", args=[documented_invoice.pk]))
    assert response.status_code == 302 and response.url == "https://example.com/invoice.pdf"
    assert 'href="https://example.com/invoice.pdf"' in page_text(staff_client, documented_invoice)


@pytest.fixture
def documented_fusebill_invoice(fusebill_account):
    """The row the customer listing stores for invoice 290 of the Fusebill example."""
    [record] = [r for r in fusebill_account.client().invoices(123456) if r.number == "290"]
    customer = Customer.objects.create(name="John Smith")
    return cached_invoice(
        fusebill_account,
        customer,
        record.number,
        record.total,
        record.outstanding,
        provider_id=record.provider_id,
        state=record.state,
        currency=record.currency,
        due_date=record.due_date,
    )


def test_a_fusebill_invoice_shows_charges_with_their_tiers_and_the_balance(staff_client, documented_fusebill_invoice):
    text = page_text(staff_client, documented_fusebill_invoice)
    assert "Tiered product 2" in text
    for label, quantity, unit_price, amount in [
        ("0-2", 2, "22.00", "44.00"),
        ("&gt;2-4", 2, "33.00", "66.00"),
        ("&gt;5", 2, "55.00", "110.00"),
    ]:
        assert (
            f'<td colspan="2">Tier {label}</td><td class="num">{quantity}</td><td class="num">{unit_price}</td>'
            f'<td class="num">{amount}</td>'
        ) in text
    assert '<td class="num">37.714285</td>' in text  # the unit price, unrounded
    assert 'Invoice amount</th><td class="num">264.00 USD' in text
    assert 'Outstanding balance</th><td class="num">264.00 USD' in text
    assert '<td>22/06/2017</td><td>Due</td><td class="num">264.00</td>' in text
    assert "Net10" in text and "api test" in text


def test_a_fusebill_pdf_is_fetched_through_our_server_with_a_sensible_name(staff_client, documented_fusebill_invoice):
    response = staff_client.get(reverse("invoice-pdf", args=[documented_fusebill_invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="fusebill-invoice-290.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_a_pdf_the_provider_cannot_give_returns_to_the_invoice_with_a_message(
    staff_client, documented_fusebill_invoice, fusebill_account
):
    fusebill_account.base_url = "http://127.0.0.1:9/v1"
    fusebill_account.save()
    response = staff_client.get(reverse("invoice-pdf", args=[documented_fusebill_invoice.pk]), follow=True)
    assert response.redirect_chain[-1][0] == documented_fusebill_invoice.get_absolute_url()
    assert "The PDF could not be fetched: Fusebill: could not be reached" in response.content.decode()


def test_a_credit_invoice_links_to_what_it_credits_and_back(staff_client, qvickly_account):

    staff_client.post(reverse("search"), {"q": world().samples()["person"]})
    credit = Invoice.objects.filter(kind="credit").exclude(credits_number="").first()
    credited = Invoice.objects.get(account=credit.account, number=credit.credits_number)
    credit_text = page_text(staff_client, credit)
    assert f'for <a href="{credited.get_absolute_url()}">invoice {credited.number}</a>' in credit_text
    credited_text = page_text(staff_client, credited)
    assert f'<a href="{credit.get_absolute_url()}">credit invoice {credit.number}</a>' in credited_text
    if credited.state == "credited":
        assert "This invoice has been <strong>credited</strong>" in credited_text


def test_a_cancelled_invoice_says_so_plainly(staff_client, qvickly_account):

    staff_client.post(reverse("search"), {"q": world().samples()["person"]})
    cancelled = Invoice.objects.filter(state="cancelled").first()
    assert "This invoice was <strong>cancelled</strong>; nothing is owed on it." in page_text(staff_client, cancelled)
