"""How many proxies stand in front of the app, in django-ipware's terms.

TRUSTED_PROXY_COUNT counts the proxies that append to X-Forwarded-For; the
last one to do so is the connection itself (REMOTE_ADDR), so it never appears
in the header. ipware counts only the proxies listed in the header, one fewer.
"""

FORWARDED_THEN_CONNECTION = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
CONNECTION_ONLY = ("REMOTE_ADDR",)


def ipware_proxy_settings(trusted_proxy_count: int) -> tuple[int | None, tuple[str, ...]]:
    """AXES_IPWARE_PROXY_COUNT and AXES_IPWARE_META_PRECEDENCE_ORDER for a count.

    At 0 only the connection's address is read: with no count, ipware would
    take the first public address from X-Forwarded-For, which anyone can send.
    """
    if trusted_proxy_count <= 0:
        return None, CONNECTION_ONLY
    return trusted_proxy_count - 1, FORWARDED_THEN_CONNECTION
