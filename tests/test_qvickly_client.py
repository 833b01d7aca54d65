"""The Qvickly client against the sandbox emulator, over real HTTP."""

import datetime
from decimal import Decimal

import pytest

from invoices.providers import NotFound, ProviderError, qvickly
from sandbox.world import world
from tests.conftest import example

EXAMPLE_HASH = "20240510123456789abcdef123456789abcdef123456789abcdef123456789abcdef"


def test_the_published_test_vector_signs_to_the_published_hash():
    data = {"id": "123456", "amount": 100, "currency": "SEK"}
    assert qvickly.sign(data, "1234567890123456") == (
        "8dde708fea8cfcee68d6817975f37bf9b0c5412f3edfbd1d1d2bca629bd49f06"
        "a57bddcaac465ebe8306d25d6e1ff32e8a225c6b58ebef2ea39f51a6777f037a"
    )


def test_the_signed_text_is_written_the_way_php_writes_json():
    assert qvickly.encode({"url": "https://a/b", "name": "Åsa"}) == '{"url":"https:\\/\\/a\\/b","name":"\\u00c5sa"}'


def test_a_reply_whose_signature_does_not_match_is_refused(qvickly_client):
    # The documentation's reply is signed with a secret that is not ours.
    with pytest.raises(ProviderError) as caught:
        qvickly_client.unwrap(example("qvickly_002_getInvoicesByPno.json"))
    assert caught.value.code == "9511"
    assert caught.value.permanent


def test_a_signed_error_becomes_its_typed_error(qvickly_client):
    def signed(data):
        return {"credentials": {"hash": qvickly.sign(data, qvickly_client.secret), "logid": 1}, "data": data}

    with pytest.raises(NotFound) as not_found:
        qvickly_client.unwrap(signed({"code": "5201", "message": "Invoice number 12345 does not exist.", "logid": "1"}))
    with pytest.raises(ProviderError) as bad_status:
        qvickly_client.unwrap(signed({"code": "7022", "message": "Status not correct", "logid": "1"}))
    assert (not_found.value.code, not_found.value.message) == ("5201", "Invoice number 12345 does not exist.")
    assert (bad_status.value.code, bad_status.value.message) == ("7022", "Status not correct")
    assert bad_status.value.permanent and not isinstance(bad_status.value, NotFound)


def test_full_payment_objects_of_the_customer_listing_parse_with_ore_and_the_zero_date(qvickly_client):
    [record] = qvickly_client.invoices_by_customer("12345")
    assert record.number == record.provider_id == "12345"
    assert record.state == "cancelled"
    assert record.provider_status == "Cancelled"
    assert record.total == Decimal("0.00")
    assert record.outstanding == Decimal("0.00")
    assert record.currency == "SEK"
    assert record.issue_date == datetime.date(2024, 5, 4)
    assert record.due_date == datetime.date(2024, 5, 9)
    assert record.paid_date is None
    assert (record.customer_number, record.customer_name, record.customer_email) == (
        "123456",
        "Tess T",
        "test@example.com",
    )
    assert record.raw == example("qvickly_000_getInvoicesByCustomer_full.json")["data"][0]


def test_summary_rows_with_int_ids_and_bare_numbers_parse_as_kronor(qvickly_client):
    [record] = qvickly_client.invoices_by_customer("123456")
    assert record.number == "123456"
    assert record.kind == "invoice"
    assert record.state == "open"
    assert record.total == Decimal("1000.00")
    assert record.outstanding == Decimal("1000")
    assert record.currency == "SEK"  # summary rows carry none: the account's
    assert record.due_date == datetime.date(2019, 1, 31)
    assert record.credits_number == ""  # 0 means none
    assert record.provider_hash == "1234567890"
    assert record.pdf_url == "https://example.com/invoice.pdf"
    assert record.customer_name == "Test Testsson"


def test_summary_rows_with_string_ids_and_empty_strings_parse_the_same_way(qvickly_client):
    [record] = qvickly_client.invoices_by_pno("0000000000")
    assert record.number == "12345"
    assert record.state == "cancelled"
    assert record.provider_substatus == "Cancelled"
    assert record.total == Decimal("0.00")
    assert record.credits_number == ""
    assert record.issue_date == datetime.date(2024, 4, 19)
    assert record.provider_hash == "2024089017233469726180c4f1b6bce"


def test_an_invoice_by_hash_converts_ore_once(qvickly_client):
    record = qvickly_client.invoice_by_hash(EXAMPLE_HASH)
    assert record.total == Decimal("90052.25")
    assert record.outstanding == Decimal("90052.25")
    assert record.currency == "SEK"
    assert record.state == "open"
    assert record.issue_date == datetime.date(2024, 5, 10)
    assert record.due_date == datetime.date(2024, 5, 30)  # payment date + 20 days of terms
    assert record.customer_name == "Company AB"
    assert record.pdf_url.startswith("https://api.billmate.se/invoice/")


def test_an_unknown_hash_is_not_found(qvickly_client):
    with pytest.raises(NotFound) as caught:
        qvickly_client.invoice_by_hash("f" * 40)
    assert caught.value.code == "6010"


def test_an_unknown_personal_number_has_no_invoices(qvickly_client):
    assert qvickly_client.invoices_by_pno("195501011018") == []


def qvickly_customer(kind):
    """A customer of the sandbox's world Qvickly knows: a sample, or the first centenarian."""
    if kind == "centenarian":
        return next(c for c in world().customers if c.qvickly_number and "+" in c.short_identity)
    return world().customer_by_identity(world().samples()[kind])


@pytest.mark.parametrize("kind", ["person", "coordination", "company", "centenarian"])
def test_a_number_is_asked_in_the_ten_digit_form_the_provider_stores_first(qvickly_client, reading, kind):
    # Any other form would get the unsigned error, which is never taken as "no invoices".
    reading(qvickly_pno_match="strict", qvickly_unknown_pno="unsigned")
    customer = qvickly_customer(kind)
    found = qvickly_client.customer_invoices(customer.identity)
    assert {r.number for r in found.invoices} == {i.number for i in world().qvickly_invoices_of(customer.identity)}


@pytest.mark.parametrize("kind", ["person", "coordination", "company", "centenarian"])
def test_when_the_ten_digit_form_finds_nothing_the_other_written_forms_are_tried(qvickly_client, reading, kind):
    reading(qvickly_pno_match="dashed")
    customer = qvickly_customer(kind)
    found = qvickly_client.customer_invoices(customer.identity)
    assert {r.number for r in found.invoices} == {i.number for i in world().qvickly_invoices_of(customer.identity)}


def test_the_plus_comes_from_new_year_of_the_year_a_person_turns_a_hundred():
    # Folkbokföringslagen 18 §: from the calendar year of the 100th birthday, not the day.
    born_on_new_years_eve = "192612311239"
    assert qvickly.pno_forms(born_on_new_years_eve, today=datetime.date(2025, 12, 31)) == (
        "2612311239",
        "261231-1239",
        "192612311239",
    )
    assert qvickly.pno_forms(born_on_new_years_eve, today=datetime.date(2026, 1, 1)) == ("261231+1239", "192612311239")


def test_an_invalid_personal_number_is_a_permanent_error_from_the_provider(qvickly_client):
    with pytest.raises(ProviderError) as caught:
        qvickly_client.invoices_by_pno("195501011019")
    assert caught.value.code == "9016"
    assert caught.value.permanent


def test_a_status_filter_other_than_sent_or_sent_paid_is_error_7022(qvickly_client):
    with pytest.raises(ProviderError) as caught:
        qvickly_client.invoices_by_pno("195501011018", status="Paid")
    assert caught.value.code == "7022"


def test_a_wrong_secret_is_refused_with_the_providers_message(qvickly_account):
    qvickly_account.secret = "not-the-secret"
    with pytest.raises(ProviderError) as caught:
        qvickly_account.client().account_info()
    assert caught.value.code == "9013"
    assert caught.value.permanent
    assert caught.value.message


def test_the_account_info_call_proves_the_credentials_work(qvickly_client):
    assert isinstance(qvickly_client.account_info(), dict)


def test_an_unreachable_provider_is_a_retryable_error(qvickly_account):
    qvickly_account.base_url = "http://127.0.0.1:9/"
    with pytest.raises(ProviderError) as caught:
        qvickly_account.client().account_info()
    assert str(caught.value.message) == "could not be reached"
    assert not caught.value.permanent


def test_the_signed_text_is_what_php_writes_for_slashes_swedish_letters_and_del():
    # PHP's json_encode escapes "/" and non-ASCII, but writes DEL (U+007F) raw;
    # a backslash followed by "u007f" in the text itself stays escaped.
    data = {"url": "https://x/y", "name": "Åsa Öberg", "del": "a\x7fb", "text": "\\u007f"}
    assert qvickly.encode(data) == (
        '{"url":"https:\\/\\/x\\/y","name":"\\u00c5sa \\u00d6berg","del":"a\x7fb","text":"\\\\u007f"}'
    )


def test_a_combined_method_is_named_by_its_parts_and_never_as_the_stand_alone_codes():
    # Methods.md: 264 is paylink + card; 24 and 266 are codes of their own, not sums.
    assert qvickly.method_name("264") == "Card + Pay link"
    assert qvickly.method_name("266") == "Card (seamless)"
    assert qvickly.method_name("24") == "Card / bank"
