"""getDuePayments and the payer in getPaymentinfo, as the Qvickly emulator serves them over HTTP.

No test here uses the database: the emulator serves an in-memory world, which
is the oracle.
"""

import datetime

import pytest

from sandbox.world import short_form, world
from tests.sandbox.test_qvickly import post, verified_data, wrapped_error_code


@pytest.fixture
def url(sandbox_url):
    return sandbox_url + "qvickly/"


def overdue_numbers(as_of):
    return {i.number for i in world().qvickly_invoices if i.is_overdue(world().today) and i.due_date < as_of}


def test_due_payments_as_of_today_list_every_overdue_invoice_in_the_world(url):
    rows = verified_data(post(url, "getDuePayments", {"dueDate": world().today.isoformat()}))
    assert {row["number"] for row in rows} == overdue_numbers(world().today)
    assert len(rows) == len({row["number"] for row in rows})


def test_due_payment_rows_have_the_documented_keys_and_no_customer(url):
    rows = verified_data(post(url, "getDuePayments", {"dueDate": world().today.isoformat()}))
    assert rows and all(
        set(row) == {"number", "orderid", "invoiceDate", "invoiceStatus", "dueDate", "topay"} for row in rows
    )
    assert all(isinstance(value, str) for row in rows for value in row.values())


def test_some_overdue_invoices_are_in_collection_and_the_rest_are_due(url):
    rows = verified_data(post(url, "getDuePayments", {"dueDate": world().today.isoformat()}))
    statuses = {row["invoiceStatus"] for row in rows}
    assert statuses == {"Due", "Collection"}
    for row in rows:
        invoice = world().qvickly_invoice_by_number(row["number"])
        assert row["invoiceStatus"] == invoice.collection_state(world().today)
        assert row["topay"] == f"{invoice.balance_ore // 100}.{invoice.balance_ore % 100:02d}"


def test_an_earlier_date_lists_only_what_was_already_past_due_then(url):
    as_of = world().today - datetime.timedelta(days=30)
    rows = verified_data(post(url, "getDuePayments", {"dueDate": as_of.isoformat()}))
    assert {row["number"] for row in rows} == overdue_numbers(as_of)


def test_a_date_further_back_than_three_months_is_answered_as_of_the_earliest_day_kept(url):
    rows = verified_data(post(url, "getDuePayments", {"dueDate": "2001-01-01"}))
    earliest = world().today - datetime.timedelta(days=92)
    assert {row["number"] for row in rows} == overdue_numbers(earliest)


def test_read_as_the_earliest_due_date_the_list_holds_what_fell_due_since_then(url, reading):
    reading(qvickly_due_date="since")
    since = world().today - datetime.timedelta(days=30)
    rows = verified_data(post(url, "getDuePayments", {"dueDate": since.isoformat()}))
    overdue = {i.number for i in world().qvickly_invoices if i.is_overdue(world().today)}
    assert {row["number"] for row in rows} == overdue - overdue_numbers(since)
    assert verified_data(post(url, "getDuePayments", {"dueDate": world().today.isoformat()})) == []


@pytest.mark.parametrize("data", [{}, {"dueDate": "yesterday"}])
def test_due_payments_without_a_readable_date_are_refused(url, data):
    assert wrapped_error_code(post(url, "getDuePayments", data or {"dummyData": 1})) == "9004"


def test_payment_info_names_the_customer_of_each_overdue_invoice_by_number(url):
    rows = verified_data(post(url, "getDuePayments", {"dueDate": world().today.isoformat()}))
    for row in rows[:10]:
        info = verified_data(post(url, "getPaymentinfo", {"number": row["number"]}))
        owner = world().customer_by_identity(world().qvickly_invoice_by_number(row["number"]).identity)
        assert info["Customer"]["pno"] == short_form(owner.identity).replace("-", "")
        assert info["Customer"]["nr"] == owner.qvickly_number


def settled_since(since):
    return {i.number for i in world().qvickly_invoices if (day := i.settled_on(world().today)) and day >= since}


def test_settlements_list_every_invoice_paid_out_since_the_date_once(url):
    since = world().today - datetime.timedelta(days=60)
    data = verified_data(post(url, "getSettlements", {"fromDate": since.isoformat()}))
    assert set(data) == {"Settlements", "Date"} and data["Date"] == world().today.isoformat()
    numbers = [number for payout in data["Settlements"] for number in payout["InvoiceIds"]]
    assert sorted(numbers) == sorted(settled_since(since))
    dates = [payout["SettlementDate"] for payout in data["Settlements"]]
    assert dates == sorted(dates, reverse=True) and all(d >= since.isoformat() for d in dates)


def test_a_settlement_agrees_with_the_settlement_payment_info_names(url):
    since = world().today - datetime.timedelta(days=30)
    [payout, *_] = verified_data(post(url, "getSettlements", {"fromDate": since.isoformat()}))["Settlements"]
    info = verified_data(post(url, "getPaymentinfo", {"number": payout["InvoiceIds"][0]}))
    assert info["Settlement"] == {"number": payout["SettlementId"], "date": payout["SettlementDate"]}


def test_settlements_without_a_readable_date_are_refused(url):
    assert wrapped_error_code(post(url, "getSettlements", {"fromDate": "last week"})) == "9004"
