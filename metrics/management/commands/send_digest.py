"""send_digest: the weekly digest now (the twin of the beat task).

Without options, every active list of digest recipients gets its digest.
--print renders one digest to standard output instead of sending it.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from legislators.models import Division
from metrics.models import DigestRecipients
from metrics.reports import digest


class Command(BaseCommand):
    help = "E-mail the digest to the lists of digest recipients (or print one)."

    def add_arguments(self, parser):
        parser.add_argument("--list", type=int, dest="list_id", help="Only this list of digest recipients (id).")
        parser.add_argument("--to", action="append", help="Send to this address instead (repeatable).")
        parser.add_argument("--date", help="Digest as on YYYY-MM-DD (default today).")
        parser.add_argument("--print", action="store_true", dest="print_only", help="Print instead of sending.")
        parser.add_argument("--division", help="With --print: a division id or name (default the whole state).")
        parser.add_argument("--language", choices=["en", "hi"], default="en", help="With --print.")
        parser.add_argument("--html", action="store_true", help="With --print: the HTML part.")

    def handle(self, *args, list_id=None, to=None, date=None, print_only=False, **options):
        day = _parse_date(date)
        if print_only:
            division = _division(options.get("division"))
            built = digest.digest_build(division=division, language=options["language"], day=day)
            self.stdout.write(built.subject)
            self.stdout.write(built.html if options.get("html") else built.text)
            return
        if list_id is not None or to:
            lists = (
                DigestRecipients.objects.filter(pk=list_id) if list_id else DigestRecipients.objects.filter(active=True)
            )
            if not lists.exists():
                raise CommandError(f"No list of digest recipients with id {list_id}.")
            sent = sum(digest.digest_send(recipients_id=item.pk, day=day, to=to) for item in lists)
            failed = []
        else:
            sent, failed = digest.digests_send_all(day=day)
        self.stdout.write(f"Digests sent: {sent}.")
        if failed:
            raise CommandError(f"Digests failed for lists {failed} (see the log).")


def _parse_date(text):
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date {text!r} is not a date in the form YYYY-MM-DD.") from None


def _division(value):
    if not value:
        return None
    match = Division.objects.filter(pk=int(value)).first() if value.isdigit() else None
    match = match or Division.objects.filter(name__iexact=value).first()
    if match is None:
        raise CommandError(f"--division {value!r}: no such division.")
    return match
