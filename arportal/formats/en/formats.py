"""English as written here: British dates (day before month) and, as in Swedish, a 24-hour clock.

Django's own English is American (m/d/Y, 2:30 p.m.) and its British English keeps
the 12-hour clock; staff read times as the rest of the book writes them.
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403

TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j M Y, H:i"  # 25 Oct 2006, 14:30
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 25/10/2006 14:30
