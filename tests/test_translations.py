"""Every string the code marks for translation has its Hindi translation.

Officials read the dashboard in Hindi: a new string left untranslated shows
English in the middle of a Hindi page. This runs Django's makemessages (with
gettext's xgettext, as `make messages` does) on a copy of the sources and
reads what it leaves untranslated or fuzzy in the Hindi catalogue.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("follower_tracker", "legislators", "metrics", "templates", "locale", "manage.py")


def _msgids(po_text):
    """The msgids of a catalogue's entries (the header's empty msgid left out)."""
    ids = []
    for block in po_text.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.MULTILINE)
        if match:
            text = "".join(re.findall(r'"(.*)"', match.group(1)))
            if text:
                ids.append(text)
    return ids


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not REQUIRE_SERVICES, reason="needs gettext (apt-get install gettext)"
)
def test_every_translatable_string_has_a_hindi_translation(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "hi"], cwd=tmp_path, check=True, capture_output=True
    )
    catalogue = tmp_path / "locale/hi/LC_MESSAGES/django.po"

    def entries(*options):
        return _msgids(
            subprocess.run(
                ["msgattrib", *options, "--no-obsolete", str(catalogue)], check=True, capture_output=True, text=True
            ).stdout
        )

    assert entries("--untranslated") == [], "strings without a Hindi translation (fill them in locale/hi)"
    assert entries("--only-fuzzy") == [], "fuzzy Hindi translations (check them, then drop the fuzzy mark)"


@pytest.mark.skipif(
    shutil.which("msgfmt") is None and not REQUIRE_SERVICES, reason="needs gettext (apt-get install gettext)"
)
def test_the_committed_compiled_catalogue_matches_the_hindi_translations(tmp_path):
    """The app reads django.mo: a .po edited without `make messages` would not show."""
    import gettext

    catalogue = ROOT / "locale/hi/LC_MESSAGES"
    subprocess.run(
        ["msgfmt", "-o", str(tmp_path / "fresh.mo"), str(catalogue / "django.po")], check=True, capture_output=True
    )
    with open(tmp_path / "fresh.mo", "rb") as fresh, open(catalogue / "django.mo", "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog
