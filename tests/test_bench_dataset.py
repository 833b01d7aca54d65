"""The benchmark's book: built with every open invoice, then grown with settled history only."""

import pytest
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min
from django.utils import timezone

from bench import dataset
from bench.management.commands.benchmark import check
from invoices.models import Invoice, LookupAudit

# VACUUM, which the build runs on PostgreSQL, cannot run inside a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def bench_invoices():
    return Invoice.objects.filter(account__in=dataset.bench_accounts())


@pytest.fixture
def book():
    built = dataset.build(customers=12, invoices=200, big=40, open_invoices=30, log=lambda message: None)
    yield built
    dataset.delete_previous()


def test_the_first_size_holds_every_open_invoice_and_the_big_customer_complete(book):
    assert bench_invoices().count() == 200
    assert bench_invoices().filter(state="open").count() == 30
    assert bench_invoices().filter(customer_id=book.big_customer).count() == 40
    assert bench_invoices().values("customer").distinct().count() == 12


def test_growing_the_book_adds_only_settled_history_older_than_every_invoice_it_had(book):
    open_before = set(bench_invoices().filter(state="open").values_list("pk", flat=True))
    oldest_before = bench_invoices().aggregate(oldest=Min("issue_date"))["oldest"]
    newest_pk = bench_invoices().aggregate(last=Max("pk"))["last"]

    dataset.grow(book, 500, log=lambda message: None)

    added = bench_invoices().filter(pk__gt=newest_pk)
    assert bench_invoices().count() == book.invoice_count == 500
    assert set(bench_invoices().filter(state="open").values_list("pk", flat=True)) == open_before
    assert not added.filter(state="open").exists()
    assert added.aggregate(newest=Max("issue_date"))["newest"] < oldest_before
    assert not added.filter(paid_date__gt=timezone.localdate()).exists()
    assert not added.filter(customer_id=book.big_customer).exists()
    assert bench_invoices().values("customer").distinct().count() == 12


def test_every_invoice_of_a_grown_book_has_its_own_number_at_its_account(book):
    dataset.grow(book, 350, log=lambda message: None)
    dataset.grow(book, 600, log=lambda message: None)

    repeated = bench_invoices().values("account", "number").annotate(n=Count("pk")).filter(n__gt=1)
    assert not repeated.exists()


def test_the_same_options_build_the_same_book(book):
    first = list(bench_invoices().order_by("number").values_list("number", "state", "total", "issue_date"))
    dataset.build(customers=12, invoices=200, big=40, open_invoices=30, log=lambda message: None)

    again = list(bench_invoices().order_by("number").values_list("number", "state", "total", "issue_date"))
    assert again == first


def options(**given):
    defaults = {"customers": 12, "invoices": 600, "big": 40, "runs": 1, "sweep_workers": "0", "steps": "200,400"}
    return defaults | given


def test_the_benchmark_measures_each_step_and_then_the_final_size():
    assert check(options()) == [200, 400, 600]
    assert check(options(steps="")) == [600]


@pytest.mark.parametrize("steps", ["400,200", "200,600", "700", "two hundred"])
def test_the_benchmark_refuses_steps_that_do_not_grow_towards_the_final_size(steps):
    with pytest.raises(CommandError, match="--steps"):
        check(options(steps=steps))


def test_the_benchmark_refuses_a_first_size_too_small_for_every_open_invoice():
    with pytest.raises(CommandError, match="open invoice"):
        check(options(invoices=10_000, steps="400", customers=5))


def test_removing_the_bench_book_keeps_other_users_audit_rows_without_their_invoice(book, django_user_model):
    staff = django_user_model.objects.create_user("auditor")
    invoice = bench_invoices().first()
    entry = LookupAudit.objects.create(
        user=staff, masked_number="5561796607", number_hash="x", result_count=1, source="cache", invoice=invoice
    )

    dataset.delete_previous()

    entry.refresh_from_db()
    assert entry.invoice is None
    assert not bench_invoices().exists()
