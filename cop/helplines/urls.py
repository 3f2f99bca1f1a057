from django.urls import path

from cop.helplines import views

app_name = "helplines"

urlpatterns = [
    path("", views.help_index, name="index"),
    path("services/<int:pk>/edit/", views.service_edit, name="service-edit"),
    path("<str:iso2>/", views.help_country, name="country"),
    path("<str:iso2>/services/new/", views.service_create, name="service-create"),
]
