from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from invoices import formatting, identity
from invoices.models import STAGE_RANKS, Invoice
from invoices.providers import ProviderError

register = template.Library()


# Figures in the reader's language, with one minus sign (invoices/formatting.py).
money = register.filter("money", formatting.money)
price = register.filter("price", formatting.price)
whole = register.filter("whole", formatting.whole)
quantity = register.filter("quantity", formatting.quantity)
duration = register.filter("duration", formatting.duration)


@register.simple_tag(takes_context=True)
def sort_header(context, key, label, css_class=""):
    """A column header that sorts the list by `key`, and flips on a second click."""
    current = context.get("sort", "")
    query = context["request"].GET.copy()
    query.pop("page", None)
    if current == key:
        query["sort"], aria, arrow = f"-{key}", "ascending", " ▲"
    elif current == f"-{key}":
        query["sort"], aria, arrow = key, "descending", " ▼"
    else:
        query["sort"], aria, arrow = key, "none", ""
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="?{}">{}{}</a></th>',
        css_class,
        aria,
        query.urlencode(),
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def page_url(context, number):
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def filter_url(context, name, value):
    """The current list with one filter changed (and back to its first page)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    if value:
        query[name] = value
    else:
        query.pop(name, None)
    return f"?{query.urlencode()}" if query else "?"


@register.filter
def masked(text):
    """A personal number as a provider wrote it, masked like ours: YYYYMMDD-XXXX."""
    if not text:
        return ""
    try:
        return identity.parse(text).masked
    except identity.InvalidIdentity:
        digits = "".join(c for c in text if c.isdigit())
        return f"{digits[:-4]}-XXXX" if len(digits) > 4 else "XXXX"


CHART_LABEL_WIDTH = 118
CHART_BAR_LENGTH = 255


@register.inclusion_tag("invoices/_aging_chart.html")
def aging_chart(totals):
    """Horizontal bars, one per bucket, scaled to the largest; drawn on the server as SVG.

    The 520-unit drawing shrinks to about 0.6 on a phone, where app.css sets a larger
    font: the label and value columns leave room for text at that size."""
    amounts = [amount for _, amount in totals["buckets"]]
    largest = max((abs(a) for a in amounts), default=0) or 1
    bars = []
    for index, (bucket, amount) in enumerate(totals["buckets"]):
        width = round(float(abs(amount) / largest) * CHART_BAR_LENGTH, 1)
        bars.append(
            {
                "label": bucket.title,
                "amount": amount,
                "x": CHART_LABEL_WIDTH,
                # SVG coordinates, written with a point whatever the reader's language.
                "width": f"{width:.1f}",
                "text_x": f"{CHART_LABEL_WIDTH + width + 8:.1f}",
                "y": index * 24,
                "negative": amount < 0,
            }
        )
    return {"bars": bars, "height": len(bars) * 24, "currency": totals["currency"]}


@register.filter
def stage_of_rank(rank):
    """A stage's label from its rank (models.STAGE_RANKS); blank for none."""
    labels = {number: Invoice.Stage(stage).label for stage, number in STAGE_RANKS.items()}
    return labels.get(rank, "")


@register.simple_tag
def problem_text(problem: object) -> SafeString:
    """A provider problem as staff read it: our words, in their language, then what the
    provider itself said, verbatim and marked as its words in its language (Fusebill
    writes English whatever ours is). Takes a ProviderError, a sync.Problem or a
    Problem as a task returned it (a dict)."""
    if isinstance(problem, dict):
        facts = problem
    else:
        facts = {name: getattr(problem, name, "") for name in ("message", "provider", "said", "said_language", "error")}
    if isinstance(problem, ProviderError):
        text = str(problem)
    elif facts.get("error"):
        # Worded now, in the reader's language, wherever the problem was met.
        text = str(ProviderError.from_data(facts["error"]))
    else:
        text = facts.get("message", "")
    if not facts.get("said"):
        return conditional_escape(text)
    return format_html(
        '{}; {} <q lang="{}">{}</q>',
        text,
        _("%(provider)s said:") % {"provider": facts.get("provider")},
        facts.get("said_language") or "en",
        facts["said"],
    )


@register.filter
def get(mapping, key):
    return mapping.get(key)
