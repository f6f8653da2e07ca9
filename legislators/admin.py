import csv
import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services, validation
from .admin_scope import ScopedAdmin, ScopedInline, WholeStateAdmin
from .audit import AuditedAdmin
from .imports.admin import ImportBatchAdmin  # noqa: F401  (registers the import pages)
from .models import (
    Appointment,
    Aspirant,
    AuditEntry,
    ChangeSource,
    Constituency,
    ConstituencyShape,
    District,
    Division,
    HandleChange,
    Legislator,
    Party,
    SocialAccount,
    Term,
    UserScope,
    VoterRoll,
)
from .rolls import electors_in_force_expression


def _today():
    return timezone.localdate()


@admin.register(Division)
class DivisionAdmin(ScopedAdmin, AuditedAdmin):
    list_display = ["name", "name_hi"]
    search_fields = ["name", "name_hi"]


@admin.register(District)
class DistrictAdmin(ScopedAdmin, AuditedAdmin):
    list_display = ["name", "name_hi", "division"]
    list_filter = ["division"]
    search_fields = ["name", "name_hi"]
    list_select_related = ["division"]


class VoterRollForm(forms.ModelForm):
    """The importers' rules for a roll: electors above zero, a date not in the future."""

    class Meta:
        model = VoterRoll
        fields = ["constituency", "published_on", "total_electors", "male", "female", "third_gender", "source"]

    def clean_total_electors(self):
        return validation.clean_positive_int(self.cleaned_data["total_electors"], what=gettext("Total electors"))

    def clean_published_on(self):
        return validation.clean_date(self.cleaned_data["published_on"], what=gettext("Published on"))


class VoterRollInline(ScopedInline, admin.TabularInline):
    model = VoterRoll
    form = VoterRollForm
    extra = 0
    fields = ["published_on", "total_electors", "male", "female", "third_gender", "source"]


@admin.register(Constituency)
class ConstituencyAdmin(ScopedAdmin, AuditedAdmin):
    list_display = ["number", "name", "name_hi", "kind", "state_code", "district", "reserved_category", "electors"]
    list_filter = ["kind", "state_code", "reserved_category", "district__division", "district"]
    search_fields = ["name", "name_hi", "=number", "district__name", "district__name_hi"]
    list_select_related = ["district"]
    autocomplete_fields = ["district"]
    inlines = [VoterRollInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(electors_today=electors_in_force_expression(day=_today(), constituency_ref="pk"))
        )

    @admin.display(description=_("electors (roll in force)"), ordering="electors_today")
    def electors(self, obj):
        return obj.electors_today


@admin.register(ConstituencyShape)
class ConstituencyShapeAdmin(ScopedAdmin):
    """The map's boundaries, read-only: written by the boundaries import and ``load_reference`` (a wrong one is
    replaced by importing again); a district-limited user sees only the shapes of their seats."""

    list_display = ["number", "constituency_name", "district", "points", "source", "licence", "imported_at"]
    list_filter = ["constituency__district"]
    search_fields = ["constituency__name", "constituency__name_hi", "=constituency__number"]
    list_select_related = ["constituency__district"]
    ordering = ["constituency__number"]
    fields = ["constituency", "district", "points", "bounds", "source", "licence", "imported_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # shapes come from the boundaries import (Imports) and load_reference

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("number"), ordering="constituency__number")
    def number(self, obj):
        return obj.constituency.number

    @admin.display(description=_("constituency"), ordering="constituency__name")
    def constituency_name(self, obj):
        return obj.constituency.name

    @admin.display(description=_("district"), ordering="constituency__district__name")
    def district(self, obj):
        return obj.constituency.district

    @admin.display(description=_("bounding box (west, south, east, north)"))
    def bounds(self, obj):
        return ", ".join(f"{value:.4f}" for value in (obj.west, obj.south, obj.east, obj.north))


@admin.register(VoterRoll)
class VoterRollAdmin(ScopedAdmin, AuditedAdmin):
    form = VoterRollForm
    list_display = ["constituency", "published_on", "total_electors", "source"]
    list_filter = ["published_on", "constituency__state_code"]
    search_fields = ["constituency__name", "constituency__name_hi", "=constituency__number"]
    list_select_related = ["constituency"]
    autocomplete_fields = ["constituency"]


@admin.register(Party)
class PartyAdmin(AuditedAdmin):
    list_display = ["name", "name_hi", "short_name", "colour"]
    search_fields = ["name", "name_hi", "short_name"]


class SocialAccountForm(forms.ModelForm):
    """The importers' rules for a handle: a profile URL is reduced to its handle, and the
    handle must be one the platform can have."""

    class Meta:
        model = SocialAccount
        fields = ["legislator", "platform", "handle", "platform_id", "kind", "status", "active"]

    def clean(self):
        cleaned = super().clean()
        platform, handle = cleaned.get("platform"), cleaned.get("handle")
        if platform and handle:
            try:
                cleaned["handle"] = validation.handle_from_value(handle, platform)[1]
            except ValidationError as exc:
                self.add_error("handle", exc)
                return cleaned
            taken = (
                SocialAccount.objects.filter(platform=platform, handle__iexact=cleaned["handle"])
                .exclude(pk=self.instance.pk)
                .select_related("legislator")
                .first()
            )
            if taken is not None:
                self.add_error(
                    "handle",
                    gettext(
                        "The %(platform)s handle “%(handle)s” already belongs to %(owner)s: expected a handle not "
                        "recorded for another account (retire or move that account first)."
                    )
                    % {
                        "platform": taken.get_platform_display(),
                        "handle": cleaned["handle"],
                        "owner": taken.legislator,
                    },
                )
        return cleaned


class SocialAccountInline(ScopedInline, admin.TabularInline):
    model = SocialAccount
    form = SocialAccountForm
    extra = 0
    can_delete = False  # retire (untick "active") instead: the history stays
    fields = ["platform", "handle", "platform_id", "kind", "active", "status", "last_success_at"]
    readonly_fields = ["status", "last_success_at"]


class DatedRowsFormSet(forms.BaseInlineFormSet):
    """The person's terms (or appointments) submitted together must not overlap one another;
    each row's clean() checks it against the stored rows of other people and seats."""

    overlap_message = _("Rows %(first)s and %(second)s overlap: expected dates that do not overlap.")

    def _construct_form(self, i, **kwargs):
        # Each row's clean() compares it with the stored rows, but not with the rows edited in this same
        # form (ending a term and adding the next in one save): those are compared in clean() below.
        form = super()._construct_form(i, **kwargs)
        form.instance.edited_together = {obj.pk for obj in self.get_queryset()}
        return form

    def clean(self):
        super().clean()
        spans = []
        for index, form in enumerate(self.forms, start=1):
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
            if start is None:
                continue
            for other_index, other_start, other_end in spans:
                if (end is None or other_start <= end) and (other_end is None or other_end >= start):
                    raise ValidationError(self.overlap_message % {"first": other_index, "second": index})
            spans.append((index, start, end))


class TermInline(ScopedInline, admin.TabularInline):
    model = Term
    formset = DatedRowsFormSet
    extra = 0
    fields = ["constituency", "party", "start", "end", "how_elected", "end_reason", "source"]
    autocomplete_fields = ["constituency", "party"]


class AppointmentInline(ScopedInline, admin.TabularInline):
    model = Appointment
    formset = DatedRowsFormSet
    extra = 0
    fields = ["role", "portfolio", "portfolio_hi", "start", "end", "source"]


class AspirantInline(ScopedInline, admin.TabularInline):
    model = Aspirant
    extra = 0
    fields = ["constituency", "party", "start", "end", "note"]
    autocomplete_fields = ["constituency", "party"]


@admin.register(Legislator)
class LegislatorAdmin(ScopedAdmin, AuditedAdmin):
    """A person: names here; seats, parties and offices as dated terms and appointments below.

    The current seat, party and role shown in the list are copied from them
    (services.legislators_refresh_current) after every save.
    """

    list_display = ["name", "name_hi", "role", "party", "constituency", "active"]
    list_filter = ["role", "party", "active", "constituency__district__division", "constituency__district"]
    search_fields = [
        "name",
        "name_hi",
        "reference_id",
        "constituency__name",
        "constituency__name_hi",
        "=constituency__number",
    ]
    list_select_related = ["party", "constituency"]
    readonly_fields = [
        "constituency",
        "party",
        "role",
        "portfolio",
        "portfolio_hi",
        "term_start",
        "term_end",
        "reference_id",
    ]
    fields = ["name", "name_hi", "active", *readonly_fields]
    inlines = [TermInline, AppointmentInline, AspirantInline, SocialAccountInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.legislators_refresh_current(ids=[form.instance.pk])


@admin.register(Term)
class TermAdmin(ScopedAdmin, AuditedAdmin):
    list_display = ["legislator", "constituency", "party", "start", "end", "how_elected", "end_reason"]
    list_filter = ["how_elected", "end_reason", "party", "constituency__district__division"]
    search_fields = ["legislator__name", "legislator__name_hi", "constituency__name", "=constituency__number"]
    list_select_related = ["legislator", "constituency", "party"]
    autocomplete_fields = ["legislator", "constituency", "party"]
    date_hierarchy = "start"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.legislators_refresh_current(ids=[obj.legislator_id])


@admin.register(Appointment)
class AppointmentAdmin(ScopedAdmin, AuditedAdmin):
    list_display = ["legislator", "role", "portfolio", "start", "end"]
    list_filter = ["role", "start"]
    search_fields = ["legislator__name", "legislator__name_hi", "portfolio", "portfolio_hi"]
    list_select_related = ["legislator"]
    autocomplete_fields = ["legislator"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.legislators_refresh_current(ids=[obj.legislator_id])


@admin.register(Aspirant)
class AspirantAdmin(ScopedAdmin, AuditedAdmin):
    list_display = ["legislator", "constituency", "party", "start", "end"]
    list_filter = ["party", "constituency__district__division"]
    search_fields = ["legislator__name", "legislator__name_hi", "constituency__name", "=constituency__number"]
    list_select_related = ["legislator", "constituency", "party"]
    autocomplete_fields = ["legislator", "constituency", "party"]


@admin.action(description=_("Retire the selected accounts (stop polling, keep history)"), permissions=["change"])
def retire_accounts(modeladmin, request, queryset):
    count = services.accounts_retire(accounts=queryset, user=request.user)
    modeladmin.message_user(request, gettext("%(count)s accounts retired.") % {"count": count}, messages.SUCCESS)


@admin.register(SocialAccount)
class SocialAccountAdmin(ScopedAdmin, AuditedAdmin):
    form = SocialAccountForm
    list_display = [
        "handle",
        "platform",
        "legislator",
        "kind",
        "status",
        "active",
        "last_success_at",
    ]
    list_filter = ["platform", "status", "kind", "active", "legislator__constituency__district__division"]
    search_fields = ["handle", "platform_id", "legislator__name", "legislator__name_hi", "handle_changes__old_handle"]
    list_select_related = ["legislator", "latest"]
    autocomplete_fields = ["legislator"]
    readonly_fields = ["last_checked_at", "last_success_at", "last_error", "former_handles"]
    actions = [retire_accounts]
    audited_by_service = ("handle",)  # account_record_rename keeps the history and audits it

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: an account's history must stay

    @admin.display(description=_("former handles"))
    def former_handles(self, obj):
        changes = list(obj.handle_changes.all()) if obj.pk else []
        return ", ".join(f"{c.old_handle} → {c.new_handle} ({c.changed_on})" for c in changes) or "—"

    def save_model(self, request, obj, form, change):
        if change and "handle" in form.changed_data:
            # A rename keeps one account: the old handle goes to its history.
            new_handle = obj.handle
            obj.handle = form.initial["handle"]
            super().save_model(request, obj, form, change)
            services.account_record_rename(
                account=obj, new_handle=new_handle, source=ChangeSource.ADMIN, user=request.user
            )
            return
        super().save_model(request, obj, form, change)


@admin.register(HandleChange)
class HandleChangeAdmin(ScopedAdmin):
    list_display = ["account", "old_handle", "new_handle", "changed_on", "source"]
    list_filter = ["source", "account__platform"]
    search_fields = ["old_handle", "new_handle", "account__legislator__name", "account__legislator__name_hi"]
    list_select_related = ["account"]
    readonly_fields = ["account", "old_handle", "new_handle", "changed_on", "source"]

    def has_add_permission(self, request):
        return False  # renames are recorded by polling, the account form and imports


@admin.register(UserScope)
class UserScopeAdmin(WholeStateAdmin):
    list_display = ["user"]
    filter_horizontal = ["divisions", "districts"]
    autocomplete_fields = ["user"]
    verbose_name = _("user scope")


# --- the audit trail ----------------------------------------------------------------------------


AUDIT_CSV_HEADER = [
    "when",
    "by",
    "source",
    "import",
    "record type",
    "record id",
    "record",
    "action",
    "field",
    "old",
    "new",
    "note",
]


def audit_csv_rows(entries):
    for entry in entries:
        base = [
            entry.created_at.isoformat(),
            entry.user.username if entry.user else "",
            entry.source,
            entry.batch_id or "",
            entry.model,
            entry.object_id,
            entry.object_repr,
            entry.action,
        ]
        if not entry.changes:
            yield base + ["", "", "", entry.note]
        for name, (old, new) in entry.changes.items():
            yield base + [name, "" if old is None else old, "" if new is None else new, entry.note]


@admin.action(description=_("Export the selected entries as CSV"), permissions=["view"])
def export_audit_csv(modeladmin, request, queryset):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_CSV_HEADER)
    writer.writerows(audit_csv_rows(queryset.select_related("user").order_by("created_at", "pk")))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


@admin.register(AuditEntry)
class AuditEntryAdmin(WholeStateAdmin):
    list_display = ["created_at", "user", "source", "model", "record_link", "action", "change_summary", "batch"]
    list_filter = ["source", "action", "model", "user", "created_at"]
    search_fields = ["object_repr", "=object_id", "note", "user__username"]
    list_select_related = ["user", "batch"]
    date_hierarchy = "created_at"
    actions = [export_audit_csv]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a trail that can be edited is not a trail

    @admin.display(description=_("record"))
    def record_link(self, obj):
        app_label, _dot, model = obj.model.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model}_change", args=[obj.object_id])
        except NoReverseMatch:
            return obj.object_repr
        return format_html('<a href="{}">{}</a>', url, obj.object_repr)

    @admin.display(description=_("what changed"))
    def change_summary(self, obj):
        parts = [f"{name}: {old} → {new}" for name, (old, new) in list(obj.changes.items())[:6]]
        if obj.note:
            parts.append(obj.note)
        return "; ".join(parts)[:300]
