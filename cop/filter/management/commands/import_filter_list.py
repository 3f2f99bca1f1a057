from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from cop.filter.categories import BY_CODE
from cop.filter.importing import import_file, import_url
from cop.filter.models import FilterList, ListVersion
from cop.filter.names import describe


class Command(BaseCommand):
    help = (
        "Import a block list (hosts file, plain list, *. wildcards, adblock ||name^ and @@ exceptions) "
        "from a file or an address as a new version of a list. Bad lines are reported with their "
        "numbers; a file with nothing usable leaves the previous version in force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("list", help="the list's name (created with --category and --source if new)")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path)
        source.add_argument("--url")
        parser.add_argument("--category", choices=sorted(BY_CODE), help="for a new list")
        parser.add_argument("--source", help="for a new list: who publishes it")
        parser.add_argument("--problems", type=int, default=20, help="bad lines to print (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        filter_list = FilterList.objects.filter(name=options["list"]).first()
        if filter_list is None:
            if not options["category"] or not options["source"]:
                raise CommandError(
                    f"There is no list named {options['list']!r}; give --category and --source to create it."
                )
            filter_list = FilterList.objects.create(
                name=options["list"],
                category=options["category"],
                source=options["source"],
                url=options["url"] or "",
            )
        if options["file"] is not None and not options["file"].is_file():
            raise CommandError(f"No such file: {options['file']}")
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            disable=not self.stdout.isatty(),
        ) as bar:
            task = bar.add_task(filter_list.name, total=None)

            def progress(read: int, total: int) -> None:
                bar.update(task, completed=read, total=total or None)

            if options["file"] is not None:
                version = import_file(filter_list, options["file"], progress)
            else:
                version = import_url(filter_list, options["url"], progress)
        self._report(version, options["problems"])
        if version.status != ListVersion.Status.ACTIVE:
            raise CommandError(version.error_text or f"Version {version.number} was not activated.")

    def _report(self, version: ListVersion, limit: int) -> None:
        self.stdout.write(
            f"{version.filter_list.name} version {version.number}: {version.get_status_display()}. "
            f"{version.lines} lines read, {version.blocked} names blocked, {version.allowed} exceptions, "
            f"{version.problem_count} lines not understood."
        )
        for problem in version.problems[:limit]:
            reason = describe(problem["reason"], problem.get("params"))
            self.stdout.write(f"  line {problem['line']}: {reason}: {problem['text']}")
        if version.problem_count > limit:
            self.stdout.write(f"  ... and {version.problem_count - limit} more.")
