"""Which Qvickly invoices are open, read from every status the provider sends.

Over real HTTP against the emulator: what a lookup stores and what staff see.
"""

import pytest
from django.urls import reverse

from invoices.models import Invoice
from sandbox.world import world


def sample(kind):
    return world().samples()[kind]


@pytest.mark.parametrize("sent_paid", ["all", "paid_or_cancelled"])
@pytest.mark.parametrize("kind", ["person", "coordination", "company"])
def test_every_open_invoice_is_found_whatever_sent_paid_returns(qvickly_client, reading, sent_paid, kind):
    reading(qvickly_sent_paid=sent_paid)
    invoices = world().qvickly_invoices_of(sample(kind))
    found = {r.number: r for r in qvickly_client.customer_invoices(sample(kind)).invoices}
    assert {i.number for i in invoices if i.is_open} <= set(found)
    assert set(found) == {i.number for i in invoices}  # the paid and cancelled ones too, each once


def test_the_customer_page_lists_every_open_invoice_when_sent_paid_returns_only_the_settled(
    staff_client, qvickly_account, reading
):
    reading(qvickly_sent_paid="paid_or_cancelled")
    page = staff_client.get(staff_client.post(reverse("search"), {"q": sample("person")}).url)
    open_ones = [i for i in world().qvickly_invoices_of(sample("person")) if i.is_open]
    listed = {invoice.number: invoice for invoice in page.context["page"]}
    assert open_ones and {i.number for i in open_ones} <= set(listed)
    for invoice in open_ones:
        assert Invoice.objects.get(number=invoice.number).state == "open"
