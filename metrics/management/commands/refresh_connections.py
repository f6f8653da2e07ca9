from django.core.management.base import BaseCommand

from metrics.audience.connections import connections_refresh_due


class Command(BaseCommand):
    help = "Refresh the connected accounts' tokens that expire within CONNECTION_REFRESH_DAYS (the daily task's twin)."

    def handle(self, *args, **options):
        done, failed = connections_refresh_due()
        self.stdout.write(f"{done} refreshed, {failed} failed (their status says why)")
