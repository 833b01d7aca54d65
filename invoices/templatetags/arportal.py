from decimal import Decimal

from django import template
from django.utils import numberformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from invoices import identity
from invoices.models import STAGE_RANKS, Invoice
from invoices.providers import ProviderError

register = template.Library()


@register.filter
def money(value):
    """Swedish notation, as staff read it in the providers' portals: 90 052,25."""
    if value in (None, ""):
        return ""
    return numberformat.format(
        Decimal(value), ",", decimal_pos=2, grouping=3, thousand_sep="\u00a0", force_grouping=True
    )


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
def whole(value):
    """A large figure rounded to a whole number and grouped: 1 234 567."""
    if value in (None, ""):
        return ""
    return numberformat.format(round(Decimal(value)), ",", grouping=3, thousand_sep="\u00a0", force_grouping=True)


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


@register.filter
def quantity(value):
    """9 999, or 3,5: grouped, without trailing zeros."""
    if value in (None, ""):
        return ""
    value = Decimal(value).normalize()
    places = max(-value.as_tuple().exponent, 0)
    return numberformat.format(value, ",", decimal_pos=places, grouping=3, thousand_sep="\u00a0", force_grouping=True)


@register.inclusion_tag("invoices/_aging_chart.html")
def aging_chart(totals):
    """Horizontal bars, one per bucket, scaled to the largest; drawn on the server as SVG."""
    amounts = [amount for _, amount in totals["buckets"]]
    largest = max((abs(a) for a in amounts), default=0) or 1
    bars = []
    for index, (bucket, amount) in enumerate(totals["buckets"]):
        width = round(float(abs(amount) / largest) * 300, 1)
        bars.append(
            {
                "label": bucket.title,
                "amount": amount,
                "width": width,
                "text_x": 108 + width,
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
        facts = {name: getattr(problem, name, "") for name in ("message", "provider", "said", "said_language")}
    text = str(problem) if isinstance(problem, ProviderError) else facts.get("message", "")
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
