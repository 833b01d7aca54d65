"""No page of the application is kept by a browser or a proxy.

Nearly every page carries personal data (names, personal numbers, what a
customer owes), and a stored copy outlives the session: the browser's disk
cache on a shared office machine, the back button after logging out, a
caching proxy. Everything this middleware wraps answers `Cache-Control:
no-store`; it sits after WhiteNoise, so static files, which carry nothing
personal, stay cacheable.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def no_store_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        add_never_cache_headers(response)
        return response

    return middleware
