"""Parents, families and children's profiles for the filter's tests, made by the code the pages use."""

from __future__ import annotations

from typing import Any

from django.test import Client

from cop.core.models import User
from cop.core.tests.base import PASSWORD, BaseTestCase
from cop.filter import actions
from cop.filter.models import Device, Family, Profile


def make_parent(username: str) -> User:
    return User.objects.create_user(username, f"{username}@example.net", PASSWORD)


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
    return actions.add_device(profile, name, networks or [])


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
        actions.add_guardian(cls.family, "bruno")
        cls.amara = make_profile(cls.family)
        cls.other_family = make_family(cls.carla, "The Rossi family", "Europe/Rome")
        cls.leo = make_profile(cls.other_family, "Leo", "13-17")

    def setUp(self) -> None:
        self.parent = self.client_for(self.amina)

    def as_user(self, user: User) -> Client:
        return self.client_for(user)
