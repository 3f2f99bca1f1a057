"""The API's documented contract, checked against the operations as the code declares them.

The expectation is derived here from django-ninja's own view of each operation (its authentication,
its path, its parameters and body), not from the OpenAPI document that cop/api.py builds: a mistake
in that one place would otherwise be checked against itself.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cop.api import api
from cop.filter.actions import Refused

SCHEMA = api.get_openapi_schema()
ERROR_REF = "#/components/schemas/ErrorOut"


def _operations() -> list[tuple[str, str, Any]]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    url = re.sub(r"{(?:\w+:)?(\w+)}", r"{\1}", "/api/v1/" + (prefix + path).lstrip("/"))
                    found.append((method.lower(), url, operation))
    return found


def _expected(method: str, url: str, operation: Any) -> set[int]:
    # Any request can be unreadable: a control character in the query string is refused before any operation.
    expected: set[int] = {400}
    auth = operation.auth_callbacks
    if auth:
        expected.add(401)
        if method != "get":
            expected.add(403)
    if "{" in url:
        expected.add(404)
    model_fields = [field for model in operation.models for field in model.model_fields]
    if model_fields:
        expected.add(422)
    if any(model.__ninja_param_source__ in ("body", "file", "form") for model in operation.models):
        expected.add(413)
    return expected


OPERATIONS = _operations()


def test_the_contract_covers_every_operation() -> None:
    assert len(OPERATIONS) == sum(len(ops) for ops in SCHEMA["paths"].values()) > 50


@pytest.mark.parametrize(
    ("method", "url", "operation"), OPERATIONS, ids=[f"{m} {u}" for m, u, _ in OPERATIONS]
)
def test_every_operation_documents_each_error_status_it_can_answer(
    method: str, url: str, operation: Any
) -> None:
    responses = SCHEMA["paths"][url][method]["responses"]
    documented = {int(status) for status in responses}
    missing = _expected(method, url, operation) - documented
    assert not missing, f"{method.upper()} {url} does not document {sorted(missing)}"
    for status, response in responses.items():
        if int(status) >= 400:
            assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PUT", "/api/v1/regions", 405),
        ("GET", "/api/v1/no/such/operation", 404),
        ("POST", "/api/v1/reports/status", 400),
        ("GET", "/api/v1/threats?%00=1", 400),
    ],
)
def test_every_api_error_has_the_json_shape_even_outside_the_operations(
    method: str, path: str, status: int, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DEBUG = True  # development mode answered 62 KB of HTML for a bad body
    with caplog.at_level(logging.INFO):
        response = Client().generic(method, path, "{not json", content_type="application/json")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"code", "message"} and body["message"]
    assert not any(record.exc_info for record in caplog.records), "a client's mistake logs no traceback"


def test_a_domain_error_is_put_into_words_when_shown_not_when_raised() -> None:
    with translation.override("en"):
        error = Refused(
            _("%(site)s is already on this child's list. Remove it first to change it."), site="a.example"
        )
    with translation.override("fr"):
        french = error.text()
    with translation.override("en"):
        english = error.text()
    assert english.startswith("a.example is already") and french != english and "a.example" in french
    assert (error.status, error.code) == (409, "conflict")


def _parameter(url: str, method: str, name: str) -> dict[str, Any]:
    operation = SCHEMA["paths"][url][method]
    schema: dict[str, Any] = next(p["schema"] for p in operation["parameters"] if p["name"] == name)
    return schema


def _body_field(url: str, field: str) -> dict[str, Any]:
    ref = SCHEMA["paths"][url]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema: dict[str, Any] = SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"][field]
    return schema


def _enum(schema: dict[str, Any]) -> set[Any]:
    """The enum of a schema, or of the non-null branch of an optional one."""
    for branch in [schema, *schema.get("anyOf", [])]:
        if "enum" in branch:
            return set(branch["enum"])
    raise AssertionError(f"no enum in {schema}")


def test_closed_lists_the_server_checks_are_enums_in_the_schema() -> None:
    assert _enum(_parameter("/api/v1/countries", "get", "region")) == {
        "africa", "americas", "arab-states", "asia-pacific", "cis", "europe"
    }  # fmt: skip
    countries = _enum(_parameter("/api/v1/alerts", "get", "country"))
    assert {"KE", "ke", "FR"} <= countries and "AA" not in countries
    assert _enum(_body_field("/api/v1/reports", "country")) == countries
    assert "Africa/Nairobi" in _enum(_body_field("/api/v1/filter/families", "time_zone"))
    assert "Mars/Olympus" not in _enum(_body_field("/api/v1/filter/families", "time_zone"))


def test_a_link_must_not_be_empty_and_the_query_log_length_is_the_installations(settings: Any) -> None:
    link = _body_field("/api/v1/reports", "urls")["items"]
    assert link["minLength"] >= 1 and not re.search(link["pattern"], "")
    assert re.search(link["pattern"], "example.com/a") and re.search(link["pattern"], "https://a.example/b?c")
    hours = _body_field("/api/v1/filter/profiles/{profile_id}/query-log", "hours")
    assert (hours["minimum"], hours["maximum"]) == (1, settings.FILTER_QUERY_LOG_MAX_HOURS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/countries?region=aa", "/api/v1/organisations?country=AA", "/api/v1/alerts?country=AA"]
)
def test_a_value_outside_a_closed_list_is_refused_by_validation(path: str) -> None:
    response = Client().get(path)
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


# Lists fixed by the reference data, short and whole by nature; every other list is paged.
WHOLE_LISTS = {"/api/v1/regions", "/api/v1/countries", "/api/v1/filter/categories", "/api/v1/search"}


def test_every_list_that_grows_with_the_data_is_paged_the_same_way() -> None:
    for url, operations in SCHEMA["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        answer = {int(k): v for k, v in get["responses"].items()}[200]["content"]["application/json"][
            "schema"
        ]
        if "$ref" in answer:
            answer = SCHEMA["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]
        if answer.get("type") == "array":
            assert url in WHOLE_LISTS, f"{url} answers a bare list"
        elif set(answer.get("properties", {})) == {"items", "count"}:
            parameters = {p["name"]: p["schema"] for p in get["parameters"]}
            assert (parameters["limit"]["maximum"], parameters["offset"]["minimum"]) == (500, 0), url


MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


@pytest.mark.django_db
def test_every_moment_is_written_one_way_iso_8601_to_the_second_with_its_offset() -> None:
    # Alerts wrote `...:00.123456+00:00` and the family filter `...:00.123Z`.
    from cop.alerts.tests.helpers import make_alert
    from cop.core.tests.base import make_world

    world = make_world()
    make_alert(world.hana, world.kenya_hotline)
    alert = Client().get("/api/v1/alerts").json()["items"][0]
    assert MOMENT.match(alert["published_at"]) and MOMENT.match(alert["updated_at"])
    assert alert["withdrawn_at"] is None, "a moment that has not happened is null, not left out"


# Findings of the property-based test (test_api_fuzz.py), each kept as a plain example.


@pytest.mark.django_db
def test_a_contact_that_is_not_an_object_is_refused_not_taken_for_an_empty_one() -> None:
    body = {"country": "KE", "reporter_age": "adult", "where_seen": "website", "urls": ["a.example/x"]}
    response = Client().post("/api/v1/reports", {**body, "contact": "AAA"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["details"][0]["location"][-1] == "contact"


def test_a_time_of_day_is_documented_and_read_as_the_families_clock() -> None:
    start = _body_field("/api/v1/filter/profiles/{profile_id}/schedules", "start")
    out = SCHEMA["components"]["schemas"]["ScheduleOut"]["properties"]["start"]
    assert start["pattern"] == out["pattern"] and "format" not in out  # "time" demands an offset
    for value in ["07:00", "23:59:59"]:
        assert re.match(start["pattern"], value)
    for value in ["07:00:00Z", "24:00", "7:00"]:
        assert not re.match(start["pattern"], value)


def test_no_fixed_path_sits_where_a_risk_code_goes() -> None:
    # /threats/versions answered for the risk code "versions"; the list of versions has its own path.
    code = _parameter("/api/v1/threats/{code}", "get", "code")
    assert re.match(code["pattern"], "content-aggressive") and re.match(code["pattern"], "versions")
    assert [path for path in SCHEMA["paths"] if path.startswith("/api/v1/threats/")] == [
        "/api/v1/threats/{code}"
    ]
    assert "/api/v1/classification/versions" in SCHEMA["paths"]


@pytest.mark.django_db
def test_a_filter_naming_nothing_answers_as_documented() -> None:
    client = Client()
    assert client.get("/api/v1/alerts", {"risk": "no-such-risk"}).json() == {"items": [], "count": 0}
    assert client.get("/api/v1/threats", {"version": 99}).status_code == 404
    assert 404 in {int(status) for status in SCHEMA["paths"]["/api/v1/threats"]["get"]["responses"]}


def test_an_organisations_rules_are_in_its_schema() -> None:
    organisation = SCHEMA["components"]["schemas"]["OrganisationIn"]
    assert organisation["then"]["required"] == ["country"]
    assert organisation["if"]["properties"]["kind"]["enum"] == ["ministry", "regulator"]
    website = _body_field("/api/v1/organisations", "website")["anyOf"][0]
    assert re.match(website["pattern"], "https://a.example") and not re.match(
        website["pattern"], "reports:queue"
    )
