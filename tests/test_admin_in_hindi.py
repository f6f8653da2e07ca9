"""The admin index in Hindi: the third-party sections (login log, schedules) and the admin's own words that
Django leaves in English are Hindi too; English stays English."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_every_section_in_hindi(client):
    client.force_login(factories.user("boss", is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "hi"
    html = client.get(reverse("admin:index")).content.decode()
    for hindi in ("उपयोगकर्ता और समूह", "लॉग-इन प्रयास", "समय-सारणियाँ", "निर्धारित कार्य", "साइट देखें"):
        assert hindi in html, hindi
    for english in ("Periodic Tasks", "Authentication and Authorization", "Access attempts", "View site"):
        assert english not in html, english
    client.cookies["django_language"] = "en"
    html = client.get(reverse("admin:index")).content.decode()
    assert "Users and groups" in html and "Scheduled tasks" in html and "View site" in html
