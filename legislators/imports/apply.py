"""Applying an import: preview (a dry run kept as an ImportBatch), apply, or both at once.

Lookups are loaded before planning (a fixed number of queries whatever the
size of the file); a plan with any error writes nothing; a clean plan is
written in bulk in one transaction, each change with its audit entry linked
to the ImportBatch.
"""

import hashlib
from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from follower_tracker.db import analyse_tables
from legislators.audit import audit_entry, changes_mark, people_of_seats
from legislators.models import (
    Appointment,
    AuditEntry,
    ChangeSource,
    Constituency,
    District,
    Division,
    HandleChange,
    ImportBatch,
    Legislator,
    Party,
    SocialAccount,
    Term,
    VoterRoll,
)
from legislators.services import legislators_refresh_current
from legislators.validation import clean_for_field
from metrics.counts import counts_upsert
from metrics.models import FollowerSnapshot, LatestCount, Source
from metrics.standings.daily import settle

from .boundaries import plan_boundaries, shapes_write
from .planners import PLANNERS
from .read import read_table
from .rows import ImportFileError, ImportPlan, RowError


def import_preview(*, kind, content, filename, user=None, mapping=None, constants=None):
    """Check a file and store it as a previewed ImportBatch: nothing else is written. Returns (batch, plan)."""
    plan = import_plan(kind=kind, content=content, filename=filename, mapping=mapping, constants=constants)
    return _batch_for(
        plan, kind=kind, content=content, filename=filename, user=user, mapping=mapping, constants=constants
    ), plan


def _batch_for(plan, *, kind, content, filename, user, mapping, constants):
    return ImportBatch.objects.create(
        kind=kind,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        options={"mapping": mapping or {}, "constants": constants or {}},
        status=ImportBatch.Status.PREVIEWED if plan.ok else ImportBatch.Status.REFUSED,
        created_by=user if user is not None and user.is_authenticated else None,
        **_figures(plan),
    )


def import_apply(*, batch, user=None):
    """Write a previewed batch (the admin's "apply"): checked again first, since the database may
    have moved since the preview; all or nothing."""
    content = bytes(batch.content)
    options = batch.options or {}
    with transaction.atomic():
        plan = import_plan(
            kind=batch.kind,
            content=content,
            filename=batch.filename,
            mapping=options.get("mapping"),
            constants=options.get("constants"),
        )
        _apply(plan, batch=batch, user=user)
        settle()  # the standings table, in the import's transaction
    return plan


def _apply(plan, *, batch, user):
    if plan.ok:
        _write_plan(plan, batch=batch, user=user)
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
    else:
        batch.status = ImportBatch.Status.REFUSED
    for name, value in _figures(plan).items():
        setattr(batch, name, value)
    batch.save()


def import_file(*, kind, content, filename, user=None, mapping=None, constants=None, dry_run=False):
    """Check, then write unless ``dry_run`` or there is any error (the management command).

    One check and one transaction: what was checked is what is written. Returns (batch, plan).
    """
    with transaction.atomic():
        plan = import_plan(kind=kind, content=content, filename=filename, mapping=mapping, constants=constants)
        batch = _batch_for(
            plan, kind=kind, content=content, filename=filename, user=user, mapping=mapping, constants=constants
        )
        if plan.ok and not dry_run:
            _apply(plan, batch=batch, user=user)
            settle()  # the standings table, in the import's transaction
    return batch, plan


def import_plan(*, kind, content, filename, mapping=None, constants=None, today=None):
    """Read and check a file against the database (a fixed number of queries): an ImportPlan."""
    if kind == ImportBatch.Kind.BOUNDARIES:  # GeoJSON, not a table
        plan = plan_boundaries(content, filename=filename, mapping=mapping, constants=constants)
        _check_fields(plan)
        return plan
    try:
        table = read_table(content, filename)
    except ImportFileError as exc:
        return ImportPlan(kind=kind, errors=[RowError(0, "", str(exc))])
    lookups = _lookups(kind, table, constants or {})
    plan = PLANNERS[kind](table, lookups, mapping=mapping, constants=constants, today=today)
    _check_fields(plan)
    return plan


# The file's column behind a model field, where their names differ ((kind, model, field), else (model, field)).
_COLUMN_OF = {
    ("legislators.constituency", "number"): "number",
    (ImportBatch.Kind.CONSTITUENCIES, "legislators.voterroll", "total_electors"): "electors",
    (ImportBatch.Kind.CONSTITUENCIES, "legislators.voterroll", "published_on"): "roll_date",
    (ImportBatch.Kind.CONSTITUENCIES, "legislators.voterroll", "source"): "roll_source",
    (ImportBatch.Kind.CONSTITUENCIES, "legislators.division", "name"): "division",
    (ImportBatch.Kind.CONSTITUENCIES, "legislators.division", "name_hi"): "division_hi",
    (ImportBatch.Kind.CONSTITUENCIES, "legislators.district", "name"): "district",
    (ImportBatch.Kind.CONSTITUENCIES, "legislators.district", "name_hi"): "district_hi",
    ("legislators.voterroll", "total_electors"): "electors",
    ("legislators.party", "name"): "party",
    ("legislators.party", "short_name"): "party",
    ("legislators.term", "start"): "term_start",
    ("legislators.term", "end"): "term_end",
    ("legislators.appointment", "start"): "role_from",
    ("legislators.appointment", "end"): "role_to",
    ("metrics.followersnapshot", "day"): "date",
}


def _check_fields(plan):
    """Every value the plan would write, checked against its model field (legislators.validation.clean_for_field):
    a line-numbered error instead of the database's refusal (or a silent truncation) at write time."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist, ValidationError

    for change in plan.changes:
        model = apps.get_model(change.model)
        for name, value in change.values.items():
            if name.startswith("_") or isinstance(value, tuple):
                continue
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.is_relation:
                continue
            try:
                clean_for_field(model, name, value)
            except ValidationError as exc:
                column = _COLUMN_OF.get((plan.kind, change.model, name)) or _COLUMN_OF.get((change.model, name), name)
                plan.errors.append(RowError(change.line, plan.header_of.get(column, column), " ".join(exc.messages)))
    if plan.errors:
        plan.changes = []


def _figures(plan):
    main = {
        ImportBatch.Kind.CONSTITUENCIES: "legislators.constituency",
        ImportBatch.Kind.VOTER_ROLLS: "legislators.voterroll",
        ImportBatch.Kind.LEGISLATORS: "legislators.legislator",
        ImportBatch.Kind.ACCOUNTS: "legislators.socialaccount",
        ImportBatch.Kind.COUNTS: "metrics.followersnapshot",
        ImportBatch.Kind.BOUNDARIES: "legislators.constituencyshape",
    }[plan.kind]
    return {
        "rows": plan.rows,
        "created": plan.count("create", main),
        "updated": plan.count("update", main),
        "unchanged": plan.count("unchanged", main),
        "errors": [error.as_text() for error in plan.errors[:500]],
    }


def _constituency_lookup():
    rows = Constituency.objects.values(
        "id", "state_code", "kind", "number", "name", "name_hi", "reserved_category", district_name=F("district__name")
    )
    return {(row["state_code"], row["kind"], row["number"]): row for row in rows}


def _legislator_lookups():
    rows = list(
        Legislator.objects.values(
            "id",
            "name",
            "name_hi",
            "role",
            "portfolio",
            "term_start",
            "term_end",
            "active",
            "constituency_id",
            party_short=F("party__short_name"),
        )
    )
    today = timezone.localdate()
    by_key, by_id, current = {}, {}, {}
    for row in rows:
        row["constituency"] = row["constituency_id"]
        by_key[(row["constituency_id"], row["name"].lower())] = row
        by_id[row["id"]] = row
        in_office = row["active"] and (row["term_end"] is None or row["term_end"] >= today)
        if in_office and row["constituency_id"]:
            current.setdefault(row["constituency_id"], []).append(row)
    return by_key, by_id, current


def _people_lookups():
    """Every person, term and appointment (three queries), as the legislators planner reads them."""
    people = {row["id"]: row for row in Legislator.objects.values("id", "name", "name_hi", "reference_id")}
    by_reference = {row["reference_id"].lower(): row for row in people.values() if row["reference_id"]}
    terms = []
    for row in Term.objects.values(
        "id",
        "legislator_id",
        "constituency_id",
        "start",
        "end",
        "how_elected",
        "end_reason",
        party_short=F("party__short_name"),
        seat_number=F("constituency__number"),
        seat_name=F("constituency__name"),
    ):
        person = people[row["legislator_id"]]["name"]
        seat = f"{row['seat_number']} {row['seat_name']}" if row["constituency_id"] else "—"
        terms.append(
            {
                **row,
                "legislator": row["legislator_id"],
                "constituency": row["constituency_id"],
                "party": ("legislators.party", row["party_short"].lower()) if row["party_short"] else None,
                "person_name": person,
                "seat_label": seat,
                "label": f"{person} · {row['seat_number'] or '—'} · {row['start']}–{row['end'] or ''}",
            }
        )
    appointments = [
        {**row, "legislator": row["legislator_id"]}
        for row in Appointment.objects.values(
            "id", "legislator_id", "role", "portfolio", "portfolio_hi", "start", "end"
        )
    ]
    return {"people": people, "people_by_reference": by_reference, "terms": terms, "appointments": appointments}


def _account_lookups():
    rows = SocialAccount.objects.values(
        "id",
        "platform",
        "handle",
        "platform_id",
        "kind",
        "active",
        "legislator_id",
        legislator_name=F("legislator__name"),
    )
    by_handle, by_platform_id = {}, {}
    for row in rows:
        by_handle[(row["platform"], row["handle"].lower())] = row
        if row["platform_id"]:
            by_platform_id[(row["platform"], row["platform_id"])] = row
    return by_handle, by_platform_id


def _lookups(kind, table, constants):
    """Everything a plan checks against, in a fixed number of queries (never one per row)."""
    Kind = ImportBatch.Kind
    lookups = {}
    if kind in (Kind.CONSTITUENCIES, Kind.VOTER_ROLLS, Kind.LEGISLATORS, Kind.ACCOUNTS):
        lookups["constituencies"] = _constituency_lookup()
    if kind == Kind.CONSTITUENCIES:
        lookups["divisions"] = {row["name"].lower(): row for row in Division.objects.values("id", "name", "name_hi")}
        lookups["districts"] = {
            row["name"].lower(): row for row in District.objects.values("id", "name", "name_hi", "division_id")
        }
    if kind in (Kind.CONSTITUENCIES, Kind.VOTER_ROLLS):
        lookups["rolls"] = {
            (row["constituency_id"], row["published_on"]): row
            for row in VoterRoll.objects.values(
                "id", "constituency_id", "published_on", "total_electors", "male", "female", "third_gender", "source"
            )
        }
    if kind == Kind.ACCOUNTS:
        by_key, by_id, current = _legislator_lookups()
        lookups.update(legislators=by_key, legislators_by_id=by_id, current_by_constituency=current)
    if kind == Kind.LEGISLATORS:
        lookups["parties"] = {
            row["short_name"].lower(): row for row in Party.objects.values("id", "short_name", "name_hi")
        }
        lookups.update(_people_lookups())
    if kind in (Kind.ACCOUNTS, Kind.COUNTS):
        lookups["accounts"], lookups["accounts_by_platform_id"] = _account_lookups()
    if kind == Kind.COUNTS:
        # One range read of the file's days (cells are checked properly by the plan).
        days = []
        for _line, cells in table[1]:
            for cell in cells:
                if isinstance(cell, (date, datetime)):
                    days.append(cell.date() if isinstance(cell, datetime) else cell)
                else:
                    try:
                        days.append(date.fromisoformat(str(cell).strip()[:10]))
                    except ValueError:
                        continue
        snapshots = FollowerSnapshot.objects.none()
        if days:
            snapshots = FollowerSnapshot.objects.filter(day__gte=min(days), day__lte=max(days))
        lookups["snapshots"] = {
            (row["account_id"], row["day"]): row
            for row in snapshots.values("id", "account_id", "day", "followers", "posts", "evidence_url", "source")
        }
    return lookups


_MODELS = {
    "legislators.division": Division,
    "legislators.district": District,
    "legislators.constituency": Constituency,
    "legislators.voterroll": VoterRoll,
    "legislators.party": Party,
    "legislators.legislator": Legislator,
    "legislators.term": Term,
    "legislators.appointment": Appointment,
    "legislators.socialaccount": SocialAccount,
}
# Foreign keys in plan values: field -> attribute written.
_FOREIGN_KEYS = {"division", "district", "constituency", "party", "legislator", "account"}
_WRITE_ORDER = [
    "legislators.division",
    "legislators.district",
    "legislators.constituency",
    "legislators.voterroll",
    "legislators.party",
    "legislators.legislator",
    "legislators.term",
    "legislators.appointment",
    "legislators.socialaccount",
    "metrics.followersnapshot",
]


def _write_plan(plan, *, batch, user):
    """Bulk writes in dependency order, then the audit entries: statements per model, not per row."""
    if plan.kind == ImportBatch.Kind.BOUNDARIES:
        shapes_write(plan.changes, user=user, batch=batch)
        return
    writer = _PlanWriter(plan, batch=batch, user=user)
    for model in _WRITE_ORDER:
        writer.write(model)
    AuditEntry.objects.bulk_create(writer.entries, batch_size=2000)
    people = _people_of(plan, writer.resolve)
    legislators_refresh_current(ids=people)
    _mark_changes(plan, writer, people)
    # The first user after the import gets the plans of a settled database (after the commit).
    analyse_tables(*writer.written)


def _mark_changes(plan, writer, people):
    """The change marks of what was written besides counts (counts mark their people themselves): the people
    written, every day; for a voter roll or a seat written, the people who held or sought the seat, every day
    (a roll changes their denominator, a seat its district); for a district moved to another division, the
    people of its seats. Never everyone for a few rows: one corrected roll re-keeps one seat's rows, not the
    state's three years."""
    written = {}
    for change in plan.changes:
        if change.action in ("create", "update"):
            written.setdefault(change.model, []).append(change)
    seats = set()
    for change in written.get("legislators.voterroll", []):
        seats.add(writer.resolve(change.values.get("constituency")))
        if "constituency" in change.diff:  # a roll moved to another seat: the old seat's people too
            seats.add(writer.resolve(change.diff["constituency"][0]))
    seats |= {change.existing_id for change in written.get("legislators.constituency", []) if change.action == "update"}
    moved = [change.existing_id for change in written.get("legislators.district", []) if change.action == "update"]
    if moved:
        seats |= set(Constituency.objects.filter(district_id__in=moved).values_list("pk", flat=True))
    seats.discard(None)
    marked = set(people) if set(written) - {"metrics.followersnapshot"} else set()
    marked |= people_of_seats(seats) if seats else set()
    if marked:
        changes_mark(legislator_ids=marked)


def _is_reference(value):
    """A reference to another record of the plan (or a stored one): (model label, natural key)."""
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and "." in value[0]


class _PlanWriter:
    """Writes a plan's changes a model at a time; references between its records become their ids."""

    def __init__(self, plan, *, batch, user):
        self.batch, self.user = batch, user
        self.ids = {}  # (model, key) -> pk, for references between the plan's records
        self.now = timezone.now()
        self.entries = []
        self.written = []  # the models whose tables were written to
        self.by_model = {}
        for change in plan.changes:
            self.by_model.setdefault(change.model, []).append(change)
            if change.existing_id is not None:
                self.ids[(change.model, change.key)] = change.existing_id
        # Existing parties, districts and divisions referenced by name but not changed by the file.
        _known_references(plan, self.ids)

    def resolve(self, value):
        return self.ids.get(value) if _is_reference(value) else value

    def write(self, model):
        changes = self.by_model.get(model, [])
        if not changes:
            return
        if model == "metrics.followersnapshot":
            self.entries.extend(_write_counts(changes, batch=self.batch, user=self.user, now=self.now))
            if any(c.action != "unchanged" for c in changes):
                self.written += [FollowerSnapshot, LatestCount, AuditEntry]
            return
        creates = [c for c in changes if c.action == "create"]
        updates = [c for c in changes if c.action == "update"]
        self.create(model, creates)
        self.update(model, updates)
        if creates or updates:
            self.written += [_MODELS[model], AuditEntry]
        if model == "legislators.socialaccount":
            # A known platform id under a new handle is a rename: one account, both handles in its history.
            renames = HandleChange.objects.bulk_create(
                HandleChange(
                    account_id=c.existing_id,
                    old_handle=c.diff["handle"][0],
                    new_handle=c.diff["handle"][1],
                    changed_on=timezone.localdate(self.now),
                    source=ChangeSource.IMPORT,
                )
                for c in changes
                if c.action == "update" and "handle" in c.diff
            )
            if renames:
                self.written.append(HandleChange)

    def create(self, model, creates):
        """The new records in one bulk insert; their ids kept for the records that refer to them."""
        cls = _MODELS[model]
        objects = []
        for change in creates:
            fields = {}
            for name, value in change.values.items():
                if name.startswith("_"):
                    continue
                fields[f"{name}_id" if name in _FOREIGN_KEYS else name] = self.resolve(value)
            objects.append(cls(**fields))
        cls.objects.bulk_create(objects, batch_size=1000)
        for change, obj in zip(creates, objects, strict=True):
            self.ids[(model, change.key)] = obj.pk
            change.existing_id = obj.pk
            self.entries.append(
                audit_entry(
                    model=model,
                    object_id=obj.pk,
                    object_repr=change.label,
                    action=AuditEntry.Action.CREATE,
                    changes={n: (None, self.resolve(v)) for n, v in change.values.items() if not n.startswith("_")},
                    source=ChangeSource.IMPORT,
                    user=self.user,
                    batch=self.batch,
                )
            )

    def update(self, model, updates):
        """The changed records, one bulk update per set of changed fields."""
        cls = _MODELS[model]
        has_updated_at = any(f.name == "updated_at" for f in cls._meta.fields)
        groups = {}
        for change in updates:
            groups.setdefault(frozenset(change.diff), []).append(change)
        for names, group in groups.items():
            objects = []
            attnames = [f"{n}_id" if n in _FOREIGN_KEYS else n for n in names]
            for change in group:
                obj = cls(pk=change.existing_id)
                for name, attname in zip(names, attnames, strict=True):
                    setattr(obj, attname, self.resolve(change.values[name]))
                if has_updated_at:
                    obj.updated_at = self.now
                objects.append(obj)
                self.entries.append(
                    audit_entry(
                        model=model,
                        object_id=change.existing_id,
                        object_repr=change.label,
                        action=AuditEntry.Action.UPDATE,
                        changes={n: (_plain(change.diff[n][0]), self.resolve(change.diff[n][1])) for n in names},
                        source=ChangeSource.IMPORT,
                        user=self.user,
                        batch=self.batch,
                    )
                )
            cls.objects.bulk_update(objects, attnames + (["updated_at"] if has_updated_at else []), batch_size=500)


def _people_of(plan, resolve):
    """The ids of the people whose records, terms or appointments the plan wrote (their current view refreshed)."""
    people = {
        resolve(c.values.get("legislator")) if c.model != "legislators.legislator" else c.existing_id
        for c in plan.changes
        if c.model in ("legislators.legislator", "legislators.term", "legislators.appointment")
    }
    people |= {c.values["legislator"] for c in plan.changes if isinstance(c.values.get("legislator"), int)}
    people |= {
        row["legislator_id"]
        for row in Term.objects.filter(pk__in=_stored_ids(plan, "legislators.term")).values("legislator_id")
    }
    people |= {
        row["legislator_id"]
        for row in Appointment.objects.filter(pk__in=_stored_ids(plan, "legislators.appointment")).values(
            "legislator_id"
        )
    }
    return {pk for pk in people if pk}


def _stored_ids(plan, model):
    return [c.existing_id for c in plan.changes if c.model == model and c.existing_id and c.action == "update"]


def _plain(value):
    """An old value as the audit shows it: a reference by its natural key's last part."""
    if _is_reference(value):
        key = value[1]
        return key[-1] if isinstance(key, tuple) else key
    return value


def _known_references(plan, ids):
    """Ids of divisions, districts and parties the plan refers to by name without changing them."""
    wanted = {}
    for change in plan.changes:
        for value in change.values.values():
            if _is_reference(value) and value not in ids:
                wanted.setdefault(value[0], set()).add(value[1])
    if "legislators.division" in wanted:
        for pk, name in Division.objects.values_list("pk", "name"):
            ids[("legislators.division", name.lower())] = pk
    if "legislators.district" in wanted:
        for pk, name in District.objects.values_list("pk", "name"):
            ids[("legislators.district", name.lower())] = pk
    if "legislators.party" in wanted:
        for pk, short_name in Party.objects.values_list("pk", "short_name"):
            ids[("legislators.party", short_name.lower())] = pk
    if "legislators.constituency" in wanted:
        for pk, state, kind, number in Constituency.objects.values_list("pk", "state_code", "kind", "number"):
            ids[("legislators.constituency", (state, kind, number))] = pk


def _write_counts(changes, *, batch, user, now):
    written = [c for c in changes if c.action != "unchanged"]
    rows = [(c.values["account"], c.values["day"], c.values["followers"], c.values["posts"]) for c in written]
    evidence = {(c.values["account"], c.values["day"]): c.values["evidence_url"] for c in written}
    counts_upsert(
        rows,
        source=Source.IMPORT,
        now=now,
        evidence_urls=evidence,
        user=user,
        batch=batch,
        audit_source=ChangeSource.IMPORT,
    )
    return []
