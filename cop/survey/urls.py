from django.urls import path

from cop.survey import questionnaire_views

app_name = "survey"

urlpatterns = [
    path("questionnaires/", questionnaire_views.questionnaire_list, name="questionnaires"),
    path("questionnaires/import/", questionnaire_views.questionnaire_import, name="questionnaire-import"),
    path("questionnaires/versions/<int:pk>/", questionnaire_views.version_detail, name="version"),
    path(
        "questionnaires/versions/<int:pk>/workbook.xlsx",
        questionnaire_views.version_workbook,
        name="version-workbook",
    ),
]
