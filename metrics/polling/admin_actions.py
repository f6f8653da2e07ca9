"""Admin actions that poll now, outside the schedule.

Each enqueues the same plan task the schedule runs, after the admin's
transaction commits; the run appears under "Fetch runs" with its outcome.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .tasks import plan_fetch_task


def _enqueue(platform, account_ids=None):
    transaction.on_commit(lambda: plan_fetch_task.delay(platform, account_ids))


@admin.action(description=_("Poll the selected accounts now"), permissions=["change"])
def poll_accounts_now(modeladmin, request, queryset):
    by_platform = {}
    for pk, platform in queryset.filter(active=True).values_list("pk", "platform"):
        by_platform.setdefault(platform, []).append(pk)
    for platform, ids in by_platform.items():
        _enqueue(platform, ids)
    count = sum(len(ids) for ids in by_platform.values())
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d account queued for polling; see Fetch runs for the outcome.",
            "%(count)d accounts queued for polling; see Fetch runs for the outcome.",
            count,
        )
        % {"count": count},
        messages.SUCCESS if count else messages.WARNING,
    )


@admin.action(description=_("Poll every active account of these platforms now"), permissions=["change"])
def poll_platforms_now(modeladmin, request, queryset):
    platforms = sorted(set(queryset.values_list("platform", flat=True)))
    for platform in platforms:
        _enqueue(platform)
    modeladmin.message_user(
        request,
        _("Polling queued for: %(platforms)s. See Fetch runs for the outcome.") % {"platforms": ", ".join(platforms)},
        messages.SUCCESS,
    )
