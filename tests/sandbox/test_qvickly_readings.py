"""The readings of the Qvickly docs the emulator can play (sandbox/readings.py), over real HTTP.

No test here uses the database.
"""

from decimal import Decimal

import pytest

from sandbox.qvickly.wire import sign
from sandbox.world import world
from tests.sandbox.test_qvickly import SECRET, post, valid_number, verified_data, wrapped_error_code


@pytest.fixture
def url(sandbox_url):
    return sandbox_url + "qvickly/"


def test_an_unknown_number_is_a_signed_code_an_empty_list_or_an_unsigned_error(url, reading):
    unknown = {"pno": valid_number("121212121"), "status": "Sent"}
    assert wrapped_error_code(post(url, "getInvoicesByPno", unknown)) == "8010"

    reading(qvickly_unknown_pno="empty")
    assert verified_data(post(url, "getInvoicesByPno", unknown)) == []

    reading(qvickly_unknown_pno="unsigned")
    body = post(url, "getInvoicesByPno", unknown).json()
    assert set(body) == {"code", "message", "logid"} and body["code"] == "8010"


def test_a_wrong_secret_can_be_refused_signed_with_the_merchants_real_secret(url, reading):
    reading(qvickly_auth_error="signed")
    body = post(url, "getAccountinfo", {"comingfromPHP": "0"}, secret="not-the-secret").json()
    assert body["data"]["code"] == "9013"
    assert body["credentials"]["hash"] == sign(body["data"], SECRET)
    assert body["credentials"]["hash"] != sign(body["data"], "not-the-secret")


def test_an_unknown_merchant_is_refused_unsigned_in_every_reading(url, reading):
    reading(qvickly_auth_error="signed")
    body = post(url, "getAccountinfo", {"comingfromPHP": "0"}, eid="99999", secret="x").json()
    assert set(body) == {"code", "message", "logid"} and body["code"] == "9013"


def customer(kind):
    if kind == "centenarian":
        return next(c for c in world().customers if c.qvickly_number and "+" in c.short_identity)
    return world().customer_by_identity(world().samples()[kind])


def finds(url, pno):
    """Whether getInvoicesByPno finds invoices for the number written this way."""
    data = verified_data(post(url, "getInvoicesByPno", {"pno": pno, "status": "Sent,Paid"}))
    return isinstance(data, list) and bool(data)


@pytest.mark.parametrize("kind", ["person", "coordination", "company", "centenarian"])
def test_strict_matching_finds_a_number_only_in_the_ten_digit_form_it_is_stored_in(url, reading, kind):
    held = customer(kind)
    stored = held.short_identity.replace("-", "")
    others = {held.identity, held.short_identity} - {stored}
    reading(qvickly_pno_match="strict")
    assert finds(url, stored)
    for form in others:  # not held in that form: as unknown as any number
        code = wrapped_error_code(post(url, "getInvoicesByPno", {"pno": form, "status": "Sent"}))
        assert code == ("8011" if held.is_company else "8010")


@pytest.mark.parametrize("kind", ["person", "coordination", "company", "centenarian"])
def test_dashed_matching_finds_a_number_only_as_the_replies_write_it(url, reading, kind):
    held = customer(kind)
    others = {held.identity, held.short_identity.replace("-", "")} - {held.short_identity}
    reading(qvickly_pno_match="dashed")
    assert finds(url, held.short_identity)
    assert not any(finds(url, form) for form in others)


def test_by_default_every_written_form_finds_the_number(url):
    held = customer("person")
    assert all(finds(url, form) for form in (held.identity, held.short_identity, held.short_identity.replace("-", "")))


@pytest.mark.parametrize("kind", ["person", "coordination", "company"])
def test_sent_paid_can_return_every_invoice_or_only_the_paid_and_cancelled(url, reading, kind):
    held = customer(kind)
    invoices = world().qvickly_invoices_of(held.identity)
    closed = {i.number for i in invoices if not i.is_open}
    data = {"pno": held.identity, "status": "Sent,Paid"}
    assert {str(row["invoiceid_real"]) for row in verified_data(post(url, "getInvoicesByPno", data))} == {
        i.number for i in invoices
    }
    reading(qvickly_sent_paid="paid_or_cancelled")
    rows = verified_data(post(url, "getInvoicesByPno", data))
    assert {str(row["invoiceid_real"]) for row in rows} == closed
    assert closed and len(closed) < len(invoices)


def test_a_settled_row_can_say_zero_for_what_was_invoiced(url, reading):
    held = customer("person")
    data = {"pno": held.identity, "status": "Sent,Paid"}
    invoices = {i.number: i for i in world().qvickly_invoices_of(held.identity)}

    def topay(rows, wanted):
        return {
            str(row["invoiceid_real"]): Decimal(str(row["topay"]))
            for row in rows
            if wanted(invoices[str(row["invoiceid_real"])])
        }

    rows = verified_data(post(url, "getInvoicesByPno", data))
    assert set(topay(rows, lambda i: i.status == "Cancelled").values()) == {0}  # as the docs' example
    paid = topay(rows, lambda i: i.status == "Paid" and not i.is_open)
    assert paid and all(amount == Decimal(invoices[n].total_ore) / 100 for n, amount in paid.items())

    reading(qvickly_settled_topay="zero")
    rows = verified_data(post(url, "getInvoicesByPno", data))
    assert set(topay(rows, lambda i: not i.is_open).values()) == {0}
    opened = topay(rows, lambda i: i.is_open)
    assert opened and all(amount == Decimal(invoices[n].total_ore) / 100 for n, amount in opened.items())


def test_links_can_be_script_and_data_links_signed_all_the_same(url, reading):
    held = customer("person")
    reading(qvickly_links="script")
    rows = verified_data(post(url, "getInvoicesByPno", {"pno": held.identity, "status": "Sent,Paid"}))
    links = [row["fileurl"] for row in rows if "fileurl" in row]
    invoice = world().qvickly_invoices_of(held.identity)[0]
    links.append(verified_data(post(url, "getInvoiceByHash", {"hash": invoice.hash}))["PaymentData"]["url"])
    links.append(verified_data(post(url, "getPaymentinfo", {"number": invoice.number}))["PaymentData"]["url"])
    schemes = {link.strip().split(":", 1)[0].lower() for link in links}
    assert schemes == {"javascript", "data"}
