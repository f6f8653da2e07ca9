"""Who may do what, and see where: the ONE group → permission map and the place scope.

Groups (made and kept exact by data migrations, from GROUPS below):
Viewer: the dashboard. Analyst: also exports, the data freshness page and
counts entered by hand. Editor: also edits records in the admin (give
Editors staff status), imports, role history, the audit trail, "poll now".

Scope: what a user may see, asked here by every view, export, form, admin
page and API: the whole state (superusers, and a ``UserScope`` with
``whole_state``), or the members and places of some divisions/districts.
Without a scope, or with an empty one, a user sees nothing.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import CharField, OuterRef, Q, Value
from django.db.models.functions import Concat

from .models import District, Division, SocialAccount, UserScope

VIEWER = ["metrics.view_dashboard"]
ANALYST = VIEWER + ["metrics.export_reports", "metrics.view_freshness", "metrics.add_followersnapshot"]
EDITED_MODELS = {
    "legislators": [
        "division",
        "district",
        "constituency",
        "voterroll",
        "party",
        "legislator",
        "term",
        "appointment",
        "aspirant",
        "socialaccount",
    ],
    "metrics": ["followersnapshot", "target"],
}
EDITOR_EXTRA = [
    "metrics.poll_now",
    # Connect a member's accounts for their audience geography, revoke, make a staff link (metrics/audience).
    "metrics.manage_connections",
    "metrics.view_connection",
    "legislators.view_handlechange",
    "legislators.add_importbatch",
    "legislators.view_importbatch",
    "legislators.view_auditentry",
    "legislators.view_constituencyshape",  # the map's boundaries: read-only, written by the boundaries import
]


def editor_permissions():
    names = list(ANALYST)
    for app_label, models in EDITED_MODELS.items():
        for model in models:
            names += [f"{app_label}.{action}_{model}" for action in ("add", "change", "view")]
    return sorted(set(names + EDITOR_EXTRA))


GROUPS = {"Viewer": VIEWER, "Analyst": ANALYST, "Editor": editor_permissions()}


def ensure_groups(Group, Permission, groups=None):
    """Create or update the groups with exactly their permissions (models passed in for migrations).

    A data migration runs this with the models of its own moment: a permission
    of a model that does not exist yet then (no content type) is left for the
    later migration that creates the model and runs this again; a permission
    missing from a model that does exist is an error (a typo in the map).
    """
    for name, names in (groups or GROUPS).items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for full_name in names:
            app_label, codename = full_name.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None:
                model = codename.split("_", 1)[1]
                if not Permission.objects.filter(content_type__app_label=app_label, content_type__model=model).exists():
                    continue  # the model comes in a later migration, which grants it
                raise Permission.DoesNotExist(full_name)
            permissions.append(found)
        group.permissions.set(permissions)


def scope_limits(user):
    """None when ``user`` sees the whole state, else (division ids, district ids) they may see.

    Both sets may be empty: a limited user with nothing left in scope, a user
    without a scope, an anonymous user: nothing, never everything.
    """
    if user is None or not user.is_authenticated:
        return frozenset(), frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, "_scope_limits", False)
    if cached is not False:
        return cached
    try:
        scope = user.scope  # loaded with the user by ScopedModelBackend.get_user (else one query here)
    except UserScope.DoesNotExist:
        scope = None
    if scope is None:
        limits = (frozenset(), frozenset())
    elif scope.whole_state:
        limits = None
    else:
        limits = (
            frozenset(scope.divisions.values_list("pk", flat=True)),
            frozenset(scope.districts.values_list("pk", flat=True)),
        )
    user._scope_limits = limits  # one look-up per request (the user object lives as long as the request)
    return limits


def scope_key(user):
    """A short text naming what ``user`` may see, equal for users who see the same members and
    different otherwise ("all", or the division and district ids): for keys of cached figures."""
    limits = scope_limits(user)
    if limits is None:
        return "all"
    division_ids, district_ids = limits
    return "v{}-d{}".format(",".join(map(str, sorted(division_ids))), ",".join(map(str, sorted(district_ids))))


def is_whole_state(user):
    return scope_limits(user) is None


def restrict(queryset, *, user, district_path):
    """Only the rows under the user's divisions/districts; ``district_path`` leads from a row to its District
    (e.g. "constituency__district"); rows without a place are outside every limited scope."""
    limits = scope_limits(user)
    if limits is None:
        return queryset
    division_ids, district_ids = limits
    return queryset.filter(
        Q(**{f"{district_path}__division_id__in": division_ids}) | Q(**{f"{district_path}_id__in": district_ids})
    )


# How each place-bound model reaches its District: the admin, the API and the forms restrict through these.
DISTRICT_PATHS = {
    "legislators.constituency": "district",
    "legislators.constituencyshape": "constituency__district",
    "legislators.voterroll": "constituency__district",
    "legislators.legislator": "constituency__district",
    "legislators.socialaccount": "legislator__constituency__district",
    "legislators.term": "constituency__district",
    "legislators.appointment": "legislator__constituency__district",
    "legislators.aspirant": "constituency__district",
    "legislators.handlechange": "account__legislator__constituency__district",
    "metrics.followersnapshot": "account__legislator__constituency__district",
    "metrics.latestcount": "account__legislator__constituency__district",
    "metrics.connection": "account__legislator__constituency__district",
    "metrics.audiencegeography": "account__legislator__constituency__district",
    "metrics.dailystanding": "district",  # the row's district that day
}


def can_manage_connections(user):
    """Only Editors (and superusers) connect a member's accounts, revoke them and make staff links."""
    return user is not None and user.is_authenticated and user.has_perm("metrics.manage_connections")


def restrict_to_scope(members, *, user, prefix=""):
    """Only the members a division/district-limited user may see."""
    return restrict(members, user=user, district_path=f"{prefix}constituency__district")


def visible(queryset, *, user):
    """Any place-bound model's rows the user may see (DISTRICT_PATHS), Divisions and Districts included."""
    label = queryset.model._meta.label_lower
    if label == "legislators.division":
        return visible_divisions(user=user).filter(pk__in=queryset.values("pk"))
    if label == "legislators.district":
        return visible_districts(user=user).filter(pk__in=queryset.values("pk"))
    return restrict(queryset, user=user, district_path=DISTRICT_PATHS[label])


def visible_accounts(*, user):
    return restrict(SocialAccount.objects.all(), user=user, district_path=DISTRICT_PATHS["legislators.socialaccount"])


def visible_divisions(*, user):
    limits = scope_limits(user)
    divisions = Division.objects.all()
    if limits is None:
        return divisions
    division_ids, district_ids = limits
    return divisions.filter(Q(pk__in=division_ids) | Q(districts__pk__in=district_ids)).distinct()


def visible_districts(*, user):
    limits = scope_limits(user)
    districts = District.objects.select_related("division")
    if limits is None:
        return districts
    division_ids, district_ids = limits
    return districts.filter(Q(division_id__in=division_ids) | Q(pk__in=district_ids))


def _granted(user):
    """The permissions granted to ``user`` (an OuterRef to one, or the user) directly or through a group."""
    return Permission.objects.filter(Q(user=user) | Q(group__user=user))


class ScopedModelBackend(ModelBackend):
    """Django's ModelBackend, reading what every page asks of the user in fewer queries: the session's user
    comes with its ``UserScope`` and, on PostgreSQL, its permissions (an array of "app_label.codename") in
    one query; elsewhere the user's own and their groups' permissions come in one more. The same rules: an
    inactive user has no permission, a superuser has every one."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("scope")
        if connection.vendor == "postgresql":
            names = _granted(OuterRef("pk")).annotate(
                label=Concat("content_type__app_label", Value("."), "codename", output_field=CharField())
            )
            users = users.annotate(permission_names=ArraySubquery(names.values("label")))
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        names = getattr(user, "permission_names", None)
        if names is not None and not user.is_superuser:  # a superuser's are every permission (asked below)
            user._perm_cache = set(names)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            granted = _granted(user_obj).values_list("content_type__app_label", "codename").distinct()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in granted}
        return user_obj._perm_cache
