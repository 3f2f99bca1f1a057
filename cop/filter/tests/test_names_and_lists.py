from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from cop.filter.categories import CATEGORIES, ILLEGAL
from cop.filter.lists import ParsedList, parse
from cop.filter.marks import Source, compile_lists
from cop.filter.names import BadName, normalise, normalise_rule, suffixes
from cop.filter.rules import ADDRESS, BELOW, EXACT, NAME, REGEX, Rule
from cop.filter.snapshot import CompiledProfile, Snapshot
from cop.filter.table import Table, wire_key

ORDER = [category.code for category in CATEGORIES]
README = Path(__file__).resolve().parents[1] / "README.md"
TYPES = {"A": 1, "AAAA": 28, "TXT": 16}


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


def test_a_list_rule_may_name_a_top_level_domain_but_a_parents_entry_may_not() -> None:
    assert normalise_rule("ZIP.") == "zip"
    with pytest.raises(BadName):
        normalise("zip")
    with pytest.raises(BadName):
        normalise_rule("192")


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


def _names(parsed: ParsedList, exception: bool = False) -> set[str]:
    return {r.target for r in parsed.rules if r.kind == NAME and r.exception == exception}


def test_a_list_with_garbage_imports_the_good_lines_and_reports_the_bad_ones() -> None:
    parsed = parse(LIST.splitlines())
    assert _names(parsed) == {
        "ads.example.com", "tracker.example.net", "tracker2.example.net", "plain.example.org",
        "wild.example.org", "adblock.example.com", "xn--bcher-kva.example", "upper.example.com",
    }  # fmt: skip
    assert _names(parsed, exception=True) == {"allowed.example.com"}
    assert [(p.line, p.text, p.reason) for p in parsed.problems] == [
        (11, "||with-options.example.com^$third-party", "modifier"),
        (13, "this line is garbage !!", "words"),
        (14, "0.0.0.0", "hosts-without-name"),  # noqa: S104 - a hosts-file line, not an address to bind
    ]
    assert parsed.problems[0].params == {"modifier": "third-party"}
    assert parsed.not_dns == 1  # the web address
    assert parsed.usable and parsed.lines == 17
    assert (parsed.blocked, parsed.allowed) == (8, 1)


def test_a_list_of_garbage_only_is_not_usable() -> None:
    parsed = parse(["<html>", "<body>not a list</body>", "</html>"])
    assert not parsed.usable and len(parsed.problems) == 3


def test_progress_is_reported_for_long_lists() -> None:
    seen: list[int] = []
    parse((f"site{i}.example" for i in range(25_000)), progress=seen.append)
    assert seen == [10_000, 20_000, 25_000]


@pytest.mark.parametrize(
    "line",
    [
        "example.org##.ad",
        "example.org#@#.ad",
        "example.org#?#div:has(> a)",
        "example.org#$#body { color: red }",
        "example.org#%#//scriptlet('abort-on-property-read', 'x')",
        "example.org#@$?#div",
        "example.org,example.com##.banner",
        'example.org$$script[tag-content="ad"]',
        "##.ad-box",
        "#@#.ad-box",
        "||example.org/ads/banner.js",
        "||example.org^/path",
        "https://example.org/page",
    ],
)
def test_cosmetic_and_web_address_rules_are_counted_and_never_block_the_domain(line: str) -> None:
    parsed = parse([line, "kept.example"])
    assert parsed.not_dns == 1, parsed.problems
    assert parsed.rules == {Rule(NAME, "kept.example")}
    assert not parsed.problems


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("||ads.example^ # a comment", Rule(NAME, "ads.example")),
        ("ads.example # a comment", Rule(NAME, "ads.example")),
        ("0.0.0.0 ads.example #comment", Rule(NAME, "ads.example")),
        ("@@||ads.example^|", Rule(NAME, "ads.example", exception=True)),
        ("@@||ads.example^", Rule(NAME, "ads.example", exception=True)),
        ("||ads.example^|", Rule(NAME, "ads.example")),
        ("||ads.example|", Rule(NAME, "ads.example")),
        ("||ads.example", Rule(NAME, "ads.example")),
        ("|ads.example^", Rule(EXACT, "ads.example")),
        ("|ads.example^|", Rule(EXACT, "ads.example")),
        ("@@|ads.example^", Rule(EXACT, "ads.example", exception=True)),
        ("@@|ads.example^|", Rule(EXACT, "ads.example", exception=True)),
        ("||*.ads.example^", Rule(BELOW, "ads.example")),
        ("||zip^", Rule(NAME, "zip")),
        ("||ads.example^$important", Rule(NAME, "ads.example", important=True)),
        ("@@||ads.example^$important", Rule(NAME, "ads.example", exception=True, important=True)),
        ("||ads.example^$all", Rule(NAME, "ads.example")),
        (
            "||ads.example^$denyallow=ok.ads.example|Com",
            Rule(NAME, "ads.example", denyallow=("com", "ok.ads.example")),
        ),
        ("||ads.example^$dnstype=AAAA|https", Rule(NAME, "ads.example", dnstypes=(28, 65))),
        ("||ads.example^$dnstype=~A|~CNAME", Rule(NAME, "ads.example", not_dnstypes=(1, 5))),
        ("/^ads[0-9]+\\./", Rule(REGEX, "^ads[0-9]+\\.")),
        ("@@/^ok\\./$important", Rule(REGEX, "^ok\\.", exception=True, important=True)),
        ("ads*.example.com", Rule(REGEX, "ads.*\\.example\\.com")),
        ("||ads*.example^", Rule(REGEX, "(?:^|\\.)ads.*\\.example$")),
        ("*$denyallow=com|net", Rule(REGEX, ".*", denyallow=("com", "net"))),
        ("192.0.2.1", Rule(ADDRESS, "192.0.2.1")),
        ("||192.0.2.1^", Rule(ADDRESS, "192.0.2.1")),
        ("|192.0.2.1|", Rule(ADDRESS, "192.0.2.1")),
        ("2001:DB8:0::1", Rule(ADDRESS, "2001:db8::1")),
        ("||2001:db8::1^$important", Rule(ADDRESS, "2001:db8::1", important=True)),
    ],
)
def test_adblock_and_adguard_rules_are_read_as_their_authors_mean_them(line: str, rule: Rule) -> None:
    parsed = parse([line])
    assert parsed.rules == {rule}, parsed.problems
    assert Rule.from_line(rule.line()) == rule  # as stored in a version file, and read back


@pytest.mark.parametrize(
    ("line", "reason", "params"),
    [
        ("||ads.example^$client=192.0.2.1", "modifier", {"modifier": "client"}),
        ("||ads.example^$ctag=device_phone", "modifier", {"modifier": "ctag"}),
        ("||ads.example^$dnsrewrite=192.0.2.1", "modifier", {"modifier": "dnsrewrite"}),
        ("||ads.example^$app=com.example.app", "modifier", {"modifier": "app"}),
        ("||ads.example^$third-party", "modifier", {"modifier": "third-party"}),
        ("||ads.example^$important,script", "modifier", {"modifier": "script"}),
        ("||ads.example^$dnstype=NOPE", "dnstype", {"type": "NOPE"}),
        ("||ads.example^$denyallow=~ok.example", "modifier-value", {"modifier": "denyallow"}),
        ("||192.0.2.1^$dnstype=A", "address-modifier", {}),
        ("/(a+)+$/", "regex-nested", {}),
        ("/a.*b.*c.*d/", "regex-repeats", {"limit": "2"}),
        ("/(a)\\1/", "regex-unsupported", {}),
        ("/(?i)ads/", "regex-unsupported", {}),
        ("/[/", "regex-invalid", {"error": "unterminated character set at position 0"}),
        ("/" + "a" * 300 + "/", "regex-too-long", {"limit": "256"}),
        ("*", "too-wide", {}),
        ("||*^", "too-wide", {}),
        ("||ads.example^$badfilter", "badfilter-unmatched", {}),
    ],
)
def test_rules_that_cannot_apply_are_reported_with_their_reason_and_not_applied(
    line: str, reason: str, params: dict[str, str]
) -> None:
    parsed = parse([line])
    assert [(p.reason, p.params) for p in parsed.problems] == [(reason, params)]
    assert not parsed.rules


def test_badfilter_cancels_the_identical_rule_of_its_own_list_only() -> None:
    parsed = parse(["||ads.example^", "||ads.example^$important", "||ads.example^$important,badfilter"])
    assert parsed.rules == {Rule(NAME, "ads.example")}
    assert not parsed.problems
    # Another list cannot reach it: the same line in a second list cancels nothing there.
    other = parse(["||ads.example^$badfilter"])
    assert not other.rules and other.problems[0].reason == "badfilter-unmatched"


def test_an_illegal_content_list_accepts_no_exception_lines() -> None:
    parsed = parse(["||bad.example^", "@@||ok.bad.example^", "@@|bad.example^$important"], exceptions=False)
    assert parsed.rules == {Rule(NAME, "bad.example")}
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (2, "exception-in-illegal"),
        (3, "exception-in-illegal"),
    ]


def test_too_many_patterns_in_one_list_are_refused_past_the_limit() -> None:
    parsed = parse(f"/^ads{n}x/" for n in range(1005))
    assert len(parsed.rules) == 1000
    assert {p.reason for p in parsed.problems} == {"too-many-patterns"} and len(parsed.problems) == 5


# -- the compatibility table of README.md, row by row -----------------------------------------


def _table_rows() -> list[tuple[str, str, str]]:
    text = README.read_text()
    start = text.index("<!-- compatibility-table")
    end = text.index("<!-- end of compatibility-table -->")
    rows = []
    for line in text[start:end].splitlines()[3:]:
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows.append((cells[0], cells[1], cells[-1]))
    return rows


ROWS = _table_rows()


def _code(cell: str) -> list[str]:
    return [item.replace("\\|", "|") for item in re.findall(r"`([^`]+)`", cell)]


@pytest.mark.parametrize(("row", "example", "checks"), ROWS, ids=[row[0] for row in ROWS])
def test_every_row_of_the_compatibility_table_holds(
    row: str, example: str, checks: str, tmp_path: Path
) -> None:
    illegal = "(illegal-content list)" in example
    parsed = [parse(_code(part), exceptions=not illegal) for part in example.split("then another list:")]
    bit = 1 << ORDER.index(ILLEGAL if illegal else "games")
    compile_lists([Source(bit, list(found.rules).copy) for found in parsed], tmp_path / "table.bin")
    snapshot = Snapshot(1, ORDER, Table(tmp_path / "table.bin"), CompiledProfile(0))
    checked = 0
    for clause in (part.strip() for part in checks.split(";")):
        verb = clause.split("`")[0].strip()
        words = verb.split()
        if verb.startswith(("not DNS", "a problem")):
            count = sum(found.not_dns if words[0] == "not" else len(found.problems) for found in parsed)
            assert count == int(words[-1]), (row, [found.problems for found in parsed])
        elif verb in ("blocks answers with", "allows answers with"):
            for address in _code(clause):
                blocked = snapshot.address_bits(ipaddress.ip_address(address).packed)
                assert bool(blocked) is (words[0] == "blocks"), (row, address)
        else:
            assert verb in ("blocks", "allows"), (row, clause)
            qtype = TYPES[clause.rsplit("`", 1)[1].strip() or "A"]
            for name in _code(clause):
                keys = [wire_key(suffix) for suffix in suffixes(name) if "." in suffix]
                blocked = snapshot.bits(wire_key(name), keys, qtype) & bit
                assert bool(blocked) is (verb == "blocks"), (row, name, qtype)
        checked += 1
    assert checked, row
    assert not any(found.problems for found in parsed) or "a problem" in checks, row
    assert snapshot.table is not None
    snapshot.table.close()
