"""Personal data leaves the cache once nobody owes anything and nothing has happened for the retention period."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from invoices import followup, roles
from invoices.models import Customer, FollowUpAudit, Invoice, LookupAudit, Note, Promise, ProviderAccount
from tests.conftest import cached_invoice, staff_user

ANNA, BERTIL = "198112241008", "197006151000"
LONG_AGO = timezone.now() - timedelta(days=4 * 365)


@pytest.fixture
def qvickly(db):
    return ProviderAccount.objects.create(
        name="Qvickly SE", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )


@pytest.fixture
def carl(django_user_model):
    return staff_user(django_user_model, "carl", roles.COLLECTORS)


def settled_long_ago(account, user, name, number, outstanding="0"):
    """A customer paid up four years ago, with a note, a kept promise and a view of their page, all that old."""
    customer = Customer.objects.create(name=name, identity_number=number)
    day = LONG_AGO.date()
    state = Invoice.State.PAID if outstanding == "0" else Invoice.State.OPEN
    cached_invoice(
        account, customer, number=f"{name}-1", total="100", outstanding=outstanding, state=state,
        issue_date=day, due_date=day, paid_date=day if state == Invoice.State.PAID else None,
    )  # fmt: skip
    followup.add_note(user, customer, "call", f"{name} says the cheque is in the post")
    followup.add_promise(user, customer, Decimal("100"), "SEK", day)
    Promise.objects.filter(customer=customer).update(state=Promise.State.KEPT, made_at=LONG_AGO)
    LookupAudit.record_view(user, customer, LookupAudit.Action.CUSTOMER_PAGE, opened="customer")
    Customer.objects.filter(pk=customer.pk).update(created_at=LONG_AGO)
    for model in (Note, FollowUpAudit, LookupAudit):
        model.objects.filter(customer=customer).update(at=LONG_AGO)
    return customer


def purge(*options):
    out = StringIO()
    call_command("purge_personal_data", *options, stdout=out)
    return out.getvalue()


def test_an_inactive_settled_customer_is_purged_with_invoices_notes_and_promises_while_the_audit_stays(qvickly, carl):
    anna = settled_long_ago(qvickly, carl, "Anna Svensson", ANNA)

    said = purge()

    assert "purged 1 customers, 1 invoices, 1 notes and 1 promises" in said
    assert not Customer.objects.filter(pk=anna.pk).exists()
    assert (Invoice.objects.count(), Note.objects.count(), Promise.objects.count()) == (0, 0, 0)
    view = LookupAudit.objects.get()
    assert (view.customer, view.masked_number, view.user) == (None, "19811224-XXXX", carl)
    changes = FollowUpAudit.objects.order_by("action")
    assert [(c.action, c.customer, c.user) for c in changes] == [("note", None, carl), ("promise", None, carl)]
    # The fact of the note is kept; what it said about the person is not.
    assert changes[0].after == ""


def test_a_customer_owing_anything_stays_however_long_ago(qvickly, carl):
    settled_long_ago(qvickly, carl, "Anna Svensson", ANNA, outstanding="100")

    assert "purged 0 customers" in purge()
    assert Customer.objects.get().invoices.count() == 1


@pytest.mark.parametrize("activity", ["viewed", "noted", "invoiced"])
def test_a_customer_with_recent_activity_stays(qvickly, carl, activity):
    anna = settled_long_ago(qvickly, carl, "Anna Svensson", ANNA)
    if activity == "viewed":
        LookupAudit.record_view(carl, anna, LookupAudit.Action.CUSTOMER_PAGE, opened="customer")
    elif activity == "noted":
        Note.objects.filter(customer=anna).update(at=timezone.now() - timedelta(days=30))
    else:
        cached_invoice(
            qvickly, anna, number="new", total="5", outstanding="0", state="paid", issue_date=timezone.localdate()
        )

    assert "purged 0 customers" in purge()
    assert Customer.objects.filter(pk=anna.pk).exists()


def test_the_days_option_shortens_the_period(qvickly, carl):
    anna = settled_long_ago(qvickly, carl, "Anna Svensson", ANNA)
    Note.objects.filter(customer=anna).update(at=timezone.now() - timedelta(days=100))

    assert "purged 0 customers" in purge()
    assert "purged 1 customers" in purge("--days", "90")


def test_a_dry_run_reports_masked_and_changes_nothing(qvickly, carl):
    anna = settled_long_ago(qvickly, carl, "Anna Svensson", ANNA)
    settled_long_ago(qvickly, carl, "Bertil Berg", BERTIL, outstanding="50")

    said = purge("--dry-run")

    assert f"Would purge customer {anna.pk}: 19811224-XXXX A. S." in said
    assert "would purge 1 customers, 1 invoices, 1 notes and 1 promises" in said
    assert ANNA not in said and "Anna" not in said and "19700615" not in said
    assert Customer.objects.count() == 2 and Invoice.objects.count() == 2 and Note.objects.count() == 2
    assert FollowUpAudit.objects.filter(customer=anna, after__contains="cheque").exists()


def test_a_period_under_a_day_is_refused(qvickly, carl):
    settled_long_ago(qvickly, carl, "Anna Svensson", ANNA)
    with pytest.raises(Exception, match="at least 1"):
        purge("--days", "0")
    assert Customer.objects.count() == 1
