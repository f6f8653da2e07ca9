"""Load a state's shipped reference data: ``manage.py load_reference mp``."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from legislators.reference_loader import STATES, ReferenceError, reference_load
from metrics.standings.daily import settle


class Command(BaseCommand):
    help = (
        "Load the shipped public reference of a state (divisions, districts, constituencies, dated voter rolls, "
        "people with terms, ministers' appointments): see legislators/reference/<state>/PROVENANCE.md. "
        "Idempotent; refuses a database holding demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument("state", choices=sorted(STATES), help="the state's folder under legislators/reference/")

    def handle(self, *args, state, **options):
        try:
            with transaction.atomic():
                result = reference_load(state=state)
                settle()  # the standings table (when kept), in the load's transaction
        except ReferenceError as exc:
            raise CommandError(str(exc)) from None
        for line in result.lines():
            self.stdout.write(line)
        if result.open_appointments:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.open_appointments} appointments have no end date in the source (see PROVENANCE.md, "
                    "appointments.csv): until an admin sets them, those ministers keep their role on later days."
                )
            )
        total = sum(result.created.values())
        self.stdout.write(
            self.style.SUCCESS(f"Reference {state}: {total} records created.")
            if total
            else "Reference already loaded: nothing changed."
        )
