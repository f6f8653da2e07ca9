"""Writers that turn a report table into CSV or XLSX for spreadsheets.

Made for spreadsheets: UTF-8 with a byte-order mark (so Excel shows
Devanagari), numbers written as numbers, percentages with two decimals,
ISO dates, "n/a" for missing values (never 0), and every text cell that a
spreadsheet would read as a formula neutralised.

CSV is produced by a generator so that a large report streams with constant
memory; XLSX goes through openpyxl's write-only mode and stops at
``settings.EXPORT_XLSX_MAX_ROWS`` with ``TooManyRows`` (the caller explains and
points to CSV).
"""

import csv
import datetime
import io
import logging
import numbers
import tempfile
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

logger = logging.getLogger(__name__)

# A cell that begins with one of these is a formula (or the start of one) in
# Excel, LibreOffice or Google Sheets: "=HYPERLINK(...)", "+91 98...",
# "-2+3", "@SUM(...)", and tab/carriage return that some importers strip.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

TEXT = "text"
INTEGER = "int"
PERCENT = "percent"  # a float shown with two decimals
DATE = "date"
BOOLEAN = "bool"

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
# Missing values are written "n/a" in every language, so pandas (na_values),
# Excel filters and scripts recognise them whatever language the headers use.
NOT_APPLICABLE = "n/a"


@dataclass
class Column:
    key: str
    header: str  # translated when the table is built, in the chosen language
    kind: str = TEXT
    width: int | None = None  # XLSX column width in characters; None: from the header


@dataclass
class Table:
    """A report: columns, and rows as tuples in the columns' order.

    ``rows`` may be a generator (streamed once); ``blank`` values (as opposed
    to ``None``, which means n/a) are written as empty cells.
    """

    slug: str
    columns: list
    rows: object
    filename_parts: list = field(default_factory=list)
    day: datetime.date | None = None
    # Optional fast path for very long reports: the same rows already turned
    # into CSV cells (as csv_cell would), read instead of ``rows`` by the CSV writer.
    csv_rows: object = None
    # Faster still: the CSV lines after the header as finished text chunks
    # (formatted by the database), read instead of ``rows`` and ``csv_rows``.
    csv_text: object = None

    def filename(self, extension):
        parts = [self.slug, *self.filename_parts]
        if self.day:
            parts.append(self.day.isoformat())
        return "_".join(part for part in parts if part) + "." + extension


class Blank:
    """A cell with nothing to say (a platform the member has no account on)."""

    def __repr__(self):
        return "BLANK"


BLANK = Blank()


class TooManyRows(Exception):
    def __init__(self, limit):
        super().__init__(limit)
        self.limit = limit


def neutralise(text):
    """Prefix a would-be formula with an apostrophe so it stays text (CSV)."""
    if text and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def is_formula_like(text):
    return bool(text) and text.startswith(FORMULA_PREFIXES)


_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def csv_cell(value, kind):
    """The text of one CSV cell (exact-type fast paths first: this runs for every cell of millions of rows)."""
    cls = type(value)
    if cls is str:
        return "'" + value if value and value[0] in _FORMULA_FIRST else value
    if cls is int:
        return f"{value:.2f}" if kind == PERCENT else str(value)
    if cls is datetime.date:
        return value.isoformat()
    if cls is float and kind == PERCENT:
        return f"{value:.2f}"
    return _csv_cell_general(value, kind)


def _csv_cell_general(value, kind):
    if value is BLANK:
        return ""
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == PERCENT and isinstance(value, numbers.Real):
        return f"{float(value):.2f}"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value)) if float(value) != int(value) else str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


class _Echo:
    """A file-like object whose write returns the line instead of storing it.

    Lines end with "\n" (as PostgreSQL's COPY writes them, so a file is the
    same whichever way it was made). The writer is given "\r\n" as its line
    terminator so that it quotes a cell holding either character, which it
    does only for the characters of its terminator.
    """

    def write(self, value):
        return value[:-2] + "\n"


def csv_chunks(table, *, lines_per_chunk=2000):
    """Yield the CSV as text chunks: the BOM and header first, at once.

    A failure after the header (the response has begun: its status cannot
    change) ends the file with a line that says it is incomplete, so a
    truncated download never passes for a whole one.
    """
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield BOM + writer.writerow([column.header for column in table.columns])
    try:
        yield from _csv_body(table, writer, lines_per_chunk)
    except Exception:
        logger.exception("The %s export failed after its header", table.slug)
        yield writer.writerow([_("ERROR: this download stopped early and is incomplete. Download it again.")])


def _csv_body(table, writer, lines_per_chunk):
    kinds = [column.kind for column in table.columns]
    if table.csv_text is not None:
        yield from table.csv_text
        return
    if table.csv_rows is not None:
        lines = (writer.writerow(row) for row in table.csv_rows)
    else:
        lines = (
            writer.writerow([csv_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
            for row in table.rows
        )
    buffer = []
    try:
        for line in lines:
            buffer.append(line)
            if len(buffer) >= lines_per_chunk:
                yield "".join(buffer)
                buffer = []
    finally:
        if buffer:  # the rows read before a failure are written before the line that reports it
            yield "".join(buffer)


def csv_write(table, stream):
    """Write the whole CSV to a text stream (management command, digest)."""
    for chunk in csv_chunks(table):
        stream.write(chunk)


def csv_bytes(table):
    out = io.StringIO()
    csv_write(table, out)
    return out.getvalue().encode("utf-8")


def csv_response(table):
    """A streaming response: the first bytes leave before the last row is read."""
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(table)), content_type=CSV_CONTENT_TYPE
    )
    _attach(response, table.filename("csv"))
    response["X-Accel-Buffering"] = "no"  # a proxy (nginx) passes the stream on instead of buffering it
    return response


def xlsx_cell(sheet, value, kind, *, percent_format="0.00", date_format="yyyy-mm-dd"):
    if value is BLANK:
        return WriteOnlyCell(sheet, value=None)
    if value is None:
        return WriteOnlyCell(sheet, value=NOT_APPLICABLE)
    if isinstance(value, bool):
        return WriteOnlyCell(sheet, value=_("yes") if value else _("no"))
    if isinstance(value, numbers.Integral):
        return WriteOnlyCell(sheet, value=int(value))
    if isinstance(value, numbers.Real):
        cell = WriteOnlyCell(sheet, value=round(float(value), 2) if kind == PERCENT else float(value))
        if kind == PERCENT:
            cell.number_format = percent_format
        return cell
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: write the local wall-clock time.
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = date_format
        return cell
    text = str(value)
    cell = WriteOnlyCell(sheet, value=text)
    if is_formula_like(text):
        # Stored as a string cell (never a formula) with Excel's own "this is
        # text" flag, so the name shows exactly as written and stays inert
        # even when the cell is edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_bytes(table, *, max_rows=None):
    """The workbook as bytes; raises TooManyRows past the limit."""
    max_rows = max_rows if max_rows is not None else settings.EXPORT_XLSX_MAX_ROWS
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.slug[:31] or "report")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        width = column.width or max(10, min(50, len(str(column.header)) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = xlsx_cell(sheet, str(column.header), TEXT)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    kinds = [column.kind for column in table.columns]
    for count, row in enumerate(table.rows, start=1):
        if count > max_rows:
            close = getattr(table.rows, "close", None)
            if close:
                close()  # release a server-side cursor at once
            _discard(sheet)
            raise TooManyRows(max_rows)
        sheet.append([xlsx_cell(sheet, value, kind) for value, kind in zip(row, kinds, strict=True)])
    # Write-only workbooks spill rows to a temporary file, not memory.
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        return spool.read()


def _discard(sheet):
    """Finish an abandoned write-only sheet and delete its temporary file now
    (openpyxl would keep the file to the process's exit and complain when the
    unfinished sheet is garbage-collected)."""
    sheet.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        writer.cleanup()


def xlsx_response(table, *, max_rows=None):
    response = HttpResponse(xlsx_bytes(table, max_rows=max_rows), content_type=XLSX_CONTENT_TYPE)
    _attach(response, table.filename("xlsx"))
    return response


def _attach(response, filename):
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
