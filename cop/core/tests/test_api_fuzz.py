"""Property-based checks of every API operation, generated from the OpenAPI document: no 5xx, ever."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from cop.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_with_a_server_error(case: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error])
