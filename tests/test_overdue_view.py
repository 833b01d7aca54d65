"""The pages that show stages: the overdue list across customers (sorting, paging,
CSV), the stage column and filter on the customer page and the aging report, and
the money per stage and currency on the home page. Hand-built books, cache only."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.models import Customer, Invoice, ProviderAccount
from tests.conftest import cached_invoice


def ago(days):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def accounts(db):
    # Inactive: these tests read the cache only and never ask a provider.
    qvickly = ProviderAccount.objects.create(
        name="Q", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )
    fusebill = ProviderAccount.objects.create(
        name="F", kind="fusebill", base_url="http://127.0.0.1:9/", secret="s", active=False
    )
    return qvickly, fusebill


def staged(account, customer, number, stage, due, outstanding="100.00", word="", **fields):
    return cached_invoice(
        account, customer, number, "100.00", outstanding, stage=stage, provider_stage=word, due_date=due, **fields
    )


@pytest.fixture
def book(accounts):
    qvickly, fusebill = accounts
    anna = Customer.objects.create(name="Anna Andersson")
    bolaget = Customer.objects.create(name='=HYPERLINK("http://x")', identity_number="5560360793")
    staged(qvickly, anna, "Q-LATE", "overdue", ago(20), "300.00", "Due")
    staged(qvickly, anna, "Q-INKASSO", "collection", ago(90), "900.00", "Collection")
    staged(qvickly, anna, "Q-FUTURE", "not_due", ago(-10))
    staged(qvickly, anna, "Q-PAID", "", ago(60), "0.00", state="paid")
    staged(fusebill, bolaget, "F-DISPUTE", "disputed", ago(5), "50.00", "Disputed", currency="EUR")
    staged(fusebill, bolaget, "F-GONE", "written_off", ago(400), "0.00", "WrittenOff", written_off="100.00")
    return anna, bolaget


def numbers(response):
    return [invoice.number for invoice in response.context["page"]]


def test_the_overdue_list_shows_every_customers_past_due_invoices_with_stage_and_providers_word(staff_client, book):
    response = staff_client.get(reverse("overdue"))
    assert response.status_code == 200
    assert numbers(response) == ["Q-INKASSO", "Q-LATE", "F-DISPUTE"]  # oldest due first
    page = response.content.decode()
    assert "In collection" in page and ">Collection<" in page and "Disputed" in page
    assert "5560360793" not in page  # customers are named, never numbered


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stage": "collection"}, ["Q-INKASSO"]),
        ({"stage": "disputed"}, ["F-DISPUTE"]),
        ({"provider": "fusebill"}, ["F-DISPUTE"]),
        ({"currency": "SEK"}, ["Q-INKASSO", "Q-LATE"]),
        ({"sort": "-outstanding"}, ["Q-INKASSO", "Q-LATE", "F-DISPUTE"]),
        ({"sort": "outstanding"}, ["F-DISPUTE", "Q-LATE", "Q-INKASSO"]),
        ({"sort": "customer"}, ["F-DISPUTE", "Q-INKASSO", "Q-LATE"]),
        ({"sort": "-stage"}, ["F-DISPUTE", "Q-INKASSO", "Q-LATE"]),
        # What nobody can pick on the page is ignored, never an error.
        ({"stage": "written_off"}, ["Q-INKASSO", "Q-LATE", "F-DISPUTE"]),
        ({"stage": "<script>"}, ["Q-INKASSO", "Q-LATE", "F-DISPUTE"]),
        ({"sort": "customer__identity_number"}, ["Q-INKASSO", "Q-LATE", "F-DISPUTE"]),
        ({"page": "999"}, ["Q-INKASSO", "Q-LATE", "F-DISPUTE"]),
        ({"page": "x", "account": "nope", "currency": "XXX"}, ["Q-INKASSO", "Q-LATE", "F-DISPUTE"]),
    ],
)
def test_the_overdue_list_filters_and_sorts_as_asked_and_ignores_what_it_cannot_use(
    staff_client, book, query, expected
):
    response = staff_client.get(reverse("overdue"), query)
    assert response.status_code == 200
    assert numbers(response) == expected


def test_the_overdue_list_pages_fifty_at_a_time(staff_client, accounts):
    customer = Customer.objects.create(name="Many")
    for n in range(55):
        staged(accounts[0], customer, f"N{n:02d}", "overdue", ago(100 - n))
    first, second = (staff_client.get(reverse("overdue"), {"page": page}) for page in (1, 2))
    assert len(numbers(first)) == 50 and numbers(second) == [f"N{n}" for n in range(50, 55)]
    assert "Page 1 of 2" in first.content.decode()


def test_the_overdue_csv_follows_the_filters_and_defuses_formulas(staff_client, book):
    response = staff_client.get(reverse("overdue-csv"), {"provider": "fusebill"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:7] == ["customer_id", "customer", "provider", "account", "number", "type", "stage"]
    assert len(rows) == 2
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["customer"].startswith("'=HYPERLINK")
    assert (line["stage"], line["provider_stage"], line["outstanding"], line["currency"]) == (
        "Disputed",
        "Disputed",
        "50.00",
        "EUR",
    )
    assert line["days_past_due"] == "5"


def test_the_overdue_list_asks_the_database_as_often_whatever_the_size_of_the_book(
    staff_client, accounts, django_assert_num_queries
):
    def grow(count):
        for n in range(count):
            customer = Customer.objects.create(name=f"Customer {n}")
            staged(accounts[n % 2], customer, f"{count}-{n}", ("overdue", "collection")[n % 2], ago(n + 1))

    grow(3)
    staff_client.get(reverse("overdue"))  # the session and user are read once warm
    with django_assert_num_queries(6) as small:
        staff_client.get(reverse("overdue"))
    grow(40)
    with django_assert_num_queries(len(small.captured_queries)):
        response = staff_client.get(reverse("overdue"))
    assert len(numbers(response)) == 43


def test_the_top_navigation_leads_to_the_overdue_list(staff_client, book):
    assert f'href="{reverse("overdue")}"' in staff_client.get(reverse("home")).content.decode()


def test_the_home_page_counts_the_money_in_each_stage_per_currency(staff_client, book):
    response = staff_client.get(reverse("home"))
    lines = {line.stage: line.cells for line in response.context["stage_lines"]}
    assert response.context["stage_currencies"] == ["EUR", "SEK"]
    assert lines["collection"][1] == (900, 1) and lines["collection"][0] is None
    assert lines["disputed"][0] == (50, 1)
    assert lines["written_off"][1] == (100, 1)
    assert lines["not_due"][1] == (100, 1)
    assert f"{reverse('overdue')}?stage=collection" in response.content.decode()


def test_the_home_page_stages_follow_its_currency_filter(staff_client, book):
    response = staff_client.get(reverse("home"), {"currency": "EUR"})
    assert response.context["stage_currencies"] == ["EUR"]


def test_the_customer_page_shows_each_invoices_stage_and_filters_by_it(staff_client, book):
    anna, _ = book
    url = reverse("customer", args=[anna.pk])
    page = staff_client.get(url).content.decode()
    assert "Not yet due" in page and "In collection" in page and ">Due<" in page
    assert numbers(staff_client.get(url, {"stage": "collection"})) == ["Q-INKASSO"]
    assert len(numbers(staff_client.get(url, {"stage": "bogus"}))) == 4


def test_a_dispute_recorded_here_shows_beside_the_providers_word(staff_client, book):
    anna, _ = book
    Invoice.objects.filter(number="Q-LATE").update(dispute_reason="Goods never arrived")
    url = reverse("customer", args=[anna.pk])
    assert numbers(staff_client.get(url, {"stage": "disputed"})) == ["Q-LATE"]
    assert numbers(staff_client.get(reverse("overdue"), {"stage": "disputed"})) == ["Q-LATE", "F-DISPUTE"]


def test_the_aging_report_shows_each_customers_furthest_stage_and_filters_by_stage(staff_client, book):
    response = staff_client.get(reverse("aging"))
    furthest = {row["customer__name"]: row["furthest"] for row in response.context["page"]}
    assert furthest == {"Anna Andersson": 3, '=HYPERLINK("http://x")': 4}
    assert "In collection" in response.content.decode()
    only = staff_client.get(reverse("aging"), {"stage": "not_due"})
    assert [(row["customer__name"], row["owed"]) for row in only.context["page"]] == [("Anna Andersson", 100)]
    sorted_rows = staff_client.get(reverse("aging"), {"sort": "-stage"}).context["page"]
    assert [row["furthest"] for row in sorted_rows] == [4, 3]


def test_the_aging_csv_follows_the_stage_filter(staff_client, book):
    response = staff_client.get(reverse("aging-csv"), {"stage": "collection"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[1] for row in rows[1:]] == ["Anna Andersson"]
    assert rows[1][-1] == "900.00"


def test_an_interest_invoice_and_the_late_invoice_it_charges_link_to_each_other(staff_client, accounts):
    anna = Customer.objects.create(name="Anna")
    late = staged(accounts[0], anna, "400100", "collection", ago(80), word="Collection")
    interest = cached_invoice(accounts[0], anna, "400200", "95.00", kind="interest", charges_number="400100")
    page = staff_client.get(reverse("invoice", args=[interest.pk])).content.decode()
    assert "interest invoice" in page and late.get_absolute_url() in page
    page = staff_client.get(reverse("invoice", args=[late.pk])).content.decode()
    assert interest.get_absolute_url() in page and "In collection" in page


def test_the_customer_page_says_how_the_provider_rates_the_customers_account(staff_client, book):
    _, bolaget = book
    Customer.objects.filter(pk=bolaget.pk).update(account_status="Collection")
    assert "Account: in collection" in staff_client.get(reverse("customer", args=[bolaget.pk])).content.decode()
    # A word Fusebill does not document is shown as it came, marked as its own.
    Customer.objects.filter(pk=bolaget.pk).update(account_status="OnWatch")
    page = staff_client.get(reverse("customer", args=[bolaget.pk])).content.decode()
    assert 'Account: <span lang="en">OnWatch</span>' in page


def test_the_account_status_reads_in_swedish_for_a_swedish_reader(staff_client, book, swedish):
    _, bolaget = book
    Customer.objects.filter(pk=bolaget.pk).update(account_status="PoorStanding")
    assert "Konto: har förfallna skulder" in staff_client.get(reverse("customer", args=[bolaget.pk])).content.decode()


def test_the_totals_show_interest_apart_from_what_was_invoiced(staff_client, accounts):
    anna = Customer.objects.create(name="Anna")
    cached_invoice(accounts[0], anna, "1", "1000.00", due_date=ago(40))
    cached_invoice(accounts[0], anna, "2", "95.00", kind="interest", charges_number="1")
    sek = staff_client.get(reverse("customer", args=[anna.pk])).context["totals"][0]
    assert (sek["invoiced"], sek["interest"], sek["owed"], sek["paid"]) == (1000, 95, 1095, 0)


def test_the_customer_csv_has_each_invoices_stage_and_follows_the_stage_filter(staff_client, book):
    anna, _ = book
    response = staff_client.get(reverse("customer-csv", args=[anna.pk]), {"stage": "collection"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["number"], r["stage"], r["provider_stage"]) for r in rows] == [
        ("Q-INKASSO", "In collection", "Collection")
    ]
