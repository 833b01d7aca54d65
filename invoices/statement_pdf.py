"""The statement of account as a PDF (reportlab's platypus tables).

The fonts are the Bitstream Vera TrueType files reportlab ships, embedded in the
PDF, so å, ä, ö and the minus sign print on any machine without system fonts.
Every word comes through gettext: the document follows the active language.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import reportlab
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from invoices.formatting import money as amount
from invoices.statement import Statement, day

FONT, BOLD = "StatementSans", "StatementSans-Bold"
FONTS = Path(reportlab.__file__).parent / "fonts"

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#c9d1da")
SHADE = colors.HexColor("#eef2f6")
# The page less its margins and the frame's own 6-point padding on either side.
WIDTH = A4[0] - 30 * mm - 12


def register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "VeraBd.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=2),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4, keepWithNext=1
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "num": ParagraphStyle("num", parent=base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=7.5, leading=9),
        "head_num": ParagraphStyle("head_num", parent=base, fontName=BOLD, fontSize=7.5, leading=9, alignment=TA_RIGHT),
        "head_centre": ParagraphStyle(
            "head_centre", parent=base, fontName=BOLD, fontSize=7.5, leading=9, alignment=TA_CENTER
        ),
        "big": ParagraphStyle("big", parent=base, fontName=BOLD, fontSize=13, leading=17, alignment=TA_RIGHT),
    }


def a4_document(out: BytesIO, title: str) -> SimpleDocTemplate:
    """An A4 page with the margins every ARPortal PDF uses."""
    margins = {"leftMargin": 15 * mm, "rightMargin": 15 * mm, "topMargin": 15 * mm, "bottomMargin": 18 * mm}
    return SimpleDocTemplate(out, pagesize=A4, title=title, author="ARPortal", **margins)


def render(statement: Statement) -> bytes:
    register_fonts()
    out = BytesIO()
    title = _("Statement of account")
    document = a4_document(out, title)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        name = statement.customer.name or _("Unnamed customer")
        canvas.drawString(15 * mm, 10 * mm, f"{title} · {name} · {day(statement.today)}")
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, _("Page %(page)s") % {"page": doc.page})
        canvas.restoreState()

    document.build(story(statement, styles()), onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def text(value: object) -> str:
    """Paragraphs read a little markup: data is escaped before it goes in."""
    return str(escape(str(value)))


def story(statement: Statement, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    customer = statement.customer
    flow: list[Flowable] = [Paragraph(text(_("Statement of account")), s["title"])]
    who = [f"<b>{text(customer.name or _('Unnamed customer'))}</b>"]
    if statement.organisation_number:
        who.append(text(_("Organisation number: %(number)s") % {"number": statement.organisation_number}))
    elif statement.masked_number:
        who.append(text(_("Personal number: %(number)s") % {"number": statement.masked_number}))
    who += [text(line) for line in statement.address]
    when = [
        text(_("Date: %(date)s") % {"date": day(statement.today)}),
        text(_("Period: %(start)s to %(end)s") % {"start": day(statement.period_start), "end": day(statement.today)}),
    ]
    if statement.fetched_at:
        when.append(text(_("Invoice data as of %(when)s") % {"when": day(statement.fetched_at)}))
    head = Table(
        [[Paragraph("<br/>".join(who), s["body"]), Paragraph("<br/>".join(when), s["small"])]],
        colWidths=[WIDTH * 0.6, WIDTH * 0.4],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    flow += [Spacer(1, 4 * mm), head, Spacer(1, 4 * mm)]
    # What is owed and how to pay it first; the period's history after.
    flow += to_pay(statement, s)
    flow += aging(statement, s)
    if statement.open_rows:
        flow += [Paragraph(text(_("Open invoices")), s["h2"]), open_table(statement, s)]
    flow += how_to_pay(statement, s)
    flow += period(statement, s)
    return flow


def fitted(rows: list[list[Any]]) -> list[float]:
    """Column widths that fit each column's longest heading word and widest cell, with
    what is left shared out: headings differ in length from language to language."""
    need = []
    for column in range(len(rows[0])):
        words = str(rows[0][column]).split() or [""]
        width = max(pdfmetrics.stringWidth(word, BOLD, 7.5) for word in words)
        for row in rows[1:]:
            cell = row[column]
            plain = cell.getPlainText() if isinstance(cell, Paragraph) else str(cell)
            width = max(width, pdfmetrics.stringWidth(plain, FONT, 8))
        need.append(width + 7)  # the cell's padding, and a point to spare
    total = sum(need)
    if total > WIDTH:
        return [width * WIDTH / total for width in need]
    return [width + (WIDTH - total) / len(need) for width in need]


def grid(rows: list[list[Any]], numeric_from: int, centre: bool = False, widths: list[float] | None = None) -> Table:
    """A table whose first row is its header, wrapped to fit: Swedish headings run longer."""
    s = styles()
    widths = widths or fitted(rows)
    head_style = s["head_centre"] if centre else None
    rows[0] = [
        Paragraph(text(cell), head_style or (s["head_num"] if index >= numeric_from else s["head"]))
        for index, cell in enumerate(rows[0])
    ]
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
    ]
    style += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
    if centre:
        style.append(("ALIGN", (0, 0), (-1, -1), "CENTER"))
    table.setStyle(TableStyle(style))
    return table


def to_pay(statement: Statement, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    if statement.never_fetched and not statement.balances:
        return [Paragraph(text(_("No invoice data has been fetched for this customer yet.")), s["body"])]
    if statement.owes_nothing:
        return [Paragraph(f"<b>{text(_('Nothing is owed.'))}</b>", s["body"])]
    rows = [
        [
            Paragraph(text(b.heading), s["body"]),
            Paragraph(text(f"{amount(abs(b.owed))} {b.currency}"), s["big"]),
        ]
        for b in statement.balances
    ]
    table = Table(rows, colWidths=[WIDTH * 0.6, WIDTH * 0.4])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return [table]


def open_table(statement: Statement, s: dict[str, ParagraphStyle]) -> Table:
    header = [
        _("Invoice"),
        _("Provider"),
        _("Type"),
        _("Invoice date"),
        _("Due date"),
        _("Stage"),
        _("Amount"),
        _("To pay"),
    ]
    rows: list[list[Any]] = [header]
    for row in statement.open_rows:
        rows.append(
            [
                row.number,
                row.provider,
                Paragraph(text(row.kind), s["cell"]),
                day(row.issued),
                day(row.due),
                Paragraph(text(row.stage), s["cell"]),
                amount(row.total),
                f"{amount(row.outstanding)} {row.currency}",
            ]
        )
    table = grid(rows, numeric_from=6)
    return table


def aging(statement: Statement, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    flow: list[Flowable] = []
    for balance in statement.balances:
        labels = [label for label, _value in balance.buckets]
        values = [amount(value) for _label, value in balance.buckets]
        width = WIDTH / len(labels)
        table = grid([labels, values], numeric_from=0, centre=True, widths=[width] * len(labels))
        heading = _("Aging of what is owed, %(currency)s") % {"currency": balance.currency}
        flow.append(KeepTogether([Paragraph(text(heading), s["h2"]), table]))
    return flow


def period(statement: Statement, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    heading = _("Invoices dated %(start)s to %(end)s") % {
        "start": day(statement.period_start),
        "end": day(statement.today),
    }
    flow: list[Flowable] = [Paragraph(text(heading), s["h2"])]
    if not statement.period_sums:
        return [*flow, Paragraph(text(_("No invoices are dated in this period.")), s["body"])]
    sums = [_("Currency"), _("Invoiced"), pgettext("amount", "Credited"), pgettext("amount", "Paid")]
    rows: list[list[Any]] = [[*sums, pgettext("amount", "Written off")]]
    rows += [
        [p.currency, amount(p.invoiced), amount(p.credited), amount(p.paid), amount(p.written_off)]
        for p in statement.period_sums
    ]
    flow.append(grid(rows, numeric_from=1, widths=[WIDTH / 5] * 5))
    if statement.settled:
        flow.append(Paragraph(text(_("Payments and credits on these invoices")), s["h2"]))
        dated = statement.payment_dates_known
        header = [_("Invoice"), _("Provider"), _("Type"), _("Invoice date")]
        header += [_("Paid on")] if dated else []
        settled: list[list[Any]] = [[*header, pgettext("amount", "Paid"), pgettext("amount", "Credited")]]
        for r in statement.settled:
            cells: list[Any] = [r.number, r.provider, Paragraph(text(r.kind), s["cell"]), day(r.issued)]
            cells += [day(r.on) or "\u2014"] if dated else []
            cells += [
                f"{amount(r.paid)} {r.currency}" if r.paid else "",
                f"{amount(r.credited)} {r.currency}" if r.credited else "",
            ]
            settled.append(cells)
        flow.append(grid(settled, numeric_from=len(header)))
        if not dated:
            note = _("The providers' data does not say when these payments were made.")
        else:
            note = _("Payment dates are shown where the providers' data gives them.")
        flow.append(Paragraph(text(note), s["small"]))
    return flow


def how_to_pay(statement: Statement, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    if statement.owes_nothing:
        return []
    flow: list[Flowable] = [Paragraph(text(_("How to pay")), s["h2"])]
    if not statement.payment:
        note = _("The invoice data we hold carries no payment details: please pay as each invoice says.")
        return [*flow, Paragraph(text(note), s["body"])]
    for details in statement.payment:
        lines = [f"<b>{text(details.account)}</b>"]
        if details.payee:
            lines.append(text(_("Payee: %(payee)s") % {"payee": ", ".join(details.payee)}))
        lines += [text(f"{label}: {value}") for label, value in details.facts]
        flow.append(Paragraph("<br/>".join(lines), s["body"]))
        if details.links:
            flow.append(Paragraph(text(_("Each invoice, with how to pay it:")), s["small"]))
            flow += [Paragraph(text(f"{number}: {link}"), s["small"]) for number, link in details.links]
        flow.append(Spacer(1, 3 * mm))
    return flow
