"""Named people and organisations shared by the tests.

alice   — COP secretariat
kofi    — national focal point of Kenya (Ministry of ICT, Kenya)
claire  — national focal point of France
hana    — hotline analyst, Kenyan hotline
henri   — helpline counsellor, French helpline
ines    — industry member, an international company
pablo   — partner, an international NGO
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client, TestCase

from cop.core.models import ApiToken, Country, Membership, Organisation, OrganisationKind, Role, User

PASSWORD = "correct horse battery staple 42"


@dataclass
class World:
    secretariat: Organisation
    kenya_ministry: Organisation
    france_ministry: Organisation
    kenya_hotline: Organisation
    france_helpline: Organisation
    company: Organisation
    ngo: Organisation
    alice: User
    kofi: User
    claire: User
    hana: User
    henri: User
    ines: User
    pablo: User


def _user(username: str, organisation: Organisation, role: str) -> User:
    # Their addresses are confirmed, as a running platform's members would have done.
    address = f"{username}@example.org"
    user = User.objects.create_user(username, address, PASSWORD, confirmed_email=address)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_world() -> World:
    kenya = Country.objects.get(iso2="KE")
    france = Country.objects.get(iso2="FR")
    secretariat = Organisation.objects.create(name="COP Secretariat", kind=OrganisationKind.SECRETARIAT)
    kenya_ministry = Organisation.objects.create(
        name="Ministry of ICT", kind=OrganisationKind.MINISTRY, country=kenya
    )
    france_ministry = Organisation.objects.create(
        name="Ministère du numérique", kind=OrganisationKind.MINISTRY, country=france
    )
    kenya_hotline = Organisation.objects.create(
        name="Kenya Hotline", kind=OrganisationKind.HOTLINE, country=kenya
    )
    france_helpline = Organisation.objects.create(
        name="Ligne d'écoute", kind=OrganisationKind.HELPLINE, country=france
    )
    company = Organisation.objects.create(name="Example Networks", kind=OrganisationKind.COMPANY)
    ngo = Organisation.objects.create(name="Example Child Rights NGO", kind=OrganisationKind.NGO)
    return World(
        secretariat=secretariat,
        kenya_ministry=kenya_ministry,
        france_ministry=france_ministry,
        kenya_hotline=kenya_hotline,
        france_helpline=france_helpline,
        company=company,
        ngo=ngo,
        alice=_user("alice", secretariat, Role.SECRETARIAT),
        kofi=_user("kofi", kenya_ministry, Role.FOCAL_POINT),
        claire=_user("claire", france_ministry, Role.FOCAL_POINT),
        hana=_user("hana", kenya_hotline, Role.HOTLINE_ANALYST),
        henri=_user("henri", france_helpline, Role.HELPLINE_COUNSELLOR),
        ines=_user("ines", company, Role.INDUSTRY_MEMBER),
        pablo=_user("pablo", ngo, Role.PARTNER),
    )


class BaseTestCase(TestCase):
    """A TestCase with the named world above, built once per class."""

    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def token_for(self, user: User, organisation: Organisation, role: str) -> str:
        _token, plain = ApiToken.issue(organisation=organisation, role=role, name="test", created_by=user)
        return plain
