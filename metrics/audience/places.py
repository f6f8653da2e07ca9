"""The gazetteer: a platform's city name → the district it lies in; its import; the unmatched names.

``place_key("Bhopal, Madhya Pradesh, India")`` → ``"bhopal, madhya pradesh"``:
lower case, accents and dots dropped, spaces collapsed, a trailing country
dropped. A name without a state ("Bhopal", as YouTube may write it) matches
when exactly one entry has that town name. Names no entry matches are kept as
``UnmatchedPlace`` rows (with how many followers or views they hold) for an
admin to map; mapping one writes a ``Place`` and the next local shares use it.
"""

import csv
import io
import unicodedata
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from legislators.models import District
from metrics.audience.models import Place, UnmatchedPlace

SHIPPED = {"mp": Path(__file__).with_name("gazetteer") / "mp.csv"}
SHIPPED_SOURCE = {
    "mp": "metrics/audience/gazetteer/mp.csv: district headquarters and towns of Madhya Pradesh, compiled by hand "
    "(Census 2011 spellings) over the MPOnline 50-district list; see its PROVENANCE.md",
}
COUNTRIES = {"india", "in", "bharat"}
OUTSIDE = object()  # a known place outside every tracked district


def place_key(name):
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode() or str(name)
    parts = [" ".join(part.replace(".", " ").split()).lower() for part in text.split(",")]
    parts = [part for part in parts if part]
    while len(parts) > 1 and parts[-1] in COUNTRIES:
        parts.pop()
    return ", ".join(parts)[:200]


class Gazetteer:
    """Every place, loaded once (a few hundred rows a state): key → district id (None: outside)."""

    def __init__(self, places=None):
        rows = places if places is not None else Place.objects.values_list("key", "district_id")
        self.by_key = dict(rows)
        by_town = {}
        for key, district_id in self.by_key.items():
            by_town.setdefault(key.split(",")[0], set()).add(district_id)
        self.by_town = {town: ids.pop() for town, ids in by_town.items() if len(ids) == 1}

    def district_of(self, name):
        """The district id, OUTSIDE for a known place elsewhere, or None when the name is not known."""
        key = place_key(name)
        if key in self.by_key:
            found = self.by_key[key]
        elif "," not in key and key in self.by_town:
            found = self.by_town[key]
        else:
            return None
        return OUTSIDE if found is None else found


def gazetteer_rows(text, *, districts):
    """Parse a gazetteer CSV (name, state, district, kind): ([(key, name, state, district id|None)], errors)."""
    rows, errors = [], []
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name", "state", "district"} - set(reader.fieldnames or [])
    if missing:
        return [], [f"missing columns: {', '.join(sorted(missing))}"]
    for line, row in enumerate(reader, start=2):
        name, state = (row.get("name") or "").strip(), (row.get("state") or "").strip()
        district_name = (row.get("district") or "").strip()
        if not name:
            errors.append(f"line {line}: no name")
            continue
        district_id = None
        if district_name:
            district_id = districts.get(district_name.lower())
            if district_id is None:
                errors.append(f"line {line}: unknown district {district_name!r} (load the state's districts first)")
                continue
        full = f"{name}, {state}" if state else name
        rows.append((place_key(full), full, state, district_id))
    return rows, errors


def gazetteer_import(*, text, source, state_code=""):
    """Write a gazetteer file (all or nothing). Returns (created, updated, errors); nothing written on errors.

    A place an admin mapped by hand (its source says so) is kept as it is.
    """
    districts = {name.lower(): pk for pk, name in District.objects.values_list("pk", "name")}
    rows, errors = gazetteer_rows(text, districts=districts)
    if errors:
        return 0, 0, errors
    existing = {place.key: place for place in Place.objects.all()}
    created = updated = 0
    with transaction.atomic():
        for key, name, _state, district_id in rows:
            place = existing.get(key)
            if place is None:
                Place.objects.create(
                    key=key, name=name, state_code=state_code, district_id=district_id, source=source[:300]
                )
                created += 1
            elif not place.source.startswith("admin") and (place.district_id, place.name) != (district_id, name):
                Place.objects.filter(pk=place.pk).update(name=name, district_id=district_id, source=source[:300])
                updated += 1
        UnmatchedPlace.objects.filter(key__in=[row[0] for row in rows]).delete()
    return created, updated, []


def gazetteer_load_shipped(state="mp"):
    return gazetteer_import(
        text=SHIPPED[state].read_text(encoding="utf-8"), source=SHIPPED_SOURCE[state], state_code=state.upper()
    )


def unmatched_record(*, names, platform, day):
    """Remember city names no place matched: {name: audience}. Keeps the largest audience seen lately."""
    if not names:
        return
    keys = {place_key(name): (name, value) for name, value in names.items()}
    known = {u.key: u for u in UnmatchedPlace.objects.filter(key__in=keys)}
    for key, (name, value) in keys.items():
        row = known.get(key)
        if row is None:
            UnmatchedPlace.objects.create(
                key=key, name=name[:200], platforms=platform, audience=value, first_seen=day, last_seen=day
            )
            continue
        platforms = sorted(set(filter(None, row.platforms.split(","))) | {platform})
        UnmatchedPlace.objects.filter(pk=row.pk).update(
            platforms=",".join(platforms)[:60], audience=max(value, row.audience), last_seen=max(day, row.last_seen)
        )


def place_map(*, unmatched, district, user=None):
    """An admin placed an unmatched name: a Place (district empty: outside the state) replaces it."""
    who = getattr(user, "username", "") or "admin"
    with transaction.atomic():
        Place.objects.update_or_create(
            key=unmatched.key,
            defaults={
                "name": unmatched.name,
                "district": district,
                "source": f"admin: mapped by {who} on {timezone.localdate():%Y-%m-%d}",
            },
        )
        UnmatchedPlace.objects.filter(pk=unmatched.pk).delete()
