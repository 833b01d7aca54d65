"""Everything held about one personal number, exported for a data subject request."""

import json
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from invoices import followup, roles
from invoices.models import Customer, LookupAudit, ProviderAccount
from tests.conftest import cached_invoice, staff_user

ANNA, BERTIL = "198112241008", "197006151000"
URL = "admin:invoices_customer_subject"


@pytest.fixture
def qvickly(db):
    return ProviderAccount.objects.create(
        name="Qvickly SE", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )


@pytest.fixture
def carl(django_user_model):
    return staff_user(django_user_model, "carl", roles.COLLECTORS)


@pytest.fixture
def dpo_client(client, django_user_model):
    client.force_login(staff_user(django_user_model, "dora", roles.DATA_PROTECTION_OFFICERS))
    return client


def person(account, user, name, number, invoice):
    customer = Customer.objects.create(name=name, identity_number=number, email=f"{name.split()[0].lower()}@example.se")
    cached_invoice(account, customer, number=invoice, total="250.50", issue_date=timezone.localdate())
    followup.add_note(user, customer, "call", f"{name} will pay on Friday")
    followup.add_promise(user, customer, Decimal("250.50"), "SEK", timezone.localdate())
    LookupAudit.record_view(user, customer, LookupAudit.Action.CUSTOMER_PAGE, opened="customer")
    return customer


@pytest.fixture
def people(qvickly, carl):
    return person(qvickly, carl, "Anna Svensson", ANNA, "INV-A1"), person(
        qvickly, carl, "Bertil Berg", BERTIL, "INV-B1"
    )


def test_the_json_holds_everything_about_the_person_and_nothing_of_another(dpo_client, people):
    response = dpo_client.post(reverse(URL), {"number": "811224-1008", "format": "json"})

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert ANNA not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert (data["customer"]["name"], data["customer"]["identity_number"]) == ("Anna Svensson", ANNA)
    assert [(i["number"], i["total"], i["outstanding"]) for i in data["invoices"]] == [("INV-A1", "250.50", "250.50")]
    assert [n["text"] for n in data["notes"]] == ["Anna Svensson will pay on Friday"]
    assert [(p["amount"], p["currency"], p["made_by"]) for p in data["promises"]] == [("250.50", "SEK", "carl")]
    assert {a["action"] for a in data["follow_up_audit"]} == {"note", "promise"}
    assert [(v["user"], v["action"]) for v in data["views"]] == [("carl", "customer_page")]
    body = response.content.decode()
    assert "Bertil" not in body and "INV-B1" not in body and BERTIL not in body and "19700615" not in body


def test_the_pdf_reads_back_with_the_name_and_invoice_numbers(dpo_client, people):
    response = dpo_client.post(reverse(URL), {"number": ANNA, "format": "pdf"})

    assert response["Content-Type"] == "application/pdf"
    words = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Anna Svensson" in words and "INV-A1" in words and "will pay on Friday" in words
    assert "Bertil" not in words and "INV-B1" not in words


def test_the_pdf_names_states_and_actions_in_words_and_amounts_as_the_reader_writes_them(dpo_client, people, swedish):
    dpo_client.post(reverse(URL), {"number": ANNA, "format": "json"})
    response = dpo_client.post(reverse(URL), {"number": ANNA, "format": "pdf"})

    words = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Registerutdrag" in words and "subject_export" not in words
    assert not re.search(r"\b(open|paid|credited)\b", words)
    assert words.count("250,50") == 3  # the invoice total, what is left to pay and the promise


def test_every_export_is_audited_without_the_number(dpo_client, people):
    dpo_client.post(reverse(URL), {"number": ANNA, "format": "json"})

    export = LookupAudit.objects.get(action=LookupAudit.Action.SUBJECT_EXPORT)
    assert (export.user.username, export.customer, export.masked_number) == ("dora", people[0], "19811224-XXXX")
    assert export.result_count == 1 and ANNA not in export.number_hash


def test_staff_without_the_role_are_refused_and_nothing_is_exported(client, django_user_model, people):
    client.force_login(staff_user(django_user_model, "reader", roles.READ_ONLY))

    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), {"number": ANNA, "format": "json"}).status_code == 403
    assert not LookupAudit.objects.filter(action=LookupAudit.Action.SUBJECT_EXPORT).exists()


def test_a_superuser_may_export_without_the_role(admin_client, people):
    response = admin_client.post(reverse(URL), {"number": ANNA, "format": "json"})
    assert json.loads(response.content)["customer"]["name"] == "Anna Svensson"


def test_an_invalid_number_is_named_and_nothing_is_exported(dpo_client, people):
    response = dpo_client.post(reverse(URL), {"number": "811224-1009", "format": "json"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "errornote" in response.content.decode()
    assert not LookupAudit.objects.filter(action=LookupAudit.Action.SUBJECT_EXPORT).exists()


def test_the_form_is_offered_on_the_customer_list_to_the_officer_only(dpo_client, people):
    page = dpo_client.get(reverse("admin:invoices_customer_changelist")).content.decode()
    assert reverse(URL) in page
    assert "Download as PDF" in dpo_client.get(reverse(URL)).content.decode()
