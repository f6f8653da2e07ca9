"""Loading a state's shipped reference data (legislators/reference/<state>/): ``manage.py load_reference mp``.

The files and their column contract are described in that folder's
PROVENANCE.md. The loader reads and checks every file before anything is
written, then writes in one transaction, in bulk (a fixed number of queries).

Idempotent by natural keys: division and district names, (state, AC, number),
(seat, roll date), party short name, the person's reference id (``mp-p0001``),
(person, start) for terms and appointments. A record already present is left
as it is, even when it differs from the file (an admin's correction, such as
an appointment's end, is never overwritten): it is counted as "kept".

It refuses a database holding demo data (seed_demo's members are marked
``is_demo``): real and invented people must not be mixed. Follower counts and
social-media handles are not part of the reference: an admin adds a real
person's accounts, and until they are polled the member shows n/a.
"""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from follower_tracker.db import analyse_tables

from .audit import audit_entry, changes_mark
from .imports.boundaries import boundary_lookups, plan_boundaries, shapes_write
from .imports.rows import ImportFileError
from .imports.shapes import read_features
from .models import (
    Appointment,
    AuditEntry,
    ChangeSource,
    Constituency,
    District,
    Division,
    Legislator,
    Party,
    Term,
    VoterRoll,
)
from .services import legislators_refresh_current

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@dataclass(frozen=True)
class StateReference:
    code: str  # Constituency.state_code
    folder: str
    parties: dict  # short name -> (full name, full name in Hindi, colour)
    term_source: str  # "{year}" is the election year
    appointment_source: str
    boundaries_source: str = ""  # the shapes' origin and licence (boundaries.geojson, when the folder has one)
    boundaries_licence: str = ""


STATES = {
    "mp": StateReference(
        code="MP",
        folder="mp",
        parties={
            "BJP": ("Bharatiya Janata Party", "भारतीय जनता पार्टी", "#ff9933"),
            "INC": ("Indian National Congress", "भारतीय राष्ट्रीय कांग्रेस", "#19aaed"),
            "BSP": ("Bahujan Samaj Party", "बहुजन समाज पार्टी", "#22409a"),
            "SP": ("Samajwadi Party", "समाजवादी पार्टी", "#e2231a"),
            "IND": ("Independent (no party)", "निर्दलीय", "#777777"),
            "BHRTADVSIP": ("Bharat Adivasi Party", "भारत आदिवासी पार्टी", "#8b4513"),
        },
        term_source="TCPD Lok Dhaba: MP assembly election {year} (via ElectionLens)",
        appointment_source="Council of ministers 2020-23, compiled from news reports (reference/mp/PROVENANCE.md)",
        boundaries_source="2008-delimitation AC shapes, simplified (reference/mp/PROVENANCE.md)",
        boundaries_licence="Constituency boundaries: Hindustan Times Labs (MIT) / DataMeet (CC BY 2.5 IN)",
    ),
}
KINDS = (
    "divisions",
    "districts",
    "constituencies",
    "voter rolls",
    "parties",
    "people",
    "terms",
    "appointments",
    "boundaries",
)
BOUNDARIES_FILE = "boundaries.geojson"


class ReferenceError(Exception):
    """A shipped file does not meet its contract, or the database cannot take it (names the file and line)."""


class DemoDataPresent(ReferenceError):
    pass


@dataclass
class LoadResult:
    created: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    kept: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))  # present, differs from the file
    open_appointments: int = 0  # stored appointments of the reference's people still without an end
    unmatched_features: list = field(default_factory=list)  # boundaries.geojson features without a seat
    without_shape: list = field(default_factory=list)  # the state's seats without a shape after the load

    def lines(self):
        lines = [
            f"{kind}: {self.created[kind]} created, {self.unchanged[kind]} unchanged"
            + (f", {self.kept[kind]} kept as edited (differ from the file)" if self.kept[kind] else "")
            for kind in KINDS
        ]
        matched = self.created["boundaries"] + self.unchanged["boundaries"] + self.kept["boundaries"]
        lines.append(
            f"boundaries: {matched} features matched to a constituency, {len(self.unmatched_features)} unmatched"
            + (f" ({'; '.join(self.unmatched_features)})" if self.unmatched_features else "")
            + f"; {len(self.without_shape)} constituencies without a shape"
            + (f" ({', '.join(self.without_shape)})" if self.without_shape else "")
        )
        return lines


# --- reading -------------------------------------------------------------------------------------


def _rows(folder, name, columns):
    path = folder / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or list(reader.fieldnames[: len(columns)]) != list(columns):
                raise ReferenceError(f"{path}: expected the columns {', '.join(columns)}, found {reader.fieldnames}")
            return [(line, row) for line, row in enumerate(reader, start=2)]
    except FileNotFoundError:
        raise ReferenceError(f"{path}: missing") from None


def _int(path, line, value, what):
    try:
        return int(value)
    except ValueError:
        raise ReferenceError(f"{path}, line {line}: {what} “{value}” is not a whole number") from None


def _date(path, line, value, what, *, optional=False):
    if value == "" and optional:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReferenceError(f"{path}, line {line}: {what} “{value}” is not a date (YYYY-MM-DD)") from None


def read_reference(state):
    """Every file of the state's reference, parsed and cross-checked: a dict of lists of plain dicts."""
    reference = STATES[state]
    folder = REFERENCE_DIR / reference.folder
    data = {}
    data["divisions"] = _read_divisions(folder)
    data["districts"] = _read_districts(folder, divisions={d["name"] for d in data["divisions"]})
    data["constituencies"] = _read_constituencies(folder, districts={d["name"] for d in data["districts"]})
    numbers = {c["number"] for c in data["constituencies"]}
    data["voter_rolls"] = _read_voter_rolls(folder, numbers=numbers)
    data["people"] = _read_people(folder)
    people = {p["reference_id"] for p in data["people"]}
    data["terms"] = _read_terms(folder, reference, people=people, numbers=numbers)
    data["appointments"] = _read_appointments(folder, reference, people=people)
    for name, rows, key in (("terms.csv", data["terms"], "person"), ("terms.csv", data["terms"], "number")):
        _refuse_overlaps(name, rows, key)
    _refuse_overlaps("appointments.csv", data["appointments"], "person")
    data["boundaries"] = _read_boundaries(folder)
    return data


def _read_boundaries(folder):
    """The boundaries file's bytes (None when the folder has none), checked to be a GeoJSON FeatureCollection."""
    path = folder / BOUNDARIES_FILE
    if not path.exists():
        return None
    content = path.read_bytes()
    try:
        read_features(content)
    except ImportFileError as exc:
        raise ReferenceError(f"{path}: {exc}") from None
    return content


def _read_divisions(folder):
    return [
        {"name": row["division"], "name_hi": row["division_hi"]}
        for _line, row in _rows(folder, "divisions.csv", ["division", "division_hi"])
    ]


def _read_districts(folder, *, divisions):
    districts = []
    for line, row in _rows(folder, "districts.csv", ["district", "district_hi", "division"]):
        if row["division"] not in divisions:
            raise ReferenceError(f"districts.csv, line {line}: unknown division “{row['division']}”")
        districts.append({"name": row["district"], "name_hi": row["district_hi"], "division": row["division"]})
    return districts


def _read_constituencies(folder, *, districts):
    constituencies = []
    for line, row in _rows(folder, "constituencies.csv", ["number", "name", "district", "reserved_category"]):
        if row["district"] not in districts:
            raise ReferenceError(f"constituencies.csv, line {line}: unknown district “{row['district']}”")
        if row["reserved_category"] not in Constituency.Reserved.values:
            raise ReferenceError(f"constituencies.csv, line {line}: reserved category “{row['reserved_category']}”")
        constituencies.append(
            {
                "number": _int("constituencies.csv", line, row["number"], "number"),
                "name": row["name"],
                "district": row["district"],
                "reserved_category": row["reserved_category"],
            }
        )
    return constituencies


def _read_voter_rolls(folder, *, numbers):
    rolls = []
    for line, row in _rows(folder, "voter_rolls.csv", ["constituency_number", "published_on", "electors", "source"]):
        number = _int("voter_rolls.csv", line, row["constituency_number"], "constituency number")
        electors = _int("voter_rolls.csv", line, row["electors"], "electors")
        if number not in numbers or electors <= 0:
            raise ReferenceError(f"voter_rolls.csv, line {line}: unknown constituency or electors ≤ 0")
        rolls.append(
            {
                "number": number,
                "published_on": _date("voter_rolls.csv", line, row["published_on"], "published_on"),
                "electors": electors,
                "source": row["source"],
            }
        )
    return rolls


def _read_people(folder):
    return [
        {"reference_id": row["person_id"], "name": row["name"]}
        for _line, row in _rows(folder, "people.csv", ["person_id", "name"])
    ]


def _read_terms(folder, reference, *, people, numbers):
    terms = []
    columns = ["person_id", "constituency_number", "party", "start", "end", "how_elected", "election_year"]
    for line, row in _rows(folder, "terms.csv", columns):
        number = _int("terms.csv", line, row["constituency_number"], "constituency number")
        if row["person_id"] not in people or number not in numbers or row["party"] not in reference.parties:
            raise ReferenceError(f"terms.csv, line {line}: unknown person, constituency or party")
        if row["how_elected"] not in Term.HowElected.values:
            raise ReferenceError(f"terms.csv, line {line}: how_elected “{row['how_elected']}”")
        terms.append(
            {
                "person": row["person_id"],
                "number": number,
                "party": row["party"],
                "start": _date("terms.csv", line, row["start"], "start"),
                "end": _date("terms.csv", line, row["end"], "end", optional=True),
                "how_elected": row["how_elected"],
                "source": reference.term_source.format(year=row["election_year"]),
                "line": line,
            }
        )
    return terms


def _read_appointments(folder, reference, *, people):
    appointments = []
    for line, row in _rows(folder, "appointments.csv", ["person_id", "role", "portfolio", "start", "end"]):
        if row["person_id"] not in people or row["role"] not in ("CM", "CABINET", "MOS_IC", "MOS"):
            raise ReferenceError(f"appointments.csv, line {line}: unknown person or role")
        appointments.append(
            {
                "person": row["person_id"],
                "role": row["role"],
                "portfolio": row["portfolio"],
                "start": _date("appointments.csv", line, row["start"], "start"),
                "end": _date("appointments.csv", line, row["end"], "end", optional=True),
                "source": reference.appointment_source,
                "line": line,
            }
        )
    return appointments


def _overlap(a_start, a_end, b_start, b_end):
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def _refuse_overlaps(name, rows, key):
    by_key = {}
    for row in rows:
        if row["end"] is not None and row["end"] < row["start"]:
            raise ReferenceError(f"{name}, line {row['line']}: ends before it starts")
        for other in by_key.get(row[key], []):
            if _overlap(row["start"], row["end"], other["start"], other["end"]):
                raise ReferenceError(f"{name}, lines {other['line']} and {row['line']}: the dates overlap")
        by_key.setdefault(row[key], []).append(row)


# --- writing -------------------------------------------------------------------------------------


def demo_data_present():
    return Legislator.objects.filter(is_demo=True).exists()


def reference_load(*, state):
    """Load the state's shipped reference (all or nothing). Returns a LoadResult."""
    if state not in STATES:
        raise ReferenceError(f"No reference data for “{state}”: expected one of {', '.join(sorted(STATES))}.")
    reference = STATES[state]
    data = read_reference(state)
    if demo_data_present():
        raise DemoDataPresent(
            "This database holds demo data (seed_demo): the real reference is not mixed with invented members. "
            "Use a fresh database."
        )
    result = LoadResult()
    entries = []
    with transaction.atomic():
        districts = _load_divisions_and_districts(result, entries, data)
        seats = _load_seats_and_rolls(result, entries, reference, data, districts)
        parties = _load_parties(result, entries, reference)
        people = _load(
            result,
            entries,
            "people",
            Legislator,
            {p.reference_id: p for p in Legislator.objects.exclude(reference_id="")},
            {row["reference_id"]: row for row in data["people"]},
            lambda row: Legislator(name=row["name"], reference_id=row["reference_id"]),
            ("name",),
        )
        person_ids = [p.pk for p in people.values()]
        new_terms = _load_terms(result, entries, data, people, seats, parties)
        new_appointments = _load_appointments(result, entries, data, people)
        for obj in [*new_terms, *new_appointments]:
            entries.append(_created_entry(obj))
        _load_boundaries(result, reference, data["boundaries"])
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        legislators_refresh_current(ids=person_ids)
        result.open_appointments = Appointment.objects.filter(legislator_id__in=person_ids, end__isnull=True).count()
        if any(result.created.values()):
            changes_mark()  # seats, rolls, terms and appointments: everyone's standings, every day
        if any(result.created.values()):
            # The first user after the load gets the plans of a settled database (after the commit).
            analyse_tables(
                Division, District, Constituency, VoterRoll, Party, Legislator, Term, Appointment, AuditEntry
            )
    return result


def _load_boundaries(result, reference, content):
    """The seats' shapes (boundaries.geojson) through the boundaries import's checks: new ones written, a
    stored shape that differs from the file kept (an admin's import is never overwritten)."""
    if content is None:
        return
    plan = plan_boundaries(
        content,
        filename=BOUNDARIES_FILE,
        constants={
            "state_code": reference.code,
            "source": reference.boundaries_source,
            "licence": reference.boundaries_licence,
        },
        lookups=boundary_lookups(),
    )
    if plan.errors:
        raise ReferenceError(f"{BOUNDARIES_FILE}: " + "; ".join(error.as_text() for error in plan.errors[:5]))
    shapes_write(
        [c for c in plan.changes if c.action == "create"],
        note="load_reference (legislators/reference, see PROVENANCE.md)",
    )
    result.created["boundaries"] = plan.count("create")
    result.unchanged["boundaries"] = plan.count("unchanged")
    result.kept["boundaries"] = plan.count("update")
    sections = {section["id"]: section for section in plan.sections}
    result.unmatched_features = sections["unmatched"]["items"]
    result.without_shape = sections["without-shape"]["items"]


def _load_divisions_and_districts(result, entries, data):
    """The divisions, then their districts; returns {district name: district}."""
    divisions = _load(
        result,
        entries,
        "divisions",
        Division,
        {d.name: d for d in Division.objects.all()},
        {row["name"]: row for row in data["divisions"]},
        lambda row: Division(name=row["name"], name_hi=row["name_hi"]),
        ("name", "name_hi"),
    )
    return _load(
        result,
        entries,
        "districts",
        District,
        {d.name: d for d in District.objects.all()},
        {row["name"]: row for row in data["districts"]},
        lambda row: District(name=row["name"], name_hi=row["name_hi"], division=divisions[row["division"]]),
        ("name", "name_hi", "division_id"),
    )


def _load_seats_and_rolls(result, entries, reference, data, districts):
    """The state's assembly constituencies, then their voter rolls; returns {number: constituency}."""
    seats = _load(
        result,
        entries,
        "constituencies",
        Constituency,
        {c.number: c for c in Constituency.objects.filter(state_code=reference.code, kind=Constituency.Kind.ASSEMBLY)},
        {row["number"]: row for row in data["constituencies"]},
        lambda row: Constituency(
            state_code=reference.code,
            kind=Constituency.Kind.ASSEMBLY,
            number=row["number"],
            name=row["name"],
            district=districts[row["district"]],
            reserved_category=row["reserved_category"],
        ),
        ("name", "district_id", "reserved_category"),
    )
    _load(
        result,
        entries,
        "voter rolls",
        VoterRoll,
        {
            (r.constituency_id, r.published_on): r
            for r in VoterRoll.objects.filter(constituency__in=list(seats.values()))
        },
        {(seats[row["number"]].pk, row["published_on"]): row for row in data["voter_rolls"]},
        lambda row: VoterRoll(
            constituency=seats[row["number"]],
            published_on=row["published_on"],
            total_electors=row["electors"],
            source=row["source"],
        ),
        ("total_electors", "source"),
    )
    return seats


def _load_parties(result, entries, reference):
    return _load(
        result,
        entries,
        "parties",
        Party,
        {p.short_name: p for p in Party.objects.all()},
        {
            short: {"short_name": short, "name": name, "name_hi": name_hi, "colour": colour}
            for short, (name, name_hi, colour) in reference.parties.items()
        },
        lambda row: Party(short_name=row["short_name"], name=row["name"], name_hi=row["name_hi"], colour=row["colour"]),
        ("name",),
    )


def _load_terms(result, entries, data, people, seats, parties):
    """The new terms, checked against the stored ones of their people and seats, created; returns them."""
    stored_terms = list(
        Term.objects.filter(legislator_id__in=[p.pk for p in people.values()])
        | Term.objects.filter(constituency__in=list(seats.values()))
    )
    new_terms = _load(
        result,
        entries,
        "terms",
        Term,
        {(t.legislator_id, t.start): t for t in stored_terms},
        {(people[row["person"]].pk, row["start"]): row for row in data["terms"]},
        lambda row: Term(
            legislator=people[row["person"]],
            constituency=seats[row["number"]],
            party=parties[row["party"]],
            start=row["start"],
            end=row["end"],
            how_elected=row["how_elected"],
            # Every ended term of the reference ended with its assembly (no by-election, death or
            # resignation is in the source: PROVENANCE.md, "Known gaps").
            end_reason=Term.EndReason.COMPLETION if row["end"] else "",
            source=row["source"],
        ),
        ("constituency_id", "party_id", "end"),
        only_new=True,
    )
    _refuse_stored_overlaps(new_terms, stored_terms)
    Term.objects.bulk_create(new_terms, batch_size=500)
    return new_terms


def _load_appointments(result, entries, data, people):
    """The new appointments, checked against their people's stored ones, created; returns them."""
    stored_appointments = list(Appointment.objects.filter(legislator_id__in=[p.pk for p in people.values()]))
    new_appointments = _load(
        result,
        entries,
        "appointments",
        Appointment,
        {(a.legislator_id, a.start): a for a in stored_appointments},
        {(people[row["person"]].pk, row["start"]): row for row in data["appointments"]},
        lambda row: Appointment(
            legislator=people[row["person"]],
            role=row["role"],
            portfolio=row["portfolio"],
            start=row["start"],
            end=row["end"],
            source=row["source"],
        ),
        ("role", "end"),
        only_new=True,
    )
    _refuse_stored_overlaps(new_appointments, stored_appointments, by_seat=False)
    Appointment.objects.bulk_create(new_appointments, batch_size=500)
    return new_appointments


def _load(result, entries, kind, model, existing, wanted, build, compared, *, only_new=False):
    """Create the ``wanted`` records missing from ``existing`` (both keyed alike); count the rest.

    Returns {key: saved object} over both, or with ``only_new`` the unsaved new objects (the
    caller checks them against the stored rows before it creates them).
    """
    new = {}
    for key, row in wanted.items():
        if key in existing:
            obj = existing[key]
            fresh = build(row)
            same = all(getattr(obj, name) == getattr(fresh, name) for name in compared)
            (result.unchanged if same else result.kept)[kind] += 1
        else:
            new[key] = build(row)
    result.created[kind] += len(new)
    if only_new:
        return list(new.values())
    created = model.objects.bulk_create(list(new.values()), batch_size=500)
    for obj in created:
        entries.append(_created_entry(obj))
    return {**{key: existing[key] for key in wanted if key in existing}, **dict(zip(new, created, strict=True))}


def _created_entry(obj):
    return audit_entry(
        instance=obj,
        action=AuditEntry.Action.CREATE,
        source=ChangeSource.IMPORT,
        note="load_reference (legislators/reference, see PROVENANCE.md)",
    )


def _refuse_stored_overlaps(new_rows, stored_rows, *, by_seat=True):
    """No new term overlaps a stored one of the same person (or seat): else nothing is written."""
    for row in new_rows:
        for other in stored_rows:
            same_person = other.legislator_id == row.legislator_id
            same_seat = by_seat and other.constituency_id is not None and other.constituency_id == row.constituency_id
            if (same_person or same_seat) and _overlap(row.start, row.end, other.start, other.end):
                raise ReferenceError(
                    f"{type(row).__name__} of {row.legislator} from {row.start} overlaps the stored "
                    f"{type(other).__name__.lower()} {other}: nothing was written "
                    "(correct or end the stored one first)."
                )
