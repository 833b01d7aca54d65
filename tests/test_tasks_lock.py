"""One refresh per customer at a time: the lock on Customer, across threads."""

import threading
import time
from datetime import timedelta

import pytest
import requests
from django.db import connections
from django.utils import timezone

from invoices import identity, sync, tasks
from invoices.models import Customer
from sandbox.world import world


@pytest.fixture
def slow_qvickly(sandbox_url):
    """Makes every Qvickly request take `delay` seconds; returns how many it has answered."""
    url = sandbox_url + "faults/"

    def slow(delay):
        requests.delete(url, timeout=5)
        assert requests.post(url, json={"provider": "qvickly", "fault": "slow", "delay": delay}, timeout=5).ok
        return lambda: sum(fault["used"] for fault in requests.get(url, timeout=5).json())

    yield slow
    requests.delete(url, timeout=5)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_asked_for_while_another_runs_joins_it_and_the_provider_is_asked_once(qvickly_account, slow_qvickly):
    customer = sync.lookup_identity(identity.parse(world().samples()["person"])).customer
    answered = slow_qvickly(0.01)
    sync.refresh(customer)
    one_round = answered()
    assert one_round >= 1

    answered = slow_qvickly(1.0)
    enqueued = []

    def refresh():  # the test settings run the task as it is enqueued, here in this thread
        try:
            enqueued.append(tasks.request_refresh(customer))
        finally:
            connections.close_all()

    first = threading.Thread(target=refresh)
    first.start()
    time.sleep(0.3)  # the first refresh is waiting for Qvickly now
    assert Customer.objects.get().is_refreshing
    second = tasks.request_refresh(Customer.objects.get())
    first.join()

    assert enqueued == [True] and second is False
    assert answered() == one_round
    assert not Customer.objects.get().is_refreshing


def test_a_lock_left_by_a_dead_worker_is_taken_over_after_the_timeout(db, settings):
    customer = Customer.objects.create(identity_number="195501011018")
    dead = customer.claim_refresh()
    assert dead and customer.claim_refresh() is None
    Customer.objects.update(refresh_claimed_at=timezone.now() - timedelta(seconds=settings.REFRESH_LOCK_TIMEOUT + 1))
    assert not Customer.objects.get().is_refreshing
    taken = customer.claim_refresh()
    assert taken and taken != dead
    # The dead worker, should it wake, can neither renew nor release the new holder's lock.
    assert not customer.renew_refresh(dead)
    customer.release_refresh(dead)
    assert Customer.objects.get().refresh_token == taken


def test_a_refresh_whose_lock_was_taken_over_writes_nothing(qvickly_account, db):
    customer = sync.lookup_identity(identity.parse(world().samples()["person"])).customer
    links = sync.customer_links(customer)
    fetched = [link.fetched_at for link in links]
    with pytest.raises(sync.LockLost):
        sync.refresh(customer, links, fence=lambda: False)
    assert [link.fetched_at for link in sync.customer_links(customer)] == fetched
