"""Personal numbers never reach a log line.

Code here never logs them, but other loggers might: the development server
logs every request line, and the provider protocols put the number in
URLs (Fusebill's customer query). The console handler masks anything
shaped like one.
"""

import logging
import re

# YYMMDD or YYYYMMDD, an optional - or +, four digits; not inside a longer number.
IDENTITY_SHAPE = re.compile(r"(?<!\d)((?:19|20|16)?\d{6})[-+]?\d{4}(?!\d)")


def redact(text):
    return IDENTITY_SHAPE.sub(lambda match: f"{match.group(1)}-XXXX", text)


class RedactIdentityNumbers(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
