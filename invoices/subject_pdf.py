"""The data subject export (invoices.subject) as a readable PDF, in the statement's
fonts and table style. The provider's raw data is in the JSON only."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.flowables import Flowable

from invoices.statement_pdf import grid, register_fonts, styles, text
from invoices.subject import JSON


def render(data: JSON) -> bytes:
    register_fonts()
    out = BytesIO()
    title = _("Personal data held by ARPortal")
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="ARPortal",
    )
    document.build(story(data, title))
    return out.getvalue()


def story(data: JSON, title: str) -> list[Flowable]:
    s = styles()
    customer = data["customer"]
    flow: list[Flowable] = [Paragraph(text(title), s["title"])]
    lines = [
        _("Number: %(number)s") % {"number": data["number"]},
        _("Exported: %(when)s") % {"when": data["exported_at"][:16].replace("T", " ")},
    ]
    if customer:
        lines = [customer["name"], *lines, customer["email"]]
    else:
        lines.append(_("No customer with this number is cached."))
    flow += [Paragraph("<br/>".join(text(line) for line in lines if line), s["body"]), Spacer(1, 4 * mm)]

    def section(heading: str, head: list[str], rows: list[list[Any]], numeric_from: int | None = None) -> None:
        flow.append(Paragraph(text(heading), s["h2"]))
        if not rows:
            flow.append(Paragraph(text(_("None.")), s["small"]))
            return
        first = len(head) if numeric_from is None else numeric_from
        cells = [
            [Paragraph(text(cell), s["num" if n >= first else "cell"]) for n, cell in enumerate(row)] for row in rows
        ]
        flow.append(grid([head, *cells], numeric_from=first))

    section(
        _("Invoices"),
        [
            _("Number"),
            _("Provider"),
            _("State"),
            _("Issued"),
            pgettext("due date", "Due"),
            _("Currency"),
            _("Total"),
            _("Outstanding"),
        ],
        [invoice_row(i) for i in data["invoices"]],
        numeric_from=6,
    )
    section(
        _("Notes"),
        [_("When"), _("Kind"), _("Author"), _("Text")],
        [[n["at"][:16].replace("T", " "), n["kind"], n["author"], n["text"]] for n in data["notes"]],
    )
    section(
        _("Promises to pay"),
        [_("Made"), _("By"), pgettext("due date", "Due"), _("State"), _("Currency"), _("Amount")],
        [
            [p["made_at"][:16].replace("T", " "), p["made_by"], p["due"], p["state"], p["currency"], p["amount"]]
            for p in data["promises"]
        ],
        numeric_from=5,
    )
    section(
        _("Changes to the follow-up"),
        [_("When"), _("User"), _("Action"), _("Before"), _("After")],
        [
            [a["at"][:16].replace("T", " "), a["user"], a["action"], a["before"], a["after"]]
            for a in data["follow_up_audit"]
        ],
    )
    section(
        _("Views of this person's data"),
        [_("When"), _("User"), _("Action"), _("Reached by")],
        [[v["at"][:16].replace("T", " "), v["user"], v["action"], v["via"]] for v in data["views"]],
    )
    return flow


def invoice_row(invoice: JSON) -> list[str]:
    dates = [invoice["issue_date"] or "", invoice["due_date"] or ""]
    return [invoice["number"], invoice["account"], invoice["state"], *dates, *(invoice[k] for k in MONEY)]


MONEY = ("currency", "total", "outstanding")
