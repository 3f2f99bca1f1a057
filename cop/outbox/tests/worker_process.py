"""`cop run_worker` in a process of its own, with the outbox tests' handlers, for tests that stop
or kill it: python -m cop.outbox.tests.worker_process [run_worker arguments]."""

from __future__ import annotations

import os
import sys

import django

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop.settings")
    django.setup()
    from django.core.management import call_command

    import cop.outbox.tests.handlers  # noqa: F401 - registers the test job kinds

    call_command("run_worker", *sys.argv[1:])
