import csv
import io
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from metrics.numbers import indian_number
from metrics.standings import engine

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


def standing_row(member):
    return dict(zip(COLUMNS, standing_values(member), strict=True))


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
        standings = engine.standings(day=day)
        if format == "csv":
            # Written whole, then printed in one write (not a write per row).
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(standing_values(member) for member in standings.members)
            self.stdout.write(text.getvalue(), ending="")
            return
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
