"""Personal numbers and secrets never reach a log line, and no text can forge one.

Code here never logs them, but other loggers might: the development server
logs every request line, and the provider protocols put the number in
URLs (Fusebill's customer query) and the credentials in headers and bodies
(Fusebill's `Authorization`, Qvickly's `hash`), which an exception's text can
echo. The console handler masks anything shaped like either.

A provider's message is logged as it came: a CR or LF in it would start what
looks like a new entry, so control characters in a message are written as
escapes, and every line of a traceback is indented.
"""

import logging
import re
from types import TracebackType

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]

# YYMMDD or YYYYMMDD then four digits, joined or written with -, +, a space or
# an URL-encoded +; or a separator and 1-3 digits, as where a text was cut short.
# Never inside a longer number.
IDENTITY_SHAPE = re.compile(
    r"(?<![0-9])((?:19|20|16)?[0-9]{6})(?:(?:[-+ ]|%2[Bb])?[0-9]{4}|(?:[-+ ]|%2[Bb])[0-9]{1,3})(?![0-9])"
)

# A credential's name, then `:` or `=` (quoted or not, as in a header, a query, JSON
# or a Python dict), then its value, after any `Basic`/`Bearer` scheme.
SECRET_SHAPE = re.compile(
    r"""(?i)\b((?:proxy-)?authorization|api[-_]?key|secret|password|passwd|token|hash)"""
    r"""(["']?\s*[:=]\s*["']?)(?:(?:basic|bearer|token)\s+)?[^\s"',;&}\]]+"""
)

# C0 and C1 controls, DEL and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def redact(text: object) -> str:
    masked = IDENTITY_SHAPE.sub(lambda match: f"{match.group(1)}-XXXX", str(text))
    return SECRET_SHAPE.sub(lambda match: f"{match.group(1)}{match.group(2)}[redacted]", masked)


def one_line(text: str) -> str:
    """`text` with every control character written as an escape, so it stays one line."""
    return CONTROL.sub(lambda match: ESCAPES.get(match.group(), f"\\x{ord(match.group()):02x}"), text)


def indented(text: str) -> str:
    """A traceback, which follows its entry's first line, with no line that could pass for an entry."""
    return "\n".join(f"  {line}" for line in text.replace("\r", "\\r").split("\n"))


class RedactAndEscape(logging.Filter):
    """Masks and escapes the message itself, so every handler after it gets the safe text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = one_line(redact(message))
        if safe != message:
            record.msg, record.args = safe, None
        return True


class RedactingFormatter(logging.Formatter):
    """Masks the whole formatted line, tracebacks included, and keeps each entry
    recognisable: the message on one line, a traceback indented under it."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = one_line(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: ExcInfo) -> str:
        return indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return indented(super().formatStack(stack_info))

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached its own, unindented traceback on the record.
        cached = record.exc_text
        if record.exc_info:
            record.exc_text = None
        try:
            return redact(super().format(record))
        finally:
            record.exc_text = cached
