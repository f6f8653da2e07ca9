"""The filter selects (written in Python for speed) list every choice and keep the chosen one."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_district_select_lists_every_district_and_marks_the_chosen_one(viewer_client):
    division = factories.division(name="North")
    chosen = factories.district(division, name="Hill <Top>")
    factories.district(division, name="River")

    html = viewer_client.get(reverse("metrics:overview"), {"district": chosen.pk}).content.decode()

    assert '<select name="district" id="id_district">' in html
    # Each district names its division, for the page's script to offer only the chosen division's.
    assert f'<option value="{chosen.pk}" selected data-division="{division.pk}">Hill &lt;Top&gt;</option>' in html
    assert f'data-division="{division.pk}">River</option>' in html
    assert '<option value="">All districts</option>' in html
    assert '<option value="MLA">MLA</option>' in html


def test_a_district_outside_the_chosen_division_is_refused_naming_both(viewer_client):
    north, south = factories.division(name="North"), factories.division(name="South")
    hill = factories.district(north, name="Hill")
    factories.district(south, name="Coast")

    response = viewer_client.get(reverse("metrics:overview"), {"division": south.pk, "district": hill.pk})

    assert response.status_code == 400
    assert "The district “Hill” is not in the division “South”" in response.content.decode()
    inside = viewer_client.get(reverse("metrics:overview"), {"division": north.pk, "district": hill.pk})
    assert inside.status_code == 200
    hindi = viewer_client.get(
        reverse("metrics:overview"), {"division": south.pk, "district": hill.pk}, HTTP_ACCEPT_LANGUAGE="hi"
    )
    assert "ज़िला “Hill” संभाग “South” में नहीं है" in hindi.content.decode()
