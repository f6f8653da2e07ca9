"""The rules a record must meet, in one place for the admin forms and the importers.

Each function takes a raw value and returns the clean one, or raises
``django.core.exceptions.ValidationError`` with a message that says what is
wrong and what is expected. The ``clean_*`` functions do no database access:
lookups (does this constituency exist? is this handle taken?) are the
callers' business, so the importers can do them for a whole file at once.
The ``*_conflicts`` functions at the end check one row against the stored
terms, appointments and aspirants (the overlaps no database constraint holds).
"""

import math
import re
from datetime import date, datetime
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AccountKind, Constituency, Platform, Role, Term

# What each platform lets a handle be (checked after a URL is reduced to its handle).
HANDLE_PATTERNS = {
    Platform.X: re.compile(r"^[A-Za-z0-9_]{1,15}$"),
    Platform.INSTAGRAM: re.compile(r"^[A-Za-z0-9._]{1,30}$"),
    # Facebook page usernames (letters, digits, dots, at least 5) or numeric page ids.
    Platform.FACEBOOK: re.compile(r"^(?:[A-Za-z0-9.\-]{5,50}|[0-9]{5,20})$"),
    # YouTube @handles (3-30 letters, digits, . _ -) or channel ids (UC + 22).
    Platform.YOUTUBE: re.compile(r"^(?:[A-Za-z0-9._\-]{3,30}|UC[A-Za-z0-9_\-]{22})$"),
}
HANDLE_EXPECTED = {
    Platform.X: "1-15 letters, digits or _",
    Platform.INSTAGRAM: "1-30 letters, digits, . or _",
    Platform.FACEBOOK: "a page username (5 or more letters, digits or .) or a numeric page id",
    Platform.YOUTUBE: "an @handle (3-30 letters, digits, . _ -) or a channel id (UC…)",
}
PLATFORM_HOSTS = {
    "x.com": Platform.X,
    "twitter.com": Platform.X,
    "mobile.twitter.com": Platform.X,
    "facebook.com": Platform.FACEBOOK,
    "m.facebook.com": Platform.FACEBOOK,
    "fb.com": Platform.FACEBOOK,
    "instagram.com": Platform.INSTAGRAM,
    "youtube.com": Platform.YOUTUBE,
    "m.youtube.com": Platform.YOUTUBE,
}
# Accepted spellings of platform names, roles and kinds (English and Hindi), lower-cased.
PLATFORM_WORDS = {
    "x": Platform.X,
    "twitter": Platform.X,
    "x (twitter)": Platform.X,
    "एक्स": Platform.X,
    "ट्विटर": Platform.X,
    "facebook": Platform.FACEBOOK,
    "fb": Platform.FACEBOOK,
    "फेसबुक": Platform.FACEBOOK,
    "instagram": Platform.INSTAGRAM,
    "insta": Platform.INSTAGRAM,
    "इंस्टाग्राम": Platform.INSTAGRAM,
    "youtube": Platform.YOUTUBE,
    "यूट्यूब": Platform.YOUTUBE,
}
ROLE_WORDS = {
    "cm": Role.CHIEF_MINISTER,
    "chief minister": Role.CHIEF_MINISTER,
    "मुख्यमंत्री": Role.CHIEF_MINISTER,
    "cabinet": Role.CABINET_MINISTER,
    "cabinet minister": Role.CABINET_MINISTER,
    "कैबिनेट मंत्री": Role.CABINET_MINISTER,
    "mos_ic": Role.MINISTER_OF_STATE_INDEPENDENT,
    "mos (ic)": Role.MINISTER_OF_STATE_INDEPENDENT,
    "minister of state (independent charge)": Role.MINISTER_OF_STATE_INDEPENDENT,
    "राज्य मंत्री (स्वतंत्र प्रभार)": Role.MINISTER_OF_STATE_INDEPENDENT,
    "mos": Role.MINISTER_OF_STATE,
    "minister of state": Role.MINISTER_OF_STATE,
    "राज्य मंत्री": Role.MINISTER_OF_STATE,
    "mla": Role.MLA,
    "विधायक": Role.MLA,
}
HOW_ELECTED_WORDS = {
    "general": Term.HowElected.GENERAL,
    "general election": Term.HowElected.GENERAL,
    "आम चुनाव": Term.HowElected.GENERAL,
    "by_election": Term.HowElected.BY_ELECTION,
    "by-election": Term.HowElected.BY_ELECTION,
    "by election": Term.HowElected.BY_ELECTION,
    "bye-election": Term.HowElected.BY_ELECTION,
    "by-poll": Term.HowElected.BY_ELECTION,
    "उपचुनाव": Term.HowElected.BY_ELECTION,
}
END_REASON_WORDS = {
    "completion": Term.EndReason.COMPLETION,
    "completed": Term.EndReason.COMPLETION,
    "कार्यकाल पूरा": Term.EndReason.COMPLETION,
    "resignation": Term.EndReason.RESIGNATION,
    "resigned": Term.EndReason.RESIGNATION,
    "इस्तीफ़ा": Term.EndReason.RESIGNATION,
    "इस्तीफा": Term.EndReason.RESIGNATION,
    "death": Term.EndReason.DEATH,
    "died": Term.EndReason.DEATH,
    "निधन": Term.EndReason.DEATH,
    "disqualification": Term.EndReason.DISQUALIFICATION,
    "disqualified": Term.EndReason.DISQUALIFICATION,
    "अयोग्य": Term.EndReason.DISQUALIFICATION,
    "seat_change": Term.EndReason.SEAT_CHANGE,
    "seat change": Term.EndReason.SEAT_CHANGE,
    "सीट बदली": Term.EndReason.SEAT_CHANGE,
    "party_change": Term.EndReason.PARTY_CHANGE,
    "party change": Term.EndReason.PARTY_CHANGE,
    "दल बदला": Term.EndReason.PARTY_CHANGE,
}
YES_WORDS = {"yes", "y", "1", "true", "new", "हाँ", "हां", "नया"}
NO_WORDS = {"", "no", "n", "0", "false", "नहीं"}
KIND_WORDS = {
    "official": AccountKind.OFFICIAL,
    "आधिकारिक": AccountKind.OFFICIAL,
    "personal": AccountKind.PERSONAL,
    "व्यक्तिगत": AccountKind.PERSONAL,
}
RESERVED_WORDS = {
    "gen": Constituency.Reserved.GENERAL,
    "general": Constituency.Reserved.GENERAL,
    "सामान्य": Constituency.Reserved.GENERAL,
    "sc": Constituency.Reserved.SCHEDULED_CASTE,
    "अनुसूचित जाति": Constituency.Reserved.SCHEDULED_CASTE,
    "st": Constituency.Reserved.SCHEDULED_TRIBE,
    "अनुसूचित जनजाति": Constituency.Reserved.SCHEDULED_TRIBE,
}
CONSTITUENCY_KIND_WORDS = {
    "ac": Constituency.Kind.ASSEMBLY,
    "assembly": Constituency.Kind.ASSEMBLY,
    "pc": Constituency.Kind.PARLIAMENTARY,
    "parliamentary": Constituency.Kind.PARLIAMENTARY,
}


def _choice(value, words, what, expected):
    key = str(value).strip().lower()
    if key in words:
        return words[key]
    raise ValidationError(
        _("Unknown %(what)s “%(value)s”: expected one of %(expected)s.")
        % {"what": what, "value": value, "expected": expected}
    )


def clean_platform(value):
    return _choice(value, PLATFORM_WORDS, gettext_lazy("platform"), "x, facebook, instagram, youtube")


def clean_role(value):
    return _choice(value, ROLE_WORDS, gettext_lazy("role"), "CM, CABINET, MOS_IC, MOS, MLA")


def clean_how_elected(value):
    if str(value).strip() == "":
        return Term.HowElected.GENERAL
    return _choice(value, HOW_ELECTED_WORDS, gettext_lazy("way of election"), "general, by-election")


def clean_end_reason(value):
    if str(value).strip() == "":
        return ""
    return _choice(
        value,
        END_REASON_WORDS,
        gettext_lazy("reason a term ended"),
        "completion, resignation, death, disqualification, seat change, party change",
    )


def clean_yes(value):
    key = str(value).strip().lower()
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    raise ValidationError(_("“%(value)s” is neither yes nor no: expected yes (or empty).") % {"value": value})


def clean_account_kind(value):
    if str(value).strip() == "":
        return AccountKind.OFFICIAL
    return _choice(value, KIND_WORDS, gettext_lazy("account kind"), "official, personal")


def clean_reserved(value):
    if str(value).strip() == "":
        return Constituency.Reserved.GENERAL
    return _choice(value, RESERVED_WORDS, gettext_lazy("reserved category"), "GEN, SC, ST")


def clean_constituency_kind(value):
    if str(value).strip() == "":
        return Constituency.Kind.ASSEMBLY
    return _choice(value, CONSTITUENCY_KIND_WORDS, gettext_lazy("constituency kind"), "AC, PC")


def clean_positive_int(value, *, what):
    """A whole number above zero (accepts 1,23,456 and 123456.0 as written by spreadsheets)."""
    text = str(value).strip().replace(",", "").replace("_", "")
    try:
        number = float(text) if text else None
    except ValueError:
        number = None
    # float() reads "nan", "inf" and "1e400" (infinite): none is a count.
    if number is None or not math.isfinite(number) or number != int(number):
        raise ValidationError(
            _("%(what)s “%(value)s” is not a whole number: expected a number above 0.") % {"what": what, "value": value}
        )
    if number <= 0:
        raise ValidationError(
            _("%(what)s is %(value)s: expected a number above 0.") % {"what": what, "value": int(number)}
        )
    return int(number)


def clean_count(value, *, what):
    """A whole number of zero or more (a follower count may be 0)."""
    text = str(value).strip().replace(",", "")
    if text in ("0", "0.0"):
        return 0
    return clean_positive_int(value, what=what)


# The earliest day any page, report or import accepts: the Republic's first (no roll or term is older).
EARLIEST_DAY = date(1950, 1, 26)


def clean_for_field(model, name, value):
    """``value`` checked against the model field it is written to: the limits come from the field
    itself (max_length; the integer range of its column type, the portable one every database
    holds; nan and infinity refused), not from a second list. Raises ValidationError."""
    field = model._meta.get_field(name)
    if value is None or value == "":
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(
            _("“%(value)s” is not a number: expected a finite number for %(field)s.")
            % {"value": value, "field": field.verbose_name}
        )
    max_length = getattr(field, "max_length", None)
    if isinstance(field, models.CharField) and max_length and len(str(value)) > max_length:
        raise ValidationError(
            _("%(field)s is %(length)s characters long: expected at most %(max)s.")
            % {"field": str(field.verbose_name).capitalize(), "length": len(str(value)), "max": max_length}
        )
    if isinstance(field, models.IntegerField) and not field.is_relation:
        low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
        if isinstance(value, (int, float)) and not low <= value <= high:
            raise ValidationError(
                _("%(field)s %(value)s is out of range: expected a number from %(low)s to %(high)s.")
                % {"field": str(field.verbose_name).capitalize(), "value": value, "low": low, "high": high}
            )
    return value


def clean_date(value, *, what, allow_future=False, today=None):
    """An ISO date (2024-01-31), a day-first date (31/01/2024, 31-01-2024) or a spreadsheet date."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        try:
            day = date.fromisoformat(text)  # the documented form, and the fast path
        except ValueError:
            day = None
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
            if day is not None:
                break
            try:
                day = datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        if day is None:
            raise ValidationError(
                _("%(what)s “%(value)s” is not a date: expected YYYY-MM-DD (or DD/MM/YYYY).")
                % {"what": what, "value": value}
            )
    if day < EARLIEST_DAY:
        raise ValidationError(
            _("%(what)s %(day)s is too early: expected a day on or after %(earliest)s.")
            % {"what": what, "day": day.isoformat(), "earliest": EARLIEST_DAY.isoformat()}
        )
    today = today or timezone.localdate()
    if not allow_future and day > today:
        raise ValidationError(
            _("%(what)s %(day)s is in the future: expected a day on or before %(today)s.")
            % {"what": what, "day": day.isoformat(), "today": today.isoformat()}
        )
    return day


def handle_from_value(value, platform=None):
    """Reduce a handle or a profile URL to (platform, handle); the platform comes from the URL when given.

    ``https://x.com/Name`` → (x, "Name"); ``https://www.youtube.com/@name`` → (youtube, "name");
    ``@name`` → (platform, "name").
    """
    text = str(value).strip()
    if not text:
        raise ValidationError(_("The handle is empty: expected a handle or a profile URL."))
    looks_like_url = "://" in text or text.lower().startswith(
        ("www.", "x.com/", "twitter.com/", "facebook.com/", "instagram.com/", "youtube.com/")
    )
    if looks_like_url:
        parsed = urlparse(text if "://" in text else f"https://{text}")
        host = (parsed.hostname or "").lower().removeprefix("www.")
        url_platform = PLATFORM_HOSTS.get(host)
        if url_platform is None:
            raise ValidationError(
                _("“%(value)s” is not a profile URL of X, Facebook, Instagram or YouTube.") % {"value": text}
            )
        if platform and url_platform != platform:
            raise ValidationError(
                _("The URL “%(value)s” is a %(url_platform)s address, but the platform is %(platform)s.")
                % {"value": text, "url_platform": url_platform.label, "platform": Platform(platform).label}
            )
        parts = [part for part in parsed.path.split("/") if part]
        if url_platform == Platform.YOUTUBE and len(parts) >= 2 and parts[0] in ("channel", "c", "user"):
            handle = parts[1]
        elif url_platform == Platform.FACEBOOK and parts[:1] == ["profile.php"]:
            handle = dict(pair.split("=", 1) for pair in parsed.query.split("&") if "=" in pair).get("id", "")
        elif url_platform == Platform.FACEBOOK and parts[:1] == ["pages"] and len(parts) >= 3:
            handle = parts[-1]
        else:
            handle = parts[0] if parts else ""
        return url_platform, clean_handle(url_platform, handle.removeprefix("@"))
    if platform is None:
        raise ValidationError(_("No platform given for handle “%(value)s”.") % {"value": text})
    return platform, clean_handle(platform, text.removeprefix("@"))


def clean_handle(platform, handle):
    """Raise unless ``handle`` is one the platform can have."""
    handle = str(handle).strip()
    pattern = HANDLE_PATTERNS[Platform(platform)]
    if not pattern.match(handle):
        raise ValidationError(
            _("“%(handle)s” cannot be a %(platform)s handle: expected %(expected)s.")
            % {"handle": handle, "platform": Platform(platform).label, "expected": HANDLE_EXPECTED[Platform(platform)]}
        )
    return handle


def clean_url(value, *, what):
    text = str(value).strip()
    if not text:
        return ""
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValidationError(
            _("%(what)s “%(value)s” is not a web address: expected https://…") % {"what": what, "value": text}
        )
    return text
