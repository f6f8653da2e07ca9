"""Data freshness (analysts): runs, account statuses, stale and problem accounts."""

from dataclasses import dataclass
from datetime import UTC, date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from legislators.models import AccountStatus, AuditEntry, Legislator, Platform, SocialAccount, VoterRoll
from legislators.names import platform_label
from metrics.models import Connection, FetchRun, Target

from .engine import PLATFORMS, members_queryset

PROBLEM_STATUSES = [
    AccountStatus.NOT_FOUND,
    AccountStatus.SUSPENDED,
    AccountStatus.PRIVATE,
    AccountStatus.HIDDEN,
    AccountStatus.ERROR,
]
FRESHNESS_LIST_LIMIT = 500


@dataclass
class PlatformFreshness:
    platform: str
    label: str
    run: FetchRun | None
    statuses: dict  # account status -> active accounts
    # How stale the tail is: the oldest last successful poll among the active
    # accounts that had one, and how many never had one.
    oldest_success: object = None  # datetime | None
    never_succeeded: int = 0


@dataclass
class Freshness:
    now: object
    platforms: list
    stale: list
    stale_count: int
    problems: list
    problem_count: int
    no_account: list
    connections: list = None  # connected accounts (audience geography): status, reason, last geography
    limit: int = FRESHNESS_LIST_LIMIT
    stale_days: int = 2


def freshness(*, scope_user, now=None, stale_days=None, limit=FRESHNESS_LIST_LIMIT):
    """The last run per platform, accounts by status, stale and problem
    accounts, and members with no account: a fixed number of queries."""
    now = now or timezone.now()
    stale_days = stale_days or settings.STALE_AFTER_DAYS
    counts_runs = FetchRun.objects.filter(kind=FetchRun.Kind.COUNTS)
    newest_run = counts_runs.filter(platform=OuterRef("platform")).order_by("-started_at").values("pk")[:1]
    runs = {run.platform: run for run in counts_runs.annotate(newest=Subquery(newest_run)).filter(pk=F("newest"))}

    members = members_queryset(day=timezone.localdate(now), scope_user=scope_user)
    accounts = SocialAccount.objects.filter(active=True, legislator__in=members.values("pk"))
    statuses, oldest, never = {}, {}, {}
    # One query: accounts per status, with each group's oldest success and never-succeeded count.
    rows = accounts.values("platform", "status").annotate(
        count=Count("pk"), oldest=Min("last_success_at"), never=Count("pk", filter=Q(last_success_at__isnull=True))
    )
    for row in rows.order_by():
        platform = row["platform"]
        statuses.setdefault(platform, {})[row["status"]] = row["count"]
        never[platform] = never.get(platform, 0) + row["never"]
        if row["oldest"] and (platform not in oldest or row["oldest"] < oldest[platform]):
            oldest[platform] = row["oldest"]

    stale = accounts.filter(
        Q(last_success_at__isnull=True) | Q(last_success_at__lt=now - timedelta(days=stale_days))
    ).select_related("legislator", "latest")
    stale_list = list(stale.order_by(F("last_success_at").asc(nulls_first=True), "pk")[:limit])
    problems = accounts.filter(status__in=PROBLEM_STATUSES).select_related("legislator")
    problem_list = list(problems.order_by("platform", "status", "legislator__name", "pk")[:limit])
    no_account = list(
        members.annotate(has_account=Exists(SocialAccount.objects.filter(legislator=OuterRef("pk"), active=True)))
        .filter(has_account=False)
        .select_related("constituency__district")
        .order_by("name", "pk")
    )
    connections = list(
        Connection.objects.filter(account__in=accounts)
        .select_related("account__legislator")
        .order_by("status", "account__legislator__name", "pk")[:limit]
    )
    return Freshness(
        connections=connections,
        now=now,
        platforms=[
            PlatformFreshness(
                platform=platform,
                label=platform_label(platform),
                run=runs.get(platform),
                statuses=statuses.get(platform, {}),
                oldest_success=oldest.get(platform),
                never_succeeded=never.get(platform, 0),
            )
            for platform in PLATFORMS
        ],
        stale=stale_list,
        stale_count=stale.count(),
        problems=problem_list,
        problem_count=problems.count(),
        no_account=no_account,
        limit=limit,
        stale_days=stale_days,
    )


@dataclass
class AccountFreshness:
    """One account's polling health, for the freshness page, its export and the digest."""

    account_id: int
    member_id: int
    member: str
    member_hi: str
    district: str
    division: str
    platform: str
    handle: str
    status: str
    status_label: str
    last_checked_at: object  # datetime | None
    last_success_at: object  # datetime | None
    latest_day: date | None
    latest_followers: int | None
    days_since_success: int | None
    stale: bool
    last_error: str


def freshness_accounts(
    *,
    scope_user=None,
    role="",
    party=None,
    division=None,
    district=None,
    platform="",
    search="",
    stale_only=False,
    stale_after_days=None,
    now=None,
    **_ignored,
):
    """Every active account of the members the filters select, most overdue first.

    Takes the standings filters (``StandingsFilterForm.selector_kwargs()``;
    ``day`` and ``status`` do not apply to accounts and are ignored). An
    account is stale when it never succeeded or its last success is older
    than ``stale_after_days`` (default settings.STALE_AFTER_DAYS). Order: never polled, then oldest success, then
    account id (the freshness page's order). One query.
    """
    now = now or timezone.now()
    members = members_queryset(
        day=timezone.localtime(now).date(),
        scope_user=scope_user,
        role=role,
        party=party,
        division=division,
        district=district,
        search=search,
    )
    accounts = SocialAccount.objects.filter(active=True, legislator__in=members.values("pk"))
    if platform:
        accounts = accounts.filter(platform=platform)
    cutoff = now - timedelta(days=stale_after_days or settings.STALE_AFTER_DAYS)
    if stale_only:
        accounts = accounts.filter(Q(last_success_at__isnull=True) | Q(last_success_at__lt=cutoff))
    accounts = accounts.select_related("legislator__constituency__district__division", "latest").order_by(
        F("last_success_at").asc(nulls_first=True), "pk"
    )
    status_labels = dict(SocialAccount._meta.get_field("status").choices)
    result = []
    for account in accounts:
        legislator = account.legislator
        district_ = legislator.constituency.district if legislator.constituency_id else None
        latest = getattr(account, "latest", None)
        success = account.last_success_at
        result.append(
            AccountFreshness(
                account_id=account.pk,
                member_id=legislator.pk,
                member=legislator.name,
                member_hi=legislator.name_hi,
                district=district_.name if district_ else "",
                division=district_.division.name if district_ else "",
                platform=account.platform,
                handle=account.handle,
                status=account.status,
                status_label=str(status_labels.get(account.status, account.status)),
                last_checked_at=account.last_checked_at,
                last_success_at=success,
                latest_day=latest.day if latest else None,
                latest_followers=latest.followers if latest else None,
                days_since_success=(now - success).days if success else None,
                stale=success is None or success < cutoff,
                last_error=account.last_error,
            )
        )
    return result


def last_runs_by_platform():
    """Each platform with its most recent fetch run (None when never polled): two queries."""
    counts_runs = FetchRun.objects.filter(kind=FetchRun.Kind.COUNTS)
    latest_ids = counts_runs.filter(platform=OuterRef("platform")).order_by("-started_at").values("pk")[:1]
    runs = {
        run.platform: run
        for run in counts_runs.filter(
            pk__in=counts_runs.values("platform").annotate(last=Subquery(latest_ids)).values("last")
        )
    }
    return [(platform, runs.get(platform.value)) for platform in Platform]


@dataclass(frozen=True)
class DataVersion:
    """What the stored data looks like now, for HTTP validators (the API's ETag and Last-Modified).

    ``fingerprint`` changes whenever a poll stores counts (a run starts, a
    batch finishes, a run ends), anything the audit trail records changes
    (every edit in the admin, every import, every count entered by hand), or a
    member, account, voter roll or target is added; ``last_modified`` is the
    newest of the last completed run's end and the newest audit entry, or None.
    """

    fingerprint: str
    last_modified: object  # datetime | None


def data_version():
    """The DataVersion: one query whose parts are each served by a primary key, an index
    (audit entries' created_at) or the fetch runs (a few a day per platform).

    Not the newest count's time nor each row's updated_at: those scan tables of
    one row per account (5 ms of every API request at 20,000 accounts), and
    every write they would catch is already a run's or an audit entry's.
    """
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    runs, audit = table(FetchRun), table(AuditEntry)
    times = (
        f"(SELECT MAX(finished_at) FROM {runs} WHERE finished_at IS NOT NULL)",
        f"(SELECT MAX(created_at) FROM {audit})",
    )
    others = (
        f"(SELECT MAX(id) FROM {runs})",
        f"(SELECT SUM(batches_done) FROM {runs})",
        f"(SELECT MAX(id) FROM {audit})",
        *[f"(SELECT MAX(id) FROM {table(model)})" for model in (Legislator, SocialAccount, VoterRoll, Target)],
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(times + others)}")
        row = cursor.fetchone()
    moments = []
    for value in row[: len(times)]:
        if isinstance(value, str):  # SQLite gives aggregated datetimes back as text
            value = parse_datetime(value)
            if value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value, UTC)
        moments.append(value)
    fingerprint = "|".join("" if value is None else str(value) for value in (*moments, *row[len(times) :]))
    present = [moment for moment in moments if moment is not None]
    return DataVersion(fingerprint=fingerprint, last_modified=max(present) if present else None)
