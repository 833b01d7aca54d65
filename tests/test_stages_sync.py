"""Stages as a refresh writes them from the sandbox over real HTTP: Qvickly's
getDuePayments words, Fusebill's schedules and account status, interest invoices
linked to what they charge."""

from datetime import timedelta

from django.utils import timezone

from invoices import sync
from invoices.models import Customer, Invoice, ProviderAccount
from sandbox.world import world


def refreshed(identity):
    customer = Customer.objects.create(identity_number=identity)
    sync.refresh(customer)
    customer.refresh_from_db()
    return customer


def qvickly_with(predicate):
    """The identity of the first Qvickly customer holding an invoice that `predicate` picks."""
    return next(i.identity for i in world().qvickly_invoices if predicate(i))


def test_an_invoice_sent_to_collection_shows_in_collection_with_the_providers_word(qvickly_account):
    customer = refreshed(qvickly_with(lambda i: i.collection_state(world().today) == "Collection"))
    for invoice in world().qvickly_invoices_of(customer.identity_number):
        row = Invoice.objects.get(number=invoice.number)
        state = invoice.collection_state(world().today)
        if state == "Collection":
            assert (row.current_stage, row.provider_stage) == ("collection", "Collection")
        elif state == "Due":
            assert (row.current_stage, row.provider_stage) == ("overdue", "Due")
        elif invoice.is_open and invoice.balance_ore > 0:
            assert row.current_stage == "not_due"
        else:
            assert row.current_stage == ""


def test_the_due_payments_are_read_once_for_every_refresh_within_the_cache_ttl(qvickly_account):
    refreshed(qvickly_with(lambda i: i.collection_state(world().today) == "Due"))
    read_at = ProviderAccount.objects.get(pk=qvickly_account.pk).due_payments_at
    assert read_at is not None
    refreshed(qvickly_with(lambda i: i.collection_state(world().today) == "Collection"))
    account = ProviderAccount.objects.get(pk=qvickly_account.pk)
    assert account.due_payments_at == read_at
    overdue = {i.number for i in world().qvickly_invoices if i.collection_state(world().today)}
    assert set(account.due_payments) == overdue


def test_due_payments_read_as_listing_what_fell_due_since_the_date_still_name_collection(qvickly_account, reading):
    # The docs' example lists invoices due after the date asked: then only what fell due
    # in the last 90 days is named, and an older late invoice is overdue by its date.
    reading(qvickly_due_date="since")
    reach = world().today - timedelta(days=90)
    collected = next(
        i for i in world().qvickly_invoices if i.collection_state(world().today) == "Collection" and i.due_date >= reach
    )
    refreshed(collected.identity)
    row = Invoice.objects.get(number=collected.number)
    assert (row.current_stage, row.provider_stage) == ("collection", "Collection")
    states = ProviderAccount.objects.get(pk=qvickly_account.pk).due_payments
    assert states and all(world().qvickly_invoice_by_number(n).due_date >= reach for n in states)


def test_a_customer_with_nothing_late_costs_no_merchant_wide_read(qvickly_account):
    late = {i.identity for i in world().qvickly_invoices if i.is_overdue(world().today)}
    refreshed(next(c.identity for c in world().customers if c.qvickly_number and c.identity not in late))
    assert ProviderAccount.objects.get(pk=qvickly_account.pk).due_payments_at is None


def test_an_interest_invoice_is_linked_to_the_late_invoice_it_charges(qvickly_account):
    charge = next(i for i in world().qvickly_invoices if i.charges_number)
    refreshed(charge.identity)
    interest = Invoice.objects.get(number=charge.number)
    assert (interest.kind, interest.credits_number) == ("interest", "")
    assert interest.charged_invoice().number == charge.charges_number


def test_fusebill_schedules_put_the_sample_customers_invoices_in_every_stage(fusebill_account):
    customer = refreshed(world().samples()["fusebill_only"])
    stages = set(customer.invoices.values_list("stage", "provider_stage"))
    assert {("disputed", "Disputed"), ("written_off", "WrittenOff"), ("not_due", "Due")} <= stages
    assert customer.account_status in ("PoorStanding", "Collection")


def test_a_fusebill_account_in_collection_has_its_overdue_invoices_in_collection(fusebill_account):
    # The sandbox puts one sample's account in Collection and leaves the other in poor standing.
    for sample in ("both", "fusebill_only"):
        customer = refreshed(world().samples()[sample])
        stages = set(customer.invoices.values_list("stage", flat=True))
        if customer.account_status == "Collection":
            assert "collection" in stages and "overdue" not in stages
        else:
            assert customer.account_status == "PoorStanding"
            assert "overdue" in stages and "collection" not in stages


def test_due_payments_that_cannot_be_read_leave_the_last_list_standing_and_the_refresh_whole(
    qvickly_account, fault, settings
):
    settings.PROVIDER_RETRIES = 0
    late = next(i for i in world().qvickly_invoices if i.collection_state(world().today) == "Due")
    last_read = timezone.now() - timedelta(days=1)
    ProviderAccount.objects.filter(pk=qvickly_account.pk).update(
        due_payments={late.number: "Collection"}, due_payments_at=last_read
    )
    # Both getInvoicesByPno filters answer; the first getDuePayments fails.
    fault(provider="qvickly", fault="http_500", after=2, times=1)
    customer = refreshed(late.identity)
    assert not customer.links.get().error
    row = Invoice.objects.get(number=late.number)
    assert (row.current_stage, row.provider_stage) == ("collection", "Collection")
    assert ProviderAccount.objects.get(pk=qvickly_account.pk).due_payments_at == last_read
