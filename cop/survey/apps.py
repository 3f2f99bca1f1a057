from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "cop.survey"
    label = "survey"
    verbose_name = "National survey"

    def ready(self) -> None:
        from cop.core import audit
        from cop.survey import permissions  # noqa: F401 - registers the app's permissions
        from cop.survey.models import (
            Answer,
            Campaign,
            Evidence,
            Questionnaire,
            QuestionnaireVersion,
            Reminder,
            Response,
            ReviewNote,
        )

        # The workbook's bytes and the parsed form are recorded as changed, not copied into the log.
        audit.track(QuestionnaireVersion, redact={"workbook", "form"})
        for model in (Questionnaire, Campaign, Response, Answer, Evidence, ReviewNote):
            audit.track(model)

        from cop.survey import campaigns, dashboard

        audit.track(Reminder)
        campaigns.register_notifications()
        dashboard.register_queue()
