"""The statement of account (kontoutdrag): what a customer reads on the page and in the PDF."""

import io
import json
import re
import shutil
import subprocess
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from invoices.models import Customer, LookupAudit
from invoices.statement import signature_lines
from sandbox.fusebill.shapes import SIGNATURE
from sandbox.world import world
from tests.conftest import EXAMPLES, cached_invoice


@pytest.fixture
def both_accounts(qvickly_account, fusebill_account):
    return qvickly_account, fusebill_account


@pytest.fixture
def person():
    """A person with invoices at Qvickly and at Fusebill, in the sandbox's world."""
    return world().samples()["both"]


@pytest.fixture
def customer(staff_client, both_accounts, person):
    """The person looked up the way staff do, so both providers are asked over HTTP."""
    response = staff_client.post(reverse("search"), {"q": person})
    assert response.status_code == 302
    return Customer.objects.with_number(person).get()


@contextmanager
def language(client, code):
    """Like a browser set to `code`: the language cookie, and the language active here
    for a project that has no LocaleMiddleware yet."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    with translation.override(code):
        yield


def page_text(client, customer, code="en", **query):
    with language(client, code):
        response = client.get(
            reverse("customer-statement", args=[customer.pk]), query, headers={"accept-language": code}
        )
    assert response.status_code == 200
    return response.content.decode()


def pdf_bytes(client, customer, code="en", **query):
    with language(client, code):
        response = client.get(
            reverse("customer-statement-pdf", args=[customer.pk]), query, headers={"accept-language": code}
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def pdf_text(content):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def open_at_the_providers(person):
    """The numbers of what the person still owes or is owed, and the balance, as the
    sandbox's own records have it."""
    qvickly = [i for i in world().qvickly_invoices_of(person) if i.balance_ore != 0 and i.status != "Cancelled"]
    fusebill_id = world().customer_by_identity(person).fusebill_id
    fusebill = [i for i in world().fusebill_invoices_of(fusebill_id) if i.outstanding != 0]
    balance = sum((Decimal(i.balance_ore) / 100 for i in qvickly), Decimal(0)) + sum(
        (i.outstanding for i in fusebill), Decimal(0)
    )
    return [i.number for i in qvickly], [str(i.number) for i in fusebill], balance.quantize(Decimal("0.01"))


def swedish(value):
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def english(value):
    return f"{value:,.2f}"


def full_forms(number):
    """Every way the full personal number could be written."""
    return {number, number[2:], f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}"}


def has_swedish_catalogue():
    return any((Path(path) / "sv" / "LC_MESSAGES" / "django.mo").exists() for path in settings.LOCALE_PATHS)


def test_the_statement_page_lists_what_is_open_at_both_providers_and_the_total_to_pay(staff_client, customer, person):
    qvickly, fusebill, balance = open_at_the_providers(person)
    assert qvickly and fusebill and balance > 0
    html = page_text(staff_client, customer)
    opened = html.split('class="data statement-open"')[1].split("</table>")[0]
    for number in qvickly + fusebill:
        assert f'<td class="mono">{number}</td>' in opened
    assert "<td>Qvickly</td>" in opened and "<td>Fusebill</td>" in opened
    assert re.search(rf"Total to pay, SEK</dt><dd>{re.escape(english(balance))} SEK</dd>", html)
    assert "Statement of account" in html and "Open invoices" in html


def test_the_statement_page_says_how_to_pay_with_what_the_invoice_data_carries(staff_client, customer):
    html = page_text(staff_client, customer)
    payee = re.search(r"<strong>(.*?)</strong>", SIGNATURE).group(1)
    assert payee == "Sandlådan Abonnemang AB"
    assert f"Payee: {payee}" in html
    # Qvickly's invoices are public links: each unpaid one is linked for paying it.
    owed = customer.invoices.filter(account__kind="qvickly", outstanding__gt=0).exclude(pdf_url="")
    assert owed.exists()
    for invoice in owed:
        assert f'href="{invoice.pdf_url}"' in html
    # Nothing the data does not carry is made up.
    assert "Bankgiro" not in html and "OCR" not in html


def test_the_statement_shows_the_masked_personal_number_and_never_the_full_one(staff_client, customer, person):
    html = page_text(staff_client, customer)
    text = pdf_text(pdf_bytes(staff_client, customer))
    masked = f"{person[:8]}-XXXX"
    assert masked in html and masked in text
    for written in full_forms(person):
        assert written not in html
        assert written not in text


def test_the_pdf_carries_both_providers_invoices_and_the_total_in_english(staff_client, customer, person):
    qvickly, fusebill, balance = open_at_the_providers(person)
    text = pdf_text(pdf_bytes(staff_client, customer, "en"))
    for number in qvickly + fusebill:
        assert re.search(rf"(^|\s){number}\s+(Qvickly|Fusebill)\s", text), number
    assert f"{english(balance)} SEK" in text
    for heading in ("Statement of account", "Open invoices", "How to pay", "Total to pay, SEK"):
        assert heading in text


def test_the_pdf_in_swedish_writes_amounts_the_swedish_way(staff_client, customer, person):
    _, _, balance = open_at_the_providers(person)
    text = pdf_text(pdf_bytes(staff_client, customer, "sv"))
    assert f"{swedish(balance)} SEK" in text
    assert english(balance) not in text


@pytest.mark.skipif(not has_swedish_catalogue(), reason="no compiled Swedish catalogue (locale/sv) in this checkout")
def test_the_pdf_and_page_in_swedish_have_swedish_headings(staff_client, customer):
    text = pdf_text(pdf_bytes(staff_client, customer, "sv"))
    html = page_text(staff_client, customer, "sv")
    for heading in ("Kontoutdrag", "Öppna fakturor", "Så betalar du"):
        assert heading in text and heading in html
    assert "Statement of account" not in text


def test_a_credit_prints_with_a_true_minus_sign(staff_client, customer):
    credit = customer.invoices.filter(outstanding__lt=0).first()
    assert credit is not None, "the sample person has an open credit invoice"
    text = pdf_text(pdf_bytes(staff_client, customer, "en"))
    assert f"\u2212{english(-credit.outstanding)} SEK" in text


def test_viewing_the_page_and_the_pdf_is_audited_with_how_it_was_reached(staff_client, customer, person):
    qvickly, fusebill, _ = open_at_the_providers(person)
    page_text(staff_client, customer)
    pdf_bytes(staff_client, customer)
    audits = LookupAudit.objects.filter(customer=customer).exclude(action=LookupAudit.Action.LOOKUP)
    actions = sorted(audits.values_list("action", flat=True))
    assert actions == [LookupAudit.Action.STATEMENT_PAGE, LookupAudit.Action.STATEMENT_PDF]
    for audit in audits:
        assert audit.user.username == "staff"
        assert audit.masked_number == f"{person[:8]}-XXXX"
        assert audit in LookupAudit.objects.of_number(person)
        assert audit.result_count == len(qvickly) + len(fusebill)


@pytest.mark.parametrize("name", ["customer-statement", "customer-statement-pdf"])
def test_no_browser_or_proxy_keeps_a_copy_to_read_again_unaudited(staff_client, db, name):
    customer = Customer.objects.create(name="Anna")
    assert "no-store" in staff_client.get(reverse(name, args=[customer.pk]))["Cache-Control"]


def test_the_pdf_renders_to_an_image_page_by_page(staff_client, customer, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF is not rendered to PNG")
    content = pdf_bytes(staff_client, customer, "sv")
    (tmp_path / "statement.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "statement.pdf", "page"], cwd=tmp_path, check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(content)).pages)
    assert all(page.stat().st_size > 5_000 for page in pages)


def test_a_customer_who_owes_nothing_gets_a_statement_saying_so(staff_client, qvickly_account):
    customer = Customer.objects.create(name="Åsa Öberg", identity_number="198112189876")
    cached_invoice(qvickly_account, customer, number="9001", total="250", outstanding="0", state="paid")
    customer.links.create(account=qvickly_account, fetched_at=customer.created_at)
    html = page_text(staff_client, customer)
    assert "Nothing is owed." in html and "Open invoices" not in html
    text = pdf_text(pdf_bytes(staff_client, customer))
    assert "Nothing is owed." in text and "Åsa Öberg" in text
    assert "198112189876" not in text and "19811218-XXXX" in text


def test_the_period_can_be_chosen_and_anything_else_falls_back_to_90_days(staff_client, customer):
    assert "Period: " in page_text(staff_client, customer, days="30")
    thirty = page_text(staff_client, customer, days="30")
    ninety = page_text(staff_client, customer, days="nonsense")
    assert re.search(r'href="\?days=30" aria-current', thirty)
    assert re.search(r'href="\?days=90" aria-current', ninety)
    assert 'statement.pdf?days=30"' in thirty


@pytest.mark.parametrize("name", ["customer-statement", "customer-statement-pdf"])
@pytest.mark.parametrize("pk", [999999, 10**20])
def test_a_customer_that_does_not_exist_is_not_found(staff_client, db, name, pk):
    assert staff_client.get(reverse(name, args=[pk])).status_code == 404


@pytest.mark.parametrize("name", ["customer-statement", "customer-statement-pdf"])
def test_only_staff_see_a_statement(django_user_model, read_only_client, name):
    customer = Customer.objects.create(name="Anna")
    url = reverse(name, args=[customer.pk])
    assert read_only_client.get(url).status_code == 200
    anonymous, clerk = Client(), Client()
    assert anonymous.get(url).status_code == 302
    clerk.force_login(django_user_model.objects.create_user("clerk", password="pw"))
    assert clerk.get(url).status_code == 403


def test_the_customer_page_links_to_the_statement_and_its_pdf(staff_client, customer):
    html = staff_client.get(reverse("customer", args=[customer.pk])).content.decode()
    assert f'href="{reverse("customer-statement", args=[customer.pk])}"' in html
    assert f'href="{reverse("customer-statement-pdf", args=[customer.pk])}"' in html


def test_a_fusebill_signature_from_the_docs_gives_the_payee_without_its_empty_fields():
    invoices = json.loads((EXAMPLES / "fusebill_004_customer_invoices.json").read_text(), strict=False)
    assert signature_lines(invoices[0]["invoiceSignature"]) == ["mattLtest"]


def test_each_currency_has_its_own_total_and_aging(staff_client, qvickly_account, fusebill_account):
    customer = Customer.objects.create(name="Bo Ek", identity_number="198112189876")
    cached_invoice(qvickly_account, customer, number="7001", total="1000.50", currency="SEK")
    cached_invoice(fusebill_account, customer, number="7002", total="200.25", currency="EUR")
    cached_invoice(fusebill_account, customer, number="7003", total="99.75", currency="EUR")
    html = page_text(staff_client, customer)
    assert "Total to pay, SEK</dt><dd>1,000.50 SEK</dd>" in html
    assert "Total to pay, EUR</dt><dd>300.00 EUR</dd>" in html
    assert "Aging of what is owed, SEK" in html and "Aging of what is owed, EUR" in html
    text = pdf_text(pdf_bytes(staff_client, customer))
    assert "1,000.50 SEK" in text and "300.00 EUR" in text
    assert "1,300.50" not in html and "1,300.50" not in text


def test_a_customer_never_fetched_is_not_told_they_owe_nothing(staff_client, db):
    customer = Customer.objects.create(name="Anna")
    html = page_text(staff_client, customer)
    assert "No invoice data has been fetched for this customer yet." in html
    assert "Nothing is owed." not in html
