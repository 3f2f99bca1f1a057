"""Password reset by e-mail and password change: Django's own views, with the platform's templates.

The reset page reads the same whether or not the address belongs to an account (Django's view
always goes on to the "sent" page), and a reset lifts every sign-in lock of the account.

The reset mail goes only to an address its account confirmed, and through the outbox
(`cop.core.forms.ConfirmedAddressPasswordResetForm`, cop/core/mail.py), not while the person waits:
a slow mail server delays nothing, and the time the page takes says nothing about the address.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import path, reverse_lazy

from cop.core import lockout
from cop.core.forms import ChangePasswordForm, NewPasswordForm, ResetRequestForm


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("core:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever holds the mailbox has proved it: failures with this name, from anywhere, are over.
        lockout.forget(form.user.get_username())
        return response


urlpatterns = [
    path(
        "account/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="core/password_reset_form.html",
            form_class=ResetRequestForm,
            email_template_name="core/password_reset_email.txt",
            subject_template_name="core/password_reset_subject.txt",
            success_url=reverse_lazy("core:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        ResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "account/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="core/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="core/password_change.html",
            form_class=ChangePasswordForm,
            success_url=reverse_lazy("core:password-changed"),
        ),
        name="password-change",
    ),
    path(
        "account/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_changed.html"),
        name="password-changed",
    ),
]
