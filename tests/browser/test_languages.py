"""Swedish first, in Chromium: a Swedish browser reads Swedish, the header switches to
English, and the choice follows the user to another browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(anna):
    return anna


def swedish_browser(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def log_in_in_swedish(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill("a-long-password")
    page.get_by_role("button", name="Logga in").click()


def test_a_swedish_browser_reads_swedish_and_the_header_switches_to_english_for_good(browser, live_server, staff, shot):
    context, page = swedish_browser(browser, live_server)
    log_in_in_swedish(page)
    expect(page.get_by_role("heading", name="Reskontran")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    shot(page, "swedish")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="The book")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Svenska")).to_be_visible()
    shot(page, "english")
    context.close()

    # Another Swedish browser: the saved choice wins over what it asks for.
    context, page = swedish_browser(browser, live_server)
    log_in_in_swedish(page)
    expect(page.get_by_role("heading", name="The book")).to_be_visible()
    shot(page, "english-in-another-browser")
    context.close()
