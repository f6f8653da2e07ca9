"""The Hindi name of a place or person when the language is Hindi and one exists."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def localised(obj, field):
    """{{ member|localised:"name" }} → member.name_hi in Hindi (when set), else member.name."""
    value = getattr(obj, field, "") or ""
    if (get_language() or "").startswith("hi"):
        return getattr(obj, f"{field}_hi", "") or value
    return value
