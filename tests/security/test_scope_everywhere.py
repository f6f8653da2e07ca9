"""Place scope holds everywhere: a limited user can neither see, name, confirm nor change anything outside it.

The cast: a limited user of every group (Viewer, Analyst, Editor) whose scope
is one district, a user without any scope, and a user whose last district was
removed. The world: a member at home, a member elsewhere with an account and
counts, each place with a name that must never reach the limited users.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from legislators.models import AuditEntry, Legislator, Platform, SocialAccount, UserScope
from metrics.models import FetchRun, FollowerSnapshot
from metrics.reports.options import KINDS
from tests import factories

pytestmark = pytest.mark.django_db

SECRET_NAMES = ("Chandragiri", "Amarvan", "Hidden Member", "hidden_handle")


@pytest.fixture
def world():
    home_division = factories.division("Home Division")
    home = factories.district(home_division, "Home District")
    far_division = factories.division("Amarvan")
    far = factories.district(far_division, "Chandragiri")
    inside = factories.legislator("Home Member", factories.constituency(home, electors=100_000))
    outside = factories.legislator("Hidden Member", factories.constituency(far, electors=100_000))
    today = timezone.localdate()
    home_account = factories.account(inside, Platform.X, handle="home_handle")
    factories.counts(home_account, {today: 2_000})
    hidden_account = factories.account(outside, Platform.X, handle="hidden_handle")
    factories.counts(hidden_account, {today: 1_831})
    FetchRun.objects.create(platform=Platform.X, started_at=timezone.now(), accounts_ok=987_654, note="statewide")
    return {
        "home": home,
        "far": far,
        "far_division": far_division,
        "inside": inside,
        "outside": outside,
        "hidden_account": hidden_account,
        "people": {
            "viewer": factories.user("home_viewer", "Viewer", districts=[home]),
            "analyst": factories.user("home_analyst", "Analyst", districts=[home]),
            "editor": factories.user("home_editor", "Editor", districts=[home], is_staff=True),
        },
    }


def assert_nothing_outside(text, where):
    for name in SECRET_NAMES:
        assert name not in text, f"{where} names {name!r}"


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("group", ["viewer", "analyst", "editor"])
def test_no_page_shows_a_name_or_count_from_outside_the_scope(client, world, group):
    client.force_login(world["people"][group])
    pages = [
        reverse("metrics:overview"),
        reverse("metrics:overview") + "?q=Hidden",
        reverse("metrics:stagnant"),
        reverse("metrics:divisions"),
        reverse("metrics:division", args=[world["home"].division_id]),
        reverse("metrics:district", args=[world["home"].pk]),
        reverse("metrics:member", args=[world["inside"].pk]),
    ]
    if group != "viewer":
        pages += [reverse("metrics:freshness"), reverse("metrics:count_enter")]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_nothing_outside(body(response), url)
    for url in (
        reverse("metrics:member", args=[world["outside"].pk]),
        reverse("metrics:district", args=[world["far"].pk]),
        reverse("metrics:division", args=[world["far_division"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert_nothing_outside(body(response), url)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_exports_refuse_places_outside_the_scope_without_naming_them(client, world, kind, fmt):
    client.force_login(world["people"]["analyst"])
    url = reverse("metrics:export", args=[kind, fmt])

    plain = client.get(url)
    assert plain.status_code == 200
    assert_nothing_outside(plain["Content-Disposition"], f"{url} file name")
    if fmt == "csv":
        assert_nothing_outside(body(plain), url)

    for query in (
        {"division": world["far_division"].pk},
        {"district": world["far"].pk},
        {"division": world["home"].division_id, "district": world["far"].pk},
    ):
        response = client.get(url, query)
        assert response.status_code == 400, (url, query)
        assert not response.has_header("Content-Disposition")
        assert_nothing_outside(body(response), f"{url}?{query}")


def test_the_freshness_page_hides_statewide_run_totals_from_a_limited_analyst(client, world):
    client.force_login(world["people"]["analyst"])
    page = body(client.get(reverse("metrics:freshness")))
    assert "9,87,654" not in page and "statewide)" not in page
    client.force_login(factories.user("state_analyst", "Analyst"))
    assert "9,87,654" in body(client.get(reverse("metrics:freshness")))


def test_counts_cannot_be_read_or_written_outside_the_scope(client, world):
    analyst = world["people"]["analyst"]
    account = world["hidden_account"]
    client.force_login(analyst)

    prefilled = body(client.get(reverse("metrics:count_enter"), {"account": account.pk}))
    assert "hidden_handle" not in prefilled

    post = {
        "platform": "x",
        "handle": "hidden_handle",
        "day": timezone.localdate().isoformat(),
        "followers": "7",
        "evidence_url": "https://example.org/shot.png",
    }
    refused = body(client.post(reverse("metrics:count_enter"), post))
    unknown = body(client.post(reverse("metrics:count_enter"), {**post, "handle": "no_such_handle"}))
    assert "No X account “hidden_handle” is recorded" in refused
    assert "No X account “no_such_handle” is recorded" in unknown  # the same answer: nothing is confirmed
    assert FollowerSnapshot.objects.get(account=account, day=timezone.localdate()).followers == 1_831
    assert not AuditEntry.objects.filter(user=analyst).exists()

    inside = SocialAccount.objects.get(handle="home_handle")
    client.post(reverse("metrics:count_enter"), {**post, "handle": "home_handle", "followers": "2500"})
    assert FollowerSnapshot.objects.get(account=inside, day=timezone.localdate()).followers == 2_500


def test_a_limited_editor_sees_and_edits_only_their_district_in_the_admin(client, world):
    client.force_login(world["people"]["editor"])
    outside = world["outside"]
    for model in ("legislator", "socialaccount", "constituency", "voterroll", "district", "division"):
        page = body(client.get(f"/admin/legislators/{model}/"))
        assert_nothing_outside(page, f"the {model} list")
    assert_nothing_outside(body(client.get("/admin/metrics/followersnapshot/")), "the counts list")

    change_url = reverse("admin:legislators_legislator_change", args=[outside.pk])
    assert client.get(change_url).status_code == 302  # "does not exist" (the admin sends you back)
    client.post(change_url, {"name": "Renamed", "role": "MLA", "active": "on"})
    assert Legislator.objects.get(pk=outside.pk).name == "Hidden Member"

    complete = client.get(
        "/admin/autocomplete/",
        {"app_label": "legislators", "model_name": "legislator", "field_name": "constituency", "term": ""},
    )
    assert complete.status_code == 200
    assert_nothing_outside(body(complete), "the constituency autocomplete")
    for url in ("/admin/legislators/auditentry/", "/admin/metrics/fetchrun/", "/admin/legislators/importbatch/upload/"):
        assert client.get(url).status_code == 403, url  # state-wide records: whole-state users only


def test_removing_a_limited_users_last_district_leaves_them_seeing_nothing(client, world):
    viewer = world["people"]["viewer"]
    client.force_login(viewer)
    assert "Home Member" in body(client.get(reverse("metrics:overview")))

    UserScope.objects.get(user=viewer).districts.clear()

    overview = body(client.get(reverse("metrics:overview")))
    assert "Home Member" not in overview
    assert_nothing_outside(overview, "the overview of an emptied scope")
    assert "Home Division" not in body(client.get(reverse("metrics:divisions")))


def test_a_user_without_a_scope_sees_nothing_and_a_whole_state_grant_sees_everything(client, world):
    client.force_login(factories.user("nobody_yet", "Viewer", whole_state=False))
    page = body(client.get(reverse("metrics:overview")))
    assert "Home Member" not in page and "Hidden Member" not in page

    client.force_login(factories.user("statewide", "Viewer"))
    page = body(client.get(reverse("metrics:overview")))
    assert "Home Member" in page and "Hidden Member" in page


def test_a_limited_editor_sees_only_their_districts_constituency_shapes(client, world):
    home_shape = factories.shape(world["inside"].constituency, source="home boundaries")
    hidden_shape = factories.shape(world["outside"].constituency, lon=78.0, source="hidden boundaries")
    client.force_login(factories.user("statewide_editor", "Editor", is_staff=True))
    everything = body(client.get("/admin/legislators/constituencyshape/"))
    assert "home boundaries" in everything and "hidden boundaries" in everything and "Chandragiri" in everything

    client.force_login(world["people"]["editor"])
    page = body(client.get("/admin/legislators/constituencyshape/"))
    assert "home boundaries" in page and "Home District" in page
    assert "hidden boundaries" not in page
    assert_nothing_outside(page, "the shapes list (rows and the district filter)")
    searched = body(client.get("/admin/legislators/constituencyshape/", {"q": world["outside"].constituency.number}))
    assert "hidden boundaries" not in searched and "0 constituency shapes" in searched
    assert client.get(f"/admin/legislators/constituencyshape/{hidden_shape.pk}/change/").status_code == 302
    own = client.get(f"/admin/legislators/constituencyshape/{home_shape.pk}/change/")
    assert own.status_code == 200 and "home boundaries" in body(own)
    assert client.get("/admin/legislators/constituencyshape/add/").status_code == 403  # the import writes them
    assert (
        client.post(f"/admin/legislators/constituencyshape/{home_shape.pk}/delete/", {"post": "yes"}).status_code == 403
    )
