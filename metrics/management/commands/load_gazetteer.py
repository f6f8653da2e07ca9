from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from metrics.audience.places import SHIPPED, gazetteer_import, gazetteer_load_shipped


class Command(BaseCommand):
    help = (
        "Load the gazetteer (city name → district): the shipped one of a state (`mp`), or a CSV of your own "
        "(columns name, state, district, kind) with --file and --source. Districts must be loaded first."
    )

    def add_arguments(self, parser):
        parser.add_argument("state", nargs="?", choices=sorted(SHIPPED), help="a shipped gazetteer")
        parser.add_argument("--file", help="a gazetteer CSV of another state")
        parser.add_argument("--source", help="where the file's places come from (kept on each place)")
        parser.add_argument("--state-code", default="", help="two-letter code of the file's state")

    def handle(self, *args, state=None, file=None, source=None, state_code="", **options):
        if bool(state) == bool(file):
            raise CommandError("Name a shipped gazetteer (mp) or give --file.")
        if file:
            if not source:
                raise CommandError("--source is required with --file: say where the places come from.")
            created, updated, errors = gazetteer_import(
                text=Path(file).read_text(encoding="utf-8"), source=source, state_code=state_code.upper()
            )
        else:
            created, updated, errors = gazetteer_load_shipped(state)
        if errors:
            raise CommandError("Nothing loaded:\n" + "\n".join(errors[:50]))
        self.stdout.write(f"{created} places created, {updated} updated")
