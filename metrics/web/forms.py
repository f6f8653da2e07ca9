"""Forms of the dashboard that write: a follower count entered by hand, a personal API token."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from legislators import validation
from legislators.models import Platform, SocialAccount
from legislators.names import PLATFORM_LABELS, platform_label


class CountEntryForm(forms.Form):
    """The counts importer's rules, for one count: a recorded account, a day not in the future,
    a count of zero or more, and the evidence."""

    platform = forms.ChoiceField(
        label=_("Platform"), choices=[(value, PLATFORM_LABELS[value]) for value in Platform.values]
    )
    handle = forms.CharField(label=_("Handle or profile URL"), max_length=300)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    followers = forms.IntegerField(label=_("Followers"), min_value=0)
    posts = forms.IntegerField(label=_("Posts"), min_value=0, required=False)
    evidence_url = forms.URLField(
        label=_("Evidence (link to the page or a screenshot)"), max_length=200, assume_scheme="https"
    )
    taken_at = forms.DateTimeField(
        label=_("Read at"), required=False, help_text=_("When the count was read, if not now (YYYY-MM-DD HH:MM).")
    )

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The accounts this user may enter counts for (their scope); one outside it is "not recorded".
        self.accounts = accounts if accounts is not None else SocialAccount.objects.all()

    def clean_day(self):
        return validation.clean_date(self.cleaned_data["day"], what=gettext("Day"))

    def clean(self):
        cleaned = super().clean()
        platform, handle = cleaned.get("platform"), cleaned.get("handle")
        if platform and handle:
            try:
                platform, handle = validation.handle_from_value(handle, platform)
            except ValidationError as exc:
                self.add_error("handle", exc)
                return cleaned
            account = self.accounts.filter(platform=platform, handle__iexact=handle).first()
            if account is None:
                self.add_error(
                    "handle",
                    gettext("No %(platform)s account “%(handle)s” is recorded: expected a recorded account.")
                    % {"platform": platform_label(platform), "handle": handle},
                )
            cleaned["account"] = account
        return cleaned


class ApiTokenForm(forms.Form):
    """A new personal API token: a name, and optionally the last day it works."""

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “weekly report script”.")
    )
    expires_on = forms.DateField(
        label=_("Works until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day the token works (leave empty: until you revoke it)."),
    )

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day and day < timezone.localdate():
            raise ValidationError(gettext("The last day cannot be in the past."))
        return day

    def expires_at(self):
        """The end of the chosen day (Asia/Kolkata), or None."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
