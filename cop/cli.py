"""The `cop` command: every operator task, as Django management commands.

`cop migrate`, `cop load_reference_data`, `cop runserver`, `cop add_member`...
`cop help` lists them all. `scripts/cop` runs it without `uv` on the PATH.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["run_filter"]:
        # The DNS resolver starts without Django, which would cost it seconds and megabytes:
        # see cop/filter/run.py.
        from django.core.exceptions import ImproperlyConfigured

        from cop.filter.run import main as run_filter

        try:
            run_filter(arguments[1:])
        except ImproperlyConfigured as exc:
            _refuse(exc)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Reading any setting loads cop/settings.py, which refuses a missing or bad COP_* variable.
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as exc:
        _refuse(exc)
    execute_from_command_line(["cop", *arguments])


def _refuse(exc: Exception) -> NoReturn:
    # The message names the variable and what to set; a traceback would only bury it.
    print("cop: " + " ".join(str(exc).split()), file=sys.stderr)
    raise SystemExit(2) from None


if __name__ == "__main__":
    main()
