"""The admin of what is measured: counts, runs, targets, digests, API tokens; and the measured
columns and poll-now actions added to the legislators' own admin pages
(legislators knows nothing of metrics: the extension lives here)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery, Sum
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from legislators import validation
from legislators.admin import LegislatorAdmin, SocialAccountAdmin
from legislators.admin_scope import ScopedAdmin, WholeStateAdmin
from legislators.audit import AuditedAdmin
from legislators.models import Legislator, SocialAccount
from legislators.rolls import electors_in_force_expression

from . import arithmetic
from .counts import snapshot_enter
from .models import ApiToken, DigestRecipients, FetchBatch, FetchRun, FollowerSnapshot, LatestCount, Source, Target
from .polling.admin_actions import poll_accounts_now, poll_platforms_now
from .standings.daily import settle
from .tokens import api_token_create, api_token_revoke


class ManualCountForm(forms.ModelForm):
    """A count entered by hand: the same rules as the counts importer."""

    evidence_url = forms.URLField(label=_("evidence"), max_length=200, assume_scheme="https")
    taken_at = forms.DateTimeField(
        label=_("read at"), required=False, help_text=_("When the count was read (default: now).")
    )

    class Meta:
        model = FollowerSnapshot
        fields = ["account", "day", "followers", "posts", "evidence_url"]

    def clean_day(self):
        return validation.clean_date(self.cleaned_data["day"], what=gettext("Day"))

    def clean_evidence_url(self):
        if not self.cleaned_data.get("evidence_url"):
            raise forms.ValidationError(gettext("No evidence: expected the address where the count was read."))
        return self.cleaned_data["evidence_url"]

    def validate_unique(self):
        pass  # a second count for the same day updates the first (the newer reading wins)


@admin.register(FollowerSnapshot)
class FollowerSnapshotAdmin(ScopedAdmin):
    list_display = ["account", "day", "followers", "posts", "source", "fetched_at", "evidence_url"]
    list_filter = ["source", "account__platform", "day"]
    search_fields = ["account__handle", "account__legislator__name", "account__legislator__name_hi"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    date_hierarchy = "day"
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ManualCountForm
            kwargs["fields"] = ["account", "day", "followers", "posts", "evidence_url", "taken_at"]
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # history is corrected by entering a newer count, not edited in place
            return ["account", "day", "followers", "posts", "source", "fetched_at", "evidence_url"]
        return []

    def save_model(self, request, obj, form, change):
        if change:
            return
        stored = snapshot_enter(
            account=form.cleaned_data["account"],
            day=form.cleaned_data["day"],
            followers=form.cleaned_data["followers"],
            posts=form.cleaned_data.get("posts"),
            evidence_url=form.cleaned_data["evidence_url"],
            now=form.cleaned_data.get("taken_at") or timezone.now(),
            source=Source.MANUAL,
            user=request.user,
        )
        settle()  # the standings it changes, in the admin's transaction
        saved = FollowerSnapshot.objects.get(account=form.cleaned_data["account"], day=form.cleaned_data["day"])
        obj.pk = saved.pk
        if not stored:
            self.message_user(
                request,
                gettext("Not stored: a newer count for that day is already recorded (both are in the audit trail)."),
                messages.WARNING,
            )

    def log_addition(self, request, obj, message):
        return None  # the audit trail records it (snapshot_enter)


@admin.register(LatestCount)
class LatestCountAdmin(ScopedAdmin):
    list_display = ["account", "day", "followers", "posts", "source"]
    list_filter = ["source", "account__platform"]
    search_fields = ["account__handle", "account__legislator__name"]
    list_select_related = ["account"]
    readonly_fields = ["account", "day", "followers", "posts", "source", "fetched_at"]

    def has_add_permission(self, request):
        return False  # kept by the polling service, never by hand


class FetchBatchInline(admin.TabularInline):
    model = FetchBatch
    extra = 0
    can_delete = False
    fields = [
        "index",
        "status",
        "accounts_ok",
        "accounts_failed",
        "status_counts",
        "api_calls",
        "attempts",
        "rate_limit_waits",
        "transient_retries",
        "retry_history",
        "last_attempt_error",
        "errors",
        "duration_seconds",
        "finished_at",
    ]
    readonly_fields = fields


@admin.register(FetchRun)
class FetchRunAdmin(WholeStateAdmin):
    list_display = [
        "platform",
        "client",
        "status",
        "started_at",
        "duration",
        "accounts_ok",
        "accounts_failed",
        "api_calls",
        "note",
    ]
    list_filter = ["platform", "status", "client"]
    readonly_fields = [f.name for f in FetchRun._meta.fields]
    inlines = [FetchBatchInline]


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]


@admin.action(description=_("Revoke the selected tokens"))
def revoke_tokens(modeladmin, request, queryset):
    revoked = 0
    for token in queryset.filter(revoked_at__isnull=True):
        api_token_revoke(token=token)
        revoked += 1
    modeladmin.message_user(request, gettext("%(count)d token(s) revoked.") % {"count": revoked}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Personal API tokens: an admin sees everyone's, revokes them, or makes one for a user
    (its secret shown once, on the page that answers the add form). Never deleted: a revoked
    token stays as the record of whose requests it made."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "state"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    actions = [revoke_tokens]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.state()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, secret = api_token_create(
            user=form.cleaned_data["user"], name=form.cleaned_data["name"], expires_at=form.cleaned_data["expires_at"]
        )
        obj.pk = token.pk
        obj._secret = secret  # for response_add only: never stored, never put in a message cookie

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "token": ApiToken.objects.select_related("user").get(pk=obj.pk),
            "secret": obj._secret,
            "title": gettext("API token made"),
        }
        response = TemplateResponse(request, "admin/metrics/apitoken/created.html", context)
        add_never_cache_headers(response)
        return response


@admin.register(Target)
class TargetAdmin(WholeStateAdmin, AuditedAdmin):
    list_display = ["effective_from", "percent", "stretch_percent", "note"]


@admin.register(DigestRecipients)
class DigestRecipientsAdmin(WholeStateAdmin):
    list_display = ["name", "division", "language", "active", "last_sent_at"]
    readonly_fields = ["last_sent_at"]
    list_filter = ["language", "active", "division"]
    search_fields = ["name", "emails"]


def _reach_subquery():
    """The sum of a member's active accounts' latest counts (one correlated subquery, no GROUP BY)."""
    return Subquery(
        LatestCount.objects.filter(account__legislator_id=OuterRef("pk"), account__active=True)
        .order_by()
        .values("account__legislator_id")
        .annotate(total=Sum("followers"))
        .values("total")[:1]
    )


def _share_text(followers, electors):
    share = arithmetic.share_percent(followers, electors)
    return "n/a" if share is None else f"{share:.2f}"


class MeasuredLegislatorAdmin(LegislatorAdmin):
    """The legislators' admin with each member's latest reach and share of voters."""

    list_display = [*LegislatorAdmin.list_display, "latest_followers", "share"]

    def get_queryset(self, request):
        today = timezone.localdate()
        return (
            super()
            .get_queryset(request)
            .annotate(reach=_reach_subquery(), electors_today=electors_in_force_expression(day=today))
        )

    @admin.display(description=_("latest followers"), ordering="reach")
    def latest_followers(self, obj):
        return obj.reach

    @admin.display(description=_("share of voters %"))
    def share(self, obj):
        return _share_text(obj.reach, obj.electors_today) if obj.constituency_id else "n/a"


class MeasuredSocialAccountAdmin(SocialAccountAdmin):
    """The accounts' admin with each account's latest count, its share, and "poll now"."""

    list_display = [*SocialAccountAdmin.list_display[:-1], "latest_followers", "share", "last_success_at"]
    actions = [*SocialAccountAdmin.actions, poll_accounts_now, poll_platforms_now]

    def get_queryset(self, request):
        electors = electors_in_force_expression(
            day=timezone.localdate(), constituency_ref="legislator__constituency_id"
        )
        return super().get_queryset(request).annotate(electors_today=electors)

    @admin.display(description=_("latest followers"), ordering="latest__followers")
    def latest_followers(self, obj):
        latest = getattr(obj, "latest", None)
        if latest is None:
            return "—"
        if latest.source in (Source.MANUAL, Source.IMPORT):
            return format_html("{} <em>({})</em>", latest.followers, gettext("manual"))
        return latest.followers

    @admin.display(description=_("share of voters %"))
    def share(self, obj):
        latest = getattr(obj, "latest", None)
        return _share_text(latest.followers if latest else None, obj.electors_today)


for model, model_admin in ((Legislator, MeasuredLegislatorAdmin), (SocialAccount, MeasuredSocialAccountAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


# Connected accounts, audience geographies, the gazetteer and the unmatched names.
from .audience import admin as audience_admin  # noqa: E402, F401
