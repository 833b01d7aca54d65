"""How a page was reached, as Chromium really tells it: the search's redirect, then the Referer."""

import re

import pytest
from playwright.sync_api import expect

from invoices.models import Customer, LookupAudit
from sandbox.world import world
from tests.browser.test_staff_journey import log_in, search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(anna, qvickly_account):
    return anna


def test_the_audit_says_whether_a_person_was_looked_up_picked_from_a_list_or_followed_by_a_link(page, staff):
    person = world().samples()["person"]
    log_in(page)

    # Searched from the box on the home page: the browser's Referer names the home page,
    # the search's redirect says it was a lookup by number.
    search(page, person)
    customer = Customer.objects.with_number(person).get()
    expect(page.get_by_role("heading", level=1)).to_have_text(customer.name)

    page.goto("/aging/")
    page.get_by_role("link", name=customer.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(customer.name)

    # An invoice opened in place, then as a page of its own: two views, both from the customer's page.
    page.locator("a.invoice-toggle").first.click()
    expect(page.locator(".invoice-detail")).to_be_visible()
    page.get_by_role("link", name="Open as a page").click()
    expect(page).to_have_url(re.compile(r"/invoices/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/$"))

    views = LookupAudit.objects.exclude(action=LookupAudit.Action.LOOKUP).order_by("pk")
    assert [(v.action, v.via, v.reached_from) for v in views] == [
        (LookupAudit.Action.CUSTOMER_PAGE, LookupAudit.Via.LOOKUP, "home"),
        (LookupAudit.Action.CUSTOMER_PAGE, LookupAudit.Via.LIST, "aging"),
        (LookupAudit.Action.INVOICE_PAGE, LookupAudit.Via.LINK, "customer"),
        (LookupAudit.Action.INVOICE_PAGE, LookupAudit.Via.LINK, "customer"),
    ]
