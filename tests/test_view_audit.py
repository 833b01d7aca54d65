"""Every view of a person is audited: who, when, what was opened, and how it was reached.

The walks below go through the pages as staff do, with the Referer a browser
sends within the site, and read the audit log the admin shows.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from invoices.converters import CustomerId
from invoices.models import Customer, LookupAudit
from sandbox.world import world
from tests.conftest import cached_invoice

Action, Via = LookupAudit.Action, LookupAudit.Via
SITE = "http://testserver"


@pytest.fixture
def person():
    """A person with invoices at Qvickly and at Fusebill, in the sandbox's world."""
    return world().samples()["both"]


@pytest.fixture
def customer(staff_client, qvickly_account, fusebill_account, person):
    """Looked up the way staff do, so both providers are asked over HTTP."""
    assert staff_client.post(reverse("search"), {"q": person}).status_code == 302
    return Customer.objects.with_number(person).get()


def views_since(mark):
    return list(LookupAudit.objects.filter(pk__gt=mark).exclude(action=Action.LOOKUP).order_by("pk"))


def last_pk():
    return LookupAudit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def opened_from(client, url, referer="", **headers):
    """A GET as a browser sends it after a click on `referer` (a path on this site)."""
    if referer:
        headers["HTTP_REFERER"] = SITE + referer
    response = client.get(url, **headers)
    assert response.status_code in (200, 302), url
    return response


def test_every_page_and_export_of_a_person_leaves_one_audit_row_saying_how_it_was_reached(
    staff_client, customer, person, django_user_model
):
    staff = django_user_model.objects.get(username="staff")
    page = reverse("customer", args=[customer.pk])
    qvickly_invoice = customer.invoices.filter(account__kind="qvickly").first()
    fusebill_invoice = customer.invoices.filter(account__kind="fusebill").first()
    assert qvickly_invoice and fusebill_invoice
    mark = last_pk()

    # Looked up by number, then searched by name: the search's redirect says which.
    staff_client.post(reverse("search"), {"q": person}, follow=True)
    staff_client.post(reverse("search"), {"q": customer.name.lower()}, follow=True)
    # Picked from the lists.
    for name in ("home", "aging", "overdue", "followup"):
        opened_from(staff_client, page, reverse(name))
    # Followed a link from the customer's page: each provider's invoice, the downloads, the statement.
    for invoice in (qvickly_invoice, fusebill_invoice):
        opened_from(staff_client, reverse("invoice", args=[invoice.pk]), page)
    for name in ("customer-csv", "customer-xlsx", "customer-csv-sv", "customer-statement"):
        opened_from(staff_client, reverse(name, args=[customer.pk]), page)
    opened_from(
        staff_client,
        reverse("customer-statement-pdf", args=[customer.pk]),
        reverse("customer-statement", args=[customer.pk]),
    )

    rows = views_since(mark)
    assert [(r.action, r.via, r.reached_from, r.opened) for r in rows] == [
        (Action.CUSTOMER_PAGE, Via.LOOKUP, "", "customer"),
        (Action.CUSTOMER_PAGE, Via.SEARCH, "", "customer"),
        (Action.CUSTOMER_PAGE, Via.LIST, "home", "customer"),
        (Action.CUSTOMER_PAGE, Via.LIST, "aging", "customer"),
        (Action.CUSTOMER_PAGE, Via.LIST, "overdue", "customer"),
        (Action.CUSTOMER_PAGE, Via.LIST, "followup", "customer"),
        (Action.INVOICE_PAGE, Via.LINK, "customer", "invoice"),
        (Action.INVOICE_PAGE, Via.LINK, "customer", "invoice"),
        (Action.CUSTOMER_EXPORT, Via.LINK, "customer", "customer-csv"),
        (Action.CUSTOMER_EXPORT, Via.LINK, "customer", "customer-xlsx"),
        (Action.CUSTOMER_EXPORT, Via.LINK, "customer", "customer-csv-sv"),
        (Action.STATEMENT_PAGE, Via.LINK, "customer", "customer-statement"),
        (Action.STATEMENT_PDF, Via.LINK, "customer-statement", "customer-statement-pdf"),
    ]
    assert {r.user for r in rows} == {staff}
    assert {r.customer for r in rows} == {customer}
    assert [r.invoice for r in rows if r.action == Action.INVOICE_PAGE] == [qvickly_invoice, fusebill_invoice]
    # Found again by the number's keyed hash, shown masked, and not flagged as a company.
    assert all(r in LookupAudit.objects.of_number(person) for r in rows)
    assert {(r.masked_number, r.organisation) for r in rows} == {(customer.masked_identity, False)}
    assert all(timezone.now() - r.at < timedelta(minutes=5) for r in rows)


def test_the_admin_records_of_a_person_are_audited_like_the_pages(admin_client, customer, person):
    invoice = customer.invoices.first()
    customers = reverse("admin:invoices_customer_changelist")
    mark = last_pk()

    opened_from(admin_client, reverse("admin:invoices_customer_change", args=[customer.pk]), f"{customers}?q=anna")
    opened_from(admin_client, reverse("admin:invoices_invoice_change", args=[invoice.pk]), customers)
    opened_from(admin_client, reverse("admin:invoices_customer_change", args=[customer.pk]))

    assert [(r.action, r.via, r.reached_from, r.customer, r.invoice) for r in views_since(mark)] == [
        (Action.ADMIN_CUSTOMER, Via.SEARCH, "admin:invoices_customer_changelist", customer, None),
        (Action.ADMIN_INVOICE, Via.LIST, "admin:invoices_customer_changelist", customer, invoice),
        (Action.ADMIN_CUSTOMER, Via.DIRECT, "", customer, None),
    ]


def test_a_list_download_is_one_audit_row_whoever_is_in_it(staff_client, customer):
    mark = last_pk()
    for name in ("aging-csv", "aging-csv-sv", "aging-xlsx", "overdue-csv", "overdue-csv-sv", "overdue-xlsx"):
        response = opened_from(staff_client, reverse(name), reverse(name.split("-")[0]))
        b"".join(response.streaming_content if response.streaming else [response.content])

    rows = views_since(mark)
    assert [(r.action, r.opened, r.via, r.customer) for r in rows] == [
        (Action.LIST_EXPORT, name, Via.LIST, None)
        for name in ("aging-csv", "aging-csv-sv", "aging-xlsx", "overdue-csv", "overdue-csv-sv", "overdue-xlsx")
    ]


def test_a_page_opened_without_a_referer_or_from_another_site_is_recorded_as_direct(staff_client, customer):
    page = reverse("customer", args=[customer.pk])
    mark = last_pk()
    staff_client.get(page)
    staff_client.get(page, HTTP_REFERER="https://elsewhere.example/aging/")
    # A via copied into another page's query is not believed there.
    staff_client.get(reverse("customer-csv", args=[customer.pk]) + "?via=lookup")

    assert [(r.via, r.reached_from) for r in views_since(mark)] == [(Via.DIRECT, "")] * 3


def test_the_customer_pages_polls_are_not_more_views_but_an_invoice_opened_in_place_is(staff_client, customer):
    page = reverse("customer", args=[customer.pk])
    invoice = customer.invoices.first()
    mark = last_pk()
    staff_client.get(page, headers={"HX-Request": "true"}, HTTP_REFERER=SITE + page)
    staff_client.get(invoice.get_absolute_url(), headers={"HX-Request": "true"}, HTTP_REFERER=SITE + page)
    assert [(r.action, r.invoice, r.via) for r in views_since(mark)] == [(Action.INVOICE_PAGE, invoice, Via.LINK)]


def test_a_customer_page_view_costs_one_insert(staff_client, customer):
    page = reverse("customer", args=[customer.pk])
    staff_client.get(page)
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(page).status_code == 200
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "invoices_lookupaudit" in inserts[0]


def test_a_company_known_by_its_organisation_number_is_audited_and_flagged(staff_client, qvickly_account):
    company = Customer.objects.create(name="Östlund Bygg AB", identity_number="5560360793")
    cached_invoice(qvickly_account, company)
    staff_client.get(reverse("customer", args=[company.pk]))
    row = LookupAudit.objects.get(action=Action.CUSTOMER_PAGE)
    assert row.organisation and row.customer == company


# Ids in URLs


def test_walking_customer_and_invoice_ids_finds_nobody(staff_client, qvickly_account):
    customer = Customer.objects.create(pk=1, name="Anna Andersson")
    cached_invoice(qvickly_account, customer, pk=1)
    for url in (
        "/customers/1/",
        "/customers/2/",
        "/customers/1/invoices.csv",
        "/customers/1/statement/",
        "/followup/customers/1/",
        "/invoices/1/",
        "/invoices/1/pdf/",
    ):
        assert staff_client.get(url).status_code == 404, url
    assert not LookupAudit.objects.exists()


def test_a_tampered_or_borrowed_token_is_not_found_rather_than_an_error(staff_client, qvickly_account):
    customer = Customer.objects.create(name="Anna Andersson")
    invoice = cached_invoice(qvickly_account, customer)
    token = CustomerId().to_url(customer.pk)
    value, signature = token.split(".")
    other = CustomerId().to_url(customer.pk + 1).split(".")[0]
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for url in (
        f"/customers/{value}.{flipped}/",
        f"/customers/{other}.{signature}/",
        f"/customers/{value}/",
        f"/customers/{token}x/",
        f"/customers/.{signature}/",
        "/customers/bm90IGpzb24.abc/",
        # A customer's token opens no invoice: each kind has its own salt.
        f"/invoices/{CustomerId().to_url(invoice.pk)}/",
    ):
        assert staff_client.get(url).status_code == 404, url


def test_the_links_on_the_pages_open_the_customer_and_the_invoice(staff_client, qvickly_account):
    customer = Customer.objects.create(name="Anna Andersson")
    invoice = cached_invoice(qvickly_account, customer, due_date=timezone.localdate() - timedelta(days=40))
    aging = staff_client.get(reverse("aging")).content.decode()
    page = reverse("customer", args=[customer.pk])
    assert f'href="{page}"' in aging and f"/customers/{customer.pk}/" not in aging
    text = staff_client.get(page).content.decode()
    assert f'href="{invoice.get_absolute_url()}"' in text
    assert staff_client.get(invoice.get_absolute_url()).status_code == 200


# The admin's audit list


def test_the_audit_list_downloads_what_one_user_viewed_on_one_day_as_a_safe_csv(
    admin_client, staff_client, django_user_model, qvickly_account
):
    customer = Customer.objects.create(name='=HYPERLINK("http://x")', identity_number="195501011018")
    invoice = cached_invoice(qvickly_account, customer)
    staff_client.get(reverse("customer", args=[customer.pk]), HTTP_REFERER=SITE + "/aging/")
    staff_client.get(invoice.get_absolute_url())
    admin_client.get(reverse("customer", args=[customer.pk]))
    yesterday = LookupAudit.objects.create(
        user=django_user_model.objects.get(username="staff"),
        action=Action.CUSTOMER_PAGE,
        result_count=0,
        source="cache",
        at=timezone.now() - timedelta(days=1),
        customer=customer,
    )
    staff = django_user_model.objects.get(username="staff")
    today = timezone.localdate()
    filters = f"user__id__exact={staff.pk}&at__year={today.year}&at__month={today.month}&at__day={today.day}"
    changelist = reverse("admin:invoices_lookupaudit_changelist")
    assert admin_client.get(f"{changelist}?{filters}").status_code == 200

    response = admin_client.post(
        f"{changelist}?{filters}",
        {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": [yesterday.pk]},
    )

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["user"], r["action"], r["via"], r["reached_from"]) for r in rows] == [
        ("staff", "customer_page", "list", "aging"),
        ("staff", "invoice_page", "direct", ""),
    ]
    assert {r["customer"] for r in rows} == {'\'=HYPERLINK("http://x")'}
    assert {r["masked_number"] for r in rows} == {customer.masked_identity}
    assert "5501011018" not in content


def test_the_browser_is_told_to_send_the_referer_within_the_site_so_the_audit_can_tell_lists_from_links(
    staff_client,
):
    # Whole paths, within the site only: "strict-origin" or "no-referrer" would leave every view "direct".
    policy = staff_client.get(reverse("home"))["Referrer-Policy"]
    assert policy in ("same-origin", "strict-origin-when-cross-origin")
