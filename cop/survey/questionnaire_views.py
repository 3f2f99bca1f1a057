"""The secretariat's questionnaire pages: questionnaires and their versions, importing a workbook,
a version's questions, and its workbook to download."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cop.core import permissions
from cop.core.errors import DomainError
from cop.core.languages import language_name, page_language
from cop.core.models import User
from cop.survey.categories import CATEGORIES
from cop.survey.importing import import_questionnaire
from cop.survey.models import QuestionKind, Questionnaire, QuestionnaireVersion
from cop.survey.questionnaire_forms import WorkbookForm
from cop.survey.xlsform import WorkbookRefused, export_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def localised(texts: dict[str, str], default: str) -> tuple[str, str]:
    """A text in the page's language, else in the default language, with the language it is in."""
    language = page_language()
    if texts.get(language):
        return texts[language], language
    if texts.get(default):
        return texts[default], default
    for code, text in texts.items():
        if text:
            return text, code
    return "", language


def _require(request: HttpRequest, url_name: str) -> None:
    permissions.require_page(permissions.actor_of(request), url_name)


@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    _require(request, "survey:questionnaires")
    rows = []
    versions_with_counts = QuestionnaireVersion.objects.select_related("imported_by").annotate(
        question_count=Count("questions")
    )
    for questionnaire in Questionnaire.objects.prefetch_related(Prefetch("versions", versions_with_counts)):
        versions = list(questionnaire.versions.all())
        default = versions[-1].default_language if versions else "en"
        rows.append(
            {
                "questionnaire": questionnaire,
                "title": localised(questionnaire.title, default),
                "versions": versions,
            }
        )
    return render(request, "survey/questionnaires.html", {"rows": rows})


@never_cache
@login_required
def questionnaire_import(request: HttpRequest) -> HttpResponse:
    _require(request, "survey:questionnaire-import")
    form = WorkbookForm(request.POST or None, request.FILES or None)
    mistakes: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        data = upload.read()
        user = request.user
        assert isinstance(user, User)
        known = QuestionnaireVersion.objects.filter(workbook_sha256=hashlib.sha256(data).hexdigest()).exists()
        try:
            version = import_questionnaire(data, by=user, filename=upload.name)
        except WorkbookRefused as refused:
            mistakes = refused.mistakes
            form.add_error(None, refused.text())
        except DomainError as error:
            form.add_error("workbook", error.text())
        else:
            if known:
                messages.info(request, _("This workbook was imported already; here is its version."))
            else:
                messages.success(request, _("The questionnaire version is imported."))
            return redirect("survey:version", pk=version.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "survey/questionnaire_import.html", {"form": form, "mistakes": mistakes}, status=status
    )


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "survey:version")
    version = get_object_or_404(
        QuestionnaireVersion.objects.select_related("questionnaire", "imported_by"), pk=pk
    )
    default = version.default_language
    groups = {g["key"]: g for g in (version.form or {}).get("groups", [])}
    questions = []
    for question in version.questions.all():
        group = groups.get(question.group, {})
        questions.append(
            {
                "question": question,
                "label": localised(question.label, default),
                "page": localised(group.get("label") or {}, default) if group else ("", default),
                "category": CATEGORIES.get(question.category, ""),
                "kind": QuestionKind(question.kind).label,
                "answerable": question.kind not in (QuestionKind.NOTE, QuestionKind.CALCULATE),
            }
        )
    context = {
        "version": version,
        "languages": ", ".join(language_name(code) for code in version.languages),
        "default_language": language_name(default),
        "title": localised(version.title, default),
        "questions": questions,
        "answerable": sum(1 for row in questions if row["answerable"]),
    }
    return render(request, "survey/version.html", context)


@login_required
def version_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    """The version's workbook: made again from its rows, or exactly as imported (`?as=imported`)."""
    _require(request, "survey:version-workbook")
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)
    imported = request.GET.get("as") == "imported"
    data = bytes(version.workbook) if imported else export_workbook(version)
    name = slugify(f"{version.questionnaire.slug}-{version.version}") or "questionnaire"
    response = HttpResponse(data, content_type=XLSX)
    suffix = "-as-imported" if imported else ""
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.xlsx"'
    return response
