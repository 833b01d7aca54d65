"""The keyboard and the screen reader after the page changes under them: htmx swaps, Escape,
sorting, filtering and paging."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from invoices import roles
from invoices.models import Customer, CustomerLink, ProviderAccount
from sandbox.world import world
from tests.conftest import cached_invoice, example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


@pytest.fixture
def clerk(django_user_model):
    """May refresh, reveal and edit the follow-up: every control there is outside the admin."""
    user = django_user_model.objects.create_superuser("anna", password="a-long-password")
    user.groups.add(*Group.objects.filter(name__in=[roles.REFRESHERS, roles.COLLECTORS]))
    return user


@pytest.fixture
def debtor(db):
    """A customer with 60 overdue Fusebill invoices (two pages), fetched just now so no provider is asked."""
    account = ProviderAccount.objects.create(
        name="Fusebill", kind="fusebill", base_url="http://127.0.0.1:9/", secret="s"
    )
    customer = Customer.objects.create(name="Alm AB")
    CustomerLink.objects.create(customer=customer, account=account, provider_customer_id="7000")
    raw = example("fusebill_004_customer_invoices.json")[0]
    for n in range(60):
        due = TODAY - timedelta(days=n + 1)
        cached_invoice(
            account, customer, number=f"{1000 + n}", total=str(100 + n), due_date=due, stage="overdue", raw=raw
        )
    CustomerLink.objects.update(fetched_at=timezone.now() + timedelta(hours=1))
    return customer


def log_in(page):
    page.goto("/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_escape_closes_an_invoice_opened_in_place_and_gives_the_focus_back(page, clerk, debtor, shot):
    log_in(page)
    page.goto(debtor.get_absolute_url())
    toggle = page.locator("a.invoice-toggle").first
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".invoice-detail")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # The detail follows its number: the next Tab is inside it.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Open as a page")).to_be_focused()
    shot(page, "opened")

    page.keyboard.press("Escape")
    expect(page.locator(".invoice-detail")).to_have_count(0)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()


def test_a_refresh_keeps_the_focus_on_its_button_and_reads_out_what_was_fetched(page, clerk, qvickly_account, shot):
    log_in(page)
    box = page.get_by_role("searchbox", name="Search customers")
    box.fill(world().samples()["company"])
    box.press("Enter")
    refresh = page.get_by_role("button", name="Refresh from providers")
    refresh.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".freshness")).to_contain_text("fetched now")
    expect(page.get_by_role("button", name="Refresh from providers")).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("fetched now")
    expect(page.locator("#announcer")).to_have_attribute("aria-live", "polite")
    shot(page, "refreshed")


def test_a_revealed_personal_number_takes_the_focus(page, clerk, qvickly_account, shot):
    log_in(page)
    box = page.get_by_role("searchbox", name="Search customers")
    box.fill(world().samples()["person"])
    box.press("Enter")
    page.get_by_role("button", name="Reveal").focus()
    page.keyboard.press("Enter")
    identity = page.locator("#identity")
    expect(identity).to_contain_text("revealed, audited")
    expect(identity).to_be_focused()
    shot(page, "revealed")


def test_a_promise_saved_in_the_panel_keeps_the_focus_and_is_read_out(page, clerk, debtor, shot):
    log_in(page)
    page.goto(debtor.get_absolute_url())
    page.locator("#promise-amount").fill("500")
    due = page.locator("#promise-due")
    due.fill((TODAY + timedelta(days=4)).isoformat())
    due.press("Enter")
    expect(page.locator("#followup")).to_contain_text("Promise to pay registered.")
    expect(page.locator("#promise-due")).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("Promise to pay registered.")


def test_filtering_sorting_and_paging_keep_the_query_and_the_place(page, clerk, debtor, shot):
    page.set_viewport_size({"width": 1280, "height": 600})
    log_in(page)
    page.goto("/overdue/")

    providers = page.get_by_role("navigation", name="Filter by provider")
    providers.get_by_role("link", name="Fusebill").click()
    expect(page).to_have_url(re.compile(r"provider=fusebill"))
    expect(providers.get_by_role("link", name="Fusebill")).to_be_focused()

    shot(page, "filtered")
    page.evaluate("window.scrollTo(0, 150)")
    before = page.evaluate("window.scrollY")
    assert before > 0
    header = page.get_by_role("columnheader", name=re.compile("^Due date")).get_by_role("link")
    header.click()
    expect(page).to_have_url(re.compile(r"provider=fusebill&sort=-due"))
    expect(page.get_by_role("columnheader", name=re.compile("^Due date")).get_by_role("link")).to_be_focused()
    assert abs(page.evaluate("window.scrollY") - before) < 5
    shot(page, "sorted")

    page.get_by_role("link", name=re.compile("Next")).click()
    expect(page).to_have_url(re.compile(r"page=2"))
    assert "provider=fusebill" in page.url and "sort=-due" in page.url
    table = page.locator("table.overdue-list")
    expect(table).to_be_focused()
    expect(table).to_be_in_viewport()
    shot(page, "next-page")


def test_filtering_the_follow_up_list_in_place_reads_out_how_many_are_left(page, clerk, debtor, shot):
    log_in(page)
    page.goto("/followup/")
    expect(page.locator("table.followup caption")).to_contain_text("1 customer balance to chase")
    page.get_by_label("Currency").select_option("SEK")
    apply = page.get_by_role("button", name="Apply")
    apply.click()
    expect(page).to_have_url(re.compile(r"currency=SEK"))
    expect(page.locator("#announcer")).to_contain_text("1 customer balance to chase")
    expect(apply).to_be_focused()
