"""Personal numbers never reach a log line.

Code here never logs them, but other loggers might: the development server
logs every request line, and the provider protocols put the number in
URLs (Fusebill's customer query). The console handler masks anything
shaped like one.
"""

import logging
import re

# YYMMDD or YYYYMMDD then four digits, joined or written with -, +, a space or
# an URL-encoded +; or a separator and 1-3 digits, as where a text was cut short.
# Never inside a longer number.
IDENTITY_SHAPE = re.compile(
    r"(?<![0-9])((?:19|20|16)?[0-9]{6})(?:(?:[-+ ]|%2[Bb])?[0-9]{4}|(?:[-+ ]|%2[Bb])[0-9]{1,3})(?![0-9])"
)


def redact(text: object) -> str:
    return IDENTITY_SHAPE.sub(lambda match: f"{match.group(1)}-XXXX", str(text))


class RedactIdentityNumbers(logging.Filter):
    """Masks the message itself, so every handler after it gets the masked text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingFormatter(logging.Formatter):
    """Masks the whole formatted line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
