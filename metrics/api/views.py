"""The API's endpoints: thin views over the pages' selectors, filter form and scope.

Each view parses the query string with the pages' own form
(``StandingsFilterForm``, and ``ReportOptionsForm`` for start/end/step/by/
stale): a bad value is a 400 carrying the form's messages. The rows come from
the selectors every page and export uses, for the asking user's scope (an id
outside it is a 404, like a page). A list answers JSON a page at a time, or
whole as CSV or Parquet. Every answer carries an ETag and Last-Modified made
from the stored data's version, and a repeated request gets a 304.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework import serializers as fields
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from legislators.access import restrict_to_scope, scope_limits, visible_districts
from legislators.models import Constituency, Legislator, SocialAccount, VoterRoll
from legislators.rolls import electors_in_force_expression
from metrics.audience.local import local_shares
from metrics.models import FetchRun
from metrics.reports import writers
from metrics.reports.options import ReportOptionsForm, filename_parts
from metrics.reports.timeseries import step_end
from metrics.standings import engine, rollups
from metrics.standings import freshness as freshness_selectors
from metrics.standings.filters import (
    StandingsFilterForm,
    sort_members,
)
from metrics.standings.history import member_history

from . import serializers as shapes
from .pagination import IdCursorPagination, ListCursorPagination, NewestFirstCursorPagination, paginated
from .params import (
    BY,
    CURSOR,
    DATE,
    DISTRICT,
    DIVISION,
    END,
    ERRORS,
    FORMAT,
    FORMAT_PARQUET,
    MEMBER_FILTERS,
    NOT_FOUND,
    PAGE_SIZE,
    PARTY,
    PLATFORM,
    Q_PARAM,
    ROLE,
    SORT,
    STALE,
    STANDINGS_FILTERS,
    START,
    STEP,
    TARGET_META,
    list_responses,
)
from .permissions import FILE_FORMATS, CanViewDashboard
from .renderers import PARQUET_CONTENT_TYPE, CSVRenderer, ParquetRenderer, parquet_bytes

# --- the base view ----------------------------------------------------------------


class ReadView(APIView):
    """GET only; errors are JSON whatever format was asked; ETag/Last-Modified and 304s."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    required_permissions = ()  # beyond metrics.view_dashboard (CanViewDashboard)
    uses_options = False  # reads start/end/step/by/stale (ReportOptionsForm)
    _filter_form = _options = None

    def get(self, request, *args, **kwargs):
        # A bad parameter (400) or an id outside the user's scope (404) is answered before any
        # 304, so a conditional request learns nothing a plain one would not.
        self.precheck(request, *args, **kwargs)
        version = freshness_selectors.data_version()
        validators = HttpResponse()
        validators["ETag"] = self.etag(request, version)
        if version.last_modified is not None:
            validators["Last-Modified"] = http_date(version.last_modified.timestamp())
        answer = get_conditional_response(
            request,  # DRF's Request hands on META and method
            etag=validators["ETag"],
            last_modified=int(version.last_modified.timestamp()) if version.last_modified else None,
            response=validators,
        )
        if answer is not validators:
            return answer  # 304 Not Modified (or 412 for If-Match)
        response = self.read(request, *args, **kwargs)
        for header in ("ETag", "Last-Modified"):
            if header in validators:
                response[header] = validators[header]
        return response

    def etag(self, request, version):
        """The data's version and everything else the answer depends on: the user and their scope,
        the query string, the format, the language and today's date. (Permissions decide whether
        there is an answer, checked before this, not what it holds.)"""
        user = request.user
        limits = scope_limits(user)
        parts = [
            version.fingerprint,
            engine.today().isoformat(),
            request.path,
            sorted(request.query_params.lists()),
            request.accepted_renderer.format,
            user.pk,
            None if limits is None else [sorted(limits[0]), sorted(limits[1])],
            translation.get_language(),
        ]
        return '"' + hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:40] + '"'

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Every answer is the user's own: caches may keep it only for them, and must ask again (ETag).
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Authorization", "Cookie", "Accept", "Accept-Language"))
        return response

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    # -- helpers for the endpoints

    def wants_file(self):
        return self.request.accepted_renderer.format in FILE_FORMATS

    def precheck(self, request, *args, **kwargs):
        """Validate the parameters (and, in a one-record view, find the record) before anything else."""
        self.filters()
        if self.uses_options:
            self.options()

    def filters(self):
        if self._filter_form is None:
            form = StandingsFilterForm(self.request.query_params, user=self.request.user)
            _raise_for(form)
            self._filter_form = form
        return self._filter_form

    def options(self):
        if self._options is None:
            form = ReportOptionsForm(self.request.query_params)
            _raise_for(form)
            self._options = form.cleaned_data
        return self._options

    def file_response(self, table):
        if self.request.accepted_renderer.format == "csv":
            return writers.csv_response(table)
        response = HttpResponse(parquet_bytes(table), content_type=PARQUET_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{table.filename("parquet")}"'
        return response

    def table(self, slug, columns, dict_rows, parts=(), day=None):
        keys = [column.key for column in columns]

        def rows():
            same_order = None
            for row in dict_rows:
                if same_order is None:  # the row builders write their keys in the columns' order
                    same_order = list(row) == keys
                yield tuple(row.values()) if same_order else tuple(row[key] for key in keys)

        return writers.Table(f"api_{slug}", columns, rows(), list(parts), day)

    def by_id(self, queryset, *, slug, serializer, leave_out, extra, row, flat_row, day):
        """A list in id order: the whole of it as a file (CSV/Parquet, flat rows), or a JSON page of ``row``s."""
        if self.wants_file():
            columns = shapes.columns_of(serializer, leave_out=leave_out, extra=extra)
            rows = (flat_row(row(item)) for item in queryset.order_by("id").iterator(chunk_size=500))
            return self.file_response(self.table(slug, columns, rows, filename_parts(self.filters()), day))
        paginator = IdCursorPagination()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginated([row(item) for item in page], paginator.get_next_link(), paginator.get_previous_link())


def _raise_for(form):
    if not form.is_valid():
        raise exceptions.ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): [str(message) for message in messages]
                for field, messages in form.errors.items()
            }
        )


def _day_url(request, day):
    """This request's URL with its day written in, so a next page is of the same day after midnight too."""
    return replace_query_param(request.build_absolute_uri(), "date", day.isoformat())


# --- standings, rollups, history -------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="standings_list",
        summary="Every member's standing on a day",
        description="The standings engine's rows, as the overview page and the standings export show them.",
        parameters=[*STANDINGS_FILTERS, SORT, CURSOR, PAGE_SIZE, FORMAT_PARQUET],
        responses=list_responses("StandingsPage", shapes.StandingSerializer, parquet=True, **TARGET_META),
    )
)
class StandingsView(ReadView):
    """Every member's standing on a day: the overview page's and the standings export's rows."""

    renderer_classes = [JSONRenderer, CSVRenderer, ParquetRenderer]

    def read(self, request):
        form = self.filters()
        result = engine.standings(scope_user=request.user, **form.selector_kwargs())
        members = sort_members(result.members, form.cleaned_data["sort"])
        if self.wants_file():
            local = result.local or local_shares(members=members, day=result.day)  # an estimate: ≤ 5 queries
            columns = shapes.columns_of(shapes.StandingSerializer)
            rows = (shapes.standing_row(member, result.target, local[member.id]) for member in members)
            return self.file_response(self.table("standings", columns, rows, filename_parts(form), result.day))
        page, next_url, previous_url = ListCursorPagination().paginate(
            members, key=lambda member: member.id, request=request, url=_day_url(request, result.day)
        )
        local = result.local or local_shares(members=page, day=result.day)
        return paginated(
            [shapes.json_ready(shapes.standing_row(member, result.target, local[member.id])) for member in page],
            next_url,
            previous_url,
            day=result.day,
            target={"percent": result.target.percent, "stretch_percent": result.target.stretch_percent},
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="rollups_list",
        summary="Division or district totals",
        description="Elector-weighted attainment of the filtered members; n/a members counted apart.",
        parameters=[*STANDINGS_FILTERS, BY, CURSOR, PAGE_SIZE, FORMAT],
        responses=list_responses("RollupsPage", shapes.RollupSerializer, **TARGET_META),
    )
)
class RollupsView(ReadView):
    """Division or district totals of the filtered members."""

    uses_options = True

    def read(self, request):
        form = self.filters()
        by = self.options().get("by") or "district"
        result = engine.standings(scope_user=request.user, **form.selector_kwargs())
        groups = [shapes.rollup_row(group) for group in rollups.rollups(result, by=by)]
        if self.wants_file():
            columns = shapes.columns_of(shapes.RollupSerializer)
            return self.file_response(self.table(f"rollup-{by}", columns, groups, filename_parts(form), result.day))
        page, next_url, previous_url = ListCursorPagination().paginate(
            groups, key=lambda group: group["id"], request=request, url=_day_url(request, result.day)
        )
        return paginated(
            page,
            next_url,
            previous_url,
            day=result.day,
            target={"percent": result.target.percent, "stretch_percent": result.target.stretch_percent},
        )


HISTORY_ORDER = [shapes.COMBINED, *engine.PLATFORMS]


@extend_schema_view(
    get=extend_schema(
        operation_id="member_history",
        summary="A member's followers over time",
        description=(
            "Per platform and combined ('all': the platforms added up, each account's last count carried "
            "over days it was not polled). Long rows: date, platform, followers; ordered by platform, then date."
        ),
        parameters=[START, END, DATE, STEP, PLATFORM, CURSOR, PAGE_SIZE, FORMAT_PARQUET],
        responses={
            **list_responses(
                "HistoryPage",
                shapes.HistoryPointSerializer,
                parquet=True,
                member=fields.IntegerField(),
                start=fields.DateField(allow_null=True),
                end=fields.DateField(),
                step=fields.CharField(),
            ),
            **NOT_FOUND,
        },
    )
)
class MemberHistoryView(ReadView):
    """One member's followers over time, per platform and combined."""

    uses_options = True

    renderer_classes = [JSONRenderer, CSVRenderer, ParquetRenderer]

    def precheck(self, request, pk):
        super().precheck(request, pk)
        self.member = restrict_to_scope(Legislator.objects.all(), user=request.user).filter(pk=pk).first()
        if self.member is None:
            raise exceptions.NotFound("No such member.")

    def read(self, request, pk):
        member = self.member
        form = self.filters()
        options = self.options()
        end = options.get("end") or form.cleaned_data.get("date") or engine.today()
        start = options.get("start")
        step = options.get("step") or "daily"
        platform = form.cleaned_data.get("platform") or ""
        series = member_history(legislator_id=member.pk, start=start, end=end)
        lines = {shapes.COMBINED: series["combined"], **series["platforms"]}
        if platform:
            lines = {platform: lines.get(platform, [])}
        points = [
            (name, day, followers)
            for name in HISTORY_ORDER
            for day, followers in _stepped(lines.get(name, []), step=step, last_day=end)
        ]
        if self.wants_file():
            parts = [f"member-{member.pk}", platform, step]
            columns = shapes.columns_of(shapes.HistoryPointSerializer)
            rows = ({"date": day, "platform": name, "followers": followers} for name, day, followers in points)
            return self.file_response(self.table("history", columns, rows, parts, end))
        page, next_url, previous_url = ListCursorPagination(page_size=1000, max_page_size=10_000).paginate(
            points, key=lambda point: (point[0], point[1].toordinal()), request=request
        )
        # Each day written out once here, not once per platform by the JSON encoder's hook for dates.
        iso = {}
        page = [
            {"date": iso.get(day) or iso.setdefault(day, day.isoformat()), "platform": name, "followers": followers}
            for name, day, followers in page
        ]
        return paginated(page, next_url, previous_url, member=member.pk, start=start, end=end, step=step)


def _stepped(points, *, step, last_day):
    """The last value of each step (daily: every point); a step is dated by its last day, clipped to ``last_day``."""
    if step == "daily":
        return points
    last = {}
    for day, value in points:
        last[step_end(day, step, last_day)] = value
    return sorted(last.items())


# --- members and constituencies ----------------------------------------------------------


def _with_accounts(members):
    accounts = SocialAccount.objects.select_related("latest").order_by("platform", "handle", "id")
    return members.select_related("party", "constituency__district__division").prefetch_related(
        Prefetch("accounts", queryset=accounts)
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="members_list",
        summary="Members in office on a day, with their accounts",
        parameters=[*MEMBER_FILTERS, CURSOR, PAGE_SIZE, FORMAT],
        responses=list_responses("MembersPage", shapes.MemberSerializer),
    )
)
class MembersView(ReadView):
    """Members in office on a day, with their accounts."""

    def read(self, request):
        form = self.filters()
        kwargs = form.selector_kwargs()
        day = kwargs.pop("day") or engine.today()
        kwargs.pop("platform"), kwargs.pop("status")
        members = _with_accounts(engine.members_queryset(day=day, scope_user=request.user, **kwargs))
        return self.by_id(
            members,
            slug="members",
            serializer=shapes.MemberSerializer,
            leave_out=("accounts",),
            extra=shapes.MEMBER_FLAT_EXTRA,
            row=shapes.member_row,
            flat_row=shapes.member_flat_row,
            day=day,
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="member_detail",
        summary="One member, with their accounts",
        parameters=[DATE],
        responses={200: shapes.MemberSerializer, **NOT_FOUND, **ERRORS},
    )
)
class MemberView(ReadView):
    """One member, with their accounts."""

    renderer_classes = [JSONRenderer]  # one record: JSON only

    def precheck(self, request, pk):
        super().precheck(request, pk)
        day = self.filters().cleaned_data.get("date") or engine.today()
        members = restrict_to_scope(Legislator.objects.all(), user=request.user)
        members = members.annotate(role_on_day=engine.role_on_day_expression(day=day))
        self.member = _with_accounts(members).filter(pk=pk).first()
        if self.member is None:
            raise exceptions.NotFound("No such member.")

    def read(self, request, pk):
        return Response(shapes.member_row(self.member))


def _constituencies(request, *, day):
    """The seats of the districts the user may see, with the electors in force on ``day`` and every roll."""
    places = Constituency.objects.all()
    if scope_limits(request.user) is not None:
        places = places.filter(district__in=visible_districts(user=request.user).values("pk"))
    return (
        places.select_related("district__division")
        .annotate(electors=electors_in_force_expression(day=day, constituency_ref="pk"))
        .prefetch_related(Prefetch("voter_rolls", queryset=VoterRoll.objects.order_by("published_on", "id")))
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="constituencies_list",
        summary="Constituencies, with their voter rolls",
        parameters=[Q_PARAM, DIVISION, DISTRICT, DATE, CURSOR, PAGE_SIZE, FORMAT],
        responses=list_responses("ConstituenciesPage", shapes.ConstituencySerializer),
    )
)
class ConstituenciesView(ReadView):
    """Constituencies, with the electors in force and every voter roll."""

    def read(self, request):
        form = self.filters()
        data = form.cleaned_data
        day = data.get("date") or engine.today()
        places = _constituencies(request, day=day)
        if data.get("division"):
            places = places.filter(district__division=data["division"])
        if data.get("district"):
            places = places.filter(district=data["district"])
        if search := (data.get("q") or "").strip():
            places = places.filter(Q(name__icontains=search) | Q(name_hi__icontains=search))
        return self.by_id(
            places,
            slug="constituencies",
            serializer=shapes.ConstituencySerializer,
            leave_out=("voter_rolls",),
            extra=shapes.CONSTITUENCY_FLAT_EXTRA,
            row=shapes.constituency_row,
            flat_row=shapes.constituency_flat_row,
            day=day,
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="constituency_detail",
        summary="One constituency, with its voter rolls",
        parameters=[DATE],
        responses={200: shapes.ConstituencySerializer, **NOT_FOUND, **ERRORS},
    )
)
class ConstituencyView(ReadView):
    """One constituency, with the electors in force and every voter roll."""

    renderer_classes = [JSONRenderer]  # one record: JSON only

    def precheck(self, request, pk):
        super().precheck(request, pk)
        day = self.filters().cleaned_data.get("date") or engine.today()
        self.place = _constituencies(request, day=day).filter(pk=pk).first()
        if self.place is None:
            raise exceptions.NotFound("No such constituency.")

    def read(self, request, pk):
        return Response(shapes.constituency_row(self.place))


# --- fetch runs and freshness (analysts) ----------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="fetch_runs_list",
        summary="Fetch runs, newest first (needs the data freshness permission)",
        parameters=[PLATFORM, CURSOR, PAGE_SIZE, FORMAT],
        responses=list_responses("FetchRunsPage", shapes.FetchRunSerializer),
    )
)
class FetchRunsView(ReadView):
    """Fetch runs, newest first."""

    required_permissions = ("metrics.view_freshness",)

    def read(self, request):
        platform = self.filters().cleaned_data.get("platform")
        runs = FetchRun.objects.all()
        if platform:
            runs = runs.filter(platform=platform)
        # A run's errors name accounts of any place: only a user who sees every place reads them.
        with_errors = scope_limits(request.user) is None
        if self.wants_file():
            columns = shapes.columns_of(shapes.FetchRunSerializer)
            rows = (
                _as_text(shapes.fetch_run_row(run, with_errors=with_errors), ("status_counts", "errors"))
                for run in runs.order_by("-id").iterator(chunk_size=500)
            )
            return self.file_response(self.table("fetch-runs", columns, rows, [platform or ""]))
        paginator = NewestFirstCursorPagination()
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginated(
            [shapes.fetch_run_row(run, with_errors=with_errors) for run in page],
            paginator.get_next_link(),
            paginator.get_previous_link(),
        )


def _as_text(row, names):
    return {**row, **{name: json.dumps(row[name], ensure_ascii=False) for name in names}}


@extend_schema_view(
    get=extend_schema(
        operation_id="freshness_list",
        summary="Every active account's polling health (needs the data freshness permission)",
        description="Never polled first, then the oldest successful poll: the data freshness export's rows.",
        parameters=[Q_PARAM, ROLE, PARTY, DIVISION, DISTRICT, PLATFORM, STALE, CURSOR, PAGE_SIZE, FORMAT],
        responses=list_responses("FreshnessPage", shapes.FreshnessSerializer),
    )
)
class FreshnessView(ReadView):
    """Every active account's polling health."""

    uses_options = True

    required_permissions = ("metrics.view_freshness",)

    def read(self, request):
        form = self.filters()
        stale = self.options().get("stale") or False
        accounts = freshness_selectors.freshness_accounts(
            scope_user=request.user, stale_only=stale, **form.selector_kwargs()
        )
        rows = [shapes.freshness_row(account) for account in accounts]
        if self.wants_file():
            parts = filename_parts(form) + (["stale"] if stale else [])
            return self.file_response(
                self.table("freshness", shapes.columns_of(shapes.FreshnessSerializer), rows, parts)
            )
        page, next_url, previous_url = ListCursorPagination().paginate(
            rows, key=lambda row: row["account_id"], request=request
        )
        return paginated(page, next_url, previous_url)


# --- the schema and its documentation page ------------------------------------------------------


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML; JSON with ?format=json), for anyone who may use the API."""

    permission_classes = [CanViewDashboard]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files; its start-up script is a file of
    its own (``?script``), so the page runs under the site's CSP (script-src 'self')."""

    permission_classes = [CanViewDashboard]
    url_name = "api:schema"


# Sign-in for the browser: the docs page sends an anonymous visitor to the login page.
docs_view = login_required(DocsView.as_view())
