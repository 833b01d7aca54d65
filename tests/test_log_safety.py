"""What reaches the log: no credential, and one entry per line whatever a provider says."""

import copy
import io
import logging
import logging.config

import pytest
from django.conf import settings

from invoices import sync
from invoices.providers import ProviderError

FORGED = "Customer not found\r\n2026-01-01 00:00:00,000 INFO invoices.sync forged"


@pytest.fixture
def console():
    """The project's console handler (its filter and formatter) on the root logger, writing to a buffer."""
    config = copy.deepcopy(settings.LOGGING)  # the configurator consumes what it reads
    configurator = logging.config.DictConfigurator(config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"]["plain"]))
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(configurator.configure_filter(config["filters"][name]))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def test_a_provider_message_with_a_line_break_stays_one_log_line(console, qvickly_account, caplog):
    def fails(client):
        raise ProviderError("Qvickly", FORGED, detail="reply:\n2026-01-01 00:00:00,000 INFO forged too")

    with pytest.raises(ProviderError):
        sync.guarded(qvickly_account, "listing", fails)
    lines = console.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Customer not found\\r\\n2026-01-01" in lines[0]
    # caplog sees the record as logged: one record, the break still escaped once written.
    assert len([r for r in caplog.records if r.name == "invoices.sync"]) == 1


def test_a_traceback_cannot_start_a_forged_entry(console):
    try:
        raise ValueError(FORGED)
    except ValueError:
        logging.getLogger("test.tb").exception("failed")
    lines = console.getvalue().splitlines()
    assert lines[0].endswith("ERROR test.tb failed")
    # Every line after the entry's first is indented: none starts like an entry.
    assert all(line.startswith(" ") for line in lines[1:]), lines
    assert not any(line.startswith("2026-01-01") for line in lines)


def test_a_traceback_another_handler_formatted_first_is_indented_all_the_same(console):
    logger = logging.getLogger("test.first")
    plain = logging.StreamHandler(io.StringIO())  # formats, and caches, a plain traceback
    logger.addHandler(plain)
    try:
        raise ValueError(FORGED)
    except ValueError:
        logger.exception("failed")
    finally:
        logger.removeHandler(plain)
    assert all(line.startswith(" ") for line in console.getvalue().splitlines()[1:])


@pytest.mark.parametrize(
    "text, secret",
    [
        ("headers {'Authorization': 'Basic ZnVzZWJpbGwta2V5LTEyMw=='}", "ZnVzZWJpbGwta2V5LTEyMw=="),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ('{"credentials": {"id": "12345", "hash": "9f86d081884c7d659a2feaa0c55ad015"}}', "9f86d081884c"),
        ("GET /v1/customers?apiKey=fb-live-key-42&query=x", "fb-live-key-42"),
        ("secret=qv-secret-77 was refused", "qv-secret-77"),
    ],
)
def test_credentials_in_a_message_are_redacted(console, text, secret):
    logging.getLogger("test.secrets").warning("request failed: %s", text)
    line = console.getvalue()
    assert secret not in line and "[redacted]" in line


def test_credentials_in_a_traceback_are_redacted(console):
    try:
        raise RuntimeError("sent {'Authorization': 'Basic c2VjcmV0LWtleQ=='}")
    except RuntimeError:
        logging.getLogger("test.tb").exception("call failed")
    assert "c2VjcmV0LWtleQ==" not in console.getvalue()


def test_a_provider_error_keeps_no_credential_for_a_page_or_a_log():
    error = ProviderError("Fusebill", "bad key", detail="Authorization: Basic a2V5LTk5 refused")
    assert "a2V5LTk5" not in error.detail


def test_ordinary_words_are_left_alone(console):
    logging.getLogger("test.words").warning("the secret was rejected; hash mismatch on invoice 7100001")
    assert "the secret was rejected; hash mismatch on invoice 7100001" in console.getvalue()
