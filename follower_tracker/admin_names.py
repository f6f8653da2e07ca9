"""The admin in Hindi where Django and the third-party apps give no Hindi: the sections of the login log
(django-axes) and the schedules (django-celery-beat), their tables, and a few of the admin's own words.

``localised_app_list`` renames the index's and the sidebar's sections and tables in the chosen language;
the admin's own words are marked here so the project's catalogue (which Django reads before its own)
carries their Hindi.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

APP_NAMES = {
    "auth": _("Users and groups"),
    "axes": _("Login attempts"),
    "django_celery_beat": _("Schedules"),
}
MODEL_NAMES = {
    ("axes", "accessattempt"): _("Locked-out login attempts"),
    ("axes", "accessfailurelog"): _("Failed logins"),
    ("axes", "accesslog"): _("Logins"),
    ("axes", "accessattemptexpiration"): _("Lock-out expiries"),
    ("django_celery_beat", "clockedschedule"): _("Schedules: at a time"),
    ("django_celery_beat", "crontabschedule"): _("Schedules: crontab"),
    ("django_celery_beat", "intervalschedule"): _("Schedules: every interval"),
    ("django_celery_beat", "solarschedule"): _("Schedules: solar events"),
    ("django_celery_beat", "periodictask"): _("Scheduled tasks"),
}
# The admin's words that Django's own Hindi catalogue leaves in English.
ADMIN_WORDS = [
    gettext_noop("View site"),
    gettext_noop("Recent actions"),
    gettext_noop("My actions"),
    gettext_noop("View"),
    gettext_noop("Start typing to filter…"),
]


def localised_app_list(app_list):
    """The admin's app list with the sections and tables above named in the chosen language."""
    for app in app_list:
        label = app.get("app_label")
        if label in APP_NAMES:
            app["name"] = str(APP_NAMES[label])
        for model in app.get("models", []):
            name = MODEL_NAMES.get((label, model.get("object_name", "").lower()))
            if name is not None:
                model["name"] = str(name)
    return app_list


def install(site):
    """Wrap ``site.get_app_list`` (the index, the app pages and the sidebar all call it)."""
    original = site.get_app_list

    def get_app_list(request, app_label=None):
        return localised_app_list(original(request, app_label))

    site.get_app_list = get_app_list
