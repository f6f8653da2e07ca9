"""The API's formats: JSON (DRF's), CSV and Parquet, chosen by ``?format=`` or the Accept header.

A CSV or Parquet answer holds the whole list (no pages), built as a
``metrics.reports.writers.Table``: CSV is streamed by the exports' writer, so
its text cells get the exports' formula neutralisation; Parquet is written
with pyarrow, typed by column (an optional extra: requirements-parquet.txt).
A format a view does not offer, or Parquet without pyarrow, is a 406 that says so.
"""

import datetime
import io

from rest_framework import exceptions, negotiation, renderers

from metrics.reports import writers

PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet"


def parquet_available():
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


class FormatNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's negotiation, with a 406 naming the offered formats instead of a 404 for an unknown ``format``."""

    def select_renderer(self, request, renderers_, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if wanted:
            offered = [renderer.format for renderer in renderers_]
            if wanted not in offered:
                raise exceptions.NotAcceptable(f"format={wanted} is not offered here: use one of {', '.join(offered)}.")
            if wanted == "parquet" and not parquet_available():
                raise exceptions.NotAcceptable(
                    "Parquet needs pyarrow on the server (pip install -r requirements-parquet.txt); "
                    "use format=csv meanwhile."
                )
        return super().select_renderer(request, renderers_, format_suffix)


class CSVRenderer(renderers.BaseRenderer):
    """Offers text/csv. The views stream the CSV themselves (``table_response``); rendering a Table
    here gives the same bytes, for a caller that hands one to a DRF Response."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return writers.csv_bytes(data)


class ParquetRenderer(renderers.BaseRenderer):
    media_type = PARQUET_CONTENT_TYPE
    format = "parquet"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return parquet_bytes(data)


def _arrow_type(column, values):
    import pyarrow as pa

    if column.kind == writers.INTEGER:
        return pa.int64()
    if column.kind == writers.PERCENT:
        return pa.float64()
    if column.kind == writers.BOOLEAN:
        return pa.bool_()
    if column.kind == writers.DATE:
        if any(isinstance(value, datetime.datetime) for value in values):
            return pa.timestamp("s", tz="Asia/Kolkata")
        return pa.date32()
    return pa.string()


def _arrow_value(value, arrow_type):
    import pyarrow as pa

    if value is None or value is writers.BLANK:
        return None  # n/a and "no account" are both null in a typed column
    if arrow_type == pa.string() and not isinstance(value, str):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    return value


def parquet_bytes(table):
    """A Table as a Parquet file: one typed column per Table column, named by its key."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(table.rows)
    arrays, names = [], []
    for index, column in enumerate(table.columns):
        values = [row[index] for row in rows]
        arrow_type = _arrow_type(column, values)
        arrays.append(pa.array([_arrow_value(value, arrow_type) for value in values], type=arrow_type))
        names.append(column.key)
    out = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=names), out, compression="zstd")
    return out.getvalue()
