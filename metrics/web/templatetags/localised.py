"""The Hindi name of a place or person when the language is Hindi and one exists."""

from django import template

from legislators import names
from legislators.models import AccountStatus

register = template.Library()


@register.filter
def localised(obj, field):
    """{{ member|localised:"name" }} → member.name_hi in Hindi (when set), else member.name."""
    return names.localised(obj, field)


@register.filter
def platform_name(value):
    """{{ account.platform|platform_name }} → "YouTube", in Hindi "यूट्यूब"."""
    return names.platform_label(value)


@register.filter
def account_status(value):
    """{{ account.status|account_status }} → the account status's label in the language of the rendering
    (not of the moment the row was read: the digest reads its rows before it picks the language)."""
    labels = dict(AccountStatus.choices)
    return str(labels.get(value, value))
