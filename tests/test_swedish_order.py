"""Customer names in Swedish alphabetical order on every page that lists them by name,
whichever database serves them: å, ä and ö after z, case ignored, é among the e's."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from invoices.collation import sort_key
from invoices.models import Customer, ProviderAccount
from tests.conftest import cached_invoice

SWEDISH = ["Éclair", "Eriksson", "Håkan", "Hälsinge", "von Essen", "Zorn", "Åberg", "Ängel", "Östen"]


def order_on(page: str, names: list[str]) -> list[str]:
    """The names in the order a reader meets them on the page."""
    missing = [name for name in names if name not in page]
    assert not missing, f"not on the page: {missing}"
    return sorted(names, key=page.index)


@pytest.fixture
def book(db):
    """Each customer owes the same, so only the name can decide their order."""
    # Inactive: the pages read the cache only and never ask a provider.
    account = ProviderAccount.objects.create(
        name="Q", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )
    due = timezone.localdate() - timedelta(days=40)
    for number, name in enumerate(reversed(SWEDISH)):
        customer = Customer.objects.create(name=name)
        cached_invoice(account, customer, f"F{number}", "100.00", due_date=due, stage="overdue")
    return account


def page(client, name, **query):
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_largest_debtors_on_the_home_page_owing_the_same_are_in_swedish_order(staff_client, book):
    assert order_on(page(staff_client, "home"), SWEDISH) == SWEDISH


@pytest.mark.parametrize("sort", ["name", "-owed"])
def test_the_aging_report_sorted_by_name_or_with_equal_balances_is_in_swedish_order(staff_client, book, sort):
    assert order_on(page(staff_client, "aging", sort=sort), SWEDISH) == SWEDISH


def test_the_aging_report_sorted_by_name_descending_is_in_reverse_swedish_order(staff_client, book):
    assert order_on(page(staff_client, "aging", sort="-name"), SWEDISH) == SWEDISH[::-1]


def test_the_overdue_list_sorted_by_customer_is_in_swedish_order(staff_client, book):
    assert order_on(page(staff_client, "overdue", sort="customer"), SWEDISH) == SWEDISH
    assert order_on(page(staff_client, "overdue", sort="-customer"), SWEDISH) == SWEDISH[::-1]


def test_the_follow_up_list_puts_customers_of_equal_priority_in_swedish_order(staff_client, book):
    assert order_on(page(staff_client, "followup"), SWEDISH) == SWEDISH


def test_search_results_are_in_swedish_order(staff_client, book):
    for customer in Customer.objects.all():
        customer.name += " Bygg AB"
        customer.save()
    response = staff_client.post(reverse("search"), {"q": "bygg"})
    assert response.status_code == 200
    assert order_on(response.content.decode(), SWEDISH) == SWEDISH


def test_the_admins_customer_list_is_in_swedish_order(book, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    response = client.get(reverse("admin:invoices_customer_changelist"))
    assert response.status_code == 200
    assert order_on(response.content.decode(), SWEDISH) == SWEDISH


# Accents, case, punctuation, digits, and the letters Swedish sorts with others (ü as y, æ as ä, ø as ö).
HARDER = [
    *("Eclair", "éclair", "Éclair", "eclair", "Müller", "Myra", "Mygg", "Ågren", "Æble", "Ødegaard", "Öberg"),
    *("Ärlig", "Aalto", "Åberg", "Wall", "Vik", "O'Brien", "Obama", "Dahl", "Zorn", "von Essen", "de Geer"),
    "1:a Kassan",
]


def test_the_database_and_python_sort_names_alike(db):
    Customer.objects.bulk_create(Customer(name=name) for name in reversed(HARDER))
    in_python = sorted(HARDER, key=sort_key)
    assert list(Customer.objects.values_list("name", flat=True)) == in_python
    assert in_python[4:8] == ["eclair", "Eclair", "éclair", "Éclair"]
    assert in_python[-6:] == ["Åberg", "Ågren", "Æble", "Ärlig", "Öberg", "Ødegaard"]
