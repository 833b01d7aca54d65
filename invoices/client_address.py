"""The address a request came from, the one login lockouts and records use.

Without proxies (TRUSTED_PROXY_COUNT=0) it is the connection's own address:
X-Forwarded-For is written by whoever sends the request, so it is never read.
Behind N proxies, each appends the address it was reached from to
X-Forwarded-For; the N-th entry from the right is the one the outermost proxy
saw, and everything left of it is what the client chose to send.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    direct: str | None = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return direct
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not come through all of them,
        # so nothing in the header can be vouched for.
        return direct
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return direct
