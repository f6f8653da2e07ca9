"""The API's documented query parameters and answers (drf-spectacular), shared by the views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers as fields

from metrics.standings.filters import PLATFORM_CHOICES, ROLE_CHOICES, SORT_FIELDS, STATUS_CHOICES

from .renderers import PARQUET_CONTENT_TYPE

# --- the documented query parameters ----------------------------------------------


def choices_of(choices):
    return [value for value, _label in choices if value]


def query_param(name, type_, description, **extra):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, **extra)


Q_PARAM = query_param("q", str, "Part of the member's name, in English or Hindi.")
ROLE = query_param("role", str, "The role held on the day; 'ministers': every minister.", enum=choices_of(ROLE_CHOICES))
PARTY = query_param("party", int, "A party's id.")
DIVISION = query_param("division", int, "A division's id (one you may see).")
DISTRICT = query_param("district", int, "A district's id (in the division, when one is given).")
PLATFORM = query_param("platform", str, "Count one platform only.", enum=choices_of(PLATFORM_CHOICES))
STATUS = query_param("status", str, "Standing on the day.", enum=choices_of(STATUS_CHOICES))
DATE = query_param("date", OpenApiTypes.DATE, "The day (as on; default today, Asia/Kolkata); not in the future.")
SORT = query_param(
    "sort",
    str,
    "Order (default share); '-' before it: descending. n/a rows always last.",
    enum=[name for field in SORT_FIELDS for name in (field, f"-{field}")],
)
START = query_param("start", OpenApiTypes.DATE, "First day (default: the member's first count).")
END = query_param("end", OpenApiTypes.DATE, "Last day (default: date, else today).")
STEP = query_param(
    "step", str, "daily, or the last count of each week (ending Sunday) or month.", enum=["daily", "weekly", "monthly"]
)
BY = query_param("by", str, "Group by division or district (default district).", enum=["division", "district"])
STALE = query_param("stale", bool, "Only accounts without a successful poll for STALE_AFTER_DAYS days.")
CURSOR = query_param("cursor", str, "The page after (or before) another: take it from next or previous.")
PAGE_SIZE = query_param("page_size", int, "Rows a page (default 100, at most 1000; history: 1000, at most 10000).")
FORMAT = query_param(
    "format", str, "json (pages), or the whole list as csv (needs export permission).", enum=["json", "csv"]
)
FORMAT_PARQUET = query_param(
    "format",
    str,
    "json (pages), or the whole list as csv or parquet (both need export permission).",
    enum=["json", "csv", "parquet"],
)
STANDINGS_FILTERS = [Q_PARAM, ROLE, PARTY, DIVISION, DISTRICT, PLATFORM, STATUS, DATE]
MEMBER_FILTERS = [Q_PARAM, ROLE, PARTY, DIVISION, DISTRICT, DATE]

ERROR = inline_serializer("Error", {"detail": fields.CharField()})
# Errors are JSON whatever format was asked for.
ERRORS = {(status, "application/json"): ERROR for status in (401, 403, 406, 429)}
NOT_FOUND = {(404, "application/json"): ERROR}
BAD_FILTERS = {
    (400, "application/json"): inline_serializer(
        "FilterErrors", {"field": fields.ListField(child=fields.CharField(), help_text="The form's messages")}
    )
}


def page_of(name, row_serializer, **meta):
    return inline_serializer(
        name,
        {
            **meta,
            "next": fields.URLField(allow_null=True),
            "previous": fields.URLField(allow_null=True),
            "results": row_serializer(many=True),
        },
    )


def list_responses(name, row_serializer, *, parquet=False, **meta):
    responses = {
        (200, "application/json"): page_of(name, row_serializer, **meta),
        (200, "text/csv"): OpenApiTypes.STR,
        **BAD_FILTERS,
        **ERRORS,
    }
    if parquet:
        responses[(200, PARQUET_CONTENT_TYPE)] = OpenApiTypes.BINARY
    return responses


TARGET_META = {
    "day": fields.DateField(),
    "target": inline_serializer(
        "TargetInForce", {"percent": fields.FloatField(), "stretch_percent": fields.FloatField()}
    ),
}
