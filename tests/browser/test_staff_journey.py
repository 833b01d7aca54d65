"""A staff member's day, in Chromium: every step a person would take, with a screenshot each."""

import csv
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from invoices.models import Customer, Invoice
from sandbox.world import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(anna, qvickly_account, fusebill_account):
    return anna


def log_in(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="The book")).to_be_visible()


def search(page, text):
    page.get_by_role("searchbox", name="Search customers").fill(text)
    page.get_by_role("searchbox", name="Search customers").press("Enter")
    page.wait_for_load_state()


def test_a_staff_member_works_through_the_day(page, staff, shot, tmp_path):
    person = world().samples()["both"]
    short, long_dashed = f"{person[2:8]}-{person[8:]}", f"{person[:8]}-{person[8:]}"

    log_in(page)
    shot(page, "logged-in")

    # The same person in three written forms lands on the same page, without the number in the URL.
    search(page, short)
    customer_url = page.url
    assert person[2:8] not in customer_url
    expect(page.get_by_role("heading", level=1)).to_have_text(Customer.objects.get().name)
    shot(page, "customer-both-providers")
    for written in (person, long_dashed):
        search(page, written)
        assert page.url == customer_url

    # Both providers in one table.
    invoices = page.locator("table.invoices tbody tr:not(.detail-row)")
    expect(invoices.filter(has_text="Qvickly").first).to_be_visible()
    expect(invoices.filter(has_text="Fusebill").first).to_be_visible()

    # An invalid number says what is wrong.
    search(page, short[:-1] + str((int(short[-1]) + 1) % 10))
    expect(page.get_by_role("alert")).to_contain_text("check digit does not match")
    shot(page, "invalid-number")

    # Expand an invoice in place, then collapse it.
    page.goto(customer_url)
    toggle = page.locator("a.invoice-toggle").first
    toggle.click()
    detail = page.locator(".invoice-detail")
    expect(detail).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    shot(page, "invoice-expanded")
    toggle.click()
    expect(detail).to_have_count(0)
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # The full invoice page, then back.
    toggle.click()
    page.get_by_role("link", name="Open as a page").click()
    expect(page).to_have_url(re.compile(r"/invoices/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/$"))
    expect(page.locator(".invoice-detail")).to_be_visible()
    shot(page, "invoice-page")
    page.goto(customer_url)

    # Refresh from the providers (htmx swaps the section in place).
    page.get_by_role("button", name="Refresh from providers").click()
    expect(page.locator(".freshness")).to_contain_text("fetched now")
    assert page.url == customer_url
    shot(page, "refreshed")

    # The home page summary and the aging report.
    page.get_by_role("link", name="ARPortal").click()
    expect(page.get_by_role("heading", name="The book")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    shot(page, "home-summary")
    page.get_by_role("link", name="Aging report by customer").click()
    expect(page.get_by_role("heading", name="Aging report")).to_be_visible()
    expect(page.locator("table.aging tbody tr")).to_have_count(1)
    shot(page, "aging-report")

    # A CSV download, opened and checked.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][:3] == ["customer_id", "customer", "currency"] and rows[0][-1] == "total"
    assert rows[1][1] == Customer.objects.get().name

    # The same report for Excel: the total a number, the customer by name, no id of ours.
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    workbook = tmp_path / download.value.suggested_filename
    download.value.save_as(workbook)
    assert workbook.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(workbook).active
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "Customer" and header[-1] == "Total" and "customer_id" not in header
    assert sheet["A2"].value == rows[1][1] and sheet.cell(2, len(header)).value == float(rows[1][-1])

    # Log out: pages need a login again.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto(customer_url)
    expect(page).to_have_url(re.compile(r"/login/"))
    shot(page, "logged-out")


def test_the_keyboard_reaches_search_and_invoices(page, staff, shot):
    log_in(page)
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search customers")).to_be_focused()
    page.keyboard.type(world().samples()["company"])
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("a.invoice-toggle").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".invoice-detail")).to_be_visible()
    shot(page, "keyboard-expanded")
    assert Invoice.objects.exists()


def test_on_a_phone_no_page_scrolls_sideways(page, staff, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page)
    search(page, world().samples()["both"])
    customer_url = page.url
    for url, name in (("/", "home"), (customer_url, "customer"), ("/aging/", "aging"), ("/overdue/", "overdue")):
        page.goto(url)
        shot(page, f"phone-{name}")
        # Wide tables scroll inside their own box; the page itself stays 390 px wide.
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), name


def test_a_clerk_finds_what_went_to_collection_from_the_overdue_list(page, staff, shot):
    log_in(page)
    search(page, world().samples()["both"])  # refreshes a customer whose Fusebill account is in Collection
    page.get_by_role("navigation", name="Lists").get_by_role("link", name="Overdue").click()
    expect(page.get_by_role("heading", name="Overdue invoices")).to_be_visible()
    shot(page, "overdue-list")

    page.get_by_role("navigation", name="Filter by stage").get_by_role("link", name="In collection").click()
    rows = page.locator("table.overdue-list tbody tr")
    expect(rows.first).to_contain_text("In collection")
    assert rows.count() == Invoice.objects.in_stage("collection").filter(outstanding__gt=0).count()
    shot(page, "overdue-in-collection")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    lines = list(csv.reader(download.value.path().read_text().splitlines()))
    assert {line[6] for line in lines[1:]} == {"In collection"}

    rows.first.get_by_role("link").first.click()
    expect(page.locator("table.invoices").get_by_text("In collection").first).to_be_visible()
    shot(page, "customer-stage-column")
