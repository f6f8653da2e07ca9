"""Bad input: junk in any query-string filter gives a page or a 400, never a 500;
every parser of outside text either parses or refuses with its own clear error.

To extend:
- a new page or export that reads the standings filters: add its URL to FILTERED_URLS;
- a new parser (the import parsers of legislators/importers.py): add a
  Parser(...) line to PARSERS, with the exceptions it refuses bad input with
  and, for CSV/XLSX parsers, a strategy of rows (see csv_texts).
"""

import csv
import io
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from follower_tracker.env import env_bool, env_int, env_list
from legislators.models import Platform
from metrics.numbers import indian_number, lakh_crore
from metrics.reports.options import KINDS, ReportOptionsForm
from metrics.standings.filters import StandingsFilterForm
from tests import factories

# ---- query strings ---------------------------------------------------------------

FILTER_KEYS = (
    list(StandingsFilterForm.base_fields) + list(ReportOptionsForm.base_fields) + ["page", "format", "utm_source"]
)
junk = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "999999999999999999999",
            "1e309",
            "NaN",
            "2024-02-30",
            "9999-12-31",
            "0001-01-01",
            "../../etc/passwd",
            "' OR 1=1 --",
            "<script>",
            "\x00",
            "%00",
            "١٢٣",
            "३",
            "-share",
            "--share",
            "share;drop",
            "x" * 500,
        ]
    ),
    st.integers().map(str),
    st.dates().map(str),  # year 1 to 9999: "as on" 0001-01-01 once gave a 500
)
queries = st.dictionaries(st.sampled_from(FILTER_KEYS), junk, max_size=6)


@pytest.fixture
def filtered_urls(db):
    """Every page and every export (CSV) that reads the standings filters."""
    seat = factories.constituency(electors=100_000)
    member = factories.legislator("Fuzz Member", seat, party_=factories.party())
    factories.counts(factories.account(member, Platform.X), {timezone.localdate(): 5_000})
    district = seat.district
    return [
        reverse("metrics:overview"),
        reverse("metrics:stagnant"),
        reverse("metrics:divisions"),
        reverse("metrics:division", args=[district.division_id]),
        reverse("metrics:district", args=[district.pk]),
        reverse("metrics:member", args=[member.pk]),
        reverse("metrics:freshness"),
        *[reverse("metrics:export", args=[kind, "csv"]) for kind in KINDS],
    ]


@pytest.mark.django_db
# 200 query strings × 12 pages and exports: about 2,400 requests; the examples once gave 500s.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
@example(query={"date": "0001-01-01"})
@example(query={"q": "zzzz"})
@example(query={"start": "0001-01-01", "deadline": "0001-01-02"})
def test_junk_filters_give_a_page_or_a_400_never_a_500(client, filtered_urls, django_user_model, query):
    user = django_user_model.objects.filter(username="fuzz").first() or factories.user("fuzz", "Analyst")
    client.force_login(user)
    for url in filtered_urls:
        response = client.get(url, query)
        assert response.status_code in (200, 400), (url, query, response.status_code)
        if response.status_code == 400:
            assert "errorlist" in response.content.decode() or response.content, "a 400 says what was wrong"


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=80))
def test_raw_query_string_bytes_never_give_a_500(client, filtered_urls, django_user_model, raw):
    user = django_user_model.objects.filter(username="fuzz").first() or factories.user("fuzz", "Analyst")
    client.force_login(user)
    query = raw.decode("latin-1")
    for url in filtered_urls:
        response = client.get(url, QUERY_STRING=query)
        assert response.status_code in (200, 400), (url, raw, response.status_code)


# ---- parsers of outside text ---------------------------------------------------


@dataclass
class Parser:
    name: str
    parse: Any  # text -> anything; raises only ``refuses`` on bad input
    refuses: tuple
    inputs: Any = st.text(max_size=60)


def _from_env(reader):
    def parse(text):
        os.environ["FT_FUZZ"] = text
        try:
            return reader("FT_FUZZ", *([0] if reader is env_int else []))
        finally:
            del os.environ["FT_FUZZ"]

    return parse


def _filters(text):
    form = StandingsFilterForm({"q": text, "date": text, "sort": text, "status": text, "role": text})
    form.is_valid()
    return form.errors


def csv_texts(headers, cell=junk):
    """CSV files with the given header row and junk cells (for the import parsers)."""
    rows = st.lists(st.lists(cell, min_size=len(headers), max_size=len(headers)), max_size=8)

    def render(body):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(body)
        return out.getvalue()

    return rows.map(render)


PARSERS = [
    Parser(
        "env_bool", _from_env(env_bool), (ImproperlyConfigured,), st.text(max_size=20).filter(lambda t: "\x00" not in t)
    ),
    Parser(
        "env_int", _from_env(env_int), (ImproperlyConfigured,), st.text(max_size=20).filter(lambda t: "\x00" not in t)
    ),
    Parser("env_list", _from_env(env_list), (), st.text(max_size=40).filter(lambda t: "\x00" not in t)),
    Parser("standings filters", _filters, (ValidationError,)),
    Parser("indian number", indian_number, (), st.text(max_size=20) | st.sampled_from(["inf", "-inf", "nan", "1e309"])),
    Parser("lakh/crore", lakh_crore, (), st.text(max_size=20) | st.sampled_from(["inf", "-inf", "nan", "1e309", ""])),
    # Parser("voter rolls CSV", lambda text: importers.parse_voter_rolls(io.StringIO(text)),
    #        (importers.ImportRefused,), csv_texts(["constituency", "published_on", "total_electors"])),
]


@pytest.mark.django_db
@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
def test_parsers_parse_or_refuse_clearly(parser):
    @settings(max_examples=150, deadline=None)
    @given(text=parser.inputs)
    def check(text):
        try:
            parser.parse(text)
        except parser.refuses as refusal:
            assert str(refusal), f"{parser.name} refused {text!r} without saying why"

    check()
