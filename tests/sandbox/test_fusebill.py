"""The Fusebill emulator over real HTTP, and the Fusebill side of the generated world.

Raw protocol through `requests`, as the real API would be spoken to; a few
tests at the end run our own client against it. No test here uses the
database: the emulator serves an in-memory world.
"""

import base64
import datetime
import json
import re
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from invoices.providers.fusebill import Client
from sandbox.world import FUSEBILL_KEYS, SCHEDULE_STATUSES, world
from sandbox.world.records import FUSEBILL_COLLECTION_AFTER_DAYS

LIVE_KEY = next(key for key, limits in FUSEBILL_KEYS.items() if limits.name == "live")
THROTTLED_KEY = next(key for key, limits in FUSEBILL_KEYS.items() if limits.name == "throttled")
EXAMPLES = Path(__file__).resolve().parents[2] / "sandbox" / "examples"
EXAMPLE_INVOICES = (EXAMPLES / "fusebill_004_customer_invoices.json").read_bytes()
BAD_QUERY_BODY = (EXAMPLES / "fusebill_004_error.json").read_bytes()
RATE_HEADERS = [f"X-Rate-Limit-{what}-{span}" for what in ("Limit", "Remaining", "Reset") for span in ("Minute", "Day")]
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@pytest.fixture
def url(sandbox_url):
    return sandbox_url + "fusebill/v1/"


def get(url, path, key=LIVE_KEY, **params):
    headers = {"Authorization": f"Basic {key}", "Accept": "application/json"}
    return requests.get(url + path, params=params, headers=headers, timeout=10)


def body(response):
    """The reply as our client reads it: money as Decimal, never float."""
    return json.loads(response.text, parse_float=Decimal)


def ok(response):
    assert response.status_code == 200, response.text[:300]
    return body(response)


def customer(kind):
    return world().customer_by_identity(world().samples()[kind])


def invoices_path(kind):
    return f"Customers/{customer(kind).fusebill_id}/Invoices"


def wire_time(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def assert_error(response, status):
    assert response.status_code == status
    data = response.json()
    assert set(data) == {"ErrorId", "HttpStatusCode", "Errors"}
    assert (data["ErrorId"], data["HttpStatusCode"]) == (0, status)
    assert [set(error) for error in data["Errors"]] == [{"Key", "Value"}]
    assert data["Errors"][0]["Key"] == "Api Error" and data["Errors"][0]["Value"]


# Authentication and methods ---------------------------------------------------------


def test_a_wrong_key_is_refused_with_401_and_the_error_body(url):
    wrong = base64.b64encode(b"0:not-a-key-fusebill-ever-issued").decode()
    assert_error(get(url, "customers", key=wrong), 401)


def test_a_request_without_a_key_is_refused_with_401(url):
    assert_error(requests.get(url + "customers", timeout=10), 401)


def test_a_key_encoded_a_second_time_is_an_unknown_key(url):
    # providers.md: the key is already base64; encoding it again is the classic mistake.
    assert_error(get(url, "customers", key=base64.b64encode(LIVE_KEY.encode()).decode()), 401)


@pytest.mark.parametrize("header", ["Basic not base64!", "Basic abc", "Bearer " + LIVE_KEY, "Basic"])
def test_a_malformed_authorization_header_is_a_400(url, header):
    assert_error(requests.get(url + "customers", headers={"Authorization": header}, timeout=10), 400)


def test_only_get_is_allowed(url):
    response = requests.post(url + "customers", headers={"Authorization": f"Basic {LIVE_KEY}"}, timeout=10)
    assert_error(response, 405)


def test_paths_are_case_insensitive_and_take_a_trailing_slash(url):
    path = invoices_path("both")
    replies = [ok(get(url, variant)) for variant in (path, path + "/", path.lower(), path.upper())]
    assert all(reply == replies[0] for reply in replies)


def test_unknown_customers_invoices_and_paths_are_404_with_the_error_body(url):
    for path in ("customers/999999", "Customers/999999/Invoices", "Invoices/1", "Invoices/pdf/1", "Subscriptions"):
        assert_error(get(url, path), 404)


# Rate limits -------------------------------------------------------------------------


def test_every_reply_carries_the_rate_limit_headers(url):
    for response in (get(url, "customers"), get(url, "Invoices/1"), get(url, "customers", query="nosuchfield:1")):
        assert all(response.headers[name].isdigit() for name in RATE_HEADERS)
    assert response.headers["X-Rate-Limit-Limit-Minute"] == "1000"


@pytest.mark.slow  # waits out the throttled key's window
def test_the_throttled_key_gets_429_with_headers_and_succeeds_after_the_reset(url):
    limits = FUSEBILL_KEYS[THROTTLED_KEY]
    # Enough requests to exhaust a fresh window even if one resets during the loop.
    for _ in range(2 * limits.per_window + 1):
        response = get(url, "customers", key=THROTTLED_KEY, pageSize=1)
        if response.status_code == 429:
            break
    assert_error(response, 429)
    assert response.headers["X-Rate-Limit-Limit-Minute"] == str(limits.per_window)
    assert response.headers["X-Rate-Limit-Remaining-Minute"] == "0"
    # By default the reset is a timestamp: epoch seconds, rounded up.
    reset = int(response.headers["X-Rate-Limit-Reset-Minute"])
    assert 0 < reset - time.time() <= limits.window_seconds + 1

    time.sleep(max(reset - time.time(), 0))
    response = get(url, "customers", key=THROTTLED_KEY, pageSize=1)
    assert response.status_code == 200
    assert int(response.headers["X-Rate-Limit-Remaining-Minute"]) == limits.per_window - 1


def seconds_until(value, form):
    """How far off a reset header says the reset is, read the way `form` writes it."""
    if form == "seconds_until_reset":
        return int(value)
    if form == "iso8601":
        assert TIMESTAMP.fullmatch(value)  # Fusebill's own way: UTC, no zone
        return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC).timestamp() - time.time()
    epoch = int(value) / (1000 if form == "epoch_milliseconds" else 1)
    return epoch - time.time()


@pytest.mark.parametrize("form", ["epoch_seconds", "epoch_milliseconds", "iso8601", "seconds_until_reset"])
def test_the_reset_headers_are_written_in_the_form_the_reading_asks(url, reading, form):
    reading(fusebill_reset_format=form)
    response = get(url, "customers", pageSize=1)
    minute = response.headers["X-Rate-Limit-Reset-Minute"]
    day = response.headers["X-Rate-Limit-Reset-Day"]
    assert 0 <= seconds_until(minute, form) <= 61
    assert 0 <= seconds_until(day, form) <= 86401
    digits = {"epoch_seconds": 10, "epoch_milliseconds": 13}
    if form in digits:
        assert minute.isdigit() and len(minute) == digits[form]


def test_the_reset_is_a_timestamp_by_default(url):
    reset = get(url, "customers", pageSize=1).headers["X-Rate-Limit-Reset-Minute"]
    assert reset.isdigit() and 0 <= int(reset) - time.time() <= 61


def test_the_limits_of_one_key_do_not_touch_another(url):
    for _ in range(FUSEBILL_KEYS[THROTTLED_KEY].per_window + 1):
        get(url, "customers", key=THROTTLED_KEY, pageSize=1)
    assert get(url, "customers", pageSize=1).status_code == 200


# Paging ------------------------------------------------------------------------------


def test_the_big_customer_comes_in_pages_without_duplicates(url):
    expected = [i.id for i in world().fusebill_invoices_of(customer("big").fusebill_id)]
    assert 260 <= len(expected) <= 300 and len(expected) % 100
    seen, number = [], 0
    while True:
        response = get(url, invoices_path("big"), pageSize=100, pageNumber=number)
        page = ok(response)
        headers = response.headers
        assert headers["X-Count"] == str(len(expected))  # the total that match, on every page
        assert headers["X-MaxCount"] == str(len(expected))
        assert headers["X-CurrentPage"] == str(number)
        assert headers["X-PageSize"] == "100"
        assert headers["X-MaxPageIndex"] == str(len(expected) // 100 + 1)  # the number of pages
        assert headers["X-PreviousPage"] == str(number - 1 if number else -1)
        seen += [invoice["id"] for invoice in page]
        if len(page) < 100:
            assert headers["X-NextPage"] == "-1"
            break
        assert headers["X-NextPage"] == str(number + 1)
        number += 1
    assert seen == expected
    assert len(set(seen)) == len(seen)


def test_a_page_past_the_end_is_empty(url):
    response = get(url, invoices_path("big"), pageSize=100, pageNumber=7)
    assert ok(response) == []
    assert response.headers["X-Count"] == str(len(world().fusebill_invoices_of(customer("big").fusebill_id)))
    assert response.headers["X-NextPage"] == "-1"


def test_a_listing_of_an_exact_multiple_of_the_page_size_ends_on_a_full_page_then_an_empty_one(url):
    total = len(world().fusebill_invoices_of(customer("big").fusebill_id))
    size = next(size for size in range(90, 2, -1) if total % size == 0)
    pages = total // size
    last = get(url, invoices_path("big"), pageSize=size, pageNumber=pages - 1)
    assert len(ok(last)) == size
    assert (last.headers["X-NextPage"], last.headers["X-MaxPageIndex"]) == ("-1", str(pages))
    after = get(url, invoices_path("big"), pageSize=size, pageNumber=pages)
    assert ok(after) == []
    assert after.headers["X-NextPage"] == "-1"


def test_x_count_is_what_matches_the_query_and_x_max_count_the_whole_listing(url):
    invoices = world().fusebill_invoices_of(customer("big").fusebill_id)
    since = invoices[len(invoices) // 3].posted
    matching = [i for i in invoices if i.posted >= since]
    assert 10 < len(matching) < len(invoices)
    response = get(url, invoices_path("big"), query=f"postedTimestamp:{wire_time(since)}|", pageSize=10)
    assert len(ok(response)) == 10
    assert response.headers["X-Count"] == str(len(matching))
    assert response.headers["X-MaxCount"] == str(len(invoices))
    assert response.headers["X-MaxPageIndex"] == str(-(-len(matching) // 10))


def test_the_other_readings_of_the_paging_headers(url, reading):
    total = len(world().fusebill_invoices_of(customer("big").fusebill_id))
    reading(fusebill_count="page", fusebill_max_page_index="last_index")
    response = get(url, invoices_path("big"), pageSize=100, pageNumber=1)
    assert response.headers["X-Count"] == "100"  # this page's length
    assert response.headers["X-MaxPageIndex"] == str((total - 1) // 100)  # the last 0-based index
    assert response.headers["X-MaxCount"] == str(total)


def test_the_default_page_is_the_first_hundred(url):
    response = get(url, invoices_path("big"))
    assert len(ok(response)) == 100
    assert (response.headers["X-PageSize"], response.headers["X-CurrentPage"]) == ("100", "0")


def test_a_page_size_above_the_maximum_is_cut_to_it(url):
    response = get(url, invoices_path("huge"), pageSize=5000)
    assert response.headers["X-PageSize"] == "1000"
    assert len(ok(response)) == 1000
    assert response.headers["X-MaxCount"] == "5000"


@pytest.mark.parametrize(
    "params", [{"pageSize": "abc"}, {"pageSize": "-1"}, {"pageSize": "0"}, {"pageSize": "1.5"}, {"pageNumber": "-1"}]
)
def test_paging_values_that_are_not_whole_numbers_are_a_400(url, params):
    assert_error(get(url, invoices_path("big"), **params), 400)


# Sorting ------------------------------------------------------------------------------


def test_invoices_come_newest_posted_first_by_default(url):
    response = get(url, invoices_path("fusebill_only"))
    posted = [invoice["postedTimestamp"] for invoice in ok(response)]
    assert posted == sorted(posted, reverse=True)
    assert (response.headers["X-SortOrder"], response.headers["X-SortExpression"]) == ("Descending", "postedTimestamp")


@pytest.mark.parametrize("expression", ["postedTimestamp", "invoiceNumber", "invoiceAmount", "outstandingBalance"])
@pytest.mark.parametrize("order", ["Ascending", "Descending"])
def test_invoices_sort_by_the_expression_in_the_order_asked(url, expression, order):
    response = get(url, invoices_path("big"), sortOrder=order, sortExpression=expression, pageSize=300)
    values = [invoice[expression] for invoice in ok(response)]
    assert values == sorted(values, reverse=order == "Descending")
    assert (response.headers["X-SortOrder"], response.headers["X-SortExpression"]) == (order, expression)


def test_an_unknown_sort_order_or_expression_is_a_400(url):
    assert_error(get(url, invoices_path("big"), sortOrder="Sideways", sortExpression="invoiceNumber"), 400)
    assert_error(get(url, invoices_path("big"), sortOrder="Ascending", sortExpression="colour"), 400)


# Query filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "nosuchfield:1",
        "postedTimestamp",
        "postedTimestamp:2024-01-01",  # a date filter needs a range
        "postedTimestamp:yesterday|",
        "closingArBalance:lots|",
        "invoiceNumber:12a",
        "invoiceNumber:1;colour:red",
    ],
)
def test_a_malformed_query_is_a_400_with_exactly_the_documented_body(url, query):
    response = get(url, invoices_path("big"), query=query)
    assert response.status_code == 400
    assert response.content == BAD_QUERY_BODY


def test_a_malformed_customer_query_is_the_same_400(url):
    response = get(url, "customers", query="shoeSize:42")
    assert (response.status_code, response.content) == (400, BAD_QUERY_BODY)


def test_the_posted_date_range_includes_the_lower_bound_and_excludes_the_upper(url):
    invoices = world().fusebill_invoices_of(customer("big").fusebill_id)
    target = invoices[len(invoices) // 2]
    at, next_second = wire_time(target.posted), wire_time(target.posted + datetime.timedelta(seconds=1))

    def ids(query):
        return {invoice["id"] for invoice in ok(get(url, invoices_path("big"), query=query, pageSize=1000))}

    assert ids(f"postedTimestamp:{at}|{next_second}") == {target.id}
    assert target.id not in ids(f"postedTimestamp:|{at}")
    assert ids(f"postedTimestamp:{at}|") == {i.id for i in invoices if i.posted >= target.posted}
    day = target.posted.date()
    assert ids(f"postedTimestamp:{day}|{day + datetime.timedelta(1)}") == {
        i.id for i in invoices if i.posted.date() == day
    }
    assert ids("postedTimestamp:|") == {i.id for i in invoices}


def test_invoices_filter_by_number_po_number_and_balance(url):
    invoices = world().fusebill_invoices_of(customer("huge").fusebill_id)
    target = next(i for i in invoices if i.po_number)
    assert [i["id"] for i in ok(get(url, invoices_path("huge"), query=f"invoiceNumber:{target.number}"))] == [target.id]
    found = ok(get(url, invoices_path("huge"), query=f"poNumber:{target.po_number.lower()}"))
    assert [i["id"] for i in found] == [target.id]
    low, high = Decimal("1000"), Decimal("5000")
    query = f"closingArBalance:{low}|{high};totalInstallments:1"
    found = ok(get(url, invoices_path("huge"), query=query, pageSize=1000))
    assert {i["id"] for i in found} == {i.id for i in invoices if low <= i.closing_ar < high and len(i.schedules) == 1}


def test_the_external_system_filters_are_accepted_and_match_nothing(url):
    for query in ("quickBooksId:5", "netsuiteId:abc", "salesforceID:abc"):
        assert ok(get(url, invoices_path("big"), query=query)) == []


def test_customers_are_found_by_reference_in_either_stored_form(url):
    forms = set()
    for kind in ("both", "fusebill_only", "big", "huge"):
        wanted = customer(kind)
        stored = wanted.fusebill_reference
        forms.add(len(stored))
        for field in ("reference", "customerReference.reference1"):
            found = ok(get(url, "customers", query=f"{field}:{stored}"))
            assert [c["id"] for c in found] == [wanted.fusebill_id]
            assert found[0]["reference"] == found[0]["customerReference"]["reference1"] == stored
        other = wanted.identity if stored != wanted.identity else f"{stored[:-4]}-{stored[-4:]}"
        assert ok(get(url, "customers", query=f"reference:{other}")) == []  # exact, not fuzzy
    assert forms == {10, 11, 12, 13}  # canonical and dashed, persons and companies


def test_customers_are_found_by_name_and_email_case_insensitively(url):
    person = customer("fusebill_only")
    first, last = person.name.split(" ", 1)
    found = ok(get(url, "customers", query=f"firstName:{first.upper()};lastName:{last.lower()}"))
    assert person.fusebill_id in [c["id"] for c in found]
    assert all(c["firstName"] == first and c["lastName"] == last for c in found)
    found = ok(get(url, "customers", query=f"primaryEmail:{person.email.upper()}"))
    assert [c["id"] for c in found] == [person.fusebill_id]
    company = customer("big")
    found = ok(get(url, "customers", query=f"companyName:{company.name};status:active"))
    assert [c["id"] for c in found] == [company.fusebill_id]


def customer_ids(url, query):
    return {c["id"] for c in ok(get(url, "customers", query=query, pageSize=1000))}


def everyone(url):
    return ok(get(url, "customers", pageSize=1000))


def test_an_asterisk_in_a_string_filter_stands_for_any_characters(url):
    customers = everyone(url)

    def where(field, test):
        return {c["id"] for c in customers if c[field] is not None and test(c[field].casefold())}

    starting = where("companyName", lambda name: name.startswith("björk"))
    assert len(starting) > 1
    assert customer_ids(url, "companyName:BJÖRK*") == starting
    assert customer_ids(url, "companyName:Björk") == set()  # without it, the whole value
    containing = where("companyName", lambda name: "kök" in name)
    assert len(containing) > 1 and customer_ids(url, "companyName:*Kök*") == containing
    several = where("companyName", lambda name: re.fullmatch("b.*k.* ab", name))
    assert len(several) > 1 and customer_ids(url, "companyName:B*k* AB") == several
    domain = where("primaryEmail", lambda email: email.endswith("@example.com"))
    assert len(domain) > 1 and customer_ids(url, "primaryEmail:*@example.com") == domain


def test_empty_in_brackets_matches_a_null_or_empty_string_field(url):
    customers = everyone(url)
    persons = {c["id"] for c in customers if c["companyName"] is None}
    assert persons and customer_ids(url, "companyName:[empty]") == persons
    # The documentation's John Smith has an empty reference, every other customer one.
    assert customer_ids(url, "reference:[empty]") == {123456}
    assert customer_ids(url, "customerReference.reference3:[empty]") == {c["id"] for c in customers}


def test_a_comma_makes_a_set_on_enum_and_id_fields_only(url):
    customers = everyone(url)
    some = [c["id"] for c in customers[:3]]
    assert customer_ids(url, "id:" + ",".join(map(str, some))) == set(some)
    assert customer_ids(url, "status:Draft,Active") == {c["id"] for c in customers}
    assert customer_ids(url, "status:Draft,Suspended") == set()
    owing = {c["id"] for c in customers if c["customerAccountStatus"] in ("PoorStanding", "Collection")}
    assert customer_ids(url, "accountStatus:Collection,PoorStanding") == owing
    # In a string field a comma is only a comma.
    first, second = customers[0], customers[1]
    assert customer_ids(url, f"lastName:{first['lastName']},{second['lastName']}") == set()


def test_a_set_of_ids_that_are_not_numbers_is_a_bad_query(url):
    response = get(url, "customers", query="id:1,two")
    assert (response.status_code, response.content) == (400, BAD_QUERY_BODY)


def test_the_customer_listing_pages_every_fusebill_customer(url):
    response = get(url, "customers", pageSize=20, pageNumber=1)
    assert response.headers["X-MaxCount"] == str(len(world().fusebill_customers()) + 1)  # + the docs' John Smith
    ids = [c["id"] for c in ok(response)]
    assert ids == sorted(ids) and len(ids) == 20


def test_a_customer_has_the_fusebill_shape_and_currency(url):
    wanted = customer("big")
    data = ok(get(url, f"customers/{wanted.fusebill_id}"))
    assert data["id"] == wanted.fusebill_id
    assert data["companyName"] == wanted.name
    assert data["status"] == "Active"
    assert data["currency"] == wanted.currency
    assert set(data["customerReference"]) >= {"reference1", "reference2", "reference3"}
    assert data["arBalance"] == sum(i.outstanding for i in world().fusebill_invoices_of(wanted.fusebill_id))
    assert data["uri"].endswith(f"/fusebill/v1/Customers/{wanted.fusebill_id}")


def test_a_customer_with_an_overdue_invoice_is_in_poor_standing_or_long_after_in_collection(url):
    # providers.md: account statuses are Good, PoorStanding and Collection.
    standings = set()
    for data in ok(get(url, "customers", pageSize=1000)):
        invoices = world().fusebill_invoices_of(data["id"])
        late = [(world().today - s.due.date()).days for i in invoices for s in i.schedules if s.status == "Overdue"]
        if not late:
            expected = "Good"
        elif max(late) > FUSEBILL_COLLECTION_AFTER_DAYS and data["id"] % 2:
            expected = "Collection"
        else:
            expected = "PoorStanding"
        assert data["customerAccountStatus"] == expected
        standings.add(expected)
    assert standings == {"Good", "PoorStanding", "Collection"}


# The documentation example --------------------------------------------------------------


def test_the_documentation_example_is_served_verbatim(url):
    response = get(url, "Customers/123456/Invoices", showZeroDollarCharges="false", pageSize=100, pageNumber=0)
    assert response.content == EXAMPLE_INVOICES
    assert response.headers["X-MaxCount"] == "2"
    example = json.loads(EXAMPLE_INVOICES, parse_float=Decimal)
    assert ok(get(url, "Invoices/123456")) == example[0]
    assert ok(get(url, "Invoices/162281")) == example[1]


def test_a_filtered_documentation_example_keeps_its_numbers_exact(url):
    found = ok(get(url, "Customers/123456/Invoices", query="invoiceNumber:290"))
    assert found == json.loads(EXAMPLE_INVOICES, parse_float=Decimal)[:1]
    assert found[0]["charges"][0]["unitPrice"] == Decimal("37.714285")
    oldest_first = ok(get(url, "Customers/123456/Invoices", sortOrder="Ascending"))
    assert [i["invoiceNumber"] for i in oldest_first] == [283, 290]


def test_the_documentation_customer_is_john_smith_in_usd(url):
    data = ok(get(url, "customers/123456"))
    assert (data["firstName"], data["lastName"], data["currency"], data["id"]) == ("John", "Smith", "USD", 123456)
    assert 123456 not in {c.fusebill_id for c in world().fusebill_customers()}


# Invoice shape ---------------------------------------------------------------------------


def example_keys():
    example = json.loads(EXAMPLE_INVOICES)
    return {
        "invoice": set(example[0]) | set(example[1]),
        "charge": set(example[0]["charges"][0]),
        "invoiceCustomer": set(example[0]["invoiceCustomer"]),
        "invoiceCustomerAddressPreference": set(example[0]["invoiceCustomerAddressPreference"]),
        "paymentSchedule": set(example[0]["paymentSchedules"][0]),
        "chargeTier": set(example[0]["charges"][0]["chargeTiers"][0]),
    }


def test_generated_invoices_have_every_key_of_the_documentation_example(url):
    keys = example_keys()
    for invoice in ok(get(url, invoices_path("both"))):
        assert set(invoice) == keys["invoice"]
        assert set(invoice["invoiceCustomer"]) == keys["invoiceCustomer"]
        assert set(invoice["invoiceCustomerAddressPreference"]) == keys["invoiceCustomerAddressPreference"]
        assert all(set(s) == keys["paymentSchedule"] for s in invoice["paymentSchedules"])
        for charge in invoice["charges"]:
            assert set(charge) == keys["charge"]
            assert all(set(tier) == keys["chargeTier"] for tier in charge["chargeTiers"])


def test_money_is_written_as_json_numbers_and_times_as_utc_without_a_zone(url):
    response = get(url, invoices_path("both"))
    assert '"invoiceAmount":"' not in response.text
    for invoice in body(response):
        for name in ("subtotal", "invoiceAmount", "totalPayments", "outstandingBalance", "openingArBalance"):
            assert type(invoice[name]) in (int, Decimal)
        for name in ("effectiveTimestamp", "postedTimestamp", "modifiedTimestamp"):
            assert TIMESTAMP.fullmatch(invoice[name])
        assert all(TIMESTAMP.fullmatch(s["dueDateTimestamp"]) for s in invoice["paymentSchedules"])
        assert invoice["invoiceCustomer"]["currency"] == customer("both").currency


def test_outstanding_is_consistent_over_the_wire(url):
    for invoice in ok(get(url, invoices_path("big"), pageSize=300)):
        assert invoice["outstandingBalance"] == (
            invoice["invoiceAmount"]
            - invoice["totalPayments"]
            - invoice["sumOfCreditNotes"]
            - invoice["totalWriteoffs"]
        )
        assert sum(s["outstandingBalance"] for s in invoice["paymentSchedules"]) == invoice["outstandingBalance"]
        assert sum(s["amount"] for s in invoice["paymentSchedules"]) == invoice["invoiceAmount"]
        assert invoice["closingArBalance"] == invoice["openingArBalance"] + invoice["invoiceAmount"]
        taxes = sum(t["total"] for t in invoice["taxes"])
        assert invoice["invoiceAmount"] == invoice["subtotal"] - invoice["totalDiscount"] + taxes


def test_zero_dollar_charges_show_only_when_asked(url):
    owner, invoice = next(
        (c, i)
        for c in world().fusebill_customers()
        for i in world().fusebill_invoices_of(c.fusebill_id)
        if any(not charge.amount for charge in i.charges)
    )
    path = f"Customers/{owner.fusebill_id}/Invoices"
    query = f"invoiceNumber:{invoice.number}"
    hidden = ok(get(url, path, query=query))[0]["charges"]
    assert len(hidden) == sum(1 for charge in invoice.charges if charge.amount)
    for flag in ("showZeroDollarCharges", "showTrackedItems"):
        assert len(ok(get(url, path, query=query, **{flag: "true"}))[0]["charges"]) == len(invoice.charges)
    assert_error(get(url, path, showZeroDollarCharges="maybe"), 400)


def test_one_invoice_is_the_same_object_as_in_the_listing_with_every_charge(url):
    listed = ok(get(url, invoices_path("fusebill_only"), showZeroDollarCharges="true"))[0]
    assert ok(get(url, f"Invoices/{listed['id']}")) == listed


# PDF ---------------------------------------------------------------------------------------


def test_the_pdf_is_a_valid_document_with_the_right_headers(url):
    invoice = world().fusebill_invoices_of(customer("both").fusebill_id)[0]
    response = get(url, f"Invoices/pdf/{invoice.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert f"Invoice {invoice.number}".encode() in pdf
    assert f"{invoice.invoice_amount:.2f}".encode() in pdf
    # Every xref entry points at its object: the file opens without repair.
    xref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[xref:].startswith(b"xref")
    lines = pdf[xref:].split(b"\n")
    count = int(lines[1].split()[1])
    for number, entry in enumerate(lines[3 : 2 + count], start=1):
        assert pdf[int(entry[:10]) :].startswith(b"%d 0 obj" % number)


def test_the_documentation_invoices_have_pdfs_too(url):
    response = get(url, "Invoices/pdf/123456")
    assert response.content.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == 'attachment; filename="invoice-290.pdf"'


# The world ---------------------------------------------------------------------------------


def test_the_world_has_customers_in_both_providers_and_in_each_alone():
    customers = world().customers
    both = [c for c in customers if c.qvickly_number and c.fusebill_id]
    fusebill_only = [c for c in customers if c.fusebill_id and not c.qvickly_number]
    assert len(both) >= 10
    assert len(fusebill_only) == 14 == sum(1 for c in customers if c.qvickly_number is None)
    assert any(c.qvickly_number and c.fusebill_id is None for c in customers)
    assert all(c.fusebill_id or c.qvickly_number for c in customers)


def test_the_samples_name_fusebill_customers():
    samples = world().samples()
    assert set(samples) >= {"person", "coordination", "company", "both", "fusebill_only", "big", "huge"}
    assert samples["both"] == samples["person"]
    assert customer("both").qvickly_number and customer("both").fusebill_id
    assert customer("fusebill_only").qvickly_number is None and customer("fusebill_only").fusebill_id
    for kind in ("both", "fusebill_only"):
        invoices = world().fusebill_invoices_of(customer(kind).fusebill_id)
        assert set(SCHEDULE_STATUSES) == {s.status for i in invoices for s in i.schedules}
        assert any(i.sum_of_credit_notes for i in invoices) and any(i.total_writeoffs for i in invoices)
    assert len(world().qvickly_invoices_of(samples["both"])) >= 10


def test_big_and_huge_customers_have_the_required_invoice_counts():
    assert 260 <= len(world().fusebill_invoices_of(customer("big").fusebill_id)) <= 300
    assert len(world().fusebill_invoices_of(customer("huge").fusebill_id)) == 5000


def test_fusebill_customers_bill_in_sek_usd_and_eur():
    currencies = Counter(c.currency for c in world().fusebill_customers())
    assert set(currencies) == {"SEK", "USD", "EUR"}
    assert currencies["SEK"] > currencies["USD"] + currencies["EUR"]
    assert all(i.currency == world().customer_by_fusebill_id(i.customer_id).currency for i in world().fusebill_invoices)


def test_references_are_canonical_for_most_and_dashed_for_some():
    customers = world().fusebill_customers()
    canonical = [c for c in customers if c.fusebill_reference == c.identity]
    dashed = [c for c in customers if c.fusebill_reference == f"{c.identity[:-4]}-{c.identity[-4:]}"]
    assert len(canonical) + len(dashed) == len(customers)
    assert len(canonical) > len(dashed) > 0
    assert {len(c.identity) for c in dashed} == {10, 12}


def test_ids_are_unique_and_never_the_documentation_ones():
    customer_ids = [c.fusebill_id for c in world().fusebill_customers()]
    invoices = world().fusebill_invoices
    assert len(set(customer_ids)) == len(customer_ids)
    assert len({i.id for i in invoices}) == len({i.number for i in invoices}) == len(invoices)
    assert not {123456, 162281} & ({i.id for i in invoices} | set(customer_ids))
    assert not {283, 290} & {i.number for i in invoices}


def test_every_outcome_occurs_and_adds_up():
    invoices = world().fusebill_invoices
    statuses = Counter(s.status for i in invoices for s in i.schedules)
    assert set(statuses) == set(SCHEDULE_STATUSES)
    assert any(0 < i.total_payments < i.invoice_amount and i.outstanding for i in invoices)  # partly paid
    assert any(i.sum_of_credit_notes == i.invoice_amount for i in invoices)  # credited or void
    assert any(0 < i.sum_of_credit_notes < i.invoice_amount for i in invoices)
    assert any(i.total_writeoffs for i in invoices)
    assert any(len(i.schedules) == 3 for i in invoices)
    assert any(i.po_number for i in invoices) and any(i.taxes for i in invoices)
    assert any(c.tiers for i in invoices for c in i.charges) and any(
        c.discount_pct for i in invoices for c in i.charges
    )
    today = world().today
    assert any(s.status == "Overdue" and s.due.date() < today for i in invoices for s in i.schedules)
    assert any(s.status == "Due" and s.due.date() >= today for i in invoices for s in i.schedules)
    for invoice in invoices:
        assert invoice.outstanding == sum(s.outstanding for s in invoice.schedules) >= 0
        assert invoice.outstanding == (
            invoice.invoice_amount - invoice.total_payments - invoice.sum_of_credit_notes - invoice.total_writeoffs
        )
        assert invoice.terms in {f"Net{days}" for days in (0, 10, 15, 20, 30, 45, 60, 90)}
        assert invoice.posted.date() < today and invoice.modified <= invoice.posted + datetime.timedelta(3650)


def test_replies_are_the_same_every_time(url):
    first, second = (get(url, invoices_path("both")) for _ in range(2))
    assert first.content == second.content


# Our client against the emulator -------------------------------------------------------------


@pytest.mark.parametrize("identity_field", ["reference", "customerReference.reference1"])
def test_our_client_finds_customers_by_identity_in_either_written_form(url, identity_field):
    client = Client(url, LIVE_KEY, identity_field=identity_field)
    for kind in ("both", "fusebill_only"):
        wanted = customer(kind)
        record = client.customer_invoices(identity=wanted.identity)
        assert record.provider_customer_id == str(wanted.fusebill_id)
        expected = {str(i.id): i for i in world().fusebill_invoices_of(wanted.fusebill_id)}
        assert [r.provider_id for r in record.invoices] == list(expected)
        for invoice in record.invoices:
            assert invoice.outstanding == expected[invoice.provider_id].outstanding
            assert invoice.currency == wanted.currency


def test_our_client_reads_the_documentation_example(url):
    records = Client(url, LIVE_KEY).invoices(123456)
    assert [(r.number, r.total, r.currency, r.state) for r in records] == [
        ("290", Decimal("264"), "USD", "open"),
        ("283", Decimal("22"), "USD", "open"),
    ]


@pytest.mark.slow  # waits out the throttled key's window
def test_our_client_waits_out_the_rate_limit(url):
    records = Client(url, THROTTLED_KEY).invoices(customer("big").fusebill_id)
    assert len(records) == len(world().fusebill_invoices_of(customer("big").fusebill_id))
