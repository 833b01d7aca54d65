"""Listings as Fusebill serves them: `query` filters, sorting and paging, with the facts in headers."""

import datetime
import math
import re
from decimal import Decimal, InvalidOperation
from operator import attrgetter

from django.http import HttpRequest

from sandbox import readings
from sandbox.fusebill.wire import BadQuery, FusebillError

# The pagination page says the largest page "is never below 1,000"; a larger
# pageSize is cut to it (X-PageSize tells), as the real API limits it.
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000


def listing(
    request: HttpRequest, items: list, fields: dict, sorts: dict, default_sort: tuple[str, str]
) -> tuple[list, dict]:
    """The page of items the request asks for, and the paging headers."""
    params = _params(request)
    filters = parse_query(params.get("query", ""), fields)
    total = len(items)
    items = [item for item in items if all(matches(read(item)) for read, matches in filters)]
    expression, order, key = _sorting(params, sorts, default_sort)
    items.sort(key=key, reverse=order == "Descending")
    largest = MAX_PAGE_SIZE if readings.current("fusebill_max_page_size") == "1000" else 50
    size = min(_count_param(params, "pageSize", DEFAULT_PAGE_SIZE, minimum=1), largest)
    number = _count_param(params, "pageNumber", 0, minimum=0)
    page = items[number * size : (number + 1) * size]
    pages = math.ceil(len(items) / size)
    last = max(pages - 1, 0)
    headers = {
        # Documented: "the total number of results that match the search criteria".
        "X-Count": len(items) if readings.current("fusebill_count") == "matching" else len(page),
        # Documented: "Total number of results", told apart from X-Count by the filter.
        "X-MaxCount": total,
        "X-CurrentPage": number,
        "X-NextPage": number + 1 if (number + 1) * size < len(items) else -1,
        "X-PreviousPage": min(number - 1, last) if number > 0 else -1,
        "X-PageSize": size,
        # Documented as the "total number of pages"; clients use it as the last
        # 0-based index. Either way a client must stop on a short or empty page.
        "X-MaxPageIndex": pages if readings.current("fusebill_max_page_index") == "page_count" else last,
        "X-SortOrder": order,
        "X-SortExpression": expression,
    }
    return page, headers


def _params(request):
    # ASP.NET binds query parameters case-insensitively.
    return {name.lower(): value for name, value in request.GET.items()}


def _count_param(params, name, default, minimum):
    raw = params.get(name.lower(), "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d+", raw) or int(raw) < minimum:
        raise FusebillError(400, f"Bad request, {name} must be a whole number of at least {minimum}.")
    return int(raw)


def boolean(request: HttpRequest, name: str) -> bool:
    raw = _params(request).get(name.lower(), "").strip().lower()
    if raw not in ("", "true", "false"):
        raise FusebillError(400, f"Bad request, the value '{raw}' is not valid for {name}.")
    return raw == "true"


def _sorting(params, sorts, default):
    """(expression, order, sort key). Ties go by id, so pages never overlap."""
    expression, order = params.get("sortexpression", "").strip(), params.get("sortorder", "").strip()
    if not expression and not order:
        expression, order = default
    spec = sorts.get((expression or default[0]).lower())
    order = {"": "Ascending", "ascending": "Ascending", "descending": "Descending"}.get(order.lower())
    if spec is None or order is None:
        raise FusebillError(400, "Bad request, sortOrder must be Ascending or Descending with a known sortExpression.")
    name, read, read_id = spec
    return name, order, lambda item: (read(item), read_id(item))


def parse_query(text: str, fields: dict) -> list:
    """[(read, matches)] from `field:value;field2:lo|hi`; BadQuery for anything Fusebill would refuse."""
    filters = []
    for pair in text.split(";"):
        if not pair.strip():
            continue  # a trailing ";" is harmless
        name, colon, value = pair.partition(":")
        spec = fields.get(name.strip().lower())
        if not colon or spec is None:
            raise BadQuery(pair)
        kind, read = spec
        filters.append((read, _matcher(kind, value.strip())))
    return filters


def _matcher(kind, text):
    if kind == "string":
        return _string_matcher(text)
    if kind == "enum":
        # "status:Active,Draft": a comma makes a set, on enum fields only.
        wanted = {part.strip().casefold() for part in text.split(",")}
        return lambda value: value is not None and str(value).casefold() in wanted
    if kind == "id":
        # "id:123,456,789": a set of ids.
        wanted = {_integer(part) for part in text.split(",")}
        return lambda value: value in wanted
    parse = {"date": timestamp, "decimal": _decimal, "int": _integer}[kind]
    if kind == "int" and "|" not in text:
        exact = parse(text)
        return lambda value: value == exact
    low, bar, high = text.partition("|")
    if not bar:
        raise BadQuery(text)
    low = parse(low) if low.strip() else None
    high = parse(high) if high.strip() else None
    # Lower bound inclusive, upper exclusive; either may be left open.
    return lambda value: value is not None and (low is None or value >= low) and (high is None or value < high)


# The string filtering page: "[empty]" matches a null or empty field, and each
# "*" stands for any number of characters, anywhere in the value. Matching is
# case-insensitive; a comma is an ordinary character in a string field.
EMPTY = "[empty]"


def _string_matcher(text):
    wanted = text.casefold()
    if wanted == EMPTY:
        return lambda value: value is None or str(value) == ""
    if "*" in wanted:
        pattern = re.compile(".*".join(re.escape(part) for part in wanted.split("*")), re.DOTALL)
        return lambda value: value is not None and pattern.fullmatch(str(value).casefold()) is not None
    return lambda value: value is not None and str(value).casefold() == wanted


def timestamp(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text.strip().removesuffix("Z"))
    except ValueError:
        raise BadQuery(text) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)  # Fusebill's times are UTC
    return moment.astimezone(datetime.UTC)


def _decimal(text):
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise BadQuery(text) from None
    if not value.is_finite():
        raise BadQuery(text)
    return value


def _integer(text):
    if not re.fullmatch(r"-?\d+", text.strip()):
        raise BadQuery(text)
    return int(text)


def _strings(read):
    return lambda item: (read(item) or "").casefold()


# Filterable fields: (kind, how to read it). The sandbox account syncs with no
# accounting or CRM system, so its QuickBooks, NetSuite and Salesforce ids are
# null and those filters match nothing; they are accepted all the same.
INVOICE_FIELDS = {
    "postedtimestamp": ("date", attrgetter("posted")),
    "effectivetimestamp": ("date", attrgetter("effective")),
    "createdtimestamp": ("date", attrgetter("created")),
    "openingarbalance": ("decimal", attrgetter("opening_ar")),
    "closingarbalance": ("decimal", attrgetter("closing_ar")),
    "invoicenumber": ("int", attrgetter("number")),
    "totalinstallments": ("int", attrgetter("installments")),
    "quickbooksid": ("int", lambda invoice: None),
    "ponumber": ("string", attrgetter("po_number")),
    "netsuiteid": ("string", lambda invoice: None),
    "salesforceid": ("string", lambda invoice: None),
}
INVOICE_SORTS = {
    name.lower(): (name, read, attrgetter("id"))
    for name, read in (
        ("postedTimestamp", attrgetter("posted")),
        ("effectiveTimestamp", attrgetter("effective")),
        ("invoiceNumber", attrgetter("number")),
        ("invoiceAmount", attrgetter("invoice_amount")),
        ("outstandingBalance", attrgetter("outstanding")),
        ("id", attrgetter("id")),
    )
}
CUSTOMER_FIELDS = {
    **{
        name.lower(): ("string", lambda c, name=name: c[name])
        for name in ("firstName", "lastName", "companyName", "primaryEmail", "reference")
    },
    "id": ("id", lambda c: c["id"]),
    "status": ("enum", lambda c: c["status"]),
    "accountstatus": ("enum", lambda c: c["customerAccountStatus"]),
    **{
        f"customerreference.reference{n}": ("string", lambda c, n=n: c["customerReference"][f"reference{n}"])
        for n in (1, 2, 3)
    },
    "arbalance": ("decimal", lambda c: c["arBalance"]),
}
CUSTOMER_SORTS = {
    "id": ("id", lambda c: c["id"], lambda c: c["id"]),
    **{
        name.lower(): (name, _strings(lambda c, name=name: c[name]), lambda c: c["id"])
        for name in ("firstName", "lastName", "companyName", "primaryEmail", "reference")
    },
}
