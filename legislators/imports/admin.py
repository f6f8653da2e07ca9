"""The admin's import pages: upload → dry-run preview → apply, and the templates."""

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from legislators.access import is_whole_state
from legislators.admin_scope import WholeStateAdmin
from legislators.models import ImportBatch

from . import apply
from .columns import COLUMNS, parse_pairs, template_rows
from .read import check_size
from .rows import ImportFileError

# A preview page shows the plan made at upload (or at the last preview) for this long, instead of
# reading and checking the whole file on every view; "apply" always checks it again against the database.
PLAN_CACHE_SECONDS = 600
GEOJSON_EXTENSIONS = (".geojson", ".json")


def _plan_key(batch):
    return f"import-plan:{batch.pk}:{batch.sha256}"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(label=_("CSV, XLSX or GeoJSON file"))
    mapping = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, file header=our column, e.g. ac_no=number"),
    )
    constants = forms.CharField(
        label=_("Fixed values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For columns the file lacks, one per line, e.g. state_code=MP"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm", ".txt", *GEOJSON_EXTENSIONS)):
            raise ValidationError(_("Expected a .csv or .xlsx file (boundaries: a .geojson or .json file)."))
        try:
            check_size(upload.size)  # before a byte of it is read into memory
        except ImportFileError as exc:
            raise ValidationError(str(exc)) from exc
        return upload

    def clean(self):
        cleaned = super().clean()
        upload, kind = cleaned.get("file"), cleaned.get("kind")
        if upload and kind:
            geojson = upload.name.lower().endswith(GEOJSON_EXTENSIONS)
            if kind == ImportBatch.Kind.BOUNDARIES and not geojson:
                self.add_error("file", _("Constituency boundaries are read from a .geojson or .json file."))
            elif kind != ImportBatch.Kind.BOUNDARIES and geojson:
                self.add_error("file", _("A GeoJSON file holds constituency boundaries: choose that kind."))
        return cleaned

    def clean_mapping(self):
        try:
            return parse_pairs([self.cleaned_data["mapping"]], what=gettext("Mapping"))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def clean_constants(self):
        try:
            return parse_pairs([self.cleaned_data["constants"]], what=gettext("Fixed value"))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


@admin.register(ImportBatch)
class ImportBatchAdmin(WholeStateAdmin):
    list_display = [
        "created_at",
        "kind",
        "filename",
        "status",
        "rows",
        "created",
        "updated",
        "unchanged",
        "created_by",
        "entries_link",
    ]
    list_filter = ["kind", "status", "created_by"]
    search_fields = ["filename", "sha256"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "kind",
        "filename",
        "sha256",
        "options",
        "status",
        "rows",
        "created",
        "updated",
        "unchanged",
        "errors",
        "created_by",
        "created_at",
        "applied_at",
    ]
    change_list_template = "admin/legislators/importbatch/change_list.html"

    def has_add_permission(self, request):
        return False  # through the upload page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("audit entries"))
    def entries_link(self, obj):
        url = reverse("admin:legislators_auditentry_changelist") + f"?batch__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("changes"))

    def get_urls(self):
        urls = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="legislators_importbatch_upload"),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="legislators_importbatch_preview",
            ),
            path(
                "template/<str:kind>.<str:extension>",
                self.admin_site.admin_view(self.template_view),
                name="legislators_importbatch_template",
            ),
        ]
        return urls + super().get_urls()

    def _require_import_permission(self, request):
        # An import writes anywhere in the state: whole-state users only.
        if not (request.user.has_perm("legislators.add_importbatch") and is_whole_state(request.user)):
            raise PermissionDenied

    def upload_view(self, request):
        self._require_import_permission(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            batch, plan = apply.import_preview(
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                filename=upload.name,
                user=request.user,
                mapping=form.cleaned_data["mapping"],
                constants=form.cleaned_data["constants"],
            )
            cache.set(_plan_key(batch), plan, PLAN_CACHE_SECONDS)  # the preview pages read it, not the file
            return redirect("admin:legislators_importbatch_preview", pk=batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a file"),
            "form": form,
            "kinds": [(kind, label, COLUMNS[kind]) for kind, label in ImportBatch.Kind.choices],
            "opts": self.model._meta,
        }
        return render(request, "admin/legislators/importbatch/upload.html", context)

    def preview_view(self, request, pk):
        self._require_import_permission(request)
        batch = get_object_or_404(ImportBatch, pk=pk)
        if request.method == "POST" and batch.status == ImportBatch.Status.PREVIEWED:
            plan = apply.import_apply(batch=batch, user=request.user)
            if plan.ok:
                self.message_user(
                    request,
                    gettext("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                    % {"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request, gettext("Nothing was written: the file no longer passes the checks."), messages.ERROR
                )
            return redirect("admin:legislators_importbatch_preview", pk=batch.pk)
        plan = cache.get(_plan_key(batch))
        if plan is None:  # not planned in the last PLAN_CACHE_SECONDS: read and check the file again
            options = batch.options or {}
            plan = apply.import_plan(
                kind=batch.kind,
                content=bytes(batch.content),
                filename=batch.filename,
                mapping=options.get("mapping"),
                constants=options.get("constants"),
            )
            cache.set(_plan_key(batch), plan, PLAN_CACHE_SECONDS)
        changes = [c for c in plan.changes if c.action != "unchanged"]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import preview: %(name)s") % {"name": batch.filename},
            "batch": batch,
            "plan": plan,
            "summary": sorted(plan.summary().items()),
            "changes": changes[:1000],
            "more_changes": max(0, len(changes) - 1000),
            "errors": plan.errors[:1000],
            "people": [
                (gettext("Matched to a recorded person"), "matched", plan.matched("matched")),
                (gettext("New people"), "new", plan.matched("new")),
                (
                    gettext("Need a decision: add the person's id (person_id) or mark the row new"),
                    "decision",
                    plan.matched("decision"),
                ),
            ]
            if plan.matches
            else [],
            "more_errors": max(0, len(plan.errors) - 1000),
            "opts": self.model._meta,
        }
        return render(request, "admin/legislators/importbatch/preview.html", context)

    def template_view(self, request, kind, extension):
        if kind not in COLUMNS or kind == ImportBatch.Kind.BOUNDARIES or extension not in ("csv", "xlsx"):
            raise PermissionDenied
        header, example = template_rows(kind)
        if extension == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(header)
            writer.writerow(example)
            response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        else:
            from openpyxl import Workbook

            workbook = Workbook()
            sheet = workbook.active
            sheet.title = kind
            sheet.append(header)
            sheet.append(example)
            data = io.BytesIO()
            workbook.save(data)
            response = HttpResponse(
                data.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.{extension}"'
        return response
