"""Each user's language: chosen with the switch in the page header, kept on the user.

The language cookie is what Django's LocaleMiddleware reads (Django 4 dropped the
session key), so a choice saved here is put back in the cookie at every login:
it follows the user to another browser. A user who never chose gets no cookie
and the browser's Accept-Language decides; with neither, Swedish.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views import i18n
from django.views.decorators.http import require_POST


class LanguagePreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="language_preference"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        app_label = "invoices"
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")

    def __str__(self):
        return f"{self.user_id}: {self.language}"


def supported(language: str | None) -> bool:
    return bool(language) and language in dict(settings.LANGUAGES) and check_for_language(language)


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Django's set_language (the cookie, back to `next`), and the choice saved on the user."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if not supported(language):
        return response
    if request.user.is_authenticated:
        LanguagePreference.objects.update_or_create(user=request.user, defaults={"language": language})
    else:
        # Chosen on the login page: saved on whoever logs in next in this session.
        request.session[CHOSEN_BEFORE_LOGIN] = language
    return response


CHOSEN_BEFORE_LOGIN = "language_chosen"


# What the login decided for the language cookie: a language, or "" to remove it.
LOGIN_LANGUAGE = "_login_language"


@receiver(user_logged_in, dispatch_uid="invoices.preferences.restore_language")
def restore_language(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """The user's saved language for the cookie. None saved: a choice made on the login
    page just before becomes theirs; else the previous user's choice on this browser
    goes, and Accept-Language decides."""
    if request is None:
        return
    saved = LanguagePreference.objects.filter(user=user).values_list("language", flat=True).first()
    chosen = request.session.pop(CHOSEN_BEFORE_LOGIN, None) if hasattr(request, "session") else None
    if not supported(saved) and supported(chosen):
        LanguagePreference.objects.update_or_create(user=user, defaults={"language": chosen})
        saved = chosen
    setattr(request, LOGIN_LANGUAGE, saved if supported(saved) else "")


class LoginLanguageMiddleware:
    """Writes the language cookie a login decided on the login's response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, LOGIN_LANGUAGE, None)
        # As Django's set_language writes it.
        where: dict[str, Any] = {
            "path": settings.LANGUAGE_COOKIE_PATH,
            "domain": settings.LANGUAGE_COOKIE_DOMAIN,
            "samesite": settings.LANGUAGE_COOKIE_SAMESITE,
        }
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                **where,
            )
        elif language == "" and settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, **where)
        return response
