"""The `cop` command as an operator runs it: through scripts/cop, in a child process, without uv on
the PATH, and without a terminal when a script runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from cop.core.models import Organisation, OrganisationKind, User
from cop.core.tests.base import PASSWORD

ROOT = Path(settings.BASE_DIR)
LAUNCHER = str(ROOT / "scripts" / "cop")


def uv_binary() -> str:
    """The uv the scripts use: scripts/test exports it, a developer may have it on the PATH."""
    for candidate in [os.environ.get("UV", ""), shutil.which("uv") or "", str(ROOT / "var/tools/bin/uv")]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("uv is not installed: run the tests through scripts/test, which installs it")


def operator_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """An operator's shell: no COP_* settings and no uv on the PATH (the launcher gets it from UV)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_") and k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(
        folder for folder in env.get("PATH", "").split(os.pathsep) if not (Path(folder) / "uv").exists()
    )
    env.update(UV=uv_binary(), COP_DATA_DIR=str(tmp_path), **values)
    return env


def cop(env: dict[str, str], *args: str, stdin_text: str | None = None) -> subprocess.CompletedProcess[str]:
    """scripts/cop in a new session, so without a controlling terminal, as under cron or a deployment
    tool; standard input is `stdin_text`, or nothing at all."""
    return subprocess.run(
        [LAUNCHER, *args],
        env=env,
        input=stdin_text,
        stdin=subprocess.DEVNULL if stdin_text is None else None,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )


def test_the_launcher_runs_cop_without_uv_on_the_path_and_names_a_missing_setting_in_one_line(
    tmp_path: Path,
) -> None:
    result = cop(operator_env(tmp_path), "migrate")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "cop: COP_SECRET_KEY is not set. With COP_DEBUG off the platform refuses to start with the "
        "development key: set COP_SECRET_KEY to a long random value (or COP_DEBUG=true on a development "
        "machine)."
    ]


def test_a_bad_setting_is_named_in_one_line(tmp_path: Path) -> None:
    env = operator_env(tmp_path, COP_DEBUG="true", COP_LOGIN_FAILURE_LIMIT="many")
    result = subprocess.run(
        [sys.executable, "-m", "cop.cli", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["cop: COP_LOGIN_FAILURE_LIMIT must be a whole number, got 'many'"]


def database_url() -> str:
    """The test database, for a child process: on SQLite the copy on disk (database_on_disk)."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user, password = (quote(str(config[key] or ""), safe="") for key in ("USER", "PASSWORD"))
    return f"postgres://{user}:{password}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


@pytest.fixture
def secretariat(database_on_disk: None) -> Organisation:
    return Organisation.objects.create(name="COP Secretariat", kind=OrganisationKind.SECRETARIAT)


@pytest.mark.usefixtures("secretariat")
def test_add_member_without_a_terminal_says_in_one_line_to_use_password_stdin(tmp_path: Path) -> None:
    env = operator_env(tmp_path, COP_DEBUG="true", COP_DATABASE_URL=database_url())
    result = cop(env, "add_member", "bea", "--organisation", "COP Secretariat", "--role", "secretariat")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "CommandError: No terminal to ask for the new user's password: give it on standard input with "
        "--password-stdin, for example: printf '%s\\n' \"$PASSWORD\" | scripts/cop add_member bea "
        "--organisation 'COP Secretariat' --role secretariat --password-stdin"
    ]
    assert not User.objects.filter(username="bea").exists()


@pytest.mark.usefixtures("secretariat")
def test_add_member_takes_the_password_from_a_pipe_as_the_readme_shows(tmp_path: Path) -> None:
    env = operator_env(tmp_path, COP_DEBUG="true", COP_DATABASE_URL=database_url())
    result = cop(
        env,
        "add_member", "bea", "--organisation", "COP Secretariat", "--role", "secretariat", "--password-stdin",
        stdin_text=f"{PASSWORD}\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "bea is now Secretariat of COP Secretariat." in result.stdout
    assert User.objects.get(username="bea").check_password(PASSWORD)
