"""The customer page answers what staff are asked on the phone, and filters its invoices open, overdue or all."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.models import Customer, CustomerLink, Invoice, ProviderAccount
from tests.conftest import cached_invoice, example

TODAY = timezone.localdate()


@pytest.fixture
def accounts(db):
    return [
        ProviderAccount.objects.create(name=name, kind=kind, base_url="http://127.0.0.1:9/", secret="s")
        for name, kind in (("Fusebill", "fusebill"), ("Qvickly SE", "qvickly"))
    ]


def fusebill_raw(phone="070-123 45 67"):
    raw = example("fusebill_004_customer_invoices.json")[0]
    raw["invoiceCustomer"]["primaryPhone"] = phone
    raw["invoiceCustomer"]["primaryEmail"] = "ekonomi@bolaget.example"
    # The seed's preference names no address; the sandbox's carry the customer's.
    raw["invoiceCustomerAddressPreference"]["billingAddress"] = {
        "companyName": "Bolaget AB",
        "line1": "Storgatan 12",
        "line2": None,
        "city": "Växjö",
        "postalZip": "352 30",
        "country": "Sweden",
    }
    return raw


def linked(customer, account, number):
    # Fresh, so the page asks no provider.
    return CustomerLink.objects.create(
        customer=customer, account=account, provider_customer_id=number, fetched_at=timezone.now()
    )


def test_a_company_page_shows_its_fusebill_address_phone_email_numbers_and_organisation_number(staff_client, accounts):
    fusebill, qvickly = accounts
    company = Customer.objects.create(name="Bolaget AB", identity_number="5560360793")
    linked(company, fusebill, "77001")
    linked(company, qvickly, "Q-42")
    raw = fusebill_raw()
    cached_invoice(fusebill, company, number="F1", raw=raw)
    page = staff_client.get(company.get_absolute_url()).content.decode()
    assert "Storgatan 12<br>352 30 Växjö<br>Sweden" in page
    assert "070-123 45 67" in page and 'href="tel:0701234567"' in page
    assert "mailto:ekonomi@bolaget.example" in page
    assert 'Organisation number</dt><dd class="mono">556036-0793' in page
    assert 'Fusebill customer no.</dt>\n      <dd class="mono">77001' in page and "Q-42" in page


def test_a_persons_qvickly_contact_comes_from_an_opened_invoice_and_the_number_stays_masked(staff_client, accounts):
    _, qvickly = accounts
    person = Customer.objects.create(name="Anna", identity_number="195501011018")
    linked(person, qvickly, "")
    full = example("qvickly_003_getInvoiceByHash.json")["data"]
    summary = cached_invoice(qvickly, person, number="1", issue_date=TODAY)
    page = staff_client.get(person.get_absolute_url()).content.decode()
    assert "open an invoice to fetch its detail" in page
    summary.detail, summary.detail_fetched_at = full, timezone.now()
    summary.save()
    page = staff_client.get(person.get_absolute_url()).content.decode()
    billing = full["Customer"]["Billing"]
    assert billing["street"] in page and billing["city"] in page
    assert "19550101-XXXX" in page and "195501011018" not in page and "5501011018" not in page
    assert "Organisation number" not in page


def test_the_invoice_list_shows_open_overdue_or_all_and_the_totals_follow_the_provider(staff_client, accounts):
    fusebill, qvickly = accounts
    customer = Customer.objects.create(name="Anna")
    linked(customer, fusebill, "1")
    linked(customer, qvickly, "")
    cached_invoice(qvickly, customer, number="late", total="100", due_date=TODAY - timedelta(days=3))
    cached_invoice(qvickly, customer, number="not-due", total="50", due_date=TODAY + timedelta(days=3))
    cached_invoice(qvickly, customer, number="paid", total="70", outstanding="0", state="paid")
    cached_invoice(fusebill, customer, number="fb", total="30", due_date=TODAY - timedelta(days=1))
    url = customer.get_absolute_url()

    def numbers(**query):
        return sorted(invoice.number for invoice in staff_client.get(url, query).context["page"])

    assert numbers() == ["fb", "late", "not-due", "paid"]
    assert numbers(show="open") == ["fb", "late", "not-due"]
    assert numbers(show="overdue") == ["fb", "late"]
    assert numbers(show="overdue", provider="qvickly") == ["late"]
    assert numbers(show="junk") == numbers()
    totals = staff_client.get(url, {"provider": "qvickly"}).context["totals"]
    assert [(t["currency"], t["owed"], t["overdue"]) for t in totals] == [("SEK", Decimal("150"), Decimal("100"))]
    Invoice.objects.filter(number__in=["late", "fb"]).update(outstanding=0, state="paid")
    assert "No overdue invoices." in staff_client.get(url, {"show": "overdue"}).content.decode()


def test_the_customer_totals_follow_the_stage_filter(staff_client, accounts):
    _, qvickly = accounts
    customer = Customer.objects.create(name="Anna")
    linked(customer, qvickly, "")
    cached_invoice(qvickly, customer, number="inkasso", total="100", due_date=TODAY - timedelta(days=60))
    cached_invoice(qvickly, customer, number="late", total="40", due_date=TODAY - timedelta(days=3))
    cached_invoice(qvickly, customer, number="not-due", total="50", due_date=TODAY + timedelta(days=3))
    Invoice.objects.filter(number="inkasso").update(stage=Invoice.Stage.COLLECTION, provider_stage="Collection")
    Invoice.objects.filter(number="late").update(stage=Invoice.Stage.OVERDUE, provider_stage="Due")
    Invoice.objects.filter(number="not-due").update(stage=Invoice.Stage.NOT_DUE)
    url = customer.get_absolute_url()

    def owed(**query):
        page = staff_client.get(url, query)
        listed = sorted(invoice.number for invoice in page.context["page"])
        return listed, [(t["currency"], t["owed"]) for t in page.context["totals"]]

    assert owed() == (["inkasso", "late", "not-due"], [("SEK", Decimal("190"))])
    assert owed(stage="collection") == (["inkasso"], [("SEK", Decimal("100"))])
    assert owed(stage="overdue") == (["late"], [("SEK", Decimal("40"))])
    assert owed(stage="junk") == owed()
