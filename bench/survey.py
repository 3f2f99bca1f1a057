"""Checking a campaign of the national survey: a generated 200-question version, 193 generated responses.

    scripts/bench survey                  # both databases (starts a throwaway PostgreSQL on 127.0.0.1)
    scripts/bench survey --db sqlite --rounds 5

Measured, in the configuration users run (production settings, a migrated database with the
reference data; each database in a process of its own):
- import: the workbook read, checked by us and by pyxform, and stored (one import);
- compile: every expression of the version read into closures (the first question asked of a version);
- validate: the 193 responses checked against the compiled form, in memory;
- campaign: a full re-validation as a campaign does it: the 193 responses' answers read from the
  database (about 25,000 rows), the version compiled afresh, every response checked (target < 2 s).
Baseline ("naive"), in the same process on the same responses: the same checks with each expression
read again at every evaluation, as an evaluator without compiling does. Reported: seconds (median of
the rounds) and naive / compiled.

The questionnaire and the answers are generated here with made-up labels; they exist only in the
throwaway database of the run.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cop.reports.tests.crash_run import prepare_database, server_env  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "survey.json"
EN = "English (en)"
GROUPS = 10
CATEGORIES = ["perceptions", "advice", "awareness", "focal_points", "legal", "industry", "assistance"]


# The questionnaire --------------------------------------------------------------------------


def _row(kind: str, name: str, text: str = "", **cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"type": kind, "name": name}
    if text:
        row[f"label::{EN}"] = text
    row.update(cells)
    return row


def questionnaire_rows() -> list[dict[str, Any]]:
    """Ten pages of twenty questions: skip logic, constraints, a calculation and a choice filter each."""
    rows: list[dict[str, Any]] = []
    for g in range(GROUPS):
        p = f"g{g}"
        rows.append(_row("begin group", p, f"Page {g + 1}", category=CATEGORIES[g % len(CATEGORIES)]))
        applies = f"${{{p}_has}} = 'yes'"
        rows += [
            _row("select_one yes_no", f"{p}_has", "Is there a measure?", required="yes", evidence="yes"),
            _row("integer", f"{p}_year", "Since which year?", relevant=applies,
                 constraint=". >= 1990 and . <= 2030", **{f"constraint_message::{EN}": "1990 to 2030"}),
            _row("text", f"{p}_name", "Its name", relevant=applies, constraint="string-length(.) <= 200"),
            _row("select_multiple topics", f"{p}_topics", "Topics", relevant=applies),
            _row("select_one subtopic", f"{p}_main", "Main subtopic",
                 relevant=f"count-selected(${{{p}_topics}}) > 0",
                 choice_filter=f"selected(${{{p}_topics}}, topic)"),
            _row("decimal", f"{p}_share", "Share covered (%)", constraint=". >= 0 and . <= 100"),
            _row("date", f"{p}_date", "Last reviewed on", constraint=". <= today()"),
            _row("integer", f"{p}_count", "How many organisations?", required="yes", constraint=". >= 0"),
            _row("integer", f"{p}_part", "Of which active", relevant=f"${{{p}_count}} > 0",
                 constraint=f". <= ${{{p}_count}}"),
            _row("calculate", f"{p}_ratio",
                 calculation=f"if(${{{p}_count}} > 0, ${{{p}_part}} div ${{{p}_count}}, 0)"),
            _row("select_one yes_no", f"{p}_plan", "Is a plan being made?", relevant=f"${{{p}_ratio}} < 0.5"),
            _row("text", f"{p}_plan_text", "Describe the plan", relevant=f"${{{p}_plan}} = 'yes'",
                 constraint="regex(., '^[A-Za-z0-9 ,.-]*$')"),
        ]  # fmt: skip
        earlier = f"${{g{g - 1}_has}} = 'yes' or " if g else ""
        for i in range(8):
            name = f"{p}_q{i}"
            if i % 3 == 0:
                rows.append(_row("select_one yes_no", name, f"Question {i}", relevant=f"{earlier}{applies}"))
            elif i % 3 == 1:
                rows.append(_row("integer", name, f"Number {i}", constraint=". >= 0 and . < 1000000",
                                 relevant=f"coalesce(${{{p}_count}}, 0) >= {i}"))  # fmt: skip
            else:
                rows.append(_row("text", name, f"Remark {i}", constraint="string-length(.) < 500"))
        rows.append({"type": "end group"})
    return rows


def questionnaire_workbook() -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    survey = questionnaire_rows()
    assert sum(1 for r in survey if "name" in r and not r["type"].startswith("begin")) == 200
    choices = [
        {"list_name": "yes_no", "name": "yes", f"label::{EN}": "Yes"},
        {"list_name": "yes_no", "name": "no", f"label::{EN}": "No"},
        *({"list_name": "topics", "name": f"t{i}", f"label::{EN}": f"Topic {i}"} for i in range(6)),
        *(
            {
                "list_name": "subtopic",
                "name": f"t{i}_{j}",
                f"label::{EN}": f"Subtopic {i}.{j}",
                "topic": f"t{i}",
            }
            for i in range(6)
            for j in range(3)
        ),
    ]
    settings = [
        {"form_title": "Benchmark survey", "form_id": "bench-survey", "version": "1", "default_language": EN}
    ]
    book = Workbook()
    for index, (title, rows) in enumerate((("survey", survey), ("choices", choices), ("settings", settings))):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        columns: list[str] = []
        for row in rows:
            columns += [key for key in row if key not in columns]
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The answers --------------------------------------------------------------------------------


def generated_answers(form: Any, questions: list[Any], rng: random.Random) -> dict[str, Any]:
    """A plausible response: answers to what applies, a few of them wrong, as real drafts have."""
    answers: dict[str, Any] = {}
    today = datetime.date(2026, 3, 31)
    for question in questions:
        kind, key = question.kind, question.key
        if kind in ("note", "calculate") or not form.relevant(key, answers):
            continue
        if rng.random() < 0.1 and not question.required:
            continue
        if kind == "select_one":
            choices = form.choices(key, answers)
            if not choices:
                continue
            value: Any = rng.choice(choices)["name"]
        elif kind == "select_multiple":
            value = rng.sample([c["name"] for c in question.choices], rng.randint(1, 3))
        elif kind == "integer":
            value = rng.randint(1990, 2030) if key.endswith("_year") else rng.randint(0, 40)
            if key.endswith("_part"):
                value = rng.randint(0, answers.get(key.replace("_part", "_count"), 0))
        elif kind == "decimal":
            value = round(rng.uniform(0, 100), 1)
        elif kind == "date":
            value = (today - datetime.timedelta(days=rng.randint(0, 3000))).isoformat()
        else:
            value = rng.choice(["Office of examples", "Programme alpha", "A plan, in two steps."])
        if rng.random() < 0.02:  # a wrong answer, for the checks to find
            value = -5 if kind in ("integer", "decimal") else value
        answers[key] = value
    return answers


# One database, in its own process -----------------------------------------------------------


def _median(function: Any, rounds: int) -> float:
    times = []
    for _round in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _reparsing(text: str, compiler: Any) -> Any:
    from cop.survey import xpath

    return lambda context: xpath.compile_expression(text, compiler)(context)


def naive_form(version: Any) -> Any:
    """The version's form with every expression read again at each evaluation: the baseline."""
    from cop.survey import xpath
    from cop.survey.expressions import CompiledForm

    form = CompiledForm(version)
    for question in version.questions.all():
        element = form.elements[question.key]
        compiler = form._compiler(question.key)
        if question.relevant:
            element.relevant = _reparsing(question.relevant, compiler)
        if question.constraint:
            element.constraint = _reparsing(question.constraint, compiler)
        if question.calculation:
            element.calculation = _reparsing(question.calculation, compiler)
            form._targets[question.key] = xpath.Target("calculate", calculation=element.calculation)
        if question.choice_filter:
            columns = frozenset(k for c in question.choices for k in c if k != "label")
            element.choice_filter = _reparsing(question.choice_filter, form._compiler(question.key, columns))
    for group in version.form.get("groups", []):
        if group.get("relevant"):
            form.elements[group["key"]].relevant = _reparsing(group["relevant"], form._compiler(group["key"]))
    return form


def child(rounds: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from cop.core.models import Country, UNStatus
    from cop.survey import expressions
    from cop.survey.expressions import CompiledForm, compile_version
    from cop.survey.importing import import_questionnaire
    from cop.survey.models import Answer, Campaign, Response

    data = questionnaire_workbook()
    started = time.perf_counter()
    version = import_questionnaire(data, by=None)
    import_seconds = time.perf_counter() - started
    questions = list(version.questions.all())

    compile_seconds = _median(lambda: CompiledForm(version), rounds)
    form = compile_version(version)
    rng = random.Random(20261208)
    countries = list(Country.objects.filter(un_status=UNStatus.MEMBER).order_by("iso2"))
    responses = [generated_answers(form, questions, rng) for _country in countries]
    problems = sum(len(form.validate(answers)) for answers in responses)
    validate_seconds = _median(lambda: [form.validate(a) for a in responses], rounds)
    naive = naive_form(version)
    assert sum(len(naive.validate(answers)) for answers in responses) == problems
    naive_seconds = _median(lambda: [naive.validate(a) for a in responses], 1)

    campaign = Campaign.objects.create(
        version=version, name="Benchmark campaign", year=2026, deadline="2026-12-31"
    )
    campaign.countries.set(countries)
    stored = Response.objects.bulk_create(Response(campaign=campaign, country=c) for c in countries)
    Answer.objects.bulk_create(
        (Answer(response=response, key=key, value=value)
         for response, answers in zip(stored, responses, strict=True) for key, value in answers.items()),
        batch_size=2000,
    )  # fmt: skip
    answer_rows = Answer.objects.filter(response__campaign=campaign).count()

    def revalidate() -> int:
        expressions._cache.clear()
        by_response: dict[int, dict[str, Any]] = {}
        for response_id, key, value in Answer.objects.filter(response__campaign=campaign).values_list(
            "response_id", "key", "value"
        ):
            by_response.setdefault(response_id, {})[key] = value
        checked = compile_version(campaign.version)
        return sum(len(checked.validate(answers)) for answers in by_response.values())

    assert revalidate() == problems
    campaign_seconds = _median(revalidate, rounds)
    return {
        "database": connection.vendor,
        "questions": len(questions),
        "responses": len(responses),
        "answers": answer_rows,
        "problems_found": problems,
        "import_s": import_seconds,
        "compile_s": compile_seconds,
        "validate_s": validate_seconds,
        "naive_validate_s": naive_seconds,
        "naive_over_compiled": naive_seconds / validate_seconds,
        "campaign_revalidation_s": campaign_seconds,
    }


def bench(database: str, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cop-bench-survey-") as folder:
        url = None
        admin = ""
        if database == "postgresql":
            url = (
                subprocess.run(  # noqa: S603 - our own script, fixed arguments
                    [str(ROOT / "scripts" / "postgres"), "start"], capture_output=True, text=True, check=True
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            import psycopg

            name = f"cop_bench_{uuid.uuid4().hex[:8]}"
            admin = url.replace("postgres://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            url = url.rsplit("/", 1)[0] + "/" + name
        env = server_env(url, Path(folder))
        env["DJANGO_SETTINGS_MODULE"] = "cop.settings"
        try:
            prepare_database(env)
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--rounds", str(rounds)],
                cwd=ROOT, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
        finally:
            if database == "postgresql" and url:
                import psycopg

                with psycopg.connect(admin, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rounds)))
        return
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [bench(db, args.rounds) for db in databases]
    print(
        f"{'database':<11}{'import':>8}{'compile':>9}{'validate':>10}{'naive':>8}{'ratio':>7}{'campaign':>10}"
    )
    for r in results:
        print(
            f"{r['database']:<11}{r['import_s']:>8.2f}{r['compile_s']:>9.3f}{r['validate_s']:>10.2f}"
            f"{r['naive_validate_s']:>8.2f}{r['naive_over_compiled']:>7.1f}{r['campaign_revalidation_s']:>10.2f}"
        )
    first = results[0]
    print(
        f"({first['questions']} questions, {first['responses']} responses, {first['answers']} answers, "
        f"{first['problems_found']} problems found; seconds; ratio = naive / compiled validation)"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop.settings")
    main()
