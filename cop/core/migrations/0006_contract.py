"""An organisation of no country has a name of its own too (NULLs are distinct in the first constraint)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0005_notifications")]

    operations = [
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("country__isnull", True)),
                fields=("name",),
                name="unique_organisation_name_without_country",
            ),
        ),
    ]
