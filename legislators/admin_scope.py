"""The admin honours place scope (legislators.access): what is outside a user's scope does not exist there.

``ScopedAdmin``: rows outside the user's divisions/districts are not listed,
cannot be opened (the admin answers "does not exist"), and are not offered in
a choice (foreign keys, many-to-many, inlines). ``WholeStateAdmin``: records
that span the state (runs, imports, the audit trail, scopes, targets, digest
lists) are for whole-state users only.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path

from .access import DISTRICT_PATHS, is_whole_state, visible

PLACE_BOUND = {*DISTRICT_PATHS, "legislators.division", "legislators.district"}


def _scoped(queryset, request):
    if queryset is not None and queryset.model._meta.label_lower in PLACE_BOUND:
        return visible(queryset, user=request.user)
    return queryset


class ScopedFormFieldsMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request)
        return field


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter on a place (a division, a district...) offers only the places in scope."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        choices = _scoped(field.related_model._default_manager.all(), request).order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in choices]


class ScopedAdmin(ScopedFormFieldsMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)

    def get_list_filter(self, request):
        scoped = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, ScopedRelatedFieldListFilter)
            scoped.append(item)
        return scoped


class ScopedInline(ScopedFormFieldsMixin):
    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)


class WholeStateAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return super().has_module_permission(request) and is_whole_state(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and is_whole_state(request.user)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and is_whole_state(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_whole_state(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_whole_state(request.user)
