"""Collection stages: each provider's statuses, every combination, and the stage staff
see over a hand-built book (a dispute recorded here, a due date passed since the sync)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.aging import Aging
from invoices.models import Customer, Invoice, ProviderAccount
from invoices.providers import fusebill, qvickly
from invoices.providers.base import InvoiceRecord, Stage
from tests.conftest import cached_invoice, example

TODAY = date(2026, 6, 30)
PAST, FUTURE = TODAY - timedelta(days=10), TODAY + timedelta(days=10)


def test_the_providers_stage_values_are_the_invoices_stage_choices():
    values = [Stage.NOT_DUE, Stage.OVERDUE, Stage.COLLECTION, Stage.DISPUTED, Stage.WRITTEN_OFF]
    assert values == Invoice.Stage.values


def qvickly_record(state="open", outstanding="100.00", due=PAST, number="1001"):
    return InvoiceRecord(
        provider_id=number,
        number=number,
        kind="invoice",
        state=state,
        currency="SEK",
        total=Decimal("100.00"),
        outstanding=Decimal(outstanding),
        raw={},
        due_date=due,
    )


# (state, outstanding, due date, getDuePayments' word for it or None) -> (stage, Qvickly's word)
QVICKLY_TABLE = [
    ("open", "100.00", FUTURE, None, (Stage.NOT_DUE, "")),
    ("open", "100.00", TODAY, None, (Stage.NOT_DUE, "")),  # due today is not late yet
    ("open", "100.00", None, None, (Stage.NOT_DUE, "")),
    ("open", "100.00", PAST, None, (Stage.OVERDUE, "")),  # fell due after the list was read
    ("open", "100.00", PAST, "Due", (Stage.OVERDUE, "Due")),
    ("open", "100.00", PAST, "Collection", (Stage.COLLECTION, "Collection")),
    ("open", "40.00", PAST, "Collection", (Stage.COLLECTION, "Collection")),  # partly paid
    ("open", "100.00", FUTURE, "Due", (Stage.OVERDUE, "Due")),  # the provider's list wins
    ("open", "100.00", PAST, "Inkasso", (Stage.OVERDUE, "Inkasso")),  # a word nobody documents
    ("open", "100.00", PAST, "COLLECTION", (Stage.COLLECTION, "COLLECTION")),
    ("open", "-250.00", PAST, None, ("", "")),  # a credit still to be refunded is not collected
    ("open", "NaN", PAST, "Collection", ("", "")),  # a balance nobody knows
    ("paid", "0.00", PAST, None, ("", "")),
    ("paid", "0.00", PAST, "Collection", ("", "")),  # paid since the list was read
    ("cancelled", "100.00", PAST, "Due", ("", "")),
    ("credited", "0.00", PAST, None, ("", "")),
]


@pytest.mark.parametrize(("state", "outstanding", "due", "word", "expected"), QVICKLY_TABLE)
def test_a_qvickly_invoice_stands_where_its_state_balance_and_the_due_payments_put_it(
    state, outstanding, due, word, expected
):
    record = qvickly_record(state, outstanding, due)
    states = {record.number: word} if word else {"999": "Collection"}
    assert qvickly.stage_of(record, states, TODAY) == expected


def fusebill_record(statuses, outstanding="100.00", written_off="0.00", credited="0.00", payments="0.00"):
    raw = {
        "id": 1,
        "invoiceNumber": 1,
        "outstandingBalance": Decimal(outstanding),
        "totalWriteoffs": Decimal(written_off),
        "sumOfCreditNotes": Decimal(credited),
        "totalPayments": Decimal(payments),
        "invoiceAmount": Decimal("100.00"),
        "paymentSchedules": [
            {"dueDateTimestamp": "2026-06-20T00:00:00", "status": status, "amount": 100, "outstandingBalance": 0}
            for status in statuses
        ],
    }
    return fusebill.parse_invoice(raw, "SEK")


# (schedule statuses, outstanding, the customer's accountStatus) -> (stage, Fusebill's word)
FUSEBILL_TABLE = [
    (["Due"], "100.00", "Good", (Stage.NOT_DUE, "Due")),
    (["Pending"], "100.00", "Good", (Stage.NOT_DUE, "Pending")),
    (["Overdue"], "100.00", "PoorStanding", (Stage.OVERDUE, "Overdue")),
    (["Overdue"], "100.00", "", (Stage.OVERDUE, "Overdue")),
    (["Overdue"], "100.00", "Collection", (Stage.COLLECTION, "Overdue; account in Collection")),
    (["Due"], "100.00", "Collection", (Stage.NOT_DUE, "Due")),  # nothing of it is late yet
    (["Disputed"], "100.00", "PoorStanding", (Stage.DISPUTED, "Disputed")),
    (["Disputed"], "100.00", "Collection", (Stage.DISPUTED, "Disputed")),
    (["Paid", "Overdue", "Due"], "66.66", "PoorStanding", (Stage.OVERDUE, "Overdue")),  # instalments
    (["Paid", "Due", "Due"], "66.66", "Good", (Stage.NOT_DUE, "Due")),
    (["Overdue", "Disputed"], "100.00", "Collection", (Stage.DISPUTED, "Disputed")),
    (["WrittenOff"], "0.00", "Good", (Stage.WRITTEN_OFF, "WrittenOff")),
    (["Paid", "WrittenOff"], "0.00", "Good", (Stage.WRITTEN_OFF, "WrittenOff")),
    (["Paid"], "0.00", "Collection", ("", "")),
    (["Void"], "0.00", "Good", ("", "")),
    ([], "0.00", "Good", ("", "")),
]


@pytest.mark.parametrize(("statuses", "outstanding", "account_status", "expected"), FUSEBILL_TABLE)
def test_a_fusebill_invoice_stands_where_its_schedules_and_the_customers_account_put_it(
    statuses, outstanding, account_status, expected
):
    written_off = "100.00" if "WrittenOff" in statuses else "0.00"
    record = fusebill_record(statuses, outstanding, written_off=written_off)
    assert fusebill.stage_of(record, account_status) == expected


def test_the_documented_fusebill_invoices_get_a_stage_from_their_schedules():
    rows = example("fusebill_004_customer_invoices.json")
    records = [fusebill.parse_invoice(row, "USD") for row in rows]
    stages = {fusebill.stage_of(record, "Good") for record in records}
    assert stages <= {("", ""), (Stage.NOT_DUE, "Due"), (Stage.OVERDUE, "Overdue")}


def test_a_qvickly_interest_row_names_the_invoice_it_charges_not_one_it_credits():
    row = example("qvickly_001_getInvoicesByCustomer_summary.json")["data"][0]
    interest = qvickly.parse_summary({**row, "invoicetype": "RF", "creditinvoiceid": 123400}, "SEK")
    assert (interest.kind, interest.charges_number, interest.credits_number) == ("interest", "123400", "")
    credit = qvickly.parse_summary({**row, "invoicetype": "K", "creditinvoiceid": 123400}, "SEK")
    assert (credit.kind, credit.charges_number, credit.credits_number) == ("credit", "", "123400")


def test_a_fusebill_customer_says_how_fusebill_rates_their_account_under_either_name():
    assert fusebill.parse_customer({"id": 1, "customerAccountStatus": "Collection"}, "reference").account_status == (
        "Collection"
    )
    assert fusebill.parse_customer({"id": 1, "accountStatus": "PoorStanding"}, "reference").account_status == (
        "PoorStanding"
    )
    assert fusebill.parse_customer({"id": 1}, "reference").account_status == ""


# A hand-built book: what staff see, whatever the provider said last.


@pytest.fixture
def account(db):
    # Inactive: these tests read the cache only and never ask a provider.
    return ProviderAccount.objects.create(
        name="Q", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )


def staged(account, customer, number, stage, due, outstanding="100.00", **fields):
    return cached_invoice(account, customer, number, "100.00", outstanding, stage=stage, due_date=due, **fields)


@pytest.fixture
def book(account):
    today = timezone.localdate()
    anna = Customer.objects.create(name="Anna")
    return {
        "not due": staged(account, anna, "1", Invoice.Stage.NOT_DUE, today + timedelta(days=5)),
        "fell due since the sync": staged(account, anna, "2", Invoice.Stage.NOT_DUE, today - timedelta(days=2)),
        "overdue": staged(account, anna, "3", Invoice.Stage.OVERDUE, today - timedelta(days=20)),
        "collection": staged(account, anna, "4", Invoice.Stage.COLLECTION, today - timedelta(days=90)),
        "disputed at the provider": staged(account, anna, "5", Invoice.Stage.DISPUTED, today - timedelta(days=9)),
        "disputed here": staged(
            account, anna, "6", Invoice.Stage.COLLECTION, today - timedelta(days=70), dispute_reason="Never delivered"
        ),
        "written off": staged(
            account, anna, "7", Invoice.Stage.WRITTEN_OFF, today - timedelta(days=400), "0.00", written_off="100.00"
        ),
        "paid": staged(account, anna, "8", "", today - timedelta(days=40), "0.00", state="paid"),
    }


EXPECTED = {
    "not due": Invoice.Stage.NOT_DUE,
    "fell due since the sync": Invoice.Stage.OVERDUE,
    "overdue": Invoice.Stage.OVERDUE,
    "collection": Invoice.Stage.COLLECTION,
    "disputed at the provider": Invoice.Stage.DISPUTED,
    "disputed here": Invoice.Stage.DISPUTED,
    "written off": Invoice.Stage.WRITTEN_OFF,
    "paid": "",
}


def test_each_invoice_of_the_book_is_in_the_stage_staff_expect(book):
    assert {name: invoice.current_stage for name, invoice in book.items()} == EXPECTED


@pytest.mark.parametrize("stage", Invoice.Stage.values)
def test_filtering_by_a_stage_in_the_database_finds_what_each_invoice_says(book, stage):
    expected = {invoice.pk for name, invoice in book.items() if EXPECTED[name] == stage}
    assert set(Invoice.objects.in_stage(stage).values_list("pk", flat=True)) == expected


def test_the_overdue_list_holds_what_is_past_due_and_owed_in_any_stage(book):
    names = {"fell due since the sync", "overdue", "collection", "disputed at the provider", "disputed here"}
    assert set(Invoice.objects.overdue().values_list("pk", flat=True)) == {book[name].pk for name in names}


def test_the_money_in_each_stage_is_counted_per_currency(book, account):
    bob = Customer.objects.create(name="Bob")
    staged(account, bob, "20", Invoice.Stage.OVERDUE, timezone.localdate() - timedelta(days=3), currency="EUR")
    staged(account, bob, "21", Invoice.Stage.OVERDUE, timezone.localdate() - timedelta(days=3), state="cancelled")
    rows = {(r["currency"], r["stage_now"]): (r["amount"], r["count"]) for r in Invoice.objects.stage_totals()}
    assert rows == {
        ("SEK", "not_due"): (100, 1),
        ("SEK", "overdue"): (200, 2),
        ("SEK", "collection"): (100, 1),
        ("SEK", "disputed"): (200, 2),
        ("SEK", "written_off"): (100, 1),
        ("EUR", "overdue"): (100, 1),
    }


def test_interest_charged_on_late_invoices_is_counted_apart_from_sales(account):
    anna = Customer.objects.create(name="Anna")
    due = timezone.localdate() - timedelta(days=40)
    late = cached_invoice(account, anna, "1", "1000.00", "1000.00", due_date=due)
    cached_invoice(account, anna, "2", "150.00", "0.00", kind="interest", charges_number="1", state="paid")
    sek = Invoice.objects.totals(Aging.today())[0]
    assert (sek["invoiced"], sek["interest"], sek["paid"], sek["owed"]) == (1000, 150, 150, 1000)
    assert [i.number for i in late.interest_invoices()] == ["2"]
    assert Invoice.objects.get(number="2").charged_invoice() == late


def test_the_home_pages_stage_lines_add_up_to_what_is_owed_with_open_credits_on_a_line_of_their_own(
    staff_client, account
):
    bob = Customer.objects.create(name="Bob")
    today = timezone.localdate()
    staged(account, bob, "30", Invoice.Stage.NOT_DUE, today + timedelta(days=10))
    staged(account, bob, "31", Invoice.Stage.OVERDUE, today - timedelta(days=10))
    # A credit note not yet paid back: owed to the customer, in no stage.
    cached_invoice(account, bob, "32K", "-40.00", "-40.00", kind="credit", due_date=today + timedelta(days=5))
    response = staff_client.get(reverse("home"))
    lines = {line.stage: line.cells[0] for line in response.context["stage_lines"]}
    assert lines[""] == (Decimal("-40.00"), 1)
    owed = response.context["totals"][0]["owed"]
    assert sum(amount for amount, _ in lines.values()) == owed == Decimal("160.00")
    assert "Open, no stage" in response.content.decode()
