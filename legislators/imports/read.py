"""Reading an import file: CSV or XLSX bytes in, numbered rows out, headers matched to our columns."""

import csv
import io
import time
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .columns import COLUMNS
from .rows import ImportFileError, RowError


def read_table(content, filename):
    """Return (headers, [(line, [cells])]) from CSV or XLSX bytes; blank rows are skipped.

    Bounded (settings IMPORT_MAX_*): a file too large, an XLSX that unpacks
    too large, too many rows or too long a read is refused with a message
    that says which limit and how to get under it.
    """
    check_size(len(content))
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    if name.endswith((".csv", ".txt")):
        return _read_csv(content)
    raise ImportFileError(_("“%(name)s” is neither a .csv nor an .xlsx file.") % {"name": filename})


def check_size(size):
    """Refuse a file over IMPORT_MAX_BYTES before it is read (the admin's form and the command call this too)."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size)s: the largest accepted is %(limit)s. Split it into smaller files.")
            % {"size": _size(size), "limit": _size(settings.IMPORT_MAX_BYTES)}
        )


def _size(number_of_bytes):
    return filesizeformat(number_of_bytes).replace("\xa0", " ")


class _RowBudget:
    """Counts the rows read (blank ones too) and the time spent, against the import limits."""

    def __init__(self):
        self.rows = 0
        self.deadline = time.monotonic() + settings.IMPORT_MAX_SECONDS

    def take(self):
        self.rows += 1
        if self.rows > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows: split it into files of at most %(limit)s rows.")
                % {"limit": settings.IMPORT_MAX_ROWS}
            )
        if self.rows % 1000 == 0 and time.monotonic() > self.deadline:
            raise ImportFileError(
                _("Reading the file took more than %(seconds)s seconds: split it into smaller files.")
                % {"seconds": settings.IMPORT_MAX_SECONDS}
            )


def _read_csv(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.")) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = None
    rows = []
    budget = _RowBudget()
    for cells in reader:
        budget.take()
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

    _check_unpacked_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged file
        raise ImportFileError(_("The spreadsheet cannot be opened: %(error)s") % {"error": exc}) from exc
    sheet = workbook.worksheets[0]
    headers = None
    rows = []
    budget = _RowBudget()
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        budget.take()
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


def _check_unpacked_size(content):
    """An XLSX is a zip: refuse one whose parts unpack beyond IMPORT_MAX_UNPACKED_BYTES (a zip bomb,
    or a sheet of millions of rows), before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ImportFileError(_("The spreadsheet cannot be opened: it is not an .xlsx file.")) from exc
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The spreadsheet unpacks to %(size)s: the largest accepted is %(limit)s. Split it into smaller files.")
            % {"size": _size(unpacked), "limit": _size(settings.IMPORT_MAX_UNPACKED_BYTES)}
        )


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
