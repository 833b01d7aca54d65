"""Playwright driving Debian's Chromium against the project served on loopback.

Skipped, with a message that says so, where Chromium is not installed;
REQUIRE_BROWSER=1 (set by CI) turns that skip into a failure.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from invoices import roles

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium is not installed (apt-get install chromium): browser tests skipped"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message.replace("skipped", "required by REQUIRE_BROWSER"))
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django would
    # then refuse database calls from the test itself, which are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # A page that breaks its own Content-Security-Policy (an inline style htmx sets,
    # say) still works, so only the console tells: every browser test fails on it.
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"the browser console reported errors: {errors}"


@pytest.fixture
def shot(request):
    """Saves a numbered screenshot per step into screenshots/<test name>/ (git ignores it)."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, name):
        page.screenshot(path=folder / f"{next(counter):02d}-{name}.png", full_page=True)

    return take


@pytest.fixture
def anna(django_user_model):
    """A staff member who may refresh from the providers, as the journeys log in."""
    user = django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.REFRESHERS))
    return user
