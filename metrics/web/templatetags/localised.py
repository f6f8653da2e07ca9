"""The Hindi name of a place or person when the language is Hindi and one exists."""

from django import template

from legislators import names

register = template.Library()


@register.filter
def localised(obj, field):
    """{{ member|localised:"name" }} → member.name_hi in Hindi (when set), else member.name."""
    return names.localised(obj, field)
