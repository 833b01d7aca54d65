"""Everything held about one personal or organisation number, for a data subject
request (GDPR article 15): the customer, their invoices as cached (the
provider's raw data included), follow-up, notes, promises, the follow-up audit,
and every audited view of their data. Plain JSON-ready values: strings for
money and times, so nothing is lost or rounded."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from invoices.followup import FollowUp, FollowUpAudit
from invoices.models import Customer, Invoice, LookupAudit

JSON = dict[str, Any]


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def gather(number: str) -> JSON:
    """What is held about the canonical `number`; `customer` is None when it is not
    cached (the audit may still hold lookups of it)."""
    customer = Customer.objects.with_number(number).first()
    views = LookupAudit.objects.of_number(number)
    if customer is not None:
        views = LookupAudit.objects.filter(Q(number_hash=LookupAudit.hash_of(number)) | Q(customer=customer))
    return {
        "exported_at": plain(timezone.localtime()),
        "number": number,
        "customer": customer and customer_data(customer),
        "invoices": [invoice_data(i) for i in customer.invoices.select_related("account")] if customer else [],
        "follow_up": follow_up(customer) if customer else None,
        "notes": [
            {"at": plain(n.at), "kind": n.kind, "author": n.author.get_username(), "text": n.text}
            for n in (customer.notes.select_related("author") if customer else [])
        ],
        "promises": [
            {
                "made_at": plain(p.made_at),
                "made_by": p.made_by.get_username(),
                "amount": plain(p.amount),
                "currency": p.currency,
                "due": plain(p.due),
                "state": p.state,
                "settled_on": plain(p.settled_on),
            }
            for p in (customer.promises.select_related("made_by") if customer else [])
        ],
        "follow_up_audit": [
            {
                "at": plain(a.at),
                "user": a.user.get_username() if a.user else "",
                "action": a.action,
                "before": a.before,
                "after": a.after,
            }
            for a in FollowUpAudit.objects.filter(customer=customer).select_related("user")
        ]
        if customer
        else [],
        "views": [view_data(v) for v in views.select_related("user", "invoice").order_by("at", "pk")],
    }


def customer_data(customer: Customer) -> JSON:
    return {
        "name": customer.name,
        "identity_number": customer.identity_number,
        "email": customer.email,
        "account_status": customer.account_status,
        "created_at": plain(customer.created_at),
        "provider_accounts": [
            {"account": link.account.name, "provider_customer_id": link.provider_customer_id}
            for link in customer.links.select_related("account")
        ],
    }


def invoice_data(invoice: Invoice) -> JSON:
    fields = ["number", "kind", "state", "issue_date", "due_date", "paid_date", "currency", "total"]
    fields += ["outstanding", "credited", "written_off", "stage", "dispute_reason", "disputed_at", "pdf_url"]
    data = {name: plain(getattr(invoice, name)) for name in fields}
    data["account"] = invoice.account.name
    data["fetched_at"] = plain(invoice.fetched_at)
    # The provider's own data as cached: it is held here too.
    data["raw"] = invoice.raw
    data["detail"] = invoice.detail
    return data


def follow_up(customer: Customer) -> JSON | None:
    row = FollowUp.objects.filter(customer=customer).select_related("owner").first()
    if row is None:
        return None
    return {"owner": row.owner.get_username() if row.owner else "", "next_action": plain(row.next_action)}


def view_data(view: LookupAudit) -> JSON:
    return {
        "at": plain(view.at),
        "user": view.user.get_username(),
        "action": view.action,
        "via": view.via,
        "opened": view.opened,
        "masked_number": view.masked_number,
        "invoice": view.invoice.number if view.invoice else "",
        "result_count": view.result_count,
    }
