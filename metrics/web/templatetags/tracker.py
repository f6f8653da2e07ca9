"""Formatting for the dashboard: Indian digit grouping, lakh/crore, n/a."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from legislators.models import Role
from legislators.names import in_script
from metrics.numbers import indian_number, lakh_crore

register = template.Library()


@register.filter(name="indian")
def indian_filter(value):
    return indian_number(value)


@register.filter(name="lakh_crore")
def lakh_crore_filter(value):
    return lakh_crore(value)


@register.filter
def percent(value, places=2):
    if value is None:
        return _("n/a")
    return f"{float(value):.{int(places)}f}%"


@register.filter
def signed(value):
    if value is None:
        return _("n/a")
    text = indian_number(value)
    return f"+{text}" if value > 0 else text


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def script(name, name_hi):
    """The name in the chosen script when there is one: {{ m.name|script:m.name_hi }}."""
    return in_script(name, name_hi)


@register.filter
def gain(value):
    """Followers a day: whole numbers in Indian grouping, small rates with one decimal."""
    if value is None:
        return _("n/a")
    if value == 0:
        return "0"  # nothing more is needed (or nothing gained): not "0.0"
    if abs(value) < 10:
        return f"{value:.1f}"
    return indian_number(value)


@register.simple_tag(takes_context=True)
def sort_header(context, key, label, descending_first=False, numeric=False, param="sort"):
    """A column header that sorts by ``key``; a second click reverses.

    ``param``: the query-string parameter (the rollup tables use "rollup_sort"); the context holds its
    current value under the same name and the rest of the query under ``<param>_query``.
    """
    current = context.get(param, "")
    if current == key:
        target, arrow, aria = f"-{key}", " ▲", "ascending"
    elif current == f"-{key}":
        target, arrow, aria = key, " ▼", "descending"
    else:
        target, arrow, aria = (f"-{key}" if descending_first else key), "", "none"
    query = context.get(f"{param}_query", "")
    href = f"?{query}&{param}={target}" if query else f"?{param}={target}"
    return format_html(
        '<th{} aria-sort="{}"><a href="{}">{}{}</a></th>',
        mark_safe(' class="num"') if numeric else "",
        aria,
        href,
        label,
        arrow,
    )


@register.filter
def minutes(duration):
    """A timedelta as whole minutes (rounded up); '' when unknown."""
    if duration is None or not hasattr(duration, "total_seconds"):
        return ""
    return int(-(-duration.total_seconds() // 60))


# Short role labels for tables (the full one in a title): "Minister of State (Independent Charge)"
# never wraps and pushed the standings table past 1,366 px.
SHORT_ROLE_LABELS = {
    Role.CHIEF_MINISTER: gettext_lazy("CM"),
    Role.CABINET_MINISTER: gettext_lazy("Cabinet"),
    Role.MINISTER_OF_STATE_INDEPENDENT: gettext_lazy("MoS (I/C)"),
    Role.MINISTER_OF_STATE: gettext_lazy("MoS"),
    Role.MLA: gettext_lazy("MLA"),
}


@register.filter
def short_role(role):
    return SHORT_ROLE_LABELS.get(role, role)


BAR_SCALE = 2.0  # the bar runs from 0 to twice the target: the target line sits in the middle


@register.inclusion_tag("metrics/_share_bar.html")
def share_bar(share, target, status=""):
    """A bar of the share against the target and stretch lines (positions as percentages of its width).

    The positions are data attributes: static/js/app.js turns them into CSS variables (no style
    attribute, which the Content-Security-Policy refuses).
    """
    scale = target.percent * BAR_SCALE
    return {
        "share": share,
        "status": status,
        "fill": None if share is None else min(100.0, round(share * 100 / scale, 1)),
        "target": round(target.percent * 100 / scale, 1),
        "stretch": min(100.0, round(target.stretch_percent * 100 / scale, 1)),
    }


@register.filter
def estimate(value):
    """An estimated number of followers: rounded to a whole follower, Indian grouping; n/a when unknown."""
    if value is None:
        return _("n/a")
    return indian_number(round(value))


@register.filter
def percent_of_one(value):
    """A fraction (0.62) as a percentage with one decimal ("62.0%"); n/a when unknown."""
    if value is None:
        return _("n/a")
    return f"{value * 100:.1f}%"


class PagePartNode(template.Node):
    """``{% page_part "name" %}...{% end_page_part %}``: a part of the page the page cache keeps
    (metrics.web.page_cache). Without a page cache in the context (a page that is not cached) it
    simply renders what it encloses."""

    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        kept = context.get("page_cache")
        if kept is None:
            return self.nodelist.render(context)
        return mark_safe(kept.part(self.name, lambda: self.nodelist.render(context)))  # noqa: S308 (rendered here)


@register.tag(name="page_part")
def page_part(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "'\"" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Usage: {% page_part "name" %}...{% end_page_part %}')
    nodelist = parser.parse(("end_page_part",))
    parser.delete_first_token()
    return PagePartNode(bits[1][1:-1], nodelist)


# Django's own words for a time span ("1 week, 2 days"), which Django's Hindi catalogue leaves untranslated:
# the same msgids, kept in this project's catalogue (read before Django's) because they are named here.
SPAN_WORDS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}


@register.filter
def since(value, now=None):
    """How long ago ``value`` was, in the page's language ("1 week, 2 days"; "1 सप्ताह, 2 दिन")."""
    if not value:
        return ""
    return timesince(value, now, time_strings=SPAN_WORDS)
