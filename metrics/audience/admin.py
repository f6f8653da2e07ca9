"""The admin of connected accounts (revoke), audience geographies (read only), the gazetteer and the
unmatched city names (map each to a district). Registered by ``metrics.admin``."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from legislators.access import can_manage_connections
from legislators.admin_scope import ScopedAdmin, WholeStateAdmin
from legislators.models import District
from metrics.audience.connections import connection_revoke
from metrics.audience.models import AudienceCity, AudienceGeography, Connection, Place, UnmatchedPlace
from metrics.audience.places import place_map


@admin.action(description=_("Revoke the selected connections (erase their tokens)"))
def revoke_connections(modeladmin, request, queryset):
    if not can_manage_connections(request.user):
        modeladmin.message_user(request, gettext("Only editors revoke connections."), messages.ERROR)
        return
    count = 0
    for connection in queryset.exclude(status=Connection.Status.REVOKED).select_related("account"):
        connection_revoke(connection=connection, user=request.user, reason=gettext("revoked in the admin"))
        count += 1
    modeladmin.message_user(request, gettext("%(count)d connection(s) revoked.") % {"count": count}, messages.SUCCESS)


@admin.register(Connection)
class ConnectionAdmin(ScopedAdmin):
    """Tokens are never shown (not even encrypted): the form has none of their fields."""

    list_display = ["account", "provider", "status", "status_reason", "expires_at", "connected_at", "last_geography_at"]
    list_filter = ["status", "provider", "account__platform"]
    search_fields = ["account__handle", "account__legislator__name"]
    list_select_related = ["account", "account__legislator"]
    actions = [revoke_connections]
    fields = [
        "account",
        "provider",
        "status",
        "status_reason",
        "external_id",
        "expires_at",
        "scopes",
        "connected_by",
        "connected_via_link",
        "connected_at",
        "refreshed_at",
        "revoked_at",
        "revoked_by",
        "last_geography_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # connecting goes through the provider's consent (the member's connections page)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of who granted what stays


class AudienceCityInline(admin.TabularInline):
    model = AudienceCity
    fields = ["name", "value"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(AudienceGeography)
class AudienceGeographyAdmin(ScopedAdmin):
    list_display = ["account", "day", "metric", "total", "other", "fetched_at"]
    list_filter = ["metric", "account__platform", "day"]
    list_select_related = ["account"]
    readonly_fields = ["account", "day", "metric", "total", "other", "followers", "fetched_at"]
    fields = readonly_fields
    inlines = [AudienceCityInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Place)
class PlaceAdmin(WholeStateAdmin):
    list_display = ["name", "district", "state_code", "source"]
    list_filter = ["state_code", "district__division"]
    search_fields = ["name", "key"]
    autocomplete_fields = ["district"]


class UnmatchedPlaceForm(forms.ModelForm):
    district = forms.ModelChoiceField(
        queryset=District.objects.order_by("name"),
        required=False,
        label=_("district"),
        help_text=_("The district this place lies in; leave empty for a place outside the state."),
    )

    class Meta:
        model = UnmatchedPlace
        fields = []


@admin.register(UnmatchedPlace)
class UnmatchedPlaceAdmin(WholeStateAdmin):
    """City names the platforms reported that no place matches: saving one with its district maps it."""

    form = UnmatchedPlaceForm
    list_display = ["name", "platforms", "audience", "first_seen", "last_seen"]
    search_fields = ["name"]
    readonly_fields = ["name", "platforms", "audience", "first_seen", "last_seen"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        place_map(unmatched=obj, district=form.cleaned_data.get("district"), user=request.user)
