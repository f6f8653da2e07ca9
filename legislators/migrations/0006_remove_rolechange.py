"""RoleChange is replaced by Appointment (its rows were copied by 0005)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("legislators", "0005_terms_from_legislators"),
    ]

    operations = [
        migrations.DeleteModel(name="RoleChange"),
    ]
