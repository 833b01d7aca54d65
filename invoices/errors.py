"""The error pages Django's own handlers do not render the way we need.

A server error renders a plain template from nothing but the request's CSRF
token: no context processors, no session, no database, any of which may be what
failed. A rejected CSRF token gets the site's 403 page rather than Django's.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.template import loader
from django.template.context_processors import csrf
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # The token lets the page's log-out button work; it comes from the cookie, not the database.
    return HttpResponseServerError(loader.get_template("500.html").render(dict(csrf(request))))


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the middleware has logged the reason; the page says what to do."""
    return HttpResponseForbidden(loader.get_template("403_csrf.html").render(request=request))
