"""Who may do what, and see where: the ONE group → permission map and the place scope.

Groups (made and kept exact by data migrations, from GROUPS below):
Viewer: the dashboard. Analyst: also exports, the data freshness page and
counts entered by hand. Editor: also edits records in the admin (give
Editors staff status), imports, role history, the audit trail, "poll now".

Scope: a user given a ``UserScope`` sees only the members of those
divisions/districts; ``scope_limits`` is what every selector asks.
"""

from django.db.models import Q

from .models import District, Division

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
    "legislators.view_handlechange",
    "legislators.add_importbatch",
    "legislators.view_importbatch",
    "legislators.view_auditentry",
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


def restrict_to_scope(members, *, user, prefix=""):
    """Only the members a division/district-limited user may see."""
    limits = scope_limits(user)
    if limits is None:
        return members
    division_ids, district_ids = limits
    return members.filter(
        Q(**{f"{prefix}constituency__district__division_id__in": division_ids})
        | Q(**{f"{prefix}constituency__district_id__in": district_ids})
    )


def scope_limits(user):
    """(division ids, district ids) a limited user may see, or None when unlimited."""
    scope = getattr(user, "scope", None) if user.is_authenticated else None
    if user.is_superuser or scope is None:
        return None
    division_ids = {division.pk for division in scope.divisions.all()}
    district_ids = {district.pk for district in scope.districts.all()}
    if not division_ids and not district_ids:
        return None
    return division_ids, district_ids


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


# --- Flags -------------------------------------------------------------------
