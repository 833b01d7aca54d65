"""The search box in Chromium: what staff type the way they type it."""

import re

import pytest
from playwright.sync_api import expect

from invoices.audit import reached
from invoices.models import Customer
from sandbox.world import world
from tests.browser.test_staff_journey import log_in, search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(anna, qvickly_account):
    return anna


def test_staff_find_customers_and_invoices_as_they_type_them(page, staff, shot):
    person = world().samples()["person"]
    log_in(page)
    box = page.get_by_role("searchbox", name="Search customers")

    # A number pasted from a letter, with an en dash.
    search(page, f"{person[:8]}–{person[8:]}")
    customer = Customer.objects.with_number(person).get()
    expect(page.get_by_role("heading", level=1)).to_have_text(customer.name)
    expect(box).to_have_value("")

    # A typo stays in the box to be corrected, and nothing is fetched.
    typo = f"{person[2:8]}.{person[8:11]}{(int(person[-1]) + 1) % 10}"
    search(page, typo)
    expect(page.get_by_role("alert")).to_contain_text("check digit does not match")
    expect(box).to_have_value(typo)
    shot(page, "typo-kept")

    # An invoice number goes straight to the invoice.
    invoice = customer.invoices.first()
    search(page, invoice.number)
    expect(page).to_have_url(re.compile(re.escape(reached(invoice, "search")) + "$"))
    shot(page, "invoice-by-number")

    # A name without its accents.
    accented = Customer.objects.create(name="Märta Östlund")
    search(page, "ostlund")
    expect(page.get_by_role("heading", level=1)).to_have_text(accented.name)
    shot(page, "name-without-accents")
