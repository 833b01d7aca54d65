import copy
import io
import logging
import logging.config
import sys

from django.conf import settings


def log_through_the_configured_console(logger_name, message, *args):
    """Emit through a copy of the project's console handler, writing to a buffer."""
    config = copy.deepcopy(settings.LOGGING)  # the configurator consumes what it reads
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(logging.config.DictConfigurator(config).configure_filter(config["filters"][name]))
    logger = logging.getLogger(f"test.{logger_name}")
    logger.addHandler(handler)
    try:
        logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_request_line_with_a_personal_number_is_logged_masked():
    line = log_through_the_configured_console(
        "server", '"%s" 200', "GET /sandbox/fusebill/v1/customers?query=reference%3A198305107529 HTTP/1.1"
    )
    assert "198305107529" not in line
    assert "query=reference%3A19830510-XXXX" in line


def test_every_written_form_is_masked_and_other_numbers_are_left_alone():
    line = log_through_the_configured_console(
        "forms", "a %s b %s c %s invoice 7100001", "830510-7529", "19830510-7529", "121212+1212"
    )
    assert line.strip() == "a 830510-XXXX b 19830510-XXXX c 121212-XXXX invoice 7100001"


def test_the_development_servers_request_log_uses_the_redacting_console():
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]


def test_cut_spaced_and_url_encoded_numbers_are_masked_too():
    line = log_through_the_configured_console(
        "shapes", "%s | %s | %s", "detail: 19550101-10", "550101 1018", "121212%2B1212"
    )
    assert line.strip() == "detail: 19550101-XXXX | 550101-XXXX | 121212-XXXX"


def test_a_traceback_is_masked_by_the_console_formatter():
    from invoices.logging import RedactingFormatter

    try:
        raise ValueError("bad pno 198305107529")
    except ValueError:
        record = logging.getLogger("test.tb").makeRecord(
            "test.tb", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    text = RedactingFormatter("%(message)s").format(record)
    assert "198305107529" not in text and "19830510-XXXX" in text
