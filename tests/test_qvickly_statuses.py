"""Which Qvickly invoices are open, read from every status the provider sends.

Over real HTTP against the emulator: what a lookup stores and what staff see.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import Invoice
from sandbox.world import world


def sample(kind):
    return world().samples()[kind]


@pytest.mark.parametrize("pno_match", ["any", "strict"])
@pytest.mark.parametrize("sent_paid", ["all", "paid_or_cancelled"])
@pytest.mark.parametrize("kind", ["person", "coordination", "company"])
def test_every_open_invoice_is_found_whatever_sent_paid_returns(qvickly_client, reading, sent_paid, pno_match, kind):
    reading(qvickly_sent_paid=sent_paid, qvickly_pno_match=pno_match)
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


def showcase(predicate, kind="person"):
    """The first of a sample's invoices the predicate picks (the world scripts one of each)."""
    return next(i for i in world().qvickly_invoices_of(sample(kind)) if predicate(i))


def looked_up(client, kind="person"):
    return client.get(client.post(reverse("search"), {"q": sample(kind)}).url).content.decode()


def row_of(page, number):
    """The customer page's table row of one invoice, as HTML."""
    start = page.index(f">{number}</a></td>")
    return page[start : page.index("</tr>", start)]


def invoice_page(client, number):
    return client.get(Invoice.objects.get(number=number).get_absolute_url()).content.decode()


def test_a_paid_status_with_a_balance_is_still_open(staff_client, qvickly_account):
    finalized = showcase(lambda i: i.status == "Paid" and i.distributor_status == "Sent")
    page = looked_up(staff_client)
    stored = Invoice.objects.get(number=finalized.number)
    assert (stored.state, stored.outstanding) == ("open", Decimal(finalized.balance_ore) / 100)
    assert "Open" in row_of(page, finalized.number) and "Paid" in row_of(page, finalized.number)
    text = invoice_page(staff_client, finalized.number)
    assert re.search(
        r'<span class="provider-status" lang="en"[^>]*>Paid · Sent</span>', text
    )  # the provider's own words
    assert "finalized by the customer but not yet paid" in text


def test_a_paid_status_not_yet_exported_is_paid_and_says_what_the_pair_means(staff_client, qvickly_account):
    unexported = showcase(lambda i: i.status == "Paid" and i.distributor_status == "Created")
    looked_up(staff_client)
    assert Invoice.objects.get(number=unexported.number).state == "paid"
    text = invoice_page(staff_client, unexported.number)
    assert "Paid · Created" in text and "not yet exported to the backend system" in text


@pytest.mark.parametrize(
    ("code", "name"), [("32", "Cash (deprecated)"), ("128", "Simple payment (deprecated)"), ("266", "Card (seamless)")]
)
def test_the_deprecated_and_stand_alone_method_codes_are_named(staff_client, qvickly_account, code, name):
    invoice = showcase(lambda i: i.payment_method == code)
    looked_up(staff_client)
    assert f"<dt>Method</dt><dd>{name}</dd>" in invoice_page(staff_client, invoice.number)
