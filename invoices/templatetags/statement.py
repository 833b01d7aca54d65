"""The statement's amounts and dates, as invoices.statement writes them for the PDF too."""

from datetime import date, datetime
from decimal import Decimal

from django import template

from invoices import formatting, statement

register = template.Library()


@register.filter
def amount(value: Decimal | None) -> str:
    return formatting.money(value)


@register.filter
def day(value: date | datetime | None) -> str:
    return statement.day(value)


@register.filter
def absolute(value: Decimal) -> Decimal:
    return abs(value)
