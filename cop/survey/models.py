"""The national survey: questionnaires (as XLSForm versions), campaigns, countries' responses, review.

A questionnaire keeps its identity across versions; a question keeps its `key` (the XLSForm `name`)
across versions, so answers and trends follow the key, not the wording or the position. A country
answers a campaign once (one `Response`), several of its people contributing to the same draft; the
secretariat reviews it answer by answer, and only approved responses are published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Questionnaire(models.Model):
    """A questionnaire across its versions, e.g. the COP national survey (XLSForm `form_id`)."""

    slug = models.SlugField(_("identifier"), max_length=100, unique=True)
    # {language: text}, from the newest version's `form_title` (per-language titles where given).
    title = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class QuestionnaireVersion(models.Model):
    """One imported XLSForm workbook, kept as imported; its questions are rows of `Question`."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions")
    # The XLSForm `settings.version`; versions of one questionnaire are ordered by `imported_at`.
    version = models.CharField(_("version"), max_length=50)
    title = models.JSONField(default=dict)
    default_language = models.CharField(max_length=10)
    languages = models.JSONField(default=list)
    # The workbook exactly as imported, and what the importer made of it (survey rows in order,
    # choice lists, settings), so that export gives back an equivalent workbook.
    workbook = models.BinaryField()
    workbook_sha256 = models.CharField(max_length=64)
    form = models.JSONField(default=dict)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["questionnaire", "imported_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "version"], name="survey_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.slug} {self.version}"


class QuestionKind(models.TextChoices):
    SELECT_ONE = "select_one", _("One choice")
    SELECT_MULTIPLE = "select_multiple", _("Several choices")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    NOTE = "note", _("Note")
    CALCULATE = "calculate", _("Calculation")


class Question(models.Model):
    """A question (or a note, or a calculation) of one version, in the order of the form.

    `key` is the stable identifier: the same key in two versions is the same question, however it
    is worded or wherever it moved. Groups are pages: `group` is the key of the top-level group the
    question sits in, `repeat` the key of the repeat group it sits in (answers then have instances).
    """

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    group = models.CharField(max_length=100, blank=True)
    repeat = models.CharField(max_length=100, blank=True)
    # One of the survey's categories (the XLSForm column `category`), for grouping results.
    category = models.CharField(max_length=100, blank=True)
    # {language: text}
    label = models.JSONField(default=dict)
    hint = models.JSONField(default=dict)
    # [{"name": ..., "label": {language: text}, **extra columns such as a choice_filter's}]
    choices = models.JSONField(default=list)
    required = models.BooleanField(default=False)
    # XLSForm expressions as written; compiled once per version by cop/survey/expressions.py.
    relevant = models.TextField(blank=True)
    constraint = models.TextField(blank=True)
    constraint_message = models.JSONField(default=dict)
    calculation = models.TextField(blank=True)
    choice_filter = models.TextField(blank=True)
    # Whether the answer should come with evidence (the XLSForm column `evidence`: yes).
    evidence = models.BooleanField(default=False)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="survey_question_unique")]

    def __str__(self) -> str:
        return self.key


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    """A round of the survey: one questionnaire version, a deadline, the countries asked."""

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200, unique=True)
    # The year the answers describe, for trends (several campaigns a year would share it).
    year = models.PositiveSmallIntegerField(_("year"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    countries = models.ManyToManyField("core.Country", related_name="survey_campaigns")
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-opened_at"]

    def __str__(self) -> str:
        return self.name


class ResponseState(models.TextChoices):
    """A country's response; after submission, the review states ODK Central has."""

    DRAFT = "draft", _("Draft")
    RECEIVED = "received", _("Received")
    HAS_ISSUES = "has-issues", _("Has issues")
    EDITED = "edited", _("Edited")
    APPROVED = "approved", _("Approved")


class Response(models.Model):
    """A country's one response to a campaign, written by several of its people."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="survey_responses")
    state = models.CharField(max_length=12, choices=ResponseState.choices, default=ResponseState.DRAFT)
    # Raised on every saved change; a save that read an older revision is refused, not merged blindly.
    revision = models.PositiveIntegerField(default=0)
    # The campaign and response this one was pre-filled from (the country's last approved one).
    prefilled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "country"]
        constraints = [models.UniqueConstraint(fields=["campaign", "country"], name="survey_response_unique")]

    def __str__(self) -> str:
        return f"{self.campaign} {self.country_id}"

    def audit_country(self) -> str | None:
        return self.country_id


class AnswerReview(models.TextChoices):
    PENDING = "pending", _("Not reviewed")
    ACCEPTED = "accepted", _("Accepted")
    QUERIED = "queried", _("Queried")


class Answer(models.Model):
    """The answer to one question (by key). `instance` numbers a repeat's entries from 1; 0 outside one.

    `value` holds what the question's kind takes: a string (select_one, text, date as YYYY-MM-DD), a
    list of strings (select_multiple), a number (integer, decimal) or null (not answered).
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    key = models.CharField(max_length=100)
    instance = models.PositiveIntegerField(default=0)
    value = models.JSONField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    review = models.CharField(max_length=10, choices=AnswerReview.choices, default=AnswerReview.PENDING)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["response", "key", "instance"]
        constraints = [
            models.UniqueConstraint(fields=["response", "key", "instance"], name="survey_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.response} {self.key}"

    def audit_country(self) -> str | None:
        return self.response.country_id


class Evidence(models.Model):
    """A link or a document backing an answer. Documents pass the library's document checks."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    link = models.URLField(max_length=2000, blank=True)
    document = models.FileField(upload_to="survey/evidence/%Y/", blank=True)
    # The name the file was uploaded under, shown to people; the stored name is the platform's.
    document_name = models.CharField(max_length=200, blank=True)
    document_type = models.CharField(max_length=10, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["answer", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(link="") & ~models.Q(document=""))
                | (~models.Q(link="") & models.Q(document="")),
                name="survey_evidence_link_or_document",
            ),
        ]

    def __str__(self) -> str:
        return self.link or self.document_name

    def audit_country(self) -> str | None:
        return self.answer.response.country_id


class ReviewNoteKind(models.TextChoices):
    QUERY = "query", _("Query")
    REPLY = "reply", _("Reply")
    ACCEPT = "accept", _("Accepted")


class ReviewNote(models.Model):
    """The conversation on one answer: the secretariat's query, the country's reply, acceptance."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="review_notes")
    kind = models.CharField(max_length=10, choices=ReviewNoteKind.choices)
    text = models.TextField(max_length=4000, blank=True)
    written_at = models.DateTimeField(auto_now_add=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["answer", "written_at", "id"]

    def __str__(self) -> str:
        return f"{self.answer_id} {self.kind}"

    def audit_country(self) -> str | None:
        return self.answer.response.country_id


class ResponseEvent(models.Model):
    """The history of a response's state: who moved it from what to what, and when."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, choices=ResponseState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ResponseState.choices)
    note = models.TextField(blank=True, max_length=4000)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["response", "at", "id"]

    def __str__(self) -> str:
        return f"{self.response_id} {self.from_state} -> {self.to_state}"

    def audit_country(self) -> str | None:
        return self.response.country_id


class AnswerRevision(models.Model):
    """Every saved value of an answer, kept: what it was, who changed it, at which response revision."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    response_revision = models.PositiveIntegerField()
    value = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # How the change came: a page, the API, an uploaded workbook, a pre-fill from the last campaign.
    source = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["answer", "at", "id"]

    def __str__(self) -> str:
        return f"{self.answer_id} r{self.response_revision}"


class Reminder(models.Model):
    """A reminder sent to a country's focal points about its response: one a country a day at most.

    The country is the response's, kept here too so that the database holds the limit itself (one
    row per country and day, whichever campaign): two people pressing "remind" at once send one.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="reminders")
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="+")
    # The day on the platform's clock (COP_TIME_ZONE).
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How many of the country's focal points it went to.
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["response", "-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["country", "day"], name="survey_reminder_one_a_day")]

    def __str__(self) -> str:
        return f"{self.response} {self.day}"

    def audit_country(self) -> str | None:
        return self.country_id
