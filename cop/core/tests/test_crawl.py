"""Every link a person is shown leads to a page that lets them in.

For each role of the named world, for a parent and for a visitor without an account, the test
follows every same-site link from the home page and "My account", breadth first, and fails on a
link that answers 403 or 404. It is bounded so it stays fast: a few addresses per kind of page
(a URL name and the names of its query parameters), and no downloads (PDFs, JSON, CSV), which hold
no links and whose own tests open them.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from cop.core.models import User
from cop.filter.tests.helpers import FilterTestCase

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')
# Addresses per kind of page: enough to see each kind of link once or twice, not every country.
PER_KIND = 1
MOST_PAGES = 250
REFUSED = {403, 404}
# Files rather than pages (printable PDFs take a second each to render); the pages linking to
# them are public, and their own tests open them.
DOWNLOADS = (".pdf", ".json", ".csv")


def _kind(path: str, query: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return path  # a link to nothing is its own kind, and the crawl reports it
    keys = sorted({part.split("=", 1)[0] for part in query.split("&") if part})
    return f"{match.view_name}?{','.join(keys)}"


def crawl(client: Client, starts: list[str]) -> dict[str, tuple[int, str]]:
    """Follow same-site links from `starts`; return each refused address, its status and its source."""
    seen: set[str] = set(starts)
    per_kind: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque((start, "(start)") for start in starts)
    refused: dict[str, tuple[int, str]] = {}
    visited = 0
    while queue and visited < MOST_PAGES:
        url, source = queue.popleft()
        response = client.get(url)
        visited += 1
        if response.status_code in REFUSED:
            refused[url] = (response.status_code, source)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            # Same site, one language: another language's page has the same links in other words.
            if parts.scheme or parts.netloc or not parts.path.startswith("/en/"):
                continue
            if parts.path.endswith(DOWNLOADS):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen:
                continue
            seen.add(target)
            kind = _kind(parts.path, parts.query)
            if per_kind[kind] >= PER_KIND:
                continue
            per_kind[kind] += 1
            queue.append((target, url))
    return refused


class CrawlTestCase(FilterTestCase):
    def crawl_as(self, user: User | None) -> dict[str, tuple[int, str]]:
        client = self.client_for(user) if user is not None else Client()
        starts = ["/en/", "/en/account/"] if user is not None else ["/en/"]
        return crawl(client, starts)

    def test_no_role_of_the_named_world_is_shown_a_link_that_refuses_it(self) -> None:
        w = self.world
        for user in [w.alice, w.kofi, w.claire, w.hana, w.henri, w.ines, w.pablo]:
            with self.subTest(user=user.username):
                self.assertEqual(self.crawl_as(user), {})

    def test_a_parent_is_shown_no_link_that_refuses_them(self) -> None:
        self.assertEqual(self.crawl_as(self.amina), {})

    def test_a_visitor_without_an_account_is_shown_no_link_that_refuses_them(self) -> None:
        self.assertEqual(self.crawl_as(None), {})
