"""The Qvickly emulator over real HTTP, and the generated world behind it.

No test here uses the database: the emulator serves an in-memory world.
"""

import json
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import requests
from localflavor.se.utils import id_number_checksum

from invoices.providers.qvickly import Client
from sandbox.qvickly.identity import read_number
from sandbox.qvickly.wire import php_json, sign
from sandbox.world import CLOSED_STATUSES, QVICKLY_MERCHANTS, QVICKLY_SAMPLES, build_world, world

EID, SECRET = next(iter(QVICKLY_MERCHANTS.items()))
EXAMPLES = Path(__file__).resolve().parents[2] / "sandbox" / "examples"


@pytest.fixture
def url(sandbox_url):
    return sandbox_url + "qvickly/"


def post(url, function, data, secret=SECRET, eid=EID, **credentials):
    body = {
        "credentials": {
            "id": eid,
            "hash": sign(data, secret),
            "version": "2.5.0",
            "client": "ARPortal:Tests:1.0",
            "language": "en",
            "time": time.time(),
            **credentials,
        },
        "data": data,
        "function": function,
    }
    return requests.post(url, data=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=10)


def verified_data(response):
    """The reply's data after checking its signature, as the real client must."""
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"credentials", "data"}
    assert body["credentials"]["hash"] == sign(body["data"], SECRET)
    return body["data"]


def wrapped_error_code(response):
    data = verified_data(response)
    assert set(data) == {"code", "message", "logid"}
    return data["code"]


def valid_number(first_nine):
    """A 10-digit number with a correct Luhn check digit."""
    parts = {"year": first_nine[:2], "month": first_nine[2:4], "day": first_nine[4:6], "serial": first_nine[6:9]}
    return f"{first_nine}{id_number_checksum(parts)}"


def example_data(filename):
    return json.loads((EXAMPLES / filename).read_text(encoding="utf-8"), strict=False)["data"]


def sample(kind):
    return world().samples()[kind]


def qvickly_samples():
    """The samples Qvickly knows (the Fusebill-only ones it does not)."""
    return [sample(kind) for kind in QVICKLY_SAMPLES]


# Authentication and the envelope ---------------------------------------------------


def test_a_wrong_secret_gets_error_9013(url):
    response = post(url, "getAccountinfo", {"comingfromPHP": "0"}, secret="not-the-secret")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"code", "message", "logid"}
    assert body["code"] == "9013"


def test_an_unknown_merchant_id_gets_error_9013(url):
    response = post(url, "getAccountinfo", {"comingfromPHP": "0"}, eid="99999")

    assert response.json()["code"] == "9013"


def test_a_request_without_a_hash_gets_error_9010(url):
    response = post(url, "getAccountinfo", {"comingfromPHP": "0"}, hash="")

    assert response.json()["code"] == "9010"


def test_a_body_that_is_not_json_gets_a_top_level_error(url):
    response = requests.post(url, data="{not json", headers={"Content-Type": "application/json"}, timeout=10)

    assert response.status_code == 200
    assert response.json()["code"] == "9003"
    assert "credentials" not in response.json()


def test_a_get_request_is_not_allowed(url):
    assert requests.get(url, timeout=10).status_code == 405


def test_replies_carry_a_valid_signature(url):
    response = post(url, "getAccountinfo", {"comingfromPHP": "0"})

    body = response.json()
    assert len(body["credentials"]["hash"]) == 128
    assert body["credentials"]["hash"] == sign(body["data"], SECRET)
    assert body["data"]["eid"] == EID


def test_replies_are_the_text_phps_json_encode_writes_and_sign_over_it(url):
    customer = next(c for c in world().customers if "å" in c.name and world().qvickly_invoices_of(c.identity))
    invoice = world().qvickly_invoices_of(customer.identity)[0]

    response = post(url, "getInvoiceByHash", {"hash": invoice.hash})

    assert response.headers["Content-Type"] == "application/json"
    text = response.text
    assert "\\u00e5" in text and "\\/" in text
    assert '": "' not in text and '", "' not in text
    body = json.loads(text)
    assert text == php_json(body)
    assert body["credentials"]["hash"] == sign(body["data"], SECRET)


def test_errors_are_php_text_too_signed_or_not(url):
    unsigned = post(url, "getAccountinfo", {"comingfromPHP": "0"}, secret="not-the-secret", language="sv")
    signed = post(url, "getInvoicesByPno", {"pno": sample("person"), "status": "Paid"}, language="sv")

    for response in (unsigned, signed):
        assert response.headers["Content-Type"] == "application/json"
        assert response.text == php_json(response.json())
    assert "\\u00e4" in signed.text  # "Status är inte korrekt."


def test_an_integer_merchant_id_is_accepted(url):
    assert verified_data(post(url, "getAccountinfo", {"comingfromPHP": "0"}, eid=int(EID)))["eid"] == EID


def test_an_unknown_function_gets_error_9001(url):
    assert wrapped_error_code(post(url, "getEverything", {"x": "1"})) == "9001"


def test_function_names_are_case_insensitive(url):
    data = {"pno": sample("person"), "status": "Sent,Paid"}

    exact = verified_data(post(url, "getInvoicesByPno", data))
    assert verified_data(post(url, "GETINVOICESBYPNO", data)) == exact
    assert verified_data(post(url, "getinvoicesbypno", data)) == exact


def test_a_missing_mandatory_parameter_gets_error_9004(url):
    assert wrapped_error_code(post(url, "getInvoicesByPno", {"status": "Sent"})) == "9004"


# getInvoicesByPno -----------------------------------------------------------------


def test_a_status_other_than_sent_or_sent_paid_gets_error_7022(url):
    for status in ("Paid", "sent", "Sent, Paid", ""):
        assert wrapped_error_code(post(url, "getInvoicesByPno", {"pno": sample("person"), "status": status})) == "7022"


def test_an_invalid_personal_number_gets_error_9016(url):
    for pno in ("5501011019", "19550101-101", "abc"):
        assert wrapped_error_code(post(url, "getInvoicesByPno", {"pno": pno, "status": "Sent"})) == "9016"


def test_an_unknown_personal_number_gets_error_8010(url):
    unknown = valid_number("121212121")
    assert world().customer_by_identity(read_number(unknown).canonical) is None

    assert wrapped_error_code(post(url, "getInvoicesByPno", {"pno": unknown, "status": "Sent"})) == "8010"


def test_an_unknown_organisation_number_gets_error_8011(url):
    unknown = valid_number("556000000")
    assert world().customer_by_identity(unknown) is None

    assert wrapped_error_code(post(url, "getInvoicesByPno", {"pno": unknown, "status": "Sent"})) == "8011"


def test_a_customer_qvickly_does_not_know_gets_error_8010(url):
    fusebill_only = next(c for c in world().customers if c.qvickly_number is None and not c.is_company)

    response = post(url, "getInvoicesByPno", {"pno": fusebill_only.identity, "status": "Sent,Paid"})
    assert wrapped_error_code(response) == "8010"


def test_sent_returns_only_unpaid_invoices(url):
    for identity in qvickly_samples():
        everything = verified_data(post(url, "getInvoicesByPno", {"pno": identity, "status": "Sent,Paid"}))
        unpaid = verified_data(post(url, "getInvoicesByPno", {"pno": identity, "status": "Sent"}))

        open_numbers = {i.number for i in world().qvickly_invoices_of(identity) if i.is_open}
        assert {str(row["invoiceid_real"]) for row in unpaid} == open_numbers
        # "Paid" with a balance is still owed (Status.md: finalized by the customer, not yet paid).
        assert all(row["status"] not in CLOSED_STATUSES or Decimal(str(row["balancedue"])) for row in unpaid)
        assert len(everything) == len(world().qvickly_invoices_of(identity)) > len(unpaid) > 0


def test_every_written_form_of_a_personal_number_finds_the_same_invoices(url):
    for identity in qvickly_samples():
        customer = world().customer_by_identity(identity)
        forms = {identity, customer.short_identity, customer.short_identity.replace("-", "")}
        replies = [verified_data(post(url, "getInvoicesByPno", {"pno": pno, "status": "Sent,Paid"})) for pno in forms]
        assert all(reply == replies[0] for reply in replies)


def test_a_person_over_a_hundred_is_found_by_the_plus_form(url):
    old = next(c for c in world().customers if c.qvickly_number and not c.is_company and c.birth_date.year < 1926)
    assert "+" in old.short_identity

    rows = verified_data(post(url, "getInvoicesByPno", {"pno": old.short_identity, "status": "Sent,Paid"}))
    assert len(rows) == len(world().qvickly_invoices_of(old.identity))


def test_summary_rows_come_in_every_documented_variant(url):
    rows = []
    for identity in qvickly_samples():
        rows += verified_data(post(url, "getInvoicesByPno", {"pno": identity, "status": "Sent,Paid"}))

    assert {type(row["invoiceid_real"]) for row in rows} == {str, int}
    assert {type(row["balancedue"]) for row in rows} >= {str, int}
    assert any("fileurl" in row for row in rows) and any("fileurl" not in row for row in rows)
    assert {"", 0} <= {row["creditinvoiceid"] for row in rows}
    assert "Sent" in {row["status"] for row in rows}
    credits = [row for row in rows if row["invoicetype"] == "K"]
    assert credits and all(Decimal(str(row["topay"])) < 0 for row in credits)
    assert all(str(row["creditinvoiceid"]) not in ("", "0") for row in credits)


# getInvoicesByCustomer ---------------------------------------------------------------


def test_invoices_by_customer_number_come_as_full_objects_or_summary_rows(url):
    customers = [c for c in world().customers if c.qvickly_number and world().qvickly_invoices_of(c.identity)]
    odd = next(c for c in customers if int(c.qvickly_number) % 2)
    even = next(c for c in customers if int(c.qvickly_number) % 2 == 0)

    full = verified_data(post(url, "getInvoicesByCustomer", {"customerno": odd.qvickly_number}))
    summary = verified_data(post(url, "getInvoicesByCustomer", {"customerno": even.qvickly_number}))

    assert len(full) == len(world().qvickly_invoices_of(odd.identity))
    assert all("PaymentData" in row and row["Customer"]["nr"] == odd.qvickly_number for row in full)
    assert len(summary) == len(world().qvickly_invoices_of(even.identity))
    assert all("invoiceid_real" in row and row["name"] == even.name for row in summary)


def test_invoices_by_customer_also_match_the_organisation_number(url):
    company = world().customer_by_identity(sample("company"))

    by_org = verified_data(post(url, "getInvoicesByCustomer", {"customerno": company.identity}))
    assert by_org == verified_data(post(url, "getInvoicesByCustomer", {"customerno": company.qvickly_number}))


def test_an_unknown_customer_number_gets_an_empty_list(url):
    assert verified_data(post(url, "getInvoicesByCustomer", {"customerno": "999"})) == []


def test_an_empty_customer_number_gets_error_7020(url):
    assert wrapped_error_code(post(url, "getInvoicesByCustomer", {"customerno": ""})) == "7020"


# getInvoiceByHash ---------------------------------------------------------------------


def test_an_unknown_hash_gets_error_6010(url):
    assert wrapped_error_code(post(url, "getInvoiceByHash", {"hash": "0" * 40})) == "6010"


def test_a_full_invoice_adds_up(url):
    for invoice in world().qvickly_invoices_of(sample("company")):
        data = verified_data(post(url, "getInvoiceByHash", {"hash": invoice.hash}))

        total = data["Cart"]["Total"]
        assert int(total["withtax"]) == int(total["withouttax"]) + int(total["tax"]) == invoice.total_ore
        lines = data["Articles"]
        assert int(total["withouttax"]) == sum(int(line["withouttax"]) for line in lines)
        for line in lines:
            gross = Decimal(line["quantity"]) * int(line["aprice"]) * (100 - int(line["discount"])) / 100
            assert int(line["withouttax"]) == int(gross.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert int(data["PaymentInfo"]["balancedue"]) == invoice.balance_ore
        assert data["PaymentData"]["number"] == invoice.number
        expected_paid = "0000-00-00 00:00:00" if invoice.paid_date is None else invoice.paid_date.isoformat()
        assert data["PaymentData"]["paiddate"].startswith(expected_paid)


def test_a_full_invoice_writes_a_personal_number_in_ten_digits(url):
    invoice = world().qvickly_invoices_of(sample("person"))[0]

    customer = verified_data(post(url, "getInvoiceByHash", {"hash": invoice.hash}))["Customer"]
    assert customer["pno"] == f"{sample('person')[2:8]}-{sample('person')[8:]}"
    assert customer["Billing"]["type"] == "person"


# getPaymentinfo -----------------------------------------------------------------------


def test_payment_info_answers_the_documented_shape_not_the_full_invoices(url):
    expected = set(example_data("qvickly_getPaymentinfo.json"))
    for invoice in world().qvickly_invoices_of(sample("person")):
        data = verified_data(post(url, "getPaymentinfo", {"number": invoice.number}))

        assert set(data) <= expected and {"PaymentData", "PaymentInfo", "Customer", "Articles", "Cart"} <= set(data)
        assert not {"number", "duedate", "paiddate"} & set(data["PaymentData"])
        assert not {"balancedue", "invoiceStatus"} & set(data["PaymentInfo"])
        assert int(data["Cart"]["Total"]["withtax"]) == invoice.total_ore
        assert data["Customer"]["pno"] == world().customer_by_identity(invoice.identity).short_identity.replace("-", "")
        assert ("Card" in data) == (invoice.payment_method in ("8", "24", "266"))
        assert ("Settlement" in data) <= (invoice.paid_date is not None)


def test_payment_info_puts_the_credit_check_in_the_status_while_the_invoice_is_open(url):
    statuses = set()
    for invoice in world().qvickly_invoices_of(sample("person")):
        status = verified_data(post(url, "getPaymentinfo", {"number": invoice.number}))["PaymentData"]["status"]
        assert status == (invoice.credit_check if invoice.is_open and invoice.credit_check else invoice.status)
        statuses.add(status)
    assert statuses & {"Approved", "FactoringWithRegress", "FactoringWithoutRegress", "Manual", "Pending"}
    assert "Paid" in statuses


def test_an_unknown_payment_number_gets_error_5201(url):
    assert wrapped_error_code(post(url, "getPaymentinfo", {"number": "399999"})) == "5201"


# Documentation examples -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "data", "filename"),
    [
        ("getInvoicesByCustomer", {"customerno": "12345"}, "qvickly_000_getInvoicesByCustomer_full.json"),
        ("getInvoicesByCustomer", {"customerno": "123456"}, "qvickly_001_getInvoicesByCustomer_summary.json"),
        ("getInvoicesByPno", {"pno": "0000000000", "status": "Sent,Paid"}, "qvickly_002_getInvoicesByPno.json"),
        (
            "getInvoiceByHash",
            {"hash": "20240510123456789abcdef123456789abcdef123456789abcdef123456789abcdef"},
            "qvickly_003_getInvoiceByHash.json",
        ),
        ("getPaymentinfo", {"number": "12345"}, "qvickly_getPaymentinfo.json"),
    ],
)
def test_the_documentation_examples_come_back_verbatim_and_signed(url, function, data, filename):
    assert verified_data(post(url, function, data)) == example_data(filename)


def test_world_customer_numbers_never_collide_with_the_examples():
    numbers = {c.qvickly_number for c in world().customers}
    assert not numbers & {"12345", "123456"}


# Our own client against the emulator ------------------------------------------------------


def test_our_client_reads_every_reply_shape(url):
    client = Client(url, EID, SECRET)
    for identity in qvickly_samples():
        invoices = {i.number: i for i in world().qvickly_invoices_of(identity)}
        records = client.invoices_by_pno(identity)
        assert {r.number for r in records} == set(invoices)
        for record in records:
            assert record.outstanding == Decimal(invoices[record.number].balance_ore) / 100
        customer = world().customer_by_identity(identity)
        assert len(client.invoices_by_customer(customer.qvickly_number)) == len(invoices)
        newest = next(iter(invoices.values()))
        assert client.invoice_by_hash(newest.hash).total == Decimal(newest.total_ore) / 100
    assert client.account_info()["eid"] == EID


# The world -------------------------------------------------------------------------------


def test_the_world_is_deterministic():
    assert build_world() == build_world()
    assert build_world() == world()


def test_the_world_is_big_enough():
    assert len(world().customers) >= 200
    assert len(world().qvickly_invoices) >= 2000


def test_every_identity_in_the_world_is_valid_and_canonical():
    for customer in world().customers:
        assert read_number(customer.identity) == (customer.identity, customer.is_company)
        assert read_number(customer.short_identity).canonical == customer.identity
    assert len({c.identity for c in world().customers}) == len(world().customers)


def test_the_world_has_every_kind_of_customer():
    customers = world().customers
    persons = [c for c in customers if not c.is_company]
    assert sum(c.is_company for c in customers) >= 20
    assert sum(c.is_coordination for c in persons) >= 10
    assert sum(c.birth_date.year < 1926 for c in persons) >= 5
    assert all("+" in c.short_identity for c in persons if c.birth_date.year < 1926)
    assert any(ch in "åäöÅÄÖ" for c in customers for ch in c.name)
    assert any(c.qvickly_number is None for c in customers)
    assert all(c.fusebill_id for c in customers if c.qvickly_number is None)


def test_the_world_has_every_kind_of_invoice():
    invoices = world().qvickly_invoices
    today = world().today
    assert {i.invoice_type for i in invoices} == {"F", "K", "KN", "RF"}
    assert {"Created", "Factoring", "Handling", "PartPayment", "Pending", "Paid", "Cancelled", "Credited"} <= {
        i.status for i in invoices
    }
    assert any(i.is_overdue(today) for i in invoices)
    assert any(i.is_open and i.due_date >= today for i in invoices)
    assert any(0 < i.balance_ore < i.total_ore for i in invoices)
    assert all(i.balance_ore == 0 for i in invoices if i.status in ("Cancelled", "Credited"))
    assert all(i.paid_date is not None for i in invoices if i.status == "Paid" and not i.is_open)
    # Status.md's pairs: "Paid" not yet exported, and "Paid" finalized by the customer but not yet paid.
    assert any(i.status == "Paid" and i.distributor_status == "Created" and not i.is_open for i in invoices)
    assert any(i.status == "Paid" and i.distributor_status == "Sent" and i.balance_ore > 0 for i in invoices)
    assert {"32", "128", "266"} <= {i.payment_method for i in invoices}
    assert len({i.hash for i in invoices}) == len(invoices)
    assert all(len(i.hash) >= 32 and int(i.hash, 16) >= 0 for i in invoices)


def test_totals_are_the_sum_of_the_articles_with_vat():
    for invoice in world().qvickly_invoices:
        assert invoice.total_ore == sum(a.net_ore + a.vat_ore for a in invoice.articles)
        assert (invoice.total_ore < 0) == (invoice.invoice_type == "K")


def test_credit_invoices_point_at_a_credited_invoice():
    by_number = {i.number: i for i in world().qvickly_invoices}
    credits = [i for i in world().qvickly_invoices if i.invoice_type == "K"]
    assert credits
    for credit in credits:
        original = by_number[credit.credits_number]
        assert original.status == "Credited"
        assert original.identity == credit.identity
        assert credit.total_ore == -original.total_ore
        assert credit.invoice_date >= original.invoice_date
    assert all(not i.credits_number for i in world().qvickly_invoices if i.invoice_type != "K")


def test_interest_invoices_point_at_a_late_invoice_of_the_same_customer_where_there_is_one():
    by_number = {i.number: i for i in world().qvickly_invoices}
    interest = [i for i in world().qvickly_invoices if i.invoice_type == "RF"]
    linked = [i for i in interest if i.charges_number]
    assert linked and len(linked) < len(interest)  # some have no late invoice before them
    for charge in linked:
        late = by_number[charge.charges_number]
        assert late.invoice_type == "F" and late.identity == charge.identity
        assert late.due_date < charge.invoice_date
        assert late.balance_ore > 0 or late.paid_date > late.due_date
    assert all(not i.charges_number for i in world().qvickly_invoices if i.invoice_type != "RF")


def test_the_samples_show_a_good_mix():
    samples = world().samples()
    assert set(QVICKLY_SAMPLES) <= set(samples)
    assert world().customer_by_identity(samples["coordination"]).is_coordination
    assert world().customer_by_identity(samples["company"]).is_company
    assert not world().customer_by_identity(samples["person"]).is_company
    for identity in qvickly_samples():
        invoices = world().qvickly_invoices_of(identity)
        assert any(i.is_overdue(world().today) for i in invoices)
        assert any(i.invoice_type == "K" for i in invoices)
        assert any(i.status == "Paid" for i in invoices)
        assert [i.invoice_date for i in invoices] == sorted((i.invoice_date for i in invoices), reverse=True)
