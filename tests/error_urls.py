"""The site's URLs and error handlers plus a page that fails, for the 500 page's tests."""

from django.urls import path

from arportal import urls


def explode(request):
    raise RuntimeError("a bug")


handler500 = urls.handler500
urlpatterns = [path("explode/", explode), *urls.urlpatterns]
