"""Addresses of the campaign pages and of a country's response, under /<language>/survey/.

Their names are plain (`survey-response`, not namespaced): the answering and review pages built on
them, and the invitations already mailed, link to them by these names.
"""

from django.urls import path

from cop.survey import campaign_views as views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="survey-campaigns"),
    path("campaigns/new/", views.campaign_open, name="survey-campaign-open"),
    path("campaigns/<int:pk>/", views.campaign_dashboard, name="survey-campaign"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="survey-campaign-remind"),
    path("campaigns/<int:pk>/deadline/", views.campaign_deadline, name="survey-campaign-deadline"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="survey-campaign-close"),
    path("responses/<int:pk>/", views.response_page, name="survey-response"),
]
