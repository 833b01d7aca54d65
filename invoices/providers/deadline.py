"""A wall-clock deadline on a whole provider call, its headers included.

requests and urllib3 bound each read of a socket, not the call: a server that
sends a byte just before every read timeout holds a call open as long as it
likes, while it is still sending its headers too. Connections made here tell
the call in progress which socket its response comes on, and a timer shuts that
socket down when the call's deadline passes, which ends a blocked read at once.
"""

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_calls = threading.local()


class Call:
    """One call under a deadline: the socket it waits on, and whether time ran out."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sock: socket.socket | None = None
        self.expired = False

    def watch(self, sock: socket.socket) -> None:
        with self.lock:
            self.sock = sock
            if self.expired:
                shut(sock)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            if self.sock is not None:
                shut(self.sock)


def shut(sock: socket.socket) -> None:
    # shutdown, not close: it wakes a read blocked in another thread.
    with contextlib.suppress(OSError):  # already gone
        sock.shutdown(socket.SHUT_RDWR)


class Watched:
    """Tells the call in progress which socket its response will come on."""

    sock: socket.socket | None

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        call = getattr(_calls, "current", None)
        if call is not None and self.sock is not None:
            call.watch(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(Watched, HTTPSConnection):
    pass


class WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


class WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}


def watched_session() -> requests.Session:
    """A requests session whose calls can be held to a deadline()."""
    http = requests.Session()
    adapter = WatchedAdapter()
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


@contextmanager
def deadline(seconds: float) -> Iterator[Call]:
    """Calls made in this block through a watched session end when `seconds` pass."""
    call = Call()
    _calls.current = call
    timer = threading.Timer(seconds, call.expire)
    timer.daemon = True
    timer.start()
    try:
        yield call
    finally:
        timer.cancel()
        _calls.current = None
