"""Parents, families and children's profiles for the filter's tests, made by the code the pages use."""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import logging
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from django.db import DatabaseError, connection
from django.test import Client
from django.utils import timezone

from cop.core.models import User
from cop.core.tests.base import PASSWORD, BaseTestCase
from cop.filter import actions
from cop.filter.compiler import COMPILE
from cop.filter.models import Device, Family, Profile
from cop.outbox.models import Job
from cop.outbox.runner import run_due


def run_compilations() -> int:
    """Run the snapshot compilations that saves queued, as `cop run_worker` would; returns how many
    finished. Saves only queue them (`compiler.compile_soon`), so a test that reads the snapshot after
    a save calls this first."""
    compilations = Job.objects.filter(kind=COMPILE)
    done = compilations.filter(status=Job.Status.DONE).count()
    while compilations.filter(status=Job.Status.PENDING, next_attempt_at__lte=timezone.now()).exists():
        if not run_due(1):
            break
    return compilations.filter(status=Job.Status.DONE).count() - done


class BackgroundWorker:
    """`cop run_worker` in a thread of the test process, for tests whose saves go through a live server
    and whose checks wait for the compiled snapshot (with: ... as a context manager)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="outbox-worker", daemon=True)

    def __enter__(self) -> BackgroundWorker:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    run_due(10)
                except DatabaseError:  # the database busy with a page's write: as the worker, try again
                    logging.getLogger(__name__).warning("the outbox could not be read", exc_info=True)
        finally:
            connection.close()


def make_parent(username: str, *, confirmed: bool = True) -> User:
    """A parent as signing up makes one: their address confirmed by the sign-up link (unless not `confirmed`,
    as for accounts made before addresses were confirmed)."""
    address = f"{username}@example.net"
    return User.objects.create_user(username, address, PASSWORD, confirmed_email=address if confirmed else "")


def make_family(guardian: User, name: str = "The Okafor family", time_zone: str = "Africa/Nairobi") -> Family:
    return actions.create_family(guardian, name, Family.Kind.FAMILY, time_zone)


def make_profile(family: Family, name: str = "Amara", age_band: str = "8-12", **changes: Any) -> Profile:
    profile = actions.create_profile(family, name, age_band)
    if changes:
        for field, value in changes.items():
            setattr(profile, field, value)
        profile.save()
    return profile


def make_device(profile: Profile, name: str = "Amara's tablet", networks: list[str] | None = None) -> Device:
    """A device, bound by a guardian who is at the first address of the first network given."""
    address = str(ipaddress.ip_network(networks[0]).network_address) if networks else None
    return actions.add_device(profile, name, networks or [], client_address=address)


class FilterTestCase(BaseTestCase):
    """The named world, plus two parents of one family, their child, and a parent of another family.

    amina and bruno — guardians of the Okafor family; Amara (8-12) is their child
    carla — guardian of another family, with her child Leo (13-17)
    """

    amina: User
    bruno: User
    carla: User
    family: Family
    amara: Profile
    other_family: Family
    leo: Profile

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.amina = make_parent("amina")
        cls.bruno = make_parent("bruno")
        cls.carla = make_parent("carla")
        cls.family = make_family(cls.amina)
        actions.join_family(cls.family, cls.bruno)
        cls.amara = make_profile(cls.family)
        cls.other_family = make_family(cls.carla, "The Rossi family", "Europe/Rome")
        cls.leo = make_profile(cls.other_family, "Leo", "13-17")

    def setUp(self) -> None:
        self.parent = self.client_for(self.amina)

    def as_user(self, user: User) -> Client:
        return self.client_for(user)


T = TypeVar("T")


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on a loop of its own thread.

    The browser tests leave Playwright's event loop registered in the main thread, where
    `asyncio.run` then refuses to start; a thread has no loop of its own until it makes one.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()
