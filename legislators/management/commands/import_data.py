"""Import a CSV or XLSX file: constituencies, voter rolls, legislators, accounts or counts.

    manage.py import_data constituencies file.csv --dry-run --map ac_no=number --set state_code=MP

Checks every row first; with any error nothing is written and each error is
printed with its line and column. --dry-run reports what would be created,
updated and left unchanged.
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from legislators.imports.apply import import_file
from legislators.imports.columns import parse_pairs
from legislators.imports.read import check_size
from legislators.imports.rows import ImportFileError, PersonMatch
from legislators.models import ImportBatch


class Command(BaseCommand):
    help = (
        "Import constituencies, voter rolls, legislators, social accounts or follower counts from CSV/XLSX, "
        "or constituency boundaries from GeoJSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportBatch.Kind.values)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=COLUMN",
            help="Read the file's column HEADER as our COLUMN (repeatable), e.g. --map ac_no=number",
        )
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="COLUMN=VALUE",
            dest="constants",
            help="A value for a column the file lacks (repeatable), e.g. --set state_code=MP",
        )
        parser.add_argument("--user", help="Username recorded as the author in the audit trail.")

    def handle(self, *args, kind, file, dry_run, map, constants, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            check_size(path.stat().st_size)  # before the file is read into memory
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        try:
            mapping = parse_pairs(map, what="--map")
            fixed = parse_pairs(constants, what="--set")
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user named {user!r}.")
        started = time.monotonic()
        batch, plan = import_file(
            kind=kind,
            content=path.read_bytes(),
            filename=path.name,
            user=author,
            mapping=mapping,
            constants=fixed,
            dry_run=dry_run,
        )
        elapsed = time.monotonic() - started
        for warning in plan.warnings:
            self.stdout.write(f"note: {warning}")
        self._people(plan)
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(error.as_text())
            raise CommandError(
                f"{len(plan.errors)} error(s) in {plan.rows} rows: nothing was written (import #{batch.pk})."
            )
        verb = "would be" if dry_run else "were"
        for model, counts in sorted(plan.summary().items()):
            self.stdout.write(
                f"{model}: {counts['create']} {verb} created, {counts['update']} {verb} updated, "
                f"{counts['unchanged']} unchanged"
            )
        state = "dry run, nothing written" if dry_run else "applied"
        self.stdout.write(
            self.style.SUCCESS(f"{plan.rows} rows checked in {elapsed:.2f}s ({state}; import #{batch.pk}).")
        )

    def _people(self, plan):
        """A legislators file: who each row is (matched, new, needs a decision), before any write."""
        if not plan.matches:
            return
        for status, title in (
            (PersonMatch.MATCHED, "matched to a recorded person"),
            (PersonMatch.NEW, "new people"),
            (PersonMatch.DECISION, "need a decision (add person_id, or new=yes)"),
        ):
            rows = plan.matched(status)
            self.stdout.write(f"{len(rows)} {title}:")
            for match in rows:
                seat = f" [{match.seat}]" if match.seat else ""
                if status == PersonMatch.MATCHED:
                    who = f" → {match.person_name}" + (f" (id {match.person_id})" if match.person_id else "")
                elif status == PersonMatch.DECISION:
                    who = " → " + "; ".join(f"{name} (id {pk}: {why})" for pk, name, why in match.candidates)
                else:
                    who = ""
                self.stdout.write(f"  line {match.line}: {match.name}{seat}{who} ({match.reason})")
