"""What staff type is searched at Fusebill as they typed it, never as query syntax.

Fusebill's query language has no escape: "*" is a wildcard, "[empty]" matches
null, ";" ":" "|" and "," structure the query (providers.md, "String
filters"). The emulator honours all of it, so each test first shows what the
raw text would match at Fusebill, then that a search through the client or the
app does not.
"""

import pytest
import requests
from django.urls import reverse

from invoices.models import Customer
from sandbox.world import world
from tests.conftest import fusebill_key


def at_fusebill(sandbox_url, query):
    """The ids of the customers a raw `query` matches at the emulator."""
    response = requests.get(
        sandbox_url + "fusebill/v1/customers",
        params={"query": query, "pageSize": 1000},
        headers={"Authorization": f"Basic {fusebill_key('live')}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text[:300]
    return {str(customer["id"]) for customer in response.json()}


def searched(client, text):
    return {record.provider_customer_id for record in client.find_customers(text)}


def test_an_asterisk_staff_type_is_not_a_wildcard(sandbox_url, fusebill_client):
    as_wildcard = at_fusebill(sandbox_url, "companyName:Björk*") | at_fusebill(sandbox_url, "lastName:Björk*")
    assert len(as_wildcard) > 2
    assert searched(fusebill_client, "Björk*") == set()
    assert searched(fusebill_client, "*Kök & Bar AB") == set()


def test_empty_in_brackets_staff_type_is_not_taken_for_null(sandbox_url, fusebill_client):
    every_person = at_fusebill(sandbox_url, "companyName:[empty]")
    assert len(every_person) > 10
    assert searched(fusebill_client, "[empty]") == set()
    assert searched(fusebill_client, "[EMPTY]") == set()


@pytest.mark.parametrize("text", [";", ":", "|", "*", ",", "**", "[]", "a*", "Ek;"])
def test_text_that_is_all_or_mostly_query_syntax_finds_nobody(fusebill_client, text):
    # Dropping the syntax used to leave "" (every customer) or another name ("Ek").
    assert searched(fusebill_client, text) == set()


def test_a_name_without_query_syntax_is_still_found_exactly(fusebill_client):
    company = next(c for c in world().fusebill_customers() if c.is_company and c.name.startswith("Björk "))
    assert searched(fusebill_client, company.name) == {str(company.fusebill_id)}
    assert searched(fusebill_client, company.name.upper()) == {str(company.fusebill_id)}


def test_searching_a_name_with_an_asterisk_in_the_app_does_not_list_the_customers_it_would_match(
    sandbox_url, staff_client, fusebill_account
):
    assert len(at_fusebill(sandbox_url, "companyName:Björk*")) > 1

    response = staff_client.post(reverse("search"), {"q": "Björk*"})

    assert response.status_code == 200
    assert "No customer matches “Björk*” in the cache or at any provider." in response.content.decode()
    assert not Customer.objects.exists()  # nobody was taken in from Fusebill either
