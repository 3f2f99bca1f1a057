"""Any change to what the resolver enforces queues a compilation (`compiler.compile_soon`): the worker
compiles a new snapshot once the transaction commits, and many changes make one compilation."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from cop.filter import compiler
from cop.filter.models import (
    Device,
    DeviceNetwork,
    Entry,
    Family,
    FilterList,
    ListVersion,
    LocalRecord,
    Profile,
    Schedule,
)


def _changed(sender: type, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    instance = kwargs.get("instance")
    if isinstance(instance, Device) and kwargs.get("update_fields") == frozenset({"ask_token"}):
        return  # a new ask link: the resolver never sees it
    if (
        isinstance(instance, ListVersion)
        and "created" in kwargs
        and instance.status != ListVersion.Status.ACTIVE
    ):
        return  # an import in progress, rejected or failed changes nothing the resolver enforces
    compiler.compile_soon()


for model in (Family, Profile, Entry, Schedule, Device, DeviceNetwork, LocalRecord, FilterList, ListVersion):
    post_save.connect(_changed, sender=model, dispatch_uid=f"filter-compile-save-{model.__name__}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"filter-compile-delete-{model.__name__}")
