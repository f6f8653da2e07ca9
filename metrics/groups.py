"""The dashboard's groups and what each may do (used by a data migration and tests).

Viewer: the dashboard. Analyst: also exports and the data freshness page.
Editor: also edits records in the admin (give Editors staff status).
"""

VIEWER = ["metrics.view_dashboard"]
ANALYST = VIEWER + ["metrics.export_reports", "metrics.view_freshness"]
EDITED_MODELS = {
    "legislators": ["division", "district", "constituency", "voterroll", "party", "legislator", "socialaccount"],
    "metrics": ["followersnapshot", "target"],
}


def editor_permissions():
    names = list(ANALYST)
    for app_label, models in EDITED_MODELS.items():
        for model in models:
            names += [f"{app_label}.{action}_{model}" for action in ("add", "change", "view")]
    return names


GROUPS = {"Viewer": VIEWER, "Analyst": ANALYST, "Editor": editor_permissions()}


def ensure_groups(Group, Permission):
    """Create or update the groups with exactly their permissions (models passed in for migrations)."""
    for name, names in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for full_name in names:
            app_label, codename = full_name.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)
