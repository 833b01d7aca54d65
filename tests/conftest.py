import json
import os
import threading
from decimal import Decimal
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone

from invoices import balances, roles
from invoices.models import Invoice, ProviderAccount
from sandbox.world import FUSEBILL_KEYS, QVICKLY_MERCHANTS


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture(scope="session")
def sandbox_url():
    """The project served over real HTTP on a free loopback port.

    Provider clients in tests talk to the sandbox emulators through this
    server exactly as they would talk to the real providers.
    """
    server = make_server("127.0.0.1", 0, WSGIHandler(), server_class=ThreadingServer, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sandbox/"
    server.shutdown()


EXAMPLES = Path(__file__).resolve().parent.parent / "sandbox" / "examples"


def example(name):
    """A provider documentation example, verbatim (some need strict=False: see its README)."""
    return json.loads((EXAMPLES / name).read_text(), strict=False)


@pytest.fixture
def qvickly_account(db, sandbox_url):
    eid, secret = next(iter(QVICKLY_MERCHANTS.items()))
    return ProviderAccount.objects.create(
        name="Qvickly SE", kind="qvickly", base_url=sandbox_url + "qvickly/", merchant_id=eid, secret=secret
    )


@pytest.fixture
def qvickly_client(qvickly_account):
    return qvickly_account.client()


def cached_invoice(account, customer, number="1", total="1", outstanding=None, **fields):
    """An invoice row as a provider listing would have left it in the cache."""
    fields = {"state": "open", "currency": "SEK", "raw": {}, "fetched_at": timezone.now(), **fields}
    outstanding = total if outstanding is None else outstanding
    invoice = Invoice.objects.create(
        account=account,
        customer=customer,
        provider_id=fields.pop("provider_id", number),
        number=number,
        total=Decimal(total),
        outstanding=Decimal(outstanding),
        **fields,
    )
    # What the sync does in the transaction that writes invoices.
    balances.recompute([customer.pk])
    return invoice


def fusebill_key(name):
    return next(key for key, config in FUSEBILL_KEYS.items() if config.name == name)


@pytest.fixture
def fusebill_account(db, sandbox_url):
    return ProviderAccount.objects.create(
        name="Fusebill", kind="fusebill", base_url=sandbox_url + "fusebill/v1", secret=fusebill_key("live")
    )


@pytest.fixture
def fusebill_client(fusebill_account):
    return fusebill_account.client()


def staff_user(django_user_model, username, role):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def staff_client(client, django_user_model):
    """A staff member who may refresh from the providers (the Refreshers role)."""
    client.force_login(staff_user(django_user_model, "staff", roles.REFRESHERS))
    return client


@pytest.fixture
def read_only_client(client, django_user_model):
    client.force_login(staff_user(django_user_model, "reader", roles.READ_ONLY))
    return client


@pytest.fixture
def fault(sandbox_url):
    """Makes an emulator misbehave (sandbox/faults.py) over HTTP; every fault is
    cleared after the test."""
    url = sandbox_url + "faults/"

    def add(**fields):
        response = requests.post(url, json=fields, timeout=5)
        assert response.status_code == 201, response.text

    yield add
    requests.delete(url, timeout=5)


@pytest.fixture
def reading(sandbox_url):
    """Makes the emulators play a reading of the providers' docs (sandbox/readings.py)
    for one test, over HTTP like everything else; the defaults come back after."""
    url = sandbox_url + "readings/"

    def play(**values):
        response = requests.post(url, json=values, timeout=5)
        assert response.status_code == 200, response.text

    yield play
    requests.delete(url, timeout=5)


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}


def redis_answers():
    from django.conf import settings
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return Redis.from_url(settings.TASKS_REDIS_URL, socket_connect_timeout=0.5).ping()
    except RedisError:
        return False


@pytest.fixture(params=["db", "rq"])
def worker(request, settings):
    """A real task backend, and a function that runs what is queued, then returns.

    db: the database queue with `manage.py db_worker --batch`; rq: Redis with an
    RQ worker in this thread (skipped when no Redis answers at TASKS_REDIS_URL).
    Tasks run in this thread, so they see this test's database.
    """
    from io import StringIO

    from django.core.management import call_command

    if request.param == "db":
        settings.TASKS = DB_TASKS
        yield lambda: call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
        return
    if not redis_answers():
        why = f"no Redis answers at {settings.TASKS_REDIS_URL}: the RQ backend is not tested"
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(why)
        pytest.skip(why)
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    settings.TASKS = RQ_TASKS
    queue = django_rq.get_queue("default")
    queue.empty()
    yield lambda: SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    queue.empty()


def speaking(settings, language):
    """Pages in `language`: the site's default for this test, and the language of the test itself."""
    from django.utils import translation

    settings.LANGUAGE_CODE = language
    with translation.override(language):
        yield


@pytest.fixture
def swedish(settings):
    """Swedish pages: 90 052,25 and 2026-06-30 14:05."""
    yield from speaking(settings, "sv")


@pytest.fixture
def english(settings):
    """English pages: 90,052.25 and 30/06/2026 14:05."""
    yield from speaking(settings, "en")
