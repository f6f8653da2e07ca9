from django.contrib import admin

from .models import DigestRecipients, FetchBatch, FetchRun, FollowerSnapshot, LatestCount, Target


@admin.register(FollowerSnapshot)
class FollowerSnapshotAdmin(admin.ModelAdmin):
    list_display = ["account", "day", "followers", "posts", "source", "fetched_at"]
    list_filter = ["source", "account__platform", "day"]
    search_fields = ["account__handle", "account__legislator__name", "account__legislator__name_hi"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    date_hierarchy = "day"
    show_full_result_count = False


@admin.register(LatestCount)
class LatestCountAdmin(admin.ModelAdmin):
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
    fields = ["index", "status", "accounts_ok", "accounts_failed", "api_calls", "attempts", "errors", "finished_at"]
    readonly_fields = fields


@admin.register(FetchRun)
class FetchRunAdmin(admin.ModelAdmin):
    list_display = ["platform", "client", "status", "started_at", "finished_at", "accounts_ok", "accounts_failed", "api_calls"]
    list_filter = ["platform", "status", "client"]
    readonly_fields = [f.name for f in FetchRun._meta.fields]
    inlines = [FetchBatchInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "percent", "stretch_percent", "note"]


@admin.register(DigestRecipients)
class DigestRecipientsAdmin(admin.ModelAdmin):
    list_display = ["name", "division", "language", "active", "last_sent_at"]
    readonly_fields = ["last_sent_at"]
    list_filter = ["language", "active", "division"]
    search_fields = ["name", "emails"]
