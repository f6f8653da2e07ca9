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
    assert f'<option value="{chosen.pk}" selected>Hill &lt;Top&gt;</option>' in html
    assert ">River</option>" in html
    assert '<option value="">All districts</option>' in html
    assert '<option value="MLA">MLA</option>' in html
