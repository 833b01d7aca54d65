"""The Fusebill client against the sandbox emulator, over real HTTP."""

import datetime
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from invoices.providers import NotFound, ProviderError
from sandbox.world import world
from tests.conftest import EXAMPLES, fusebill_key

DOCUMENTED_CUSTOMER = 123456


def test_the_documented_invoice_listing_parses_exactly(fusebill_client):
    records = {r.number: r for r in fusebill_client.invoices(DOCUMENTED_CUSTOMER)}
    assert set(records) == {"290", "283"}
    first, second = records["290"], records["283"]
    assert (first.provider_id, second.provider_id) == ("123456", "162281")
    assert (first.total, second.total) == (Decimal("264"), Decimal("22"))
    assert (first.outstanding, second.outstanding) == (Decimal("264"), Decimal("22"))
    assert first.currency == second.currency == "USD"
    assert first.provider_status == second.provider_status == "Due"
    assert first.state == second.state == "open"
    # 2017-06-22T19:48:51 is UTC; in Stockholm it is still the 22nd.
    assert (first.due_date, second.due_date) == (datetime.date(2017, 6, 22), datetime.date(2017, 6, 19))
    assert first.issue_date == datetime.date(2017, 6, 12)
    assert first.customer_name == "John Smith"


def test_the_raw_copy_keeps_every_number_exactly(fusebill_client):
    [raw] = [r.raw for r in fusebill_client.invoices(DOCUMENTED_CUSTOMER) if r.number == "290"]
    documented = json.loads((EXAMPLES / "fusebill_004_customer_invoices.json").read_text(), parse_float=Decimal)[0]
    assert raw == documented
    assert raw["charges"][0]["unitPrice"] == Decimal("37.714285")


def test_one_invoice_by_id_is_the_same_as_in_the_listing(fusebill_client):
    assert fusebill_client.invoice(162281).number == "283"


def test_every_page_of_a_long_listing_is_fetched_once(fusebill_client):
    big = world().customer_by_identity(world().samples()["big"])
    records = fusebill_client.invoices(big.fusebill_id)
    expected = world().fusebill_invoices_of(big.fusebill_id)
    assert len(expected) > 250
    assert sorted(r.provider_id for r in records) == sorted(str(i.id) for i in expected)


def test_a_posted_date_range_is_sent_as_a_query_lower_bound_inclusive(fusebill_client):
    big = world().customer_by_identity(world().samples()["big"])
    all_records = fusebill_client.invoices(big.fusebill_id)
    start = sorted({r.issue_date for r in all_records})[10]
    end = start + datetime.timedelta(days=60)
    records = fusebill_client.invoices(big.fusebill_id, posted_from=start, posted_before=end)
    assert records and all(start <= r.issue_date < end + datetime.timedelta(days=1) for r in records)
    assert len(records) < len(all_records)


def test_customers_are_found_by_identity_in_either_written_form(fusebill_client):
    samples = world().samples()
    for sample in ("both", "fusebill_only", "big", "huge"):
        customer = world().customer_by_identity(samples[sample])
        found = fusebill_client.customer_invoices(identity=samples[sample])
        assert found.provider_customer_id == str(customer.fusebill_id), sample


def test_customers_are_found_by_id_name_and_email(fusebill_client):
    customer = world().customer_by_identity(world().samples()["both"])
    assert [c.provider_customer_id for c in fusebill_client.find_customers(str(customer.fusebill_id))] == [
        str(customer.fusebill_id)
    ]
    assert str(customer.fusebill_id) in {c.provider_customer_id for c in fusebill_client.find_customers(customer.email)}
    assert str(customer.fusebill_id) in {c.provider_customer_id for c in fusebill_client.find_customers(customer.name)}


def test_an_unknown_customer_is_not_found(fusebill_client):
    assert fusebill_client.customer_invoices(customer_id="999") is None
    with pytest.raises(NotFound):
        fusebill_client.invoice(999)


def test_a_wrong_key_is_a_permanent_error_with_the_providers_message(fusebill_account):
    fusebill_account.secret = "d3Jvbmcta2V5"
    with pytest.raises(ProviderError) as caught:
        fusebill_account.client().account_info()
    assert caught.value.code == "401" and caught.value.permanent
    assert str(caught.value).startswith("Fusebill: rejected the API key")


@pytest.mark.slow  # waits out the throttled key's window
def test_a_rate_limited_listing_waits_for_the_reset_and_completes(fusebill_account):
    fusebill_account.secret = fusebill_key("throttled")
    big = world().customer_by_identity(world().samples()["big"])
    records = fusebill_account.client().invoices(big.fusebill_id)  # 3 pages, 2 requests per 2 s
    assert len(records) == len(world().fusebill_invoices_of(big.fusebill_id))


def test_the_pdf_comes_from_the_provider(fusebill_client):
    pdf = fusebill_client.invoice_pdf("162281")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


# What each documented schedule status means to staff (providers.md: Due, Overdue,
# Paid, WrittenOff, Void, Disputed, Pending), for one-schedule invoices.
STATE_OF_STATUS = {
    "Due": "open",
    "Overdue": "open",
    "Disputed": "open",  # contested, still owed
    "Pending": "open",  # a payment on its way is not a payment
    "WrittenOff": "written_off",
    "Void": "cancelled",
}


def test_every_schedule_status_reads_as_what_is_still_owed(fusebill_client):
    customer = world().customer_by_identity(world().samples()["fusebill_only"])
    invoices = {str(i.id): i for i in world().fusebill_invoices_of(customer.fusebill_id)}
    records = fusebill_client.invoices(customer.fusebill_id)
    seen = set()
    for record in records:
        invoice = invoices[record.provider_id]
        statuses = [s.status for s in invoice.schedules]
        assert record.outstanding == invoice.outstanding
        if len(statuses) > 1:
            # An instalment plan: due when its earliest unpaid part is.
            unpaid = min(s.due for s in invoice.schedules if s.status != "Paid")
            assert record.state == "open"
            assert record.due_date == unpaid.astimezone(ZoneInfo("Europe/Stockholm")).date()
            continue
        [status] = statuses
        seen.add(status)
        if status == "Paid":
            # Settled by a credit note alone it was credited, not paid.
            credited_only = invoice.sum_of_credit_notes == invoice.invoice_amount
            assert record.state == ("credited" if credited_only else "paid")
        else:
            assert record.state == STATE_OF_STATUS[status], status
        if status == "WrittenOff":
            assert record.written_off == invoice.total_writeoffs > 0 and record.outstanding == 0
        if status == "Void":
            assert record.outstanding == 0
        if record.state == "open":
            assert record.outstanding > 0
    assert seen == set(STATE_OF_STATUS) | {"Paid"}
