from django.core.management.base import BaseCommand, CommandError

from metrics.models import FetchRun
from metrics.polling import geography, runs
from metrics.polling.tasks import plan_geography_task


class Command(BaseCommand):
    help = "Read the connected accounts' audience by city: the weekly task's twin (plan → batches → record)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--platform", action="append", choices=geography.PLATFORMS, help="Repeatable; default: all."
        )
        parser.add_argument("--account", action="append", type=int, help="Only these account ids (repeatable).")
        parser.add_argument("--sync", action="store_true", help="Run here, without the queue (waits like the worker).")

    def handle(self, *args, platform=None, account=None, sync=False, **options):
        failed = []
        for name in platform or geography.PLATFORMS:
            if not sync:
                plan_geography_task.delay(name, account)
                self.stdout.write(f"{name}: queued")
                continue
            run = geography.geography_run_plan(platform=name, account_ids=account)
            for batch_id in run.batches.values_list("pk", flat=True):
                runs.batch_until_settled(
                    geography.geography_fetch_batch, batch_id=batch_id, say=self.stdout.write, warn=self.stderr.write
                )
            run.refresh_from_db()
            counts = ", ".join(f"{count} {status}" for status, count in run.status_counts.items())
            self.stdout.write(
                f"{name} geography: {run.status}, {counts or 'none'}{' — ' + run.note if run.note else ''}"
            )
            if run.status in (FetchRun.Status.FAILED, FetchRun.Status.STOPPED):
                failed.append(f"{name}: {run.note or '; '.join(run.errors[:3])}")
        if failed:
            raise CommandError("Some geography batches failed: " + " | ".join(failed))
