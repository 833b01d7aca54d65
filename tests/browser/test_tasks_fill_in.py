"""In Chromium: a page that waits for the providers fills in by itself when the worker is done."""

import re
import threading

import pytest
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from sandbox.world import world
from tests.conftest import DB_TASKS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(anna, qvickly_account, fusebill_account):
    return anna


@pytest.fixture
def late_worker(settings):
    """The database queue, worked by a thread that only starts once told to."""
    settings.TASKS = DB_TASKS
    settings.LOOKUP_WAIT = 0  # the search answers before anyone works the queue
    start, stop = threading.Event(), threading.Event()

    def work():
        start.wait()
        try:
            while not stop.is_set():
                # db_worker's own loop, without the signal handlers only a main thread may set.
                Worker(
                    queue_names=["default"],
                    interval=0.1,
                    batch=True,
                    backend_name="default",
                    startup_delay=False,
                    max_tasks=None,
                    worker_id="browser-test",
                    excluded_queue_names=[],
                ).run()
                stop.wait(0.3)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield start
    start.set()
    stop.set()
    thread.join()


def test_a_first_lookup_shows_a_waiting_page_that_fills_in_when_the_worker_is_done(page, staff, late_worker, shot):
    person = world().samples()["both"]
    page.goto("/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("searchbox", name="Search customers").fill(person)
    page.get_by_role("searchbox", name="Search customers").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Asking the providers for this customer's invoices")
    expect(page.get_by_role("heading", level=1)).to_have_text("Unnamed customer")
    shot(page, "waiting")
    url = page.url

    late_worker.set()
    name = world().customer_by_identity(person).name
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(re.escape(name.split()[0])))
    expect(page.locator("table.invoices tbody tr:not(.detail-row)").first).to_be_visible()
    expect(page.get_by_text("Asking the providers")).to_have_count(0)
    assert page.url == url
    shot(page, "filled-in")
