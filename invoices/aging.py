"""Aging buckets: how far past its due date each outstanding amount is, as of a day.

The buckets are date ranges on `due_date`, so the database does the grouping
(conditional sums) whatever the number of invoices.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str  # plain English, for machine-readable exports
    condition: Q
    title: str  # in the reader's language, for the pages


@dataclass(frozen=True)
class Aging:
    as_of: date
    edges: tuple[int, ...] = field(default_factory=lambda: tuple(settings.AGING_BUCKETS))

    @classmethod
    def today(cls) -> "Aging":
        return cls(as_of=timezone.localdate())

    @property
    def in_the_past(self):
        return self.as_of < timezone.localdate()

    @property
    def buckets(self):
        day = self.as_of
        buckets = [Bucket("current", "Not yet due", Q(due_date__isnull=True) | Q(due_date__gte=day), _("Not yet due"))]
        low = 1
        for edge in self.edges:
            # Overdue by low..edge days: due on or before day - low, after day - edge - 1.
            span = Q(due_date__lte=day - timedelta(days=low), due_date__gte=day - timedelta(days=edge))
            buckets.append(Bucket(f"days_{low}_{edge}", f"{low}–{edge}", span, f"{low}–{edge}"))
            low = edge + 1
        over = Q(due_date__lte=day - timedelta(days=low))
        buckets.append(Bucket(f"days_{low}_plus", f"Over {low - 1}", over, _("Over %(days)d") % {"days": low - 1}))
        return buckets

    def sums(self, column):
        """One conditional sum per bucket, named by the bucket's key."""
        return {b.key: Sum(column, filter=b.condition, default=0) for b in self.buckets}

    def values(self, row):
        """(bucket, amount) pairs of an aggregated row."""
        return [(b, row[b.key]) for b in self.buckets]
