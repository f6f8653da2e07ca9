"""The weekly digest: its numbers are the standings engine's, in English and Hindi, with the CSV attached."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from legislators.models import Platform
from metrics import arithmetic
from metrics.models import DigestRecipients
from metrics.reports import digest
from metrics.reports import tasks as report_tasks
from metrics.standings import engine, freshness
from metrics.standings.filters import sort_members
from tests import factories


@pytest.fixture
def state(db):
    """Two divisions; members below, meeting, stagnant, growing, n/a, and a stale account."""
    today = timezone.localdate()
    north = factories.division("North")
    north.name_hi = "उत्तर"
    north.save()
    south = factories.division("South")
    upper, coast = factories.district(north, "Upper"), factories.district(south, "Coast")
    for i in range(14):
        before, now = 1_000 + 600 * i, 1_000 + 600 * i + (0 if i % 5 == 0 else 40 * i)
        factories.member_with_counts(
            f"North {i:02d}",
            name_hi=f"उत्तर सदस्य {i:02d}",
            district_=upper,
            electors=100_000,
            series={Platform.X: {today - timedelta(days=35): before, today - timedelta(days=8): before, today: now}},
        )
    factories.member_with_counts("North No Roll", district_=upper, electors=None, series={Platform.X: {today: 9}})
    factories.member_with_counts("South Only", district_=coast, electors=50_000, series={Platform.X: {today: 9_000}})
    stale_member = factories.member_with_counts("North Stale", district_=upper, electors=120_000)
    factories.account(stale_member, Platform.YOUTUBE, handle="stale_channel")
    return {"north": north, "south": south}


def figure(html, name):
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


def section_ids(html, section, attribute="data-member"):
    block = re.search(rf'data-section="{section}"[^>]*>(.*?)</(table|ul)>', html, re.S).group(1)
    return [int(value) for value in re.findall(rf'{attribute}="(\d+)"', block)]


def test_digest_numbers_equal_the_standings_engine(state):
    built = digest.digest_build(division=state["north"], language="en")
    standings = engine.standings(division=state["north"].pk)
    summary = standings.summary()
    html = built.html
    assert figure(html, "tracked") == str(summary["tracked"]) == "16"
    assert figure(html, "meets") == str(summary["meets"])
    assert figure(html, "stagnant") == str(summary["stagnant"])
    assert figure(html, "na") == str(summary["not_applicable"])
    below = [m for m in standings.members if m.status == arithmetic.Status.BELOW]
    assert section_ids(html, "furthest") == [m.id for m in sort_members(below, "share")[:10]]
    week_ago = engine.standings(day=timezone.localdate() - timedelta(days=7), division=state["north"].pk)
    then = {m.id: m.share for m in week_ago.members}
    gains = [(m.share - then[m.id], m) for m in standings.members if m.share is not None and then.get(m.id) is not None]
    movers = [m for gain, m in sorted(gains, key=lambda pair: (-pair[0], pair[1].name.lower())) if gain > 0]
    assert section_ids(html, "movers") == [m.id for m in movers[:10]]
    assert set(section_ids(html, "stagnant")) == {m.id for m in standings.stagnant}
    stale = freshness.freshness_accounts(division=state["north"].pk, stale_only=True)
    assert section_ids(html, "stale", "data-account") == [a.account_id for a in stale]
    assert "South Only" not in html and "South Only" not in built.text
    # None of the lists is empty, so the comparisons above compare something.
    assert all(section_ids(html, name) for name in ("furthest", "movers", "stagnant"))
    assert section_ids(html, "stale", "data-account")


def test_digest_attaches_the_standings_csv_of_its_division(state):
    built = digest.digest_build(division=state["north"], language="en")
    assert built.attachment_name == f"standings_north_{timezone.localdate().isoformat()}.csv"
    rows = list(csv.DictReader(io.StringIO(built.attachment.decode("utf-8-sig"))))
    assert len(rows) == engine.standings(division=state["north"].pk).tracked
    assert {row["Division"] for row in rows} == {"North"}


def test_digest_renders_in_english_and_in_hindi(state):
    english = digest.digest_build(division=state["north"], language="en")
    hindi = digest.digest_build(division=state["north"], language="hi")
    assert english.subject.startswith("Follower Tracker digest for North")
    assert 'lang="en"' in english.html and "North 07" in english.text
    assert "उत्तर" in hindi.subject
    assert 'lang="hi"' in hindi.html
    assert "उत्तर सदस्य 07" in hindi.text and "उत्तर सदस्य 07" in hindi.html
    assert "मुख्य आँकड़े" in hindi.html and "मुख्य आँकड़े" in hindi.text  # "Headline figures"
    assert "Headline figures" not in hindi.text
    assert hindi.attachment.decode("utf-8-sig").startswith("सदस्य आईडी,")
    # The same figures whatever the language.
    assert figure(hindi.html, "tracked") == figure(english.html, "tracked")
    assert section_ids(hindi.html, "furthest") == section_ids(english.html, "furthest")


def test_whole_state_digest_covers_every_division(state):
    built = digest.digest_build(language="en")
    assert figure(built.html, "tracked") == str(engine.standings().tracked)
    assert "whole state" in built.text


def test_beat_task_mails_each_active_list_once_with_the_csv(state, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DigestRecipients.objects.create(name="North cell", division=state["north"], emails="a@example.org\nb@example.org")
    DigestRecipients.objects.create(name="State", emails="cm-office@example.org", language="hi")
    DigestRecipients.objects.create(name="Old", emails="old@example.org", active=False)

    assert report_tasks.send_digests_task() == 2
    assert sorted(tuple(message.to) for message in mail.outbox) == [
        ("a@example.org", "b@example.org"),
        ("cm-office@example.org",),
    ]
    message = next(m for m in mail.outbox if m.to == ["a@example.org", "b@example.org"])
    assert message.attachments[0][0].startswith("standings_north_")
    assert message.alternatives[0][1] == "text/html"
    # A redelivered task the same day sends nothing again.
    assert report_tasks.send_digests_task() == 0
    assert len(mail.outbox) == 2


def test_the_digest_is_scheduled_weekly_and_editable(db):
    task = PeriodicTask.objects.get(name="Weekly digest")
    assert task.task == "metrics.tasks.send_digests_task"
    assert task.enabled
    assert (task.crontab.day_of_week, task.crontab.hour, task.crontab.minute) == ("1", "8", "0")


def test_send_digest_command_sends_or_prints(state, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    recipients = DigestRecipients.objects.create(name="North cell", division=state["north"], emails="a@example.org")
    call_command("send_digest", "--list", str(recipients.pk), "--to", "me@example.org")
    assert [m.to for m in mail.outbox] == [["me@example.org"]]
    call_command("send_digest", "--print", "--division", "North", "--language", "hi")
    assert "उत्तर सदस्य" in capsys.readouterr().out


def test_recipient_addresses_are_validated(db):
    from django.core.exceptions import ValidationError

    recipients = DigestRecipients(name="Bad", emails="ok@example.org, not-an-address")
    with pytest.raises(ValidationError, match="not-an-address"):
        recipients.full_clean()
    assert DigestRecipients(name="Good", emails="a@x.org,\n b@x.org").addresses == ["a@x.org", "b@x.org"]


def test_the_digest_says_what_changed_in_a_hand_built_week(db):
    """Electors 1,00,000 each (5% = 5,000). A week ago → today: Riser 4,900 → 5,100 (crossed); Faller
    5,050 → 4,950 (fell below); Holder 6,000 → 5,990 after losing 300 in 30 days (slipping); Flat 3,000."""
    today = timezone.localdate()
    week_ago, month_ago = today - timedelta(days=7), today - timedelta(days=30)
    north = factories.division("Week North")
    district = factories.district(north, "Week District")

    def member(name, counts):
        return factories.member_with_counts(name, district_=district, electors=100_000, series={Platform.X: counts})

    riser = member("Riser", {month_ago: 4_800, week_ago: 4_900, today: 5_100})
    faller = member("Faller", {month_ago: 5_100, week_ago: 5_050, today: 4_950})
    holder = member("Holder", {month_ago: 6_290, week_ago: 6_000, today: 5_990})
    member("Flat", {month_ago: 3_000, week_ago: 3_000, today: 3_000})

    built = digest.digest_build(division=north, language="en", since=week_ago)
    html, text = built.html, built.text

    assert figure(html, "meets-change") == "0"  # one crossed, one fell below
    assert section_ids(html, "crossed") == [riser.pk]
    assert section_ids(html, "fell-below") == [faller.pk]
    assert section_ids(html, "slipping") == [holder.pk]
    # Movers by share points: Riser +0.20, then nobody else gained.
    assert section_ids(html, "movers") == [riser.pk]
    assert f'href="http://testserver/members/{riser.pk}/"' in html or f"/members/{riser.pk}/" in html
    assert f"/members/{faller.pk}/" in text and "+0.20 points" in text
    assert "What changed since " + week_ago.isoformat() in text

    hindi = digest.digest_build(division=north, language="hi", since=week_ago).text
    assert "What changed" not in hindi and "Crossed the target" not in hindi


ENGLISH_PLATFORM_AND_STATUS_WORDS = re.compile(
    r"(?<![\w@/.])(X|Facebook|Instagram|YouTube|OK|Not yet polled|Not found|Suspended|Error|Count hidden|"
    r"Meets|Below|Stretch|Stagnant|Slipping|n/a)(?![\w])"
)


def test_the_hindi_digest_has_no_english_platform_or_status_words(state):
    """Stale accounts on every platform, in every status: in Hindi their platforms and statuses are Hindi."""
    upper = factories.district(state["north"], "Upper Two")
    person = factories.member_with_counts("North Accounts", name_hi="उत्तर खाते", district_=upper, electors=90_000)
    for platform, status in zip(Platform, ["error", "not_found", "suspended", "hidden"], strict=True):
        factories.account(person, platform, handle=f"acct_{platform.value}", status=status)
    english = digest.digest_build(division=state["north"], language="en")
    hindi = digest.digest_build(division=state["north"], language="hi")
    # The English digest does name them, so the check below can fail.
    for word in ("YouTube", "Facebook", "Instagram", "Not found", "Suspended", "Error", "Count hidden"):
        assert word in english.text, word
    for body in (hindi.text, re.sub(r"<[^>]+>", " ", hindi.html)):
        body = re.sub(r"https?://\S+", " ", body)
        assert ENGLISH_PLATFORM_AND_STATUS_WORDS.findall(body) == []
    # The attached CSV too: its headers and statuses (a missing value is "n/a" in every language, by design).
    attachment = hindi.attachment.decode("utf-8-sig")
    assert [w for w in ENGLISH_PLATFORM_AND_STATUS_WORDS.findall(attachment) if w != "n/a"] == []
    for word in ("यूट्यूब", "फ़ेसबुक", "इंस्टाग्राम", "एक्स"):
        assert word in hindi.text and word in hindi.html, word


def test_the_digest_links_each_furthest_members_seat_to_its_page(state):
    built = digest.digest_build(division=state["north"], language="en")
    block = re.search(r'data-section="furthest"[^>]*>(.*?)</table>', built.html, re.S).group(1)
    standings = {m.id: m for m in engine.standings(division=state["north"].pk).members}
    rows = re.findall(r'<tr data-member="(\d+)">(.*?)</tr>', block, re.S)
    assert rows
    for member_id, row in rows:
        seat_id = standings[int(member_id)].constituency_id
        assert f"/constituencies/{seat_id}/" in row
