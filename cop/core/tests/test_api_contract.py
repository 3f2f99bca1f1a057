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
    expected: set[int] = set()
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
