"""Who gets what, for every URL pattern of the site: one table, checked as five people.

The table ``EXPECTED`` has one entry per URL pattern of the resolver (the
admin included). ``test_every_url_pattern_has_an_entry`` fails when a URL is
added without one, so whoever adds a page decides here who may see it.

Answers:
  200, 401, 403, 404, 405 — that status (401: the API without credentials);
  "login"            — 302 to the login page (anonymous: LoginRequiredMiddleware);
  "admin-login"      — 302 to the admin's login page (the admin's own pages for
                       anyone who is not staff; its model pages send anonymous
                       visitors to the site's login page first);
  "redirect"         — another 302 (e.g. the admin's bare object URL → its change page).

The people: anonymous; viewer, analyst, editor (the groups); district_viewer
(a Viewer limited to one district). Pages that show one member are asked for
a member OUTSIDE the district viewer's district, so that column proves the
scope holds.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from legislators.models import Legislator, Platform
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "viewer", "analyst", "editor", "district_viewer")
L, AL = "login", "admin-login"


def everyone(answer):
    return dict.fromkeys(ROLES, answer)


def roles(anonymous, viewer, analyst, editor, district_viewer):
    return dict(zip(ROLES, (anonymous, viewer, analyst, editor, district_viewer), strict=True))


STAFF_ONLY = roles(AL, AL, AL, 200, AL)

# ---- the site's own pages ------------------------------------------------
SITE = {
    "accounts/login/": everyone(200),
    "accounts/logout/": roles(L, 405, 405, 405, 405),  # POST only: a GET must not log anyone out
    "i18n/setlang/": everyone("redirect"),  # GET changes nothing and sends you back
    "healthz": everyone(200),
    "": roles(L, 200, 200, 200, 200),
    "members/<int:pk>/": roles(L, 200, 200, 200, 404),
    "constituencies/<int:pk>/": roles(L, 200, 200, 200, 404),  # a seat outside the district viewer's scope
    "stagnant/": roles(L, 200, 200, 200, 200),
    "local/": roles(L, 200, 200, 200, 200),  # the local shares of the members in the user's scope
    "search/": roles(L, 200, 200, 200, 200),  # a limited user's results stay in scope (tests/metrics/test_search.py)
    "divisions/": roles(L, 200, 200, 200, 200),
    "divisions/<int:pk>/": roles(L, 200, 200, 200, 404),  # a division outside the district viewer's scope
    "districts/<int:pk>/": roles(L, 200, 200, 200, 404),  # likewise a district
    "freshness/": roles(L, 403, 200, 200, 403),  # analysts and editors
    "counts/enter/": roles(L, 403, 200, 200, 403),  # counts by hand: analysts and editors
    "exports/<slug:kind>.<str:fmt>": roles(L, 403, 200, 200, 403),  # downloads: analysts and editors
    "poll/": roles(L, 403, 403, 200, 403),
    "account/tokens/": roles(L, 200, 200, 200, 200),  # everyone's own API tokens
    "account/tokens/<int:pk>/revoke/": roles(L, 405, 405, 405, 405),  # POST only
    # Connected accounts: Editors only (legislators.access.can_manage_connections); the writes are POST only.
    "members/<int:pk>/connections/": roles(L, 403, 403, 200, 403),
    "members/<int:pk>/connections/link/": roles(L, 405, 405, 405, 405),
    "connections/start/<int:account_id>/": roles(L, 405, 405, 405, 405),
    "connections/<int:pk>/revoke/": roles(L, 405, 405, 405, 405),
    # The provider's return: without the flow this browser started, refused (400) for everyone.
    "connections/callback/": everyone(400),
    # A staff link: the signed link is the authority (one member, CONNECT_LINK_HOURS), no login needed.
    "connect/<str:token>/": everyone(200),
}

# ---- the read API (tokens or the session; no login page: 401) ------------
API = {
    "api/v1/members/": roles(401, 200, 200, 200, 200),
    "api/v1/members/<int:pk>/": roles(401, 200, 200, 200, 404),  # a member outside the district viewer's scope
    "api/v1/members/<int:pk>/history/": roles(401, 200, 200, 200, 404),
    "api/v1/constituencies/": roles(401, 200, 200, 200, 200),
    "api/v1/constituencies/<int:pk>/": roles(401, 200, 200, 200, 404),
    "api/v1/standings/": roles(401, 200, 200, 200, 200),
    "api/v1/rollups/": roles(401, 200, 200, 200, 200),
    "api/v1/fetch-runs/": roles(401, 403, 200, 200, 403),  # the freshness permission
    "api/v1/freshness/": roles(401, 403, 200, 200, 403),
    "api/v1/schema/": roles(401, 200, 200, 200, 200),
    "api/v1/docs/": roles(L, 200, 200, 200, 200),  # a page for the browser: anonymous visitors log in first
}

# ---- the admin -----------------------------------------------------------
ADMIN_SITE = {
    "admin/": STAFF_ONLY,
    "admin/login/": roles(200, 200, 200, "redirect", 200),  # a non-staff user is told they lack access
    "admin/logout/": roles(AL, "redirect", "redirect", 405, "redirect"),
    "admin/password_change/": STAFF_ONLY,
    "admin/password_change/done/": STAFF_ONLY,
    "admin/autocomplete/": roles(AL, AL, AL, 403, AL),  # without a field to complete: refused
    "admin/jsi18n/": STAFF_ONLY,
    "admin/r/<path:content_type_id>/<path:object_id>/": roles(AL, AL, AL, 404, AL),  # members have no public URL
    "admin/^(?P<app_label>auth|django_celery_beat|axes|legislators|metrics)/$": STAFF_ONLY,
    "admin/(?P<url>.*)$": roles(AL, AL, AL, 404, AL),
    "admin/auth/user/<id>/password/": roles(L, AL, AL, 403, AL),
    # Imports (editors): upload → preview → apply, and the blank templates.
    "admin/legislators/importbatch/upload/": roles(L, AL, AL, 200, AL),
    "admin/legislators/importbatch/<int:pk>/preview/": roles(L, AL, AL, 200, AL),
    "admin/legislators/importbatch/template/<str:kind>.<str:extension>": roles(L, AL, AL, 200, AL),
}

# What an Editor may do with each model in the admin (v: view, a: add,
# c: change, d: delete; "" — nothing: 403). Every registered model needs a line.
ADMIN_MODELS = {
    "auth.group": "",
    "auth.user": "",
    "axes.accessattempt": "",
    "axes.accessfailurelog": "",
    "axes.accesslog": "",
    "django_celery_beat.clockedschedule": "",
    "django_celery_beat.crontabschedule": "",
    "django_celery_beat.intervalschedule": "",
    "django_celery_beat.periodictask": "",
    "django_celery_beat.solarschedule": "",
    "legislators.auditentry": "v",  # read-only: written by the services
    "legislators.constituency": "vac",
    "legislators.constituencyshape": "v",  # read-only: written by the boundaries import and load_reference
    "legislators.district": "vac",
    "legislators.handlechange": "v",  # read-only: renames come from polling, the account form and imports
    "legislators.importbatch": "v",  # new imports go through the upload page below
    "legislators.division": "vac",
    "legislators.legislator": "vac",
    "legislators.party": "vac",
    "legislators.term": "vac",  # dated seats: a wrong one is corrected, not deleted
    "legislators.appointment": "vac",
    "legislators.aspirant": "vac",
    "legislators.socialaccount": "vac",
    "legislators.userscope": "",
    "legislators.voterroll": "vac",
    "metrics.digestrecipients": "",  # superusers only
    "metrics.fetchrun": "",
    "metrics.followersnapshot": "vac",  # history is never deleted, a newer count corrects it
    "metrics.latestcount": "",
    "metrics.target": "vac",
    "metrics.apitoken": "",  # superusers only (each user manages their own on the API tokens page)
    "metrics.connection": "v",  # read-only: connected and revoked through the provider (or the revoke action)
    "metrics.audiencegeography": "",  # superusers only: written by polling
    "metrics.place": "",  # the gazetteer: superusers
    "metrics.unmatchedplace": "",  # mapped by superusers
}


def _admin_model_rows(label, editor_can):
    app, model = label.split(".")
    base = f"admin/{app}/{model}/"
    sees = "v" in editor_can or "c" in editor_can

    def editor(allowed):
        return roles(L, AL, AL, 200 if allowed else 403, AL)

    return {
        base: editor(sees),
        f"{base}add/": editor("a" in editor_can),
        f"{base}<path:object_id>/history/": editor(sees),
        f"{base}<path:object_id>/delete/": editor("d" in editor_can),
        f"{base}<path:object_id>/change/": editor(sees),
        f"{base}<path:object_id>/": roles(L, AL, AL, "redirect", AL),
    }


EXPECTED = {**SITE, **API, **ADMIN_SITE}
for _label, _can in ADMIN_MODELS.items():
    EXPECTED.update(_admin_model_rows(_label, _can))


def url_patterns(patterns=None, prefix=""):
    """Every URL pattern of the resolver, as its full route string."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


ALL_PATTERNS = sorted(set(url_patterns()))


def test_every_url_pattern_has_an_entry():
    missing = [pattern for pattern in ALL_PATTERNS if pattern not in EXPECTED]
    assert not missing, "Add these URL patterns to the permission matrix (tests/security): " + ", ".join(missing)
    stale = [pattern for pattern in EXPECTED if pattern not in ALL_PATTERNS]
    assert not stale, "The matrix lists URL patterns that no longer exist: " + ", ".join(stale)


def test_every_admin_model_has_a_line():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


@pytest.fixture
def world():
    """The cast, a member outside the district viewer's district, and one object per admin model."""
    home = factories.district(name="Home district")
    elsewhere = factories.district(name="Elsewhere")
    people = {
        "viewer": factories.user("viewer", "Viewer"),
        "analyst": factories.user("analyst", "Analyst"),
        "editor": factories.user("editor", "Editor", is_staff=True),
        "district_viewer": factories.user("district_viewer", "Viewer", districts=[home]),
    }
    factories.legislator("Home member", factories.constituency(home, electors=100_000))
    outside = factories.legislator(
        "Outside member", factories.constituency(elsewhere, electors=100_000), party_=factories.party("XP")
    )
    account = factories.account(outside, Platform.X)
    factories.counts(account, {timezone.localdate(): 1_000})
    _one_of_every_admin_model(account)
    return {"people": people, "member": outside}


def _one_of_every_admin_model(account):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import ClockedSchedule, CrontabSchedule, SolarSchedule

    from metrics.models import FetchRun

    Group.objects.get_or_create(name="Viewer")
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    CrontabSchedule.objects.create(minute="0", hour="6")
    SolarSchedule.objects.create(event="sunrise", latitude=26.85, longitude=80.95)
    FetchRun.objects.create(platform=Platform.X, started_at=timezone.now())
    _one_of_each_audience_model(account)
    common = {"ip_address": "203.0.113.9", "user_agent": "test", "username": "someone"}
    AccessAttempt.objects.create(**common, failures_since_start=1, get_data="", post_data="")
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common)
    _one_of_each_data_management_model(account)


def _one_of_each_audience_model(account):
    from metrics.audience.models import AudienceGeography, Connection, Place, UnmatchedPlace

    now = timezone.now()
    Connection.objects.create(account=account, provider="facebook", status="connected", connected_at=now)
    AudienceGeography.objects.create(
        account=account, day=now.date(), metric="followers", total=5, other=5, fetched_at=now
    )
    Place.objects.create(key="bhopal, madhya pradesh", name="Bhopal, Madhya Pradesh", source="test")
    UnmatchedPlace.objects.create(key="atlantis", name="Atlantis", first_seen=now.date(), last_seen=now.date())


def _one_of_each_data_management_model(account):
    from legislators.models import Appointment, Aspirant, AuditEntry, ChangeSource, HandleChange, ImportBatch
    from metrics.models import DigestRecipients

    batch = ImportBatch.objects.create(
        kind="constituencies",
        filename="c.csv",
        sha256="0" * 64,
        content=b"number,name\n",
        created_by=User.objects.get(username="editor"),
    )
    AuditEntry.objects.create(
        model="legislators.socialaccount",
        object_id=str(account.pk),
        object_repr=str(account),
        action="update",
        changes={"handle": ["a", "b"]},
        source=ChangeSource.ADMIN,
        batch=batch,
    )
    factories.shape(account.legislator.constituency)
    HandleChange.objects.create(
        account=account, old_handle="old_name", new_handle=account.handle, changed_on=timezone.localdate()
    )
    Appointment.objects.create(legislator=account.legislator, role="MOS", start=timezone.localdate())
    Aspirant.objects.create(
        legislator=account.legislator,
        constituency=account.legislator.terms.get().constituency,
        start=timezone.localdate(),
    )
    DigestRecipients.objects.create(name="State", emails="someone@example.org")
    from metrics.tokens import api_token_create

    api_token_create(user=User.objects.get(username="viewer"), name="matrix")


def _sample_url(pattern, world):
    """A concrete URL for a pattern: real objects for every argument."""
    member = world["member"]
    if pattern == "members/<int:pk>/":
        return reverse("metrics:member", args=[member.pk])
    if pattern == "admin/r/<path:content_type_id>/<path:object_id>/":
        return f"/admin/r/{ContentType.objects.get_for_model(Legislator).pk}/{member.pk}/"
    if pattern.startswith("admin/^(?P<app_label>"):
        return "/admin/legislators/"
    if pattern == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if pattern in ("api/v1/members/<int:pk>/", "api/v1/members/<int:pk>/history/"):
        return "/" + pattern.replace("<int:pk>", str(member.pk))
    if pattern == "api/v1/constituencies/<int:pk>/":
        return "/" + pattern.replace("<int:pk>", str(member.constituency_id))
    if pattern == "account/tokens/<int:pk>/revoke/":
        from metrics.tokens import api_token_create

        token, _secret = api_token_create(user=User.objects.get(username="viewer"), name="matrix")
        return reverse("metrics:api_token_revoke", args=[token.pk])
    if pattern in ("members/<int:pk>/connections/", "members/<int:pk>/connections/link/"):
        return "/" + pattern.replace("<int:pk>", str(member.pk))
    if pattern == "connections/start/<int:account_id>/":
        return "/" + pattern.replace("<int:account_id>", str(member.accounts.first().pk))
    if pattern == "connections/<int:pk>/revoke/":
        from metrics.audience.models import Connection

        return "/" + pattern.replace("<int:pk>", str(Connection.objects.get().pk))
    if pattern == "connect/<str:token>/":
        from metrics.audience.connections import connect_link_make

        return reverse("metrics:connect_link", args=[connect_link_make(legislator_id=member.pk, user_id=None)])
    if pattern == "constituencies/<int:pk>/":
        return reverse("metrics:constituency", args=[member.constituency_id])
    if pattern == "divisions/<int:pk>/":
        return reverse("metrics:division", args=[member.constituency.district.division_id])
    if pattern == "districts/<int:pk>/":
        return reverse("metrics:district", args=[member.constituency.district_id])
    if pattern == "exports/<slug:kind>.<str:fmt>":
        return reverse("metrics:export", args=["standings", "csv"])
    if pattern == "admin/legislators/importbatch/<int:pk>/preview/":
        from legislators.models import ImportBatch

        return f"/admin/legislators/importbatch/{ImportBatch.objects.order_by('pk').first().pk}/preview/"
    if pattern == "admin/legislators/importbatch/template/<str:kind>.<str:extension>":
        return "/admin/legislators/importbatch/template/constituencies.csv"
    if pattern == "admin/auth/user/<id>/password/":
        return f"/admin/auth/user/{User.objects.get(username='viewer').pk}/password/"
    if "<path:object_id>" in pattern:
        app, model = pattern.split("/")[1:3]
        model_class = next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app, model))
        obj = model_class.objects.order_by("pk").first()
        assert obj is not None, f"the fixture needs one {app}.{model}"
        return "/" + pattern.replace("<path:object_id>", str(obj.pk))
    assert "<" not in pattern and "(" not in pattern, f"teach _sample_url an example for {pattern}"
    return "/" + pattern


def _answer(response):
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("login")):
        return "login"
    if location.startswith(reverse("admin:login")):
        return "admin-login"
    return "redirect"


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    if role != "anonymous":
        client.force_login(world["people"][role])
    wrong = []
    for pattern in ALL_PATTERNS:
        url = _sample_url(pattern, world)
        expected = EXPECTED[pattern][role]
        got = _answer(client.get(url))
        if got != expected:
            wrong.append(f"{url} ({pattern}): expected {expected}, got {got}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
