"""The `cop` command: every operator task, as Django management commands.

`cop migrate`, `cop load_reference_data`, `cop runserver`, `cop add_member`...
`cop help` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["run_filter"]:
        # The DNS resolver starts without Django, which would cost it seconds and megabytes:
        # see cop/filter/run.py.
        from cop.filter.run import main as run_filter

        run_filter(arguments[1:])
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cop", *arguments])


if __name__ == "__main__":
    main()
