import csv
import io
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from metrics.numbers import indian_number
from metrics.reports.writers import FORMULA_PREFIXES, neutralise
from metrics.standings import daily, engine, stored

COLUMNS = [
    "id",
    "name",
    "role",
    "party",
    "constituency_number",
    "constituency",
    "district",
    "electors",
    "voter_roll_of",
    "first_roll_after_day",
    "followers_x",
    "followers_facebook",
    "followers_instagram",
    "followers_youtube",
    "reach",
    "share_percent",
    "status",
    "followers_needed",
    "growth_30_days",
    "stagnant",
    "projected_date",
]


def projection_text(projection):
    if projection.reached:
        return "met"
    if projection.day:
        return projection.day.isoformat()
    if projection.beyond:
        return "beyond 5 years"
    if projection.not_at_this_rate:
        return "not at this rate"
    return "n/a"


def standing_values(member):
    """The member's CSV cells, in COLUMNS order."""
    na = "n/a"
    followers = member.followers
    return (
        member.id,
        member.name,
        member.role,
        member.party,
        member.constituency_number if member.constituency_number is not None else na,
        member.constituency_name or na,
        member.district or na,
        member.electors if member.electors else na,
        member.roll_day.isoformat() if member.roll_day else na,
        ("yes" if member.roll_after_day else "no") if member.roll_day else na,
        *[followers[platform] if followers.get(platform) is not None else "" for platform in engine.PLATFORMS],
        member.reach if member.reach is not None else na,
        f"{member.share:.2f}" if member.share is not None else na,
        member.status.value,
        member.needed if member.needed is not None else na,
        member.growth_30 if member.growth_30 is not None else na,
        "yes" if member.stagnant else "no",
        projection_text(member.projection),
    )


# The text cells a spreadsheet could read as a formula ("=HYPERLINK(...)" as a name): neutralised in the CSV as in
# every export (metrics.reports.writers), not in the table printed to a terminal.
TEXT_CELLS = [COLUMNS.index(column) for column in ("name", "party", "constituency", "district")]


def csv_values(member):
    """The member's CSV cells: ``standing_values`` with every would-be formula kept as text."""
    values = list(standing_values(member))
    for index in TEXT_CELLS:
        values[index] = neutralise(values[index])
    return values


def standing_row(member):
    return dict(zip(COLUMNS, standing_values(member), strict=True))


def _quotes(character):
    """True when ``csv.writer`` (as the command writes) quotes a cell holding ``character``."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow([f"a{character}b"])
    return text.getvalue().startswith('"')


# The characters that make csv.writer quote a cell (QUOTE_MINIMAL, "\n" lines): asked of the running Python.
QUOTED = [character for character in (",", '"', "\n", "\r") if _quotes(character)]


def _text(expression):
    """SQL of a text cell as csv.writer writes it, after ``csv_values``: a would-be formula prefixed with an
    apostrophe (writers.neutralise), then quoted (inner quotes doubled) when it holds a QUOTED character."""
    starts = ", ".join(f"CHR({ord(prefix)})" for prefix in FORMULA_PREFIXES)
    expression = f"(CASE WHEN LEFT({expression}, 1) IN ({starts}) THEN CHR(39) || {expression} ELSE {expression} END)"
    special = " OR ".join(f"STRPOS({expression}, CHR({ord(character)})) > 0" for character in QUOTED)
    return (
        f"CASE WHEN {special} THEN CHR(34) || REPLACE({expression}, CHR(34), CHR(34) || CHR(34)) || CHR(34)"
        f" ELSE {expression} END"
    )


def _or_na(expression, text=None):
    """SQL of a cell that is "n/a" when ``expression`` is NULL (``text``: how it is written otherwise)."""
    return f"COALESCE({text or f'CAST({expression} AS TEXT)'}, 'n/a')"


def _day(expression):
    """SQL of a day as ``date.isoformat()`` writes it: the date's own text when the session's DateStyle is ISO
    (PostgreSQL's default; asked once per query), else TO_CHAR (a fifth of the query's time for two columns)."""
    return (
        f"CASE WHEN (SELECT CURRENT_SETTING('DateStyle') LIKE 'ISO%%') THEN CAST({expression} AS TEXT)"
        f" ELSE TO_CHAR({expression}, 'YYYY-MM-DD') END"
    )


# The stored row's columns the cells read (``r``): today's names joined (as stored.NAMES), then its own.
CSV_FIELDS = {
    "name": "member__name",
    "party": "party__short_name",
    "constituency_number": "constituency__number",
    "constituency_name": "constituency__name",
    "district": "district__name",
    **{
        column: column
        for column in (
            "member_id",
            "role",
            "electors",
            "roll_day",
            *[f"followers_{platform}" for platform in engine.PLATFORMS],
            "reach",
            "share",
            "status",
            "needed",
            "growth_30",
            "stagnant",
            "projected_on",
            "projection",
        )
    },
}

# standing_values' cells, in SQL over a stored row ``r`` (CSV_FIELDS), split around the share
# (formatted in Python: f"{share:.2f}" is Python's rounding of the float).
_BEFORE_SHARE = [
    "CAST(r.member_id AS TEXT)",
    _text("r.name"),
    "r.role",  # a Role value: never quoted
    _text("COALESCE(r.party, '')"),
    _or_na("r.constituency_number"),
    _text("COALESCE(NULLIF(r.constituency_name, ''), 'n/a')"),
    _text("COALESCE(NULLIF(r.district, ''), 'n/a')"),
    _or_na("NULLIF(r.electors, 0)"),
    _or_na("r.roll_day", _day("r.roll_day")),
    "CASE WHEN r.roll_day IS NULL THEN 'n/a' WHEN r.roll_day > %s THEN 'yes' ELSE 'no' END",
    # A platform's count ("" without one). Both writers of the table store NULL for a platform the member has
    # no account on (not in ``platforms``), so the count alone says what member_from_row's followers say.
    *[f"COALESCE(CAST(r.followers_{platform} AS TEXT), '')" for platform in engine.PLATFORMS],
    _or_na("r.reach"),
]
_AFTER_SHARE = [
    "r.status",  # a Status value: never quoted
    _or_na("r.needed"),
    _or_na("r.growth_30"),
    "CASE WHEN r.stagnant THEN 'yes' ELSE 'no' END",
    "CASE r.projection WHEN 'reached' THEN 'met' WHEN 'day' THEN COALESCE(" + _day("r.projected_on") + ", 'n/a')"
    " WHEN 'beyond' THEN 'beyond 5 years' WHEN 'not_at_this_rate' THEN 'not at this rate' ELSE 'n/a' END",
]


def stored_csv_lines(rows, *, day, target):
    """The CSV lines of ordered stored rows (a ``stored.stored_members`` reader, PostgreSQL): the cells of
    ``standing_values`` written by the database, the share formatted here; one query, no MemberStanding."""
    try:
        sql, params = rows.values_list(*CSV_FIELDS.values()).query.sql_with_params()
    except EmptyResultSet:
        return []
    names = ", ".join(CSV_FIELDS)
    before, after = " || ',' || ".join(_BEFORE_SHARE), " || ',' || ".join(_AFTER_SHARE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {before}, r.share, {after} FROM ({sql}) AS r ({names}) ORDER BY r.name, r.member_id",
            [day, *params],
        )
        return [
            f"{first},{'n/a' if share is None else f'{share:.2f}'},{last}\n" for first, share, last in cursor.fetchall()
        ]


class Command(BaseCommand):
    help = "Print every member's standing on a day (the same selector as the pages)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, Asia/Kolkata)")
        parser.add_argument("--format", choices=["table", "csv"], default="table")

    def handle(self, *args, date=None, format="table", **options):
        day = None
        if date:
            try:
                day = _parse_date(date)
            except ValueError:
                raise CommandError(f"--date {date!r} is not a date in the form YYYY-MM-DD.") from None
        day = day or engine.today()
        state = daily.ready_for(day)
        if format == "csv":
            # Written whole, then printed in one write (not a write per row).
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(COLUMNS)
            if state[0] and connection.vendor == "postgresql":  # the stored rows, read as CSV lines
                text.writelines(stored.stored_members(day=day, target=state[1], reader=stored_csv_lines))
            else:
                writer.writerows(csv_values(member) for member in engine.standings(day=day, state=state).members)
            self.stdout.write(text.getvalue(), ending="")
            return
        standings = engine.standings(day=day, state=state)
        rows = [standing_row(member) for member in standings.members]
        summary = standings.summary()
        self.stdout.write(
            f"Standings on {standings.day} — target {standings.target.percent}%, stretch "
            f"{standings.target.stretch_percent}%: {summary['meets']} of {summary['counted']} meet the target, "
            f"{summary['stretch']} the stretch line, {summary['stagnant']} stagnant, "
            f"{summary['not_applicable']} n/a."
        )
        seats = [member.electors for member in standings.members if member.electors]
        self.stdout.write(
            f"{summary['tracked']} members; the electors of their seats (rolls in force): "
            f"{indian_number(sum(seats))} ({len(seats)} seats with a roll)."
        )
        widths = (28, 8, 6, 22, 12, 12, 8, 8, 12, 10, 16)
        header = (
            "Name",
            "Role",
            "Party",
            "Constituency",
            "Electors",
            "Reach",
            "Share",
            "Status",
            "Needed",
            "Growth30",
            "Projected",
        )
        self.stdout.write(" ".join(h.ljust(w) for h, w in zip(header, widths)))
        for member, row in zip(standings.members, rows):
            cells = (
                member.name,
                member.role,
                member.party,
                f"{row['constituency_number']} {row['constituency']}",
                indian_number(member.electors),
                indian_number(member.reach),
                row["share_percent"],
                row["status"],
                indian_number(member.needed),
                row["growth_30_days"],
                row["projected_date"],
            )
            self.stdout.write(" ".join(str(c)[:w].ljust(w) for c, w in zip(cells, widths)))


def _parse_date(text):
    return date.fromisoformat(text)
