from django.urls import path

from cop.threats import views

app_name = "threats"

urlpatterns = [
    path("", views.classification, name="classification"),
    path("<slug:code>/", views.risk_detail, name="risk"),
]
