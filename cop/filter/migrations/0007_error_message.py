"""A list version's error is kept as a message and its parameters, shown in each reader's language.

The text stored so far becomes a message without parameters: it is the English msgid of the message
it was made from (the background jobs ran in English), so it is translated when shown too.
"""

from django.db import migrations, models


def to_messages(apps, schema_editor):  # type: ignore[no-untyped-def]
    ListVersion = apps.get_model("filter", "ListVersion")
    for version in ListVersion.objects.exclude(error_text="").only("pk", "error_text"):
        ListVersion.objects.filter(pk=version.pk).update(error={"message": version.error_text, "params": {}})


def to_text(apps, schema_editor):  # type: ignore[no-untyped-def]
    ListVersion = apps.get_model("filter", "ListVersion")
    for version in ListVersion.objects.exclude(error={}).only("pk", "error"):
        message = version.error.get("message", "")
        params = version.error.get("params") or {}
        text = message % params if params else message
        ListVersion.objects.filter(pk=version.pk).update(error_text=text)


class Migration(migrations.Migration):
    dependencies = [("filter", "0006_notifications")]

    operations = [
        migrations.RenameField("listversion", "error", "error_text"),
        migrations.AddField("listversion", "error", models.JSONField(blank=True, default=dict)),
        migrations.RunPython(to_messages, to_text),
        migrations.RemoveField("listversion", "error_text"),
    ]
