from __future__ import annotations

import pytest

from cop.filter.lists import parse
from cop.filter.names import BadName, normalise, suffixes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM.", "example.com"),
        ("Bücher.Example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("  sub.domain.example.org  ", "sub.domain.example.org"),
        ("_dmarc.example.org", "_dmarc.example.org"),
    ],
)
def test_names_are_folded_to_one_form(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "localhost", "-bad.example", "a..example", "192.168.0.1", "x" * 64 + ".example"]
)
def test_it_rejects_what_is_not_a_domain(raw: str) -> None:
    with pytest.raises(BadName):
        normalise(raw)


def test_a_name_is_covered_by_its_parent_domains() -> None:
    assert suffixes("a.b.example") == ["a.b.example", "b.example", "example"]


LIST = """\
# A list in every format people use
! adblock comment
[Adblock Plus 2.0]
0.0.0.0 ads.example.com
127.0.0.1 localhost
127.0.0.1 tracker.example.net tracker2.example.net
plain.example.org
*.wild.example.org
||adblock.example.com^
@@||allowed.example.com^
||with-options.example.com^$third-party
Bücher.Example.
this line is garbage !!
0.0.0.0
http://not-a-name/path

UPPER.EXAMPLE.COM   # trailing comment
"""


def test_a_list_with_garbage_imports_the_good_lines_and_reports_the_bad_ones() -> None:
    parsed = parse(LIST.splitlines())
    assert parsed.blocked == {
        "ads.example.com", "tracker.example.net", "tracker2.example.net", "plain.example.org",
        "wild.example.org", "adblock.example.com", "xn--bcher-kva.example", "upper.example.com",
    }  # fmt: skip
    assert parsed.allowed == {"allowed.example.com"}
    assert [(p.line, p.text) for p in parsed.problems] == [
        (11, "||with-options.example.com^$third-party"),
        (13, "this line is garbage !!"),
        (14, "0.0.0.0"),  # noqa: S104 - a hosts-file line, not an address to bind
        (15, "http://not-a-name/path"),
    ]
    assert parsed.usable and parsed.lines == 17


def test_a_list_of_garbage_only_is_not_usable() -> None:
    parsed = parse(["<html>", "<body>not a list</body>", "</html>"])
    assert not parsed.usable and len(parsed.problems) == 3


def test_progress_is_reported_for_long_lists() -> None:
    seen: list[int] = []
    parse((f"site{i}.example" for i in range(25_000)), progress=seen.append)
    assert seen == [10_000, 20_000, 25_000]
