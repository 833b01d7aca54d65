"""Replies of the wrong shape while discovering the book end as typed errors, never a crash."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoices.discovery import discover
from invoices.providers import ProviderError, fusebill, qvickly
from invoices.providers.base import shape_errors
from tests.test_bad_input import junk, mangled

# The documented example row of Get-due-payments.md.
DUE_ROW = {
    "number": "4833",
    "orderid": "P123456997",
    "invoiceDate": "2020-01-21",
    "invoiceStatus": "Collection",
    "dueDate": "2020-02-04",
    "topay": "5000",
}
FUSEBILL_CUSTOMER = {"id": 510001, "firstName": "Anna", "lastName": "Berg", "reference": "19800101-1234"}


def test_the_documented_due_payment_row_is_read_in_kronor_with_its_collection_state():
    row = qvickly.parse_due_payment(DUE_ROW)
    assert (row.number, row.status, row.to_pay, str(row.due_date)) == (
        "4833",
        "Collection",
        Decimal(5000),
        "2020-02-04",
    )


@settings(max_examples=300, deadline=None)
@given(mangled(DUE_ROW))
def test_a_mangled_due_payment_row_becomes_a_row_or_a_typed_error(row):
    try:
        read = shape_errors("Qvickly")(qvickly.parse_due_payment)(row)
    except ProviderError as exc:
        assert exc.provider == "Qvickly" and exc.message
    else:
        assert read.number and isinstance(read.to_pay, Decimal)


@pytest.mark.parametrize(
    "row", [None, "4833", ["4833"], {"number": ""}, {"number": {"x": 1}}, {"number": True}, {"topay": "5"}]
)
def test_a_due_payment_row_without_a_usable_number_is_a_typed_error(row):
    with pytest.raises(ProviderError):
        shape_errors("Qvickly")(qvickly.parse_due_payment)(row)


@settings(max_examples=200, deadline=None)
@given(st.one_of(junk, mangled(FUSEBILL_CUSTOMER)))
def test_a_mangled_fusebill_customer_becomes_a_customer_or_a_typed_error(data):
    try:
        customer = fusebill.listed_customer(data, "reference")
    except ProviderError as exc:
        assert exc.provider == "Fusebill" and exc.message
    else:
        assert isinstance(customer.identity, str) and customer.provider_customer_id.isdigit()


# The first entry of Get-settlements.md's example.
PAYOUT = {
    "SettlementId": "5",
    "SettlementDate": "2024-04-29",
    "SettlementURL": "https://online.billmate.se/avrakning/12345/5-2024-04-29.pdf",
    "InvoiceIds": ["12349"],
}


def test_the_documented_settlement_is_read_with_the_invoices_it_settled():
    payout = qvickly.parse_payout(PAYOUT)
    assert (payout.settlement_id, str(payout.date), payout.invoice_numbers) == ("5", "2024-04-29", ("12349",))


@settings(max_examples=200, deadline=None)
@given(st.one_of(junk, mangled(PAYOUT)))
def test_a_mangled_settlement_becomes_a_payout_or_a_typed_error(row):
    try:
        payout = shape_errors("Qvickly")(qvickly.parse_payout)(row)
    except ProviderError as exc:
        assert exc.provider == "Qvickly" and exc.message
    else:
        assert all(isinstance(n, str) and n for n in payout.invoice_numbers)


@pytest.mark.parametrize("ids", ["12349", [["12349"]], [{"id": "1"}], [True], ["1" * 65]])
def test_a_settlement_whose_invoice_ids_are_not_ids_is_a_typed_error(ids):
    with pytest.raises(ProviderError):
        shape_errors("Qvickly")(qvickly.parse_payout)({**PAYOUT, "InvoiceIds": ids})


@pytest.mark.parametrize(
    "kind,says",
    [("deep_json", "nested too deeply"), ("malformed_json", "not JSON"), ("html_error", "")],
)
def test_a_due_payments_list_that_cannot_be_read_stops_qvickly_discovery_with_a_typed_error(
    qvickly_account, fault, settings, kind, says
):
    settings.PROVIDER_RETRIES = 0
    fault(provider="qvickly", fault=kind, times=1)
    report = discover(qvickly_account)
    assert report.found == 0 and report.stopped.startswith("Qvickly: ") and says in report.stopped


def test_a_customer_listing_that_cannot_be_read_stops_fusebill_discovery_with_a_typed_error(fusebill_account, fault):
    fault(provider="fusebill", fault="deep_json", times=1)
    report = discover(fusebill_account)
    assert report.found == 0 and report.stopped == "Fusebill: sent a reply nested too deeply to read"
