"""Property-based checks of every API operation, generated from the OpenAPI document: the API keeps
its documented contract (every check schemathesis has: no 5xx, only documented statuses, content types
and bodies, valid data accepted, invalid data refused, the Allow header, authentication honoured).

Each generated request is sent as one of the API's callers: nobody, an API token of each role of the
named world, or a parent signed in on the web site (session cookie and CSRF token, as the family
filter's API expects). The database holds what those callers act on (the named world, a family with
a child's profile, a device, rules and an unblock request, reports with their cases, an alert, block
lists), and ids (path, query and body) mostly name those records, so protected operations are
exercised past the 401 and the 404. Each request runs in a savepoint rolled back afterwards: every
example starts from the same data, as Hypothesis needs to replay and shrink a failure.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from cop.core import permissions
from cop.core.models import ApiToken, Country, Organisation, OrganisationKind, Role
from cop.core.tests.base import make_world
from cop.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Every check schemathesis has, by name, so that a new one in an upgrade is run too.
load_all_checks()
ALL_CHECKS = CHECKS.get_all()

# Any 32 characters of the allowed alphabet make a valid CSRF secret; the header carries it as is.
CSRF_SECRET = "fuzzcsrfsecret0123456789abcdefgh"
# Share of the parameters named in FuzzData.known whose generated value is replaced by a known one.
KNOWN_VALUE_SHARE = 0.8


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    # Put on the case itself (as_some_caller), where the generated `sessionid` of the session's
    # security scheme is.
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FuzzData:
    callers: dict[str, Caller]
    # Values that name something that exists (ids, country codes) or that the API accepts (links),
    # by parameter or top-level body field name.
    known: dict[str, list[Any]]

    def pool(self, security: list[dict[str, Any]] | None) -> list[Caller]:
        """Who is worth sending an operation as: a token holder only where tokens are read, a parent
        only where the session is; nobody everywhere, for the 401."""
        schemes = {name for requirement in security or [] for name in requirement}
        tokens = [c for c in self.callers.values() if c.name.startswith("token ")]
        parent, member = self.callers["parent session"], self.callers["member session"]
        anonymous = self.callers["anonymous"]
        if "TokenAuth" in schemes:
            return [anonymous, *tokens]
        if "GuardianSession" in schemes:
            return [anonymous, parent, parent, parent, member]
        return [anonymous, anonymous, parent, tokens[0]]


@pytest.fixture(scope="module")
def fuzz_data(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzData]:
    """The records the callers act on, made once for the module inside a transaction rolled back at
    its end (each test's own transaction is a savepoint inside it)."""
    uploads = override_settings(FILTER_DATA_DIR=Path(tmp_path_factory.mktemp("fuzz-filter")))
    uploads.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _make_data()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            uploads.disable()


def _make_data() -> FuzzData:
    from cop.alerts.tests.helpers import make_alert
    from cop.filter import actions, jobs
    from cop.filter.models import Entry, FilterList
    from cop.filter.tests.helpers import make_device, make_family, make_parent, make_profile
    from cop.outbox.runner import run_due
    from cop.reports import cases
    from cop.reports.models import Case
    from cop.reports.tests.base import file_report
    from cop.survey.tests.helpers import make_campaign, make_version

    world = make_world()
    holders = {
        Role.SECRETARIAT: (world.alice, world.secretariat),
        Role.FOCAL_POINT: (world.kofi, world.kenya_ministry),
        Role.HOTLINE_ANALYST: (world.hana, world.kenya_hotline),
        Role.HELPLINE_COUNSELLOR: (world.henri, world.france_helpline),
        Role.INDUSTRY_MEMBER: (world.ines, world.company),
        Role.PARTNER: (world.pablo, world.ngo),
    }
    assert set(holders) == set(Role.values), "every role has a token"
    callers = {"anonymous": Caller("anonymous", {})}
    for role, (user, organisation) in holders.items():
        _token, plain = ApiToken.issue(organisation=organisation, role=role, name="fuzz", created_by=user)
        callers[f"token {role}"] = Caller(f"token {role}", {"Authorization": f"Bearer {plain}"})

    parent = make_parent("amina")
    family = make_family(parent)
    profile = make_profile(family)
    device = make_device(profile)
    entry = actions.add_entry(profile, "games.example", Entry.Action.BLOCK)
    schedule = actions.create_schedule(
        profile,
        {
            "label": "School nights",
            "days": [0, 1, 2, 3],
            "start": "21:00",
            "end": "07:00",
            "block_everything": True,
        },
    )
    unblock, _new = actions.ask(profile, "homework.example", "For my homework")
    callers["parent session"] = _session("parent session", parent)
    # Signed in, but a guardian of no family: every family's record is someone else's.
    callers["member session"] = _session("member session", world.hana)

    # Two reports routed to the Kenyan hotline, and one from a country without a hotline, which waits
    # for the secretariat to route it.
    reports = [
        file_report()[0],
        file_report(urls=["https://example.org/other"])[0],
        file_report(country="DE")[0],
    ]
    # An assessed case, so that taking down, forwarding and closing get past "assess it first".
    cases.assess(permissions.Actor(user=world.hana), reports[1].cases.get(), "harmful-legal")
    french_hotline = Organisation.objects.create(
        name="Point de Contact", kind=OrganisationKind.HOTLINE, country=Country.objects.get(iso2="FR")
    )
    alert = make_alert(world.hana, world.kenya_hotline)

    illegal = FilterList.objects.create(
        name="Hotline list",
        category="illegal",
        source="Kenya Hotline",
        url="https://lists.example/illegal.txt",
        maintainer=world.kenya_hotline,
    )
    games = FilterList.objects.create(name="Games", category="games", source="Example")
    jobs.import_upload(illegal, "hotline.txt", [b"bad.example\nnot a name\n"])
    while run_due(5):  # the import and the compilations it queues: version 1 is in force
        pass
    assert illegal.active_version() is not None

    # A survey campaign asking Kenya and France, so that reading a response gets past the 404.
    survey_version = make_version()
    campaign = make_campaign(survey_version, "Example survey 2027", 2027, ["KE", "FR"])

    organisations = [o.pk for o in Organisation.objects.all()]
    return FuzzData(
        callers=callers,
        known={
            "organisation_id": organisations,
            "target_organisation": [french_hotline.pk, world.france_helpline.pk, *organisations],
            "case_id": list(Case.objects.filter(report__in=reports).values_list("pk", flat=True)),
            "duplicate_of": list(Case.objects.filter(report__in=reports).values_list("pk", flat=True)),
            "family_id": [family.pk],
            "family": [family.pk],
            "profile_id": [profile.pk],
            "profile": [profile.pk],
            "device_id": [device.pk],
            "entry_id": [entry.pk],
            "schedule_id": [schedule.pk],
            "request_id": [unblock.pk],
            "alert_id": [alert.pk],
            "list_id": [illegal.pk, games.pk],
            "number": [1, 2],
            "country": ["KE", "FR", "DE"],
            "iso2": ["KE", "FR", "DE"],
            "urls": [["https://example.org/page"], ["example.com/a", "https://example.net/b"]],
            "response_id": list(campaign.responses.values_list("pk", flat=True)),
            "version": [survey_version.pk],
            "countries": [["KE"], ["FR", "DE"]],
        },
    )


def _session(name: str, user: Any) -> Caller:
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    return Caller(name, {"X-CSRFToken": CSRF_SECRET}, {"sessionid": session, "csrftoken": CSRF_SECRET})


def _known_values(
    values: dict[str, Any], known: dict[str, list[Any]], chance: random.Random
) -> dict[str, Any]:
    """A value named like a known kind of thing mostly becomes one that exists: random integers and
    strings would almost never name a record, and the operation would stop at its 404 or 422. A value
    of another type than the known ones (a probe of the validation) is left as it is."""
    changed = dict(values)
    for name, value in values.items():
        if name not in known or isinstance(value, bool) or type(value) is not type(known[name][0]):
            continue
        if chance.random() < KNOWN_VALUE_SHARE:
            changed[name] = chance.choice(known[name])
    return changed


def as_some_caller(case: Any, data: FuzzData) -> tuple[Any, Caller]:
    """The case to send, with known values, and who sends it.

    Both are a function of the generated case, not drawn apart from it: the coverage phase's
    examples cannot draw, and a failure must replay with the same caller for Hypothesis to shrink it.
    """
    chance = random.Random(zlib.crc32(repr(case).encode()))
    caller = chance.choice(data.pool(case.operation.definition.raw.get("security")))
    sent = case.derive()
    sent.path_parameters = _known_values(case.path_parameters, data.known, chance)
    sent.query = _known_values(case.query, data.known, chance)
    if isinstance(case.body, dict):
        sent.body = _known_values(case.body, data.known, chance)
    if caller.cookies:
        # The caller's session replaces the made-up one the case carries, on the case itself: a case
        # sent without one (a probe of the authentication, or the check that it is not ignored, which
        # changes the case's cookies) must reach the server without it.
        cookies = dict(sent.cookies or {})
        if "sessionid" in cookies:
            cookies["sessionid"] = caller.cookies["sessionid"]
        cookies["csrftoken"] = caller.cookies["csrftoken"]
        sent.cookies = cookies
    return sent, caller


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    # The WSGI handler closes database connections after each request; inside a test
    # transaction that would close it under the test (Django's own test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_documented_contract(case: Any, fuzz_data: FuzzData) -> None:
    sent, caller = as_some_caller(case, fuzz_data)
    # The failure report's curl command filters the Authorization header out and leaves the cookies
    # out: this header says who sent the request.
    headers = {**caller.headers, "X-Fuzz-Caller": caller.name}
    with transaction.atomic():
        sent.call_and_validate(headers=headers, checks=ALL_CHECKS)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_caller_of_the_fuzz_test_is_who_it_claims_to_be(fuzz_data: FuzzData) -> None:
    """Without this, a broken token or session would make every protected operation a quiet 401."""
    client = Client(enforce_csrf_checks=True)

    def send(method: str, path: str, caller: str, body: str | None = None) -> Any:
        client.cookies.clear()
        for name, value in fuzz_data.callers[caller].cookies.items():
            client.cookies[name] = value
        headers = fuzz_data.callers[caller].headers
        return client.generic(method, path, body or "", content_type="application/json", headers=headers)

    for role in Role.values:
        response = send("GET", "/api/v1/me", f"token {role}")
        assert (response.status_code, response.json()["role"]) == (200, role)
    families = send("GET", "/api/v1/filter/families", "parent session").json()
    assert [f["id"] for f in families["items"]] == fuzz_data.known["family_id"]
    assert send("GET", "/api/v1/filter/families", "member session").json()["items"] == []
    profile = fuzz_data.known["profile_id"][0]
    paused = send("POST", f"/api/v1/filter/profiles/{profile}/pause", "parent session", '{"minutes": 5}')
    assert paused.status_code == 200, "the session's CSRF token is accepted"
    assert send("GET", "/api/v1/me", "anonymous").status_code == 401
