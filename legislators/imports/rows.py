"""What a plan is made of: errors by line and column, the changes it would make, and the row reader."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
class PersonMatch:
    """Who a row of a legislators file is: a recorded person (matched), a new one, or a decision to make."""

    MATCHED = "matched"
    NEW = "new"
    DECISION = "decision"

    line: int
    name: str
    seat: str
    status: str
    person_id: int | None = None
    person_name: str = ""
    reason: str = ""
    candidates: list = field(default_factory=list)  # [(person id, name, why)]


@dataclass
class ImportPlan:
    kind: str
    rows: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    matches: list = field(default_factory=list)  # PersonMatch, legislators files only
    header_of: dict = field(default_factory=dict)  # our column -> the file's header
    # What a dry run reports besides its changes: [{"id", "title", "count", "items"}] (boundaries files)
    sections: list = field(default_factory=list)

    def matched(self, status):
        return [m for m in self.matches if m.status == status]

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


class RowReader:
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


def text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def diff_of(existing, values):
    return {name: [existing.get(name), value] for name, value in values.items() if existing.get(name) != value}


def change(plan, model, key, line, values, existing, label):
    if existing is None:
        change = Change(model, key, "create", line, values, label=label)
    else:
        diff = diff_of(existing, values)
        change = Change(model, key, "update" if diff else "unchanged", line, values, existing["id"], diff, label)
    plan.changes.append(change)
    return change
