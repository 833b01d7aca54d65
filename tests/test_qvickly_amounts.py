"""What was invoiced, when a Qvickly summary row says 0 for a settled invoice.

The docs' cancelled row says topay "0.00", and whether a paid row keeps its total
is undocumented (docs/providers.md); the emulator plays both readings.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from invoices import balances
from invoices.models import Customer, Invoice
from invoices.templatetags.arportal import money
from sandbox.world import world


@pytest.fixture
def person():
    return world().samples()["person"]


def settled(person, status):
    return [i for i in world().qvickly_invoices_of(person) if i.status == status and not i.is_open]


def total_of(invoice):
    return Decimal(invoice.total_ore) / 100


def invoiced(client, customer):
    """The customer page's "Invoiced" figure."""
    [totals] = client.get(customer.get_absolute_url()).context["totals"]
    return totals["invoiced"]


def refresh(client, customer):
    assert client.post(reverse("customer-refresh", args=[customer.pk])).status_code == 302


def test_a_paid_invoice_listed_later_with_a_zero_total_keeps_the_total_listed_before(
    staff_client, qvickly_account, reading, person
):
    staff_client.post(reverse("search"), {"q": person})
    customer = Customer.objects.get()
    before = invoiced(staff_client, customer)
    paid = settled(person, "Paid")
    assert paid and all(Invoice.objects.get(number=i.number).total == total_of(i) for i in paid)

    reading(qvickly_settled_topay="zero")
    refresh(staff_client, customer)

    assert all(Invoice.objects.get(number=i.number).total == total_of(i) for i in paid)
    assert invoiced(staff_client, customer) == before


@pytest.mark.parametrize(("status", "topay"), [("Paid", "zero"), ("Cancelled", "total")])
def test_a_settled_invoice_first_listed_at_zero_takes_its_full_invoices_total_and_keeps_it(
    staff_client, qvickly_account, reading, person, status, topay
):
    reading(qvickly_settled_topay=topay)
    staff_client.post(reverse("search"), {"q": person})
    invoice = settled(person, status)[0]
    stored = Invoice.objects.get(number=invoice.number)
    assert stored.total == 0  # all the listing said, and nothing said otherwise yet

    text = staff_client.get(stored.get_absolute_url()).content.decode()
    assert f'<dt>Total</dt><dd class="num">{money(total_of(invoice))} SEK' in text
    # The customer's summary took the full invoice's total too.
    assert balances.stored() == balances.recomputed()
    refresh(staff_client, stored.customer)
    assert Invoice.objects.get(pk=stored.pk).total == total_of(invoice)
