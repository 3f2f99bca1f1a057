"""Subscribing the catalogue's default lists at set-up: create what is missing, leave what people changed.

Run as often as wished (scripts/setup runs it every time): a list is created once, with its first
download queued for the worker and its refreshes scheduled; later runs change a list only if the
catalogue changed and nobody edited the list since (see CatalogueSubscription).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from cop.filter import jobs
from cop.filter.catalogue import Catalogue, Entry
from cop.filter.models import CatalogueSubscription, FilterList

WRITTEN_FIELDS = ("name", "category", "source", "url", "refresh_hours", "enabled")


@dataclass
class Outcome:
    """What a run did, by catalogue key."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)  # edited by the secretariat: left alone
    kept_deleted: list[str] = field(default_factory=list)  # deleted by the secretariat: not created again
    name_taken: list[str] = field(default_factory=list)  # another list already has the name


def wanted(entry: Entry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "category": entry.category,
        "source": entry.source,
        "url": entry.url,
        "refresh_hours": entry.refresh_hours,
        "enabled": True,
    }


def current(filter_list: FilterList) -> dict[str, Any]:
    return {name: getattr(filter_list, name) for name in WRITTEN_FIELDS}


def _create(entry: Entry, outcome: Outcome) -> None:
    values = wanted(entry)
    if FilterList.objects.filter(name=values["name"]).exists():
        outcome.name_taken.append(entry.key)
        return
    filter_list = FilterList.objects.create(**values)
    CatalogueSubscription.objects.create(key=entry.key, filter_list=filter_list, written=values)
    jobs.import_from_address(filter_list)  # the first download, with progress, by the worker
    jobs.schedule_refresh(filter_list)
    outcome.created.append(entry.key)


def _update(subscription: CatalogueSubscription, entry: Entry, outcome: Outcome) -> None:
    filter_list = subscription.filter_list
    assert filter_list is not None
    values = wanted(entry)
    if current(filter_list) != subscription.written:
        outcome.kept_edited.append(entry.key)
        return
    if values == subscription.written:
        outcome.unchanged.append(entry.key)
        return
    if FilterList.objects.filter(name=values["name"]).exclude(pk=filter_list.pk).exists():
        outcome.name_taken.append(entry.key)
        return
    moved = filter_list.url != values["url"]
    for name, value in values.items():
        setattr(filter_list, name, value)
    filter_list.save()
    subscription.written = values
    subscription.save()
    if moved:
        jobs.import_from_address(filter_list)
    outcome.updated.append(entry.key)


@transaction.atomic
def subscribe_defaults(catalogue: Catalogue) -> Outcome:
    """Bring the default lists to what the catalogue says, without undoing anyone's edits.

    One transaction: the lists, their subscriptions and their queued downloads exist together,
    and the resolver's snapshot is compiled once.
    """
    outcome = Outcome()
    for entry in catalogue.defaults():
        subscription = (
            CatalogueSubscription.objects.select_related("filter_list").filter(key=entry.key).first()
        )
        if subscription is None:
            _create(entry, outcome)
        elif subscription.filter_list is None:
            outcome.kept_deleted.append(entry.key)
        else:
            _update(subscription, entry, outcome)
    return outcome
