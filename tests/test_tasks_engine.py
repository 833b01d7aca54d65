"""The background engine on real backends: pages answer from the cache while a
worker asks the providers, over HTTP against the sandbox.

Each test runs on the database queue and, when Redis answers, on RQ (the
`worker` fixture in conftest.py).
"""

import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse

from invoices.audit import reached
from invoices.models import Customer, CustomerLink, Invoice, LookupAudit
from sandbox.world import world

# The worker commits and closes its connection between tasks, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cached_customer(staff_client, qvickly_account, fusebill_account):
    """A customer looked up once (the test settings run that lookup at once), now stale."""
    response = staff_client.post(reverse("search"), {"q": world().samples()["both"]})
    customer = Customer.objects.get()
    assert response.url == reached(customer, "lookup")
    CustomerLink.objects.update(
        fetched_at=CustomerLink.objects.get(account=qvickly_account).fetched_at - timedelta(days=1)
    )
    return customer


def rows():
    return list(Invoice.objects.order_by("pk").values())


def queued_arguments(settings):
    """Everything the queue holds about its tasks, as text."""
    if "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
        from django_tasks_db.models import DBTaskResult

        return json.dumps([r.args_kwargs for r in DBTaskResult.objects.all()])
    import django_rq

    queue = django_rq.get_queue("default")
    return json.dumps([[job.args, job.kwargs] for job in queue.get_jobs()], default=str)


def test_with_both_providers_hanging_the_page_answers_from_the_cache_and_the_worker_fails_cleanly(
    staff_client, cached_customer, fault, worker, settings
):
    before = rows()
    for provider in ("qvickly", "fusebill"):
        fault(provider=provider, fault="timeout", delay=30)
    url = cached_customer.get_absolute_url()

    started = time.monotonic()
    page = staff_client.get(url)
    took = time.monotonic() - started

    assert took < 2, f"the page took {took:.2f} s"
    text = page.content.decode()
    assert "Refreshing from the providers" in text and 'hx-trigger="every 2s"' in text
    assert page.context["page"].paginator.count == len(before)
    assert Customer.objects.get().is_refreshing

    # The worker gives up on the hung providers quickly here, and writes only why.
    settings.PROVIDER_READ_TIMEOUT = 0.3
    settings.PROVIDER_RETRIES = 0
    worker()
    assert rows() == before
    assert not Customer.objects.get().is_refreshing
    assert all("did not answer in time" in link.error for link in CustomerLink.objects.all())
    text = staff_client.get(url).content.decode()
    assert "could not be refreshed" in text and "every 2s" not in text


def test_the_page_swaps_in_the_fresh_data_once_the_worker_is_done(staff_client, cached_customer, worker):
    url = cached_customer.get_absolute_url()
    old = CustomerLink.objects.order_by("pk").values_list("fetched_at", flat=True)[0]
    poll = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert poll.lstrip().startswith('<section id="customer-data"') and "every 2s" in poll
    worker()
    poll = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in poll and "Refreshing from the providers" not in poll
    assert CustomerLink.objects.order_by("pk").values_list("fetched_at", flat=True)[0] > old


def test_a_second_refresh_click_joins_the_queued_refresh_instead_of_queueing_another(
    staff_client, cached_customer, worker, settings
):
    url = reverse("customer-refresh", args=[cached_customer.pk])
    first = staff_client.post(url, headers={"HX-Request": "true"})
    second = staff_client.post(url, headers={"HX-Request": "true"})
    assert "Refreshing from the providers" in second.content.decode()
    assert first.status_code == second.status_code == 200
    assert len(json.loads(queued_arguments(settings))) == 1
    worker()
    assert not Customer.objects.get().is_refreshing


def test_the_first_lookup_of_a_number_fills_in_when_the_worker_has_asked_the_providers(
    staff_client, qvickly_account, fusebill_account, worker, settings
):
    settings.LOOKUP_WAIT = 0.2  # nobody works the queue until worker() below
    number = world().samples()["both"]
    response = staff_client.post(reverse("search"), {"q": number})
    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == reached(customer, "lookup")
    assert number not in response.url
    # The queue holds the customer's id, never the personal number.
    queued = queued_arguments(settings)
    assert str(customer.pk) in queued and number not in queued and number[2:] not in queued

    waiting = staff_client.get(response.url).content.decode()
    assert "Asking the providers for this customer" in waiting and "every 2s" in waiting
    worker()
    page = staff_client.get(response.url)
    assert "every 2s" not in page.content.decode()
    assert page.context["page"].paginator.count == Invoice.objects.count() > 0
    audit = LookupAudit.objects.get(action=LookupAudit.Action.LOOKUP)
    assert audit.customer == customer and audit.result_count == Invoice.objects.count()


def test_a_first_lookup_nobody_knows_leaves_no_customer_and_says_so_when_it_ends(
    staff_client, qvickly_account, fusebill_account, worker, settings
):
    settings.LOOKUP_WAIT = 0.2
    response = staff_client.post(reverse("search"), {"q": "550101-1018"})
    assert response.status_code == 302
    worker()
    assert not Customer.objects.exists()
    poll = staff_client.get(response.url, headers={"HX-Request": "true"})
    assert poll.headers.get("HX-Refresh") == "true"
    page = staff_client.get(response.url)
    assert page.status_code == 200
    assert "No provider has invoices for 19550101-XXXX" in page.content.decode()
    audit = LookupAudit.objects.get()
    assert audit.customer is None and audit.masked_number == "19550101-XXXX"


def test_someone_elses_finished_lookup_is_not_found(staff_client, client, qvickly_account, worker, settings):
    settings.LOOKUP_WAIT = 0.2
    response = staff_client.post(reverse("search"), {"q": "550101-1018"})
    worker()
    staff_client.logout()
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user("other", password="pw", is_staff=True)
    client.force_login(other)
    assert client.get(response.url).status_code == 404
