from django.core.management.base import BaseCommand, CommandError

from legislators.models import Platform
from metrics.models import FetchRun
from metrics.polling import runs
from metrics.polling.tasks import plan_fetch_task


class Command(BaseCommand):
    help = "Poll follower counts: the same path as the scheduled tasks (plan → batches → record)."

    def add_arguments(self, parser):
        parser.add_argument("--platform", action="append", choices=Platform.values, help="Repeatable; default: all.")
        parser.add_argument("--account", action="append", type=int, help="Only these account ids (repeatable).")
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Run here, without the queue; waits for rate-limit resets and backoffs like the worker would.",
        )

    def handle(self, *args, platform=None, account=None, sync=False, **options):
        platforms = platform or Platform.values
        failed = []
        for name in platforms:
            if not sync:
                plan_fetch_task.delay(name, account)
                self.stdout.write(f"{name}: queued")
                continue
            run = runs.fetch_run_plan(platform=name, account_ids=account)
            for batch_id in run.batches.values_list("pk", flat=True):
                runs.batch_until_settled(
                    runs.fetch_batch, batch_id=batch_id, say=self.stdout.write, warn=self.stderr.write
                )
            run.refresh_from_db()
            self.stdout.write(self._describe(run))
            if run.status in (FetchRun.Status.FAILED, FetchRun.Status.STOPPED) or (
                run.status == FetchRun.Status.DONE and run.errors and run.status_counts.get("not_fetched")
            ):
                failed.append(f"{name}: {run.note or '; '.join(run.errors[:3])}")
        if failed:
            raise CommandError("Some batches failed: " + " | ".join(failed))

    def _describe(self, run):
        if run.status == FetchRun.Status.SKIPPED:
            return f"{run.platform}: skipped — {run.note}"
        counts = ", ".join(f"{count} {status}" for status, count in run.status_counts.items())
        line = (
            f"{run.platform}: {run.status}, {run.accounts_ok} ok, {run.accounts_failed} failed ({counts or 'none'}), "
            f"{run.api_calls} API calls, {run.batches_total} batches, {run.duration or ''}"
        )
        return f"{line} — {run.note}" if run.note else line
