"""Write a query's rows as CSV at the database's speed, in flat memory.

``write_csv(queryset, out, header=[...])`` takes a ``values_list`` queryset
(the export's own query, built with the ORM and its filters) and writes it to
``out``, a text file. On PostgreSQL the server formats the rows itself
(``COPY (query) TO STDOUT``): a million rows in well under a second and no
Python object per row. Elsewhere (SQLite) the rows go through a server-side
cursor and ``csv``. Either way memory stays flat whatever the number of rows.

Values written by COPY follow PostgreSQL's text forms: numbers, text and
dates as ``csv`` writes them, NULL as an empty field; booleans would be
``t``/``f`` and timestamps in the connection's time zone (UTC), so export
those as text in the query when they matter.

For a download, write into ``tempfile.SpooledTemporaryFile(mode="w+")`` (kept
in memory up to its ``max_size``, on disk beyond), ``seek(0)`` and return it in
a ``FileResponse``.
"""

import csv

from django.db import connection


def copy_csv(sql, params, out):
    """PostgreSQL: the rows of ``sql`` written by the server as CSV (no header) into ``out``.

    ``out`` takes text, or UTF-8 bytes when it is a binary file (psycopg2 chooses).
    """
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params)
        query = query.decode() if isinstance(query, bytes) else query
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", out)


def write_csv(queryset, out, *, header):
    csv.writer(out, lineterminator="\n").writerow(header)
    if connection.vendor == "postgresql":
        copy_csv(*queryset.query.sql_with_params(), out)
        return
    writer = csv.writer(out, lineterminator="\n")
    for row in queryset.iterator(chunk_size=5000):
        writer.writerow(row)
