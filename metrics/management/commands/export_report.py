"""export_report KIND [filters] --output FILE: a report for cron and scripts.

The same code path as the download links (metrics.reports.tables + metrics.reports.writers);
the filters are the page's query-string filters as options. No user is
involved, so no division/district limit applies.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from legislators.models import District, Division, Party
from metrics.reports import tables, writers
from metrics.reports.options import KINDS, STEPS, BadParameters

FILTER_OPTIONS = ("q", "role", "platform", "status", "date", "sort", "start", "end", "step", "layout", "by")


class Command(BaseCommand):
    help = "Write a report (standings, rollup, freshness, growth, timeseries) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--output", "-o", required=True, help="File to write; '-' for standard output (CSV).")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="Default: from the file name, else csv.")
        parser.add_argument("--language", default="en", choices=["en", "hi"], help="Language of the headers.")
        parser.add_argument("--division", help="Division id or name.")
        parser.add_argument("--district", help="District id or name.")
        parser.add_argument("--party", help="Party id or short name.")
        parser.add_argument("--q", help="Part of a member's name.")
        parser.add_argument("--role", help="CM, CABINET, MOS_IC, MOS, MLA or ministers.")
        parser.add_argument("--platform", help="x, facebook, instagram or youtube.")
        parser.add_argument("--status", help="meets, stretch, below, stagnant or n/a.")
        parser.add_argument("--date", help="Standings as on YYYY-MM-DD.")
        parser.add_argument("--sort", help="Sort column as on the page, e.g. -reach.")
        parser.add_argument("--start", help="Growth / time series: first day, YYYY-MM-DD.")
        parser.add_argument("--end", help="Growth / time series: last day, YYYY-MM-DD.")
        parser.add_argument("--step", choices=STEPS, help="Time series step.")
        parser.add_argument("--layout", choices=["long", "wide"], help="Time series layout.")
        parser.add_argument("--by", choices=["division", "district"], help="Rollup level.")
        parser.add_argument("--stale", action="store_true", help="Freshness: stale accounts only.")

    def handle(self, *args, kind, output, format=None, language="en", **options):
        params = {name: options.get(name) for name in FILTER_OPTIONS if options.get(name)}
        for name, model, field in (
            ("division", Division, "name"),
            ("district", District, "name"),
            ("party", Party, "short_name"),
        ):
            if options.get(name):
                params[name] = _resolve(model, field, options[name], name)
        if options.get("stale"):
            params["stale"] = "on"
        fmt = format or ("xlsx" if output.lower().endswith(".xlsx") else "csv")
        if fmt == "xlsx" and output == "-":
            raise CommandError("XLSX cannot go to standard output: give a file name.")
        with translation.override(language):
            try:
                table = tables.build(kind, params)
            except BadParameters as exc:
                messages = [f"{name}: {' '.join(errors)}" for form in exc.forms for name, errors in form.errors.items()]
                raise CommandError("; ".join(messages)) from None
            if fmt == "csv":
                if output == "-":
                    for chunk in writers.csv_chunks(table):
                        self.stdout.write(chunk, ending="")
                    return
                with open(output, "w", encoding="utf-8", newline="") as stream:
                    writers.csv_write(table, stream)
            else:
                try:
                    data = writers.xlsx_bytes(table)
                except writers.TooManyRows as exc:
                    raise CommandError(
                        f"More than {exc.limit} rows: too many for XLSX (EXPORT_XLSX_MAX_ROWS). Write CSV instead."
                    ) from None
                with open(output, "wb") as stream:
                    stream.write(data)
        self.stderr.write(f"Wrote {output} ({kind}, {fmt}).")


def _resolve(model, field, value, name):
    """An id, or a name (case-insensitive), to the id the filter form expects."""
    if value.isdigit() and model.objects.filter(pk=int(value)).exists():
        return value
    match = model.objects.filter(**{f"{field}__iexact": value}).first()
    if match is None:
        raise CommandError(f"--{name} {value!r}: no such {name}.")
    return str(match.pk)
