from django.urls import path

from sandbox import qvickly

urlpatterns = [
    path("qvickly/", qvickly.api, name="sandbox-qvickly"),
]
