from __future__ import annotations

import getpass
import shlex
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cop.core import audit
from cop.core.models import Membership, Organisation, Role, User


class Command(BaseCommand):
    help = "Give a user a role in an organisation, creating the user if needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="organisation id or exact name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read a new user's password from standard input"
        )

    def _organisation(self, ref: str) -> Organisation:
        found = (
            Organisation.objects.filter(pk=int(ref))
            if ref.isdigit()
            else Organisation.objects.filter(name=ref)
        )
        if found.count() != 1:
            raise CommandError(f"No single organisation matches {ref!r}.")
        return found.get()

    def _password(self, user: User, options: dict[str, Any]) -> str:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        elif not sys.stdin.isatty():
            # getpass would wait on a terminal nobody watches, or read a pipe meant for something else.
            raise CommandError(
                "No terminal to ask for the new user's password: give it on standard input with "
                "--password-stdin, for example: printf '%s\\n' \"$PASSWORD\" | scripts/cop add_member "
                + shlex.join(
                    [user.username, "--organisation", options["organisation"], "--role", options["role"]]
                )
                + " --password-stdin"
            )
        else:
            password = getpass.getpass("Password for the new user: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        return password

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["organisation"])
        membership = Membership(organisation=organisation, role=options["role"])
        with audit.acting_as(audit.AuditActor(label="system: add_member")), transaction.atomic():
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                user = User(username=options["username"], email=options["email"])
                user.set_password(self._password(user, options))
                user.save()
                self.stdout.write(f"Created user {user.username}.")
            membership.user = user
            try:
                membership.full_clean()
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            membership.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.username} is now {membership.get_role_display()} of {organisation.name}."
            )
        )
