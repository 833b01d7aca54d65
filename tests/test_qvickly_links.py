"""Links from Qvickly's data are kept only when they are web links.

The emulator's "script" reading sends javascript: and data: links in every
`fileurl` and `PaymentData.url`, signed as its replies always are: a spoofed or
compromised upstream passes the signature check with whatever it writes.
"""

import re

import pytest
from django.urls import reverse

from invoices.models import Customer, Invoice
from sandbox.world import world

# Every scheme a browser would run or render in place, however written.
UNSAFE = re.compile(r"(javascript|data|vbscript)\s*:", re.IGNORECASE)


def sample(kind):
    return world().customer_by_identity(world().samples()[kind])


def full_objects_customer():
    """A customer whose listing by customer number comes as full payment objects."""
    return next(
        c
        for c in world().customers
        if c.qvickly_number and int(c.qvickly_number) % 2 and world().qvickly_invoices_of(c.identity)
    )


@pytest.mark.parametrize("found_by", ["personal number", "customer number"])
def test_no_script_or_data_link_is_stored_or_shown(staff_client, qvickly_account, reading, found_by):
    reading(qvickly_links="script")
    customer = sample("person") if found_by == "personal number" else full_objects_customer()
    query = customer.identity if found_by == "personal number" else customer.qvickly_number
    staff_client.post(reverse("search"), {"q": query})
    page = staff_client.get(Customer.objects.get().get_absolute_url()).content.decode()
    assert not UNSAFE.search(page)
    invoices = list(Invoice.objects.all())
    assert invoices and all(invoice.pdf_url == "" for invoice in invoices)
    for invoice in invoices[:6]:
        text = staff_client.get(invoice.get_absolute_url()).content.decode()
        assert Invoice.objects.get(pk=invoice.pk).detail["PaymentData"]["url"]  # it was sent
        assert not UNSAFE.search(text)
        assert "<dt>Invoice URL</dt><dd>—</dd>" in text
        assert staff_client.get(reverse("invoice-pdf", args=[invoice.pk])).status_code == 404


def test_web_links_are_kept_and_shown(staff_client, qvickly_account):
    staff_client.post(reverse("search"), {"q": sample("person").identity})
    linked = Invoice.objects.exclude(pdf_url="").first()
    assert linked.pdf_url.startswith("https://")
    text = staff_client.get(linked.get_absolute_url()).content.decode()
    assert f'href="{linked.pdf_url}"' in text and "Open at Qvickly" in text
