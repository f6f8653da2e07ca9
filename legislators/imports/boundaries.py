"""The constituency boundaries import: a GeoJSON file in, one ConstituencyShape per matched constituency.

A dry run (``plan_boundaries``) reports the features matched to a recorded
constituency by number, the features without one (left out), and the
constituencies left without a shape; a feature without a number, a bad
geometry, coordinates that are not longitude/latitude in India, or a file
that is not GeoJSON is an error and nothing is written. ``shapes_write``
writes a plan's new and changed shapes in bulk with their audit entries
(the admin's apply, ``import_data boundaries`` and ``load_reference``).
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from follower_tracker.db import analyse_tables
from legislators.audit import audit_entry
from legislators.models import AuditEntry, ChangeSource, Constituency, ConstituencyShape, ImportBatch

from .rows import ImportFileError, ImportPlan, RowError, change
from .shapes import (
    MAX_POINTS,
    GeometryError,
    clean_geometry,
    feature_number,
    number_property,
    read_features,
    sanity_problem,
)

MODEL = "legislators.constituencyshape"
SHAPE_FIELDS = ("geometry", "west", "south", "east", "north", "points", "source", "licence")
CONSTANTS = ("state_code", "constituency_kind", "source", "licence")
LISTED = 300  # items listed per section of the dry run (the count is always whole)


def boundary_lookups():
    """The recorded constituencies and shapes (two queries)."""
    seats = {
        (row["state_code"], row["kind"], row["number"]): row
        for row in Constituency.objects.values("id", "state_code", "kind", "number", "name")
    }
    shapes = {
        row["constituency_id"]: {**row, "constituency": row["constituency_id"]}
        for row in ConstituencyShape.objects.values("id", "constituency_id", *SHAPE_FIELDS)
    }
    return {"constituencies": seats, "shapes": shapes}


def plan_boundaries(content, *, filename="", mapping=None, constants=None, lookups=None):
    """Check a GeoJSON file against the recorded constituencies: an ImportPlan (nothing written).

    ``mapping`` {"AC_NO": "number"} names the property holding the number (else it is detected);
    ``constants`` may give state_code (needed when several states are recorded), constituency_kind
    (default AC), source (default: the file's name) and licence.
    """
    plan = ImportPlan(kind=ImportBatch.Kind.BOUNDARIES)
    try:
        features = read_features(content)
    except ImportFileError as exc:
        plan.errors.append(RowError(0, "", str(exc)))
        return plan
    plan.rows = len(features)
    lookups = lookups if lookups is not None else boundary_lookups()
    options = _options(plan, mapping or {}, constants or {}, lookups, filename)
    prop = number_property(features, options["property"])
    if not plan.errors and not prop:
        plan.errors.append(
            RowError(
                0,
                options["property"] or "number",
                _(
                    "No feature property holds the constituency number: expected one named ac_no, AC_NO, "
                    "ac_number or number, or a mapping such as AC_NO=number."
                ),
            )
        )
    if plan.errors:
        return plan
    plan.header_of = {"number": prop}
    plan.warnings.append(_("Constituency numbers are read from the property “%(name)s”.") % {"name": prop})
    unmatched, matched = _plan_features(plan, features, prop, options, lookups)
    _add_sections(plan, matched, unmatched, options, lookups)
    if plan.errors:
        plan.changes = []
    return plan


def _options(plan, mapping, constants, lookups, filename):
    """The number's property, state, kind, source and licence from the mapping and fixed values."""
    wanted = ""
    for old, new in mapping.items():
        if new.strip() != "number":
            plan.errors.append(
                RowError(0, old, _("A boundaries file maps one property, to “number”, e.g. AC_NO=number."))
            )
        wanted = old.strip()
    for name in constants:
        if name not in CONSTANTS:
            plan.errors.append(
                RowError(
                    0, name, _("Unknown fixed value: expected one of %(known)s.") % {"known": ", ".join(CONSTANTS)}
                )
            )
    states = sorted({key[0] for key in lookups["constituencies"]})
    state = str(constants.get("state_code", "")).strip().upper() or (states[0] if len(states) == 1 else "")
    if not state:
        plan.errors.append(
            RowError(
                0,
                "state_code",
                _(
                    "Several states are recorded (%(states)s): give the file's state as a fixed value, "
                    "e.g. state_code=MP."
                )
                % {"states": ", ".join(states) or "—"},
            )
        )
    kind = str(constants.get("constituency_kind", "")).strip().upper() or Constituency.Kind.ASSEMBLY
    if kind not in Constituency.Kind.values:
        plan.errors.append(RowError(0, "constituency_kind", _("Expected AC or PC.")))
    return {
        "property": wanted,
        "state": state,
        "kind": kind,
        "source": str(constants.get("source", "") or filename)[:300],
        "licence": str(constants.get("licence", ""))[:300],
    }


def _plan_features(plan, features, prop, options, lookups):
    """One change per feature matched to a constituency; returns (unmatched items, matched seat ids)."""
    seen, unmatched, matched = {}, [], set()
    box, points = None, 0
    for index, feature in enumerate(features, start=1):
        number, name = feature_number(feature, prop)
        if number is None:
            raw = (feature.get("properties") or {}).get(prop) if isinstance(feature, dict) else None
            plan.errors.append(
                RowError(
                    index,
                    prop,
                    _(
                        "Feature %(index)s has no constituency number in “%(prop)s” (found %(value)s): "
                        "expected a whole number above 0."
                    )
                    % {"index": index, "prop": prop, "value": "—" if raw in (None, "") else repr(raw)},
                )
            )
            continue
        if number in seen:
            plan.errors.append(
                RowError(
                    index,
                    prop,
                    _("Constituency %(number)s has two features (%(first)s and %(index)s): expected one.")
                    % {"number": number, "first": seen[number], "index": index},
                )
            )
            continue
        seen[number] = index
        try:
            text, shape_box, count, _thinned = clean_geometry(feature.get("geometry"))
        except GeometryError as exc:
            plan.errors.append(
                RowError(index, "geometry", _("Feature %(index)s: %(error)s") % {"index": index, "error": exc})
            )
            continue
        points += count
        box = shape_box if box is None else (*map(min, box[:2], shape_box[:2]), *map(max, box[2:], shape_box[2:]))
        seat = lookups["constituencies"].get((options["state"], options["kind"], number))
        if seat is None:
            unmatched.append(
                _("feature %(index)s: number %(number)s %(name)s") % {"index": index, "number": number, "name": name}
            )
            continue
        matched.add(seat["id"])
        _plan_shape(plan, index, seat, text, shape_box, count, options, lookups)
    if points > MAX_POINTS:
        plan.errors.append(
            RowError(
                0,
                "geometry",
                _("The shapes have %(points)s points together: the most accepted is %(limit)s. Simplify the file.")
                % {"points": points, "limit": MAX_POINTS},
            )
        )
    problem = sanity_problem(box) if box else ""
    if problem:
        plan.errors.append(RowError(0, "geometry", problem))
    return unmatched, matched


def _plan_shape(plan, index, seat, text, box, count, options, lookups):
    values = {
        "constituency": seat["id"],
        "geometry": text,
        **dict(zip(("west", "south", "east", "north"), box, strict=True)),
        "points": count,
        "source": options["source"],
        "licence": options["licence"],
    }
    existing = lookups["shapes"].get(seat["id"])
    if existing is not None and existing["geometry"] == text:
        values["source"], values["licence"] = existing["source"], existing["licence"]  # the same shape: unchanged
    made = change(plan, MODEL, seat["id"], index, values, existing, f"{seat['number']} {seat['name']}")
    if "geometry" in made.diff:  # the preview shows the size of the change, not thousands of numbers
        made.diff["geometry"] = [
            _("%(points)s points") % {"points": existing["points"]},
            _("%(points)s points") % {"points": count},
        ]


def _add_sections(plan, matched, unmatched, options, lookups):
    shaped = set(lookups["shapes"]) | matched
    without = [
        f"{row['number']} {row['name']}"
        for key, row in sorted(lookups["constituencies"].items())
        if key[:2] == (options["state"], options["kind"]) and row["id"] not in shaped
    ]
    plan.sections = [
        {"id": "matched", "title": _("Features matched to a constituency"), "count": len(matched), "items": []},
        {
            "id": "unmatched",
            "title": _("Features without a recorded constituency (left out)"),
            "count": len(unmatched),
            "items": unmatched[:LISTED],
        },
        {
            "id": "without-shape",
            "title": _("Constituencies without a shape after this import"),
            "count": len(without),
            "items": without[:LISTED],
        },
    ]


def shapes_write(changes, *, user=None, batch=None, note="", now=None):
    """Write the new and changed shapes of a plan in bulk, with their audit entries. Returns (created, updated)."""
    now = now or timezone.now()
    creates = [c for c in changes if c.model == MODEL and c.action == "create"]
    updates = [c for c in changes if c.model == MODEL and c.action == "update"]
    created = ConstituencyShape.objects.bulk_create(
        [
            ConstituencyShape(
                constituency_id=c.values["constituency"], imported_at=now, **{f: c.values[f] for f in SHAPE_FIELDS}
            )
            for c in creates
        ],
        batch_size=500,
    )
    ConstituencyShape.objects.bulk_update(
        [
            ConstituencyShape(pk=c.existing_id, imported_at=now, **{f: c.values[f] for f in SHAPE_FIELDS})
            for c in updates
        ],
        [*SHAPE_FIELDS, "imported_at"],
        batch_size=500,
    )
    entries = [
        _entry(c, obj.pk, AuditEntry.Action.CREATE, {"points": (None, c.values["points"])}, user, batch, note)
        for c, obj in zip(creates, created, strict=True)
    ]
    entries += [_entry(c, c.existing_id, AuditEntry.Action.UPDATE, c.diff, user, batch, note) for c in updates]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    if entries:
        analyse_tables(ConstituencyShape, AuditEntry)
    return len(creates), len(updates)


def _entry(change, pk, action, changes, user, batch, note):
    return audit_entry(
        model=MODEL,
        object_id=pk,
        object_repr=change.label,
        action=action,
        changes=changes,
        source=ChangeSource.IMPORT,
        user=user,
        batch=batch,
        note=note,
    )
