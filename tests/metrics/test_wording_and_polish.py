"""Wording and polish: one Hindi term per concept, the admin branded, the stagnant page's sort header
true to its order, and the XLSX projected date a real date with the reason beside it."""

import io
from datetime import timedelta

import openpyxl
import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from legislators.models import Platform
from tests import factories

PO_FILE = settings.BASE_DIR / "locale" / "hi" / "LC_MESSAGES" / "django.po"
# One Hindi term per concept (reviewed): Status is स्थिति and nothing else is; Standings a table of
# progress; Stagnant "growth stopped" (स्थिर, "stable", read as praise); Slipping फिसल रहे.
GLOSSARY = {
    "status": ("स्थिति", None),
    "standing": ("प्रगति", "स्थिति"),
    "stagnant": ("वृद्धि रुक", "स्थिर"),
    "slipping": ("फिसल रहे", None),
}


def translations():
    return [(entry.msgid, entry.msgstr) for entry in polib.pofile(str(PO_FILE)) if not entry.obsolete]


@pytest.mark.parametrize("concept", GLOSSARY)
def test_each_concept_has_one_hindi_term(concept):
    term, forbidden = GLOSSARY[concept]
    entries = [(msgid, msgstr) for msgid, msgstr in translations() if concept in msgid.lower() and msgstr]
    assert entries
    assert [msgid for msgid, msgstr in entries if term not in msgstr] == []
    if forbidden:
        assert [msgid for msgid, msgstr in entries if forbidden in msgstr] == []


def test_status_and_standings_read_differently_in_hindi():
    with translation.override("hi"):
        assert translation.gettext("Status") != translation.gettext("Standings")
        assert translation.gettext("Stagnant") == "वृद्धि रुकी"


@pytest.mark.parametrize("language, header", [("en", "Follower Tracker administration"), ("hi", "फ़ॉलोअर ट्रैकर प्रशासन")])
def test_the_admin_is_branded_follower_tracker(client, editor, language, header):
    client.force_login(editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("admin:index")).content.decode()
    assert header in html
    assert "Django" not in html and "ज्याँगो" not in html


@pytest.fixture
def stagnant_members(db):
    today = timezone.localdate()
    rows = (("Aman Flat", 5_000, 5_000), ("Bina Falling", 6_000, 5_400), ("Chetan Dip", 7_000, 6_900))
    for name, before, now in rows:
        factories.member_with_counts(name, series={Platform.X: {today - timedelta(days=30): before, today: now}})


def test_the_stagnant_page_marks_the_growth_column_it_is_sorted_by(viewer_client, stagnant_members):
    response = viewer_client.get(reverse("metrics:stagnant"))
    html = response.content.decode()
    assert [m.name for m in response.context["page"].object_list] == ["Bina Falling", "Chetan Dip", "Aman Flat"]
    assert 'aria-sort="ascending"><a href="?sort=-growth">Growth, 30 days ▲' in html
    assert html.count('aria-sort="ascending"') == 1  # not the share column as well


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


def test_the_xlsx_projected_date_is_a_date_with_the_reason_in_its_own_column(analyst_client, db):
    today = timezone.localdate()
    month_ago = today - timedelta(days=30)
    growing = factories.member_with_counts("Growing", series={Platform.X: {month_ago: 8_000, today: 9_000}})
    met = factories.member_with_counts("Met Already", series={Platform.X: {month_ago: 11_000, today: 10_700}})
    flat = factories.member_with_counts("Flat Line", series={Platform.X: {month_ago: 4_000, today: 4_000}})
    response = analyst_client.get(reverse("metrics:export", kwargs={"kind": "standings", "fmt": "xlsx"}))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    # 1,000 more needed at 1,000 a month: 30 days.
    assert rows[growing.pk]["Projected date"].date() == today + timedelta(days=30)
    assert rows[growing.pk]["Projected date: why none"] is None
    assert rows[met.pk]["Projected date"] is None and rows[met.pk]["Projected date: why none"] == "met"
    assert rows[flat.pk]["Projected date: why none"] == "not at this rate"
    # Met, but losing 300 a month: 700 above the line → 700 × 30 / 300 = 70, below on day 71.
    assert rows[met.pk]["Slipping"] == "yes"
    assert rows[met.pk]["Falls below the target around"].date() == today + timedelta(days=71)
    assert rows[growing.pk]["Falls below the target around"] is None
