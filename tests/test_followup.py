"""The follow-up list ("Att göra") on a hand-built book: priority, promises, disputes, roles and audit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from invoices import followup, open_book, roles
from invoices.models import Customer, CustomerLink, FollowUp, FollowUpAudit, Invoice, Note, Promise, ProviderAccount
from tests.conftest import cached_invoice, staff_user

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - timedelta(days=n)


@pytest.fixture
def qvickly(db):
    return ProviderAccount.objects.create(
        name="Qvickly SE", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )


@pytest.fixture
def fusebill(db):
    return ProviderAccount.objects.create(
        name="Fusebill", kind="fusebill", base_url="http://127.0.0.1:9/", secret="s", active=False
    )


@pytest.fixture
def collector(django_user_model):
    return staff_user(django_user_model, "carl", roles.COLLECTORS)


@pytest.fixture
def collector_client(client, collector):
    client.force_login(collector)
    return client


def owing(account, name, *debts, currency="SEK", **customer_fields):
    """A customer with one invoice per (amount, days overdue); negative days: not yet due."""
    customer = Customer.objects.create(name=name, **customer_fields)
    for n, (amount, late) in enumerate(debts):
        cached_invoice(
            account,
            customer,
            number=f"{name}-{currency}-{n}",
            total=amount,
            currency=currency,
            due_date=days_ago(late),
            stage=Invoice.Stage.OVERDUE if late > 0 else Invoice.Stage.NOT_DUE,
        )
    return customer


def listed(client, **query):
    response = client.get(reverse("followup"), query)
    assert response.status_code == 200
    return [(row["customer__name"], row["currency"]) for row in response.context["page"]]


def test_the_list_puts_the_largest_amount_times_days_overdue_first(collector_client, qvickly):
    owing(qvickly, "Ten days of 1000", ("1000", 10))  # 10 000
    owing(qvickly, "Two days of 10000", ("10000", 2))  # 20 000
    owing(qvickly, "A hundred days of 500", ("500", 100))  # 50 000
    owing(qvickly, "Only not yet due", ("99999", -5))
    assert listed(collector_client) == [
        ("A hundred days of 500", "SEK"),
        ("Two days of 10000", "SEK"),
        ("Ten days of 1000", "SEK"),
    ]
    page = collector_client.get(reverse("followup")).content.decode()
    assert "amount outstanding × the days it is overdue" in page and "Currencies are never added together" in page


def test_a_customer_owing_in_two_currencies_has_a_row_for_each_and_nothing_is_added_across(collector_client, qvickly):
    customer = owing(qvickly, "Both", ("100", 10))
    cached_invoice(qvickly, customer, number="eur", total="7", currency="EUR", due_date=days_ago(3))
    owing(qvickly, "Krona only", ("1", 1))
    response = collector_client.get(reverse("followup"))
    rows = {(r["customer__name"], r["currency"]): r for r in response.context["page"]}
    assert rows[("Both", "EUR")]["overdue"] == Decimal("7") and rows[("Both", "SEK")]["overdue"] == Decimal("100")
    assert rows[("Both", "EUR")]["priority"] == Decimal("21")
    # Grouped by currency, then by priority within it.
    assert list(rows) == [("Both", "EUR"), ("Both", "SEK"), ("Krona only", "SEK")]


def test_disputed_gone_and_cancelled_invoices_are_not_chased(collector_client, qvickly, collector):
    customer = owing(qvickly, "Disputes all", ("5000", 30))
    followup.set_dispute(collector, customer.invoices.get(), "Goods never arrived")
    gone = owing(qvickly, "Gone", ("5000", 30))
    gone.invoices.update(gone_at=timezone.now())
    cancelled = owing(qvickly, "Cancelled", ("5000", 30))
    cancelled.invoices.update(state=Invoice.State.CANCELLED)
    provider_disputed = owing(qvickly, "Disputed at the provider", ("5000", 30))
    provider_disputed.invoices.update(stage=Invoice.Stage.DISPUTED)
    owing(qvickly, "Chased", ("1", 1))
    assert listed(collector_client) == [("Chased", "SEK")]


def test_the_filters_narrow_the_list(collector_client, qvickly, fusebill, collector, django_user_model):
    mine = owing(qvickly, "Mine", ("100", 5))
    theirs = owing(fusebill, "Theirs", ("100", 4))
    owing(qvickly, "Nobody's", ("100", 3), currency="EUR")
    other = staff_user(django_user_model, "other", roles.COLLECTORS)
    followup.set_owner(collector, [mine], collector)
    followup.set_owner(collector, [theirs], other)
    followup.set_next_action(collector, theirs, TODAY)
    theirs.invoices.update(stage=Invoice.Stage.COLLECTION)
    assert listed(collector_client, owner="mine") == [("Mine", "SEK")]
    assert listed(collector_client, owner="none") == [("Nobody's", "EUR")]
    assert listed(collector_client, owner=other.pk) == [("Theirs", "SEK")]
    assert listed(collector_client, provider="fusebill") == [("Theirs", "SEK")]
    assert listed(collector_client, currency="EUR") == [("Nobody's", "EUR")]
    assert listed(collector_client, stage="collection") == [("Theirs", "SEK")]
    assert listed(collector_client, due="on") == [("Theirs", "SEK")]


@pytest.mark.parametrize(
    "query", [{"owner": "12345"}, {"stage": "paid"}, {"provider": "acme"}, {"currency": "XXX"}, {"page": "x"}]
)
def test_a_bad_filter_value_is_named_and_left_out(collector_client, qvickly, query):
    owing(qvickly, "Anna", ("100", 5))
    response = collector_client.get(reverse("followup"), query)
    assert response.status_code == 200
    assert listed(collector_client, **query) == [("Anna", "SEK")]
    if "page" not in query:
        assert "That filter is left out." in response.content.decode()


def test_a_promise_is_kept_when_the_balance_falls_by_the_amount_by_the_date(collector, qvickly):
    customer = owing(qvickly, "Anna", ("1000", 10), ("500", 5))
    promise = followup.add_promise(collector, customer, Decimal("600"), "SEK", TODAY + timedelta(days=3))
    assert promise.baseline == Decimal("1500") and promise.target == Decimal("900")
    # A part payment is not enough.
    customer.invoices.filter(total=1000).update(outstanding=Decimal("500"))
    assert [p.state for p in followup.settle_promises()] == [Promise.State.PENDING]
    # The last part arrives before the date: what a refresh writes.
    customer.invoices.filter(total=1000).update(outstanding=Decimal("400"))
    followup.settle_promises()
    promise.refresh_from_db()
    assert promise.state == Promise.State.KEPT and promise.settled_on == TODAY
    decided = FollowUpAudit.objects.get(action=FollowUpAudit.Action.PROMISE_STATE)
    assert decided.user is None and decided.before.endswith("pending") and decided.after == "kept"


def test_a_promise_is_broken_when_the_date_passes_and_the_customer_is_back_on_the_list(
    collector_client, collector, qvickly
):
    customer = owing(qvickly, "Anna", ("1000", 10))
    followup.add_promise(collector, customer, Decimal("1000"), "SEK", TODAY)
    assert listed(collector_client) == []
    assert listed(collector_client, promised="on") == [("Anna", "SEK")]
    # Tomorrow: the date has passed without the payment.
    Promise.objects.update(due=days_ago(1))
    response = collector_client.get(reverse("followup"))
    assert [row["customer__name"] for row in response.context["page"]] == ["Anna"]
    assert "Broken promise" in response.content.decode()
    assert Promise.objects.get().state == Promise.State.BROKEN
    assert FollowUpAudit.objects.filter(action=FollowUpAudit.Action.PROMISE_STATE, after="broken").count() == 1


def test_a_promise_in_one_currency_says_nothing_of_another(collector, qvickly):
    customer = owing(qvickly, "Anna", ("1000", 10))
    cached_invoice(qvickly, customer, number="eur", total="50", currency="EUR", due_date=days_ago(3))
    promise = followup.add_promise(collector, customer, Decimal("50"), "EUR", TODAY)
    customer.invoices.filter(currency="SEK").update(outstanding=0)
    followup.settle_promises()
    promise.refresh_from_db()
    assert promise.state == Promise.State.PENDING


def test_a_refresh_that_brings_the_payment_keeps_the_promise(collector, qvickly):
    from invoices import sync
    from invoices.providers import CustomerRecord, InvoiceRecord

    customer = owing(qvickly, "Anna", ("1000", 10))
    promise = followup.add_promise(collector, customer, Decimal("1000"), "SEK", TODAY + timedelta(days=7))
    invoice = customer.invoices.get()
    paid = InvoiceRecord(
        provider_id=invoice.provider_id,
        number=invoice.number,
        kind="invoice",
        state="paid",
        currency="SEK",
        total=Decimal("1000"),
        outstanding=Decimal("0"),
        raw={},
        due_date=invoice.due_date,
    )
    link = CustomerLink.objects.create(customer=customer, account=qvickly)
    sync.write_outcomes([(link, sync.Outcome(qvickly, record=CustomerRecord("", invoices=[paid])))])
    promise.refresh_from_db()
    assert promise.state == Promise.State.KEPT


def test_every_change_is_audited_with_who_when_before_and_after(collector_client, collector, qvickly):
    customer = owing(qvickly, "Anna", ("1000", 10))
    invoice = customer.invoices.get()
    url = reverse("followup-edit", args=[customer.pk])
    collector_client.post(url, {"owner": collector.pk})
    collector_client.post(url, {"next_action": "2030-01-02"})
    collector_client.post(url, {"next_action": ""})
    collector_client.post(reverse("followup-note", args=[customer.pk]), {"note-kind": "call", "note-text": "Will pay"})
    collector_client.post(
        reverse("followup-promise", args=[customer.pk]),
        {"promise-amount": "1 000,00", "promise-currency": "SEK", "promise-due": TODAY.isoformat()},
    )
    dispute = reverse("followup-dispute", args=[customer.pk])
    collector_client.post(dispute, {"dispute-invoice": invoice.pk, "dispute-reason": "Wrong amount"})
    collector_client.post(dispute, {"dispute-invoice": invoice.pk, "dispute-clear": "1"})
    rows = list(
        FollowUpAudit.objects.order_by("pk").values_list(
            "user__username", "customer", "invoice", "action", "before", "after"
        )
    )
    A = FollowUpAudit.Action
    assert rows == [
        ("carl", customer.pk, None, A.OWNER, "", "carl"),
        ("carl", customer.pk, None, A.NEXT_ACTION, "", "2030-01-02"),
        ("carl", customer.pk, None, A.NEXT_ACTION, "2030-01-02", ""),
        ("carl", customer.pk, None, A.NOTE, "", "Call: Will pay"),
        ("carl", customer.pk, None, A.PROMISE, "", f"1000.00 SEK by {TODAY.isoformat()}"),
        ("carl", customer.pk, invoice.pk, A.DISPUTE, "", "Wrong amount"),
        ("carl", customer.pk, invoice.pk, A.DISPUTE, "Wrong amount", ""),
    ]
    assert all(at <= timezone.now() for at in FollowUpAudit.objects.values_list("at", flat=True))
    invoice.refresh_from_db()
    assert invoice.dispute_reason == "" and invoice.disputed_at is None and invoice.disputed_by is None


def test_a_disputed_invoice_stays_in_the_balance_and_is_shown_apart(collector_client, collector, qvickly):
    customer = owing(qvickly, "Anna", ("1000", 10), ("250", 5))
    disputed = customer.invoices.get(total=250)
    collector_client.post(
        reverse("followup-dispute", args=[customer.pk]), {"dispute-invoice": disputed.pk, "dispute-reason": "Broken"}
    )
    disputed.refresh_from_db()
    assert disputed.current_stage == Invoice.Stage.DISPUTED and disputed.disputed_by == collector
    page = collector_client.get(customer.get_absolute_url())
    assert page.context["totals"][0]["owed"] == Decimal("1250")
    apart = "Still in the balance, left out of the follow-up list:\n      250.00 SEK (1 invoice)"
    assert apart in page.content.decode()
    response = collector_client.get(reverse("followup"))
    assert [row["overdue"] for row in response.context["page"]] == [Decimal("1000")]


def test_bulk_assign_gives_each_ticked_customer_the_owner_once(collector_client, collector, qvickly):
    customers = [owing(qvickly, name, ("100", 5)) for name in ("A", "B", "C", "D")]
    response = collector_client.post(
        reverse("followup-assign"),
        {"customers": [c.pk for c in customers[:3]], "owner": collector.pk, "next": "/followup/?owner=none"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/followup/?owner=none"
    assert "Assigned 3 customers to carl." in response.content.decode()
    assert set(FollowUp.objects.filter(owner=collector).values_list("customer", flat=True)) == {
        c.pk for c in customers[:3]
    }
    assert FollowUpAudit.objects.filter(action=FollowUpAudit.Action.OWNER).count() == 3
    assert listed(collector_client, owner="mine") == [("A", "SEK"), ("B", "SEK"), ("C", "SEK")]

    again = collector_client.post(
        reverse("followup-assign"), {"customers": [c.pk for c in customers[2:]], "owner": collector.pk}, follow=True
    )
    assert "Assigned 1 customer to carl. 1 was carl&#x27;s already." in again.content.decode()
    assert FollowUpAudit.objects.filter(action=FollowUpAudit.Action.OWNER).count() == 4


def test_an_htmx_edit_answers_with_the_saved_cells(collector_client, collector, qvickly):
    customer = owing(qvickly, "Anna", ("100", 5))
    response = collector_client.post(
        reverse("followup-edit", args=[customer.pk]),
        {"owner": collector.pk, "next_action": "2030-05-06", "slot": "3"},
        headers={"HX-Request": "true"},
    )
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert 'role="status">Saved</span>' in text and 'value="2030-05-06"' in text and 'id="fu-3-' in text
    assert FollowUp.objects.get(customer=customer).owner == collector


def test_an_htmx_note_answers_with_the_panel(collector_client, qvickly):
    customer = owing(qvickly, "Anna", ("100", 5))
    response = collector_client.post(
        reverse("followup-note", args=[customer.pk]),
        {"note-kind": "email", "note-text": "Sent a reminder"},
        headers={"HX-Request": "true"},
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<section class="panel followup-panel" id="followup"')
    assert "E-mail logged." in text and "Sent a reminder" in text


def promise(amount, currency, due):
    return {"promise-amount": amount, "promise-currency": currency, "promise-due": due}


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("followup-edit", {"next_action": "2024-02-30"}, "Enter a valid date."),
        ("followup-edit", {"next_action": "0001-01-01"}, "between 1900 and 2100"),
        ("followup-edit", {"owner": "99999"}, "Choose an owner from the list"),
        ("followup-edit", {"owner": "abc"}, "Choose an owner from the list"),
        ("followup-note", {"note-kind": "fax", "note-text": "x"}, "Select a valid choice"),
        ("followup-note", {"note-kind": "call", "note-text": ""}, "This field is required."),
        ("followup-promise", promise("-5", "SEK", "2099-01-01"), "greater than zero"),
        ("followup-promise", promise("abc", "SEK", "2099-01-01"), "Enter a number."),
        ("followup-promise", promise("5", "USD", "2099-01-01"), "Select a valid choice"),
        ("followup-promise", promise("5", "SEK", "2020-01-01"), "from today to a year ahead"),
        ("followup-promise", promise("100.01", "SEK", "2099-01-01"), "owes 100.00 SEK in all"),
        ("followup-dispute", {"dispute-invoice": "99999", "dispute-reason": "x"}, "Choose one of this customer"),
        ("followup-dispute", {"dispute-invoice": "mine", "dispute-reason": "x"}, "Choose one of this customer"),
        ("followup-dispute", {"dispute-reason": ""}, "Say why the invoice is disputed."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_says_what_is_wrong_and_changes_nothing(collector_client, qvickly, name, data, message, htmx):
    customer = owing(qvickly, "Anna", ("100", 5))
    if name == "followup-dispute" and "dispute-invoice" not in data:
        data = {**data, "dispute-invoice": customer.invoices.get().pk}
    headers = {"HX-Request": "true"} if htmx else {}
    response = collector_client.post(reverse(name, args=[customer.pk]), data, headers=headers, follow=not htmx)
    assert response.status_code == 200
    assert message in response.content.decode() and "Nothing was saved." in response.content.decode()
    assert not FollowUpAudit.objects.exists() and not Note.objects.exists() and not Promise.objects.exists()
    assert not FollowUp.objects.exclude(owner=None, next_action=None).exists()
    assert not Invoice.objects.exclude(dispute_reason="").exists()


def test_bulk_assign_to_an_unknown_owner_or_nobody_ticked_changes_nothing(collector_client, qvickly):
    customer = owing(qvickly, "Anna", ("100", 5))
    for data in ({"customers": [customer.pk], "owner": "4242"}, {"owner": ""}, {"customers": ["x"], "owner": ""}):
        response = collector_client.post(reverse("followup-assign"), data, follow=True)
        assert response.status_code == 200 and "Nobody was assigned." in response.content.decode()
    assert not FollowUpAudit.objects.exists()


def test_read_only_staff_see_the_list_without_edit_controls_and_cannot_edit(read_only_client, qvickly):
    customer = owing(qvickly, "Anna", ("100", 5))
    page = read_only_client.get(reverse("followup")).content.decode()
    assert "Anna" in page and 'action="/followup/assign/"' not in page and 'class="followup-edit"' not in page
    customer_page = read_only_client.get(customer.get_absolute_url()).content.decode()
    assert "Register promise" not in customer_page and "Mark disputed" not in customer_page
    for name in ("followup-edit", "followup-note", "followup-promise", "followup-dispute"):
        assert read_only_client.post(reverse(name, args=[customer.pk]), {"owner": ""}).status_code == 403
    assert read_only_client.post(reverse("followup-assign"), {"customers": [customer.pk]}).status_code == 403
    assert not FollowUpAudit.objects.exists()


def test_a_superuser_may_edit_without_the_role(client, django_user_model, qvickly):
    customer = owing(qvickly, "Anna", ("100", 5))
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    client.post(reverse("followup-edit", args=[customer.pk]), {"next_action": "2030-01-01"})
    assert FollowUp.objects.get().next_action.isoformat() == "2030-01-01"


def test_a_plain_post_never_redirects_to_another_site(collector_client, qvickly):
    customer = owing(qvickly, "Anna", ("100", 5))
    response = collector_client.post(
        reverse("followup-edit", args=[customer.pk]), {"next_action": "", "next": "https://evil.example/"}
    )
    assert response.url == customer.get_absolute_url()


def build_book(qvickly, fusebill, collector, size, start=0):
    for n in range(start, start + size):
        customer = owing(qvickly if n % 2 else fusebill, f"Customer {n:03d}", ("100", n % 40 + 1), ("7", 2))
        if n % 3 == 0:
            followup.set_owner(collector, [customer], collector)
        if n % 5 == 0:
            followup.add_promise(collector, customer, Decimal("1"), "SEK", TODAY)
        if n % 7 == 0:
            cached_invoice(qvickly, customer, number=f"eur-{n}", total="5", currency="EUR", due_date=days_ago(9))


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Session, user, its permissions, the pending promises, staff users, currencies, the open
# book's day, the count, the page and its rows' promises (none on an empty page).
@pytest.mark.parametrize(
    "url, count", [("/followup/", 11), ("/followup/?owner=mine&due=on&promised=on&page=2", 9), ("/", None)]
)
def test_the_list_and_home_page_ask_the_database_the_same_number_of_times_whatever_the_books_size(
    collector_client, collector, qvickly, fusebill, url, count, django_assert_num_queries
):
    open_book.regroup_all()  # the day's first read; the sync keeps it in step after that
    build_book(qvickly, fusebill, collector, 5)
    small = queries_of(collector_client, url)
    build_book(qvickly, fusebill, collector, 60, start=5)
    assert queries_of(collector_client, url) == small
    if count is not None:
        with django_assert_num_queries(count):
            collector_client.get(url)


def test_the_customer_page_asks_the_same_number_of_times_whatever_the_notes_and_invoices(
    collector_client, collector, qvickly
):
    customer = owing(qvickly, "Anna", ("100", 5))
    url = customer.get_absolute_url()
    CustomerLink.objects.create(customer=customer, account=qvickly, fetched_at=timezone.now())
    open_book.regroup_all()  # the day's first read; the sync keeps it in step after that
    small = queries_of(collector_client, url)
    for n in range(30):
        followup.add_note(collector, customer, "call", f"Call {n}")
        cached_invoice(qvickly, customer, number=f"more-{n}", total="10", due_date=days_ago(n))
    followup.add_promise(collector, customer, Decimal("1"), "SEK", TODAY)
    followup.set_dispute(collector, customer.invoices.first(), "Because")
    assert queries_of(collector_client, url) == small


def test_the_home_page_counts_the_list_mine_promises_due_and_broken(collector_client, collector, qvickly):
    mine = owing(qvickly, "Mine", ("100", 5))
    owing(qvickly, "Not mine", ("100", 5))
    promised = owing(qvickly, "Promised", ("100", 5))
    broken = owing(qvickly, "Broke it", ("100", 5))
    followup.set_owner(collector, [mine], collector)
    followup.add_promise(collector, promised, Decimal("100"), "SEK", TODAY + timedelta(days=2))
    followup.add_promise(collector, broken, Decimal("100"), "SEK", TODAY)
    Promise.objects.filter(customer=broken).update(due=days_ago(1))
    response = collector_client.get(reverse("home"))
    assert response.context["followup"] == followup.Figures(on_list=3, mine=1, promises_due=1, broken=1)
    text = response.content.decode()
    assert "<strong>3</strong> customers to chase" in text and "<strong>1</strong> promise broken" in text


def test_the_admin_lists_follow_up_changes_and_nobody_can_change_them(client, django_user_model, collector, qvickly):
    customer = owing(qvickly, "Anna", ("100", 5))
    followup.add_note(collector, customer, "letter", "Reminder sent")
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    page = client.get(reverse("admin:invoices_followupaudit_changelist")).content.decode()
    assert "Letter: Reminder sent" in page
    entry = FollowUpAudit.objects.get()
    assert client.get(reverse("admin:invoices_followupaudit_add")).status_code == 403
    assert (
        client.post(reverse("admin:invoices_followupaudit_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    assert FollowUpAudit.objects.filter(pk=entry.pk).exists()


def test_the_dispute_form_of_a_big_debtor_offers_the_invoices_due_first_and_says_there_are_more(
    collector_client, qvickly
):
    customer = owing(qvickly, "Big", *[("10", late) for late in range(130, 0, -1)])
    customer.invoices.filter(number="Big-SEK-0").update(dispute_reason="Never ordered")
    page = collector_client.get(customer.get_absolute_url())
    panel = page.context["panel"]
    assert [i.number for i in panel.disputed] == ["Big-SEK-0"]
    offered = [i.number for i in panel.disputable]
    assert offered == [f"Big-SEK-{n}" for n in range(1, 101)]  # the oldest due first, the disputed one left out
    assert "The 100 due first are listed; the customer owes on more." in page.content.decode()

    customer.invoices.filter(number__in=[f"Big-SEK-{n}" for n in range(101, 130)]).delete()
    page = collector_client.get(customer.get_absolute_url())
    assert len(page.context["panel"].disputable) == 100
    assert "the customer owes on more" not in page.content.decode()
