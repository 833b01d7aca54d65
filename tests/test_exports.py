"""The downloads open in Excel: XLSX with typed cells, and the CSV in Swedish Excel's dialect."""

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.models import Customer, CustomerLink, ProviderAccount
from tests.conftest import cached_invoice

TODAY = timezone.localdate()
EVIL = '=HYPERLINK("http://example.com","click")'


@pytest.fixture
def accounts(db):
    # Inactive: the downloads read the cache only and never ask a provider.
    qvickly = ProviderAccount.objects.create(
        name="Qvickly SE", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )
    fusebill = ProviderAccount.objects.create(
        name="Fusebill", kind="fusebill", base_url="http://127.0.0.1:9/", secret="s", active=False
    )
    return qvickly, fusebill


@pytest.fixture
def anna(accounts):
    qvickly, fusebill = accounts
    anna = Customer.objects.create(name="Anna Andersson", identity_number="195501011018")
    CustomerLink.objects.create(customer=anna, account=qvickly, provider_customer_id="1001")
    CustomerLink.objects.create(customer=anna, account=fusebill, provider_customer_id="5002")
    due = TODAY - timedelta(days=40)
    cached_invoice(qvickly, anna, "Q-17", "1234.50", due_date=due, issue_date=due - timedelta(days=30), stage="overdue")
    cached_invoice(qvickly, anna, "Q-17K", "-12.25", due_date=due, issue_date=due - timedelta(days=20), kind="credit")
    cached_invoice(fusebill, anna, "F-9", "99.00", currency="EUR", due_date=TODAY + timedelta(days=5))
    return anna


@pytest.fixture
def evil(accounts):
    """A customer whose provider texts look like formulas (and carry a control character)."""
    evil = Customer.objects.create(name=EVIL)
    CustomerLink.objects.create(customer=evil, account=accounts[0], provider_customer_id="+4670")
    cached_invoice(
        accounts[0],
        evil,
        "@SUM(A1)",
        "10.00",
        due_date=TODAY - timedelta(days=3),
        provider_stage="-1+2\x07",
        stage="overdue",
    )
    return evil


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def lines(sheet):
    """The sheet as {header: cell} per line below the header."""
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def text_of(response):
    return b"".join(response.streaming_content)


def test_the_aging_xlsx_has_typed_amounts_a_frozen_bold_header_and_customer_numbers_instead_of_ids(staff_client, anna):
    response = staff_client.get(reverse("aging-xlsx"), {"currency": "SEK"})
    assert response["Content-Disposition"] == f'attachment; filename="aging-{TODAY.isoformat()}.xlsx"'
    sheet = workbook(response)
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert [c.value for c in sheet[1]] == [
        "Customer",
        "Customer numbers",
        "Currency",
        "Not yet due",
        "1–30",
        "31–60",
        "61–90",
        "91–120",
        "Over 120",
        "Total",
    ]
    assert sheet.column_dimensions["A"].width == 30
    (line,) = lines(sheet)
    assert (line["Customer"].value, line["Customer numbers"].value) == (
        "Anna Andersson",
        "Fusebill: 5002, Qvickly SE: 1001",
    )
    for column, amount in (("31–60", 1222.25), ("Not yet due", 0), ("Total", 1222.25)):
        cell = line[column]
        assert isinstance(cell.value, int | float) and cell.value == amount
        assert cell.data_type == "n" and cell.number_format == "#,##0.00"


def test_the_aging_xlsx_speaks_the_readers_language_down_to_its_buckets(staff_client, anna, swedish):
    sheet = workbook(staff_client.get(reverse("aging-xlsx"), {"currency": "SEK"}))
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Kund", "Kundnummer", "Valuta", "Ej förfallen"]
    assert header[-2:] == ["Över 120", "Totalt"]


def test_the_overdue_xlsx_has_real_dates_whole_day_counts_and_the_customer_number_at_each_account(staff_client, anna):
    sheet = workbook(staff_client.get(reverse("overdue-xlsx")))
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Customer", "Customer number"] and "customer_id" not in header
    by_number = {line["Invoice number"].value: line for line in lines(sheet)}
    line = by_number["Q-17"]
    assert line["Customer number"].value == "1001" and line["Account"].value == "Qvickly SE"
    due = line["Due date"]
    assert isinstance(due.value, datetime) and due.value.date() == TODAY - timedelta(days=40)
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    days = line["Days past due"]
    assert days.value == 40 and isinstance(days.value, int) and days.number_format == "0"
    assert line["Outstanding"].value == 1234.5 and line["Outstanding"].number_format == "#,##0.00"


def test_a_credit_note_in_the_customer_xlsx_is_a_negative_number_not_text(staff_client, anna):
    response = staff_client.get(reverse("customer-xlsx", args=[anna.pk]), {"provider": "qvickly"})
    assert response["Content-Disposition"] == f'attachment; filename="customer-{anna.pk}-invoices.xlsx"'
    by_number = {line["Invoice number"].value: line for line in lines(workbook(response))}
    assert set(by_number) == {"Q-17", "Q-17K"}
    credit = by_number["Q-17K"]
    assert credit["Total"].value == -12.25 and credit["Total"].data_type == "n"
    assert credit["Total"].number_format == "#,##0.00"
    assert credit["Customer number"].value == "1001"
    assert credit["Invoice date"].is_date


@pytest.mark.parametrize("name", ["aging", "overdue"])
def test_formula_looking_text_is_defused_in_the_xlsx(staff_client, anna, evil, name):
    found = {line["Customer"].value: line for line in lines(workbook(staff_client.get(reverse(f"{name}-xlsx"))))}
    line = found["'" + EVIL]
    assert line["Customer"].data_type == "s"
    numbers = line["Customer numbers" if name == "aging" else "Customer number"].value
    assert numbers == ("Qvickly SE: +4670" if name == "aging" else "'+4670")
    if name == "overdue":
        assert line["Invoice number"].value == "'@SUM(A1)"
        # The control character is dropped: an XLSX file cannot hold it.
        assert line["Provider stage"].value == "'-1+2"
    # Nothing anywhere became a formula.
    assert not [
        c for row in workbook(staff_client.get(reverse(f"{name}-xlsx"))).iter_rows() for c in row if c.data_type == "f"
    ]


@pytest.mark.parametrize(("name", "delimiter"), [("overdue-csv", ","), ("overdue-csv-sv", ";")])
def test_formula_looking_text_is_defused_in_both_csv_dialects_and_negative_amounts_stay_numbers(
    staff_client, anna, evil, name, delimiter
):
    text = text_of(staff_client.get(reverse(name))).decode("utf-8-sig")
    rows = {row["number"]: row for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)}
    assert rows["'@SUM(A1)"]["customer"] == "'" + EVIL
    assert rows["'@SUM(A1)"]["provider_stage"].startswith("'-1+2")
    credit = text_of(staff_client.get(reverse(name.replace("overdue", "customer"), args=[anna.pk])))
    credits = {r["number"]: r for r in csv.DictReader(io.StringIO(credit.decode("utf-8-sig")), delimiter=delimiter)}
    assert credits["Q-17K"]["total"] == ("-12.25" if delimiter == "," else "-12,25")


def test_the_swedish_csv_starts_with_a_bom_and_uses_semicolons_and_decimal_commas(staff_client, anna):
    response = staff_client.get(reverse("aging-csv-sv"), {"currency": "SEK"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="aging-{TODAY.isoformat()}-sv.csv"'
    body = text_of(response)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    plain = list(csv.reader(io.StringIO(text_of(staff_client.get(reverse("aging-csv"), {"currency": "SEK"})).decode())))
    # The same columns as the plain CSV, amounts with a decimal comma.
    assert rows[0] == plain[0]
    assert rows[1] == [
        str(anna.pk),
        "Anna Andersson",
        "SEK",
        "0,00",
        "0,00",
        "1222,25",
        "0,00",
        "0,00",
        "0,00",
        "1222,25",
    ]
    assert plain[1][-1] == "1222.25"


def test_the_swedish_csv_keeps_dates_as_iso_dates(staff_client, anna):
    text = text_of(staff_client.get(reverse("customer-csv-sv", args=[anna.pk]), {"provider": "fusebill"}))
    (row,) = csv.DictReader(io.StringIO(text.decode("utf-8-sig")), delimiter=";")
    assert (row["due_date"], row["total"], row["currency"]) == ((TODAY + timedelta(days=5)).isoformat(), "99,00", "EUR")


@pytest.mark.parametrize(
    ("page", "args", "csv_name"),
    [("aging", [], "aging-csv"), ("overdue", [], "overdue-csv"), ("customer", ["pk"], "customer-csv")],
)
def test_each_page_links_its_xlsx_and_swedish_csv_beside_the_csv_with_the_same_filters(
    staff_client, anna, page, args, csv_name
):
    args = [anna.pk] if args else []
    html = staff_client.get(reverse(page, args=args), {"provider": "qvickly"}).content.decode()
    for name, text in (
        (csv_name, "Download CSV"),
        (f"{csv_name}-sv", "CSV (Excel, Swedish)"),
        (
            csv_name.replace("csv", "xlsx"),
            "Excel (XLSX)",
        ),
    ):
        assert f'href="{reverse(name, args=args)}?provider=qvickly" download>{text}</a>' in html


def test_the_xlsx_follows_the_filters_like_the_csv(staff_client, anna):
    sheet = workbook(staff_client.get(reverse("customer-xlsx", args=[anna.pk]), {"provider": "fusebill"}))
    assert [line["Invoice number"].value for line in lines(sheet)] == ["F-9"]
    assert lines(sheet)[0]["Total"].value == 99 and lines(sheet)[0]["Currency"].value == "EUR"


def test_an_empty_selection_still_downloads_a_workbook_with_its_header(staff_client, accounts):
    sheet = workbook(staff_client.get(reverse("overdue-xlsx")))
    assert sheet.max_row == 1 and sheet["A1"].value == "Customer" and sheet.freeze_panes == "A2"
