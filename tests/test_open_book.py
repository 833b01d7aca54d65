"""The open book's rows (invoices/open_book.py) always equal a regrouping of the invoices,
and every page that reads them answers what it answered from the invoices."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoices import balances, followup, open_book
from invoices.aging import Aging
from invoices.forms import FollowUpFilterForm
from invoices.models import Balance, BookBalance, Customer, Invoice, OpenBalance, OpenBook, OpenTotal
from tests.conftest import cached_invoice
from tests.test_balances import run, steps, totals_by_currency, world_of_three  # noqa: F401 (a fixture)


def cents(rows):
    return [{key: balances.cents(value) for key, value in row.items()} for row in rows]


def answers(user, grouped):
    """What the home page, the aging report and the follow-up list show, read from the
    open book's rows (`grouped`) or, with None, from the invoices."""
    aging = Aging.today()
    invoices = Invoice.objects.all()
    if grouped is None:
        debtors = invoices.largest_debtors(aging, currencies=["EUR", "SEK"])
        aged = invoices.aging_by_customer(aging)
    else:
        debtors = grouped.largest_debtors(currencies=["EUR", "SEK"])
        aged = grouped.aging_rows(aging)
    order = ("currency", "-owed", "customer")
    filters = FollowUpFilterForm({"promised": "on"}, users=[user], currencies=["EUR", "SEK"])
    chased = (
        followup.rows(followup.overdue_invoices(aging.as_of), aging.as_of)
        if grouped is None
        else grouped.chasing().chased(aging.as_of)
    )
    return {
        "totals": totals_by_currency(invoices.totals(aging, Balance.objects.all(), grouped)),
        "stages": cents(
            invoices.stage_totals(summary=Balance.objects.all())
            if grouped is None
            else grouped.stage_totals(Balance.objects.all())
        ),
        "debtors": cents(debtors),
        "aging": cents(aged.order_by(*order)),
        "followup": cents(chased),
        "listed": len(followup.list_rows(filters, user, aging.as_of)),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(steps, min_size=1, max_size=12))
def test_after_any_sequence_of_syncs_the_open_book_equals_a_regrouping_of_the_invoices(world_of_three, sequence):  # noqa: F811
    accounts, customers, user = world_of_three
    with transaction.atomic():
        open_book.regroup_all()  # the day's first read
        for step in sequence:
            run(step, accounts, customers, user)
            assert open_book.stored() == open_book.recomputed()
            # The totals, moved by each regrouping's differences, are still the rows summed.
            assert open_book.totals_stored() == open_book.totals_recomputed()
        # And the pages read from the rows what they read from the invoices.
        assert answers(user, open_book.current(Aging.today())) == answers(user, None)
        # As the home page reads them: the book's history and the open book's totals.
        today, summed = Aging.today(), OpenTotal.objects.all()
        assert totals_by_currency(Invoice.objects.totals(today, BookBalance.objects.all(), summed)) == (
            totals_by_currency(Invoice.objects.scanned_totals(today))
        )
        assert cents(summed.stage_totals(BookBalance.objects.all())) == cents(Invoice.objects.stage_totals())
        # As a customer's page reads them: their history's rows and their open rows.
        for customer in customers:
            theirs = customer.invoices.all()
            read = theirs.totals(today, customer.balances.all(), OpenBalance.objects.filter(customer=customer))
            assert totals_by_currency(read) == totals_by_currency(theirs.scanned_totals(today))
        transaction.set_rollback(True)


@pytest.fixture
def grouped_today(db):
    open_book.regroup_all()


def test_the_first_read_of_a_new_day_groups_the_whole_open_book_again(staff_client, qvickly_account, grouped_today):
    anna = Customer.objects.create(name="Anna")
    # Due today: not overdue yesterday, overdue tomorrow; grouped as of yesterday.
    cached_invoice(qvickly_account, anna, "1", "100.00", due_date=timezone.localdate() - timedelta(days=1))
    yesterday = timezone.localdate() - timedelta(days=1)
    OpenBook.objects.update(day=yesterday)
    OpenBalance.objects.all().delete()
    cached_invoice(qvickly_account, anna, "2", "50.00", due_date=timezone.localdate())
    assert not OpenBalance.objects.exists()  # a sync leaves an earlier day's rows to the next read

    response = staff_client.get(reverse("home"))

    assert response.status_code == 200
    assert OpenBook.objects.get().day == timezone.localdate()
    assert open_book.stored() == open_book.recomputed()
    (row,) = response.context["debtors"]
    assert (row["name"], row["owed"]) == ("Anna", Decimal("150.00"))


def test_aging_edges_changed_since_the_grouping_regroup_the_book(
    staff_client, qvickly_account, grouped_today, settings
):
    anna = Customer.objects.create(name="Anna")
    cached_invoice(qvickly_account, anna, "1", "80.00", due_date=timezone.localdate() - timedelta(days=50))
    settings.AGING_BUCKETS = [45]
    response = staff_client.get(reverse("aging"))
    (row,) = response.context["page"].object_list
    assert (row["days_1_45"], row["days_46_plus"]) == (0, Decimal("80.00"))
    assert OpenBook.objects.get().edges == "45"


def test_more_aging_buckets_than_the_rows_hold_are_summed_from_the_invoices(
    staff_client, qvickly_account, grouped_today, settings
):
    anna = Customer.objects.create(name="Anna")
    cached_invoice(qvickly_account, anna, "1", "80.00", due_date=timezone.localdate() - timedelta(days=100))
    settings.AGING_BUCKETS = [10, 20, 30, 40, 50, 60]
    response = staff_client.get(reverse("aging"))
    (row,) = response.context["page"].object_list
    assert row["days_61_plus"] == Decimal("80.00")
    home = staff_client.get(reverse("home"))
    assert totals_by_currency(home.context["totals"]) == totals_by_currency(
        Invoice.objects.scanned_totals(Aging.today())
    )


def test_rebuild_balances_groups_the_open_book_again(qvickly_account, grouped_today):
    anna = Customer.objects.create(name="Anna")
    cached_invoice(qvickly_account, anna, "1", "80.00", currency="EUR")
    OpenBalance.objects.update(owed=Decimal("1.00"))  # as if something had written behind the sync's back
    out = StringIO()
    call_command("rebuild_balances", stdout=out)
    assert open_book.stored() == open_book.recomputed()
    assert "1 open balance written" in out.getvalue()


@pytest.mark.parametrize("listed", [500, 1], ids=["as a list", "too many to list"])
def test_invoices_paid_after_today_or_issued_ahead_count_in_the_totals_as_in_a_scan(
    qvickly_account, monkeypatch, listed
):
    today = timezone.localdate()
    anna, bo = Customer.objects.create(name="Anna"), Customer.objects.create(name="Bo")
    cached_invoice(qvickly_account, anna, "1", "100.00", due_date=today - timedelta(days=40), issue_date=today)
    # Paid, but only after today: still owed today.
    cached_invoice(qvickly_account, anna, "2", "250.00", "0.00", state="paid", paid_date=today + timedelta(days=2))
    # Registered ahead of its date: not on the books yet.
    cached_invoice(qvickly_account, anna, "3", "75.00", issue_date=today + timedelta(days=5))
    cached_invoice(qvickly_account, bo, "4", "40.00", "0.00", state="paid", issue_date=today - timedelta(days=9))
    open_book.regroup_all(force=True)
    monkeypatch.setattr(Invoice.objects._queryset_class, "FEW_LISTED", listed)
    aging = Aging.today()
    for theirs, summary, rows in [
        (Invoice.objects.all(), BookBalance.objects.all(), OpenTotal.objects.all()),
        (Invoice.objects.all(), BookBalance.objects.all(), None),
        (anna.invoices.all(), anna.balances.all(), OpenBalance.objects.filter(customer=anna)),
        (bo.invoices.all(), bo.balances.all(), OpenBalance.objects.filter(customer=bo)),
    ]:
        read = totals_by_currency(theirs.totals(aging, summary, rows))
        assert read == totals_by_currency(theirs.scanned_totals(aging))
    assert totals_by_currency(anna.invoices.totals(aging, anna.balances.all()))["SEK"]["owed"] == Decimal("350.00")
