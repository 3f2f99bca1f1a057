"""Privacy of the audit log: events name their subject, and what anonymous people left is forgotten.

- `subject` is added and filled for the events already recorded, from the log itself (each
  record's create event names its parent), so that a family's past events become private to its
  guardians and a report's past events are erased with it. A family event whose family cannot be
  found is made private to nobody rather than left readable.
- The client addresses stored for anonymous actions (reports, a child's unblock request, sign-up)
  are forgotten: the platform no longer keeps them (cop/core/audit.py, `_kept_address`).
"""

from typing import Any

from django.db import migrations, models

ANONYMOUS = "anonymous"
UNKNOWN = "?"
FAMILY = "filter.Family"
REPORT = "reports.Report"

# model label -> (subject label, how to find the subject's key from the event's own record):
# "pk" the record itself, a field naming the subject directly, or (field, parent model) when the
# field names a parent whose own events name the subject.
SUBJECTS: dict[str, tuple[str, Any]] = {
    "filter.Family": (FAMILY, "pk"),
    "filter.Guardian": (FAMILY, "family_id"),
    "filter.Profile": (FAMILY, "family_id"),
    "filter.DeviceNetwork": (FAMILY, "family_id"),
    "filter.AssignedRange": (FAMILY, "family_id"),
    "filter.Entry": (FAMILY, ("profile_id", "filter.Profile")),
    "filter.Schedule": (FAMILY, ("profile_id", "filter.Profile")),
    "filter.Device": (FAMILY, ("profile_id", "filter.Profile")),
    "filter.UnblockRequest": (FAMILY, ("profile_id", "filter.Profile")),
    "reports.Report": (REPORT, "pk"),
    "reports.Case": (REPORT, "report_id"),
    "reports.CaseAction": (REPORT, ("case_id", "reports.Case")),
}


def _fields_of_records(AuditEvent: Any) -> dict[tuple[str, str], dict[str, Any]]:
    # Every field value the log ever recorded for each (model, object id), oldest first; a create
    # or delete records all fields, an update the changed ones.
    known: dict[tuple[str, str], dict[str, Any]] = {}
    events = AuditEvent.objects.filter(model__in=SUBJECTS).order_by("id")
    for model, object_id, before, after in events.values_list(
        "model", "object_id", "before", "after"
    ).iterator():
        fields = known.setdefault((model, object_id), {})
        for side in (before or {}, after or {}):
            for name, value in side.items():
                fields.setdefault(name, value)
    return known


def fill_subjects(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("core", "AuditEvent")
    known = _fields_of_records(AuditEvent)

    def key_of(model: str, object_id: str) -> str | None:
        _label, way = SUBJECTS[model]
        if way == "pk":
            return object_id
        if isinstance(way, str):
            value = known.get((model, object_id), {}).get(way)
            return None if value is None else str(value)
        field, parent = way
        parent_id = known.get((model, object_id), {}).get(field)
        return None if parent_id is None else key_of(parent, str(parent_id))

    changed = []
    for event in (
        AuditEvent.objects.filter(model__in=SUBJECTS, subject="").only("id", "model", "object_id").iterator()
    ):
        label, _way = SUBJECTS[event.model]
        found = key_of(event.model, event.object_id)
        event.subject = f"{label}:{found if found is not None else UNKNOWN}"
        changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["subject"], batch_size=500)


def forget_anonymous_addresses(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditEvent.objects.filter(
        actor__isnull=True, token__isnull=True, actor_label=ANONYMOUS, ip_address__isnull=False
    ).update(ip_address=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_accounts_lockout")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="subject",
            field=models.CharField(blank=True, db_index=True, max_length=120),
        ),
        migrations.RunPython(fill_subjects, migrations.RunPython.noop),
        migrations.RunPython(forget_anonymous_addresses, migrations.RunPython.noop),
    ]
