"""One customer view across both providers, and lookups by customer number, name and e-mail."""

from collections import Counter

import pytest
from django.urls import reverse

from invoices.models import Customer, Invoice
from sandbox.world import world
from tests.conftest import fusebill_key


@pytest.fixture
def both_accounts(qvickly_account, fusebill_account):
    return qvickly_account, fusebill_account


def search(client, text):
    return client.post(reverse("search"), {"q": text})


def open_customer(client, text):
    response = search(client, text)
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response.url, {"page": 1})


def expected_numbers(identity):
    customer = world().customer_by_identity(identity)
    qvickly = {("qvickly", i.number) for i in world().qvickly_invoices_of(identity)}
    fusebill = {("fusebill", str(i.number)) for i in world().fusebill_invoices_of(customer.fusebill_id)}
    return qvickly | fusebill


def test_a_person_in_both_providers_has_every_invoice_in_one_table(staff_client, both_accounts):
    person = world().samples()["both"]
    page = open_customer(staff_client, person)
    stored = set(Invoice.objects.values_list("account__kind", "number"))
    assert stored == expected_numbers(person)
    assert {kind for kind, _ in stored} == {"qvickly", "fusebill"}
    text = page.content.decode()
    assert '<td title="Qvickly SE">Qvickly</td>' in text and '<td title="Fusebill">Fusebill</td>' in text


def test_the_provider_filter_shows_one_providers_invoices(staff_client, both_accounts):
    person = world().samples()["both"]
    url = search(staff_client, person).url
    only_fusebill = staff_client.get(url, {"provider": "fusebill"}).context["page"]
    customer = world().customer_by_identity(person)
    assert only_fusebill.paginator.count == len(world().fusebill_invoices_of(customer.fusebill_id))
    assert {invoice.account.kind for invoice in only_fusebill} == {"fusebill"}


def test_a_customer_with_hundreds_of_invoices_has_all_of_them_and_no_duplicates_after_a_refresh(
    staff_client, both_accounts
):
    big = world().samples()["big"]
    customer_page = open_customer(staff_client, big)
    expected = expected_numbers(big)
    assert len(expected) > 250
    assert customer_page.context["page"].paginator.count == len(expected)
    staff_client.post(reverse("customer-refresh", args=[Customer.objects.get().pk]))
    assert Invoice.objects.count() == len(expected)
    assert set(Invoice.objects.values_list("account__kind", "number")) == expected


def test_a_wrong_fusebill_key_names_fusebill_and_the_qvickly_invoices_still_show(staff_client, both_accounts):
    _, fusebill_account = both_accounts
    fusebill_account.secret = "d3Jvbmcta2V5"
    fusebill_account.save()
    person = world().samples()["both"]
    page = open_customer(staff_client, person)
    text = page.content.decode()
    assert "<strong>Fusebill</strong> rejected our credentials: Fusebill: rejected the API key" in text
    assert "Check the credentials of this account in the admin" in text
    assert {invoice.account.kind for invoice in page.context["page"]} == {"qvickly"}
    assert page.context["page"].paginator.count == len(world().qvickly_invoices_of(person))


def test_a_fusebill_customer_id_goes_straight_to_the_customer(staff_client, both_accounts):
    customer = world().customer_by_identity(world().samples()["fusebill_only"])
    page = open_customer(staff_client, str(customer.fusebill_id))
    assert page.context["customer"].identity_number == customer.identity
    assert page.context["page"].paginator.count == len(world().fusebill_invoices_of(customer.fusebill_id))


def test_a_qvickly_customer_number_goes_straight_to_the_customer(staff_client, both_accounts):
    customer = world().customer_by_identity(world().samples()["company"])
    page = open_customer(staff_client, customer.qvickly_number)
    assert page.context["customer"].name == customer.name
    assert page.context["page"].paginator.count >= len(world().qvickly_invoices_of(customer.identity))


def test_an_email_goes_straight_to_the_customer(staff_client, both_accounts):
    customer = world().customer_by_identity(world().samples()["fusebill_only"])
    page = open_customer(staff_client, customer.email)
    assert page.context["customer"].identity_number == customer.identity


def test_a_name_shared_by_several_customers_lists_them_to_choose_from(staff_client, both_accounts):
    fusebill_people = [c for c in world().fusebill_customers() if not c.is_company]
    last_name, count = Counter(c.name.split()[-1] for c in fusebill_people).most_common(1)[0]
    assert count > 1
    response = search(staff_client, last_name)
    assert response.status_code == 200
    assert len(response.context["matches"]) >= count
    assert f"match “{last_name}”" in response.content.decode()


def test_a_name_nobody_has_says_so(staff_client, both_accounts):
    response = search(staff_client, "Zyxwv Qqqq")
    assert "No customer matches “Zyxwv Qqqq” in the cache or at any provider" in response.content.decode()


def test_a_search_while_a_provider_is_down_names_it(staff_client, both_accounts):
    _, fusebill_account = both_accounts
    fusebill_account.base_url = "http://127.0.0.1:9/v1"
    fusebill_account.save()
    response = search(staff_client, "Zyxwv")
    assert "<strong>Fusebill</strong> could not be asked: Fusebill: could not be reached" in response.content.decode()


def test_a_rate_limited_refresh_still_completes(staff_client, both_accounts):
    _, fusebill_account = both_accounts
    fusebill_account.secret = fusebill_key("throttled")
    fusebill_account.save()
    person = world().samples()["both"]
    page = open_customer(staff_client, person)
    assert page.context["page"].paginator.count == len(expected_numbers(person))


def test_a_customer_found_by_number_then_by_personnummer_stays_one_customer(staff_client, qvickly_account):
    # Even Qvickly customer numbers answer with summary rows, which carry no personal number.
    person = next(
        c
        for c in world().customers
        if c.qvickly_number
        and int(c.qvickly_number) % 2 == 0
        and not c.is_company
        and world().qvickly_invoices_of(c.identity)
    )
    by_number = search(staff_client, person.qvickly_number)
    assert Customer.objects.get().identity_number is None
    by_identity = search(staff_client, person.identity)
    assert by_number.url.replace("via=search", "via=lookup") == by_identity.url
    assert Customer.objects.get().identity_number == person.identity
    staff_client.post(reverse("customer-refresh", args=[Customer.objects.get().pk]))
    assert Customer.objects.count() == 1
    assert Invoice.objects.filter(customer=Customer.objects.get()).count() == len(
        world().qvickly_invoices_of(person.identity)
    )
