"""Reading and checking import files: CSV or XLSX in, an ImportPlan out.

Pure: no database access. ``read_table`` turns a file into numbered rows,
``resolve_columns`` matches the file's headers to our columns (English,
Hindi, or a mapping given by the user), and ``plan_<kind>`` makes one
validation pass over every row against lookups the service loaded
beforehand (a fixed number of queries whatever the size of the file). The
plan lists every error with the file's line and column, and every record
that would be created, updated or left unchanged; services.import_apply
writes it in bulk, or writes nothing when there is any error.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import validation
from .models import ImportBatch, Platform

Kind = ImportBatch.Kind


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple = ()
    required: bool = False
    example: str = ""
    help: str = ""


# The documented columns of each kind (README "Importing data"), with the
# other names a header may have. Headers are compared lower-cased, with "_"
# and runs of spaces read as one space.
_STATE = Column("state_code", ("state", "state code", "राज्य", "राज्य कोड"), True, "MP", "two-letter state code")
_NUMBER_ALIASES = (
    "constituency number",
    "constituency no",
    "ac no",
    "ac number",
    "no",
    "number",
    "क्रमांक",
    "विधानसभा क्रमांक",
    "निर्वाचन क्षेत्र क्रमांक",
    "निर्वाचन क्षेत्र संख्या",
)
_CONSTITUENCY_KIND = Column("constituency_kind", ("ac/pc", "constituency kind"), False, "AC", "AC (default) or PC")

COLUMNS = {
    Kind.CONSTITUENCIES: [
        _STATE,
        Column("number", _NUMBER_ALIASES, True, "1", "the constituency's number"),
        Column(
            "name",
            ("constituency", "constituency name", "ac name", "नाम", "निर्वाचन क्षेत्र", "विधानसभा क्षेत्र"),
            True,
            "Sheopur",
            "name in English",
        ),
        Column("name_hi", ("name hi", "name (hindi)", "hindi name", "हिंदी नाम", "नाम (हिंदी)"), False, "श्योपुर"),
        Column("constituency_kind", ("kind", "ac/pc", "constituency kind", "प्रकार"), False, "AC", "AC or PC"),
        Column("district", ("district name", "जिला", "ज़िला"), True, "Sheopur"),
        Column("district_hi", ("district (hindi)", "जिला (हिंदी)"), False, ""),
        Column("division", ("division name", "संभाग"), False, "Chambal", "needed when the district is new"),
        Column("division_hi", ("division (hindi)", "संभाग (हिंदी)"), False, ""),
        Column(
            "reserved_category", ("reserved", "category", "reservation", "आरक्षण", "श्रेणी"), False, "GEN", "GEN, SC or ST"
        ),
        Column(
            "electors",
            ("total electors", "voters", "total voters", "मतदाता", "कुल मतदाता"),
            False,
            "258978",
            "optional: a voter roll with this total",
        ),
        Column(
            "roll_date",
            ("published on", "roll published on", "roll date", "प्रकाशन तिथि", "सूची तिथि"),
            False,
            "2023-10-04",
            "the voter roll's date (needed with electors)",
        ),
        Column("roll_source", ("source", "स्रोत"), False, "ECI final roll 2023"),
    ],
    Kind.VOTER_ROLLS: [
        _STATE,
        Column("constituency", _NUMBER_ALIASES + ("constituency",), True, "1", "the constituency's number"),
        _CONSTITUENCY_KIND,
        Column("published_on", ("roll date", "date", "published", "प्रकाशन तिथि", "तिथि"), True, "2023-10-04"),
        Column("electors", ("total electors", "total", "voters", "मतदाता", "कुल मतदाता"), True, "258978"),
        Column("male", ("men", "पुरुष"), False, ""),
        Column("female", ("women", "महिला"), False, ""),
        Column("third_gender", ("third gender", "other", "तृतीय लिंग"), False, ""),
        Column("source", ("स्रोत",), False, "ECI final roll 2023"),
    ],
    Kind.LEGISLATORS: [
        Column("name", ("member", "member name", "legislator", "नाम", "सदस्य"), True, "Member Name"),
        Column("name_hi", ("name (hindi)", "hindi name", "हिंदी नाम"), False, ""),
        Column("state_code", _STATE.aliases, False, "MP", "with constituency"),
        Column("constituency", _NUMBER_ALIASES + ("constituency",), False, "1", "the constituency's number"),
        _CONSTITUENCY_KIND,
        Column("party", ("party short name", "दल", "पार्टी"), False, "ABC", "party short name (created if new)"),
        Column("role", ("post", "पद"), True, "MLA", "CM, CABINET, MOS_IC, MOS or MLA"),
        Column("role_from", ("role from", "role since", "पद से"), False, "", "date the role began"),
        Column("portfolio", ("department", "विभाग"), False, ""),
        Column("term_start", ("term start", "from", "कार्यकाल प्रारंभ"), False, "2023-12-03"),
        Column("term_end", ("term end", "to", "कार्यकाल समाप्त"), False, ""),
    ],
    Kind.ACCOUNTS: [
        Column(
            "member",
            ("name", "member name", "legislator", "सदस्य", "नाम"),
            False,
            "Member Name",
            "the member's name (with constituency) or member_id",
        ),
        Column("member_id", ("legislator id", "member id"), False, ""),
        Column("state_code", _STATE.aliases, False, "MP"),
        Column("constituency", _NUMBER_ALIASES + ("constituency",), False, "1"),
        _CONSTITUENCY_KIND,
        Column("platform", ("प्लेटफ़ॉर्म", "प्लेटफॉर्म", "मंच"), False, "x", "x, facebook, instagram, youtube"),
        Column(
            "handle",
            ("url", "profile", "profile url", "link", "हैंडल", "लिंक"),
            True,
            "https://x.com/name",
            "a handle or a profile URL",
        ),
        Column("platform_id", ("platform id", "user id", "channel id", "page id"), False, ""),
        Column("kind", ("type", "account kind", "प्रकार"), False, "official", "official or personal"),
    ],
    Kind.COUNTS: [
        Column("platform", ("प्लेटफ़ॉर्म", "प्लेटफॉर्म"), False, "x"),
        Column("handle", ("url", "account", "profile url", "हैंडल"), True, "https://x.com/name"),
        Column("date", ("day", "on", "तिथि", "दिनांक"), True, "2024-01-31"),
        Column("followers", ("count", "follower count", "subscribers", "फॉलोअर्स"), True, "12345"),
        Column("posts", ("post count", "पोस्ट"), False, ""),
        Column(
            "evidence_url",
            ("evidence", "evidence url", "screenshot", "source", "प्रमाण"),
            True,
            "https://example.org/screenshot.png",
            "where the count was read",
        ),
    ],
}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def as_text(self):
        parts = []
        if self.line:
            parts.append(_("line %(line)s") % {"line": self.line})
        if self.column:
            parts.append(_("column “%(column)s”") % {"column": self.column})
        return f"{', '.join(parts)}: {self.message}" if parts else self.message


@dataclass
class Change:
    """One record the import would create, update or leave unchanged."""

    model: str  # app_label.model
    key: tuple
    action: str  # "create" | "update" | "unchanged"
    line: int
    values: dict
    existing_id: int | None = None
    diff: dict = field(default_factory=dict)  # field -> [old, new]
    label: str = ""


@dataclass
class ImportPlan:
    kind: str
    rows: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    changes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def count(self, action, model=None):
        return sum(1 for c in self.changes if c.action == action and (model is None or c.model == model))

    def summary(self):
        totals = {}
        for change in self.changes:
            totals.setdefault(change.model, {"create": 0, "update": 0, "unchanged": 0})[change.action] += 1
        return totals


class ImportFileError(Exception):
    """The file cannot be read at all (not CSV/XLSX, no header row...)."""


# --- reading ----------------------------------------------------------------------------------


def read_table(content, filename):
    """Return (headers, [(line, [cells])]) from CSV or XLSX bytes; blank rows are skipped."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    if name.endswith((".csv", ".txt")):
        return _read_csv(content)
    raise ImportFileError(_("“%(name)s” is neither a .csv nor an .xlsx file.") % {"name": filename})


def _read_csv(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.")) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = None
    rows = []
    for cells in reader:
        if headers is None:
            if any(cell.strip() for cell in cells):
                headers = cells
            continue
        if any(cell.strip() for cell in cells):
            rows.append((reader.line_num, cells))
    if headers is None:
        raise ImportFileError(_("The file is empty: expected a header row, then one row per record."))
    return headers, rows


def _read_xlsx(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged file
        raise ImportFileError(_("The spreadsheet cannot be opened: %(error)s") % {"error": exc}) from exc
    sheet = workbook.worksheets[0]
    headers = None
    rows = []
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = ["" if value is None else value for value in values]
        if headers is None:
            if any(str(cell).strip() for cell in cells):
                headers = [str(cell) for cell in cells]
            continue
        if any(str(cell).strip() for cell in cells):
            rows.append((line, cells))
    workbook.close()
    if headers is None:
        raise ImportFileError(_("The spreadsheet's first sheet is empty: expected a header row."))
    return headers, rows


def _normalise_header(text):
    return " ".join(str(text).replace("_", " ").replace("\ufeff", "").strip().lower().split())


def resolve_columns(kind, headers, *, mapping=None, constants=None):
    """Match the file's headers to the kind's columns.

    ``mapping`` renames file headers ({"ac_no": "number"}); ``constants``
    gives a value for a column the file lacks ({"state_code": "MP"}).
    Returns ({column name: index}, {column name: file header}, errors, warnings).
    """
    columns = COLUMNS[kind]
    mapping = {_normalise_header(old): new.strip() for old, new in (mapping or {}).items()}
    constants = constants or {}
    known = {column.name for column in columns}
    errors = []
    for old, new in mapping.items():
        if new not in known:
            errors.append(
                RowError(
                    1,
                    old,
                    _("The mapping names an unknown column “%(new)s”: expected one of %(known)s.")
                    % {"new": new, "known": ", ".join(sorted(known))},
                )
            )
    for name in constants:
        if name not in known:
            errors.append(
                RowError(
                    0,
                    name,
                    _("A fixed value is given for an unknown column: expected one of %(known)s.")
                    % {"known": ", ".join(sorted(known))},
                )
            )
    lookup = {}
    for column in columns:
        for alias in (column.name, *column.aliases):
            lookup.setdefault(_normalise_header(alias), column.name)
    index, header_of, warnings = {}, {}, []
    for position, header in enumerate(headers):
        key = _normalise_header(header)
        name = mapping.get(key) or lookup.get(key)
        if name is None:
            if key:
                warnings.append(_("Column “%(header)s” is not used.") % {"header": header})
            continue
        if name in index:
            errors.append(
                RowError(
                    1,
                    str(header),
                    _(
                        "Two columns are read as “%(name)s”: “%(first)s” and this one. "
                        "Expected one; rename or map the other."
                    )
                    % {"name": name, "first": header_of[name]},
                )
            )
            continue
        index[name] = position
        header_of[name] = str(header)
    for column in columns:
        if column.required and column.name not in index and column.name not in constants:
            errors.append(
                RowError(
                    1,
                    column.name,
                    _(
                        "The required column “%(name)s” is missing: expected a header "
                        "named %(names)s, a mapping or a fixed value."
                    )
                    % {"name": column.name, "names": " / ".join((column.name, *column.aliases[:3]))},
                )
            )
    return index, header_of, errors, warnings


class _Rows:
    """Cells by column name, and errors by line and the file's column header."""

    def __init__(self, index, header_of, constants, errors):
        self.index, self.header_of, self.constants, self.errors = index, header_of, constants, errors

    def value(self, cells, name):
        if name in self.index:
            position = self.index[name]
            value = cells[position] if position < len(cells) else ""
            if isinstance(value, str):
                value = value.strip()
            if value != "" and value is not None:
                return value
        return self.constants.get(name, "")

    def error(self, line, name, message):
        self.errors.append(RowError(line, self.header_of.get(name, name), message))

    def clean(self, line, name, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValidationError as exc:
            self.error(line, name, " ".join(exc.messages))
            return None


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _diff(existing, values):
    return {name: [existing.get(name), value] for name, value in values.items() if existing.get(name) != value}


def _change(plan, model, key, line, values, existing, label):
    if existing is None:
        change = Change(model, key, "create", line, values, label=label)
    else:
        diff = _diff(existing, values)
        change = Change(model, key, "update" if diff else "unchanged", line, values, existing["id"], diff, label)
    plan.changes.append(change)
    return change


def _start(kind, table, mapping, constants):
    headers, rows = table
    plan = ImportPlan(kind=kind, rows=len(rows))
    index, header_of, errors, warnings = resolve_columns(kind, headers, mapping=mapping, constants=constants)
    plan.errors.extend(errors)
    plan.warnings.extend(warnings)
    return plan, rows, _Rows(index, header_of, constants or {}, plan.errors)


def _constituency_key(r, line, cells, lookups, *, number_column, required):
    """(state, kind, number) of the row, checked against the known constituencies; None when absent/wrong."""
    raw_number = r.value(cells, number_column)
    if raw_number == "":
        if required:
            r.error(line, number_column, _("No constituency number: expected the number of a known constituency."))
        return None
    number = r.clean(
        line, number_column, validation.clean_positive_int, raw_number, what=gettext_lazy("Constituency number")
    )
    state = _text(r.value(cells, "state_code")).upper()
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


# --- one plan per kind ----------------------------------------------------------------------------


def plan_constituencies(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: divisions {lower name: row}, districts {lower name: row}, constituencies {(state, kind, number): row},
    rolls {(constituency id, date): row}."""
    today = today or timezone.localdate()
    plan, rows, r = _start(Kind.CONSTITUENCIES, table, mapping, constants)
    if plan.errors:
        return plan
    seen = {}
    new_divisions, new_districts = {}, {}
    for line, cells in rows:
        state = _text(r.value(cells, "state_code")).upper()
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
        kind = r.clean(
            line, "constituency_kind", validation.clean_constituency_kind, r.value(cells, "constituency_kind")
        )
        name = _text(r.value(cells, "name"))
        if not name:
            r.error(line, "name", _("No name: expected the constituency's name."))
        reserved = r.clean(line, "reserved_category", validation.clean_reserved, r.value(cells, "reserved_category"))
        district_name = _text(r.value(cells, "district"))
        division_name = _text(r.value(cells, "division"))
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
        key = (state, kind, number)
        if number is not None and kind is not None:
            if key in seen:
                r.error(
                    line,
                    "number",
                    _(
                        "Constituency %(number)s appears twice (also on line %(other)s): expected "
                        "one row per constituency."
                    )
                    % {"number": number, "other": seen[key]},
                )
            seen[key] = line
        electors = roll_date = None
        raw_electors, raw_date = r.value(cells, "electors"), r.value(cells, "roll_date")
        if raw_electors != "":
            electors = r.clean(
                line, "electors", validation.clean_positive_int, raw_electors, what=gettext_lazy("Electors")
            )
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
        if plan.errors:
            continue  # keep checking every row; build changes only for a clean file
        # Divisions and districts first: the constituency points at them.
        if division_name and division is None and division_name.lower() not in new_divisions:
            new_divisions[division_name.lower()] = _change(
                plan,
                "legislators.division",
                division_name.lower(),
                line,
                {"name": division_name, "name_hi": _text(r.value(cells, "division_hi"))},
                None,
                division_name,
            )
        if district is None and district_name.lower() not in new_districts:
            new_districts[district_name.lower()] = _change(
                plan,
                "legislators.district",
                district_name.lower(),
                line,
                {
                    "name": district_name,
                    "name_hi": _text(r.value(cells, "district_hi")),
                    "division": ("legislators.division", division_name.lower()),
                },
                None,
                district_name,
            )
        values = {
            "state_code": state,
            "kind": kind,
            "number": number,
            "name": name,
            "district": ("legislators.district", district_name.lower()),
            "reserved_category": reserved,
        }
        name_hi = _text(r.value(cells, "name_hi"))
        if name_hi or "name_hi" in r.index:
            values["name_hi"] = name_hi
        existing = lookups["constituencies"].get(key)
        if existing is not None:
            existing = {**existing, "district": ("legislators.district", existing["district_name"].lower())}
        _change(plan, "legislators.constituency", key, line, values, existing, f"{number} {name}")
        if electors is not None and roll_date is not None:
            roll = {
                "constituency": ("legislators.constituency", key),
                "published_on": roll_date,
                "total_electors": electors,
            }
            source = _text(r.value(cells, "roll_source"))
            if source:
                roll["source"] = source
            existing_roll = None
            if existing is not None:
                existing_roll = lookups["rolls"].get((existing["id"], roll_date))
                if existing_roll is not None:
                    existing_roll = {**existing_roll, "constituency": ("legislators.constituency", key)}
            _change(
                plan,
                "legislators.voterroll",
                (key, roll_date),
                line,
                roll,
                existing_roll,
                f"{number} {name} {roll_date}",
            )
    if plan.errors:
        plan.changes = []
    return plan


def plan_voter_rolls(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: constituencies {(state, kind, number): row}, rolls {(constituency id, date): row}."""
    today = today or timezone.localdate()
    plan, rows, r = _start(Kind.VOTER_ROLLS, table, mapping, constants)
    if plan.errors:
        return plan
    seen = {}
    for line, cells in rows:
        key = _constituency_key(r, line, cells, lookups, number_column="constituency", required=True)
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
        source = _text(r.value(cells, "source"))
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
        _change(
            plan, "legislators.voterroll", (key, day), line, values, existing, f"{key[2]} {constituency['name']} {day}"
        )
    if plan.errors:
        plan.changes = []
    return plan


def plan_legislators(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: constituencies, parties {lower short name: row}, legislators {(constituency id, lower name): row}."""
    today = today or timezone.localdate()
    plan, rows, r = _start(Kind.LEGISLATORS, table, mapping, constants)
    if plan.errors:
        return plan
    seen = {}
    new_parties = set()
    for line, cells in rows:
        name = _text(r.value(cells, "name"))
        if not name:
            r.error(line, "name", _("No name: expected the member's name."))
        key = _constituency_key(r, line, cells, lookups, number_column="constituency", required=False)
        role = r.clean(line, "role", validation.clean_role, r.value(cells, "role"))
        dates = {}
        for column, what in (
            ("role_from", _("Role from")),
            ("term_start", _("Term start")),
            ("term_end", _("Term end")),
        ):
            raw = r.value(cells, column)
            # A term may end in the future (a member's term is known in advance); the others may not.
            dates[column] = (
                None
                if raw == ""
                else r.clean(
                    line, column, validation.clean_date, raw, what=what, allow_future=column == "term_end", today=today
                )
            )
        if dates["term_start"] and dates["term_end"] and dates["term_end"] < dates["term_start"]:
            r.error(
                line,
                "term_end",
                _("The term ends before it starts: expected a term end on or after %(start)s.")
                % {"start": dates["term_start"]},
            )
        constituency_id = lookups["constituencies"][key]["id"] if key else None
        natural = (constituency_id, name.lower())
        if name:
            if natural in seen:
                r.error(
                    line,
                    "name",
                    _(
                        "“%(name)s” appears twice for the same constituency (also on line %(other)s): "
                        "expected one row per member."
                    )
                    % {"name": name, "other": seen[natural]},
                )
            seen[natural] = line
        party = _text(r.value(cells, "party"))
        if plan.errors:
            continue
        if party and party.lower() not in lookups["parties"] and party.lower() not in new_parties:
            new_parties.add(party.lower())
            _change(plan, "legislators.party", party.lower(), line, {"name": party, "short_name": party}, None, party)
        values = {
            "name": name,
            "constituency": constituency_id,
            "role": role,
            "party": ("legislators.party", party.lower()) if party else None,
        }
        for column in ("name_hi", "portfolio"):
            if column in r.index:
                values[column] = _text(r.value(cells, column))
        for column in ("term_start", "term_end"):
            if column in r.index or column in r.constants:
                values[column] = dates[column]
        existing = lookups["legislators"].get(natural)
        if existing is not None:
            existing = {
                **existing,
                "party": ("legislators.party", existing["party_short"].lower()) if existing["party_short"] else None,
            }
        change = _change(plan, "legislators.legislator", natural, line, values, existing, name)
        change.values["_role_from"] = dates["role_from"]
    if plan.errors:
        plan.changes = []
    return plan


def plan_accounts(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: constituencies, legislators_by_id {id: row}, legislators {(constituency id, lower name): row},
    accounts {(platform, lower handle): row}, accounts_by_platform_id {(platform, id): row}."""
    today = today or timezone.localdate()
    plan, rows, r = _start(Kind.ACCOUNTS, table, mapping, constants)
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
        platform_id = _text(r.value(cells, "platform_id"))
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
        _change(
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
    name = _text(r.value(cells, "member"))
    key = _constituency_key(r, line, cells, lookups, number_column="constituency", required=False)
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
    plan, rows, r = _start(Kind.COUNTS, table, mapping, constants)
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
        _change(
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


PLANNERS = {
    Kind.CONSTITUENCIES: plan_constituencies,
    Kind.VOTER_ROLLS: plan_voter_rolls,
    Kind.LEGISLATORS: plan_legislators,
    Kind.ACCOUNTS: plan_accounts,
    Kind.COUNTS: plan_counts,
}


def template_rows(kind):
    """The header row and one example row of a kind's template."""
    columns = COLUMNS[kind]
    return [column.name for column in columns], [column.example for column in columns]


def parse_pairs(items, *, what):
    """["old=new", ...] → {old: new}; raises ValueError naming the bad item."""
    pairs = {}
    for item in items or []:
        for part in str(item).replace("\r", "\n").split("\n"):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise ValueError(_("%(what)s “%(part)s” is not of the form name=value.") % {"what": what, "part": part})
            old, new = part.split("=", 1)
            pairs[old.strip()] = new.strip()
    return pairs


__all__ = ["COLUMNS", "PLANNERS", "Change", "ImportFileError", "ImportPlan", "RowError", "read_table"]
