"""getCustomersByName in the Qvickly emulator: the merchant's customer register,
partial match on the name, signed like every other reply."""

import pytest

from sandbox.world import world
from tests.sandbox.test_qvickly import example_data, post, verified_data, wrapped_error_code


@pytest.fixture
def url(sandbox_url):
    return sandbox_url + "qvickly/"


def qvickly_customer(startswith=""):
    return next(c for c in world().customers if c.qvickly_number and c.name.startswith(startswith))


def test_the_documentation_example_is_answered_verbatim_and_signed(url):
    rows = verified_data(post(url, "getCustomersByName", {"name": "Thomas"}))
    assert rows == example_data("qvickly_getCustomersByName.json")


def test_part_of_a_name_in_any_case_finds_the_customer_with_every_documented_field(url):
    customer = qvickly_customer()
    part = customer.name.split()[-1][1:].upper()
    rows = verified_data(post(url, "getCustomersByName", {"name": part}))
    assert customer.qvickly_number in {row["customerid"] for row in rows}
    assert all(part.casefold() in row["name"].casefold() for row in rows)
    documented = example_data("qvickly_getCustomersByName.json")[0]
    row = next(row for row in rows if row["customerid"] == customer.qvickly_number)
    assert list(row) == list(documented)
    assert all(isinstance(value, str) for value in row.values())
    assert (row["name"], row["email"]) == (customer.name, customer.email)
    assert row["companyno"] == customer.identity[-10:]


def test_the_same_name_gets_the_same_rows_every_time(url):
    first = verified_data(post(url, "getCustomersByName", {"name": "berg"}))
    assert len(first) > 1
    assert verified_data(post(url, "getCustomersByName", {"name": "berg"})) == first
    assert [int(row["customerid"]) for row in first] == sorted(int(row["customerid"]) for row in first)


def test_only_customers_qvickly_knows_are_listed(url):
    fusebill_only = next(c for c in world().customers if not c.qvickly_number)
    rows = verified_data(post(url, "getCustomersByName", {"name": fusebill_only.name}))
    assert fusebill_only.email not in {row["email"] for row in rows}
    assert all(world().customer_by_qvickly_number(row["customerid"]) for row in rows)


def test_a_name_nobody_has_gets_an_empty_list(url):
    assert verified_data(post(url, "getCustomersByName", {"name": "Nobody Atall"})) == []


def test_accents_are_not_folded_by_the_provider(url):
    customer = qvickly_customer()
    assert any(
        row["name"] == customer.name for row in verified_data(post(url, "getcustomersbyname", {"name": customer.name}))
    )
    strom = next(c for c in world().customers if c.qvickly_number and "Strömberg" in c.name)
    names = {row["name"] for row in verified_data(post(url, "getCustomersByName", {"name": "stromberg"}))}
    assert strom.name not in names


@pytest.mark.parametrize("data", [{}, {"name": ""}, {"name": "   "}])
def test_a_missing_or_empty_name_gets_error_9004(url, data):
    assert wrapped_error_code(post(url, "getCustomersByName", data or {"other": "x"})) == "9004"
