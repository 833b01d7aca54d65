"""The summary table (invoices/balances.py) always equals a recomputation from the invoices,
and today's totals read from it equal the totals summed over the whole history."""

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

from invoices import balances, followup, retention, sync
from invoices.aging import Aging
from invoices.models import Balance, BookBalance, Customer, CustomerLink, Invoice, ProviderAccount
from invoices.providers import ProviderError
from invoices.providers.base import CustomerRecord, InvoiceRecord
from sandbox.world import world

KINDS = ("invoice", "invoice", "invoice", "credit", "interest", "cash")
STATES = ("open", "open", "paid", "paid", "cancelled", "credited", "written_off", "written_off")
STAGES = ("", "not_due", "overdue", "collection", "written_off")


@st.composite
def records(draw):
    """A provider's invoice as the clients hand it over: any kind, state and stage, a
    settled or open amount, issued in the past or (rarely) registered ahead of its date."""
    kind, state = draw(st.sampled_from(KINDS)), draw(st.sampled_from(STATES))
    total = Decimal(draw(st.integers(1, 10**6))) / 100 * (-1 if kind == "credit" else 1)
    outstanding = {"open": total, "paid": Decimal(0)}.get(state, Decimal(0))
    if state == "open" and draw(st.booleans()):
        outstanding = (total / 2).quantize(Decimal("0.01"))
    issued = timezone.localdate() - timedelta(days=draw(st.integers(-5, 800)))
    return {
        "provider_id": str(draw(st.integers(1, 12))),
        "kind": kind,
        "state": state,
        "currency": draw(st.sampled_from(("SEK", "EUR"))),
        "total": total,
        "outstanding": outstanding,
        "credited": total if state == "credited" else Decimal(0),
        "written_off": total if state == "written_off" else Decimal(0),
        "stage": "written_off" if state == "written_off" else draw(st.sampled_from(STAGES)) if state == "open" else "",
        "issue_date": issued,
        "due_date": issued + timedelta(days=draw(st.sampled_from((10, 30)))),
        "paid_date": issued + timedelta(days=3) if state == "paid" else None,
    }


def as_record(fields):
    return InvoiceRecord(number=f"N{fields['provider_id']}", raw={}, **fields)


# One step of a sync: a listing of a customer at an account (complete, so what it
# leaves out has left the provider, or a partial one), a failed refresh, an account
# that no longer knows the customer, or a dispute recorded on one of their invoices.
steps = st.one_of(
    st.tuples(st.just("listing"), st.integers(0, 2), st.integers(0, 1), st.lists(records(), max_size=6)),
    st.tuples(st.just("failure"), st.integers(0, 2), st.integers(0, 1), st.just(None)),
    st.tuples(st.just("unknown"), st.integers(0, 2), st.integers(0, 1), st.just(None)),
    st.tuples(
        st.just("dispute"),
        st.integers(0, 2),
        st.integers(0, 1),
        st.tuples(st.integers(0, 5), st.sampled_from(("", "Wrong amount", " Never delivered "))),
    ),
)


@pytest.fixture
def world_of_three(db, admin_user):
    accounts = [
        ProviderAccount.objects.create(name=name, kind=kind, base_url="http://127.0.0.1:9/", secret="s", active=False)
        for name, kind in (("Q", "qvickly"), ("F", "fusebill"))
    ]
    customers = [Customer.objects.create(name=name) for name in ("Anna", "Bo", "Cid")]
    return accounts, customers, admin_user


def run(step, accounts, customers, user):
    what, who, where, payload = step
    customer, account = customers[who], accounts[where]
    link, _ = CustomerLink.objects.get_or_create(customer=customer, account=account)
    if what == "listing":
        found = CustomerRecord(str(customer.pk), invoices=[as_record(fields) for fields in payload])
        sync.write_outcomes([(link, sync.Outcome(account, record=found))])
    elif what == "failure":
        sync.write_outcomes(
            [(link, sync.Outcome(account, error=ProviderError("qvickly", "The provider did not answer.")))]
        )
    elif what == "unknown":
        sync.write_outcomes([(link, sync.Outcome(account))])
    elif invoices := list(Invoice.objects.filter(customer=customer, account=account).order_by("pk")):
        which, reason = payload
        followup.set_dispute(user, invoices[which % len(invoices)], reason)


def totals_by_currency(rows):
    """To the cent: SQLite adds decimals as floats when it sums the invoices."""
    return {row["currency"]: {k: balances.cents(v) for k, v in row.items() if k not in ("buckets",)} for row in rows}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(steps, min_size=1, max_size=12))
def test_after_any_sequence_of_syncs_the_summary_equals_a_recomputation_from_the_invoices(world_of_three, sequence):
    accounts, customers, user = world_of_three
    with transaction.atomic():
        for step in sequence:
            run(step, accounts, customers, user)
            assert balances.stored() == balances.recomputed()
            # The book's rows, moved by each sync's differences, are still the customers' rows summed.
            assert balances.book_stored() == balances.book_recomputed()
        # And what the pages read from them is what the whole history adds up to.
        today = Aging.today()
        for summary in (Balance.objects.all(), BookBalance.objects.all()):
            assert totals_by_currency(Invoice.objects.totals(today, summary)) == totals_by_currency(
                Invoice.objects.scanned_totals(today)
            )
            assert Invoice.objects.stage_totals(summary=summary) == Invoice.objects.stage_totals()
        transaction.set_rollback(True)


def test_an_invoice_moved_to_another_customer_leaves_the_first_ones_summary(world_of_three):
    accounts, (anna, bo, _), user = world_of_three
    invoice = {"provider_id": "1", "kind": "invoice", "state": "open", "currency": "SEK"}
    amounts = {"total": Decimal("100.00"), "outstanding": Decimal("100.00")}
    run(("listing", 0, 0, [invoice | amounts]), accounts, [anna, bo], user)
    run(("listing", 1, 0, [invoice | amounts]), accounts, [anna, bo], user)
    assert list(Balance.objects.values_list("customer", "invoiced")) == [(bo.pk, Decimal("100.00"))]


def test_a_refresh_that_fails_keeps_the_summary_of_what_is_cached(world_of_three):
    accounts, customers, user = world_of_three
    invoice = {"provider_id": "1", "kind": "invoice", "state": "open", "currency": "SEK"}
    run(("listing", 0, 1, [invoice | {"total": Decimal(5), "outstanding": Decimal(5)}]), accounts, customers, user)
    before = balances.stored()
    run(("failure", 0, 1, None), accounts, customers, user)
    assert balances.stored() == before != {}


def test_rebuild_balances_writes_the_table_again_from_the_invoices(world_of_three):
    accounts, customers, user = world_of_three
    invoice = {"provider_id": "7", "kind": "invoice", "state": "paid", "currency": "EUR"}
    run(("listing", 2, 1, [invoice | {"total": Decimal(40), "outstanding": Decimal(0)}]), accounts, customers, user)
    expected, book = balances.stored(), balances.book_stored()
    Balance.objects.update(invoiced=Decimal("999.99"))  # as if something had gone wrong
    Balance.objects.create(customer=customers[0], account=accounts[0], currency="USD", invoiced=1)
    BookBalance.objects.update(invoice_count=7)
    out = StringIO()
    call_command("rebuild_balances", stdout=out)
    assert balances.stored() == expected
    assert balances.book_stored() == book != {}
    assert "1 balance" in out.getvalue()


def test_purging_a_customer_takes_their_sums_out_of_the_book(world_of_three):
    accounts, customers, user = world_of_three
    paid = {"kind": "invoice", "state": "paid", "currency": "EUR", "outstanding": Decimal(0)}
    run(("listing", 0, 0, [paid | {"provider_id": "7", "total": Decimal(40)}]), accounts, customers, user)
    run(("listing", 1, 0, [paid | {"provider_id": "8", "total": Decimal(15)}]), accounts, customers, user)
    retention.purge(Customer.objects.filter(pk=customers[0].pk))
    assert BookBalance.objects.get(account=accounts[0], currency="EUR").invoiced == Decimal(15)
    assert balances.book_stored() == balances.book_recomputed()


def test_a_sandbox_refresh_writes_the_summary_and_the_home_page_shows_the_whole_history(
    staff_client, qvickly_account, fusebill_account
):
    # Customers of both providers, through their real protocols over HTTP.
    samples = world().samples()
    # ("both" is the person, known to Fusebill too.)
    for kind in ("person", "coordination", "company", "fusebill_only"):
        sync.refresh(Customer.objects.create(identity_number=samples[kind]))
    assert Balance.objects.exists()
    assert balances.stored() == balances.recomputed()
    response = staff_client.get(reverse("home"))
    today = Aging.today()
    shown = totals_by_currency(response.context["totals"])
    assert shown == totals_by_currency(Invoice.objects.scanned_totals(today))
    assert {row["currency"] for row in Invoice.objects.values("currency")} == set(shown)
