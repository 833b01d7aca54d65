"""Fusebill listings come back whole and stop where they end, whatever the paging headers mean.

The docs call X-Count the total that match and X-MaxPageIndex the number of
pages; other clients read them as the page's length and the last index
(providers.md, "Invoices of a customer"). The emulator plays each reading;
the client trusts neither and stops on a short or empty page.
"""

import datetime

import pytest

from invoices.providers.fusebill import PAGE_SIZE
from sandbox.world import world

READINGS = [
    pytest.param({}, id="as-documented"),
    pytest.param({"fusebill_count": "page"}, id="count-of-the-page"),
    pytest.param({"fusebill_max_page_index": "last_index"}, id="max-page-index-is-the-last-index"),
    pytest.param({"fusebill_count": "page", "fusebill_max_page_index": "last_index"}, id="both-other-readings"),
]


def big():
    return world().customer_by_identity(world().samples()["big"])


def posted_range_of_whole_pages(pages):
    """Dates [start, end) between which the big customer posted exactly `pages` pages of invoices."""
    invoices = world().fusebill_invoices_of(big().fusebill_id)
    days = sorted({invoice.posted.date() for invoice in invoices})
    for first, start in enumerate(days):
        for end in days[first + 1 :]:
            inside = [i for i in invoices if start <= i.posted.date() < end]
            if len(inside) == pages * PAGE_SIZE:
                return start, end, inside
    raise AssertionError(f"the big customer has no {pages} pages' worth of invoices between two posting days")


@pytest.mark.parametrize("readings", READINGS)
def test_a_listing_ending_on_a_short_page_is_complete_in_order_and_without_duplicates(
    fusebill_client, reading, readings
):
    reading(**readings)
    expected = world().fusebill_invoices_of(big().fusebill_id)
    assert len(expected) % PAGE_SIZE and len(expected) > 2 * PAGE_SIZE
    records = fusebill_client.invoices(big().fusebill_id)
    assert [r.provider_id for r in records] == [str(i.id) for i in expected]  # newest first


@pytest.mark.parametrize("readings", READINGS)
def test_a_listing_of_an_exact_multiple_of_the_page_size_is_complete(fusebill_client, reading, readings):
    # Its last page is full, so only the empty page after it tells the client it is over.
    reading(**readings)
    start, end, expected = posted_range_of_whole_pages(2)
    records = fusebill_client.invoices(big().fusebill_id, posted_from=start, posted_before=end)
    assert sorted(r.provider_id for r in records) == sorted(str(i.id) for i in expected)
    assert len(records) == 2 * PAGE_SIZE


def test_a_listing_of_exactly_one_page_is_complete(fusebill_client):
    start, end, expected = posted_range_of_whole_pages(1)
    records = fusebill_client.invoices(big().fusebill_id, posted_from=start, posted_before=end)
    assert sorted(r.provider_id for r in records) == sorted(str(i.id) for i in expected)


def test_an_empty_listing_is_empty(fusebill_client):
    future = world().today + datetime.timedelta(days=1)
    assert fusebill_client.invoices(big().fusebill_id, posted_from=future) == []
