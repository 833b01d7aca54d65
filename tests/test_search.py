"""The search box finds what staff type: invoice numbers, names without their
accents, personal numbers however they are punctuated; and says which providers
could not be asked rather than that nobody knows."""

import pytest
from django.urls import reverse

from invoices.audit import reached
from invoices.models import Customer, Invoice
from sandbox.world import world
from tests.conftest import cached_invoice


def search(client, text):
    return client.post(reverse("search"), {"q": text})


def looked_up(client, number):
    """The customer with this number, after the search box looked them up."""
    response = search(client, number)
    assert response.status_code == 302
    return Customer.objects.with_number(number).get()


@pytest.fixture
def person():
    return world().samples()["person"]


# Invoice numbers -------------------------------------------------------------------


def test_a_qvickly_invoice_number_in_the_cache_goes_straight_to_the_invoice(staff_client, qvickly_account, person):
    customer = looked_up(staff_client, person)
    invoice = customer.invoices.filter(account=qvickly_account).first()

    response = search(staff_client, invoice.number)

    assert response.status_code == 302 and response.url == reached(invoice, "search")


def test_a_fusebill_invoice_number_in_the_cache_goes_straight_to_the_invoice(staff_client, fusebill_account):
    customer = looked_up(staff_client, world().samples()["fusebill_only"])
    invoice = customer.invoices.filter(account=fusebill_account).first()

    response = search(staff_client, invoice.number)

    assert response.status_code == 302 and response.url == reached(invoice, "search")


def test_an_invoice_number_both_providers_have_is_a_short_list_to_choose_from(
    staff_client, qvickly_account, fusebill_account
):
    at_qvickly = cached_invoice(qvickly_account, Customer.objects.create(name="Anna Ek"), number="5005")
    at_fusebill = cached_invoice(fusebill_account, Customer.objects.create(name="Ek Bygg AB"), number="5005")

    response = search(staff_client, "5005")

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 invoices have the number “5005”: choose one" in page
    for invoice in (at_qvickly, at_fusebill):
        assert f'href="{invoice.get_absolute_url()}"' in page
        assert invoice.account.name in page and invoice.customer.name in page


def test_an_invoice_number_not_yet_cached_is_asked_of_qvickly_and_leads_to_the_invoice(
    staff_client, qvickly_account, person
):
    number = world().qvickly_invoices_of(person)[-1].number
    assert not Invoice.objects.exists()

    response = search(staff_client, number)

    invoice = Invoice.objects.get(account=qvickly_account, number=number)
    assert response.status_code == 302 and response.url == reached(invoice, "search")
    # Whose it is came from getPaymentinfo; the rest of their invoices came along.
    assert invoice.customer.identity_number == person
    assert invoice.customer.invoices.count() == len(world().qvickly_invoices_of(person))


def test_an_invoice_number_nobody_has_says_so(staff_client, qvickly_account):
    response = search(staff_client, "999999")

    page = response.content.decode()
    assert response.status_code == 200
    assert "No invoice or customer has the number “999999” in the cache or at any provider" in page
    assert "could not be asked" not in page
    assert not Customer.objects.exists()


def test_an_uncached_fusebill_invoice_number_says_fusebill_cannot_be_asked_for_it(staff_client, fusebill_account):
    number = str(world().fusebill_invoices[0].number)

    page = search(staff_client, number).content.decode()

    assert "Fusebill cannot be asked for an invoice number alone" in page
    assert not Invoice.objects.exists()


# Names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("stromberg", "Anna Strömberg"),
        ("ostlund", "Östlund Bygg AB"),
        ("STRÖMBERG", "Anna Strömberg"),
        ("åke", "Åke Ek"),
    ],
)
def test_a_name_is_found_without_its_accents_and_whatever_its_case(staff_client, typed, name):
    customer = Customer.objects.create(name=name)
    Customer.objects.create(name="Anna Strand")

    response = search(staff_client, typed)

    assert response.status_code == 302 and response.url == reached(customer, "search")


def test_the_folded_name_follows_a_renamed_customer(staff_client):
    customer = Customer.objects.create(name="Anna Ek")
    customer.name = "Anna Strömberg"
    customer.save(update_fields=["name"])

    assert search(staff_client, "stromberg").url == reached(customer, "search")
    assert search(staff_client, "anna ek").status_code == 200  # no longer her name


def test_a_customer_only_qvickly_knows_is_found_by_name_through_getcustomersbyname(staff_client, qvickly_account):
    known = next(c for c in world().customers if c.qvickly_number and c.fusebill_id is None and c.name.count(" ") == 1)
    assert not Customer.objects.exists()

    response = search(staff_client, known.name)

    customer = Customer.objects.get(links__provider_customer_id=known.qvickly_number)
    assert customer.name == known.name
    page = staff_client.get(response.url) if response.status_code == 302 else response
    assert known.name in page.content.decode()
    assert "No customer matches" not in page.content.decode()


def test_a_customer_found_by_name_at_qvickly_opens_with_their_invoices(staff_client, qvickly_account):
    known = next(c for c in world().customers if c.qvickly_number and world().qvickly_invoices_of(c.identity))
    search(staff_client, known.name)
    customer = Customer.objects.get(links__provider_customer_id=known.qvickly_number)

    page = staff_client.get(customer.get_absolute_url())

    numbers = {invoice.number for invoice in world().qvickly_invoices_of(known.identity)}
    assert set(customer.invoices.values_list("number", flat=True)) == numbers
    assert page.status_code == 200


def test_a_qvickly_client_reads_the_documented_getcustomersbyname_row(qvickly_client):
    [record] = qvickly_client.find_customers("Thomas")
    assert (record.provider_customer_id, record.name, record.email) == (
        "12345",
        "Tess T Persson",
        "tess.t.persson@example.com",
    )
    assert record.invoices == []


# Personal numbers ------------------------------------------------------------------


@pytest.mark.parametrize("form", ["{long}–{serial}", "{short}.{serial}", "{a} {b} {serial}", "{long} – {serial}"])
def test_a_personnummer_with_an_en_dash_a_dot_or_spaces_leads_to_the_customer(
    staff_client, qvickly_account, person, form
):
    typed = form.format(long=person[:8], short=person[2:8], serial=person[8:], a=person[:4], b=person[4:8])
    canonical = search(staff_client, person).url

    response = search(staff_client, typed)

    assert response.status_code == 302 and response.url == canonical


def test_an_invalid_number_keeps_what_was_typed_says_why_and_creates_nothing(staff_client, qvickly_account, person):
    typed = f"{person[:8]}–{person[8:11]}{(int(person[-1]) + 1) % 10}"

    response = search(staff_client, typed)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The check digit does not match: a digit is probably mistyped." in page
    assert f'value="{typed}"' in page and page.count(typed) == 1  # in the box, nowhere else
    assert "no-store" in response.headers["Cache-Control"]
    assert not Customer.objects.exists() and not Invoice.objects.exists()


def test_a_valid_number_is_never_put_back_in_the_box(staff_client, qvickly_account):
    page = search(staff_client, "550101-1018").content.decode()  # valid, known to nobody
    assert "550101-1018" not in page and "5501011018" not in page


# Providers that fail ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["timeout", "http_503", "reject_credentials", "malformed_json", "refused"])
def test_a_failed_provider_is_named_as_not_asked_never_as_knowing_nobody(
    staff_client, qvickly_account, fault, settings, kind
):
    if kind == "refused":
        qvickly_account.base_url = "http://127.0.0.1:9/"  # nothing listens there
        qvickly_account.save()
    else:
        settings.PROVIDER_READ_TIMEOUT = 0.3  # the timeout fault sleeps longer than this
        fault(provider="qvickly", fault=kind, **({"delay": 1.0} if kind == "timeout" else {}))

    for text in ("Strömberg", "400001"):
        page = search(staff_client, text).content.decode()
        assert "Qvickly SE</strong> could not be asked" in page
        assert "at any provider" not in page and "No provider has" not in page


def test_a_number_whose_provider_failed_is_not_reported_as_unknown(staff_client, qvickly_account, fault, person):
    fault(provider="qvickly", fault="http_503")

    page = staff_client.post(reverse("search"), {"q": person}, follow=True).content.decode()

    assert "No provider has invoices" not in page
    assert "could not be" in page


def test_when_every_provider_answered_and_none_knows_the_page_says_so(staff_client, qvickly_account, fusebill_account):
    page = search(staff_client, "Nobody Atall").content.decode()
    assert "No customer matches “Nobody Atall” in the cache or at any provider." in page
    assert "could not be asked" not in page


def test_an_e_mail_address_says_which_provider_cannot_be_searched_by_it(staff_client, qvickly_account):
    page = search(staff_client, "nobody@example.com").content.decode()
    assert "Qvickly SE cannot be searched by e-mail address" in page
