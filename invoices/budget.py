"""One request budget per provider account, shared by every worker on every machine.

A token bucket in one database row per account (RequestBudget): it holds at
most a tenth of the per-minute limit and refills with the rest of it over a
minute, so no 60-second window, wherever it starts, sees more than the limit
(capacity + 60 s × rate = limit). Fusebill's windows start at a key's first
request, not on the clock's minute, so counting per clock minute could let
twice the limit through across a boundary.

A token is refilled and spent in one conditional UPDATE, so no two workers can
spend the same one, on SQLite and PostgreSQL alike. Times come from each
worker's clock: skew between machines can only add a few early tokens once.
Call it outside any transaction (the sync fetches before it writes), or the
row stays locked until that transaction ends.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import OperationalError
from django.db.models import F, FloatField, Value
from django.db.models.functions import Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext

from invoices.models import RequestBudget
from invoices.providers import ProviderError

if TYPE_CHECKING:
    from invoices.models import ProviderAccount


# Seconds a call may wait for a token: short while staff wait for a page, longer
# in a worker (tasks.py), where waiting out a busy budget is the whole point.
patience_seconds: ContextVar[float | None] = ContextVar("patience_seconds", default=None)


@contextmanager
def patience(seconds: float) -> Iterator[None]:
    """Calls made inside may wait this long for the account's budget."""
    reset = patience_seconds.set(seconds)
    try:
        yield
    finally:
        patience_seconds.reset(reset)


def shape(limit: int) -> tuple[float, float]:
    """The bucket for a per-minute limit: (capacity, tokens earned per second)."""
    capacity = max(1, limit // 10)
    return float(capacity), max(limit - capacity, 1) / 60


def take(account: ProviderAccount) -> None:
    """Spends one request of the account's budget, waiting for one if none is left.

    Raises the provider's ProviderError when none comes within the patience
    allowed (PROVIDER_BUDGET_MAX_WAIT in a request, PROVIDER_BUDGET_WORKER_WAIT in a worker).
    """
    limit = account.request_limit
    if not limit:
        return  # the provider sets no limit
    capacity, rate = shape(limit)
    waited = patience_seconds.get()
    deadline = time.monotonic() + (settings.PROVIDER_BUDGET_MAX_WAIT if waited is None else waited)
    while not spend(account.pk, capacity, rate):
        # About the time one token takes to come back, jittered so waiting workers spread out.
        pause = random.uniform(0.5, 1.0) / rate
        if time.monotonic() + pause > deadline:
            raise ProviderError(account.provider.label, gettext("is busy: this account's request budget is used up"))
        time.sleep(pause)


def spend(account_id: int, capacity: float, rate: float) -> bool:
    """One token from the account's bucket, refilled first; False when it is empty."""
    now = time.time()
    elapsed = Greatest(Value(now) - F("refilled_at"), Value(0.0), output_field=FloatField())
    available = Least(Value(capacity), F("tokens") + elapsed * Value(rate), output_field=FloatField())
    for _ in range(50):
        try:
            spent = RequestBudget.objects.filter(GreaterThanOrEqual(available, Value(1.0)), pk=account_id).update(
                tokens=available - Value(1.0), refilled_at=Greatest(F("refilled_at"), Value(now))
            )
            if spent:
                return True
            _, created = RequestBudget.objects.get_or_create(
                pk=account_id, defaults={"tokens": capacity - 1, "refilled_at": now}
            )
            return created
        except OperationalError as exc:
            # SQLite answers "table is locked" at once instead of waiting its turn.
            if "locked" not in str(exc):
                raise
            time.sleep(random.uniform(0.005, 0.02))
    return False
