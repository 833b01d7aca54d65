"""Looking a customer up by number, end to end: form, sandbox over HTTP, cache, page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from invoices.audit import reached
from invoices.models import Customer, CustomerLink, Invoice
from sandbox.world import world


@pytest.fixture(autouse=True, params=["any", "strict", "dashed", "ten_digits"])
def pno_match(request, reading):
    """Every lookup here runs against each reading of which written form of a number
    getInvoicesByPno matches, which its docs leave open (docs/providers.md)."""
    reading(qvickly_pno_match=request.param)
    return request.param


@pytest.fixture
def person():
    return world().samples()["person"]


def ten_digit_form(number):
    """YYMMDD-NNNN as staff often type it."""
    return f"{number[2:8]}-{number[8:]}"


def search(client, text):
    return client.post(reverse("search"), {"q": text})


def test_a_personnummer_in_two_forms_leads_to_the_same_customer_page(staff_client, qvickly_account, person):
    first = search(staff_client, ten_digit_form(person))
    second = search(staff_client, person)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reached(Customer.objects.with_number(person).get(), "lookup")


def test_the_customer_page_lists_every_invoice_the_provider_has(staff_client, qvickly_account, person):
    page = staff_client.get(search(staff_client, person).url)
    expected = world().qvickly_invoices_of(person)
    assert page.status_code == 200
    assert {invoice.number for invoice in page.context["page"]} == {invoice.number for invoice in expected}
    for invoice in expected:
        assert f">{invoice.number}</a>" in page.content.decode()


def test_personal_numbers_never_appear_in_the_url_or_the_page(staff_client, qvickly_account, person):
    response = search(staff_client, person)
    page = staff_client.get(response.url).content.decode()
    assert person not in response.url and person[2:8] not in response.url
    assert person not in page and ten_digit_form(person) not in page
    assert f"{person[:8]}-XXXX" in page


def test_an_invalid_number_says_what_is_wrong_and_fetches_nothing(staff_client, qvickly_account, person):
    wrong_check_digit = person[:-1] + str((int(person[-1]) + 1) % 10)
    response = search(staff_client, wrong_check_digit)
    assert response.status_code == 200
    assert "check digit does not match" in response.content.decode()
    assert "Nothing was fetched" in response.content.decode()
    assert not Customer.objects.exists() and not Invoice.objects.exists()
    # Only the box gives it back, for correcting: never the message or anywhere else.
    assert response.content.decode().count(wrong_check_digit) == 1
    assert f'value="{wrong_check_digit}"' in response.content.decode()


def test_a_number_no_provider_knows_says_so_and_stores_nothing(staff_client, qvickly_account):
    response = search(staff_client, "550101-1018")
    assert "No provider has invoices for 19550101-XXXX" in response.content.decode()
    assert not Customer.objects.exists()


def test_the_invoices_are_newest_first_with_their_fetch_time(staff_client, qvickly_account, person):
    page = staff_client.get(search(staff_client, person).url)
    dates = [invoice.issue_date for invoice in page.context["page"]]
    assert dates == sorted(dates, reverse=True)
    assert "fetched" in page.content.decode()


def test_rejected_credentials_keep_the_cached_rows_and_ask_for_the_credentials_to_be_checked(
    staff_client, qvickly_account, person
):
    url = search(staff_client, person).url
    before = list(Invoice.objects.order_by("pk").values())
    qvickly_account.secret = "rotated-at-the-provider"
    qvickly_account.save()
    response = staff_client.post(reverse("customer-refresh", args=[before[0]["customer_id"]]), follow=True)
    assert response.redirect_chain[-1][0] == url.removesuffix("?via=lookup")
    text = response.content.decode()
    assert "Qvickly SE</strong> rejected our credentials" in text
    assert "Check the credentials of this account in the admin" in text and "may be stale" not in text
    assert list(Invoice.objects.order_by("pk").values()) == before


def test_refresh_through_htmx_returns_only_the_invoice_section(staff_client, qvickly_account, person):
    customer_url = search(staff_client, person).url
    customer = Customer.objects.with_number(person).get()
    response = staff_client.post(reverse("customer-refresh", args=[customer.pk]), headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith('<section id="customer-data"')
    assert "<html" not in text
    assert customer_url  # the full page stays at its own address


def test_stale_data_is_fetched_again_when_the_page_is_viewed(staff_client, qvickly_account, person, settings):
    url = search(staff_client, person).url
    link = CustomerLink.objects.get()
    long_ago = link.fetched_at - timedelta(seconds=settings.PROVIDER_CACHE_TTL + 60)
    CustomerLink.objects.update(fetched_at=long_ago)
    staff_client.get(url)
    assert CustomerLink.objects.get().fetched_at > long_ago


def test_fresh_data_is_served_from_the_cache_without_asking_the_provider(staff_client, qvickly_account, person):
    url = search(staff_client, person).url
    fetched_at = CustomerLink.objects.get().fetched_at
    qvickly_account.base_url = "http://127.0.0.1:9/"  # would fail if asked
    qvickly_account.save()
    response = staff_client.get(url)
    assert "could not be refreshed" not in response.content.decode()
    assert CustomerLink.objects.get().fetched_at == fetched_at


def test_a_name_search_with_one_match_goes_to_the_customer(staff_client, qvickly_account, person):
    search(staff_client, person)
    customer = Customer.objects.get()
    # The whole name: Qvickly's register is searched too, where others share the first name.
    response = search(staff_client, customer.name.lower())
    assert response.status_code == 302 and response.url == reached(customer, "search")


def test_a_text_search_without_matches_says_so(staff_client, qvickly_account):
    response = search(staff_client, "Nobody Atall")
    assert "No customer matches" in response.content.decode()


def test_a_number_nobody_answered_for_is_never_reported_as_having_no_invoices(staff_client, qvickly_account):
    qvickly_account.base_url = "http://127.0.0.1:9/"
    qvickly_account.save()
    text = search(staff_client, "195501011018").content.decode()
    assert "<strong>Qvickly SE</strong> could not be asked: Qvickly: could not be reached" in text
    assert "No provider has invoices" not in text
    assert "19550101-XXXX was not found at the providers that could be asked" in text
    assert "may still have invoices there" in text
