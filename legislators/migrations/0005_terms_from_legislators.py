"""Data migration: each legislator's seat becomes a dated Term, each role an Appointment.

Before this, a member was one row with one seat, one party, one term
(term_start/term_end) and a role (Legislator.role, with its dated history in
RoleChange). Nothing is lost:

- every legislator gets one Term: its constituency (none when it had none),
  party, term_start (unknown → 1950-01-26, noted in the term's source) and
  term_end; how elected: general election;
- RoleChange rows, in date order, become Appointments: each minister role
  from its day to the day before the next change (or to the term's end);
  an MLA row ends the appointment before it;
- a minister without any RoleChange row gets one Appointment for the whole
  term, with its portfolio;
- the groups get the permissions of the new models (legislators.access).

Reversible: going back removes the terms and appointments (the old columns
were kept as the current values, so they still hold what they held).
"""

from datetime import date, timedelta

from django.db import migrations

EARLIEST_DAY = date(1950, 1, 26)
MINISTER_ROLES = {"CM", "CABINET", "MOS_IC", "MOS"}


def terms_and_appointments(apps, schema_editor):
    Legislator = apps.get_model("legislators", "Legislator")
    RoleChange = apps.get_model("legislators", "RoleChange")
    Term = apps.get_model("legislators", "Term")
    Appointment = apps.get_model("legislators", "Appointment")
    changes = {}
    for change in RoleChange.objects.order_by("legislator_id", "effective_from"):
        changes.setdefault(change.legislator_id, []).append(change)
    terms, appointments = [], []
    for member in Legislator.objects.order_by("pk").iterator():
        start = member.term_start or EARLIEST_DAY
        terms.append(
            Term(
                legislator_id=member.pk,
                constituency_id=member.constituency_id,
                party_id=member.party_id,
                start=start,
                end=member.term_end,
                how_elected="general",
                source="" if member.term_start else "migrated: the term's start was not recorded",
            )
        )
        history = changes.get(member.pk, [])
        if not history:
            if member.role in MINISTER_ROLES:
                appointments.append(
                    Appointment(
                        legislator_id=member.pk,
                        role=member.role,
                        portfolio=member.portfolio,
                        start=start,
                        end=member.term_end,
                        source="migrated from the legislator's role",
                    )
                )
            continue
        for index, change in enumerate(history):
            if change.role not in MINISTER_ROLES:
                continue
            following = history[index + 1].effective_from - timedelta(days=1) if index + 1 < len(history) else None
            end = following if following is not None else member.term_end
            if following is None and end is not None and end < change.effective_from:
                end = None  # a role given after the recorded term's end: kept, open
            last = index + 1 == len(history)
            appointments.append(
                Appointment(
                    legislator_id=member.pk,
                    role=change.role,
                    portfolio=member.portfolio if last and change.role == member.role else "",
                    start=change.effective_from,
                    end=end,
                    source=("migrated from a role change: " + change.note)[:200] if change.note else "migrated",
                )
            )
    Term.objects.bulk_create(terms, batch_size=1000)
    Appointment.objects.bulk_create(appointments, batch_size=1000)


def remove_terms_and_appointments(apps, schema_editor):
    apps.get_model("legislators", "Appointment").objects.all().delete()
    apps.get_model("legislators", "Term").objects.all().delete()


def grant_new_models(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from legislators.access import ensure_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("legislators", "0004_people_terms_appointments"),
        ("metrics", "0011_groups_from_access_map"),
    ]

    operations = [
        migrations.RunPython(terms_and_appointments, remove_terms_and_appointments),
        migrations.RunPython(grant_new_models, migrations.RunPython.noop),
    ]
