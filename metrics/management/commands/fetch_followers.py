from django.core.management.base import BaseCommand, CommandError

from legislators.models import Platform
from metrics import services
from metrics.models import FetchRun
from metrics.tasks import fetch_batch_task, plan_fetch_task


class Command(BaseCommand):
    help = "Poll follower counts: the same path as the scheduled tasks (plan → batches → record)."

    def add_arguments(self, parser):
        parser.add_argument("--platform", action="append", choices=Platform.values, help="Repeatable; default: all.")
        parser.add_argument("--sync", action="store_true", help="Run here, without the queue.")

    def handle(self, *args, platform=None, sync=False, **options):
        platforms = platform or Platform.values
        for name in platforms:
            if not sync:
                plan_fetch_task.delay(name)
                self.stdout.write(f"{name}: queued")
                continue
            run = services.fetch_run_plan(platform=name)
            for batch_id in run.batches.values_list("pk", flat=True):
                try:
                    fetch_batch_task.apply(args=[batch_id], throw=False)
                except Exception as exc:  # the run records it; keep going
                    self.stderr.write(f"{name}: batch {batch_id} failed: {exc}")
            run.refresh_from_db()
            self.stdout.write(self._describe(run))
            if run.status == FetchRun.Status.FAILED:
                raise CommandError(f"{name}: the run failed: {'; '.join(run.errors[:3])}")

    def _describe(self, run):
        if run.status == FetchRun.Status.SKIPPED:
            return f"{run.platform}: skipped — {run.note}"
        return (
            f"{run.platform}: {run.status}, {run.accounts_ok} ok, {run.accounts_failed} failed, "
            f"{run.api_calls} API calls, {run.batches_total} batches"
        )
