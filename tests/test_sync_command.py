"""sync_invoices: the background refresh, and refreshes racing each other."""

import threading
from datetime import timedelta

import pytest
import requests
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse

from invoices import identity, sync
from invoices.models import Customer, CustomerLink, Invoice
from sandbox.world import world


@pytest.fixture
def cached(staff_client, qvickly_account, fusebill_account):
    """Two customers looked up once, so the cache knows them."""
    for sample in ("both", "company"):
        staff_client.post(reverse("search"), {"q": world().samples()[sample]})
    return list(Customer.objects.order_by("pk"))


def run(*args, now=True):
    """The command as cron runs it; `now`: refreshing here rather than enqueueing."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("sync_invoices", *args, *(["--now"] if now else []), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_refreshes_every_known_customer_and_prints_a_summary(cached):
    CustomerLink.objects.update(fetched_at=None)
    out, _ = run()
    assert "[1/2] customer" in out and "[2/2] customer" in out
    assert "Refreshed 2 customer(s): 2 ok, 0 failed." in out
    assert not CustomerLink.objects.filter(fetched_at__isnull=True).exists()


def test_it_exits_non_zero_and_keeps_the_failing_providers_cache_as_it_was(cached, fusebill_account):
    before = list(Invoice.objects.filter(account=fusebill_account).order_by("pk").values())
    assert before
    fusebill_account.secret = "d3Jvbmcta2V5"
    fusebill_account.save()
    with pytest.raises(CommandError) as caught:
        run()
    assert caught.value.returncode == 1
    assert "kept as they were" in str(caught.value)
    assert list(Invoice.objects.filter(account=fusebill_account).order_by("pk").values()) == before


def test_it_can_refresh_one_account_one_customer_or_only_stale_ones(cached, qvickly_account, fusebill_account):
    fusebill_account.secret = "d3Jvbmcta2V5"  # would fail if asked
    fusebill_account.save()
    out, _ = run("--account", qvickly_account.name)
    assert "2 ok, 0 failed" in out
    out, _ = run("--account", qvickly_account.name, "--customer", str(cached[1].pk))
    assert "Refreshed 1 customer(s)" in out
    CustomerLink.objects.filter(customer=cached[0], account=qvickly_account).update(
        fetched_at=CustomerLink.objects.get(customer=cached[0], account=qvickly_account).fetched_at - timedelta(hours=2)
    )
    out, _ = run("--account", qvickly_account.name, "--older-than", "60")
    assert f"[1/1] customer {cached[0].pk}" in out


def test_without_now_it_enqueues_each_customer_and_waits_with_a_line_per_account(cached, qvickly_account):
    # The test settings run tasks as they are enqueued; tests/test_tasks_*.py use real workers.
    CustomerLink.objects.update(fetched_at=None)
    out, _ = run("--wait", now=False)
    assert "Queued 2 refresh(es); 0 already queued or running." in out
    assert f"{qvickly_account.name}: 2/2 refreshed, 0 failed" in out
    assert not CustomerLink.objects.filter(fetched_at__isnull=True).exists()


def test_a_customer_already_queued_is_not_queued_again(cached):
    token = cached[0].claim_refresh()
    out, _ = run(now=False)
    assert "Queued 1 refresh(es); 1 already queued or running." in out
    cached[0].release_refresh(token)


def test_an_unknown_account_or_customer_is_a_clear_error(cached):
    with pytest.raises(CommandError, match="No active provider account is called 'Nope'"):
        run("--account", "Nope")
    with pytest.raises(CommandError, match="No customer has the id 999999"):
        run("--customer", "999999")


def twice_at_once(work):
    """Runs `work` in two threads at the same time; returns the exceptions they raised."""
    errors = []

    def guarded():
        try:
            work()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guarded) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_refreshes_of_the_same_customer_at_once_leave_one_row_per_invoice(qvickly_account, fusebill_account):
    big = world().samples()["big"]
    expected = len(world().fusebill_invoices_of(world().customer_by_identity(big).fusebill_id)) + len(
        world().qvickly_invoices_of(big)
    )

    def lookup_then_refresh():
        sync.refresh(sync.lookup_identity(identity.parse(big)).customer)

    assert twice_at_once(lookup_then_refresh) == []
    assert Customer.objects.count() == 1
    assert Invoice.objects.count() == expected
    assert Invoice.objects.values("account", "provider_id").distinct().count() == expected


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_sync_runs_at_once_neither_duplicate_nor_lose_rows(qvickly_account, fusebill_account):
    for sample in ("both", "company", "fusebill_only"):
        sync.lookup_identity(identity.parse(world().samples()[sample]))
    before = Invoice.objects.count()
    CustomerLink.objects.update(fetched_at=None)
    assert twice_at_once(run) == []
    assert Invoice.objects.count() == before


def test_an_account_whose_credentials_are_rejected_is_not_asked_again_in_the_same_run(
    cached, qvickly_account, sandbox_url
):
    # Rejected once only: were the second customer asked, Qvickly would answer it.
    requests.post(
        sandbox_url + "faults/", json={"provider": "qvickly", "fault": "reject_credentials", "times": 1}, timeout=5
    )
    CustomerLink.objects.update(fetched_at=None)
    with pytest.raises(CommandError):
        run()
    first, second = (CustomerLink.objects.get(customer=c, account=qvickly_account) for c in cached)
    assert first.credentials_rejected and "(code 9013)" in first.error
    assert second.fetched_at is None and not second.error
    assert CustomerLink.objects.exclude(account=qvickly_account).filter(fetched_at__isnull=True).count() == 0
    requests.delete(sandbox_url + "faults/", timeout=5)
