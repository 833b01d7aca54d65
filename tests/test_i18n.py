"""Swedish first: the language staff read, how they choose another, and the catalogue.

The rest of the suite reads the pages in English (tests/settings.py); these tests
run with the product's own LANGUAGE_CODE, read from arportal/settings.py.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from arportal import settings as product
from invoices import roles
from invoices.models import Customer, Invoice, LanguagePreference
from sandbox.world import world
from tests.conftest import cached_invoice, staff_user
from tests.test_qvickly_client import EXAMPLE_HASH

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"

pytestmark = pytest.mark.usefixtures("product_language")


@pytest.fixture
def product_language():
    with override_settings(LANGUAGE_CODE=product.LANGUAGE_CODE):
        yield


@pytest.fixture
def user(django_user_model):
    return staff_user(django_user_model, "anna", roles.REFRESHERS)


def log_in(client, **headers):
    """As a person does, through the login form (the language cookie is set on its answer)."""
    response = client.post(reverse("login"), {"username": "anna", "password": "pw"}, headers=headers)
    assert response.status_code == 302, response.content.decode()[:300]
    return response


def home(client, **headers):
    response = client.get(reverse("home"), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_swedish_is_the_products_default_language():
    assert product.LANGUAGE_CODE == "sv"
    assert dict(product.LANGUAGES) == {"sv": "Svenska", "en": "English"}


def test_a_new_staff_user_with_no_choice_and_no_browser_language_reads_swedish(client, user):
    log_in(client)
    page = home(client)
    assert '<html lang="sv">' in page
    assert "<h1>Reskontran</h1>" in page and "Logga ut" in page and "Förfallna" in page
    assert "The book" not in page and "Log out" not in page
    # The switch offers the other language, named in itself.
    assert 'name="language" value="en" lang="en">English</button>' in page


def test_a_browser_asking_for_english_gets_english(client, user):
    log_in(client, accept_language="en-GB,en;q=0.9")
    page = home(client, accept_language="en-GB,en;q=0.9")
    assert '<html lang="en">' in page
    assert "<h1>The book</h1>" in page and "Log out" in page
    assert 'value="sv" lang="sv">Svenska</button>' in page


def test_a_browser_asking_for_a_language_we_do_not_have_gets_swedish(client, user):
    log_in(client, accept_language="de-DE,de;q=0.9")
    assert "<h1>Reskontran</h1>" in home(client, accept_language="de-DE,de;q=0.9")


def test_the_login_page_itself_is_swedish_or_what_the_browser_asks_for(client):
    assert "<h1>Logga in</h1>" in client.get(reverse("login")).content.decode()
    assert "<h1>Log in</h1>" in client.get(reverse("login"), headers={"accept-language": "en"}).content.decode()


def test_the_switch_changes_the_language_and_remembers_it_on_the_user(client, user):
    log_in(client)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("overdue")})
    assert response.status_code == 302 and response.url == reverse("overdue")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert LanguagePreference.objects.get(user=user).language == "en"
    assert "<h1>The book</h1>" in home(client)

    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert LanguagePreference.objects.get(user=user).language == "sv"
    assert "<h1>Reskontran</h1>" in home(client)


def test_a_language_we_do_not_have_changes_nothing(client, user):
    log_in(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert LanguagePreference.objects.get(user=user).language == "en"
    assert "<h1>The book</h1>" in home(client)


def test_a_saved_choice_follows_the_user_to_another_browser_and_beats_its_language(user):
    LanguagePreference.objects.create(user=user, language="sv")
    other_browser = Client()
    response = log_in(other_browser, accept_language="en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    assert "<h1>Reskontran</h1>" in home(other_browser, accept_language="en")


def test_a_user_who_never_chose_does_not_inherit_the_last_users_choice_on_that_browser(client, user, django_user_model):
    staff_user(django_user_model, "bertil", roles.REFRESHERS)
    client.post(reverse("login"), {"username": "bertil", "password": "pw"})
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("logout"))

    response = log_in(client)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # removed
    assert "<h1>Reskontran</h1>" in home(client)
    assert not LanguagePreference.objects.filter(user=user).exists()


def test_a_choice_made_on_the_login_page_becomes_the_users_when_they_log_in(client, user):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302 and response.url == reverse("login")
    assert "<h1>Log in</h1>" in client.get(reverse("login")).content.decode()
    assert not LanguagePreference.objects.exists()

    log_in(client)
    assert LanguagePreference.objects.get(user=user).language == "en"
    assert "<h1>The book</h1>" in home(client)


def test_the_switch_in_the_header_returns_to_the_page_it_was_on(client, user):
    log_in(client)
    page = client.get(reverse("overdue")).content.decode()
    assert 'name="next"' not in page  # nothing of the address is echoed into the form
    response = client.post(reverse("set_language"), {"language": "en"}, headers={"referer": reverse("overdue")})
    assert response.status_code == 302 and response.url == reverse("overdue")


def test_the_switch_sends_nobody_to_another_site(client, user):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"


def test_the_switch_needs_a_post(client, user):
    log_in(client)
    assert client.get(reverse("set_language"), {"language": "en"}).status_code == 405


# Provider messages in the reader's language.


@pytest.fixture
def refused_invoice(qvickly_account):
    """A cached Qvickly invoice whose account's secret no longer works: Qvickly answers
    error 9013, in the language the call's credentials ask for."""
    customer = Customer.objects.create(name="Company AB")
    invoice = cached_invoice(qvickly_account, customer, "12345", "90052.25", provider_hash=EXAMPLE_HASH)
    qvickly_account.secret = "rotated"
    qvickly_account.save()
    return invoice


@pytest.mark.parametrize(
    ("account_language", "browser", "expected", "not_expected"),
    [
        ("en", "", "Qvickly: Autentisering misslyckades.", "Authentication failed"),
        ("sv", "en", "Qvickly: Authentication failed.", "Autentisering misslyckades"),
    ],
)
def test_qvickly_answers_a_page_in_the_readers_language_not_the_accounts(
    client, user, refused_invoice, account_language, browser, expected, not_expected
):
    refused_invoice.account.language = account_language
    refused_invoice.account.save()
    headers = {"accept_language": browser} if browser else {}
    log_in(client, **headers)
    page = client.get(refused_invoice.get_absolute_url(), headers=headers).content.decode()
    assert expected in page and not_expected not in page

    refreshed = client.post(reverse("invoice-refresh", args=[refused_invoice.pk]), headers=headers, follow=True)
    text = refreshed.content.decode()
    assert expected in text and not_expected not in text


def test_a_refresh_in_the_background_asks_qvickly_in_the_accounts_language(client, user, qvickly_account):
    qvickly_account.language = "en"
    qvickly_account.secret = "rotated"
    qvickly_account.save()
    log_in(client)
    # The lookup's refresh is a task, not the reader's call: the account's language.
    page = client.post(reverse("search"), {"q": world().samples()["person"]}, follow=True).content.decode()
    assert '<html lang="sv">' in page and "kunde inte tillfrågas" in page  # the page is Swedish...
    assert "Qvickly: Authentication failed. (kod 9013)" in page  # ...Qvickly's words English


def test_fusebills_own_words_are_quoted_as_english_behind_a_lead_in_in_the_readers_language(
    client, user, qvickly_account, fusebill_account
):
    fusebill_account.secret = "d3Jvbmcta2V5"
    fusebill_account.save()
    log_in(client)
    # Qvickly knows the person, so this is the customer page and the problem kept on Fusebill's link.
    page = client.post(reverse("search"), {"q": world().samples()["both"]}, follow=True).content.decode()
    assert (
        "<strong>Fusebill</strong> avvisade våra inloggningsuppgifter: Fusebill: avvisade API-nyckeln (kod 401); "
        'Fusebill svarade: <q lang="en">Authorization has been denied for this request.</q>.'
    ) in page


def test_a_fusebill_failure_on_an_invoice_page_quotes_fusebill_too(client, user, fusebill_account):
    customer = Customer.objects.create(name="Company AB")
    invoice = cached_invoice(fusebill_account, customer, "123456", "100")
    Invoice.objects.filter(pk=invoice.pk).update(detail_fetched_at=timezone.now() - timedelta(days=1))
    fusebill_account.secret = "d3Jvbmcta2V5"
    fusebill_account.save()
    log_in(client, accept_language="en")
    page = client.get(invoice.get_absolute_url(), headers={"accept_language": "en"}).content.decode()
    assert 'Fusebill said: <q lang="en">Authorization has been denied for this request.</q>' in page


def test_a_failed_refresh_kept_on_the_page_reads_in_each_readers_language_not_the_one_it_failed_in(
    client, user, qvickly_account, fusebill_account, fault, settings
):
    settings.PROVIDER_RETRIES = 1
    log_in(client)
    client.post(reverse("search"), {"q": world().samples()["both"]})
    customer = Customer.objects.get()
    fault(provider="fusebill", fault="http_503")
    # The refresh fails while a Swedish reader waits (a task worker's language is Swedish too).
    swedish = client.post(reverse("customer-refresh", args=[customer.pk]), follow=True).content.decode()
    assert "Fusebill: svarade HTTP 503 (kod 503)" in swedish
    # An English reader who opens the page later reads the kept failure in English.
    reader = Client()
    log_in(reader, accept_language="en")
    english = reader.get(customer.get_absolute_url(), headers={"accept_language": "en"}).content.decode()
    assert '<html lang="en">' in english
    assert "<strong>Fusebill</strong> could not be refreshed: Fusebill: answered HTTP 503 (code 503)" in english
    assert "svarade" not in english


# The catalogue.


def catalogue_entries(catalogue: Path = CATALOGUE):
    """(context, msgid, plural, translations, flags) of every entry but the header."""
    entries, entry, key = [], None, None
    for line in [*catalogue.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": ""}
        if line.startswith("#,"):
            entry["flags"] += line[2:]
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line):
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
        else:
            entry[key] += ast.literal_eval(line)
    return entries


def test_every_message_in_the_catalogue_is_translated_and_none_is_fuzzy():
    entries = catalogue_entries()
    assert len(entries) > 400
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        translations = [value for key, value in entry.items() if key.startswith("msgstr")]
        assert translations and all(translations), entry["msgid"]


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is not installed: the catalogue is not compared with the code"
)
def test_every_text_marked_in_the_code_is_in_the_catalogue(tmp_path):
    """A text marked for translation but missing from django.po reads in English to a Swedish user.

    makemessages runs on a copy of the code, so the committed catalogue is not touched.
    """
    root = Path(settings.BASE_DIR)
    for part in ("arportal", "invoices", "templates", "locale"):
        shutil.copytree(root / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "manage.py", tmp_path)
    made = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "1", "SANDBOX_ENABLED": "", "DJANGO_SETTINGS_MODULE": "arportal.settings"},
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    key = lambda entry: (entry.get("msgctxt"), entry["msgid"])  # noqa: E731
    committed = {key(entry) for entry in catalogue_entries()}
    in_the_code = {key(entry) for entry in catalogue_entries(tmp_path / "locale" / "sv" / "LC_MESSAGES" / "django.po")}
    assert sorted(in_the_code - committed, key=str) == []


def test_the_compiled_catalogue_says_what_the_catalogue_says():
    """The committed django.mo is compiled from the django.po beside it, as it now reads."""
    with translation.override("sv"):
        for entry in catalogue_entries():
            context, msgid = entry.get("msgctxt"), entry["msgid"]
            if "msgid_plural" in entry:
                for number, key in ((1, "msgstr[0]"), (5, "msgstr[1]")):
                    said = (
                        translation.npgettext(context, msgid, entry["msgid_plural"], number)
                        if context
                        else translation.ngettext(msgid, entry["msgid_plural"], number)
                    )
                    assert said == entry[key], msgid
            else:
                said = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                assert said == entry["msgstr"], msgid


def test_the_admin_names_our_models_and_fields_in_swedish_too(client, django_user_model):
    django_user_model.objects.create_superuser("root", password="pw")
    client.post(reverse("login"), {"username": "root", "password": "pw"})
    page = client.get(reverse("admin:invoices_provideraccount_add")).content.decode()
    assert "Lägg till leverantörskonto" in page and "Grundadress" in page and "Anrop per minut" in page
    assert "Leverantörens grundadress, t.ex. https://api.qvickly.io/" in page
    audits = client.get(reverse("admin:invoices_lookupaudit_changelist")).content.decode()
    assert "Hitta varje uppslagning av ett person- eller organisationsnummer:" in audits
    assert "Logg över uppslagningar" in audits


def test_an_invoices_kind_state_and_provider_read_in_the_readers_language_and_an_unknown_state_as_sent(qvickly_account):
    customer = Customer.objects.create(name="Anna")
    invoice = cached_invoice(qvickly_account, customer, "1", "100.00", state="cancelled", kind="credit")
    for language, words in [("sv", ("Makulerad", "Kreditfaktura")), ("en", ("Cancelled", "Credit invoice"))]:
        with translation.override(language):
            assert (str(invoice.get_state_display()), str(invoice.get_kind_display())) == words
    assert invoice.account.get_kind_display() == "Qvickly"
    invoice.state = "lost_in_the_post"
    assert invoice.get_state_display() == "lost_in_the_post"
