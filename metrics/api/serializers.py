"""The API's rows: each endpoint's fields declared once, as a DRF serializer.

The serializer is the documented shape (the OpenAPI schema is made from it)
and gives the CSV and Parquet columns (name and kind) as well, so JSON, CSV
and Parquet carry the same fields under the same names. The rows themselves
are built as plain dicts by the ``*_row`` functions from the selectors'
results: running a DRF field per value for 5,000 members × 40 fields cost
more than computing the standings.
"""

from django.urls import reverse
from rest_framework import serializers

from metrics.audience.local import local_share_fields
from metrics.models import FetchRun
from metrics.reports import writers
from metrics.standings.engine import PLATFORMS

BLANK = writers.BLANK  # "no account on this platform": an empty CSV cell, null in JSON and Parquet

PROJECTIONS = ["met", "date", "beyond", "not_at_this_rate", "unknown"]


def _int(**kwargs):
    return serializers.IntegerField(allow_null=True, **kwargs)


def _percent(**kwargs):
    return serializers.FloatField(allow_null=True, **kwargs)


# --- standings -----------------------------------------------------------------


class StandingSerializer(serializers.Serializer):
    """One member's standing on the day: the standings engine's row (the same numbers as the pages and exports)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    name_hi = serializers.CharField()
    role = serializers.CharField(help_text="The role held on the day: CM, CABINET, MOS_IC, MOS or MLA.")
    role_label = serializers.CharField()
    portfolio = serializers.CharField()
    party = serializers.CharField(help_text="The party's short name.")
    constituency_number = _int()
    constituency = serializers.CharField()
    constituency_hi = serializers.CharField()
    district_id = _int()
    district = serializers.CharField()
    district_hi = serializers.CharField()
    division_id = _int()
    division = serializers.CharField()
    division_hi = serializers.CharField()
    electors = _int(help_text="The voter roll in force on the day; null: no constituency or no roll.")
    roll_day = serializers.DateField(
        allow_null=True, help_text="The publication day of the roll the electors come from."
    )
    roll_after_day = serializers.BooleanField(
        allow_null=True,
        help_text="The day is before the seat's first roll, whose figure is used (null: no roll).",
    )
    followers_x = _int(help_text="Null: no account on the platform, or no count yet.")
    followers_facebook = _int()
    followers_instagram = _int()
    followers_youtube = _int()
    reach = _int(help_text="Followers on all platforms added up.")
    share = _percent(help_text="reach / electors × 100; null when n/a.")
    local_share = _percent(
        help_text="An estimate: the followers living in the member's constituency (from connected accounts' "
        "audience by city, apportioned from the district by electors) / electors × 100; null when the member "
        "has no usable audience geography (no account connected, connection revoked or expired, not polled yet)."
    )
    local_share_day = serializers.DateField(
        allow_null=True, help_text="The date of the audience geography the local share comes from (the oldest used)."
    )
    local_share_coverage = _percent(
        help_text="The % of the counted accounts' followers the platforms placed by city (the rest is not "
        "guessed at, so the local share is a floor); null without a local share."
    )
    status = serializers.ChoiceField(choices=["stretch", "meets", "below", "n/a"])
    target = _percent(help_text="The target in force on the day, %.")
    needed = _int(help_text="Followers still needed to meet the target.")
    growth_7 = _int()
    growth_30 = _int()
    growth_90 = _int()
    growth_30_percent = _percent()
    stagnant = serializers.BooleanField(help_text="No growth over the last 30 days.")
    posts_30_x = _int()
    posts_30_facebook = _int()
    posts_30_instagram = _int()
    posts_30_youtube = _int()
    projection = serializers.ChoiceField(choices=PROJECTIONS, help_text="When the target is met at the 30-day rate.")
    projected_date = serializers.DateField(allow_null=True, help_text="Set when projection is 'date'.")
    slipping = serializers.BooleanField(help_text="Meets the target but lost followers over the last 30 days.")
    falls_below_target = serializers.DateField(
        allow_null=True, help_text="A slipping member's day below the target at the 30-day rate (null: none)."
    )
    accounts = serializers.IntegerField()
    na_reason = serializers.CharField(
        help_text="Why the share is n/a: no constituency, no voter roll, no follower count."
    )


def projection_fields(projection):
    if projection.reached:
        return "met", None
    if projection.day:
        return "date", projection.day
    if projection.beyond:
        return "beyond", None
    if projection.not_at_this_rate:
        return "not_at_this_rate", None
    return "unknown", None


def standing_row(member, target, local=None):
    """The member's row; ``local``: their ``metrics.audience.local.LocalShare`` (None: the local fields are null)."""
    projection, projected_date = projection_fields(member.projection)
    row = {
        "id": member.id,
        "name": member.name,
        "name_hi": member.name_hi,
        "role": member.role,
        "role_label": member.role_label,
        "portfolio": member.portfolio,
        "party": member.party,
        "constituency_number": member.constituency_number,
        "constituency": member.constituency_name,
        "constituency_hi": member.constituency_name_hi,
        "district_id": member.district_id,
        "district": member.district,
        "district_hi": member.district_hi,
        "division_id": member.division_id,
        "division": member.division,
        "division_hi": member.division_hi,
        "electors": member.electors,
        "roll_day": member.roll_day,
        "roll_after_day": member.roll_after_day if member.roll_day else None,
    }
    for platform in PLATFORMS:
        row[f"followers_{platform}"] = member.followers[platform] if platform in member.followers else BLANK
    row.update(
        {
            "reach": member.reach,
            "share": member.share,
            **local_share_fields(local),
            "status": member.status.value,
            "target": target.percent,
            "needed": member.needed,
            "growth_7": member.growth_7,
            "growth_30": member.growth_30,
            "growth_90": member.growth_90,
            "growth_30_percent": member.growth_30_percent,
            "stagnant": member.stagnant,
        }
    )
    for platform in PLATFORMS:
        row[f"posts_30_{platform}"] = member.posts_30.get(platform, BLANK)
    row.update(
        {
            "projection": projection,
            "projected_date": projected_date,
            "slipping": member.slipping,
            "falls_below_target": (member.falls_below_target.day if member.falls_below_target else None)
            if member.slipping
            else None,
            "accounts": member.accounts,
            "na_reason": member.na_reason,
        }
    )
    return row


# --- rollups -------------------------------------------------------------------


class RollupSerializer(serializers.Serializer):
    """A division's or district's totals; attainment is elector-weighted (total followers / total electors)."""

    id = _int(help_text="The division's or district's id; null: members without one.")
    name = serializers.CharField()
    name_hi = serializers.CharField()
    division_id = _int()
    division = serializers.CharField()
    members = serializers.IntegerField()
    counted = serializers.IntegerField(help_text="Members with a share.")
    not_applicable = serializers.IntegerField(help_text="Members left out (n/a).")
    meets = serializers.IntegerField()
    meets_share = _percent()
    stretch = serializers.IntegerField()
    stagnant = serializers.IntegerField()
    total_reach = serializers.IntegerField()
    total_electors = serializers.IntegerField()
    attainment = _percent()


def rollup_row(group):
    return {
        "id": group.key,
        "name": group.name,
        "name_hi": group.name_hi,
        "division_id": group.division_id,
        "division": group.division,
        "members": group.members,
        "counted": group.counted,
        "not_applicable": group.not_applicable,
        "meets": group.meets,
        "meets_share": group.meets_share,
        "stretch": group.stretch,
        "stagnant": group.stagnant,
        "total_reach": group.total_reach,
        "total_electors": group.total_electors,
        "attainment": group.attainment,
    }


# --- a member's history --------------------------------------------------------

COMBINED = "all"
HISTORY_PLATFORMS = [COMBINED, *PLATFORMS]


class HistoryPointSerializer(serializers.Serializer):
    """A member's followers on a day (the last count of a week or month for a longer step)."""

    date = serializers.DateField()
    platform = serializers.ChoiceField(choices=HISTORY_PLATFORMS, help_text="'all': the member's platforms added up.")
    followers = serializers.IntegerField()


# --- members -------------------------------------------------------------------


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.ChoiceField(choices=PLATFORMS)
    handle = serializers.CharField()
    url = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    active = serializers.BooleanField()
    last_success_at = serializers.DateTimeField(allow_null=True)
    latest_day = serializers.DateField(allow_null=True)
    latest_followers = _int()


class MemberSerializer(serializers.Serializer):
    """A member with their seat and accounts. (Dated terms and appointments join when the people model lands.)"""

    id = serializers.IntegerField()
    name = serializers.CharField()
    name_hi = serializers.CharField()
    role = serializers.CharField(help_text="The role held on the day asked for (date, default today).")
    portfolio = serializers.CharField()
    party = serializers.CharField()
    constituency_id = _int()
    constituency_number = _int()
    constituency = serializers.CharField()
    district_id = _int()
    district = serializers.CharField()
    division_id = _int()
    division = serializers.CharField()
    term_start = serializers.DateField(allow_null=True)
    term_end = serializers.DateField(allow_null=True)
    active = serializers.BooleanField()
    accounts = AccountSerializer(many=True)


def account_row(account):
    latest = getattr(account, "latest", None)
    return {
        "id": account.pk,
        "platform": account.platform,
        "handle": account.handle,
        "url": account.url,
        "kind": account.kind,
        "status": account.status,
        "active": account.active,
        "last_success_at": account.last_success_at,
        "latest_day": latest.day if latest else None,
        "latest_followers": latest.followers if latest else None,
    }


def member_row(member):
    place = member.constituency
    district = place.district if place else None
    return {
        "id": member.pk,
        "name": member.name,
        "name_hi": member.name_hi,
        "role": getattr(member, "role_on_day", member.role),
        "portfolio": member.portfolio,
        "party": member.party.short_name if member.party else "",
        "constituency_id": member.constituency_id,
        "constituency_number": place.number if place else None,
        "constituency": place.name if place else "",
        "district_id": district.pk if district else None,
        "district": district.name if district else "",
        "division_id": district.division_id if district else None,
        "division": district.division.name if district else "",
        "term_start": member.term_start,
        "term_end": member.term_end,
        "active": member.active,
        "accounts": [account_row(account) for account in member.accounts.all()],
    }


def member_flat_row(row):
    """A member's row for CSV/Parquet: the accounts as handles per platform (several joined with a space)."""
    flat = {key: value for key, value in row.items() if key != "accounts"}
    flat["accounts"] = len(row["accounts"])
    for platform in PLATFORMS:
        handles = [account["handle"] for account in row["accounts"] if account["platform"] == platform]
        flat[f"handle_{platform}"] = " ".join(handles) if handles else BLANK
    return flat


MEMBER_FLAT_EXTRA = [("accounts", writers.INTEGER)] + [(f"handle_{p}", writers.TEXT) for p in PLATFORMS]


# --- constituencies ------------------------------------------------------------


class VoterRollSerializer(serializers.Serializer):
    published_on = serializers.DateField()
    total_electors = serializers.IntegerField()
    male = _int()
    female = _int()
    third_gender = _int()
    source = serializers.CharField()


class ConstituencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state_code = serializers.CharField()
    kind = serializers.CharField(help_text="AC (assembly) or PC (parliamentary).")
    number = serializers.IntegerField()
    name = serializers.CharField()
    name_hi = serializers.CharField()
    reserved_category = serializers.CharField()
    district_id = serializers.IntegerField()
    district = serializers.CharField()
    division_id = serializers.IntegerField()
    division = serializers.CharField()
    electors = _int(help_text="The voter roll in force on the day asked for (date, default today).")
    page_url = serializers.CharField(help_text="The dashboard's page of the seat (a path on this site).")
    voter_rolls = VoterRollSerializer(many=True)


def constituency_row(place):
    return {
        "id": place.pk,
        "state_code": place.state_code,
        "kind": place.kind,
        "number": place.number,
        "name": place.name,
        "name_hi": place.name_hi,
        "reserved_category": place.reserved_category,
        "district_id": place.district_id,
        "district": place.district.name,
        "division_id": place.district.division_id,
        "division": place.district.division.name,
        "electors": place.electors,
        "page_url": reverse("metrics:constituency", args=[place.pk]),
        "voter_rolls": [
            {
                "published_on": roll.published_on,
                "total_electors": roll.total_electors,
                "male": roll.male,
                "female": roll.female,
                "third_gender": roll.third_gender,
                "source": roll.source,
            }
            for roll in place.voter_rolls.all()
        ],
    }


def constituency_flat_row(row):
    flat = {key: value for key, value in row.items() if key != "voter_rolls"}
    flat["voter_rolls"] = len(row["voter_rolls"])
    return flat


CONSTITUENCY_FLAT_EXTRA = [("voter_rolls", writers.INTEGER)]


# --- fetch runs and freshness ----------------------------------------------------


FETCH_RUN_KINDS = FetchRun.Kind.values  # counts, geography


class FetchRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.ChoiceField(choices=PLATFORMS)
    kind = serializers.ChoiceField(
        choices=FETCH_RUN_KINDS,
        help_text="What the run polled: the public follower counts, or the connected accounts' audience by city.",
    )
    client = serializers.CharField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    batches_total = serializers.IntegerField()
    batches_done = serializers.IntegerField()
    accounts_ok = serializers.IntegerField()
    accounts_failed = serializers.IntegerField()
    api_calls = serializers.IntegerField()
    status_counts = serializers.DictField(child=serializers.IntegerField(), help_text="Accounts per outcome.")
    note = serializers.CharField()
    errors = serializers.ListField(
        child=serializers.CharField(),
        help_text="The first errors; empty for a division/district-limited user (they name accounts anywhere).",
    )


def fetch_run_row(run, *, with_errors):
    return {
        "id": run.pk,
        "platform": run.platform,
        "kind": run.kind,
        "client": run.client,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "batches_total": run.batches_total,
        "batches_done": run.batches_done,
        "accounts_ok": run.accounts_ok,
        "accounts_failed": run.accounts_failed,
        "api_calls": run.api_calls,
        "status_counts": run.status_counts,
        "note": run.note,
        "errors": list(run.errors) if with_errors else [],
    }


class FreshnessSerializer(serializers.Serializer):
    """One active account's polling health (the data freshness page's and export's row)."""

    account_id = serializers.IntegerField()
    member_id = serializers.IntegerField()
    member = serializers.CharField()
    member_hi = serializers.CharField()
    district = serializers.CharField()
    division = serializers.CharField()
    platform = serializers.ChoiceField(choices=PLATFORMS)
    handle = serializers.CharField()
    status = serializers.CharField()
    last_checked_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    latest_day = serializers.DateField(allow_null=True)
    latest_followers = _int()
    days_since_success = _int()
    stale = serializers.BooleanField()
    last_error = serializers.CharField()


def freshness_row(account):
    return {name: getattr(account, name) for name in FreshnessSerializer().fields}


# --- the shape as a Table (CSV, Parquet) ----------------------------------------

_KINDS = [
    (serializers.BooleanField, writers.BOOLEAN),
    (serializers.IntegerField, writers.INTEGER),
    (serializers.FloatField, writers.PERCENT),
    (serializers.DateTimeField, writers.DATE),
    (serializers.DateField, writers.DATE),
]


def columns_of(serializer_class, *, leave_out=(), extra=()):
    """The Table columns of a serializer's flat fields (headed by the field names), plus ``extra``."""
    columns = []
    for name, field in serializer_class().fields.items():
        if name in leave_out:
            continue
        kind = next((kind for field_class, kind in _KINDS if isinstance(field, field_class)), writers.TEXT)
        columns.append(writers.Column(name, name, kind))
    columns += [writers.Column(name, name, kind) for name, kind in extra]
    return columns


def json_ready(row):
    """BLANK ("no account on the platform") is null in JSON."""
    return {key: (None if value is BLANK else value) for key, value in row.items()}
