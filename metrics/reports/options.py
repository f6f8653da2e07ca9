"""The report parameters (the same filters as the pages, plus the report's own options) and helpers."""

import pandas as pd
from django import forms
from django.http import QueryDict
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legislators.validation import EARLIEST_DAY
from metrics.standings import engine
from metrics.standings.filters import StandingsFilterForm
from metrics.standings.rollups import ROLLUP_SORT_CHOICES

from .writers import BLANK

KINDS = ("standings", "rollup", "freshness", "growth", "timeseries", "progress", "local")
STEPS = ("daily", "weekly", "monthly")


class BadParameters(Exception):
    """The query string cannot be used: ``forms`` hold the messages."""

    def __init__(self, *forms_with_errors):
        super().__init__("bad report parameters")
        self.forms = forms_with_errors


class ReportOptionsForm(forms.Form):
    """The report-only parameters, beside the standings filters."""

    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    step = forms.ChoiceField(
        label=gettext_lazy("Step"),
        required=False,
        choices=[
            ("daily", gettext_lazy("Daily")),
            ("weekly", gettext_lazy("Weekly")),
            ("monthly", gettext_lazy("Monthly")),
        ],
    )
    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        required=False,
        choices=[("long", gettext_lazy("Long (one row per count)")), ("wide", gettext_lazy("Wide (member × date)"))],
    )
    by = forms.ChoiceField(
        label=gettext_lazy("Group by"),
        required=False,
        choices=[("division", gettext_lazy("Division")), ("district", gettext_lazy("District"))],
    )
    group = forms.ChoiceField(
        label=gettext_lazy("Progress by"),
        required=False,
        choices=[
            ("role", gettext_lazy("Ministers and MLAs")),
            ("party", gettext_lazy("Party")),
            ("division", gettext_lazy("Division")),
        ],
    )
    rollup_sort = forms.ChoiceField(
        label=gettext_lazy("Rollup order"),
        required=False,
        choices=[(value, value) for value in ROLLUP_SORT_CHOICES],
    )
    stale = forms.BooleanField(label=gettext_lazy("Stale accounts only"), required=False)
    local = forms.ChoiceField(
        label=gettext_lazy("Local status"),
        required=False,
        choices=[
            ("local", gettext_lazy("Local")),
            ("not_local", gettext_lazy("Not local")),
            ("n/a", gettext_lazy("No geography")),
        ],
    )

    def clean(self):
        data = super().clean()
        today = engine.today()
        for name in ("start", "end"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("The date cannot be in the future."))
            elif data.get(name) and data[name] < EARLIEST_DAY:
                self.add_error(name, _("The date must be on or after %(earliest)s.") % {"earliest": EARLIEST_DAY})
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("start", _("The start date must not be after the end date."))
        return data


def parse(params, *, user=None):
    """Validate a query string (QueryDict or dict): (filter form, options form).

    With ``user``, a division or district outside their scope is refused like an
    unknown one (the message names neither).
    """
    if not isinstance(params, QueryDict):
        query = QueryDict(mutable=True)
        for key, value in params.items():
            if value not in (None, ""):
                query[key] = value
        params = query
    filters = StandingsFilterForm(params, user=user)
    options = ReportOptionsForm(params)
    filters_ok = filters.is_valid()
    options_ok = options.is_valid()
    if not (filters_ok and options_ok):
        raise BadParameters(*(form for form in (filters, options) if form.errors))
    return filters, options


def clean_value(value):
    if value is None or value is BLANK:
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def frame_rows(frame):
    """A DataFrame's rows as tuples of plain values (NaN/NA become None: n/a)."""
    for row in frame.itertuples(index=False, name=None):
        yield tuple(clean_value(value) for value in row)


def filename_parts(filters):
    """Words for the file name that say which filters made the report."""
    data = filters.cleaned_data
    parts = []
    for name in ("division", "district", "party"):
        value = data.get(name)
        if value:
            parts.append(slugify(str(value)) or f"{name}-{value.pk}")
    for name in ("role", "platform", "status"):
        if data.get(name):
            parts.append(slugify(data[name]) or data[name])
    if data.get("q"):
        parts.append("search-" + (slugify(data["q"]) or "text"))
    return parts
