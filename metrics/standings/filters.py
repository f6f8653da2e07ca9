"""The query-string filters shared by every view and export.

One form parses and validates them: junk in the query string becomes a 400
with the form's message, never a 500, and the same cleaned filters reach the
standings selector whether a page or a download asked.
"""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext_lazy as _

from legislators.access import visible_districts, visible_divisions
from legislators.models import District, Division, Party, Platform, Role
from legislators.names import PLATFORM_LABELS, in_script
from legislators.validation import EARLIEST_DAY

ROLE_CHOICES = [("", _("All roles")), ("ministers", _("All ministers"))] + list(Role.choices)
STATUS_CHOICES = [
    ("", _("Any status")),
    ("meets", _("Meets target")),
    ("stretch", _("Meets stretch")),
    ("below", _("Below target")),
    ("stagnant", _("Stagnant")),
    ("slipping", _("Slipping (meets, but losing followers)")),
    ("local", _("Local (estimated local share at least the setting)")),
    ("n/a", _("n/a")),
]
PLATFORM_CHOICES = [("", _("All platforms combined"))] + [(value, PLATFORM_LABELS[value]) for value in Platform.values]
SORT_FIELDS = {
    "name": lambda m: (m.name.lower(),),
    "constituency": lambda m: (m.constituency_number is None, m.constituency_number or 0),
    "district": lambda m: (m.district.lower(),),
    "party": lambda m: (m.party.lower(),),
    "role": lambda m: (list(Role.values).index(m.role),),
    "electors": lambda m: (m.electors is None, m.electors or 0),
    "reach": lambda m: (m.reach is None, m.reach or 0),
    "share": lambda m: (m.share is None, m.share or 0),
    "needed": lambda m: (m.needed is None, m.needed or 0),
    "growth": lambda m: (m.growth_30 is None, m.growth_30 or 0),
    "projected": lambda m: (m.projection.day is None, m.projection.day or timezone.localdate()),
    "status": lambda m: (m.status.value == "n/a", STATUS_RANK.get(m.status.value, 0), m.stagnant is False),
}
STATUS_RANK = {"below": 0, "meets": 1, "stretch": 2}


def too_early(day):
    """``day``, or a ValidationError when it is before the earliest day anything is recorded for."""
    if day and day < EARLIEST_DAY:
        raise forms.ValidationError(
            _("The date must be on or after %(earliest)s.") % {"earliest": EARLIEST_DAY.isoformat()}
        )
    return day


class ScriptModelChoiceField(forms.ModelChoiceField):
    """Shows a division or district in the chosen script when a Hindi name exists."""

    def label_from_instance(self, obj):
        return in_script(str(obj), getattr(obj, "name_hi", ""))


class StandingsFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, required=False)
    party = forms.ModelChoiceField(
        label=_("Party"), queryset=Party.objects.all(), required=False, empty_label=_("All parties")
    )
    division = ScriptModelChoiceField(
        label=_("Division"), queryset=Division.objects.all(), required=False, empty_label=_("All divisions")
    )
    district = ScriptModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("All districts")
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=PLATFORM_CHOICES, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    date = forms.DateField(label=_("As on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For the daily gain needed; the next election by default."),
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    # Fields a page shows in its filter bar; every page still parses them all.
    TABLE_FIELDS = ("q", "role", "party", "division", "district", "platform", "status", "date")
    MEMBER_FIELDS = ("date", "deadline")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # A division/district-limited user picks only among what they may see.
            self.fields["division"].queryset = visible_divisions(user=user)
            # Names and division ids only: the division's row is not needed for a list (714 at national scale).
            self.fields["district"].queryset = visible_districts(user=user).select_related(None)
        for field in self.fields.values():
            # After the querysets are set: the new widget takes the field's current choices.
            if type(field.widget) is forms.Select:
                widget = QuickSelect(attrs=field.widget.attrs)
                widget.choices = field.widget.choices
                widget.is_required = field.widget.is_required
                field.widget = widget
        # Each district names its division, so the page can offer only the chosen division's districts.
        self.fields["district"].widget.option_data = lambda district: {"division": district.division_id}

    def visible_fields_of(self, names):
        return [self[name] for name in names]

    def clean(self):
        data = super().clean()
        division, district = data.get("division"), data.get("district")
        if division and district and district.division_id != division.pk:
            self.add_error(
                "district",
                _("The district “%(district)s” is not in the division “%(division)s”: choose one of its districts.")
                % {
                    "district": self.fields["district"].label_from_instance(district),
                    "division": self.fields["division"].label_from_instance(division),
                },
            )
        day = data.get("date") or timezone.localdate()
        deadline = data.get("deadline")
        if deadline and deadline <= day:
            self.add_error("deadline", _("The deadline must be after the day shown."))
        return data

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return too_early(day)

    def clean_deadline(self):
        return too_early(self.cleaned_data.get("deadline"))

    def clean_sort(self):
        sort = self.cleaned_data.get("sort") or "share"
        if sort.lstrip("-") not in SORT_FIELDS:
            raise forms.ValidationError(_("Unknown sort column."))
        return sort

    def selector_kwargs(self):
        data = self.cleaned_data
        return {
            "day": data.get("date"),
            "role": data.get("role") or "",
            "party": data["party"].pk if data.get("party") else None,
            "division": data["division"].pk if data.get("division") else None,
            "district": data["district"].pk if data.get("district") else None,
            "platform": data.get("platform") or "",
            "status": data.get("status") or "",
            "search": (data.get("q") or "").strip(),
        }


def sort_members(members, sort):
    """Sort standings rows; rows without a value (n/a) always go last."""
    descending = sort.startswith("-")
    key = SORT_FIELDS[sort.lstrip("-")]
    present = [m for m in members if key(m)[0] is not True]
    missing = [m for m in members if key(m)[0] is True]
    present.sort(key=lambda m: (key(m), m.name.lower()), reverse=descending)
    return present + missing


class QuickSelect(forms.Select):
    """A <select> written in Python rather than a template per option.

    The same markup as forms.Select; at national scale the district list
    has hundreds of options and rendering each through the widget templates
    cost more than computing the page's standings. Flat choices only (no option groups).

    ``option_data``, when set, maps a model choice's instance to ``data-*``
    attributes of its option (read from the instance the choice query already
    loaded: no query more).
    """

    option_data = None

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        option_data = self.option_data
        options = []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            data = ""
            if option_data is not None and (instance := getattr(option_value, "instance", None)) is not None:
                data = "".join(f' data-{key}="{escape(str(item))}"' for key, item in option_data(instance).items())
            mark = " selected" if text in selected else ""
            label = label if isinstance(label, SafeData) else escape(str(label))
            # f-strings and html.escape, not format_html per option: that cost 12 ms more for 714 districts.
            options.append(f'<option value="{escape(text)}"{mark}{data}>{label}</option>')
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', name, flatatt(final_attrs), mark_safe("\n".join(options))
        )
