"""The admin's invoice list reads each row's account and customer with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoices.models import Customer, ProviderAccount
from tests.conftest import cached_invoice


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_admin_invoice_list_costs_the_same_queries_for_3_and_30_invoices_of_many_accounts(admin_client):
    url = reverse("admin:invoices_invoice_changelist")
    customer = Customer.objects.create(name="Anna")

    def add(count):
        for index in range(count):
            account = ProviderAccount.objects.create(
                name=f"A{index}-{count}", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
            )
            cached_invoice(account, customer, f"{count}-{index}")

    add(3)
    few = queries_for(admin_client, url)
    add(27)
    assert queries_for(admin_client, url) == few
