from django.urls import path, re_path

from sandbox import faults, readings
from sandbox.fusebill import ratelimit
from sandbox.fusebill import views as fusebill
from sandbox.qvickly import views as qvickly

urlpatterns = [
    path("qvickly/", qvickly.api, name="sandbox-qvickly"),
    # One view for every Fusebill path: it routes case-insensitively and
    # answers unknown paths in Fusebill's own error shape.
    # How many requests each Fusebill key sent per rate-limit window, and how many were refused.
    path("fusebill-usage/", ratelimit.usage, name="sandbox-fusebill-usage"),
    re_path(r"^fusebill/v1/(?P<path>.*)$", fusebill.api, name="sandbox-fusebill"),
    # Timeouts, rate limits, garbage and outages on demand, for both emulators.
    path("faults/", faults.control, name="sandbox-faults"),
    # Which reading of the providers' documentation the emulators play.
    path("readings/", readings.control, name="sandbox-readings"),
]
