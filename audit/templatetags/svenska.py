"""Template filters for Swedish numbers and counts (config.swedish): {% load svenska %}."""

from django import template

from config import swedish

register = template.Library()


@register.filter
def tal(value, decimals=None):
    """{{ hours|tal }} -> "12,5"; {{ hours|tal:1 }} -> "12,5"."""
    return swedish.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def kr(value):
    return swedish.kr(value)


@register.filter
def procent(value):
    return swedish.percent(value)


@register.filter
def antal(n, forms: str):
    """{{ n|antal:"dag,dagar" }} -> "1 dag" or "3 dagar"."""
    singular, _, plural = forms.partition(",")
    return swedish.count(n, singular, plural or singular)
