"""Tables as downloads: CSV (plain, or the dialect Swedish Excel opens) and XLSX.

A table says what each column holds (text, money, a date, a count) and gives its
rows as typed values; each format writes them its own way. Text from a provider
that a spreadsheet would run as a formula is defused in every format; our own
numbers are never touched, so a negative amount stays a number.
"""

import csv
import enum
import itertools
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Kind(enum.Enum):
    TEXT = "text"
    MONEY = "money"
    DATE = "date"
    COUNT = "count"


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header, and the key of the value in each row
    label: str | Promise  # the XLSX header, for people
    kind: Kind = Kind.TEXT
    width: int = 14  # in characters; a streamed sheet cannot measure its contents first


@dataclass(frozen=True)
class Table:
    title: str | Promise  # the XLSX sheet's name
    csv: Sequence[Column]
    xlsx: Sequence[Column]
    rows: Iterable[Mapping[str, object]]


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    bom: str


PLAIN = Dialect(delimiter=",", decimal=".", bom="")
# What Excel set to Swedish opens with a double click: semicolons, decimal commas,
# and a byte-order mark so it reads UTF-8 rather than the Windows code page.
SWEDISH = Dialect(delimiter=";", decimal=",", bom="\ufeff")


def download(file_format: str, stem: str, table: Table) -> HttpResponseBase:
    """The table as "csv", "csv-sv" (Swedish Excel's dialect) or "xlsx", named `stem` plus the ending."""
    if file_format == "xlsx":
        return xlsx_response(f"{stem}.xlsx", table)
    if file_format == "csv-sv":
        return csv_response(f"{stem}-sv.csv", table, SWEDISH)
    return csv_response(f"{stem}.csv", table, PLAIN)


def csv_response(filename: str, table: Table, dialect: Dialect = PLAIN) -> StreamingHttpResponse:
    """A streamed CSV with a header row."""
    writer = csv.writer(Echo(), delimiter=dialect.delimiter)
    columns = table.csv
    lines = ([csv_value(row[c.name], c.kind, dialect) for c in columns] for row in table.rows)
    rows = itertools.chain([[inert(c.name) for c in columns]], lines)
    chunks = itertools.chain([dialect.bom] if dialect.bom else [], (writer.writerow(row) for row in rows))
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_value(value: object, kind: Kind, dialect: Dialect) -> str:
    if value is None or value == "":
        return ""
    if kind is Kind.MONEY:
        return plain(value).replace(".", dialect.decimal)
    if isinstance(value, date):
        return value.isoformat()
    if kind is Kind.COUNT:
        return str(value)
    return inert(str(value))


def xlsx_response(filename: str, table: Table) -> FileResponse:
    """A workbook of one sheet: bold, frozen header row; numbers, amounts and dates typed.

    Written in openpyxl's write-only mode, which streams rows to a temporary file,
    so a large book takes bounded memory; the response then streams that file.
    """
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(str(table.title)[:31])
    columns = table.xlsx
    for index, column in enumerate(columns, start=1):
        # Write-only sheets take column widths before the first row (the stubs miss the attribute).
        sheet.column_dimensions[get_column_letter(index)].width = column.width  # type: ignore[attr-defined]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([new_cell(sheet, xlsx_text(str(c.label)), font=bold) for c in columns])
    for row in table.rows:
        sheet.append([xlsx_cell(sheet, row[c.name], c.kind) for c in columns])
    # Left open for the response, which closes (and so deletes) it once sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        book.save(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)


NUMBER_FORMATS = {Kind.MONEY: "#,##0.00", Kind.DATE: "yyyy-mm-dd", Kind.COUNT: "0"}


def xlsx_cell(sheet: WriteOnlyWorksheet, value: object, kind: Kind) -> Cell | None:
    if value is None or value == "":
        return None
    if kind is Kind.MONEY:
        return new_cell(sheet, Decimal(plain(value)), number_format=NUMBER_FORMATS[kind])
    if kind in (Kind.DATE, Kind.COUNT) and isinstance(value, date | int):
        return new_cell(sheet, value, number_format=NUMBER_FORMATS[kind])
    cell = new_cell(sheet, xlsx_text(str(value)))
    # Always text: openpyxl would make "=…" a formula and "#N/A" an error value.
    cell.data_type = "s"
    return cell


def new_cell(
    sheet: WriteOnlyWorksheet, value: str | Decimal | date | int, font: Font | None = None, number_format: str = ""
) -> Cell:
    cell = WriteOnlyCell(sheet)
    cell.value = value
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def xlsx_text(text: str) -> str:
    """Defused like the CSV, less the control characters an XLSX file cannot hold."""
    return inert(ILLEGAL_CHARACTERS_RE.sub("", text))


def inert(text: str) -> str:
    """Text a spreadsheet would run as a formula is quoted; a number such as -12.50 is left alone."""
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not is_number(text)):
        return f"'{text}"
    return text


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def plain(amount: object) -> str:
    """1234.50: two decimals, no grouping, whatever scale the database returned."""
    return f"{Decimal(str(amount)):.2f}"


class Echo:
    """csv.writer writes into this and gets each line back, so rows stream out."""

    def write(self, value: str) -> str:
        return value
