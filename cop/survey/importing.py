"""Importing a questionnaire version from its XLSForm workbook: the one way versions come in.

The page, the command and the set-up all call `import_questionnaire`. It is all or nothing (one
transaction), audited (the questionnaire and its version are tracked models), and a version is
imported once: the same workbook again answers the version already there, and different bytes under
a version already taken are refused, since answers may point at the questions of the first.
"""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cop.core import audit
from cop.core.errors import Conflict
from cop.core.models import User
from cop.survey.models import Question, Questionnaire, QuestionnaireVersion
from cop.survey.xlsform import read_workbook

# The COP national survey as shipped with the platform; set-up loads it when it is there.
SHIPPED_WORKBOOK = Path(__file__).resolve().parent / "forms" / "cop-national-survey.xlsx"


def _taken(slug: str, version: str) -> Conflict:
    return Conflict(
        _(
            "Version %(version)s of %(slug)s was imported already from another workbook. "
            "Give this workbook a new version in its settings sheet."
        ),
        slug=slug,
        version=version,
    )


def import_questionnaire(
    workbook_bytes: bytes, *, by: User | None, filename: str | None = None
) -> QuestionnaireVersion:
    """The version a workbook describes, imported (or found, when these very bytes were imported).

    Raises WorkbookRefused (every mistake listed), Invalid / TooLarge for a file that is not a
    workbook, and Conflict for a version already imported from different bytes.
    """
    parsed = read_workbook(workbook_bytes, filename)
    digest = hashlib.sha256(workbook_bytes).hexdigest()
    acting = audit.current_actor()
    actor = audit.acting_as(audit.user_actor(by)) if by is not None and acting.user != by else nullcontext()
    try:
        with actor, transaction.atomic():
            questionnaire, _created = Questionnaire.objects.get_or_create(
                slug=parsed.slug, defaults={"title": parsed.title}
            )
            existing = questionnaire.versions.filter(version=parsed.version).first()
            if existing is not None:
                if existing.workbook_sha256 == digest:
                    return existing
                raise _taken(parsed.slug, parsed.version)
            version = QuestionnaireVersion.objects.create(
                questionnaire=questionnaire,
                version=parsed.version,
                title=parsed.title,
                default_language=parsed.default_language,
                languages=parsed.languages,
                workbook=workbook_bytes,
                workbook_sha256=digest,
                form=parsed.form,
                imported_by=by,
            )
            for question in parsed.questions:
                question.version = version
            Question.objects.bulk_create(parsed.questions)
            # The questionnaire is called as its newest version calls it.
            if questionnaire.title != parsed.title:
                questionnaire.title = parsed.title
                questionnaire.save(update_fields=["title"])
    except IntegrityError:
        # Someone imported the same questionnaire version at the same moment.
        raise _taken(parsed.slug, parsed.version) from None
    return version


def load_shipped(path: Path = SHIPPED_WORKBOOK) -> QuestionnaireVersion | None:
    """The shipped national survey, imported if it is not yet; None when the platform ships none."""
    if not path.is_file():
        return None
    with audit.acting_as(audit.AuditActor(label="system: load_survey")):
        return import_questionnaire(path.read_bytes(), by=None, filename=path.name)
