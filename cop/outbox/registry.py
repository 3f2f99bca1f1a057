"""Handlers by job kind, and what a handler reports back.

An app registers its handlers at import time, from its AppConfig.ready:

    @handler("alerts.webhook")
    def deliver(job: Job) -> Result: ...

A handler returns normally when the work is done (optionally with a Result for
the log) and raises when it is not: JobFailed for an expected failure, any
other exception for a bug. Either way the job is retried later, unless the
failure is marked permanent or the job has used up its attempts.

A handler must be idempotent: a job whose worker stopped or died part way
runs again from the start when its lease runs out (cop/outbox/worker.py), so
running it twice must leave things as running it once would (a webhook is
sent again with the same event id; a list import goes on with its version).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.functional import Promise

from cop.core.errors import StoredMessage, shown_message, stored_message

if TYPE_CHECKING:
    from cop.outbox.models import Job


@dataclass(frozen=True)
class Result:
    """What a successful run reports for the delivery log."""

    status_code: int | None = None


class JobFailed(Exception):
    """An attempt failed; `permanent` ones are not retried.

    A message that people read in a delivery log is lazy, with `%(name)s` parameters: the log keeps
    it as a stored message (cop/core/errors.py) and shows it in each reader's language.
    """

    def __init__(
        self,
        message: str | Promise,
        *,
        status_code: int | None = None,
        permanent: bool = False,
        **params: Any,
    ) -> None:
        self.template = message
        self.params = params
        self.status_code = status_code
        self.permanent = permanent
        super().__init__(self.text())

    def text(self) -> str:
        """The message in English, as the worker's log and the job's last error keep it."""
        with translation.override(None):
            template = str(self.template)
            shown = {k: shown_message(v) if isinstance(v, dict) else v for k, v in self.params.items()}
            return template % shown if self.params else template

    def stored(self) -> StoredMessage:
        return stored_message(self.template, self.params)


Handler = Callable[["Job"], Result | None]

_handlers: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of jobs of `kind`."""

    def register(function: Handler) -> Handler:
        existing = _handlers.get(kind)
        # The same function again is a module imported twice; another one is a mistake.
        if existing is not None and _name(existing) != _name(function):
            raise ValueError(f"jobs of kind {kind!r} already have a handler: {_name(existing)}")
        _handlers[kind] = function
        return function

    return register


def _name(function: Handler) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


def kinds() -> frozenset[str]:
    """The kinds this process can run; a worker never claims a job it could not run."""
    return frozenset(_handlers)
