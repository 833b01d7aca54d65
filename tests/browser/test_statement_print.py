"""The statement of account on paper: the document alone, without the app around it."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from invoices.models import Customer
from sandbox.world import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(anna, qvickly_account, fusebill_account):
    return anna


def test_a_printed_statement_shows_the_document_without_navigation(page, live_server, staff, shot):
    # The steps below read the English words.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto("/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("searchbox", name="Search customers").fill(world().samples()["both"])
    page.get_by_role("searchbox", name="Search customers").press("Enter")
    page.wait_for_load_state()

    page.get_by_role("link", name="Statement of account", exact=True).click()
    customer = Customer.objects.get()
    expect(page).to_have_url(re.compile(reverse("customer-statement", args=[customer.pk])))
    expect(page.get_by_role("heading", name="Statement of account")).to_be_visible()
    expect(page.locator(".topbar")).to_be_visible()
    shot(page, "statement-screen")

    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".statement-tools")).to_be_hidden()
    expect(page.get_by_role("heading", name="Statement of account")).to_be_visible()
    expect(page.locator(".statement-open tbody tr").first).to_be_visible()
    shot(page, "statement-print")
