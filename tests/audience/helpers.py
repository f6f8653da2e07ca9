"""Connected accounts made directly (the connect flow has its own tests): tokens the fakes accept."""

from datetime import timedelta

from django.utils import timezone

from legislators.models import Platform
from metrics.audience import connections
from metrics.audience.oauth import Tokens
from metrics.audience.store import geographies_store
from metrics.polling.clients.geography import GeographyResult
from tests import factories
from tests.fake_oauth import new_token

GAZETTEER = """name,state,district,kind
Bhopal,Madhya Pradesh,Bhopal,headquarters
Berasia,Madhya Pradesh,Bhopal,town
Sehore,Madhya Pradesh,Sehore,headquarters
Indore,Madhya Pradesh,Indore,headquarters
Mumbai,Maharashtra,,outside
"""
ASHA_INSTAGRAM = {
    "Bhopal, Madhya Pradesh": 6_000,  # in the district
    "Berasia, Madhya Pradesh": 1_500,  # in the district
    "Sehore, Madhya Pradesh": 2_000,  # another district
    "Mumbai, Maharashtra": 500,  # outside the state
    "Atlantis": 100,  # a name the gazetteer does not know
}  # listed 10,100 of 20,000 followers: 9,900 in the platform's "other / unknown" remainder


def connect_instagram(meta, member, *, handle="asha.mp", ig_id="17841400000000777", followers=2_000, cities=None):
    account = factories.account(member, platform=Platform.INSTAGRAM, handle=handle)
    token = new_token("EAALong")
    meta.user_tokens[token] = "user"
    if cities is not None:
        meta.set_audience(ig_id, followers, cities)
    expires = timezone.now() + timedelta(days=50)
    connection = connections.connection_store(
        account=account, provider="facebook", tokens=Tokens(token, token, expires, external_id=ig_id)
    )
    return account, connection, token


def connect_youtube(google, member, *, channel_id="UCasha0000000000000000aa", total=0, cities=None, expires_in=3599):
    account = factories.account(member, platform=Platform.YOUTUBE, handle="@ashaverma")
    google.add_channel(channel_id, "ashaverma", total=total, cities=cities)
    access, refresh = new_token("ya29.a0"), new_token("1//0grefresh-")
    google.access[access] = channel_id
    google.refresh[refresh] = channel_id
    expires = timezone.now() + timedelta(seconds=expires_in)
    connection = connections.connection_store(
        account=account, provider="google", tokens=Tokens(access, refresh, expires, external_id=channel_id)
    )
    return account, connection, access


def stored_geography(member, platform, cities, *, total, metric="followers", followers=None, handle=None):
    """A connected account of ``member`` with an audience by city stored today (as the weekly poll leaves it)."""
    account = factories.account(member, platform=platform, handle=handle)
    connections.connection_store(
        account=account,
        provider="google" if platform == "youtube" else "facebook",
        tokens=Tokens("tok-" + account.handle),
    )
    result = GeographyResult(account.pk, metric=metric, total=total, followers=followers or total, cities=cities)
    geographies_store(results=[result], platform=platform)
    return account
