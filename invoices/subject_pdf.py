"""The data subject export (invoices.subject) as a readable PDF, in the statement's
fonts and table style. The provider's raw data is in the JSON only."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any

from django.db import models
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph, Spacer
from reportlab.platypus.flowables import Flowable

from invoices.followup import FollowUpAudit, Note, Promise
from invoices.formatting import money
from invoices.models import Invoice, LookupAudit
from invoices.statement_pdf import a4_document, grid, register_fonts, styles, text
from invoices.subject import JSON


def render(data: JSON) -> bytes:
    register_fonts()
    out = BytesIO()
    title = _("Personal data held by ARPortal")
    a4_document(out, title).build(story(data, title))
    return out.getvalue()


def story(data: JSON, title: str) -> list[Flowable]:
    s = styles()
    heading_style = ParagraphStyle("h2_free", parent=s["h2"], keepWithNext=0)
    customer = data["customer"]
    flow: list[Flowable] = [Paragraph(text(title), s["title"])]
    lines = [
        _("Number: %(number)s") % {"number": data["number"]},
        _("Exported: %(when)s") % {"when": when(data["exported_at"])},
    ]
    if customer:
        lines = [customer["name"], *lines, customer["email"]]
    else:
        lines.append(_("No customer with this number is cached."))
    flow += [Paragraph("<br/>".join(text(line) for line in lines if line), s["body"]), Spacer(1, 4 * mm)]

    def section(heading: str, head: list[str], rows: list[list[Any]], numeric_from: int | None = None) -> None:
        # A long table would be pushed whole to the next page behind a heading kept with it,
        # leaving this one blank: the heading moves on only when the page is nearly full.
        flow.append(CondPageBreak(30 * mm))
        flow.append(Paragraph(text(heading), heading_style))
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
        [[when(n["at"]), label(Note.Kind, n["kind"]), n["author"], n["text"]] for n in data["notes"]],
    )
    section(
        _("Promises to pay"),
        [_("Made"), _("By"), pgettext("due date", "Due"), _("State"), _("Currency"), _("Amount")],
        [
            [
                when(p["made_at"]),
                p["made_by"],
                p["due"],
                Promise.State(p["state"]).label,
                p["currency"],
                money(p["amount"]),
            ]
            for p in data["promises"]
        ],
        numeric_from=5,
    )
    section(
        _("Changes to the follow-up"),
        [_("When"), _("User"), _("Action"), _("Before"), _("After")],
        [
            [when(a["at"]), a["user"], label(FollowUpAudit.Action, a["action"]), a["before"], a["after"]]
            for a in data["follow_up_audit"]
        ],
    )
    section(
        _("Views of this person's data"),
        [_("When"), _("User"), _("Action"), _("Reached by")],
        [
            [when(v["at"]), v["user"], label(LookupAudit.Action, v["action"]), label(LookupAudit.Via, v["via"])]
            for v in data["views"]
        ],
    )
    return flow


def invoice_row(invoice: JSON) -> list[str]:
    dates = [invoice["issue_date"] or "", invoice["due_date"] or ""]
    state = str(Invoice.State(invoice["state"]).label)
    amounts = [money(invoice["total"]), money(invoice["outstanding"])]
    return [invoice["number"], invoice["account"], state, *dates, invoice["currency"], *amounts]


def label(choices: type[models.TextChoices], value: str) -> str:
    """The choice's name in the reader's language; a value no longer known, as stored."""
    return str(choices(value).label) if value in choices.values else value


def when(moment: str) -> str:
    """An ISO time from the export, as the reader's local time: the admin shows the same."""
    return localtime(datetime.fromisoformat(moment)).strftime("%Y-%m-%d %H:%M")
