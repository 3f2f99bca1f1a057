from django.contrib.auth import views as auth_views
from django.urls import path

from cop.core import account_views, passwords, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("countries/", views.country_list, name="countries"),
    path("countries/<str:iso2>/", views.country_detail, name="country"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<int:pk>/tokens/", views.token_create, name="token-create"),
    path(
        "organisations/<int:pk>/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
    path("account/", views.account, name="account"),
    path(
        "account/login/",
        auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/signup/", account_views.signup, name="signup"),
    path("account/signup/sent/", account_views.signup_sent, name="signup-sent"),
    path("account/signup/<str:token>/", account_views.signup_finish, name="signup-finish"),
    path("account/email/confirm/", account_views.confirmation_send, name="confirm-email-send"),
    path("account/email/confirm/<str:token>/", account_views.confirmation_open, name="confirm-email"),
    path("account/delete/", account_views.account_delete, name="account-delete"),
    path("account/notifications/", account_views.notification_settings, name="notifications"),
    path("audit/", views.audit_log, name="audit"),
    *passwords.urlpatterns,
]
