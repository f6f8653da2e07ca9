"""The map's data block: json_script without the spaces after "," and ":" (a state's shapes are thousands
of coordinate pairs; the spaces would add about a tenth to the page)."""

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import json_script

register = template.Library()


class CompactEncoder(DjangoJSONEncoder):
    item_separator = ","
    key_separator = ":"


@register.filter
def compact_json_script(value, element_id):
    return json_script(value, element_id, encoder=CompactEncoder)
