"""The shipped Madhya Pradesh gazetteer: every district's headquarters, names as the platforms write them;
another state's file; the unmatched names an admin maps."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from legislators.models import District
from metrics.audience.models import Place, UnmatchedPlace
from metrics.audience.places import OUTSIDE, SHIPPED, Gazetteer, place_key, unmatched_record
from tests import factories

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parents[2] / "legislators" / "reference" / "mp" / "districts.csv"


@pytest.fixture
def mp_districts():
    division = factories.division("MP")
    return {row["district"]: factories.district(division, row["district"]) for row in csv.DictReader(REFERENCE.open())}


def test_names_are_normalised_as_platforms_vary_them():
    assert place_key("Bhopal, Madhya Pradesh, India") == "bhopal, madhya pradesh"
    assert place_key("  Dr.  Ambedkar Nagar ,Madhya Pradesh") == "dr ambedkar nagar, madhya pradesh"


def test_every_district_has_its_headquarters_and_the_file_loads(mp_districts):
    rows = list(csv.DictReader(SHIPPED["mp"].open()))
    headquarters = {row["district"] for row in rows if row["kind"] == "headquarters"}
    assert headquarters == set(mp_districts)
    call_command("load_gazetteer", "mp")
    assert Place.objects.count() == len(rows) == 221
    gazetteer = Gazetteer()
    assert gazetteer.district_of("Bhopal, Madhya Pradesh") == mp_districts["Bhopal"].pk
    assert gazetteer.district_of("Itarsi, Madhya Pradesh, India") == mp_districts["Hoshangabad"].pk
    assert gazetteer.district_of("Waidhan") == mp_districts["Singrauli"].pk  # a town name alone, unique
    assert gazetteer.district_of("Mumbai, Maharashtra") is OUTSIDE
    assert gazetteer.district_of("Atlantis") is None
    call_command("load_gazetteer", "mp")  # a second run changes nothing
    assert Place.objects.count() == 221


def test_another_states_file_is_checked_before_anything_is_written(tmp_path, mp_districts):
    path = tmp_path / "places.csv"
    path.write_text("name,state,district,kind\nGwalior Fort,Madhya Pradesh,Gwalior,town\nPune,Maharashtra,Pune,town\n")
    with pytest.raises(CommandError, match="line 3: unknown district 'Pune'"):
        call_command("load_gazetteer", file=str(path), source="a test list")
    assert not Place.objects.exists()
    path.write_text("name,state,district,kind\nGwalior Fort,Madhya Pradesh,Gwalior,town\n")
    call_command("load_gazetteer", file=str(path), source="a test list", state_code="mp")
    assert Place.objects.get().district == mp_districts["Gwalior"]


def test_an_admin_maps_an_unmatched_name_and_it_counts_from_then_on(mp_districts):
    from django.utils import timezone

    unmatched_record(names={"Bhopal City": 900}, platform="youtube", day=timezone.localdate())
    row = UnmatchedPlace.objects.get()
    admin = Client()
    admin.force_login(factories.user("root", is_superuser=True, is_staff=True))
    response = admin.post(
        f"/admin/metrics/unmatchedplace/{row.pk}/change/", {"district": District.objects.get(name="Bhopal").pk}
    )
    assert response.status_code == 302
    assert not UnmatchedPlace.objects.exists()
    place = Place.objects.get(key="bhopal city")
    assert place.district.name == "Bhopal" and place.source.startswith("admin: mapped by root")
    assert Gazetteer().district_of("Bhopal City") == mp_districts["Bhopal"].pk
