# Devices get a separate "ask" token, and their networks move from a JSON list to rows that the
# database keeps apart between families: an exclusion constraint on PostgreSQL (btree_gist), BEFORE
# INSERT/UPDATE triggers on SQLite. On SQLite, a later migration that rebuilds filter_devicenetwork
# (Django remakes a table to alter it) drops these triggers and must create them again;
# tests/test_binding.py fails if they are missing.

import ipaddress
import logging
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

import cop.filter.models
from cop.filter.networks import overlap, reserved, span

log = logging.getLogger(__name__)

OVERLAP_MESSAGE = "filter_devicenetwork: networks of two families overlap"
SQLITE_GUARD = """
CREATE TRIGGER filter_devicenetwork_no_overlap_{event}
BEFORE {event} ON filter_devicenetwork
WHEN EXISTS (
    SELECT 1 FROM filter_devicenetwork AS other
    WHERE other.family_id <> NEW.family_id
      AND other.version = NEW.version
      AND other.first <= NEW.last
      AND NEW.first <= other.last
)
BEGIN
    SELECT RAISE(ABORT, '{message}');
END
"""
POSTGRESQL_GUARD = (
    "ALTER TABLE filter_devicenetwork ADD CONSTRAINT filter_devicenetwork_no_overlap "
    "EXCLUDE USING gist (inet(network) inet_ops WITH &&, family_id WITH <>)"
)


def give_ask_tokens(apps: Any, schema_editor: Any) -> None:
    Device = apps.get_model("filter", "Device")
    for device in Device.objects.filter(ask_token__isnull=True).only("pk"):
        Device.objects.filter(pk=device.pk).update(ask_token=cop.filter.models.new_device_token())


def move_networks_to_rows(apps: Any, schema_editor: Any) -> None:
    """Copy each device's networks into rows, oldest device first. A network nobody may bind (0.0.0.0/0,
    loopback...) is dropped, and so is one overlapping another family's, which its first binder keeps:
    such bindings let one family filter, and read, another's queries."""
    Device = apps.get_model("filter", "Device")
    DeviceNetwork = apps.get_model("filter", "DeviceNetwork")
    kept: list[tuple[int, ipaddress.IPv4Network | ipaddress.IPv6Network]] = []
    for device in Device.objects.select_related("profile").order_by("created_at", "pk"):
        family = device.profile.family_id
        for text in device.networks or []:
            network = ipaddress.ip_network(text, strict=False)
            clash = reserved(network) or any(
                (other_family != family and overlap(network, other))
                or (other_family == family and network == other)
                for other_family, other in kept
            )
            if clash:
                log.warning("device %s: binding %s dropped (reserved, or bound already)", device.pk, network)
                continue
            kept.append((family, network))
            first, last = span(network)[1:]
            DeviceNetwork.objects.create(
                device=device, family_id=family, network=str(network), version=network.version, first=first, last=last
            )
    if schema_editor.connection.vendor == "postgresql":
        # The rows' foreign-key checks are deferred to the commit; the constraint added below needs
        # the table without pending checks.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def move_rows_to_networks(apps: Any, schema_editor: Any) -> None:
    Device = apps.get_model("filter", "Device")
    DeviceNetwork = apps.get_model("filter", "DeviceNetwork")
    for device in Device.objects.all():
        device.networks = list(DeviceNetwork.objects.filter(device=device).order_by("pk").values_list("network", flat=True))
        device.save(update_fields=["networks"])


def add_overlap_guard(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # btree_gist lets a GiST index compare family numbers (WITH <>). It ships with PostgreSQL
        # (Debian's postgresql package has it) and is a trusted extension: the database's owner may
        # create it. Django's BtreeGistExtension operation is not used: undone on SQLite, it fails.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(POSTGRESQL_GUARD)
    elif vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(SQLITE_GUARD.format(event=event, message=OVERLAP_MESSAGE))
    else:
        raise RuntimeError(f"The family filter keeps families' networks apart on PostgreSQL and SQLite, not {vendor}.")


def drop_overlap_guard(apps: Any, schema_editor: Any) -> None:
    # The extension stays: something else may use it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE filter_devicenetwork DROP CONSTRAINT IF EXISTS filter_devicenetwork_no_overlap"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS filter_devicenetwork_no_overlap_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("filter", "0002_list_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="ask_token",
            field=models.CharField(editable=False, max_length=20, null=True),
        ),
        migrations.RunPython(give_ask_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="device",
            name="ask_token",
            field=models.CharField(
                default=cop.filter.models.new_device_token, editable=False, max_length=20, unique=True
            ),
        ),
        migrations.CreateModel(
            name="AssignedRange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("network", models.CharField(max_length=43)),
                ("version", models.PositiveSmallIntegerField()),
                ("first", models.CharField(max_length=32)),
                ("last", models.CharField(max_length=32)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "family",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assigned_ranges",
                        to="filter.family",
                    ),
                ),
            ],
            options={
                "ordering": ["version", "first", "pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("family", "network"), name="filter_unique_assigned_range")
                ],
            },
        ),
        migrations.CreateModel(
            name="DeviceNetwork",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("network", models.CharField(max_length=43)),
                ("version", models.PositiveSmallIntegerField()),
                ("first", models.CharField(max_length=32)),
                ("last", models.CharField(max_length=32)),
                (
                    "device",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bound_networks",
                        to="filter.device",
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="filter.family"
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
                "indexes": [models.Index(fields=["version", "first"], name="filter_devicenetwork_span")],
                "constraints": [
                    models.UniqueConstraint(fields=("family", "network"), name="filter_unique_family_network")
                ],
            },
        ),
        migrations.RunPython(move_networks_to_rows, move_rows_to_networks),
        migrations.RemoveField(
            model_name="device",
            name="networks",
        ),
        migrations.RunPython(add_overlap_guard, drop_overlap_guard),
    ]
