from django.urls import path

from cop.alerts.feeds import AlertFeed
from cop.alerts.views import editing, public, subscriptions

app_name = "alerts"

feed = AlertFeed()

urlpatterns = [
    path("", public.alert_list, name="list"),
    path("feed/", feed, name="feed"),
    path("feed/<str:iso2>/", feed, name="country-feed"),
    path("manage/", editing.manage, name="manage"),
    path("new/", editing.alert_create, name="create"),
    path("<int:pk>/", public.alert_detail, name="detail"),
    path("<int:pk>/edit/", editing.alert_edit, name="edit"),
    path("<int:pk>/translations/<str:language>/", editing.translation_edit, name="translation"),
    path("<int:pk>/publish/", editing.alert_publish, name="publish"),
    path("<int:pk>/withdraw/", editing.alert_withdraw, name="withdraw"),
    path("webhooks/", subscriptions.webhook_list, name="webhooks"),
    path("webhooks/new/", subscriptions.webhook_create, name="webhook-create"),
    path("webhooks/<int:pk>/", subscriptions.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/edit/", subscriptions.webhook_edit, name="webhook-edit"),
    path("webhooks/<int:pk>/secret/", subscriptions.webhook_new_secret, name="webhook-secret"),
    path("webhooks/<int:pk>/delete/", subscriptions.webhook_delete, name="webhook-delete"),
]
