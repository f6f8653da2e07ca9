"""Bad input is refused with a clear message and changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from legislators.models import SocialAccount, VoterRoll
from metrics import counts
from metrics.models import FollowerSnapshot
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("electors", [0, -5])
def test_voter_roll_without_positive_electors_is_refused_by_the_database(electors):
    place = factories.constituency()
    with pytest.raises(IntegrityError), transaction.atomic():
        VoterRoll.objects.create(constituency=place, published_on=timezone.localdate(), total_electors=electors)
    assert VoterRoll.objects.count() == 0


def test_voter_roll_with_zero_electors_gets_a_clear_admin_message(admin_client):
    place = factories.constituency()
    response = admin_client.post(
        reverse("admin:legislators_voterroll_add"),
        {"constituency": place.pk, "published_on": "2026-01-01", "total_electors": "0", "source": ""},
    )
    assert response.status_code == 200
    assert "Total electors is 0: expected a number above 0." in response.content.decode()
    assert VoterRoll.objects.count() == 0


def test_negative_follower_count_is_refused():
    account = factories.account(factories.legislator())
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowerSnapshot.objects.create(
            account=account, day=timezone.localdate(), followers=-1, fetched_at=timezone.now()
        )
    with pytest.raises(ValueError, match="zero or more"):
        counts.snapshot_enter(account=account, day=timezone.localdate(), followers=-1)
    assert FollowerSnapshot.objects.count() == 0


def test_count_for_a_future_day_is_refused():
    account = factories.account(factories.legislator())
    with pytest.raises(ValueError, match="future"):
        counts.snapshot_enter(account=account, day=timezone.localdate() + timedelta(days=1), followers=5)


def test_duplicate_handle_on_a_platform_is_refused_case_insensitively():
    member = factories.legislator()
    factories.account(member, "x", handle="SameName")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.account(member, "x", handle="samename")
    factories.account(member, "facebook", handle="samename")  # another platform is fine
    assert SocialAccount.objects.count() == 2


def test_duplicate_handle_gets_a_clear_validation_message():
    member = factories.legislator()
    factories.account(member, "x", handle="taken")
    duplicate = SocialAccount(legislator=member, platform="x", handle="TAKEN")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "account_handle_unique_per_platform" in str(error.value) or "already exists" in str(error.value)


def test_unknown_platform_is_refused():
    member = factories.legislator()
    with pytest.raises(ValidationError, match="not a valid choice"):
        SocialAccount(legislator=member, platform="myspace", handle="someone").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAccount.objects.create(legislator=member, platform="myspace", handle="someone")
    assert SocialAccount.objects.count() == 0


def test_constituency_number_is_unique_within_state_and_kind():
    district = factories.district()
    factories.constituency(district, number=7, state_code="MP")
    factories.constituency(district, number=7, state_code="RJ")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.constituency(district, number=7, state_code="MP")
