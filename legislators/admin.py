from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from metrics.admin_actions import poll_accounts_now, poll_platforms_now

from .models import Constituency, District, Division, Legislator, Party, SocialAccount, UserScope, VoterRoll


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_hi"]
    search_fields = ["name", "name_hi"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "name_hi", "division"]
    list_filter = ["division"]
    search_fields = ["name", "name_hi"]
    list_select_related = ["division"]


class VoterRollInline(admin.TabularInline):
    model = VoterRoll
    extra = 0
    fields = ["published_on", "total_electors", "male", "female", "third_gender", "source"]


@admin.register(Constituency)
class ConstituencyAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "name_hi", "kind", "state_code", "district", "reserved_category"]
    list_filter = ["kind", "state_code", "reserved_category", "district__division", "district"]
    search_fields = ["name", "name_hi", "=number"]
    list_select_related = ["district"]
    autocomplete_fields = ["district"]
    inlines = [VoterRollInline]


@admin.register(VoterRoll)
class VoterRollAdmin(admin.ModelAdmin):
    list_display = ["constituency", "published_on", "total_electors", "source"]
    list_filter = ["published_on"]
    search_fields = ["constituency__name", "constituency__name_hi", "=constituency__number"]
    list_select_related = ["constituency"]
    autocomplete_fields = ["constituency"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "colour"]
    search_fields = ["name", "short_name"]


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    extra = 0
    fields = ["platform", "handle", "platform_id", "kind", "active", "status", "last_success_at"]
    readonly_fields = ["status", "last_success_at"]


@admin.register(Legislator)
class LegislatorAdmin(admin.ModelAdmin):
    list_display = ["name", "name_hi", "role", "party", "constituency", "active"]
    list_filter = ["role", "party", "active", "constituency__district__division", "constituency__district"]
    search_fields = ["name", "name_hi", "constituency__name", "constituency__name_hi"]
    list_select_related = ["party", "constituency"]
    autocomplete_fields = ["constituency", "party"]
    inlines = [SocialAccountInline]


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ["handle", "platform", "legislator", "kind", "status", "active", "last_success_at"]
    list_filter = ["platform", "status", "kind", "active"]
    search_fields = ["handle", "platform_id", "legislator__name", "legislator__name_hi"]
    list_select_related = ["legislator"]
    autocomplete_fields = ["legislator"]
    readonly_fields = ["last_checked_at", "last_success_at", "last_error"]
    actions = [poll_accounts_now, poll_platforms_now]


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):
    list_display = ["user"]
    filter_horizontal = ["divisions", "districts"]
    autocomplete_fields = ["user"]
    verbose_name = _("user scope")
