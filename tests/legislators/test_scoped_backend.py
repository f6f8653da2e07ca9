"""legislators.access.ScopedModelBackend: Django's ModelBackend's rules, read in fewer queries."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from legislators.access import ScopedModelBackend, scope_limits
from tests import factories

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request loads them (nothing cached on the object)."""
    return ScopedModelBackend().get_user(user.pk)


def test_the_same_permissions_as_djangos_backend_in_at_most_one_query():
    analyst = factories.user("analyst", "Analyst")
    analyst.user_permissions.add(Permission.objects.get(codename="change_legislator"))
    expected = ModelBackend().get_all_permissions(type(analyst).objects.get(pk=analyst.pk))
    loaded = fresh(analyst)
    with CaptureQueriesContext(connection) as queries:
        granted = loaded.get_all_permissions()
        assert loaded.has_perm("metrics.export_reports") and loaded.has_perm("legislators.change_legislator")
        assert not loaded.has_perm("metrics.poll_now")
    assert granted == expected and "metrics.view_dashboard" in granted
    # PostgreSQL: read with the user (an array beside its row); elsewhere one query of both kinds.
    assert len(queries) == (0 if connection.vendor == "postgresql" else 1)


def test_inactive_users_have_no_permission_and_superusers_every_one():
    viewer = factories.user("viewer", "Viewer")
    viewer.is_active = False
    viewer.save()
    assert ScopedModelBackend().get_all_permissions(type(viewer).objects.get(pk=viewer.pk)) == set()
    assert fresh(viewer) is None  # an inactive user's session no longer logs them in
    boss = factories.user("boss", is_superuser=True)
    assert fresh(boss).get_all_permissions() == ModelBackend().get_all_permissions(type(boss).objects.get(pk=boss.pk))
    assert fresh(boss).has_perm("legislators.delete_legislator")  # granted to no group: a superuser has it


def test_the_scope_comes_with_the_user():
    place = factories.district()
    limited = fresh(factories.user("limited", "Viewer", districts=[place]))
    everyone = fresh(factories.user("everyone", "Viewer"))
    nobody = fresh(factories.user("nobody", "Viewer", whole_state=False))
    with CaptureQueriesContext(connection) as queries:
        assert scope_limits(everyone) is None
    assert len(queries) == 0
    assert scope_limits(limited) == (frozenset(), frozenset({place.pk}))
    assert scope_limits(nobody) == (frozenset(), frozenset())


def test_a_logged_in_session_uses_it(client):
    client.force_login(factories.user("viewer", "Viewer"))
    assert client.session[BACKEND_SESSION_KEY] == "legislators.access.ScopedModelBackend"
    assert client.get(reverse("metrics:overview")).status_code == 200
