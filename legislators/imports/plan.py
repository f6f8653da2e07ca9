"""Checking import files: one plan per kind, an ImportPlan out.

Pure: no database access. ``read_table`` turns a file into numbered rows,
``resolve_columns`` matches the file's headers to our columns (English,
Hindi, or a mapping given by the user), and ``plan_<kind>`` makes one
validation pass over every row against lookups the service loaded
beforehand (a fixed number of queries whatever the size of the file). The
plan lists every error with the file's line and column, and every record
that would be created, updated or left unchanged; services.import_apply
writes it in bulk, or writes nothing when there is any error.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legislators import validation
from legislators.models import ImportBatch, Platform

from .read import resolve_columns
from .rows import ImportPlan, RowReader, change, text

Kind = ImportBatch.Kind


def plan_start(kind, table, mapping, constants):
    headers, rows = table
    plan = ImportPlan(kind=kind, rows=len(rows))
    index, header_of, errors, warnings = resolve_columns(kind, headers, mapping=mapping, constants=constants)
    plan.header_of = header_of
    plan.errors.extend(errors)
    plan.warnings.extend(warnings)
    return plan, rows, RowReader(index, header_of, constants or {}, plan.errors)


def constituency_key(r, line, cells, lookups, *, number_column, required):
    """(state, kind, number) of the row, checked against the known constituencies; None when absent/wrong."""
    raw_number = r.value(cells, number_column)
    if raw_number == "":
        if required:
            r.error(line, number_column, _("No constituency number: expected the number of a known constituency."))
        return None
    number = r.clean(
        line, number_column, validation.clean_positive_int, raw_number, what=gettext_lazy("Constituency number")
    )
    state = text(r.value(cells, "state_code")).upper()
    kind = r.clean(line, "constituency_kind", validation.clean_constituency_kind, r.value(cells, "constituency_kind"))
    if number is None or kind is None:
        return None
    if not state:
        r.error(line, "state_code", _("No state code: expected the two-letter code of the constituency's state."))
        return None
    key = (state, kind, number)
    if key not in lookups["constituencies"]:
        r.error(
            line,
            number_column,
            _(
                "Unknown constituency number %(number)s in %(state)s: expected the number "
                "of a constituency already recorded (import constituencies first)."
            )
            % {"number": number, "state": state},
        )
        return None
    return key


@dataclass
class _SeatRow:
    """A constituencies row's checked values (None where a cell was wrong)."""

    state: str
    kind: object
    number: object
    name: str
    reserved: object
    district_name: str
    division_name: str
    district: dict | None  # the known district's lookup row
    division: dict | None  # the known division's lookup row

    @property
    def key(self):
        return (self.state, self.kind, self.number)


def plan_constituencies(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: divisions {lower name: row}, districts {lower name: row}, constituencies {(state, kind, number): row},
    rolls {(constituency id, date): row}."""
    today = today or timezone.localdate()
    plan, rows, r = plan_start(Kind.CONSTITUENCIES, table, mapping, constants)
    if plan.errors:
        return plan
    seen = {}
    new_divisions, new_districts = {}, {}
    for line, cells in rows:
        row = _checked_seat(r, line, cells, lookups, new_districts)
        _check_seat_once(r, line, row, seen)
        electors, roll_date = _checked_roll(r, line, cells, today)
        if plan.errors:
            continue  # keep checking every row; build changes only for a clean file
        # Divisions and districts first: the constituency points at them.
        _plan_new_places(plan, r, line, cells, row, new_divisions, new_districts)
        existing = _plan_seat(plan, r, line, cells, row, lookups)
        if electors is not None and roll_date is not None:
            _plan_seat_roll(plan, r, line, cells, row, existing, electors, roll_date, lookups)
    if plan.errors:
        plan.changes = []
    return plan


def _checked_seat(r, line, cells, lookups, new_districts):
    """The row's constituency cells, checked (each error recorded with its line and column)."""
    state = text(r.value(cells, "state_code")).upper()
    if not (len(state) == 2 and state.isalpha()):
        r.error(
            line,
            "state_code",
            _("“%(value)s” is not a state code: expected two letters such as MP.") % {"value": state},
        )
    number = r.clean(
        line,
        "number",
        validation.clean_positive_int,
        r.value(cells, "number"),
        what=gettext_lazy("Constituency number"),
    )
    kind = r.clean(line, "constituency_kind", validation.clean_constituency_kind, r.value(cells, "constituency_kind"))
    name = text(r.value(cells, "name"))
    if not name:
        r.error(line, "name", _("No name: expected the constituency's name."))
    reserved = r.clean(line, "reserved_category", validation.clean_reserved, r.value(cells, "reserved_category"))
    district_name = text(r.value(cells, "district"))
    division_name = text(r.value(cells, "division"))
    district = lookups["districts"].get(district_name.lower())
    division = lookups["divisions"].get(division_name.lower()) if division_name else None
    if not district_name:
        r.error(line, "district", _("No district: expected the district's name."))
    elif district is None and district_name.lower() not in new_districts and not division_name:
        r.error(
            line,
            "division",
            _("District “%(district)s” is new, so its division is needed: expected a division name.")
            % {"district": district_name},
        )
    return _SeatRow(state, kind, number, name, reserved, district_name, division_name, district, division)


def _check_seat_once(r, line, row, seen):
    """A constituency appears on one row only (``seen``: key -> its first line)."""
    if row.number is None or row.kind is None:
        return
    if row.key in seen:
        r.error(
            line,
            "number",
            _("Constituency %(number)s appears twice (also on line %(other)s): expected one row per constituency.")
            % {"number": row.number, "other": seen[row.key]},
        )
    seen[row.key] = line


def _checked_roll(r, line, cells, today):
    """(electors, roll date) of the row's voter roll, (None, None) when it gives none."""
    electors = roll_date = None
    raw_electors, raw_date = r.value(cells, "electors"), r.value(cells, "roll_date")
    if raw_electors != "":
        electors = r.clean(line, "electors", validation.clean_positive_int, raw_electors, what=gettext_lazy("Electors"))
        if raw_date == "":
            r.error(
                line,
                "roll_date",
                _("Electors are given without the roll's date: expected the date the voter roll was published."),
            )
        else:
            roll_date = r.clean(
                line, "roll_date", validation.clean_date, raw_date, what=gettext_lazy("Roll date"), today=today
            )
    return electors, roll_date


def _plan_new_places(plan, r, line, cells, row, new_divisions, new_districts):
    """The row's division and district, created when not known (once per file)."""
    division_name, district_name = row.division_name, row.district_name
    if division_name and row.division is None and division_name.lower() not in new_divisions:
        new_divisions[division_name.lower()] = change(
            plan,
            "legislators.division",
            division_name.lower(),
            line,
            {"name": division_name, "name_hi": text(r.value(cells, "division_hi"))},
            None,
            division_name,
        )
    if row.district is None and district_name.lower() not in new_districts:
        new_districts[district_name.lower()] = change(
            plan,
            "legislators.district",
            district_name.lower(),
            line,
            {
                "name": district_name,
                "name_hi": text(r.value(cells, "district_hi")),
                "division": ("legislators.division", division_name.lower()),
            },
            None,
            district_name,
        )


def _plan_seat(plan, r, line, cells, row, lookups):
    """The constituency's change; returns its stored lookup row (None when new)."""
    values = {
        "state_code": row.state,
        "kind": row.kind,
        "number": row.number,
        "name": row.name,
        "district": ("legislators.district", row.district_name.lower()),
        "reserved_category": row.reserved,
    }
    name_hi = text(r.value(cells, "name_hi"))
    if name_hi or "name_hi" in r.index:
        values["name_hi"] = name_hi
    existing = lookups["constituencies"].get(row.key)
    if existing is not None:
        existing = {**existing, "district": ("legislators.district", existing["district_name"].lower())}
    change(plan, "legislators.constituency", row.key, line, values, existing, f"{row.number} {row.name}")
    return existing


def _plan_seat_roll(plan, r, line, cells, row, existing, electors, roll_date, lookups):
    """The voter roll the row gives, for the constituency (``existing``: its stored row, None when new)."""
    key = row.key
    roll = {
        "constituency": ("legislators.constituency", key),
        "published_on": roll_date,
        "total_electors": electors,
    }
    source = text(r.value(cells, "roll_source"))
    if source:
        roll["source"] = source
    existing_roll = None
    if existing is not None:
        existing_roll = lookups["rolls"].get((existing["id"], roll_date))
        if existing_roll is not None:
            existing_roll = {**existing_roll, "constituency": ("legislators.constituency", key)}
    change(
        plan,
        "legislators.voterroll",
        (key, roll_date),
        line,
        roll,
        existing_roll,
        f"{row.number} {row.name} {roll_date}",
    )


def plan_voter_rolls(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: constituencies {(state, kind, number): row}, rolls {(constituency id, date): row}."""
    today = today or timezone.localdate()
    plan, rows, r = plan_start(Kind.VOTER_ROLLS, table, mapping, constants)
    if plan.errors:
        return plan
    seen = {}
    for line, cells in rows:
        key = constituency_key(r, line, cells, lookups, number_column="constituency", required=True)
        day = r.clean(
            line,
            "published_on",
            validation.clean_date,
            r.value(cells, "published_on"),
            what=gettext_lazy("Published on"),
            today=today,
        )
        electors = r.clean(
            line, "electors", validation.clean_positive_int, r.value(cells, "electors"), what=gettext_lazy("Electors")
        )
        values = {"published_on": day, "total_electors": electors}
        for name in ("male", "female", "third_gender"):
            raw = r.value(cells, name)
            if raw != "":
                values[name] = r.clean(line, name, validation.clean_count, raw, what=name)
        source = text(r.value(cells, "source"))
        if source:
            values["source"] = source
        if key is None or day is None:
            continue
        if (key, day) in seen:
            r.error(
                line,
                "published_on",
                _(
                    "The roll of constituency %(number)s on %(day)s appears twice (also on "
                    "line %(other)s): expected one row per constituency and date."
                )
                % {"number": key[2], "day": day, "other": seen[(key, day)]},
            )
        seen[(key, day)] = line
        if plan.errors:
            continue
        constituency = lookups["constituencies"][key]
        values["constituency"] = constituency["id"]
        existing = lookups["rolls"].get((constituency["id"], day))
        if existing is not None:
            existing = {**existing, "constituency": constituency["id"]}
        change(
            plan, "legislators.voterroll", (key, day), line, values, existing, f"{key[2]} {constituency['name']} {day}"
        )
    if plan.errors:
        plan.changes = []
    return plan


def plan_accounts(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: constituencies, legislators_by_id {id: row}, legislators {(constituency id, lower name): row},
    accounts {(platform, lower handle): row}, accounts_by_platform_id {(platform, id): row}."""
    today = today or timezone.localdate()
    plan, rows, r = plan_start(Kind.ACCOUNTS, table, mapping, constants)
    if plan.errors:
        return plan
    seen = {}
    for line, cells in rows:
        platform = None
        raw_platform = r.value(cells, "platform")
        if raw_platform != "":
            platform = r.clean(line, "platform", validation.clean_platform, raw_platform)
        parsed = r.clean(line, "handle", validation.handle_from_value, r.value(cells, "handle"), platform)
        kind = r.clean(line, "kind", validation.clean_account_kind, r.value(cells, "kind"))
        member = _member(r, line, cells, lookups)
        if parsed is None:
            continue
        platform, handle = parsed
        natural = (platform, handle.lower())
        if natural in seen:
            r.error(
                line,
                "handle",
                _(
                    "The %(platform)s handle “%(handle)s” appears twice (also on line %(other)s): "
                    "expected each account once."
                )
                % {"platform": Platform(platform).label, "handle": handle, "other": seen[natural]},
            )
            continue
        seen[natural] = line
        existing = lookups["accounts"].get(natural)
        platform_id = text(r.value(cells, "platform_id"))
        if platform_id:
            by_id = lookups["accounts_by_platform_id"].get((platform, platform_id))
            if existing is None:
                existing = by_id  # a known id under a new handle: a rename
            elif by_id is not None and by_id["id"] != existing["id"]:
                r.error(
                    line,
                    "platform_id",
                    _(
                        "The %(platform)s id %(id)s is already recorded for the account “%(other)s”: expected the "
                        "id of this handle's account."
                    )
                    % {"platform": Platform(platform).label, "id": platform_id, "other": by_id["handle"]},
                )
        if existing is not None and member is not None and existing["legislator_id"] != member["id"]:
            r.error(
                line,
                "handle",
                _(
                    "The %(platform)s handle “%(handle)s” already belongs to %(owner)s: expected a "
                    "handle not recorded for another member (retire or move that account first)."
                )
                % {"platform": Platform(platform).label, "handle": handle, "owner": existing["legislator_name"]},
            )
        if plan.errors or member is None:
            continue
        values = {"legislator": member["id"], "platform": platform, "handle": handle, "kind": kind}
        if platform_id:
            values["platform_id"] = platform_id
        if existing is not None:
            existing = {**existing, "legislator": existing["legislator_id"]}
            if existing.get("handle", "").lower() == handle.lower():
                values["handle"] = existing["handle"]  # the case as first recorded is not a change
            if not existing.get("active", True):
                values["active"] = True
        change(
            plan, "legislators.socialaccount", natural, line, values, existing, f"{Platform(platform).label} {handle}"
        )
    if plan.errors:
        plan.changes = []
    return plan


def _member(r, line, cells, lookups):
    raw_id = r.value(cells, "member_id")
    if raw_id != "":
        member_id = r.clean(line, "member_id", validation.clean_positive_int, raw_id, what=gettext_lazy("Member id"))
        member = lookups["legislators_by_id"].get(member_id)
        if member_id is not None and member is None:
            r.error(
                line,
                "member_id",
                _("Unknown member id %(id)s: expected the id of a recorded member.") % {"id": member_id},
            )
        return member
    name = text(r.value(cells, "member"))
    key = constituency_key(r, line, cells, lookups, number_column="constituency", required=False)
    if not name and key is None:
        r.error(
            line, "member", _("No member: expected the member's name (with the constituency number) or a member_id.")
        )
        return None
    constituency_id = lookups["constituencies"][key]["id"] if key else None
    if name:
        member = lookups["legislators"].get((constituency_id, name.lower()))
        if member is None:
            r.error(
                line,
                "member",
                _(
                    "No member “%(name)s” is recorded for this constituency: expected a recorded "
                    "member (import legislators first)."
                )
                % {"name": name},
            )
        return member
    current = lookups["current_by_constituency"].get(constituency_id, [])
    if len(current) != 1:
        r.error(
            line,
            "member",
            _("Constituency %(number)s has %(count)s current members: expected the member's name.")
            % {"number": key[2], "count": len(current)},
        )
        return None
    return current[0]


def plan_counts(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: accounts {(platform, lower handle): row}, snapshots {(account id, day): row}."""
    today = today or timezone.localdate()
    plan, rows, r = plan_start(Kind.COUNTS, table, mapping, constants)
    if plan.errors:
        return plan
    seen = {}
    for line, cells in rows:
        platform = None
        if r.value(cells, "platform") != "":
            platform = r.clean(line, "platform", validation.clean_platform, r.value(cells, "platform"))
        parsed = r.clean(line, "handle", validation.handle_from_value, r.value(cells, "handle"), platform)
        day = r.clean(
            line, "date", validation.clean_date, r.value(cells, "date"), what=gettext_lazy("Date"), today=today
        )
        followers = r.clean(
            line, "followers", validation.clean_count, r.value(cells, "followers"), what=gettext_lazy("Followers")
        )
        posts = None
        if r.value(cells, "posts") != "":
            posts = r.clean(line, "posts", validation.clean_count, r.value(cells, "posts"), what=gettext_lazy("Posts"))
        evidence = r.clean(
            line, "evidence_url", validation.clean_url, r.value(cells, "evidence_url"), what=gettext_lazy("Evidence")
        )
        if evidence == "":
            r.error(line, "evidence_url", _("No evidence: expected the address where the count was read."))
        if parsed is None:
            continue
        account = lookups["accounts"].get((parsed[0], parsed[1].lower()))
        if account is None:
            r.error(
                line,
                "handle",
                _(
                    "No %(platform)s account “%(handle)s” is recorded: expected a recorded account "
                    "(import accounts first)."
                )
                % {"platform": Platform(parsed[0]).label, "handle": parsed[1]},
            )
            continue
        if day is None:
            continue
        if (account["id"], day) in seen:
            r.error(
                line,
                "date",
                _(
                    "A count for this account on %(day)s appears twice (also on line %(other)s): "
                    "expected one per account and day."
                )
                % {"day": day, "other": seen[(account["id"], day)]},
            )
        seen[(account["id"], day)] = line
        if plan.errors:
            continue
        values = {
            "account": account["id"],
            "day": day,
            "followers": followers,
            "posts": posts,
            "evidence_url": evidence,
        }
        existing = lookups["snapshots"].get((account["id"], day))
        if existing is not None:
            existing = {**existing, "account": account["id"]}
        change(
            plan,
            "metrics.followersnapshot",
            (account["id"], day),
            line,
            values,
            existing,
            f"{Platform(parsed[0]).label} {parsed[1]} {day}",
        )
    if plan.errors:
        plan.changes = []
    return plan
