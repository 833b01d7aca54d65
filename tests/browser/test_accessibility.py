"""Every page and state, on a desktop and on a phone: no WCAG 2 A/AA violation axe can find,
no page wider than the window, no table wider than its box."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from invoices import roles
from invoices.models import Customer, Invoice, ProviderAccount
from sandbox.world import world
from tests.browser.axe import overflow, violations, with_axe
from tests.conftest import cached_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# A valid personnummer (Skatteverket's example) that no provider knows.
UNKNOWN_PERSON = "19121212-1212"
TODAY = timezone.localdate()


@pytest.fixture
def superuser(django_user_model, qvickly_account, fusebill_account):
    """Sees every control there is: refresh, reveal, follow-up forms and the admin."""
    user = django_user_model.objects.create_superuser("anna", password="a-long-password")
    user.groups.add(*Group.objects.filter(name__in=[roles.REFRESHERS, roles.COLLECTORS]))
    return user


def log_in(page):
    page.goto("/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def search(page, text):
    box = page.get_by_role("searchbox", name="Search customers")
    box.fill(text)
    box.press("Enter")
    page.wait_for_load_state()


def visits(page):
    """(name, step) for every page and state checked; each step leaves the page in that state."""
    both = world().samples()["both"]

    def customer():
        search(page, both)
        expect(page.locator("table.invoices")).to_be_visible()

    def expanded():
        page.locator("a.invoice-toggle").first.click()
        expect(page.locator(".invoice-detail")).to_be_visible()

    def revealed():
        page.get_by_role("button", name="Reveal").click()
        expect(page.locator("#identity .badge")).to_be_visible()

    def invoice_of(kind):
        return lambda: page.goto(Invoice.objects.filter(account__kind=kind).first().get_absolute_url())

    def results():
        Customer.objects.create(name="Lindqvist Handel AB")
        Customer.objects.create(name="Lindqvist, Maria")
        search(page, "Lindqvist")
        expect(page.locator("main table")).to_be_visible()

    def not_found():
        search(page, UNKNOWN_PERSON)
        expect(page.get_by_role("status")).to_be_visible()

    account = lambda: ProviderAccount.objects.get(kind="qvickly").pk  # noqa: E731
    return [
        ("customer", customer),
        ("customer-invoice-expanded", expanded),
        ("customer-number-revealed", revealed),
        (
            "statement",
            lambda: page.goto(reverse("customer-statement", args=[Customer.objects.with_number(both).get().pk])),
        ),
        ("invoice-qvickly", invoice_of("qvickly")),
        ("invoice-fusebill", invoice_of("fusebill")),
        ("home", lambda: page.goto("/")),
        ("search-empty", lambda: page.goto(reverse("search"))),
        ("search-results", results),
        ("search-not-found", not_found),
        ("aging", lambda: page.goto(reverse("aging"))),
        ("overdue", lambda: page.goto(reverse("overdue"))),
        ("followup", lambda: page.goto(reverse("followup"))),
        ("admin-accounts", lambda: page.goto(reverse("admin:invoices_provideraccount_changelist"))),
        ("admin-account", lambda: page.goto(reverse("admin:invoices_provideraccount_change", args=[account()]))),
    ]


def check(page, shot, name, found):
    shot(page, name)
    # On a phone Django's admin scrolls its lists inside their own box (rows of links,
    # reachable by keyboard); only our pages turn rows into cards.
    phone_admin = name.startswith("admin") and page.viewport_size["width"] < 700
    problems = violations(page) + overflow(page, tables=not phone_admin)
    found[name] = problems
    print(f"{name}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_and_fits_the_screen(
    page, superuser, shot, width, live_server, settings, django_user_model
):
    width_px, height = WIDTHS[width]
    page.set_viewport_size({"width": width_px, "height": height})
    with_axe(page.context)
    found = {}

    page.goto("/login/")
    check(page, shot, "login", found)
    log_in(page)
    for name, step in visits(page):
        step()
        page.wait_for_load_state()
        check(page, shot, name, found)

    # Error pages and the lock-out, in contexts of their own: the browser reports an
    # error status in the console, which the page fixture rightly fails on elsewhere.
    def context():
        opened = page.context.browser.new_context(base_url=live_server.url, viewport=page.viewport_size)
        with_axe(opened)
        return opened.new_page()

    errors = context()
    errors.goto("/no-such-page/")
    check(errors, shot, "404-anonymous", found)
    errors.goto("/login/")
    errors.get_by_label("Username").fill("anna")
    errors.get_by_label("Password").fill("a-long-password")
    errors.get_by_role("button", name="Log in").click()
    errors.goto("/no-such-page/")
    expect(errors.get_by_role("heading", level=1)).to_have_text("Page not found")
    check(errors, shot, "404", found)
    # A form sent without its security token.
    errors.context.clear_cookies(name="csrftoken")
    errors.get_by_role("searchbox", name="Search customers").fill("Lindqvist")
    errors.get_by_role("searchbox", name="Search customers").press("Enter")
    expect(errors.get_by_role("heading", level=1)).to_have_text("The form could not be sent")
    check(errors, shot, "403-csrf", found)
    settings.ROOT_URLCONF = "tests.error_urls"
    errors.goto("/explode/")
    expect(errors.get_by_role("heading", level=1)).to_have_text("Something went wrong")
    check(errors, shot, "500", found)
    errors.context.close()

    outsider = context()
    django_user_model.objects.create_user("clerk", password="a-long-password")
    outsider.goto("/login/")
    outsider.get_by_label("Username").fill("clerk")
    outsider.get_by_label("Password").fill("a-long-password")
    outsider.get_by_role("button", name="Log in").click()
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Not allowed")
    check(outsider, shot, "403", found)
    outsider.context.close()

    # Locked out: a stranger who keeps failing to log in.
    locked = context()
    for _ in range(5):
        locked.goto("/login/")
        locked.get_by_label("Username").fill("mallory")
        locked.get_by_label("Password").fill("not-the-password")
        locked.get_by_role("button", name="Log in").click()
    expect(locked.get_by_role("heading", level=1)).to_have_text(re.compile("Too many"))
    check(locked, shot, "locked-out", found)
    locked.context.close()

    report = "\n".join(f"  {name}:\n    " + "\n    ".join(problems) for name, problems in found.items() if problems)
    assert not report, f"at {width_px} px:\n{report}"


def test_a_book_in_the_hundreds_of_millions_still_fits_a_desktop_screen(page, superuser, qvickly_account, shot):
    """Eleven columns of nine-figure sums are wider than 1280 px: the balance shows as cards instead."""
    customer = Customer.objects.create(name="Storbolaget AB")
    late = {"due_date": TODAY - timedelta(days=400), "stage": "overdue"}
    for currency in ("EUR", "SEK", "USD"):
        book = {"currency": currency, "issue_date": TODAY - timedelta(days=430)}
        for number, total, fields in [
            ("1", "987654321.99", late),
            ("2", "123456789.01", {"outstanding": "0", "credited": "23456789.01", "written_off": "12345678.90"}),
            ("3", "-23456789.01", {"kind": "credit", "outstanding": "0"}),
            ("4", "12345678.90", {"kind": "interest", **late}),
        ]:
            cached_invoice(qvickly_account, customer, number=f"{currency}-{number}", total=total, **book, **fields)
    with_axe(page.context)
    log_in(page)
    page.goto("/")
    shot(page, "home")
    assert overflow(page) == []
    expect(page.locator("table.totals")).to_contain_text("1,000,000,000.89")
    assert violations(page) == []


def test_the_pages_in_swedish_pass_axe_and_fit_a_phone(page, superuser, shot):
    """Swedish is the default: longer words, other number formats, lang="sv"."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.set_extra_http_headers({"Accept-Language": "sv-SE,sv"})
    with_axe(page.context)
    found = {}
    page.goto("/login/")
    check(page, shot, "sv-login", found)
    page.locator("#id_username").fill("anna")
    page.locator("#id_password").fill("a-long-password")
    page.locator("main button[type=submit]").click()
    page.locator("#search-q").fill(world().samples()["both"])
    page.locator("#search-q").press("Enter")
    expect(page.locator("table.invoices")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    check(page, shot, "sv-customer", found)
    customer = Customer.objects.with_number(world().samples()["both"]).get()
    pages = [
        ("sv-home", "/"),
        ("sv-statement", reverse("customer-statement", args=[customer.pk])),
        ("sv-invoice-qvickly", Invoice.objects.filter(account__kind="qvickly").first().get_absolute_url()),
        ("sv-invoice-fusebill", Invoice.objects.filter(account__kind="fusebill").first().get_absolute_url()),
        ("sv-aging", reverse("aging")),
        ("sv-overdue", reverse("overdue")),
        ("sv-followup", reverse("followup")),
        ("sv-search", reverse("search")),
    ]
    for name, url in pages:
        page.goto(url)
        check(page, shot, name, found)
    report = "\n".join(f"  {name}:\n    " + "\n    ".join(problems) for name, problems in found.items() if problems)
    assert not report, f"in Swedish at 390 px:\n{report}"
