from django.urls import path

from cop.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_start, name="start"),
    path("send/", views.report_submit, name="submit"),
    path("status/", views.report_status, name="status"),
    path("statistics/", views.report_statistics, name="statistics"),
    path("statistics.csv", views.report_statistics_csv, name="statistics-csv"),
    path("cases/", views.case_queue, name="queue"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/export.json", views.case_export, name="case-export"),
    path("cases/<int:pk>/<slug:step>/", views.case_step, name="case-step"),
]
