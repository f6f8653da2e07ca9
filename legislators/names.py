"""A name in the chosen script: the one helper pages, charts, forms and template filters call."""

from django.utils.translation import get_language


def hindi_chosen():
    return (get_language() or "").startswith("hi")


def in_script(name, name_hi):
    """``name_hi`` when the language is Hindi and there is one, else ``name``."""
    return name_hi if name_hi and hindi_chosen() else name


def localised(obj, field="name"):
    """``obj.<field>_hi`` in Hindi (when set), else ``obj.<field>``; "" when neither is set."""
    return in_script(getattr(obj, field, "") or "", getattr(obj, f"{field}_hi", "") or "")
