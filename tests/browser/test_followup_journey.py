"""A collector's morning in Chromium: the follow-up list, three customers taken, a call, a promise, a dispute."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from invoices import roles
from invoices.models import Customer, CustomerLink, FollowUp, FollowUpAudit, ProviderAccount
from tests.conftest import cached_invoice, example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


@pytest.fixture
def collector(django_user_model):
    user = django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.COLLECTORS))
    return user


@pytest.fixture
def book(db):
    """Four customers with money overdue at Fusebill, fetched just now (so no provider is asked)."""
    account = ProviderAccount.objects.create(
        name="Fusebill", kind="fusebill", base_url="http://127.0.0.1:9/", secret="s"
    )
    raw = example("fusebill_004_customer_invoices.json")[0]
    raw["invoiceCustomer"]["primaryPhone"] = "070-111 22 33"
    customers = []
    for n, (name, amount, late) in enumerate(
        [("Alm AB", "9000", 40), ("Björk HB", "5000", 20), ("Cederberg", "700", 90), ("Dahl", "100", 3)]
    ):
        customer = Customer.objects.create(name=name)
        CustomerLink.objects.create(customer=customer, account=account, provider_customer_id=str(7000 + n))
        for part in range(2):
            cached_invoice(
                account,
                customer,
                number=f"{n}{part}",
                total=amount,
                due_date=TODAY - timedelta(days=late + part),
                raw=raw,
            )
        customers.append(customer)
    CustomerLink.objects.update(fetched_at=timezone.now() + timedelta(hours=1))
    return customers


def log_in(page):
    page.goto("/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="The book")).to_be_visible()


def test_a_collector_takes_three_customers_logs_a_call_a_promise_and_a_dispute(page, collector, book, shot):
    log_in(page)
    page.get_by_role("link", name=re.compile("Follow-up")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Follow-up"))).to_be_visible()
    rows = page.locator("table.followup tbody tr:not(.group)")
    # Most overdue money × days first: Alm 9000 × ~40 per invoice leads.
    expect(rows.first).to_contain_text("Alm AB")
    expect(page.locator("#priority-rule")).to_contain_text("× the days it is overdue")
    shot(page, "list")

    for name in ("Alm AB", "Björk HB", "Cederberg"):
        page.get_by_role("checkbox", name=f"Select {name}").check()
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Assigned 3 customers to anna.")
    page.get_by_label("Owner", exact=True).first.select_option("mine")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(3)
    shot(page, "mine")

    # A next action set in place: htmx saves it and says so.
    page.locator("table.followup input[type=date]").first.fill((TODAY + timedelta(days=1)).isoformat())
    expect(page.locator("table.followup .saved").first).to_have_text("Saved")
    assert FollowUp.objects.get(customer=book[0]).next_action == TODAY + timedelta(days=1)

    page.get_by_role("link", name="Alm AB").click()
    expect(page.locator("#master-data")).to_contain_text("070-111 22 33")
    expect(page.locator("#master-data")).to_contain_text("7000")
    panel = page.locator("#followup")
    page.locator("#note-kind").select_option("call")
    page.locator("#note-text").fill("Spoke to the CFO: paying 5 000 on Friday.")
    page.get_by_role("button", name="Log note").click()
    expect(panel).to_contain_text("Call logged.")
    shot(page, "call-logged")

    page.locator("#promise-amount").fill("5 000")
    page.locator("#promise-due").fill((TODAY + timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Register promise").click()
    expect(panel).to_contain_text("Promise to pay registered.")
    expect(panel).to_contain_text("5,000.00 SEK")
    shot(page, "promise")

    disputed = book[0].invoices.get(number="01")
    page.locator("#dispute-invoice").select_option(str(disputed.pk))
    page.locator("#dispute-reason").fill("Delivered to the wrong address")
    page.get_by_role("button", name="Mark disputed").click()
    expect(panel).to_contain_text("Invoice 01 marked disputed.")
    shot(page, "disputed")

    # Everything is still there after a reload, with who did it.
    page.reload()
    expect(panel).to_contain_text("Spoke to the CFO")
    expect(panel).to_contain_text("Pending")
    expect(panel).to_contain_text("Delivered to the wrong address")
    expect(page.locator("#fu-panel-" + str(book[0].pk) + "-owner")).to_have_value(str(collector.pk))
    shot(page, "customer-after")
    assert FollowUpAudit.objects.filter(customer=book[0]).count() == 5  # owner, next action, note, promise, dispute

    # The home page: Alm is promised, so three to chase, two of them mine, one promise due this week.
    page.get_by_role("link", name="ARPortal").click()
    figures = page.locator("#followup-figures")
    expect(figures).to_contain_text("3 customers to chase")
    expect(figures).to_contain_text("2 of them mine")
    expect(figures).to_contain_text("1 promise to pay due within a week")
    shot(page, "home")


def test_on_a_phone_the_follow_up_pages_do_not_scroll_sideways(page, collector, book, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page)
    for url, name in (("/followup/", "phone-list"), (book[0].get_absolute_url(), "phone-customer")):
        page.goto(url)
        shot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), name
