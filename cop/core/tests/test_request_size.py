"""Request bodies over the limit are refused from their declared length, before they are read."""

from __future__ import annotations

import json
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from django.test import Client, RequestFactory, override_settings

from cop.core.request_size import limit_for
from cop.filter.list_forms import MAX_UPLOAD

MB = 1024 * 1024
SIXTY_MB = 60 * MB
# What the client sends of the 60 MB before it waits for an answer.
SENT = 256 * 1024


def post_without_finishing(
    base_url: str, path: str, declared: int, content_type: str, start: bytes = b""
) -> tuple[int, str, float]:
    """Announce `declared` bytes, send `start` and SENT more, and read the answer: (status, body, seconds)."""
    parts = urlsplit(base_url)
    # A first request loads the pages' code, so that the time measured is this request's own.
    httpx.get(f"{base_url}/api/", timeout=30)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {declared}\r\nAccept-Language: en\r\n"
            # With a CSRF cookie, Django reads the form to find the token: the body is read then.
            f"Cookie: csrftoken={'a' * 32}\r\n\r\n"
        )
        sock.sendall(head.encode() + start + b"x" * SENT)
        answer = b""
        # Waiting for the server to read a body that never comes ends in a timeout here.
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
    head_text, _separator, body = answer.partition(b"\r\n\r\n")
    status = int(head_text.split(b" ", 2)[1])
    return status, body.decode(), time.monotonic() - started


def _length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 1 << 40


def test_a_60_mb_upload_is_refused_before_the_server_reads_it(live_server: Any) -> None:
    # A well-formed start of a form with a file: before, the server wrote it to a temporary file
    # and waited for the rest.
    start = (
        b'------cop\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    )
    multipart = "multipart/form-data; boundary=----cop"
    status, body, seconds = post_without_finishing(
        live_server.url, "/fr/library/submit/", SIXTY_MB, multipart, start
    )
    # Answered with only a quarter of a megabyte sent: the server did not wait for the other 59.75 MB.
    assert status == 413, body[:300]
    assert seconds < 3
    assert '<html lang="fr"' in body
    assert "21,0\xa0Mio" in body  # the limit, written as French writes it


def test_the_api_answers_a_too_large_body_with_its_json_error(live_server: Any) -> None:
    status, body, _seconds = post_without_finishing(
        live_server.url, "/api/v1/reports", SIXTY_MB, "application/json"
    )
    assert status == 413
    error = json.loads(body)
    assert error["code"] == "too_large" and str(21 * MB) in error["message"]


def test_block_list_uploads_may_be_larger_than_other_requests() -> None:
    factory = RequestFactory()
    assert limit_for(factory.post("/en/library/submit/")) == 21 * MB
    assert limit_for(factory.post("/en/filter/lists/7/")) > MAX_UPLOAD
    assert limit_for(factory.post("/api/v1/filter/lists/7/versions")) > MAX_UPLOAD
    assert limit_for(factory.post("/en/no/such/page/")) == 21 * MB


@pytest.mark.django_db
@override_settings(REQUEST_MAX_BYTES=MB)
def test_the_limit_comes_from_the_settings_and_smaller_bodies_pass() -> None:
    client = Client()
    refused = client.post("/en/report/", {"note": "x" * (MB + 1)})
    assert refused.status_code == 413
    assert client.post("/en/report/", {"note": "x" * 1000}).status_code != 413


@pytest.mark.django_db
def test_form_fields_over_djangos_memory_limit_are_too_large_not_malformed() -> None:
    response = Client().post(
        "/api/v1/reports", b"{" + b" " * (3 * MB) + b"}", content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
