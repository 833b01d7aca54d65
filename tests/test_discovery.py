"""Discovering the whole book over real HTTP: every customer the providers' APIs can
reveal becomes ours, one person is one customer, and refreshing them fills the book.

The sandbox's generated world is the oracle: what it holds is computed here,
never written out as numbers.
"""

import time
from collections import defaultdict
from decimal import Decimal

from django.urls import reverse

from invoices import sync
from invoices.discovery import discover
from invoices.models import Customer, CustomerLink, Invoice, ProviderAccount
from invoices.providers import qvickly
from sandbox.fusebill.examples import EXAMPLE_CUSTOMER_ID, examples
from sandbox.world import world
from tests.conftest import fusebill_key


def fusebill_ids():
    """Every customer the Fusebill emulator lists: the world's and the docs' example."""
    return {str(c.fusebill_id) for c in world().fusebill_customers()} | {str(EXAMPLE_CUSTOMER_ID)}


def overdue_qvickly_identities():
    return {i.identity for i in world().qvickly_invoices if i.is_overdue(world().today)}


def settled_qvickly_identities():
    since = world().today - qvickly.DISCOVERY_REACH
    return {i.identity for i in world().qvickly_invoices if (day := i.settled_on(world().today)) and day >= since}


def qvickly_identities():
    """Everyone Qvickly's API reveals: anything past due, or a payment settled lately."""
    return overdue_qvickly_identities() | settled_qvickly_identities()


def test_discovering_fusebill_finds_every_customer_it_holds(fusebill_account):
    report = discover(fusebill_account)
    links = CustomerLink.objects.filter(account=fusebill_account)
    assert set(links.values_list("provider_customer_id", flat=True)) == fusebill_ids()
    assert (report.found, report.new, report.complete) == (len(fusebill_ids()), len(fusebill_ids()), True)
    for customer in world().fusebill_customers():
        link = links.get(provider_customer_id=str(customer.fusebill_id))
        assert link.customer.identity_number == customer.identity


def test_discovering_qvickly_finds_every_customer_with_anything_past_due_or_lately_settled(qvickly_account):
    report = discover(qvickly_account)
    found = set(Customer.objects.filter(links__account=qvickly_account).values_list("identity_number", flat=True))
    assert overdue_qvickly_identities() <= found and settled_qvickly_identities() - overdue_qvickly_identities()
    assert found == qvickly_identities()
    assert (report.found, report.complete) == (len(qvickly_identities()), True)
    # Which overdue invoices are with debt collection comes along.
    in_collection = {i.number for i in world().qvickly_invoices if i.collection_state(world().today) == "Collection"}
    assert in_collection and report.in_collection == in_collection
    numbers = {c.identity: c.qvickly_number for c in world().customers}
    for link in CustomerLink.objects.filter(account=qvickly_account).select_related("customer"):
        assert link.provider_customer_id == numbers[link.customer.identity_number]


def test_the_same_person_at_both_providers_becomes_one_customer(qvickly_account, fusebill_account):
    discover(fusebill_account)
    report = discover(qvickly_account)
    at_both = {c.identity for c in world().fusebill_customers()} & qvickly_identities()
    assert at_both and report.linked == len(at_both)
    assert report.new == len(qvickly_identities() - at_both)
    for identity in at_both:
        customer = Customer.objects.with_number(identity).get()
        assert {link.account for link in customer.links.all()} == {qvickly_account, fusebill_account}
    everyone = {c.identity for c in world().fusebill_customers()} | qvickly_identities()
    assert Customer.objects.count() == len(everyone) + 1  # the docs' example customer has no number


def test_discovering_again_finds_the_same_customers_and_creates_none(qvickly_account, fusebill_account):
    discover(fusebill_account), discover(qvickly_account)
    before = Customer.objects.count()
    again = [discover(fusebill_account), discover(qvickly_account)]
    assert Customer.objects.count() == before
    assert [(r.new, r.linked, r.known) for r in again] == [(0, 0, r.found) for r in again]


def test_a_customer_looked_up_before_is_linked_not_created_again(qvickly_account):
    identity = sorted(qvickly_identities())[0]
    looked_up = Customer.objects.create(identity_number=identity)
    report = discover(qvickly_account)
    assert report.linked == 1 and looked_up.links.get().account == qvickly_account


def world_outstanding(invoices):
    sums = defaultdict(Decimal)
    for currency, amount in invoices:
        sums[currency] += Decimal(amount)
    return dict(sums)


def test_refreshing_every_discovered_customer_fills_the_book(staff_client, qvickly_account, fusebill_account):
    reports = [discover(fusebill_account), discover(qvickly_account)]
    for customer in Customer.objects.filter(pk__in={pk for r in reports for pk in r.customer_ids}):
        sync.refresh(customer)
    assert not CustomerLink.objects.exclude(error="").exists()

    fusebill = [(i.currency, i.outstanding) for i in world().fusebill_invoices]
    fusebill += [(e.raw["invoiceCustomer"]["currency"], str(e.raw["outstandingBalance"])) for e in examples()]
    # Qvickly's book: everyone with anything past due, and everyone Fusebill brought in
    # whom Qvickly knows too (the refresh asks every account by identity number).
    identities = qvickly_identities() | {c.identity for c in world().fusebill_customers() if c.qvickly_number}
    qvickly = [("SEK", Decimal(i.balance_ore) / 100) for i in world().qvickly_invoices if i.identity in identities]
    for account, expected in ((fusebill_account, fusebill), (qvickly_account, qvickly)):
        stored = world_outstanding(
            Invoice.objects.filter(account=account, gone_at__isnull=True).values_list("currency", "outstanding")
        )
        assert stored == world_outstanding(expected)

    page = staff_client.get(reverse("home"))
    assert page.status_code == 200 and page.context["customer_count"] == Customer.objects.count()
    overdue = [i for i in world().qvickly_invoices if i.is_overdue(world().today)]
    sek = next(t for t in page.context["totals"] if t["currency"] == "SEK")
    assert sek["overdue"] >= sum(Decimal(i.balance_ore) / 100 for i in overdue)


def test_a_fusebill_listing_failing_midway_is_reported_and_what_came_before_is_kept(fusebill_account, fault):
    # The first page (everyone who owes anything) comes through; every later one fails.
    fault(provider="fusebill", fault="http_503", after=1)
    report = discover(fusebill_account)
    owing = {str(c.fusebill_id) for c in world().fusebill_customers() if world_owes(c)}
    assert report.stopped.endswith("(code 503)")
    assert set(CustomerLink.objects.values_list("provider_customer_id", flat=True)) >= owing
    assert report.found == len(owing) + (1 if example_owes() else 0)


def world_owes(customer):
    return sum(i.outstanding for i in world().fusebill_invoices_of(customer.fusebill_id)) >= Decimal("0.01")


def example_owes():
    return sum(Decimal(str(e.raw["outstandingBalance"])) for e in examples()) >= Decimal("0.01")


def test_one_qvickly_invoice_that_cannot_be_read_is_counted_and_the_rest_still_discovered(qvickly_account, fault):
    # getDuePayments (both readings of its date) and two getPaymentinfo calls through,
    # then one garbled reply.
    fault(provider="qvickly", fault="malformed_json", after=4, times=1)
    report = discover(qvickly_account)
    assert report.failures == 1 and not report.stopped
    assert list(report.failed) == ["Qvickly: sent a reply that is not JSON"]
    assert report.found >= len(qvickly_identities()) - 1


def test_refused_credentials_stop_qvickly_discovery_at_once(qvickly_account, fault):
    fault(provider="qvickly", fault="reject_credentials", after=1)
    report = discover(qvickly_account)
    assert (report.found, report.failures, report.stopped) == (0, 0, "Qvickly: Autentisering misslyckades. (code 9013)")


def test_settlements_that_cannot_be_read_leave_the_overdue_book_discovered(qvickly_account, fault):
    fault(provider="qvickly", fault="malformed_json", after=2, times=1)  # getDuePayments twice, then getSettlements
    report = discover(qvickly_account)
    found = set(Customer.objects.filter(links__account=qvickly_account).values_list("identity_number", flat=True))
    assert found == overdue_qvickly_identities()
    assert dict(report.failed) == {"Qvickly: sent a reply that is not JSON": 1} and not report.stopped


def test_fusebill_lists_the_customers_who_owe_anything_first(fusebill_client):
    balances = [Decimal(str(row["arBalance"])) for row in fusebill_client.every_customer()]
    owing = sum(1 for balance in balances if balance >= Decimal("0.01"))
    assert 0 < owing < len(balances) == len(fusebill_ids())
    assert all(balance >= Decimal("0.01") for balance in balances[:owing])


def test_a_rate_limited_fusebill_key_still_discovers_every_customer(db, sandbox_url):
    account = ProviderAccount.objects.create(
        name="Fusebill throttled",
        kind="fusebill",
        base_url=sandbox_url + "fusebill/v1",
        secret=fusebill_key("throttled"),
    )
    account.client().account_info(), account.client().account_info()  # the window's two requests spent
    started = time.monotonic()
    report = discover(account)
    assert (report.found, report.complete) == (len(fusebill_ids()), True)
    assert time.monotonic() - started >= 1  # it waited for the window to reset, not failed


def test_a_second_customer_under_the_same_number_at_one_account_is_reported_not_swapped_in(fusebill_account):
    other = next(c for c in world().fusebill_customers() if not c.qvickly_number)
    # As if the account held this customer's number on a second customer of its own.
    holder = Customer.objects.create(identity_number=other.identity)
    CustomerLink.objects.create(customer=holder, account=fusebill_account, provider_customer_id="999999")
    report = discover(fusebill_account)
    assert report.failed == {"holds the identity number of another customer at this account": 1}
    assert holder.links.get().provider_customer_id == "999999"
    assert report.found == len(fusebill_ids()) - 1
