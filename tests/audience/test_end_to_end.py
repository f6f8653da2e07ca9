"""End to end with the fakes: an Editor connects a member's Instagram account, the weekly poll reads its
audience by city, the member page shows the local share beside the total; the Editor revokes, and the
member falls back to the total with the reason. Then no token is anywhere in clear: not in the logs, the
pages, the stored errors, nor the database (a full ``dumpdata`` and every table's raw text)."""

import io
import logging
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from follower_tracker.logging import RedactSecretsFilter
from legislators.models import Platform
from metrics.audience.models import Connection
from metrics.audience.places import gazetteer_import
from tests import factories
from tests.fake_graph import graph_error

pytestmark = pytest.mark.django_db
GAZETTEER = (
    "name,state,district,kind\nBhopal,Madhya Pradesh,Bhopal,headquarters\nSehore,Madhya Pradesh,Sehore,headquarters\n"
)


@pytest.fixture
def logs():
    """What the configured handlers would write: every record at DEBUG, through the redacting filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.addFilter(RedactSecretsFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def _all_text_in_the_database():
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    texts = [out.getvalue()]
    with db_connection.cursor() as cursor:
        for table in db_connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {db_connection.ops.quote_name(table)}")
            texts.append(repr(cursor.fetchall()))
    return "\n".join(texts)


def test_connect_poll_see_the_local_share_revoke_and_fall_back(meta, logs):
    division = factories.division("Bhopal division")
    bhopal = factories.district(division, "Bhopal")
    factories.district(division, "Sehore")
    gazetteer_import(text=GAZETTEER, source="test")
    member = factories.legislator("Asha Verma", factories.constituency(bhopal, electors=200_000))
    factories.constituency(bhopal, electors=300_000)  # a second seat: 5,00,000 electors in the district
    account = factories.account(member, platform=Platform.INSTAGRAM, handle="asha.mp")
    factories.counts(account, {timezone.localdate(): 12_000})
    meta.add_page("901", "ashapage", ig_id="17841400000000777", ig_username="asha.mp")
    meta.set_audience("17841400000000777", 12_000, {"Bhopal, Madhya Pradesh": 5_000, "Sehore, Madhya Pradesh": 1_000})
    editor = Client()
    editor.force_login(factories.user("eddie", "Editor"))
    pages = []

    # Connect: the Editor is sent to Facebook Login for Business and comes back with a code.
    response = editor.post(reverse("metrics:connect_start", args=[account.pk]))
    state = parse_qs(urlparse(response["Location"]).query)["state"][0]
    pages.append(
        editor.get(reverse("metrics:connect_callback"), {"code": meta.add_code(), "state": state}, follow=True)
    )
    assert Connection.objects.get(account=account).status == "connected"

    # The weekly poll, through its management-command twin.
    call_command("fetch_geography", platform=["instagram"], sync=True, stdout=io.StringIO())

    # 5,000 followers in Bhopal district; the seat's share by electors: 5,000 × 2,00,000 / 5,00,000 = 2,000,
    # of 2,00,000 voters: 1.00%, beside the total 12,000 / 2,00,000 = 6.00%.
    viewer = Client()
    viewer.force_login(factories.user("vera", "Viewer"))
    member_url = reverse("metrics:member", args=[member.pk])
    page = viewer.get(member_url)
    pages.append(page)
    text = page.content.decode()
    assert 'data-figure="local-share">≈ 1.00%' in text and 'data-figure="total-share">6.00%' in text
    assert "An estimate from the audience by city as of" in text and "50.0%" in text  # 6,000 of 12,000 placed

    # A token echoed back in an error (the platform quoting it) is stored redacted.
    connection = Connection.objects.get(account=account)
    from follower_tracker import crypto

    token = crypto.decrypt(connection.access_token_encrypted)
    meta.queue(400, graph_error(100, f"Invalid parameter for token {token}"))
    call_command("fetch_geography", platform=["instagram"], sync=True, stdout=io.StringIO())
    connection.refresh_from_db()
    assert "[redacted]" in connection.status_reason and token not in connection.status_reason

    # Revoke from the connections page: the member falls back to the total, with the reason.
    pages.append(editor.post(reverse("metrics:connection_revoke", args=[connection.pk]), follow=True))
    page = viewer.get(member_url)
    pages.append(page)
    text = page.content.decode()
    assert 'data-figure="local-share"' not in text
    assert "No local share: showing the total share only." in text
    assert "Instagram connection revoked" in text and "revoked by eddie" in text
    assert meta.revoked  # the provider was told

    analyst = Client()
    analyst.force_login(factories.user("ana", "Analyst"))
    pages.append(analyst.get(reverse("metrics:freshness")))
    pages.append(analyst.get(reverse("metrics:local")))
    pages.append(editor.get(reverse("metrics:member_connections", args=[member.pk])))

    secrets = [*meta.user_tokens, *meta.page_tokens, meta.app_secret]
    assert len(secrets) >= 4
    everything = {
        "logs": logs.getvalue(),
        "pages": "\n".join(p.content.decode() for p in pages),
        "database": _all_text_in_the_database(),
    }
    for where, text in everything.items():
        found = [secret for secret in secrets if secret in text]
        assert found == [], f"{where} holds a token in clear"
    assert f"Account {account.pk} connected (facebook)" in everything["logs"]  # the logs were captured
