from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("filter", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="listversion",
            name="not_dns",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
