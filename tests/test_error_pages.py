"""Error pages look like the site and always offer a way out: the start page and logging out."""

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoices.models import Customer


def way_out(html, logged_in=True):
    """The page links home and, for a logged-in user, has a working log-out form."""
    has_home = f'href="{reverse("home")}"' in html
    has_logout = f'action="{reverse("logout")}"' in html and 'name="csrfmiddlewaretoken"' in html
    return has_home and has_logout == logged_in


def test_a_staff_user_on_an_unknown_address_gets_the_styled_404_with_a_way_home_and_out(staff_client):
    response = staff_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "css/app.css" in html
    assert way_out(html)


def test_an_anonymous_user_on_an_unknown_address_gets_a_404_that_shows_nothing_of_the_portal(client, db):
    response = client.get("/customers/195501011018/invoices/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and way_out(html, logged_in=False)
    # No search, no sections, no echo of the address (which could hold a personal number).
    assert 'role="search"' not in html and reverse("overdue") not in html
    assert "195501011018" not in html


def test_an_anonymous_user_on_a_real_page_of_an_unknown_customer_is_sent_to_log_in(client, db):
    response = client.get(reverse("customer", args=[999999]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_staff_user_asking_for_a_customer_that_does_not_exist_gets_the_styled_404(staff_client):
    response = staff_client.get(reverse("customer-csv", args=[999999]))
    assert response.status_code == 404 and way_out(response.content.decode())


def test_a_forbidden_action_gets_the_styled_403(read_only_client):
    customer = Customer.objects.create(name="Anna")
    response = read_only_client.post(reverse("customer-refresh", args=[customer.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html and way_out(html)


def test_a_logged_in_user_who_is_not_staff_gets_the_403_with_a_way_to_log_out(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("clerk", password="pw"))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html and way_out(html)
    assert 'role="search"' not in html


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_a_page_that_fails_gets_the_styled_500_without_touching_the_database(django_user_model):
    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_user("anna", password="pw", is_staff=True))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/explode/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "css/app.css" in html
    assert way_out(html)
    assert "a bug" not in html and "RuntimeError" not in html
    assert len(queries) == 0


def test_a_form_sent_without_its_csrf_token_gets_the_styled_page_with_a_fresh_token(django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user("anna", password="pw", is_staff=True))
    response = client.post(reverse("search"), {"q": "Anna"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "The form could not be sent" in html and way_out(html)
    # The log-out button on that page works.
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_a_request_for_a_host_we_do_not_serve_gets_the_styled_400(client, db):
    response = client.get(reverse("login"), HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bad request" in html and way_out(html, logged_in=False)
