"""Work waiting for someone, with its count: the one list that navigation and "My account" show.

Apps register their queues in their `ready()`: a label, the page that works through it (by URL
name), who may see it, and a count of what waits there for that person. Who may see a queue is, by
default, who may open its page (the page's rule in cop/core/permissions.py), so nobody is shown a
queue whose page refuses them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from cop.core import permissions
from cop.core.permissions import Actor


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    url_name: str
    count: Callable[[Actor], int]
    # Who sees the queue; None means whoever may open its page.
    shown_to: Callable[[Actor], bool] | None = None

    def is_shown_to(self, actor: Actor) -> bool:
        if self.shown_to is not None:
            return self.shown_to(actor)
        return permissions.may_open(actor, self.url_name)


@dataclass(frozen=True)
class Waiting:
    """One queue as one person sees it."""

    key: str
    label: str
    url: str
    count: int


_queues: dict[str, Queue] = {}


def register(queue: Queue) -> None:
    if queue.key in _queues:
        raise ValueError(f"queue {queue.key!r} is registered twice")
    _queues[queue.key] = queue


def unregister(key: str) -> None:
    """For tests that register a queue of their own."""
    _queues.pop(key, None)


def waiting_for(actor: Actor) -> list[Waiting]:
    """The queues `actor` may see, in the order they were registered, with what waits in each."""
    if actor.is_anonymous:
        return []
    return [
        Waiting(queue.key, str(queue.label), reverse(queue.url_name), queue.count(actor))
        for queue in _queues.values()
        if queue.is_shown_to(actor)
    ]
